//! `--demo`: `GET /demo/widget`, a page that plays the integrator's side of
//! the widget flow (spec §3.9, §6; with `--simulator` it also shows the
//! `chathub simulate customer-message` command that makes a chat appear in
//! the panel), and `POST /demo/widget/token`, the fresh
//! token its "reload with a fresh token" button asks for. Tokens are issued
//! here, server-side, for the demo company's first Active operator, or, when
//! there is no demo company, the Active operator with the lowest id; no
//! company credential reaches the browser. Only mounted with `--demo`: these
//! hand operator tokens to whoever can reach the server.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chathub_types::OperatorId;
use chathub_types::token::TokenKind;
use chrono::Utc;

use crate::error::ApiError;
use crate::state::AppState;

/// The demo page's path.
pub const PAGE_PATH: &str = "/demo/widget";

/// The path of the demo page's fresh tokens.
pub const TOKEN_PATH: &str = "/demo/widget/token";

const PAGE: &str = include_str!("../../assets/demo-widget.html");

/// Token lifetime when `?ttl=` is not given (seconds).
const DEFAULT_TTL_SECS: i64 = 3600;

/// The longest lifetime `?ttl=` may ask for (Decision 10's 24 hours).
const MAX_TTL_SECS: i64 = 24 * 3600;

/// The operator the demo issues tokens for, and its organization.
struct DemoOperator {
    id: OperatorId,
    name: String,
    organization: String,
    organization_id: i32,
}

/// `GET /demo/widget[?ttl=SECONDS]`: the page with a freshly issued token in its tag.
pub async fn page(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let ttl = ttl(query.as_deref())?;
    let operator = demo_operator(&state)?;
    let token = issue(&state, operator.id, ttl)?;
    let html = render(
        PAGE,
        &[
            ("OPERATOR", escape(&operator.name)),
            ("ORGANIZATION", escape(&operator.organization)),
            ("TTL", describe(ttl)),
            ("TTL_SECONDS", ttl.to_string()),
            ("TOKEN", escape(&token)),
            ("SIMULATOR", state.settings.simulator.to_string()),
            ("ORGANIZATION_ID", operator.organization_id.to_string()),
        ],
    );
    Ok(no_store(([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], html).into_response()))
}

/// `POST /demo/widget/token[?ttl=SECONDS]`: a fresh operator token, as text.
pub async fn token(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let ttl = ttl(query.as_deref())?;
    let operator = demo_operator(&state)?;
    let token = issue(&state, operator.id, ttl)?;
    Ok(no_store(
        ([(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))], token).into_response(),
    ))
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// `ttl` from the query: whole seconds, 1 to 86400; [`DEFAULT_TTL_SECS`] when absent.
fn ttl(query: Option<&str>) -> Result<i64, ApiError> {
    let Some(value) = query.into_iter().flat_map(|q| q.split('&')).find_map(|pair| pair.strip_prefix("ttl=")) else {
        return Ok(DEFAULT_TTL_SECS);
    };
    match value.parse::<i64>() {
        Ok(seconds) if (1..=MAX_TTL_SECS).contains(&seconds) => Ok(seconds),
        _ => Err(ApiError::invalid("ttl", "ttl must be a whole number of seconds from 1 to 86400.")),
    }
}

fn describe(seconds: i64) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn issue(state: &AppState, operator: OperatorId, ttl: i64) -> Result<String, ApiError> {
    let now = Utc::now().timestamp();
    state.keys.issue(TokenKind::Operator, operator.0, now, now + ttl).map_err(ApiError::internal)
}

/// The demo company's first Active operator; without a demo company, the
/// Active operator with the lowest id; 404 when there is none.
fn demo_operator(state: &AppState) -> Result<DemoOperator, ApiError> {
    const NONE: ApiError = ApiError::NotFound("There is no Active operator to issue a demo token for.");
    let model = state.store.read();
    let id = match model.demo_company() {
        Some(company) => model.first_active_operator_of(company.id),
        None => model.first_active_operator(),
    };
    let id = id.ok_or(NONE)?;
    let operator = model.operator(id).filter(|operator| operator.status.is_active()).ok_or(NONE)?;
    let organization = model.organization(operator.organization).map(|o| o.name.clone()).unwrap_or_default();
    Ok(DemoOperator { id, name: operator.name.clone(), organization, organization_id: operator.organization.0 })
}

/// Fills `{{NAME}}` placeholders in one pass (so a value is never read as a placeholder).
fn render(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 512);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}").and_then(|end| values.iter().find(|(name, _)| *name == &after[..end]).map(|v| (end, v)))
        {
            Some((end, (_, value))) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML content and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_from_the_query() {
        assert_eq!(ttl(None).ok(), Some(DEFAULT_TTL_SECS));
        assert_eq!(ttl(Some("a=1")).ok(), Some(DEFAULT_TTL_SECS));
        assert_eq!(ttl(Some("a=1&ttl=30")).ok(), Some(30));
        assert_eq!(ttl(Some("ttl=86400")).ok(), Some(86_400));
        for bad in ["ttl=0", "ttl=86401", "ttl=", "ttl=1.5", "ttl=-3", "ttl=x"] {
            assert!(ttl(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn placeholders_are_filled_once() {
        let values = [("A", "{{B}}".to_owned()), ("B", "b".to_owned())];
        assert_eq!(render("x {{A}} {{B}} {{C}} {{", &values), "x {{B}} b {{C}} {{");
        assert!(!render(PAGE, &[]).is_empty());
    }

    #[test]
    fn escaping_and_descriptions() {
        assert_eq!(escape(r#"<b a="x">O'Neil & co</b>"#), "&lt;b a=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/b&gt;");
        assert_eq!((describe(3600), describe(120), describe(45)), ("1 h".into(), "2 min".into(), "45 s".into()));
    }
}
