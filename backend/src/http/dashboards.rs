//! The dashboard API, shaped like Grafana's so that tools written for Grafana can push to
//! kubeglass: `GET /api/search`, `GET|DELETE /api/dashboards/uid/{uid}`, `POST /api/dashboards/db`.

use super::error::ApiError;
use super::AppState;
use crate::embed::Claims;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use axum::Json;
use kubeglass_shared::api::{
    DashboardWithMeta, SaveDashboardRequest, SaveDashboardResponse, SearchHit,
};
use serde::Deserialize;
use serde_json::{json, Value};

/// Query parameters of `/api/search`; `tag` may repeat.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    query: String,
}

pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
    raw: axum::extract::RawQuery,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    let tags: Vec<String> = url::form_urlencoded::parse(raw.0.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.into_owned())
        .collect();
    let store = state.store.clone();
    Ok(Json(
        blocking(move || store.search(&params.query, &tags)).await??,
    ))
}

/// `GET /api/dashboards/uid/{uid}`: the dashboard as stored, or with `?migrate=true` migrated to
/// the current schema as the UI shows it (so that the UI carries no migration code). An embed
/// token holder always gets it migrated and reduced to its panel (see [`super::guard::embed`]).
pub async fn get(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    claims: Option<Extension<Claims>>,
) -> Result<Json<DashboardWithMeta>, ApiError> {
    let migrate = match query
        .iter()
        .find(|(k, _)| k == "migrate")
        .map(|(_, v)| v.as_str())
    {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "migrate must be true or false, not `{other}`"
            )))
        }
    };
    if let Some(Extension(claims)) = &claims {
        let (dashboard, meta) = super::guard::embed::dashboard(&state, claims, &uid).await?;
        return Ok(Json(DashboardWithMeta { dashboard, meta }));
    }
    let store = state.store.clone();
    let key = uid.clone();
    let mut found = blocking(move || store.get(&key))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("dashboard `{uid}` not found")))?;
    if migrate {
        found.dashboard = kubeglass_shared::model::migrate::migrate(found.dashboard).dashboard;
    }
    Ok(Json(found))
}

/// Takes the body as bytes rather than `Json<...>` so that a bad body gets a message naming
/// the line and column (or the field) instead of axum's generic rejection.
pub async fn save(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<SaveDashboardResponse>, ApiError> {
    let req: SaveDashboardRequest = parse_save_request(&body)?;
    let store = state.store.clone();
    Ok(Json(blocking(move || store.save(req, false)).await??))
}

pub fn parse_save_request(body: &[u8]) -> Result<SaveDashboardRequest, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("request body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::BadRequest(
            "request body must be a JSON object {\"dashboard\": {...}, \"overwrite\": bool}".into(),
        ));
    }
    if value.get("dashboard").is_none() {
        return Err(ApiError::BadRequest(
            "dashboard: is missing from the request body".into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| ApiError::BadRequest(format!("request body: {e}")))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(uid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let key = uid.clone();
    let (id, title) = blocking(move || store.delete(&key))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("dashboard `{uid}` not found")))?;
    Ok(Json(
        json!({"id": id, "title": title, "message": format!("Dashboard {title} deleted")}),
    ))
}

/// Runs a store call on the blocking pool: SQLite calls block.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("store task failed: {e}")))
}
