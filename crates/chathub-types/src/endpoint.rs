//! Endpoint metadata: method, path and who may call it.
//!
//! Every endpoint module exposes one `ENDPOINT` constant; [`ENDPOINTS`]
//! lists them all so the server can mount them, the client can call them
//! and the conformance suite can iterate over them from one source.

use crate::{chat, company, operator, simulator};

/// The HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as written on the wire (`"GET"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which credential an endpoint requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// No credential (only `POST /api/company/get-token`).
    None,
    /// A company token or the company's API key.
    Company,
    /// A company credential or an operator token (Decision 7).
    CompanyOrOperator,
}

/// One endpoint of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// A stable name, e.g. `"operator.set_status"`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path, e.g. `"/api/operator/status"`.
    pub path: &'static str,
    /// Who may call it.
    pub auth: Auth,
    /// Whether the request carries a JSON body.
    pub has_body: bool,
}

/// Every endpoint of spec §3, in the order the spec lists them.
pub const ENDPOINTS: &[Endpoint] = &[
    company::get_token::ENDPOINT,
    company::list_organizations::ENDPOINT,
    operator::list_operators::ENDPOINT,
    operator::synchronize_operators::ENDPOINT,
    operator::set_status::ENDPOINT,
    operator::get_token::ENDPOINT,
    operator::validate_token::ENDPOINT,
];

/// Endpoints that answer with a token body (Decision 1 applies to them).
pub const TOKEN_ENDPOINTS: &[Endpoint] = &[company::get_token::ENDPOINT, operator::get_token::ENDPOINT];

/// Every chat endpoint of spec §7 (Decisions 18-25); not in [`ENDPOINTS`],
/// which holds the seven of §3.
pub const CHAT_ENDPOINTS: &[Endpoint] = &[
    chat::list_chats::ENDPOINT,
    chat::get_chat::ENDPOINT,
    chat::set_chat_status::ENDPOINT,
    chat::delete_chat::ENDPOINT,
    chat::list_messages::ENDPOINT,
    chat::list_messages::ENDPOINT_BY_CHAT_ID,
    chat::send_message::ENDPOINT,
];

/// The simulator's endpoints (spec §7.4), served only with `--simulator`.
pub const SIMULATOR_ENDPOINTS: &[Endpoint] =
    &[simulator::customer_message::ENDPOINT, simulator::message_status::ENDPOINT];
