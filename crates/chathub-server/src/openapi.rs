//! The OpenAPI document (spec §6), generated from chathub-types, and the
//! Swagger UI that shows it.
//!
//! [`document`] walks `chathub_types::ENDPOINTS` and the chat endpoints of
//! §7 (with the simulator's when the server runs with `--simulator`, see
//! [`document_for`]): each endpoint's metadata
//! gives its path, method, security and error statuses, and the `ToSchema`
//! derives of its DTOs give the schemas. [`routes`] serves the document at
//! [`DOCUMENT_PATH`] and Swagger UI, compiled into the binary (no CDN), at
//! `/swagger` and `/index.html`. `cargo xtask openapi` writes the document to
//! `docs/openapi.json`, where reviews see every change of the wire contract.

mod examples;
mod operations;
mod responses;
mod schemas;
#[cfg(test)]
mod tests;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use std::sync::{Arc, LazyLock};

use axum::Json;
use axum::extract::State;
use chathub_types::endpoint::{CHAT_ENDPOINTS, SIMULATOR_ENDPOINTS};
use chathub_types::{ENDPOINTS, Method};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{ComponentsBuilder, HttpMethod, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::state::AppState;

/// Where the document is served (the vendor's Swagger path).
pub const DOCUMENT_PATH: &str = "/swagger/v1/swagger.json";
/// Where Swagger UI is served (`/swagger` redirects to `/swagger/`).
pub const UI_PATH: &str = "/swagger";
/// The document's title.
pub const TITLE: &str = "ChatHub API";

const DESCRIPTION: &str = "The SMSBAT ChatHub API as `chathub-server` implements it: companies manage the \
operators of their chats and issue short-lived operator tokens for the chat widget.\n\n\
**Credentials.** `POST /api/company/get-token` answers a company token. Every other `/api/` endpoint takes \
one credential, in either header: `Authorization: Bearer <token>` or `X-Authorization-Key: <token>`. A \
company's static API key works wherever a company token does, in either header. Two different credentials, \
a repeated header or any other `Authorization` scheme: 401 (Decision 3).\n\n\
**Bodies.** JSON with camelCase names, matched without regard to case on input; unknown properties are \
ignored. Token endpoints answer the raw token or a JSON string by `Accept` (Decision 1).\n\n\
**Errors.** Every 4xx and 5xx has an `application/problem+json` body (RFC 7807) with `type`, `title` and \
`status`; a 400 adds `errors`, mapping JSON paths (`$.expiresAt`, `$[2].name`) to messages. Checks run in \
this order: route (404/405), credential (401/403), body size (413), content type (415), body (400), \
resource (404), state (400).";

/// Where media is served (Decision 27), as the document writes the path.
pub const MEDIA_PATH: &str = "/media/{key}/{name}";

/// The OpenAPI document of a server without `--simulator` (what
/// `docs/openapi.json` holds): every endpoint of §3 and §7, the media path
/// and `/health`.
pub fn document() -> OpenApi {
    document_for(false)
}

/// The document a server serves: with the simulator's endpoints (§7.4)
/// exactly when it runs with `--simulator`.
pub fn document_for(simulator: bool) -> OpenApi {
    let simulator_endpoints = if simulator { SIMULATOR_ENDPOINTS } else { &[] };
    let mut paths = PathsBuilder::new();
    for endpoint in ENDPOINTS.iter().chain(CHAT_ENDPOINTS).chain(simulator_endpoints) {
        paths = paths.path(endpoint.path, PathItem::new(http_method(endpoint.method), operations::operation(endpoint)));
    }
    paths = paths.path(MEDIA_PATH, PathItem::new(HttpMethod::Get, operations::media()));
    paths = paths.path("/health", PathItem::new(HttpMethod::Get, operations::health()));

    let mut components = ComponentsBuilder::new()
        .security_scheme(
            operations::BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "`Authorization: Bearer <token>`: a company token, an operator token, or the \
                         company's API key. The scheme name is case-insensitive.",
                    ))
                    .build(),
            ),
        )
        .security_scheme(
            operations::API_KEY,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Authorization-Key",
                "`X-Authorization-Key: <token>`: the company's API key, a company token or an operator token.",
            ))),
        );
    for (name, schema) in schemas::all(simulator) {
        components = components.schema(name, schema);
    }

    let tag = |name: &str, description: &str| TagBuilder::new().name(name).description(Some(description)).build();
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title(TITLE).version(env!("CARGO_PKG_VERSION")).description(Some(DESCRIPTION)))
        .paths(paths)
        .components(Some(components.build()))
        .tags(Some(
            [
                tag("company", "Sign-in and the company's organizations."),
                tag("operator", "Operators and operator tokens."),
                tag("chat", "Chats, their messages and media (§7)."),
            ]
            .into_iter()
            .chain(simulator.then(|| tag("simulator", "Simulated customers; only with `--simulator` (§7.4).")))
            .chain([tag("health", "Whether the server is up.")])
            .collect::<Vec<_>>(),
        ))
        .build()
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Delete => HttpMethod::Delete,
    }
}

/// The document at [`DOCUMENT_PATH`] (the one for the server's own
/// configuration, see [`document_for`]) and Swagger UI at `/swagger` (which
/// redirects to `/swagger/`) and `/index.html` (which redirects there too).
/// Every asset comes from the binary; the UI's online validator is off, so
/// the page works offline.
pub fn routes() -> Router<AppState> {
    let ui_home = format!("{UI_PATH}/");
    let config = Config::new([DOCUMENT_PATH]).validator_url("none").try_it_out_enabled(true);
    Router::from(SwaggerUi::new(UI_PATH).config(config))
        .route(DOCUMENT_PATH, get(served_document))
        .route("/index.html", get(move || async move { Redirect::to(&ui_home) }))
}

/// Each configuration's document, built once.
static DOCUMENTS: LazyLock<[Arc<OpenApi>; 2]> =
    LazyLock::new(|| [Arc::new(document_for(false)), Arc::new(document_for(true))]);

async fn served_document(State(state): State<AppState>) -> Json<Arc<OpenApi>> {
    Json(Arc::clone(&DOCUMENTS[usize::from(state.settings.simulator)]))
}
