//! `POST /api/operator/synchronize`: add operators, all or none (§3.4,
//! Decision 8).

use serde::{Deserialize, Serialize};

use crate::json::{self, RequestBody};
use crate::limits::MAX_SYNCHRONIZE_ELEMENTS;
use crate::validation::{Validate, ValidationErrors, check_name};
use crate::{Auth, Endpoint, Method, OperatorId, OperatorStatus, OrganizationId};

/// The endpoint's metadata.
pub const ENDPOINT: Endpoint = Endpoint {
    name: "operator.synchronize",
    method: Method::Post,
    path: "/api/operator/synchronize",
    auth: Auth::Company,
    has_body: true,
};

/// One operator to add.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewOperator {
    /// The organization it joins (must be the caller's).
    pub organization_id: OrganizationId,
    /// Its name: non-blank after trimming, at most 100 characters.
    pub name: String,
}

impl NewOperator {
    /// An operator named `name` for `organization_id`.
    pub fn new(organization_id: OrganizationId, name: impl Into<String>) -> Self {
        Self { organization_id, name: name.into() }
    }

    /// The name as it will be stored.
    pub fn trimmed_name(&self) -> &str {
        self.name.trim()
    }
}

/// The request: a JSON array of operators, at most 1,000.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Request(pub Vec<NewOperator>);

impl Validate for Request {
    /// Checks every element's name and the element count, naming each bad
    /// element (`$[2].name`). Ownership of organizations is the server's check.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.0.len() > MAX_SYNCHRONIZE_ELEMENTS {
            errors.add("$", format!("At most {MAX_SYNCHRONIZE_ELEMENTS} operators may be sent in one request."));
            return errors.into_result();
        }
        for (index, operator) in self.0.iter().enumerate() {
            check_name(&operator.name, &format!("$[{index}].name"), &mut errors);
        }
        errors.into_result()
    }
}

impl RequestBody for Request {
    fn from_json(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        if let serde_json::Value::Array(items) = value
            && items.len() > MAX_SYNCHRONIZE_ELEMENTS
        {
            return Err(ValidationErrors::single(
                "$",
                format!("At most {MAX_SYNCHRONIZE_ELEMENTS} operators may be sent in one request."),
            ));
        }
        json::from_value_each(value).map(Request).map_err(|mut errors| {
            // Decision 8 names every bad element in one pass: the elements that
            // did read are checked against the name rules as well.
            if let serde_json::Value::Array(items) = value {
                for (index, item) in items.iter().enumerate() {
                    if let Ok(operator) = json::from_value::<NewOperator>(item) {
                        check_name(&operator.name, &format!("$[{index}].name"), &mut errors);
                    }
                }
            }
            errors
        })
    }
}

/// One created operator, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynchronizedOperator {
    /// Its new id.
    pub id: OperatorId,
    /// Its name, as stored.
    pub name: String,
    /// Always Active for a new operator.
    pub status: OperatorStatus,
}

/// The answer: one element per request element, in order.
pub type Response = Vec<SynchronizedOperator>;
