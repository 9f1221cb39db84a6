//! The HTTP server: one small router per resource, merged here with the layers every
//! response goes through (metrics, body limit, security headers).

pub mod auth;
pub mod dashboards;
pub mod embed;
pub mod error;
pub mod guard;
pub mod health;
pub mod proxy;
pub mod text;

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
    /// Kubernetes clusters and their shared watches.
    pub k8s: crate::k8s::K8s,
    /// etcd clusters and their shared watches.
    pub etcd: crate::etcd::Etcd,
    pub auth: Arc<auth::AuthState>,
    /// The Content-Security-Policy of the app's pages (see [`csp`]).
    pub csp: Arc<String>,
    /// Identical concurrent Prometheus queries share one upstream request.
    pub proxy: Arc<proxy::Coalescer>,
    /// Signed embed links' panels, resolved once per dashboard version.
    pub embeds: Arc<guard::embed::Resolver>,
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
        let csp = Arc::new(csp(&config.ui_dir));
        AppState {
            k8s: crate::k8s::K8s::new(config.clusters.clone()),
            etcd: crate::etcd::Etcd::new(&config.etcd),
            auth: Arc::new(auth::AuthState::new(&config)),
            csp,
            proxy: Default::default(),
            embeds: Default::default(),
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
        .route("/api/render/text", axum::routing::post(text::render))
        .route("/api/login", axum::routing::post(auth::login))
        .route("/api/logout", axum::routing::post(auth::logout))
        .route("/api/user", get(auth::current_user))
        .route(
            "/api/auth/tokens",
            get(auth::list_tokens).post(auth::create_token),
        )
        .route(
            "/api/auth/tokens/{id}",
            axum::routing::delete(auth::delete_token),
        )
        .merge(crate::k8s::routes())
        .merge(crate::etcd::http::routes())
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        // Who may do what on the API: see `guard`.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guard::request,
        ));
    let ui = &state.config.ui_dir;
    let static_files = ServeDir::new(ui).fallback(ServeFile::new(ui.join("index.html")));
    // The UI is three apps (see the front end's routes): the dashboards app at the top of the
    // UI dir, for every path not named here; `home/` for the list, import and login pages;
    // `cluster/` for the Kubernetes and etcd pages. Without one of them, the dashboards app
    // says that it is missing.
    let mut api = api;
    for (app, paths) in [
        ("home", &["/", "/dashboard/import", "/login"][..]),
        (
            "cluster",
            &["/k8s", "/k8s/{*rest}", "/etcd", "/etcd/{*rest}"][..],
        ),
    ] {
        let index = ui.join(app).join("index.html");
        let index = if index.is_file() {
            index
        } else {
            ui.join("index.html")
        };
        for path in paths {
            api = api.route_service(path, ServeFile::new(&index));
        }
    }
    api.fallback_service(static_files)
        // Nothing is served for a host that is not this server's (the refusal still carries
        // the headers below, and is counted by the metrics).
        .layer(middleware::from_fn_with_state(state.clone(), guard::host))
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

/// The app's Content-Security-Policy: scripts only from kubeglass itself plus the inline
/// loaders trunk writes into the apps' `index.html` (allowed by their hashes, computed from
/// the files being served), WebAssembly compilation, and connections only back to kubeglass. Styles allow
/// inline `style` attributes, which the panels set for layout and colours.
pub fn csp(ui_dir: &std::path::Path) -> String {
    let mut hashes = String::new();
    for index in ["index.html", "home/index.html", "cluster/index.html"] {
        let index = std::fs::read_to_string(ui_dir.join(index)).unwrap_or_default();
        inline_script_hashes(&index, &mut hashes);
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:; connect-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// Appends ` 'sha256-…'` for each inline script of an HTML page.
fn inline_script_hashes(index: &str, hashes: &mut String) {
    use base64::Engine;
    use sha2::Digest;
    let mut rest = index;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            let hash = sha2::Sha256::digest(body.as_bytes());
            hashes.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(hash)
            ));
        }
        rest = &after[body_start + close..];
    }
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no API route {}", uri.path()))
}
