//! Routes first (Decisions 4, 15): an unknown path is 404 and a known path
//! with another method 405 with `Allow`, both with problem bodies and both
//! before any credential is looked at.

use insta::assert_json_snapshot;

use crate::support::{ACME_KEY, Api};

#[tokio::test]
async fn unknown_paths_are_404_problems_with_or_without_a_credential() {
    let api = Api::start().await;
    let anonymous = api.get("/api/nope").send().await;
    assert_json_snapshot!("unknown_path_404", anonymous.problem(404));
    for path in ["/api/nope", "/api/operator/", "/api/operator/synchronize/x", "/", "/API/OPERATOR"] {
        let answer = api.get(path).bearer(ACME_KEY).send().await;
        answer.problem(404);
        assert_eq!(answer.header("www-authenticate"), None, "{path}");
    }
    let answer = api.post("/api/company/nope").send().await;
    answer.problem(404);
}

#[tokio::test]
async fn another_method_is_405_with_allow_before_the_credential() {
    let api = Api::start().await;
    let answer = api.get("/api/operator/synchronize").send().await;
    assert_eq!(answer.header("allow"), Some("POST"));
    assert_json_snapshot!("wrong_method_405", answer.problem(405));

    for (method, path, allowed) in [
        (http::Method::DELETE, "/api/operator", "GET,HEAD"),
        (http::Method::POST, "/api/company/organization", "GET,HEAD"),
        (http::Method::PUT, "/api/operator/status", "POST"),
        (http::Method::GET, "/api/company/get-token", "POST"),
        (http::Method::GET, "/api/operator/validate-token", "POST"),
        (http::Method::PATCH, "/api/operator/get-token", "POST"),
        (http::Method::POST, "/health", "GET,HEAD"),
    ] {
        for credential in [None, Some(ACME_KEY)] {
            let mut request = api.request(method.clone(), path);
            if let Some(credential) = credential {
                request = request.bearer(credential);
            }
            let answer = request.send().await;
            answer.problem(405);
            assert_eq!(answer.header("allow"), Some(allowed), "{method} {path}");
        }
    }
}
