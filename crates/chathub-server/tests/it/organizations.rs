//! `GET /api/company/organization` (§3.2, Decision 6): every organization
//! of the caller, sorted by id, nobody else's.

use insta::assert_json_snapshot;

use crate::support::{ACME_KEY, Api, GLOBEX_KEY};

#[tokio::test]
async fn each_company_sees_its_own_organizations() {
    let api = Api::start().await;
    let acme = api.get("/api/company/organization").key(ACME_KEY).send().await;
    assert_json_snapshot!("acme_organizations", acme.json());
    let globex = api.get("/api/company/organization").bearer(GLOBEX_KEY).send().await;
    assert_json_snapshot!("globex_organizations", globex.json());
}

#[tokio::test]
async fn organizations_are_sorted_by_id_whatever_the_seed_order() {
    let seed = r#"
[[company]]
login = "zeta"
password = "zeta-pass-1"
api_key = "zeta-key"

[[company.organization]]
id = 50
name = "Fifty"

[[company.organization]]
id = 7
name = "  Seven  "

[[company.organization]]
id = 30
name = "Тридцять 🚀"

[[company]]
login = "other"
password = "other-pass-1"

[[company.organization]]
id = 8
name = "Not zeta's"
"#;
    let api = Api::start_with(crate::support::config().await, seed).await;
    let answer = api.get("/api/company/organization").key("zeta-key").send().await;
    assert_json_snapshot!("sorted_organizations", answer.json());
}
