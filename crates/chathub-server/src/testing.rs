//! A real server on a free loopback port, for tests of this and other
//! crates (the client's round trips, the CLI, the conformance suite).

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{AppState, Config, StartError, app, start};

/// The seed [`TestServer::start`] loads: two companies, so tests can check
/// that one never sees the other's data.
pub const DEFAULT_SEED: &str = r#"
[[company]]
login = "acme"
password = "acme-pass-1"
api_key = "acme-static-api-key-0001"

[[company.organization]]
id = 24
name = "Customer Support"

[[company.organization.operator]]
name = "John Smith"

[[company.organization.operator]]
name = "Mike Wilson"
status = 1

[[company.organization]]
id = 42
name = "Technical Support"

[[company.organization.operator]]
name = "Emma Davis"

[[company]]
login = "globex"
password = "globex-pass-1"
api_key = "globex-static-api-key-0001"

[[company.organization]]
id = 77
name = "Globex Sales"

[[company.organization.operator]]
name = "Hank Scorpio"
"#;

/// An in-process server listening on `127.0.0.1:<free port>`, stopped on
/// drop (its hub connections are closed as on a graceful shutdown).
#[derive(Debug)]
pub struct TestServer {
    base_url: String,
    address: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts on an in-memory database with [`DEFAULT_SEED`].
    pub async fn start() -> Result<Self, StartError> {
        Self::start_with_seed(DEFAULT_SEED).await
    }

    /// Starts on a fresh database (see [`test_config`]) with the given seed text.
    pub async fn start_with_seed(seed: &str) -> Result<Self, StartError> {
        Self::start_seeded(seed, test_config().await?).await
    }

    /// Starts with `config`, its seed replaced by the given seed text
    /// (written to a temporary file, removed once the server has started).
    pub async fn start_seeded(seed: &str, mut config: Config) -> Result<Self, StartError> {
        let file = std::env::temp_dir().join(format!("chathub-seed-{}-{}.toml", std::process::id(), unique()));
        std::fs::write(&file, seed).map_err(|e| StartError::Config(format!("cannot write the test seed: {e}")))?;
        config.seed = Some(file.clone());
        let result = Self::start_with(config).await;
        let _ = std::fs::remove_file(file);
        result
    }

    /// Starts with a full configuration (its `listen` is used as given; port 0 picks a free one).
    pub async fn start_with(config: Config) -> Result<Self, StartError> {
        let started = start(&config).await?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Listen { address: config.listen, source })?;
        let address = listener.local_addr().map_err(|source| StartError::Listen { address: config.listen, source })?;
        // Media URLs (Decision 27) name the address actually bound, as `--public-url` defaults to.
        if !started.state.store.has_public_url() {
            started.state.store.set_public_url(&format!("http://{address}"));
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let router = app(started.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            base_url: format!("http://{address}"),
            address,
            state: started.state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's state (to inspect the read model in tests).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Closes every hub connection (Close with `allowReconnect`, as on
    /// SIGTERM), stops accepting, finishes in-flight requests and waits.
    pub async fn stop(mut self) {
        self.state.hub.shutdown().await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.state.store.db().close().await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            self.state.hub.begin_shutdown();
            let _ = stop.send(());
            // Release the database connections (a Postgres server has few to spare).
            let db = self.state.store.db().clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { db.close().await });
            }
        }
    }
}

/// The variable naming a Postgres server for tests: a URL whose user may
/// create databases, e.g. `postgres://postgres@127.0.0.1:55432/postgres`.
/// `cargo xtask ci` sets it for its Postgres step.
pub const TEST_POSTGRES_VARIABLE: &str = "CHATHUB_TEST_POSTGRES";

/// [`Config::in_memory`] on a database no other test uses (see [`fresh_database_url`]).
pub async fn test_config() -> Result<Config, StartError> {
    Ok(Config { database: fresh_database_url().await?, ..Config::in_memory() })
}

/// A database no other test uses: `sqlite::memory:`, or, when
/// [`TEST_POSTGRES_VARIABLE`] names a Postgres server, a new database on it.
pub async fn fresh_database_url() -> Result<String, StartError> {
    match std::env::var(TEST_POSTGRES_VARIABLE) {
        Ok(admin) if !admin.trim().is_empty() => create_postgres_database(admin.trim()).await,
        _ => Ok("sqlite::memory:".to_owned()),
    }
}

/// Creates a new, empty database on the server `admin` names; its URL.
pub async fn create_postgres_database(admin: &str) -> Result<String, StartError> {
    use sqlx::Connection;
    let name = format!("chathub_test_{}_{}_{:08x}", std::process::id(), unique(), rand::random::<u32>());
    let database_error = |source| StartError::Database { url: crate::redact_url(admin), source };
    let mut connection = sqlx::PgConnection::connect(admin).await.map_err(database_error)?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut connection)
        .await
        .map_err(database_error)?;
    let _ = connection.close().await;
    let (base, query) = admin.split_once('?').map_or((admin, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    Ok(match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    })
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
