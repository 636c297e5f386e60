//! `chathub login`: sign in and print the company token.

use anyhow::Result;
use chathub_types::IssuedToken;

use super::Context;

/// Prints the token alone (for `export CHATHUB_TOKEN=$(chathub login)`), or
/// with `--json` the token object `{"token", "expiration"}` of spec §3.1.
pub async fn run(context: &Context) -> Result<()> {
    let client = context.password_client()?;
    let token = client.company().sign_in().await?;
    if context.out.is_json() {
        let issued = IssuedToken { token: token.expose().to_owned(), expiration: token.expires_at() };
        context.out.json(&issued.to_object_json())
    } else {
        context.out.line(token.expose())
    }
}
