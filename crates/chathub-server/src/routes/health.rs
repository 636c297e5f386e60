//! `GET /health`: 200 when the database answers, 503 otherwise.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::json;
use crate::error::ApiError;
use crate::state::AppState;

/// The health answer.
pub async fn health(State(state): State<AppState>) -> Response {
    if state.store.db().ping().await {
        json(&serde_json::json!({ "status": "Healthy" }))
    } else {
        ApiError::Unavailable.into_response()
    }
}
