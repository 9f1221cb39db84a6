//! The plumbing of the Kubernetes pages: the backend's cluster list, a WebSocket that
//! reconnects by itself, and live lists that the watch WebSocket keeps up to date.

pub mod socket;
pub mod watch;

use gloo_net::http::Request;
use kubeglass_shared::api::ErrorBody;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
struct ClusterInfo {
    name: String,
}

/// The message of an error answer of the Kubernetes endpoints (`{"message"}`), or the start
/// of its body.
async fn error_text(what: &str, resp: gloo_net::http::Response) -> String {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let message = match serde_json::from_str::<ErrorBody>(&body) {
        Ok(b) => b.message,
        Err(_) if body.trim().is_empty() => "(empty body)".into(),
        Err(_) => body.trim().chars().take(300).collect(),
    };
    format!("{what}: HTTP {status}: {message}")
}

/// `GET /api/k8s/clusters`: the names of the configured clusters. With none configured the
/// backend answers 404 with a message saying so, which is returned as the error.
pub async fn clusters() -> Result<Vec<String>, String> {
    let what = "GET /api/k8s/clusters";
    let resp = Request::get("/api/k8s/clusters")
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if !resp.ok() {
        return Err(error_text(what, resp).await);
    }
    let list: Vec<ClusterInfo> = resp
        .json()
        .await
        .map_err(|e| format!("{what}: unexpected answer: {e}"))?;
    Ok(list.into_iter().map(|c| c.name).collect())
}

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// The REST path of a list: `/api/k8s/{cluster}/{kind}` or
/// `/api/k8s/{cluster}/namespaces/{ns}/{kind}`.
pub fn list_path(cluster: &str, kind: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("/api/k8s/{}/namespaces/{}/{kind}", enc(cluster), enc(ns)),
        None => format!("/api/k8s/{}/{kind}", enc(cluster)),
    }
}

/// Why a list cannot be read, asked with a one-item `GET` when its watch could not connect:
/// a WebSocket that fails to open tells the page nothing, the REST answer names the cause
/// (no such cluster, the cluster unreachable, kubeglass down). `None` when the list reads.
pub async fn list_error(cluster: &str, kind: &str, namespace: Option<&str>) -> Option<String> {
    let path = format!("{}?limit=1", list_path(cluster, kind, namespace));
    let what = format!("GET {path}");
    match Request::get(&path).send().await {
        Err(e) => Some(format!("{what}: {e}")),
        Ok(resp) if !resp.ok() => Some(error_text(&what, resp).await),
        Ok(_) => None,
    }
}

/// `ws://` or `wss://` URL of a path on this server.
pub fn ws_url(path_and_query: &str) -> String {
    let location = leptos::prelude::window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss:",
        _ => "ws:",
    };
    format!(
        "{scheme}//{}{path_and_query}",
        location.host().unwrap_or_default()
    )
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    enc(s)
}
