//! Wire types and rules of the SMSBAT ChatHub API.
//!
//! This crate is the contract between `chathub-server`, `chathub-client`,
//! the `chathub` CLI and the conformance suite: every request and response
//! shape, every input rule with its JSON path, the token claims and token
//! rules, dates, problem details and limits live here, once. It is pure —
//! no I/O, no async runtime, no crypto — so every rule is a function of its
//! inputs (including an explicit `now`).
//!
//! One module per endpoint, in the style of ruma: each holds the endpoint's
//! [`Endpoint`] metadata and its `Request`/`Response` types.
//!
//! ```
//! use chathub_types::{json, operator::synchronize_operators, Validate};
//!
//! // Property names match case-insensitively on input (Decision 5).
//! let body = br#"[{"OrganizationId": 24, "name": "  Alex Brown "}]"#;
//! let request: synchronize_operators::Request = json::from_slice(body).unwrap();
//! request.validate().unwrap();
//! assert_eq!(request.0[0].name, "  Alex Brown ");
//! assert_eq!(request.0[0].trimmed_name(), "Alex Brown");
//! assert_eq!(synchronize_operators::ENDPOINT.path, "/api/operator/synchronize");
//! ```

mod wire_enum;

pub mod chat;
pub mod company;
pub mod endpoint;
pub mod hub;
pub mod ids;
pub mod json;
pub mod limits;
pub mod operator;
pub mod problem;
pub mod query;
pub mod simulator;
pub mod status;
pub mod time;
pub mod token;
pub mod validation;

pub use endpoint::{Auth, ENDPOINTS, Endpoint, Method};
pub use ids::{ChatId, ClientId, CompanyId, MessageId, OperatorId, OrganizationId};
pub use problem::ProblemDetails;
pub use status::OperatorStatus;
pub use token::{CompanyToken, IssuedToken, OperatorToken};
pub use validation::{Validate, ValidationErrors};
