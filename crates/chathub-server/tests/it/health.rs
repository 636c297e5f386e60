//! `GET /health` (spec §6) and the paths that need no credential (Decision 15).

use insta::assert_json_snapshot;

use crate::support::Api;

#[tokio::test]
async fn health_answers_200_without_a_credential() {
    let api = Api::start().await;
    let answer = api.get("/health").send().await;
    assert_eq!(answer.status, 200);
    assert_json_snapshot!("health", answer.json());
}
