//! The HTTP server: one small router per resource, merged here with the layers every
//! response goes through (metrics, body limit, security headers).

pub mod dashboards;
pub mod embed;
pub mod error;
pub mod health;
pub mod proxy;

use crate::config::Config;
use crate::datasources::DataSource;
use crate::metrics::Metrics;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{middleware, Router};
use error::ApiError;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub http: reqwest::Client,
    pub metrics: Arc<Metrics>,
    pub embed_key: crate::embed::EmbedKey,
}

impl AppState {
    pub fn new(config: Config, store: Store, embed_key: crate::embed::EmbedKey) -> AppState {
        let http = reqwest::Client::builder()
            // A data source never sends kubeglass elsewhere: redirects are not followed.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .pool_max_idle_per_host(64)
            .build()
            .expect("the HTTP client's settings are valid");
        AppState {
            config: Arc::new(config),
            store,
            http,
            metrics: Metrics::new(),
            embed_key,
        }
    }

    pub fn datasource(&self, uid: &str) -> Option<&DataSource> {
        self.config.datasources.iter().find(|d| d.uid == uid)
    }
}

/// The whole application: API routes, then the UI from the `ui` dir for everything else
/// (`index.html` for any path that is not a file, so that client-side routes load).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/search", get(dashboards::search))
        .route("/api/dashboards/db", axum::routing::post(dashboards::save))
        .route(
            "/api/dashboards/uid/{uid}",
            get(dashboards::get).delete(dashboards::delete),
        )
        .route("/api/datasources", get(health::datasources))
        .route(
            "/api/datasources/{uid}/prometheus/api/v1/{*path}",
            get(proxy::prometheus).post(proxy::prometheus),
        )
        .route("/api/embed/sign", axum::routing::post(embed::sign))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), embed::guard));
    let ui = &state.config.ui_dir;
    let static_files = ServeDir::new(ui).fallback(ServeFile::new(ui.join("index.html")));
    api.fallback_service(static_files)
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(state.config.limits.max_body_bytes))
        // Embedding is off until origins are allowed.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            embed::frame_policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no API route {}", uri.path()))
}
