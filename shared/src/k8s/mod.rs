//! The Kubernetes views' contract between the backend and the browser: which kinds may be
//! read, and the messages of the watch and log WebSockets.
//!
//! Objects travel as the API server's own JSON (`serde_json::Value`), so nothing of theirs is
//! lost on the way; the front end reads the fields it shows.

pub mod view;

use serde::{Deserialize, Serialize};

/// A kind kubeglass may list, get and watch: its plural as in API paths, the API group
/// version, and whether it lives in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub plural: &'static str,
    /// `v1` for the core group, else `GROUP/VERSION`.
    pub api_version: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
}

/// The allowlist. Secrets are not in it, and nothing outside it reaches the API server.
/// ConfigMaps are served as metadata only (their `data` and `binaryData` are dropped).
pub const KINDS: &[Kind] = &[
    Kind {
        plural: "namespaces",
        api_version: "v1",
        kind: "Namespace",
        namespaced: false,
    },
    Kind {
        plural: "nodes",
        api_version: "v1",
        kind: "Node",
        namespaced: false,
    },
    Kind {
        plural: "pods",
        api_version: "v1",
        kind: "Pod",
        namespaced: true,
    },
    Kind {
        plural: "services",
        api_version: "v1",
        kind: "Service",
        namespaced: true,
    },
    Kind {
        plural: "endpointslices",
        api_version: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        namespaced: true,
    },
    Kind {
        plural: "deployments",
        api_version: "apps/v1",
        kind: "Deployment",
        namespaced: true,
    },
    Kind {
        plural: "replicasets",
        api_version: "apps/v1",
        kind: "ReplicaSet",
        namespaced: true,
    },
    Kind {
        plural: "statefulsets",
        api_version: "apps/v1",
        kind: "StatefulSet",
        namespaced: true,
    },
    Kind {
        plural: "daemonsets",
        api_version: "apps/v1",
        kind: "DaemonSet",
        namespaced: true,
    },
    Kind {
        plural: "jobs",
        api_version: "batch/v1",
        kind: "Job",
        namespaced: true,
    },
    Kind {
        plural: "cronjobs",
        api_version: "batch/v1",
        kind: "CronJob",
        namespaced: true,
    },
    Kind {
        plural: "ingresses",
        api_version: "networking.k8s.io/v1",
        kind: "Ingress",
        namespaced: true,
    },
    Kind {
        plural: "persistentvolumeclaims",
        api_version: "v1",
        kind: "PersistentVolumeClaim",
        namespaced: true,
    },
    Kind {
        plural: "persistentvolumes",
        api_version: "v1",
        kind: "PersistentVolume",
        namespaced: false,
    },
    Kind {
        plural: "events",
        api_version: "v1",
        kind: "Event",
        namespaced: true,
    },
    Kind {
        plural: "configmaps",
        api_version: "v1",
        kind: "ConfigMap",
        namespaced: true,
    },
];

/// The allowlisted kind with this plural, if any.
pub fn kind(plural: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.plural == plural)
}

/// A message from the server on `/api/k8s/{cluster}/watch?kind=&namespace=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WatchMessage {
    /// Every object, sent first and again whenever the upstream watch had to relist (after
    /// `410 Gone` or a lost connection); `resynced` is true for the latter. The client
    /// replaces what it holds.
    #[serde(rename = "SNAPSHOT")]
    Snapshot {
        #[serde(rename = "resourceVersion")]
        resource_version: String,
        items: Vec<serde_json::Value>,
        #[serde(default)]
        resynced: bool,
        /// Set when the server keeps fewer objects than the cluster has (its
        /// `--k8s-max-objects`): says how many are shown of how many.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        incomplete: Option<String>,
    },
    #[serde(rename = "ADDED")]
    Added { object: serde_json::Value },
    #[serde(rename = "MODIFIED")]
    Modified { object: serde_json::Value },
    #[serde(rename = "DELETED")]
    Deleted { object: serde_json::Value },
    /// The upstream is unreachable; the server keeps trying and sends a snapshot once back.
    #[serde(rename = "ERROR")]
    Error { message: String },
    /// Objects were left out after the snapshot (the server keeps no more than its limit):
    /// the list is still live but no longer complete.
    #[serde(rename = "INCOMPLETE")]
    Incomplete { message: String },
}

/// A message from the server on the pod log WebSocket
/// (`/api/k8s/{cluster}/namespaces/{ns}/pods/{name}/log?container=&follow=&tailLines=&sinceSeconds=&previous=&timestamps=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LogMessage {
    /// Lines in order; a line longer than the limit is cut and `truncated` is set.
    #[serde(rename = "LINES")]
    Lines { lines: Vec<LogLine> },
    /// The log ended (the container stopped, or `follow` was false).
    #[serde(rename = "END")]
    End,
    #[serde(rename = "ERROR")]
    Error { message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_allowlisted() {
        assert!(kind("secrets").is_none());
        assert_eq!(kind("pods").unwrap().kind, "Pod");
    }

    #[test]
    fn watch_messages_are_tagged_as_kubernetes_events() {
        let m = WatchMessage::Added {
            object: serde_json::json!({"kind": "Pod"}),
        };
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"type": "ADDED", "object": {"kind": "Pod"}})
        );
        let s: WatchMessage =
            serde_json::from_str(r#"{"type":"SNAPSHOT","resourceVersion":"7","items":[]}"#)
                .unwrap();
        assert_eq!(
            s,
            WatchMessage::Snapshot {
                resource_version: "7".into(),
                items: vec![],
                resynced: false,
                incomplete: None,
            }
        );
    }
}
