//! A faithful, persistent SMSBAT ChatHub server.
//!
//! [`app`] builds the router over an [`AppState`]; [`start`] opens the
//! database, loads the seed (or creates the demo company) and the read
//! model; [`run`] serves until Ctrl-C or SIGTERM. Tests drive [`app`] with
//! `tower::ServiceExt::oneshot` or start a real server with
//! [`testing::TestServer`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), chathub_server::StartError> {
//! let config = chathub_server::Config::in_memory();
//! let started = chathub_server::start(&config).await?;
//! let router = chathub_server::app(started.state.clone());
//! # let _ = router; Ok(()) }
//! ```

pub mod auth;
pub mod config;
pub mod cors;
pub mod error;
pub mod events;
pub mod extract;
pub mod hub;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod seed;
pub mod state;
pub mod store;
pub mod testing;
pub mod throttle;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on};
use chathub_types::endpoint::Method;
use chathub_types::{Endpoint, ProblemDetails};
use chrono::TimeDelta;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use error::ApiError;
pub use seed::DemoCompany;
pub use state::AppState;

use crate::auth::{Passwords, TokenKeys};
use crate::seed::Seed;
use crate::state::Settings;
use crate::store::{Db, Store};
use crate::throttle::SignInThrottle;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("database `{url}`: {source}")]
    Database {
        /// The URL, without its password.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The seed file is bad or could not be stored.
    #[error("seed: {0}")]
    Seed(#[from] seed::SeedError),
    /// Loading the read model failed.
    #[error("storage: {0}")]
    Store(#[from] store::StoreError),
    /// Password hashing could not be set up.
    #[error("{0}")]
    Hashing(#[from] auth::HashError),
    /// The listener could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A flag is out of range.
    #[error("{0}")]
    Config(String),
}

/// A started server's state, plus the demo company when one was created now.
#[derive(Debug)]
pub struct Started {
    /// The state to serve.
    pub state: AppState,
    /// Set when this start created the demo company (print it once).
    pub demo: Option<DemoCompany>,
}

/// Opens the database, loads the seed (or creates the demo company on an
/// empty database without one), loads the read model, starts the writer.
pub async fn start(config: &Config) -> Result<Started, StartError> {
    let company_token_ttl = TimeDelta::from_std(config.company_token_ttl)
        .map_err(|_| StartError::Config("--company-token-ttl is too long".to_owned()))?;
    let seed = config.seed.as_deref().map(Seed::from_file).transpose()?;
    let db = Db::open(&config.database)
        .await
        .map_err(|source| StartError::Database { url: redact_url(&config.database), source })?;
    let passwords = Passwords::new()?;
    let secret = db
        .signing_secret()
        .await
        .map_err(|source| StartError::Database { url: redact_url(&config.database), source })?;
    let existing =
        db.load().await.map_err(|source| StartError::Database { url: redact_url(&config.database), source })?;
    let mut demo = None;
    match seed {
        Some(seed) => {
            seed.check_against(&existing)?;
            match seed.apply(&db, &passwords).await {
                // Servers starting together on one database race to insert the
                // same rows; the loser finds them on a second pass. A bad seed
                // stays bad: no second pass for it.
                Err(seed::SeedError::Apply(error)) => {
                    tracing::warn!(%error, "loading the seed failed; trying once more");
                    seed.apply(&db, &passwords).await?;
                }
                other => {
                    other?;
                }
            }
        }
        None if !existing.has_companies() => {
            let (seed, credentials) = Seed::demo();
            let kept_existing = match seed.apply(&db, &passwords).await {
                Err(seed::SeedError::Apply(error)) => {
                    tracing::warn!(%error, "creating the demo company failed; trying once more");
                    seed.apply(&db, &passwords).await?
                }
                other => other?,
            };
            if kept_existing {
                tracing::info!("another server created the demo company at the same time; it printed the credentials");
            } else {
                demo = Some(credentials);
            }
        }
        None => {}
    }
    let events = events::EventBus::new();
    let store = Store::start(db, events.clone()).await?;
    if let Some(url) = &config.public_url {
        store.set_public_url(url);
    }
    let state = AppState {
        store,
        keys: Arc::new(TokenKeys::new(&secret)),
        passwords,
        throttle: Arc::new(SignInThrottle::default()),
        settings: Arc::new(Settings {
            company_token_ttl,
            token_format: config.token_format,
            cors_allow_origin: config.cors_allow_origin.clone(),
            demo: config.demo,
            simulator: config.simulator,
        }),
        rate_limiter: config.rate_limit.0.map(|n| Arc::new(rate_limit::RateLimiter::new(n))),
        events,
        hub: Arc::new(hub::Hub::new()),
    };
    Ok(Started { state, demo })
}

/// The router: every endpoint of chathub-types at its path, `/health`,
/// problem bodies for every error, a span per request.
pub fn app(state: AppState) -> Router {
    use chathub_types::{company, operator};
    use routes::{company as c, operator as o};
    macro_rules! mount {
        ($router:expr, $($endpoint:expr => $handler:expr),* $(,)?) => {
            $router$(.route($endpoint.path, on(method_filter(&$endpoint), $handler)))*
        };
    }
    let router = mount!(Router::new(),
        company::get_token::ENDPOINT => c::get_token,
        company::list_organizations::ENDPOINT => c::list_organizations,
        operator::list_operators::ENDPOINT => o::list,
        operator::synchronize_operators::ENDPOINT => o::synchronize,
        operator::set_status::ENDPOINT => o::set_status,
        operator::get_token::ENDPOINT => o::get_token,
        operator::validate_token::ENDPOINT => o::validate_token,
    );
    let router = router
        .route("/health", get(routes::health::health))
        .route(routes::widget::SCRIPT_PATH, get(routes::widget::script))
        .merge(routes::chat::routes(&state))
        .merge(openapi::routes())
        .merge(hub::routes())
        .fallback(|| async { ApiError::NotFound("No such endpoint.") });
    let router = if state.settings.demo {
        router
            .route(routes::demo::PAGE_PATH, get(routes::demo::page))
            .route(routes::demo::TOKEN_PATH, axum::routing::post(routes::demo::token))
    } else {
        router
    };
    let router = match state.rate_limiter {
        Some(_) => router.layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit::limit)),
        None => router,
    };
    let router = router
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(|_| ApiError::internal("a handler panicked").into_response()));
    let router = match cors::layer(&state.settings.cors_allow_origin) {
        Some(rules) => router.layer(axum::middleware::from_fn_with_state(rules, cors::scoped)),
        None => router,
    };
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(|response: &Response, latency: Duration, _span: &tracing::Span| {
                    tracing::debug!(status = response.status().as_u16(), latency_us = latency.as_micros() as u64, "answered");
                }),
        )
        .with_state(state)
}

