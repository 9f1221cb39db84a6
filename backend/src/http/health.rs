//! Liveness, readiness and the server's own metrics.

use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use kubeglass_shared::api::DataSourceInfo;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// `/healthz`: the process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: every data source answers a trivial query within 2 s. 503 names those that don't.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let checks = state.config.datasources.iter().map(|ds| {
        let mut url = ds.api_url("query");
        url.set_query(Some("query=1"));
        let request = state.http.get(url).timeout(Duration::from_secs(2)).send();
        async move {
            let outcome = match request.await {
                Ok(r) if r.status().is_success() => "ok".to_owned(),
                Ok(r) => format!("answered {}", r.status()),
                Err(e) if e.is_timeout() => "no answer within 2s".to_owned(),
                Err(_) => "unreachable".to_owned(),
            };
            (ds.uid.clone(), outcome)
        }
    });
    let results = futures_util::future::join_all(checks).await;
    let ready = results.iter().all(|(_, o)| o == "ok");
    let datasources: Map<String, Value> = results
        .into_iter()
        .map(|(uid, o)| (uid, Value::String(o)))
        .collect();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"ready": ready, "datasources": datasources})),
    )
}

/// `/metrics`: request counts and latencies in the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

/// `/api/datasources`: what browsers may know of the configured data sources.
pub async fn datasources(State(state): State<AppState>) -> Json<Vec<DataSourceInfo>> {
    Json(state.config.datasources.iter().map(|d| d.info()).collect())
}
