//! Lists the company's organizations and their operators.
//!
//! ```sh
//! CHATHUB_URL=http://127.0.0.1:8080 CHATHUB_LOGIN=acme CHATHUB_PASSWORD=acme-pass-1 \
//!     cargo run -p chathub-client --example list_operators [ORGANIZATION_ID]
//! ```

use anyhow::Context;
use chathub_client::OrganizationId;

#[path = "support/env.rs"]
mod env;
use env::client_from_env;

const USAGE: &str = "\
usage: list_operators [ORGANIZATION_ID]

Lists the operators of one organization, or of every organization.

environment:
  CHATHUB_URL        base URL (default https://chatapi.smsbat.com)
  CHATHUB_LOGIN      company login      } or CHATHUB_API_KEY
  CHATHUB_PASSWORD   company password   }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(client) = client_from_env()? else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let only: Option<OrganizationId> = match std::env::args().nth(1) {
        Some(arg) if arg == "-h" || arg == "--help" => {
            println!("{USAGE}");
            return Ok(());
        }
        Some(arg) => Some(arg.parse().with_context(|| format!("`{arg}` is not an organization id"))?),
        None => None,
    };
    let organizations = client.organizations().await?;
    for organization in organizations.iter().filter(|o| only.is_none_or(|id| o.id == id)) {
        println!("{} {}", organization.id, organization.name);
        for operator in client.operators().list(organization.id).await? {
            println!("  {:>6}  {:<8}  {}", operator.id, operator.status, operator.name);
        }
    }
    if let Some(id) = only
        && !organizations.iter().any(|o| o.id == id)
    {
        anyhow::bail!("organization {id} is not one of this company's");
    }
    Ok(())
}
