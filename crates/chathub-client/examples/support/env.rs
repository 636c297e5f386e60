//! Shared by the examples: a client configured from the environment.

use chathub_client::Client;

/// A client from `CHATHUB_URL` and `CHATHUB_LOGIN`/`CHATHUB_PASSWORD` or `CHATHUB_API_KEY`;
/// `None` when no credentials are set.
pub fn client_from_env() -> anyhow::Result<Option<Client>> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let mut builder = Client::builder();
    if let Some(url) = var("CHATHUB_URL") {
        builder = builder.base_url(url);
    }
    builder = match (var("CHATHUB_LOGIN"), var("CHATHUB_PASSWORD"), var("CHATHUB_API_KEY")) {
        (Some(login), Some(password), _) => builder.credentials(login, password),
        (_, _, Some(key)) => builder.api_key(key),
        _ => return Ok(None),
    };
    Ok(Some(builder.build()?))
}
