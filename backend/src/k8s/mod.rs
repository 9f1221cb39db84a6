//! Kubernetes, read-only by construction: lists, gets and shared watches of the allowlisted
//! kinds (`kubeglass_shared::k8s::KINDS`) and pod logs, for every configured cluster.
//!
//! Nothing outside the allowlist reaches an API server: every path sent upstream is built here
//! from the allowlist and validated names, never copied from the request.

pub mod cluster;
pub mod logs;
pub mod read;
pub mod watch;

use crate::http::error::ApiError;
use crate::http::AppState;
use axum::routing::{any, get};
use axum::Router;
pub use cluster::{ClusterSettings, ClusterSpec, Clusters};
use kubeglass_shared::k8s::Kind;

/// The clusters and the hub of their shared watches; cheap to clone.
#[derive(Clone)]
pub struct K8s {
    pub clusters: Clusters,
    pub hub: std::sync::Arc<watch::Hub>,
}

impl K8s {
    pub fn new(clusters: Clusters) -> K8s {
        K8s {
            clusters,
            hub: Default::default(),
        }
    }
}

/// The routes under `/api/k8s`, merged into the API router (behind its auth guard).
pub fn routes() -> Router<AppState> {
    let k8s = Router::new()
        .route("/clusters", get(read::clusters).fallback(refuse_write))
        .route("/{cluster}/watch", get(watch::watch).fallback(refuse_write))
        .route(
            "/{cluster}/namespaces/{ns}/pods/{name}/log",
            get(logs::log).fallback(refuse_write),
        )
        .route(
            "/{cluster}/namespaces/{ns}/{kind}/{name}",
            get(read::get_namespaced).fallback(refuse_write),
        )
        .route(
            "/{cluster}/namespaces/{ns}/{kind}",
            get(read::list_namespaced).fallback(refuse_write),
        )
        .route(
            "/{cluster}/namespaces/{ns}",
            get(read::get_namespace).fallback(refuse_write),
        )
        .route(
            "/{cluster}/{kind}/{name}",
            get(read::get_cluster_scoped).fallback(refuse_write),
        )
        .route(
            "/{cluster}/{kind}",
            get(read::list_all).fallback(refuse_write),
        )
        // Deeper paths (subresources such as pods/exec) match no route above; they are
        // refused here rather than by the API router's 404, so that writes get 403 everywhere.
        .route(
            "/{cluster}/namespaces/{ns}/{kind}/{name}/{*rest}",
            any(no_route),
        )
        .route("/{cluster}/{kind}/{name}/{*rest}", any(no_route))
        .fallback(no_route);
    Router::new().nest("/api/k8s", k8s)
}

/// Any verb but GET on a Kubernetes route.
async fn refuse_write(method: axum::http::Method) -> ApiError {
    ApiError::Forbidden(format!(
        "kubeglass only reads from Kubernetes: {method} is refused"
    ))
}

async fn no_route(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    if method != axum::http::Method::GET {
        return refuse_write(method).await;
    }
    ApiError::NotFound(format!("no Kubernetes API route {}", uri.path()))
}

