//! `chathub orgs`: the company's organizations.

use anyhow::Result;

use super::Context;
use crate::output;

/// Prints the organizations as a table, or the API's array with `--json`.
pub async fn run(context: &Context) -> Result<()> {
    let organizations = context.client()?.organizations().await?;
    if context.out.is_json() {
        context.out.json(&organizations)
    } else if organizations.is_empty() {
        context.out.line("The company has no organizations.")
    } else {
        context.out.table(&output::organizations(&organizations))
    }
}