pub(crate) fn method_filter(endpoint: &Endpoint) -> axum::routing::MethodFilter {
    use axum::routing::MethodFilter;
    match endpoint.method {
        Method::Get => MethodFilter::GET,
        Method::Post => MethodFilter::POST,
        Method::Put => MethodFilter::PUT,
        Method::Delete => MethodFilter::DELETE,
    }
}

/// Gives every error answer without a body (axum's 405, for one) a problem body.
async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let mut problem = ProblemDetails::new(status.as_u16(), title);
    if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
        problem = problem.with_detail("This path does not take this method; see the Allow header.");
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(chathub_types::problem::PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Serves `app` on `config.listen` until Ctrl-C or SIGTERM, then closes
/// every hub connection (Close with `allowReconnect`), finishes in-flight
/// requests and closes the database.
pub async fn run(config: Config) -> Result<(), StartError> {
    let started = start(&config).await?;
    if let Some(demo) = &started.demo {
        println!("{}", demo.banner());
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen { address: config.listen, source })?;
    let address = listener.local_addr().map_err(|source| StartError::Listen { address: config.listen, source })?;
    tracing::info!(%address, database = %redact_url(&config.database), "listening");
    if !started.state.store.has_public_url() {
        started.state.store.set_public_url(&format!("http://{address}"));
    }
    let state = started.state.clone();
    let hub = Arc::clone(&started.state.hub);
    axum::serve(listener, app(started.state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Upgraded sockets are not axum's to close: the hub closes them,
            // telling each client it may reconnect (docs/hub.md).
            hub.shutdown().await;
        })
        .await
        .map_err(|source| StartError::Listen { address, source })?;
    tracing::info!("stopping: closing the database");
    state.store.db().close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// A database URL without its password, for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
