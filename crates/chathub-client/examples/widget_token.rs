//! Issues an operator token and prints the widget's script tag for it.
//!
//! ```sh
//! CHATHUB_URL=http://127.0.0.1:8080 CHATHUB_LOGIN=acme CHATHUB_PASSWORD=acme-pass-1 \
//!     cargo run -p chathub-client --example widget_token 101 60 --local
//! ```

use std::time::Duration;

use anyhow::Context;
use chathub_client::{OperatorId, widget};

#[path = "support/env.rs"]
mod env;
use env::client_from_env;

const USAGE: &str = "\
usage: widget_token OPERATOR_ID [MINUTES] [--local]

Issues an operator token living MINUTES (default 60, at most 1440) and prints
the <script> tag that embeds the operator chat panel with it. --local loads
the panel from CHATHUB_URL (a chathub-server's stand-in) instead of the vendor.

environment:
  CHATHUB_URL        base URL (default https://chatapi.smsbat.com)
  CHATHUB_LOGIN      company login      } or CHATHUB_API_KEY
  CHATHUB_PASSWORD   company password   }";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let local = args.iter().any(|arg| arg == "--local");
    let positional: Vec<&String> = args.iter().filter(|arg| !arg.starts_with("--")).collect();
    let (Some(client), Some(operator)) = (client_from_env()?, positional.first()) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let operator: OperatorId = operator.parse().with_context(|| format!("`{operator}` is not an operator id"))?;
    let minutes: u64 = match positional.get(1) {
        Some(text) => text.parse().with_context(|| format!("`{text}` is not a number of minutes"))?,
        None => 60,
    };
    // More than 24 hours is refused by the client before anything is sent.
    let issued = client.operators().issue_token(operator, Duration::from_secs(minutes * 60)).await?;
    eprintln!("token for operator {} valid until {}", issued.operator_id, issued.expires_at);
    let tag = if local {
        widget::script_tag_with_src(
            &issued.token,
            &format!("{}/operator-chat-panel/widget-script.js", client.base_url()),
        )
    } else {
        widget::script_tag(&issued.token)
    };
    println!("{tag}");
    Ok(())
}
