//! Signed embed links on the HTTP side: the guard that lets a token open exactly one panel,
//! the check of each proxied query against that panel's stored targets, the frame policy
//! that allows configured origins to frame dashboards, and `POST /api/embed/sign` for the
//! share dialog.

use super::error::ApiError;
use super::AppState;
use crate::embed::{find_panel, now, Claims};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use kubeglass_shared::api::{SignEmbedRequest, SignEmbedResponse, EMBED_TOKEN_HEADER};
use kubeglass_shared::interval::matches_with_time_macros;
use kubeglass_shared::model::{resolve_datasource, Dashboard};
use kubeglass_shared::template::{interpolate, read_variables, Context, Scope};
use kubeglass_shared::variables::scope_of;
use serde_json::Value;

/// Routes a token may open; everything else is refused with it.
const TOKEN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/dashboards/uid/{uid}"),
    ("GET", "/api/datasources"),
    ("GET", "/api/datasources/{uid}/prometheus/api/v1/{*path}"),
    ("POST", "/api/datasources/{uid}/prometheus/api/v1/{*path}"),
    // Renders what the caller sends and reads nothing: a text panel needs it.
    ("POST", "/api/render/text"),
];

/// Middleware on the API routes: a request carrying an embed token (header, or `token=` in
/// the query string) is verified, limited to [`TOKEN_ROUTES`], and handed its [`Claims`].
pub async fn guard(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let from_header = req.headers().get(EMBED_TOKEN_HEADER).map(|v| {
        v.to_str()
            .map(str::to_owned)
            .map_err(|_| ApiError::Forbidden("embed token is malformed: not ASCII".into()))
    });
    let from_query = || {
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| Ok(v.into_owned()))
    };
    let Some(token) = from_header.or_else(from_query) else {
        return Ok(next.run(req).await);
    };
    let claims = state
        .embed_key
        .verify(&token?, now())
        .map_err(|e| ApiError::Forbidden(e.to_string()))?;
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    if !TOKEN_ROUTES.contains(&(req.method().as_str(), route.as_str())) {
        return Err(ApiError::Forbidden(format!(
            "an embed token opens only its own panel; {} {} is not allowed with one",
            req.method(),
            req.uri().path()
        )));
    }
    req.extensions_mut().insert(claims);
    Ok(next.run(req).await)
}

/// The dashboard as a token holder sees it: migrated to the current schema and reduced to
/// the token's panel (found also in collapsed rows), so that the other panels' queries are
/// not disclosed.
pub fn restrict_dashboard(claims: &Claims, uid: &str, dashboard: Value) -> Result<Value, ApiError> {
    if claims.dashboard != uid {
        return Err(ApiError::Forbidden(format!(
            "embed token is for dashboard `{}`, not `{uid}`",
            claims.dashboard
        )));
    }
    let mut panel = find_panel(&dashboard, claims.panel).ok_or_else(|| {
        ApiError::Forbidden(format!(
            "embed token is for panel {} of dashboard `{uid}`, which no longer has it",
            claims.panel
        ))
    })?;
    if let Some(p) = panel.as_object_mut() {
        p.remove("panels");
    }
    let mut migrated = kubeglass_shared::migrate::migrate(dashboard).dashboard;
    let obj = migrated
        .as_object_mut()
        .expect("stored dashboards are objects");
    obj.remove("rows");
    obj.insert("panels".into(), Value::Array(vec![panel]));
    Ok(migrated)
}

