//! `POST /api/operator/synchronize` (§3.4, Decisions 8, 14): all or
//! nothing, every bad element named, trimmed names of any Unicode up to
//! 100 scalar values, at most 1,000 elements.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, Answer, Api, GLOBEX_KEY, ORG_GLOBEX, ORG_SUPPORT, ORG_TECH};

const PATH: &str = "/api/operator/synchronize";

async fn synchronize(api: &Api, body: &Value) -> Answer {
    api.post(PATH).key(ACME_KEY).json(body).send().await
}

/// Every operator of acme, to show that a refused request stored nothing.
async fn everything(api: &Api) -> (Value, Value) {
    (api.operators(ACME_KEY, ORG_SUPPORT).await, api.operators(ACME_KEY, ORG_TECH).await)
}

#[tokio::test]
async fn adds_active_operators_in_request_order_with_trimmed_names() {
    let api = Api::start().await;
    let body = json!([
        { "organizationId": ORG_SUPPORT, "name": "Alex Brown" },
        { "organizationId": ORG_TECH, "name": "  Emma Davis\t" },
        { "organizationId": ORG_SUPPORT, "name": "Ölga 李 🚀" },
    ]);
    let answer = synchronize(&api, &body).await;
    let created = answer.json();
    assert_json_snapshot!("synchronized", created);
    let listed = api.operators(ACME_KEY, ORG_SUPPORT).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 4);
    for (created, listed) in [(&created[0], &listed[2]), (&created[2], &listed[3])] {
        assert_eq!((&created["id"], &created["name"]), (&listed["id"], &listed["name"]));
        assert_eq!(listed["status"], 0);
    }
    let tech = api.operators(ACME_KEY, ORG_TECH).await;
    assert_eq!(tech[1]["name"], "Emma Davis");
}

#[tokio::test]
async fn duplicate_names_are_allowed() {
    let api = Api::start().await;
    let body = json!([
        { "organizationId": ORG_SUPPORT, "name": "John Smith" },
        { "organizationId": ORG_SUPPORT, "name": "John Smith" },
    ]);
    let created = synchronize(&api, &body).await.json();
    assert_ne!(created[0]["id"], created[1]["id"]);
    let listed = api.operators(ACME_KEY, ORG_SUPPORT).await;
    let johns = listed.as_array().unwrap().iter().filter(|o| o["name"] == "John Smith").count();
    assert_eq!(johns, 3, "the seeded John Smith and two new ones");
}

#[tokio::test]
async fn an_empty_array_is_an_empty_answer() {
    let api = Api::start().await;
    assert_eq!(synchronize(&api, &json!([])).await.json(), json!([]));
}

#[tokio::test]
async fn one_bad_element_stores_nothing_and_every_bad_element_is_named() {
    let api = Api::start().await;
    let before = everything(&api).await;
    let body = json!([
        { "organizationId": ORG_SUPPORT, "name": "Fine" },
        { "organizationId": ORG_GLOBEX, "name": "Foreign organization" },
        { "organizationId": ORG_SUPPORT, "name": "   " },
        { "organizationId": 9999, "name": "Unknown organization" },
        { "organizationId": ORG_SUPPORT, "name": "x".repeat(101) },
        { "organizationId": ORG_TECH, "name": "nul\u{0}inside" },
        { "organizationId": ORG_TECH, "name": "" },
        { "organizationId": ORG_TECH, "name": "Also fine" },
    ]);
    let answer = synchronize(&api, &body).await;
    assert_eq!(
        answer.invalid_paths(),
        ["$[1].organizationId", "$[2].name", "$[3].organizationId", "$[4].name", "$[5].name", "$[6].name"]
    );
    assert_json_snapshot!("every_bad_element_named", answer.problem(400));
    assert_eq!(everything(&api).await, before, "nothing stored");
    // The foreign organization alone is enough.
    let body = json!([{ "organizationId": ORG_SUPPORT, "name": "A" }, { "organizationId": ORG_GLOBEX, "name": "B" }]);
    assert_eq!(synchronize(&api, &body).await.invalid_paths(), ["$[1].organizationId"]);
    assert_eq!(everything(&api).await, before, "nothing stored");
    // Globex may add to its own organization, not to acme's.
    let body = json!([{ "organizationId": ORG_SUPPORT, "name": "Hijack" }]);
    let answer = api.post(PATH).key(GLOBEX_KEY).json(&body).send().await;
    assert_eq!(answer.invalid_paths(), ["$[0].organizationId"]);
}

