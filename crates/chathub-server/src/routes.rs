//! HTTP handlers, one module per area, mounted at chathub-types' paths.

pub mod chat;
pub mod company;
pub mod demo;
pub mod health;
pub mod media;
pub mod operator;
pub mod simulator;
pub mod widget;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chathub_types::token::{IssuedToken, TokenFormat, negotiate_token_format};
use serde::Serialize;

use crate::config::TokenFormatSetting;

/// A JSON answer with ASP.NET's content type (`application/json; charset=utf-8`).
pub fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"))], body)
            .into_response(),
        Err(error) => crate::error::ApiError::internal(error).into_response(),
    }
}

/// A get-token answer in the shape Decision 1 (or `--token-format`) picks.
#[derive(Debug)]
pub struct TokenAnswer {
    token: IssuedToken,
    format: TokenFormat,
}

impl TokenAnswer {
    /// Picks the shape from the setting and the request's `Accept` headers.
    pub fn new(token: IssuedToken, setting: TokenFormatSetting, headers: &axum::http::HeaderMap) -> Self {
        let format = match setting {
            TokenFormatSetting::Negotiate => {
                let accept: Vec<&str> =
                    headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).collect();
                negotiate_token_format((!accept.is_empty()).then(|| accept.join(",")).as_deref())
            }
            TokenFormatSetting::Json => TokenFormat::JsonString,
            TokenFormatSetting::Text => TokenFormat::Text,
            TokenFormatSetting::Object => TokenFormat::Object,
        };
        Self { token, format }
    }
}

impl IntoResponse for TokenAnswer {
    fn into_response(self) -> Response {
        let body = self.format.body(&self.token);
        ([(header::CONTENT_TYPE, HeaderValue::from_static(self.format.content_type()))], body).into_response()
    }
}
