//! `chathub chats watch`: waits for `chathub_client::hub` (being written).

use anyhow::Result;

use super::Context;
use crate::error::HubClosed;

/// Not available yet: the hub client is still being written.
pub async fn run(_context: &Context) -> Result<()> {
    Err(HubClosed::new(Some("chats watch is not available yet (the hub client is being written)".into())).into())
}
