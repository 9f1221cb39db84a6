//! The Prometheus proxy: `/api/datasources/{uid}/prometheus/api/v1/{path}`.
//!
//! Only the read endpoints of the Prometheus HTTP API pass (see
//! [`kubeglass_shared::api::is_allowed_prometheus_path`]); the upstream URL is always the
//! configured data source URL plus an allowlisted path, so no host, scheme or path from a
//! request can reach it. Prometheus's own answers, errors included, pass through unchanged;
//! kubeglass answers 502 when the upstream is down and 504 when it is too slow.

use super::error::ApiError;
use super::AppState;
use crate::embed::Claims;
use crate::metrics::UpstreamLabels;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Extension;
use futures_util::StreamExt;
use kubeglass_shared::api::is_allowed_prometheus_path;

pub async fn prometheus(
    State(state): State<AppState>,
    Path((uid, path)): Path<(String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    claims: Option<Extension<Claims>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ds = state
        .datasource(&uid)
        .ok_or_else(|| ApiError::NotFound(format!("data source `{uid}` is not configured")))?;
    if !is_allowed_prometheus_path(&path) {
        return Err(ApiError::Forbidden(format!("`/api/v1/{path}` is not a read endpoint the proxy allows (query, query_range, labels, label/NAME/values, series, metadata, query_exemplars, status/buildinfo)")));
    }
    if let Some(Extension(claims)) = &claims {
        let params = if method == Method::POST {
            &body[..]
        } else {
            query.as_deref().unwrap_or("").as_bytes()
        };
        super::embed::check_query(&state, claims, &uid, &path, params).await?;
    }
    let mut url = ds.api_url(&path);
    url.set_query(query.as_deref());
    let request = match method {
        Method::GET => state.http.get(url),
        Method::POST => {
            let form = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if !form && !body.is_empty() {
                return Err(ApiError::BadRequest("POST to the Prometheus proxy needs Content-Type: application/x-www-form-urlencoded".into()));
            }
            state
                .http
                .post(url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "method {other} is not allowed on the Prometheus proxy (GET or POST)"
            )))
        }
    };
    let count = |outcome: &'static str| {
        state
            .metrics
            .upstream
            .get_or_create(&UpstreamLabels {
                datasource: uid.clone(),
                outcome,
            })
            .inc()
    };
    let limits = &state.config.limits;
    let upstream = match request.timeout(limits.upstream_timeout).send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            count("timeout");
            return Err(ApiError::GatewayTimeout(format!(
                "data source `{uid}` did not answer within {}s",
                limits.upstream_timeout.as_secs()
            )));
        }
        Err(e) => {
            count("unreachable");
            return Err(ApiError::BadGateway(format!(
                "data source `{uid}` is unreachable: {}",
                error_chain(&e)
            )));
        }
    };
    let status = upstream.status();
    let content_type = upstream.headers().get(header::CONTENT_TYPE).cloned();
    if upstream
        .content_length()
        .is_some_and(|n| n > limits.max_response_bytes as u64)
    {
        count("too_large");
        return Err(too_large(&uid, limits.max_response_bytes));
    }
    let mut body = Vec::new();
    let mut stream = upstream.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            count(if e.is_timeout() { "timeout" } else { "broken" });
            if e.is_timeout() {
                ApiError::GatewayTimeout(format!(
                    "data source `{uid}` did not finish its answer within {}s",
                    limits.upstream_timeout.as_secs()
                ))
            } else {
                ApiError::BadGateway(format!(
                    "data source `{uid}` broke off its answer: {}",
                    error_chain(&e)
                ))
            }
        })?;
        if body.len() + chunk.len() > limits.max_response_bytes {
            count("too_large");
            return Err(too_large(&uid, limits.max_response_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    count(if status.is_success() { "ok" } else { "error" });
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        content_type.unwrap_or_else(|| HeaderValue::from_static("application/json")),
    );
    Ok(response)
}

fn too_large(uid: &str, limit: usize) -> ApiError {
    ApiError::BadGateway(format!("data source `{uid}` answered with more than {limit} bytes (--max-response-bytes); narrow the query or the time range"))
}

/// An error and its causes on one line ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
