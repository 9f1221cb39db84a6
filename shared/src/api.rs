//! The JSON shapes the backend's HTTP API sends and the front end reads.
//!
//! The dashboard endpoints are shaped like Grafana's HTTP API (`/api/search`,
//! `/api/dashboards/uid/{uid}`, `/api/dashboards/db`) so that tools written for Grafana work
//! against kubeglass unchanged.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Path prefix of the Prometheus proxy for data source `uid`; the Prometheus HTTP API path
/// (`query_range`, `labels`, ...) follows it.
pub fn prometheus_api_base(datasource_uid: &str) -> String {
    format!("/api/datasources/{datasource_uid}/prometheus/api/v1")
}

/// The Prometheus HTTP API endpoints the proxy passes on; every one of them only reads.
/// `label/{name}/values` is matched separately since it carries a label name.
pub const PROMETHEUS_READ_ENDPOINTS: &[&str] = &[
    "query",
    "query_range",
    "labels",
    "series",
    "metadata",
    "query_exemplars",
    "status/buildinfo",
];

/// Whether `path` (what follows `/api/v1/`) is one of the read endpoints the proxy allows.
pub fn is_allowed_prometheus_path(path: &str) -> bool {
    if PROMETHEUS_READ_ENDPOINTS.contains(&path) {
        return true;
    }
    match path
        .strip_prefix("label/")
        .and_then(|p| p.strip_suffix("/values"))
    {
        Some(name) => is_valid_label_name(name),
        None => false,
    }
}

/// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One configured data source, as `GET /api/datasources` lists it. The upstream URL is not
/// sent to browsers: they only ever talk to the proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceInfo {
    pub uid: String,
    pub name: String,
    /// Always `prometheus` for now: anything that speaks the Prometheus HTTP API.
    #[serde(rename = "type")]
    pub kind: String,
    pub is_default: bool,
    /// The scrape interval behind this data source, as Grafana's `jsonData.timeInterval`
    /// (`"15s"` when not configured). `$__rate_interval` and the minimum step depend on it.
    pub time_interval: String,
}

/// Body of `POST /api/dashboards/db`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveDashboardRequest {
    pub dashboard: Value,
    #[serde(default)]
    pub overwrite: bool,
    #[serde(default)]
    pub folder_uid: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// Answer to a successful `POST /api/dashboards/db`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveDashboardResponse {
    pub id: i64,
    pub uid: String,
    pub url: String,
    pub status: String,
    pub version: i64,
    pub slug: String,
}

/// Answer to `GET /api/dashboards/uid/{uid}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardWithMeta {
    pub dashboard: Value,
    pub meta: DashboardMeta,
}

/// What the store knows about a dashboard besides its JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardMeta {
    pub slug: String,
    pub url: String,
    pub version: i64,
    pub folder_uid: String,
    pub created: String,
    pub updated: String,
    pub provisioned: bool,
}

/// One row of `GET /api/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub url: String,
    pub tags: Vec<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub folder_uid: String,
}

/// The body of every error kubeglass itself answers with (Grafana's shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub message: String,
}

/// Grafana's slug of a title: lower case, runs of anything but letters and digits become one
/// `-`, no leading or trailing `-`. Used in `/d/{uid}/{slug}` URLs.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    let mut dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug
}

/// The front end URL of a dashboard.
pub fn dashboard_url(uid: &str, title: &str) -> String {
    format!("/d/{uid}/{}", slugify(title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_accepts_read_endpoints_only() {
        for ok in [
            "query",
            "query_range",
            "labels",
            "label/job/values",
            "label/__name__/values",
            "series",
            "metadata",
            "query_exemplars",
            "status/buildinfo",
        ] {
            assert!(is_allowed_prometheus_path(ok), "{ok} should be allowed");
        }
        for refused in [
            "admin/tsdb/delete_series",
            "admin/tsdb/snapshot",
            "write",
            "targets",
            "status/config",
            "status/flags",
            "label/a b/values",
            "label//values",
            "label/../admin/values",
            "query/../admin",
            "",
            "rules",
            "alerts",
        ] {
            assert!(
                !is_allowed_prometheus_path(refused),
                "{refused} should be refused"
            );
        }
    }

    #[test]
    fn slugs_match_grafana() {
        assert_eq!(slugify("Node Exporter Full"), "node-exporter-full");
        assert_eq!(
            slugify("Kubernetes / Compute Resources / Pod"),
            "kubernetes-compute-resources-pod"
        );
        assert_eq!(slugify("  CPU (%) "), "cpu");
        assert_eq!(dashboard_url("abc", "Node"), "/d/abc/node");
    }
}

/// Body of `POST /api/embed/sign`: a signed link to one panel, for the share dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignEmbedRequest {
    pub dashboard: String,
    pub panel: i64,
    /// How long the link works: `1h`, `7d`, ...
    pub expires: String,
    /// Variable values the link fixes.
    #[serde(default)]
    pub vars: std::collections::BTreeMap<String, Vec<String>>,
}

/// Answer to `POST /api/embed/sign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignEmbedResponse {
    /// Path and query of the signed `/d-solo/` link; the browser puts its origin before it.
    pub path: String,
    pub token: String,
    /// Unix seconds.
    pub expires: i64,
}

/// The header an embed token travels in on API calls (the page has it as `?token=`).
pub const EMBED_TOKEN_HEADER: &str = "x-embed-token";

/// The header the UI sends its session's CSRF token in, on every state-changing request.
pub const CSRF_HEADER: &str = "X-Kubeglass-CSRF";

/// `GET /api/user` and the answer of `POST /api/login`: who the requests are from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub name: String,
    /// `viewer` or `editor`.
    pub role: String,
    /// How the user was recognised: `none`, `session`, `basic`, `proxy` or `token`.
    pub via: String,
    /// The server's auth mode: `none`, `basic` or `proxy`.
    pub auth: String,
    /// The token to send in [`CSRF_HEADER`] (sessions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf: Option<String>,
}

/// `POST /api/login` (`--auth basic`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
}

/// `POST /api/render/text`: a text panel's content, rendered by the server (so that the UI
/// carries no Markdown parser). `mode` is the panel's `options.mode`: `markdown` (the default),
/// `html` or `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderTextRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub content: String,
}

/// The longest text panel content `POST /api/render/text` takes, in bytes.
pub const MAX_TEXT_CONTENT_BYTES: usize = 256 * 1024;

/// Answer to `POST /api/render/text`: safe HTML (scripts, event handlers and `javascript:`
/// URLs removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderTextResponse {
    pub html: String,
}

/// Where the login page goes afterwards (`?next=`): only a path of this site, so that a crafted
/// link cannot send the user elsewhere (`//host`, `/\host` and URLs are refused).
pub fn safe_next_path(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/".into(),
    }
}

#[cfg(test)]
mod auth_tests {
    use super::safe_next_path;

    #[test]
    fn login_follows_only_local_paths() {
        let next = |s: &str| safe_next_path(Some(s.into()));
        assert_eq!(next("/d/node?from=now-1h"), "/d/node?from=now-1h");
        assert_eq!(next("//evil.example.com"), "/");
        assert_eq!(next("https://evil.example.com"), "/");
        assert_eq!(next("/\\evil.example.com"), "/");
        assert_eq!(safe_next_path(None), "/");
    }
}
