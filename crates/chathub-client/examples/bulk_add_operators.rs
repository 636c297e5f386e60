//! Adds operators to an organization, names read one per line from stdin,
//! in requests of at most 1,000 (each sent once: synchronize is never retried).
//!
//! ```sh
//! printf 'Alex Brown\nEmma Davis\n' | CHATHUB_URL=http://127.0.0.1:8080 CHATHUB_API_KEY=acme-static-api-key-0001 \
//!     cargo run -p chathub-client --example bulk_add_operators 24
//! ```

use std::io::BufRead;

use anyhow::Context;
use chathub_client::types::limits::MAX_SYNCHRONIZE_ELEMENTS;
use chathub_client::{NewOperator, OrganizationId};

#[path = "support/env.rs"]
mod env;
use env::client_from_env;

const USAGE: &str = "\
usage: bulk_add_operators ORGANIZATION_ID < names.txt

Adds one operator per non-empty line of stdin to the organization.

environment:
  CHATHUB_URL        base URL (default https://chatapi.smsbat.com)
  CHATHUB_LOGIN      company login      } or CHATHUB_API_KEY
  CHATHUB_PASSWORD   company password   }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (Some(client), Some(arg)) = (client_from_env()?, std::env::args().nth(1)) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let organization: OrganizationId = arg.parse().with_context(|| format!("`{arg}` is not an organization id"))?;
    let mut names = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading names from stdin")?;
        if !line.trim().is_empty() {
            names.push(line);
        }
    }
    if names.is_empty() {
        anyhow::bail!("no names on stdin\n\n{USAGE}");
    }
    let mut added = 0;
    for chunk in names.chunks(MAX_SYNCHRONIZE_ELEMENTS) {
        let request = chunk.iter().map(|name| NewOperator::new(organization, name.as_str()));
        // All or nothing per request: on an error, the operators of earlier chunks stay added.
        let created =
            client.operators().synchronize(request).await.with_context(|| {
                format!("adding operators {}..{} of {}", added + 1, added + chunk.len(), names.len())
            })?;
        for operator in &created {
            println!("{}\t{}", operator.id, operator.name);
        }
        added += created.len();
    }
    eprintln!("added {added} operators to organization {organization}");
    Ok(())
}
