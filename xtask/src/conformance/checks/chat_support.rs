//! What the chat and hub checks share: the simulator (the suite's own
//! server runs with `--simulator`), a client phone of this run, and raw
//! chat requests with the company token.

use chathub_client::OrganizationId;
use serde_json::{Value, json};

use crate::conformance::context::Ctx;
use crate::conformance::verdict::{Stop, fail, skip};

/// The simulator's customer-message path (§7.4).
pub const CUSTOMER: &str = chathub_types::simulator::customer_message::ENDPOINT.path;
/// The simulator's message-status path (§7.4).
pub const MESSAGE_STATUS: &str = chathub_types::simulator::message_status::ENDPOINT.path;
/// The chat list.
pub const CHATS: &str = chathub_types::chat::list_chats::ENDPOINT.path;

/// `Ok` when the suite may play customers and write chats: only on its own
/// server, which it starts with `--simulator`.
pub fn needs_simulator(cx: &Ctx) -> Result<(), Stop> {
    if cx.local {
        Ok(())
    } else {
        Err(skip("needs the simulator and chat writes (§7.4): only the suite's own server runs with --simulator"))
    }
}

/// The organization simulated customers write to: the write organization,
/// on the suite's own server only (else a skip naming the simulator).
pub fn chat_org(cx: &Ctx) -> Result<OrganizationId, Stop> {
    needs_simulator(cx)?;
    cx.write_org()
}

/// A client phone (13 digits) of this run, `n` telling a check's clients apart.
pub fn phone(cx: &Ctx, n: u32) -> String {
    let run = u32::from_str_radix(&cx.run_id, 16).unwrap_or(0) % 10_000_000;
    format!("3809{run:07}{:02}", n % 100)
}

/// A customer message body: client `name` with `phone`, to `organization`.
pub fn customer_body(organization: OrganizationId, name: &str, phone: &str, text: &str) -> Value {
    json!({"organizationId": organization.get(), "source": 2, "theme": format!("{name}'s parcel"),
           "client": {"name": name, "phone": phone}, "textMessage": text})
}

/// Posts a simulated customer message with `token`; answers `{chat, message, created}`.
pub async fn customer_with(cx: &Ctx, token: &str, body: &Value) -> Result<Value, Stop> {
    needs_simulator(cx)?;
    let reply = cx.raw("POST", CUSTOMER).bearer(token).json(body).send().await?;
    reply.expect_json(200).map_err(super::within_body(body))
}

/// Posts a simulated customer message as the company.
pub async fn customer(cx: &Ctx, body: &Value) -> Result<Value, Stop> {
    customer_with(cx, &cx.company_token().await?, body).await
}

/// A new chat of client `name` (phone `phone`) in `organization`; answers `(chat id, message id)`.
pub async fn new_chat(cx: &Ctx, organization: OrganizationId, name: &str, phone: &str) -> Result<(i64, i64), Stop> {
    let answer = customer(cx, &customer_body(organization, name, phone, "Where is my parcel?")).await?;
    Ok((id_of(&answer["chat"], "chat")?, id_of(&answer["message"], "message")?))
}

/// The `id` of a chat or message.
pub fn id_of(value: &Value, what: &str) -> Result<i64, Stop> {
    value["id"].as_i64().ok_or_else(|| fail(format!("a {what} with an integer id"), value.to_string()))
}

/// GET with the company token: the answer as JSON with status 200.
pub async fn get_json(cx: &Ctx, path: &str) -> Result<Value, Stop> {
    let reply = cx.raw("GET", path.to_owned()).with_company_token().send().await?;
    reply.expect_json(200).map_err(crate::conformance::verdict::within(format!("GET {path}")))
}

/// A chat as `GET /api/chat/chats/{id}` shows it to the company.
pub async fn chat(cx: &Ctx, id: i64) -> Result<Value, Stop> {
    get_json(cx, &format!("{CHATS}/{id}")).await
}

/// Fails unless the answer is a 400 problem whose `errors` has a member
/// naming `name` (as a path or part of one).
pub fn expect_invalid_naming(reply: &crate::conformance::http::Reply, name: &str) -> Result<(), Stop> {
    let body = reply.expect_problem(400)?;
    let named = body["errors"].as_object().is_some_and(|errors| {
        errors.keys().any(|key| key.to_ascii_lowercase().trim_start_matches("$.") == name.to_ascii_lowercase())
    });
    crate::conformance::verdict::ensure(named, format!("400 problem whose errors name {name}"), || reply.describe())
}

/// The seed's second organization of the company (not the write organization).
pub const OTHER_ORG: OrganizationId = OrganizationId(42);
/// The second company's organization.
pub const SECOND_COMPANY_ORG: OrganizationId = OrganizationId(77);
