//! Embedding on the HTTP side: the frame policy that allows configured origins to frame
//! dashboards, and `POST /api/embed/sign` for the share dialog. What a signed link may open is
//! decided by the guard (`guard::embed`).

use super::error::ApiError;
use super::AppState;
use crate::embed::{find_panel, now, Claims};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use kubeglass_shared::api::{SignEmbedRequest, SignEmbedResponse};

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
    let ttl_ms = kubeglass_shared::time::interval::parse_interval(&req.expires)
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
