//! Operator endpoints: `client.operators()`.

use std::time::Duration;

use chathub_types::limits::max_operator_token_lifetime;
use chathub_types::operator::synchronize_operators::{NewOperator, SynchronizedOperator};
use chathub_types::operator::{Operator, get_token, list_operators, set_status, synchronize_operators, validate_token};
use chathub_types::time::truncate_to_seconds;
use chathub_types::token::{LifetimeError, operator_token_expiry};
use chathub_types::{OperatorId, OperatorStatus, OperatorToken, OrganizationId, Validate, ValidationErrors};
use chrono::{DateTime, TimeDelta, Utc};

use crate::client::Call;
use crate::{Client, Error, Result};

/// Operator endpoints, borrowed from a [`Client`] by [`Client::operators`].
#[derive(Debug, Clone, Copy)]
pub struct Operators<'c> {
    client: &'c Client,
}

/// An operator token as issued, with the instant it stops working.
/// `Debug` never shows the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedOperatorToken {
    /// The operator it speaks for.
    pub operator_id: OperatorId,
    /// The token, for the widget (see [`crate::widget::script_tag`]).
    pub token: OperatorToken,
    /// When it expires: the server's `expiration` or the token's `exp`, else
    /// the instant asked for cut to whole seconds (Decision 10).
    pub expires_at: DateTime<Utc>,
}

impl<'c> Operators<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `GET /api/operator?organizationId=…`: an organization's operators, by
    /// id. Another company's organization gives an empty list (Decision 6).
    pub async fn list(&self, organization: impl Into<OrganizationId>) -> Result<Vec<Operator>> {
        self.list_query(list_operators::Query::for_organization(organization.into())).await
    }

    /// `GET /api/operator` without `organizationId`: with an operator token
    /// as the credential, that operator's own organization (Decision 7).
    pub async fn list_own(&self) -> Result<Vec<Operator>> {
        self.list_query(list_operators::Query::default()).await
    }

    async fn list_query(&self, query: list_operators::Query) -> Result<Vec<Operator>> {
        let call = Call::new(&list_operators::ENDPOINT).query(query.to_query_string());
        self.client.send(call).await?.json::<list_operators::Response>()
    }

    /// `POST /api/operator/synchronize`: adds operators, all or none, and
    /// returns them in order. Checked locally first (names, at most 1,000);
    /// sent exactly once, never retried, since a retry could add them twice.
    pub async fn synchronize(
        &self,
        operators: impl IntoIterator<Item = NewOperator>,
    ) -> Result<Vec<SynchronizedOperator>> {
        let request = synchronize_operators::Request(operators.into_iter().collect());
        request.validate().map_err(Error::InvalidInput)?;
        let call = Call::new(&synchronize_operators::ENDPOINT).json(&request)?;
        self.client.send(call).await?.json::<synchronize_operators::Response>()
    }

    /// Adds operators with these names to one organization: [`Operators::synchronize`] made short.
    pub async fn add<N: Into<String>>(
        &self,
        organization: impl Into<OrganizationId>,
        names: impl IntoIterator<Item = N>,
    ) -> Result<Vec<SynchronizedOperator>> {
        let organization = organization.into();
        self.synchronize(names.into_iter().map(|name| NewOperator::new(organization, name))).await
    }

    /// `POST /api/operator/status`: sets an operator's status (0–2 only).
    /// Making it Inactive or Deleted revokes its tokens (Decision 9). Sent
    /// exactly once, never retried.
    pub async fn set_status(&self, operator: impl Into<OperatorId>, status: OperatorStatus) -> Result<()> {
        let request = set_status::Request { id: operator.into(), status };
        request.validate().map_err(Error::InvalidInput)?;
        let call = Call::new(&set_status::ENDPOINT).json(&request)?;
        self.client.send(call).await.map(drop)
    }

    /// `POST /api/operator/get-token`: an operator token that lives for
    /// `lifetime`. More than 24 hours, or zero, is refused with
    /// [`Error::InvalidInput`] before anything is sent.
    pub async fn issue_token(
        &self,
        operator: impl Into<OperatorId>,
        lifetime: Duration,
    ) -> Result<IssuedOperatorToken> {
        let now = Utc::now();
        let lifetime = TimeDelta::from_std(lifetime).map_err(|_| lifetime_error(LifetimeError::TooLong))?;
        self.issue(operator.into(), now + lifetime, now).await
    }

    /// `POST /api/operator/get-token`: an operator token that expires at
    /// `expires_at` (its `exp` is that instant cut to whole seconds). An
    /// instant not in the future, or more than 24 hours ahead, is refused
    /// with [`Error::InvalidInput`] before anything is sent.
    pub async fn issue_token_until(
        &self,
        operator: impl Into<OperatorId>,
        expires_at: DateTime<Utc>,
    ) -> Result<IssuedOperatorToken> {
        self.issue(operator.into(), expires_at, Utc::now()).await
    }

    async fn issue(
        &self,
        operator: OperatorId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<IssuedOperatorToken> {
        check_lifetime(expires_at, now)?;
        let request = get_token::Request { id: operator, expires_at };
        let call = Call::new(&get_token::ENDPOINT).json(&request)?;
        let issued = self.client.send(call).await?.token()?;
        let expires_at = issued.expires_at().unwrap_or_else(|| truncate_to_seconds(expires_at));
        Ok(IssuedOperatorToken { operator_id: operator, token: OperatorToken::new(issued.token), expires_at })
    }

    /// `POST /api/operator/validate-token`: whether an operator token is
    /// valid for this company, and if not why (Decision 11). Missing fields
    /// in the answer read as `None` (spec §5).
    pub async fn validate_token(&self, token: &OperatorToken) -> Result<validate_token::Response> {
        let request = validate_token::Request { token: token.clone() };
        request.validate().map_err(Error::InvalidInput)?;
        let call = Call::new(&validate_token::ENDPOINT).json(&request)?;
        self.client.send(call).await?.json::<validate_token::Response>()
    }
}

/// The client's own check: later than now and at most 24 hours ahead (the
/// server allows 60 s more for clock skew; the client does not ask for it).
fn check_lifetime(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if expires_at - now > max_operator_token_lifetime() {
        return Err(lifetime_error(LifetimeError::TooLong));
    }
    operator_token_expiry(expires_at, now).map(drop).map_err(lifetime_error)
}

fn lifetime_error(error: LifetimeError) -> Error {
    Error::InvalidInput(ValidationErrors::single("$.expiresAt", error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_up_to_exactly_24_hours_pass() {
        let now = Utc::now();
        assert!(check_lifetime(now + TimeDelta::hours(24), now).is_ok());
        assert!(check_lifetime(now + TimeDelta::seconds(1), now).is_ok());
        assert!(check_lifetime(now + TimeDelta::hours(24) + TimeDelta::milliseconds(1), now).is_err());
        assert!(check_lifetime(now, now).is_err());
        assert!(check_lifetime(now - TimeDelta::seconds(1), now).is_err());
    }
}
