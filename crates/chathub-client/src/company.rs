//! Company endpoints: `client.company()`.

use chathub_types::CompanyToken;
use chathub_types::company::{Organization, list_organizations};

use crate::client::Call;
use crate::{Client, Result};

/// Company endpoints, borrowed from a [`Client`] by [`Client::company`].
#[derive(Debug, Clone, Copy)]
pub struct Company<'c> {
    client: &'c Client,
}

impl<'c> Company<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `GET /api/company/organization`: every organization of the company, by id.
    pub async fn organizations(&self) -> Result<list_organizations::Response> {
        self.client.send(Call::new(&list_organizations::ENDPOINT)).await?.json::<Vec<Organization>>()
    }

    /// `POST /api/company/get-token`: signs in now (even when a cached token
    /// is still good) and returns the new company token, which the client
    /// also keeps using. Needs login-and-password credentials; otherwise
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig).
    pub async fn sign_in(&self) -> Result<CompanyToken> {
        self.client.sign_in_now().await
    }

    /// The login the client signs in with, when it uses a login and password.
    pub fn login(&self) -> Option<&'c str> {
        self.client.login()
    }
}
