//! §3.4 synchronize and its rules: all-or-nothing (Decision 8), names
//! (Decision 14), typed fields (§4.15) and property names (Decision 5).

use std::sync::Arc;

use chathub_client::{OperatorId, OperatorStatus, OrganizationId};
use chathub_types::operator::synchronize_operators;
use serde_json::{Value, json};

use super::within_body;
use super::{expect_i32, expect_keys, list};
use crate::conformance::context::Ctx;
use crate::conformance::runner::{Check, Limit, check};
use crate::conformance::verdict::{Outcome, Stop, ensure, ensure_eq, fail, skip, within};

/// This module's checks.
pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "endpoint/synchronize",
            "§3.4",
            "synchronize: 200, one {id, name, status: 0} per element, in order",
            shape
        ),
        check!("decision-8/all-or-nothing", "§4.8", "one bad element: 400 naming it, nothing stored", all_or_nothing),
        check!(
            "decision-8/every-bad-element-named",
            "§4.8",
            "every bad element is named in one 400",
            every_bad_element
        ),
        check!("decision-8/empty-array", "§4.8", "an empty array: 200 []", empty),
        check!("decision-8/duplicate-names", "§4.8", "duplicate names are allowed", duplicates),
        check!("decision-8/over-1000-elements-400", "§4.8", "1,001 elements: 400, nothing stored", over_limit),
        check!(
            "decision-8/1000-elements",
            "§4.8",
            "1,000 elements: 200 with 1,000 operators",
            at_limit,
            Limit::Secs(60)
        ),
        check!("decision-14/names-trimmed-any-unicode", "§4.14", "names are stored trimmed, in any script", trimmed),
        check!("decision-14/length-in-chars", "§4.14", "100 characters (emoji) pass, 101 fail: 400 $[0].name", length),
        check!("decision-14/nul-400", "§4.14", "U+0000 in a name: 400 naming $[0].name", nul),
        check!(
            "decision-15/numbers-are-integers",
            "§4.15",
            "organizationId quoted, 24.0, 2.4e1, overflow: 400 naming it",
            numbers
        ),
        check!(
            "decision-15/names-are-strings",
            "§4.15",
            "name missing, null, a number, an array: 400 naming it",
            strings
        ),
        check!("decision-15/body-is-an-array", "§4.15", "an object or a string instead of an array: 400", not_array),
        check!(
            "decision-5/property-names-any-case",
            "§4.5",
            "property names in any case; unknown ones ignored",
            any_case
        ),
    ]
}

const PATH: &str = synchronize_operators::ENDPOINT.path;

fn element(organization: OrganizationId, name: &str) -> Value {
    json!({"organizationId": organization.get(), "name": name})
}

/// Sends `body` raw; on 200 remembers what it created, for the clean-up.
async fn send(cx: &Ctx, body: &Value) -> Result<crate::conformance::http::Reply, Stop> {
    let reply = cx.raw("POST", PATH).with_company_token().json(body).send().await?;
    remember_created(cx, &reply);
    Ok(reply)
}

fn remember_created(cx: &Ctx, reply: &crate::conformance::http::Reply) {
    if reply.status == 200
        && let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(&reply.body)
    {
        cx.remember(
            items.iter().filter_map(|item| item["id"].as_i64()).filter_map(|id| i32::try_from(id).ok()).map(OperatorId),
        );
    }
}

/// Fails if any of `names` is listed in `organization`.
async fn expect_absent(cx: &Ctx, organization: OrganizationId, names: &[String]) -> Outcome {
    let stored: Vec<String> =
        list(cx, organization).await?.into_iter().map(|op| op.name).filter(|name| names.contains(name)).collect();
    ensure(stored.is_empty(), "nothing stored after a 400", || format!("stored {stored:?}"))
}

