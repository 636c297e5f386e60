//! `GET /api/operator?organizationId={id}`: an organization's operators
//! (§3.3, Decisions 6 and 7).

use crate::validation::ValidationErrors;
use crate::{Auth, Endpoint, Method, OrganizationId};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "operator.list",
    method: Method::Get,
    path: "/api/operator",
    auth: Auth::CompanyOrOperator,
    has_body: false,
};

/// The name of the query parameter.
pub const ORGANIZATION_ID: &str = "organizationId";

/// The query. `organization_id` is required with a company credential and
/// may be omitted with an operator token (its own organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Query {
    /// Whose operators to list.
    pub organization_id: Option<OrganizationId>,
}

impl Query {
    /// The query for one organization.
    pub fn for_organization(organization_id: OrganizationId) -> Self {
        Self { organization_id: Some(organization_id) }
    }

    /// Reads a raw query string (without `?`). The name matches without
    /// regard to case and the first value counts; a value that is not an
    /// integer in the 32-bit range is a 400 naming `organizationId` (§4.15).
    ///
    /// ```
    /// use chathub_types::operator::list_operators::Query;
    /// assert_eq!(Query::parse(Some("OrganizationId=24")).unwrap().organization_id.unwrap().0, 24);
    /// assert_eq!(Query::parse(Some("organizationId=-3&organizationId=x")).unwrap().organization_id.unwrap().0, -3);
    /// assert_eq!(Query::parse(None).unwrap().organization_id, None);
    /// assert!(Query::parse(Some("organizationId=2.0")).is_err());
    /// assert!(Query::parse(Some("organizationId=")).is_err());
    /// ```
    pub fn parse(raw: Option<&str>) -> Result<Self, ValidationErrors> {
        let Some(value) = raw.and_then(|raw| crate::query::first_value(raw, ORGANIZATION_ID)) else {
            return Ok(Self::default());
        };
        match crate::query::parse_i32(&value) {
            Some(id) => Ok(Self::for_organization(OrganizationId(id))),
            None => Err(ValidationErrors::single(ORGANIZATION_ID, crate::query::not_valid(ORGANIZATION_ID, &value))),
        }
    }

    /// The query string for a request (`organizationId=24`), empty when none.
    pub fn to_query_string(&self) -> String {
        self.organization_id.map(|id| format!("{ORGANIZATION_ID}={id}")).unwrap_or_default()
    }
}

/// The answer: the operators, sorted by id.
pub type Response = Vec<super::Operator>;
