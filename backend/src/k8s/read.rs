//! Lists and gets: the API server's own JSON, passed on (ConfigMaps without their data).

use super::{allowed_kind, collection_path, redact, truncate, valid_name};
use crate::http::error::ApiError;
use crate::http::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kubeglass_shared::k8s::Kind;

/// `GET /api/k8s/clusters`: `[{"name": "default"}, ...]`.
pub async fn clusters(State(state): State<AppState>) -> Result<Response, ApiError> {
    let names = state.k8s.clusters.names();
    if names.is_empty() {
        // The same 404 as every other Kubernetes endpoint says.
        state.k8s.clusters.get("default")?;
    }
    Ok(Json(
        names
            .into_iter()
            .map(|name| serde_json::json!({ "name": name }))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

/// The query parameters a list passes on, each checked: `labelSelector`, `fieldSelector`,
/// `limit`, `continue`. Anything else is refused with 400 naming it.
fn list_query(raw: Option<&str>) -> Result<Vec<(&'static str, String)>, ApiError> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let bad = |m: &str| {
            ApiError::BadRequest(format!(
                "query parameter {key}={:?}: {m}",
                truncate(&value, 64)
            ))
        };
        let key: &'static str = match key.as_ref() {
            "labelSelector" => "labelSelector",
            "fieldSelector" => "fieldSelector",
            "limit" => "limit",
            "continue" => "continue",
            other => {
                return Err(ApiError::BadRequest(format!(
                    "query parameter {:?} is not supported; use labelSelector, fieldSelector, limit or continue",
                    truncate(other, 64)
                )))
            }
        };
        if out.iter().any(|(k, _)| *k == key) {
            return Err(bad("given twice"));
        }
        match key {
            "labelSelector" | "fieldSelector" => {
                if value.len() > 1024 {
                    return Err(bad("longer than 1024 characters"));
                }
                if !value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " -_./=!,()".contains(c))
                {
                    return Err(bad(
                        "a selector has letters, digits, spaces and - _ . / = ! , ( ) only",
                    ));
                }
            }
            "limit" => match value.parse::<u32>() {
                Ok(n) if (1..=5000).contains(&n) => {}
                _ => return Err(bad("limit is a whole number from 1 to 5000")),
            },
            _ => {
                if value.len() > 4096 || !value.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(bad("a continue token is at most 4096 printable characters"));
                }
            }
        }
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