async fn shape(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let names = [cx.name("alex-brown"), cx.name("emma-davis")];
    let body = json!([element(organization, &names[0]), element(organization, &names[1])]);
    let reply = send(&cx, &body).await?;
    let answer = reply.expect_json(200)?;
    let items = answer.as_array().ok_or_else(|| fail("a JSON array", reply.describe()))?;
    ensure_eq("elements in the answer", items.len(), 2)?;
    let mut ids = Vec::new();
    for (item, name) in items.iter().zip(&names) {
        expect_keys(item, &["id", "name", "status"], "a synchronized operator")?;
        ids.push(expect_i32(&item["id"], "id")?);
        ensure_eq("name", item["name"].as_str(), Some(name.as_str()))?;
        ensure_eq("status of a new operator", item["status"].as_i64(), Some(0))?;
    }
    ensure(ids[0] != ids[1] && ids.iter().all(|id| *id > 0), "two new positive ids", || format!("{ids:?}"))?;
    // Stored, Active, in that organization: as the client lists them.
    let listed = list(&cx, organization).await?;
    for (id, name) in ids.iter().zip(&names) {
        let found = listed
            .iter()
            .find(|op| op.id.get() == *id)
            .ok_or_else(|| fail(format!("operator {id} listed"), "absent"))?;
        ensure_eq("listed name", found.name.as_str(), name.as_str())?;
        ensure_eq("listed status", found.status, OperatorStatus::Active)?;
    }
    // And through chathub-client: the same shape comes back typed.
    let added = cx.add_operators(vec![cx.name("typed")]).await?;
    ensure_eq("operators added through chathub-client", added.len(), 1)?;
    ensure_eq("their status", added[0].status, OperatorStatus::Active)
}

