//! `chathub token issue|validate`.

use std::io::Read;

use anyhow::{Context as _, Result};
use chathub_client::{IssuedOperatorToken, OperatorId, OperatorToken};
use chathub_types::IssuedToken;
use chathub_types::limits::MAX_OPERATOR_TOKEN_LIFETIME_SECS;
use chathub_types::time::format_instant;
use chrono::{TimeDelta, Utc};

use super::Context;
use crate::cli::{Lifetime, Secret, TokenCommand};
use crate::duration::format_duration;
use crate::error::usage;

/// Runs one `token` subcommand.
pub async fn run(context: &Context, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Issue { operator, lifetime } => {
            let issued = issue(context, operator, &lifetime).await?;
            if context.out.is_json() {
                context.out.json(&token_object(&issued))
            } else {
                context
                    .out
                    .note(format!("Operator {operator}'s token expires at {}.", format_instant(issued.expires_at)));
                context.out.line(issued.token.expose())
            }
        }
        TokenCommand::Validate { token } => validate(context, token).await,
    }
}

/// `{"token": ..., "expiration": ...}`: the token object of spec §3.1.
pub(super) fn token_object(issued: &IssuedOperatorToken) -> serde_json::Value {
    IssuedToken { token: issued.token.expose().to_owned(), expiration: Some(issued.expires_at) }.to_object_json()
}

/// Issues a token after checking the lifetime locally: more than 24 hours,
/// or an instant not in the future, is refused before any request.
pub(super) async fn issue(context: &Context, operator: OperatorId, lifetime: &Lifetime) -> Result<IssuedOperatorToken> {
    let most = TimeDelta::seconds(MAX_OPERATOR_TOKEN_LIFETIME_SECS);
    let client = match lifetime.expires_at {
        Some(expires_at) => {
            let ahead = expires_at - Utc::now();
            if ahead <= TimeDelta::zero() {
                usage!("--expires-at {}: that instant is not in the future", format_instant(expires_at));
            }
            if ahead > most {
                usage!("--expires-at {}: an operator token may live at most 24 hours", format_instant(expires_at));
            }
            context.client()?.operators().issue_token_until(operator, expires_at).await?
        }
        None => {
            if lifetime.ttl.as_secs() > MAX_OPERATOR_TOKEN_LIFETIME_SECS.unsigned_abs() {
                usage!("--ttl {}: an operator token may live at most 24h", format_duration(lifetime.ttl));
            }
            context.client()?.operators().issue_token(operator, lifetime.ttl).await?
        }
    };
    Ok(client)
}

async fn validate(context: &Context, token: Secret) -> Result<()> {
    let token = if token.expose() == "-" {
        if context.password_from_stdin() {
            usage!("--password-stdin and TOKEN `-` cannot both read standard input");
        }
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("cannot read the token from standard input")?;
        text
    } else {
        token.expose().to_owned()
    };
    if token.trim().is_empty() {
        usage!("TOKEN is empty");
    }
    let answer = context.client()?.operators().validate_token(&OperatorToken::new(token)).await?;
    if context.out.is_json() {
        return context.out.json(&answer);
    }
    if answer.is_valid {
        let operator = answer.operator_id.map_or_else(|| "unknown".to_owned(), |id| id.to_string());
        let expires = answer
            .expires_at
            .map_or_else(|| "at an unknown time".to_owned(), |at| format!("at {}", format_instant(at)));
        context.out.line(format!("Valid: a token of operator {operator}, expires {expires}."))
    } else {
        let reason = answer.error.as_deref().unwrap_or("no reason given");
        context.out.line(format!("Not valid: {reason}."))
    }
}