/// Checks that a proxied request is one of the token's panel's queries: `query` or
/// `query_range`, against the data source the target names, with the target's expression at
/// some time range and resolution (the time macros may take any duration), the variables as
/// the token fixes them (or as the dashboard's defaults).
pub async fn check_query(
    state: &AppState,
    claims: &Claims,
    datasource: &str,
    api_path: &str,
    params: &[u8],
) -> Result<(), ApiError> {
    if api_path != "query" && api_path != "query_range" {
        return Err(ApiError::Forbidden(format!(
            "an embed token allows only its panel's queries, not `/api/v1/{api_path}`"
        )));
    }
    let query = url::form_urlencoded::parse(params)
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let store = state.store.clone();
    let uid = claims.dashboard.clone();
    let stored = super::dashboards::blocking(move || store.get(&uid))
        .await??
        .ok_or_else(|| {
            ApiError::Forbidden(format!(
                "embed token is for dashboard `{}`, which no longer exists",
                claims.dashboard
            ))
        })?;
    let scope = token_scope(&stored.dashboard, claims);
    let model = Dashboard::from_stored(stored.dashboard);
    let panel = model.find_panel(claims.panel).ok_or_else(|| {
        ApiError::Forbidden(format!(
            "embed token is for panel {} of dashboard `{}`, which no longer has it",
            claims.panel, claims.dashboard
        ))
    })?;
    let sources: Vec<_> = state.config.datasources.iter().map(|d| d.info()).collect();
    let allowed = panel
        .targets
        .iter()
        .filter(|t| !t.hide && !t.expr.trim().is_empty())
        .any(|t| {
            let ds = resolve_datasource(panel.datasource.as_ref(), t.datasource.as_ref(), &sources);
            ds.is_some_and(|d| d.uid == datasource)
                && matches_with_time_macros(
                    &interpolate(&t.expr, &scope, Context::Prometheus),
                    &query,
                )
        });
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("embed token for panel {} of dashboard `{}` does not allow this query on data source `{datasource}`: {query}", claims.panel, claims.dashboard)))
    }
}

/// The variable values a token's queries are checked with: those the token fixes, the
/// dashboard's defaults for the others (a token holder cannot choose them).
fn token_scope(dashboard: &Value, claims: &Claims) -> Scope {
    let migrated = kubeglass_shared::migrate::migrate(dashboard.clone()).dashboard;
    let (vars, _) = read_variables(&migrated);
    // Read as the single-panel page reads its URL's `var-` values (the same function), so that
    // what it sends is what is allowed. Interval variables set to `auto` depend on the range;
    // a day is a nominal one.
    scope_of(&vars, &claims.vars, 86_400_000)
}

/// Middleware setting the frame policy of every response. Dashboards (`/d/...`) and single
/// panels (`/d-solo/...`) may be framed by the configured origins; nothing else may be framed
/// by anyone, and without configured origins nothing at all.
pub async fn frame_policy(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let framable = req.uri().path().starts_with("/d-solo/") || req.uri().path().starts_with("/d/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let origins = &state.config.allow_embedding;
    if framable && !origins.is_empty() {
        // CSP frame-ancestors is what browsers obey; X-Frame-Options cannot name several
        // origins, so it is left out here.
        let policy = format!("{}; frame-ancestors {}", state.csp, origins.join(" "));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&policy).expect("origins are ASCII"),
        );
    } else {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&format!("{}; frame-ancestors 'none'", state.csp))
                .expect("the policy is ASCII"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Signs an embed link for the share dialog.
pub async fn sign(
    State(state): State<AppState>,
    Json(req): Json<SignEmbedRequest>,
) -> Result<Json<SignEmbedResponse>, ApiError> {
    let ttl_ms = kubeglass_shared::interval::parse_interval(&req.expires)
        .map_err(|e| ApiError::BadRequest(format!("expires: {e}")))?;
    if !(1000..=366 * 86_400_000).contains(&ttl_ms) {
        return Err(ApiError::BadRequest(format!(
            "expires `{}`: must be between 1s and 366d",
            req.expires
        )));
    }
    let store = state.store.clone();
    let uid = req.dashboard.clone();
    let stored = super::dashboards::blocking(move || store.get(&uid))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("dashboard `{}` not found", req.dashboard)))?;
    if find_panel(&stored.dashboard, req.panel).is_none() {
        return Err(ApiError::NotFound(format!(
            "dashboard `{}` has no panel {}",
            req.dashboard, req.panel
        )));
    }
    let claims = Claims {
        dashboard: req.dashboard,
        panel: req.panel,
        expires: now() + ttl_ms / 1000,
        vars: req.vars,
    };
    let token = state.embed_key.sign(&claims);
    Ok(Json(SignEmbedResponse {
        path: crate::embed::link("", &stored.meta.slug, &claims, &token),
        expires: claims.expires,
        token,
    }))
}