async fn all_or_nothing(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let names = vec![cx.name("all-or-nothing-1"), cx.name("all-or-nothing-2")];
    let body =
        json!([element(organization, &names[0]), element(organization, "   "), element(organization, &names[1])]);
    let reply = send(&cx, &body).await?;
    reply.expect_invalid(&["$[1].name"]).map_err(within_body(body))?;
    let errors = reply.json()?["errors"].as_object().map(|e| e.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    ensure(!errors.iter().any(|key| key.starts_with("$[0]") || key.starts_with("$[2]")), "only $[1] named", || {
        format!("errors for {errors:?}")
    })?;
    expect_absent(&cx, organization, &names).await
}

async fn every_bad_element(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let good = cx.name("every-bad-element-good");
    let long = format!("{}{}", cx.name(""), "x".repeat(101));
    let body = json!([
        element(organization, ""),
        element(organization, &long),
        element(organization, &good),
        element(OrganizationId(i32::MAX), &cx.name("unknown-organization")),
        {"organizationId": organization.get()},
    ]);
    let reply = send(&cx, &body).await?;
    reply.expect_invalid(&["$[0].name", "$[1].name", "$[3].organizationId", "$[4].name"]).map_err(within_body(body))?;
    expect_absent(&cx, organization, &[good]).await
}

async fn empty(cx: Arc<Ctx>) -> Outcome {
    let reply = send(&cx, &json!([])).await?;
    ensure_eq("the answer to []", reply.expect_json(200)?, json!([]))
}

async fn duplicates(cx: Arc<Ctx>) -> Outcome {
    let name = cx.name("duplicate");
    let added = cx.add_operators(vec![name.clone(), name.clone()]).await?;
    let ids: Vec<_> = added.iter().map(|op| op.id).collect();
    ensure(ids.len() == 2 && ids[0] != ids[1], "two operators with two ids", || format!("{added:?}"))?;
    let again = cx.add_operators(vec![name]).await?;
    ensure(again.len() == 1 && !ids.contains(&again[0].id), "a third operator with the same name", || {
        format!("{again:?}")
    })
}

async fn over_limit(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let name = cx.name("over-limit");
    let body = Value::Array((0..1001).map(|_| element(organization, &name)).collect());
    let reply = send(&cx, &body).await?;
    reply.expect_problem(400)?;
    expect_absent(&cx, organization, &[name]).await
}

async fn at_limit(cx: Arc<Ctx>) -> Outcome {
    if !cx.bulk {
        return Err(skip("adds 1,000 operators at once: the suite's own server, or --allow-bulk"));
    }
    let organization = cx.write_org()?;
    let name = cx.name("at-limit");
    let body = Value::Array((0..1000).map(|_| element(organization, &name)).collect());
    let reply = send(&cx, &body).await?;
    let answer = reply.expect_json(200)?;
    ensure_eq("elements in the answer", answer.as_array().map(Vec::len), Some(1000))?;
    let stored = list(&cx, organization).await?.into_iter().filter(|op| op.name == name).count();
    ensure_eq("operators listed with that name", stored, 1000)
}

async fn trimmed(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let core = cx.name("Ünïcødé 名前 Ελληνικά العربية हिन्दी 👩\u{200d}💻 \u{1F600}");
    let sent = format!(" \t\u{3000}\n{core}\u{a0} \r\n");
    let body = json!([element(organization, &sent)]);
    let reply = send(&cx, &body).await?;
    let answer = reply.expect_json(200)?;
    ensure_eq("the stored name in the answer", answer[0]["name"].as_str(), Some(core.as_str()))?;
    let id = OperatorId(expect_i32(&answer[0]["id"], "id")?);
    ensure_eq("the listed name", super::listed(&cx, organization, id).await?.name, core)
}

async fn length(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let prefix = cx.name("");
    let fill = 100 - prefix.chars().count();
    let hundred = format!("{prefix}{}", "😀".repeat(fill));
    let added = cx.add_operators(vec![hundred.clone()]).await?;
    ensure_eq("the stored 100-character name", added.first().map(|op| op.name.clone()), Some(hundred.clone()))?;
    let body = json!([element(organization, &format!("{hundred}😀"))]);
    send(&cx, &body).await?.expect_invalid(&["$[0].name"]).map(drop)
}

async fn nul(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let name = cx.name("nul\u{0}inside");
    let body = json!([element(organization, &name)]);
    send(&cx, &body).await?.expect_invalid(&["$[0].name"]).map(drop)
}

async fn numbers(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?.get();
    let name = cx.name("typed-number");
    let texts = [
        format!(r#"[{{"organizationId": "{organization}", "name": "{name}"}}]"#),
        format!(r#"[{{"organizationId": {organization}.0, "name": "{name}"}}]"#),
        format!(r#"[{{"organizationId": {}e1, "name": "{name}"}}]"#, f64::from(organization) / 10.0),
        format!(r#"[{{"organizationId": 2147483648, "name": "{name}"}}]"#),
        format!(r#"[{{"organizationId": true, "name": "{name}"}}]"#),
        format!(r#"[{{"organizationId": null, "name": "{name}"}}]"#),
    ];
    for text in texts {
        let reply = cx.raw("POST", PATH).with_company_token().json_text(&text).send().await?;
        remember_created(&cx, &reply);
        reply.expect_invalid(&["$[0].organizationId"]).map_err(within(format!("for {text}")))?;
    }
    Ok(())
}

async fn strings(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?.get();
    let bodies = [
        json!([{"organizationId": organization}]),
        json!([{"organizationId": organization, "name": null}]),
        json!([{"organizationId": organization, "name": 5}]),
        json!([{"organizationId": organization, "name": ["a"]}]),
    ];
    for body in bodies {
        send(&cx, &body).await?.expect_invalid(&["$[0].name"]).map_err(within_body(body))?;
    }
    Ok(())
}

async fn not_array(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let name = cx.name("not-an-array");
    for body in [element(organization, &name), json!("x"), json!(null)] {
        send(&cx, &body).await?.expect_problem(400).map_err(within_body(body))?;
    }
    expect_absent(&cx, organization, &[name]).await
}

async fn any_case(cx: Arc<Ctx>) -> Outcome {
    let organization = cx.write_org()?;
    let name = cx.name("any-case");
    let body = json!([{"ORGANIZATIONID": organization.get(), "Name": name, "conformanceExtra": {"ignored": true}}]);
    let reply = send(&cx, &body).await?;
    let answer = reply.expect_json(200).map_err(within_body(body))?;
    ensure_eq("the stored name", answer[0]["name"].as_str(), Some(name.as_str()))
}
