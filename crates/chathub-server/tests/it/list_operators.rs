//! `GET /api/operator?organizationId={id}` (§3.3, Decisions 6, 7, 15):
//! sorted lists, `[]` for anything not the caller's, 400 for a query that
//! is not a 32-bit integer, and operator tokens on their own organization.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, Api, EMMA, GLOBEX_KEY, HANK, JOHN, MIKE, ORG_GLOBEX, ORG_SUPPORT, ORG_TECH};

fn ids(list: &Value) -> Vec<i64> {
    list.as_array().expect("array").iter().map(|o| o["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn an_organizations_operators_sorted_by_id() {
    let api = Api::start().await;
    let support = api.operators(ACME_KEY, ORG_SUPPORT).await;
    assert_json_snapshot!("support_operators", support);
    assert_eq!(ids(&api.operators(ACME_KEY, ORG_TECH).await), [i64::from(EMMA)]);
    assert_eq!(ids(&api.operators(GLOBEX_KEY, ORG_GLOBEX).await), [i64::from(HANK)]);

    // New operators join in id order, across organizations.
    let body = json!([
        { "organizationId": ORG_TECH, "name": "Zed" },
        { "organizationId": ORG_SUPPORT, "name": "Abe" },
        { "organizationId": ORG_SUPPORT, "name": "Aaron" },
    ]);
    assert_eq!(api.post("/api/operator/synchronize").key(ACME_KEY).json(&body).send().await.status, 200);
    let support = ids(&api.operators(ACME_KEY, ORG_SUPPORT).await);
    assert_eq!(support, [i64::from(JOHN), i64::from(MIKE), 6, 7]);
    assert_eq!(ids(&api.operators(ACME_KEY, ORG_TECH).await), [i64::from(EMMA), 5]);
}

#[tokio::test]
async fn anything_not_the_callers_is_an_empty_list() {
    let api = Api::start().await;
    for organization in ["77", "9999", "0", "-1", "-2147483648", "2147483647"] {
        let answer = api.get(&format!("/api/operator?organizationId={organization}")).key(ACME_KEY).send().await;
        assert_eq!(answer.json(), json!([]), "{organization}");
    }
    let answer = api.get("/api/operator?organizationId=24").key(GLOBEX_KEY).send().await;
    assert_eq!(answer.json(), json!([]));
}

#[tokio::test]
async fn an_organization_id_that_is_not_a_32_bit_integer_is_400() {
    let api = Api::start().await;
    let answer = api.get("/api/operator?organizationId=x").key(ACME_KEY).send().await;
    assert_eq!(answer.invalid_paths(), ["organizationId"]);
    assert_json_snapshot!("organization_id_x_400", answer.problem(400));
    for query in [
        "",
        "?",
        "?organizationId=",
        "?organizationId=2.5",
        "?organizationId=24.0",
        "?organizationId=1e3",
        "?organizationId=2147483648",
        "?organizationId=-2147483649",
        "?organizationId=99999999999999999999",
        "?organizationId=0x18",
        "?organizationId=%20",
        "?organizationId=24abc",
        "?organizationid",
        "?other=24",
    ] {
        let answer = api.get(&format!("/api/operator{query}")).key(ACME_KEY).send().await;
        assert_eq!(answer.invalid_paths(), ["organizationId"], "{query}");
    }
}

#[tokio::test]
async fn the_query_name_matches_without_regard_to_case_and_the_first_value_counts() {
    let api = Api::start().await;
    let expected = api.operators(ACME_KEY, ORG_SUPPORT).await;
    for query in
        ["OrganizationId=24", "ORGANIZATIONID=24", "organizationId=24&organizationId=x", "a=1&organizationId=24"]
    {
        let answer = api.get(&format!("/api/operator?{query}")).key(ACME_KEY).send().await;
        assert_eq!(answer.json(), expected, "{query}");
    }
}

#[tokio::test]
async fn an_operator_token_lists_its_own_organization_only() {
    let api = Api::start().await;
    let token = api.operator_token(ACME_KEY, JOHN).await;
    let own = api.operators(ACME_KEY, ORG_SUPPORT).await;
    for query in ["", "?organizationId=24", "?OrganizationId=24"] {
        let answer = api.get(&format!("/api/operator{query}")).bearer(&token).send().await;
        assert_eq!(answer.json(), own, "{query:?}");
    }
    for other in [ORG_TECH, ORG_GLOBEX, 9999, 0] {
        let answer = api.get(&format!("/api/operator?organizationId={other}")).bearer(&token).send().await;
        assert_eq!(answer.json(), json!([]), "{other}");
    }
    let answer = api.get("/api/operator?organizationId=x").bearer(&token).send().await;
    assert_eq!(answer.invalid_paths(), ["organizationId"]);
    // Emma's token lists Emma's organization.
    let emma = api.operator_token(ACME_KEY, EMMA).await;
    assert_eq!(ids(&api.get("/api/operator").key(&emma).send().await.json()), [i64::from(EMMA)]);
}

#[tokio::test]
async fn a_company_credential_needs_the_query() {
    let api = Api::start().await;
    let answer = api.get("/api/operator").key(ACME_KEY).send().await;
    assert_eq!(answer.invalid_paths(), ["organizationId"]);
    assert_json_snapshot!("organization_id_missing_400", answer.problem(400));
}
