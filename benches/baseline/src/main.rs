//! NOT PART OF THE PRODUCT. The least work a Rust server could do to answer
//! the seven endpoints of `chathub_types::ENDPOINTS`: bare axum, HS256 JWTs,
//! data in memory behind a lock, no database, no password hashing, no
//! input rules beyond what serde does. `cargo xtask bench` measures
//! chathub-server against it; see docs/performance.md.
//!
//! It answers with the same bodies as chathub-server for the data of
//! [`data`], which `--print-seed` writes as a chathub-server seed file.

mod auth;
mod data;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;

/// NOT PART OF THE PRODUCT: the baseline server of `cargo xtask bench`.
#[derive(Debug, Parser)]
#[command(name = "chathub-bench-baseline")]
struct Flags {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// Print the chathub-server seed file holding the same data, and exit.
    #[arg(long)]
    print_seed: bool,
}

fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    if flags.print_seed {
        print!("{}", data::seed_toml());
        return Ok(());
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(serve(flags.listen))
}

async fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    let state = Arc::new(routes::Baseline::new());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, routes::app(state)).await?;
    Ok(())
}
