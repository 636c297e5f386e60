//! `POST /api/operator/status` (§3.5, Decision 9): statuses 0-2 in any
//! order, 404 for anything not the caller's, and revocation of every token
//! issued before a deactivation.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::support::{ACME_KEY, Answer, Api, GLOBEX_KEY, HANK, JOHN, ORG_SUPPORT, after_second};

const PATH: &str = "/api/operator/status";

async fn set(api: &Api, credential: &str, body: &Value) -> Answer {
    api.post(PATH).key(credential).json(body).send().await
}

async fn status_of(api: &Api, operator: i32) -> Value {
    let list = api.operators(ACME_KEY, ORG_SUPPORT).await;
    list.as_array().expect("a list").iter().find(|o| o["id"] == operator).expect("listed")["status"].clone()
}

#[tokio::test]
async fn any_status_may_follow_any_other_with_an_empty_200() {
    let api = Api::start().await;
    for status in [1, 2, 0, 0, 2, 2, 1, 0] {
        let answer = set(&api, ACME_KEY, &json!({ "id": JOHN, "status": status })).await;
        assert_eq!(answer.status, 200);
        assert!(answer.body.is_empty(), "{}", answer.text());
        assert_eq!(status_of(&api, JOHN).await, status);
    }
}

#[tokio::test]
async fn statuses_outside_0_to_2_are_400_naming_status() {
    let api = Api::start().await;
    for status in [json!(3), json!(-1), json!(2147483647), json!("1"), json!(1.0), json!(1e0), json!(null), json!(true)]
    {
        let answer = set(&api, ACME_KEY, &json!({ "id": JOHN, "status": status })).await;
        assert_eq!(answer.invalid_paths(), ["$.status"], "{status}");
    }
    let answer = set(&api, ACME_KEY, &json!({ "id": JOHN, "status": 3 })).await;
    assert_json_snapshot!("status_3_400", answer.problem(400));
    assert_eq!(status_of(&api, JOHN).await, 0);
    // The body is checked before the operator is looked up.
    let answer = set(&api, ACME_KEY, &json!({ "id": 9999, "status": 7 })).await;
    assert_eq!(answer.invalid_paths(), ["$.status"]);
}

#[tokio::test]
async fn unknown_and_foreign_operators_are_404() {
    let api = Api::start().await;
    let answer = set(&api, ACME_KEY, &json!({ "id": HANK, "status": 1 })).await;
    assert_json_snapshot!("foreign_operator_404", answer.problem(404));
    for id in [9999, 0, -1, i32::MAX] {
        set(&api, ACME_KEY, &json!({ "id": id, "status": 1 })).await.problem(404);
    }
    // Globex's operator is untouched and globex may change it.
    let hank = api.operators(GLOBEX_KEY, 77).await;
    assert_eq!(hank[0]["status"], 0);
    assert_eq!(set(&api, GLOBEX_KEY, &json!({ "id": HANK, "status": 1 })).await.status, 200);
}

#[tokio::test]
async fn deactivation_revokes_earlier_tokens_even_after_reactivation() {
    for deactivated in [1, 2] {
        let api = Api::start().await;
        let early = api.operator_token(ACME_KEY, JOHN).await;
        assert_eq!(api.get("/api/operator").bearer(&early).send().await.status, 200);

        let changed = api.set_status(ACME_KEY, JOHN, deactivated).await;
        assert_eq!(api.validate(ACME_KEY, &early).await["error"], "Operator is not active");
        let answer = api.get("/api/operator").bearer(&early).send().await;
        let body = answer.problem(403);
        assert!(body["detail"].as_str().unwrap().contains("revoked"), "{body}");

        let reactivated = api.set_status(ACME_KEY, JOHN, 0).await;
        assert_eq!(api.validate(ACME_KEY, &early).await["error"], "Token revoked");
        let answer = api.get("/api/operator").bearer(&early).send().await;
        let body = answer.problem(403);
        assert!(body["detail"].as_str().unwrap().contains("revoked"), "{body}");
        if deactivated == 1 {
            assert_json_snapshot!("revoked_token_403", body);
        }

        // A token issued after the reactivation is valid (JWT times are whole
        // seconds: wait out the second of the change, see `after_second`).
        after_second(changed.max(reactivated)).await;
        let late = api.operator_token(ACME_KEY, JOHN).await;
        assert_eq!(api.validate(ACME_KEY, &late).await["isValid"], true);
        assert_eq!(api.get("/api/operator").bearer(&late).send().await.status, 200);
        assert_eq!(api.validate(ACME_KEY, &early).await["error"], "Token revoked", "still revoked");
    }
}