#[tokio::test]
async fn type_errors_and_rule_errors_are_named_together() {
    let api = Api::start().await;
    let before = everything(&api).await;
    let body = json!([
        { "organizationId": ORG_SUPPORT, "name": 5 },
        { "organizationId": ORG_GLOBEX, "name": "Foreign organization" },
        { "organizationId": "24", "name": "Quoted organization" },
        { "organizationId": ORG_SUPPORT, "name": "  " },
        { "organizationId": ORG_SUPPORT },
        7,
        { "organizationId": 24.0, "name": "Fraction" },
        { "organizationId": 9999, "name": "Unknown organization" },
    ]);
    let answer = synchronize(&api, &body).await;
    assert_eq!(
        answer.invalid_paths(),
        [
            "$[0].name",
            "$[1].organizationId",
            "$[2].organizationId",
            "$[3].name",
            "$[4].name",
            "$[5]",
            "$[6].organizationId",
            "$[7].organizationId"
        ]
    );
    assert_eq!(everything(&api).await, before, "nothing stored");
}

#[tokio::test]
async fn names_are_counted_in_unicode_scalar_values() {
    let api = Api::start().await;
    let hundred = "😀".repeat(100);
    let answer = synchronize(&api, &json!([{ "organizationId": ORG_SUPPORT, "name": hundred }])).await;
    assert_eq!(answer.json()[0]["name"], hundred);
    let padded = format!("  {}  ", "é".repeat(100));
    let answer = synchronize(&api, &json!([{ "organizationId": ORG_SUPPORT, "name": padded }])).await;
    assert_eq!(answer.json()[0]["name"], "é".repeat(100), "length counts after trimming");
    let before = everything(&api).await;
    let answer = synchronize(&api, &json!([{ "organizationId": ORG_SUPPORT, "name": "😀".repeat(101) }])).await;
    assert_eq!(answer.invalid_paths(), ["$[0].name"]);
    assert_json_snapshot!("name_too_long_400", answer.problem(400));
    assert_eq!(everything(&api).await, before);
}

#[tokio::test]
async fn u0000_anywhere_in_a_name_is_400() {
    let api = Api::start().await;
    for name in ["\u{0}", "a\u{0}", "\u{0}b", "  \u{0}  "] {
        let answer = synchronize(&api, &json!([{ "organizationId": ORG_SUPPORT, "name": name }])).await;
        assert_eq!(answer.invalid_paths(), ["$[0].name"], "{name:?}");
    }
}

#[tokio::test]
async fn at_most_1000_elements() {
    let api = Api::start().await;
    let element = json!({ "organizationId": ORG_TECH, "name": "Bulk" });
    let before = everything(&api).await;
    let answer = synchronize(&api, &Value::Array(vec![element.clone(); 1001])).await;
    assert_eq!(answer.invalid_paths(), ["$"]);
    assert_json_snapshot!("too_many_elements_400", answer.problem(400));
    assert_eq!(everything(&api).await, before);
    let answer = synchronize(&api, &Value::Array(vec![element; 1000])).await;
    let created = answer.json();
    let mut ids: Vec<i64> = created.as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    assert_eq!(api.operators(ACME_KEY, ORG_TECH).await.as_array().unwrap().len(), 1001);
}

#[tokio::test]
async fn the_body_must_be_an_array_of_objects() {
    let api = Api::start().await;
    for body in [json!({}), json!(null), json!("[]"), json!(5), json!({ "organizationId": ORG_SUPPORT, "name": "x" })] {
        assert_eq!(synchronize(&api, &body).await.invalid_paths(), ["$"], "{body}");
    }
    assert_eq!(synchronize(&api, &json!([null])).await.invalid_paths(), ["$[0]"]);
}

#[tokio::test]
async fn property_names_match_without_regard_to_case_and_unknown_ones_are_ignored() {
    let api = Api::start().await;
    let body = json!([
        { "OrganizationID": ORG_SUPPORT, "NAME": "Shouty" },
        { "organizationId": ORG_SUPPORT, "name": "Extra", "id": 99, "status": 2, "organization": {} },
    ]);
    let created = synchronize(&api, &body).await.json();
    assert_eq!(created[0]["name"], "Shouty");
    assert_eq!(created[1]["status"], 0, "new operators are Active whatever is sent");
    assert_ne!(created[1]["id"], 99);
}