/// `GET /api/k8s/{cluster}/{kind}`: every namespace, or a cluster-scoped kind.
pub async fn list_all(
    State(state): State<AppState>,
    Path((cluster, kind)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let kind = allowed_kind(&kind)?;
    let params = list_query(query.as_deref())?;
    fetch(&state, &cluster, kind, collection_path(kind, None), &params).await
}

/// `GET /api/k8s/{cluster}/namespaces/{ns}/{kind}`
pub async fn list_namespaced(
    State(state): State<AppState>,
    Path((cluster, ns, kind)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let kind = allowed_kind(&kind)?;
    let ns = valid_name("namespace", &ns)?;
    if !kind.namespaced {
        return Err(not_namespaced(kind));
    }
    let params = list_query(query.as_deref())?;
    fetch(
        &state,
        &cluster,
        kind,
        collection_path(kind, Some(ns)),
        &params,
    )
    .await
}

/// `GET /api/k8s/{cluster}/namespaces/{ns}/{kind}/{name}`
pub async fn get_namespaced(
    State(state): State<AppState>,
    Path((cluster, ns, kind, name)): Path<(String, String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let kind = allowed_kind(&kind)?;
    let ns = valid_name("namespace", &ns)?;
    let name = valid_name("name", &name)?;
    if !kind.namespaced {
        return Err(not_namespaced(kind));
    }
    no_query(query.as_deref())?;
    let path = format!("{}/{name}", collection_path(kind, Some(ns)));
    fetch(&state, &cluster, kind, path, &[]).await
}

/// `GET /api/k8s/{cluster}/namespaces/{ns}`: the namespace itself.
pub async fn get_namespace(
    State(state): State<AppState>,
    Path((cluster, ns)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let kind = allowed_kind("namespaces")?;
    let ns = valid_name("namespace", &ns)?;
    no_query(query.as_deref())?;
    let path = format!("{}/{ns}", collection_path(kind, None));
    fetch(&state, &cluster, kind, path, &[]).await
}

/// `GET /api/k8s/{cluster}/{kind}/{name}`: an object of a cluster-scoped kind (a node).
pub async fn get_cluster_scoped(
    State(state): State<AppState>,
    Path((cluster, kind, name)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let kind = allowed_kind(&kind)?;
    let name = valid_name("name", &name)?;
    if kind.namespaced {
        return Err(ApiError::BadRequest(format!(
            "{} live in namespaces: ask for /api/k8s/{{cluster}}/namespaces/{{ns}}/{}/{name}",
            kind.plural, kind.plural
        )));
    }
    no_query(query.as_deref())?;
    let path = format!("{}/{name}", collection_path(kind, None));
    fetch(&state, &cluster, kind, path, &[]).await
}

fn not_namespaced(kind: &Kind) -> ApiError {
    ApiError::BadRequest(format!(
        "{} are not namespaced: ask for /api/k8s/{{cluster}}/{}",
        kind.plural, kind.plural
    ))
}

fn no_query(raw: Option<&str>) -> Result<(), ApiError> {
    match raw {
        Some(q) if !q.is_empty() => Err(ApiError::BadRequest(
            "a single object takes no query parameters".into(),
        )),
        _ => Ok(()),
    }
}

/// GETs `path` (built from the allowlist) from the cluster and passes the JSON on: bounded in
/// size and time, ConfigMaps redacted, the API server's errors passed with their status and
/// message.
async fn fetch(
    state: &AppState,
    cluster: &str,
    kind: &Kind,
    path: String,
    params: &[(&'static str, String)],
) -> Result<Response, ApiError> {
    let cluster = state.k8s.clusters.get(cluster)?;
    let client = cluster.client().await?;
    let mut uri = path;
    if !params.is_empty() {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            q.append_pair(k, v);
        }
        uri = format!("{uri}?{}", q.finish());
    }
    let request = axum::http::Request::get(&uri)
        .header(header::ACCEPT, "application/json")
        .body(kube::client::Body::empty())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let limits = &state.config.limits;
    let response = tokio::time::timeout(limits.upstream_timeout, client.send(request))
        .await
        .map_err(|_| {
            ApiError::GatewayTimeout(format!(
                "cluster {} did not answer within {} s",
                cluster.name,
                limits.upstream_timeout.as_secs()
            ))
        })?
        .map_err(|e| cluster.unreachable(e))?;
    let status = response.status();
    let body = tokio::time::timeout(
        limits.upstream_timeout,
        axum::body::to_bytes(
            axum::body::Body::new(response.into_body()),
            limits.max_response_bytes,
        ),
    )
    .await
    .map_err(|_| {
        ApiError::GatewayTimeout(format!(
            "cluster {} did not finish its answer within {} s",
            cluster.name,
            limits.upstream_timeout.as_secs()
        ))
    })?
    .map_err(|e| {
        ApiError::BadGateway(format!(
            "cluster {}: reading the answer failed or it is larger than {} bytes: {e}",
            cluster.name, limits.max_response_bytes
        ))
    })?;
    let mut value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadGateway(format!(
            "cluster {} answered {status} with something that is not JSON: {e}",
            cluster.name
        ))
    })?;
    if !status.is_success() {
        let message = value["message"]
            .as_str()
            .map(|m| truncate(m, 1024))
            .unwrap_or_else(|| format!("status {status}"));
        let message = format!("cluster {}: {message}", cluster.name);
        return Err(match status {
            StatusCode::NOT_FOUND => ApiError::NotFound(message),
            StatusCode::BAD_REQUEST => ApiError::BadRequest(message),
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => ApiError::Forbidden(message),
            StatusCode::GONE => return Ok(gone(message)),
            _ => ApiError::BadGateway(message),
        });
    }
    if let Some(items) = value.get_mut("items").and_then(|i| i.as_array_mut()) {
        for item in items {
            redact(kind, item);
        }
    } else {
        redact(kind, &mut value);
    }
    Ok(Json(value).into_response())
}

/// An expired continue token: 410, so the client starts its list again.
fn gone(message: String) -> Response {
    (
        StatusCode::GONE,
        Json(kubeglass_shared::api::ErrorBody { message }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_are_checked() {
        let q = list_query(Some("labelSelector=app%3Dweb%2Ctier+in+(a,b)&limit=2")).unwrap();
        assert_eq!(
            q,
            vec![
                ("labelSelector", "app=web,tier in (a,b)".to_owned()),
                ("limit", "2".to_owned())
            ]
        );
        for (bad, why) in [
            ("watch=true", "\"watch\" is not supported"),
            ("limit=0", "from 1 to 5000"),
            ("limit=x", "from 1 to 5000"),
            ("labelSelector=a%3Cb", "a selector has"),
            ("limit=1&limit=2", "given twice"),
        ] {
            let e = list_query(Some(bad)).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