/// The allowlisted kind with this plural, or 403 naming it.
pub fn allowed_kind(plural: &str) -> Result<&'static Kind, ApiError> {
    kubeglass_shared::k8s::kind(plural).ok_or_else(|| {
        ApiError::Forbidden(format!(
            "kind {:?} is not readable through kubeglass; it reads only {}",
            truncate(plural, 64),
            kubeglass_shared::k8s::KINDS
                .iter()
                .map(|k| k.plural)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// A namespace or object name as Kubernetes allows them (a DNS-1123 subdomain: lowercase
/// letters, digits, `-` and `.`, at most 253 characters), or 400 naming the parameter.
pub fn valid_name<'a>(what: &str, value: &'a str) -> Result<&'a str, ApiError> {
    let ok = !value.is_empty()
        && value.len() <= 253
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && value.as_bytes()[0].is_ascii_alphanumeric()
        && value.as_bytes()[value.len() - 1].is_ascii_alphanumeric();
    if ok {
        Ok(value)
    } else {
        Err(ApiError::BadRequest(format!(
            "{what} {:?} is not a valid Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)",
            truncate(value, 64)
        )))
    }
}

/// The API path of a kind's collection (in a namespace, or across all of them / cluster-wide).
pub fn collection_path(kind: &Kind, namespace: Option<&str>) -> String {
    let prefix = if kind.api_version.contains('/') {
        format!("/apis/{}", kind.api_version)
    } else {
        format!("/api/{}", kind.api_version)
    };
    match namespace {
        Some(ns) if kind.namespaced => format!("{prefix}/namespaces/{ns}/{}", kind.plural),
        _ => format!("{prefix}/{}", kind.plural),
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// What is served of an object: never its `managedFields` (they name every field each
/// client ever set, ConfigMap keys included), and ConfigMaps as metadata only: their data,
/// and the copy of it kubectl keeps in an annotation, are dropped.
pub fn redact(kind: &Kind, object: &mut serde_json::Value) {
    let Some(o) = object.as_object_mut() else {
        return;
    };
    if let Some(metadata) = o.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        metadata.remove("managedFields");
    }
    if kind.plural != "configmaps" {
        return;
    }
    o.remove("data");
    o.remove("binaryData");
    if let Some(annotations) = o
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(|a| a.as_object_mut())
    {
        annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_come_from_the_allowlist() {
        let pods = allowed_kind("pods").unwrap();
        assert_eq!(
            collection_path(pods, Some("shop")),
            "/api/v1/namespaces/shop/pods"
        );
        assert_eq!(collection_path(pods, None), "/api/v1/pods");
        let deploy = allowed_kind("deployments").unwrap();
        assert_eq!(
            collection_path(deploy, Some("shop")),
            "/apis/apps/v1/namespaces/shop/deployments"
        );
        let nodes = allowed_kind("nodes").unwrap();
        assert_eq!(collection_path(nodes, Some("x")), "/api/v1/nodes");
        let e = allowed_kind("secrets").unwrap_err().to_string();
        assert!(e.starts_with("kind \"secrets\" is not readable"), "{e}");
    }

    #[test]
    fn routes_do_not_conflict() {
        let _ = routes();
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("namespace", "kube-system").is_ok());
        assert!(valid_name("name", "web.1").is_ok());
        for bad in ["", "Upper", "a/b", "..", "-a", "a b", "a%2f"] {
            let e = valid_name("name", bad).unwrap_err().to_string();
            assert!(e.contains("is not a valid Kubernetes name"), "{bad}: {e}");
        }
    }

    /// The ClusterRole of `deploy/` grants get/list/watch on exactly the allowlist, and get on
    /// pods/log: nothing more (no secrets, no writes).
    #[test]
    fn the_deployed_cluster_role_grants_the_allowlist_only() {
        let role: serde_json::Value =
            serde_yaml_ng::from_str(include_str!("../../../deploy/clusterrole.yaml")).unwrap();
        let mut granted = std::collections::BTreeSet::new();
        for rule in role["rules"].as_array().unwrap() {
            let verbs: Vec<&str> = rule["verbs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            for group in rule["apiGroups"].as_array().unwrap() {
                for resource in rule["resources"].as_array().unwrap() {
                    let resource = resource.as_str().unwrap();
                    let expected: &[&str] = if resource == "pods/log" {
                        &["get"]
                    } else {
                        &["get", "list", "watch"]
                    };
                    assert_eq!(verbs, expected, "{resource}");
                    granted.insert((group.as_str().unwrap().to_owned(), resource.to_owned()));
                }
            }
        }
        let mut wanted: std::collections::BTreeSet<(String, String)> = kubeglass_shared::k8s::KINDS
            .iter()
            .map(|k| {
                let group = k.api_version.rsplit_once('/').map_or("", |(g, _)| g);
                (group.to_owned(), k.plural.to_owned())
            })
            .collect();
        wanted.insert((String::new(), "pods/log".into()));
        assert_eq!(granted, wanted);
    }

    #[test]
    fn config_maps_lose_their_data() {
        let cm = allowed_kind("configmaps").unwrap();
        let mut o = serde_json::json!({"metadata": {"name": "x", "annotations": {"a": "b", "kubectl.kubernetes.io/last-applied-configuration": "{}"},
            "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:data": {"f:password": {}}}}]}, "data": {"k": "v"}, "binaryData": {}});
        redact(cm, &mut o);
        assert_eq!(
            o,
            serde_json::json!({"metadata": {"name": "x", "annotations": {"a": "b"}}})
        );
        // Every kind loses its managedFields, and keeps the rest.
        let pods = allowed_kind("pods").unwrap();
        let mut p = serde_json::json!({"metadata": {"name": "p", "managedFields": [{"manager": "m"}]}, "spec": {"x": 1}});
        redact(pods, &mut p);
        assert_eq!(
            p,
            serde_json::json!({"metadata": {"name": "p"}, "spec": {"x": 1}})
        );
    }
}
