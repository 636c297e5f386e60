//! `GET /api/company/organization`: the company's organizations (§3.2),
//! every one, sorted by id (Decision 6).

use crate::{Auth, Endpoint, Method};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "company.list_organizations",
    method: Method::Get,
    path: "/api/company/organization",
    auth: Auth::Company,
    has_body: false,
};

/// The answer: every organization of the company, by id.
pub type Response = Vec<super::Organization>;
