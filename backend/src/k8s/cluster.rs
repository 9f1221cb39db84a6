//! Which clusters kubeglass reads, and their clients.
//!
//! One cluster named `default` comes from a single flag: `--k8s-url URL` (a plain URL, no
//! credentials: tests, `kubectl proxy`), `--kubeconfig FILE` and/or `--context NAME`; without
//! any of them, from the `KUBECONFIG` environment variable, the in-cluster service account
//! (`KUBERNETES_SERVICE_HOST`), or `~/.kube/config` when it exists. More clusters, each with a
//! name, come from `[[kubernetes]]` tables of the TOML config file. Clients are made on first
//! use; one that cannot be made (a kubeconfig being rewritten, an exec plugin or the in-cluster
//! token failing) is tried again on later use, at most once per backoff interval.

use crate::http::error::ApiError;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The Kubernetes settings of the flags, environment and TOML file, before they are checked.
#[derive(Debug, Default, Clone)]
pub struct ClusterSettings {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub k8s_url: Option<String>,
    pub clusters: Vec<ClusterSpec>,
}

/// A `[[kubernetes]]` table of the TOML file: a name and exactly one of `url`, `kubeconfig`
/// (with an optional `context`) or `in-cluster = true`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClusterSpec {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub kubeconfig: Option<PathBuf>,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default, alias = "in_cluster")]
    pub in_cluster: bool,
}

/// Where a cluster's API server and credentials come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterSource {
    Url(String),
    /// `None`: `KUBECONFIG`, else `~/.kube/config`.
    Kubeconfig {
        path: Option<PathBuf>,
        context: Option<String>,
    },
    InCluster,
}

impl ClusterSource {
    fn describe(&self) -> String {
        match self {
            ClusterSource::Url(u) => u.clone(),
            ClusterSource::Kubeconfig { path, context } => format!(
                "kubeconfig {}{}",
                path.as_ref()
                    .map_or("(KUBECONFIG or ~/.kube/config)".into(), |p| p
                        .display()
                        .to_string()),
                context
                    .as_ref()
                    .map_or(String::new(), |c| format!(", context {c}"))
            ),
            ClusterSource::InCluster => "the in-cluster service account".into(),
        }
    }
}

/// The configured clusters; cheap to clone.
#[derive(Clone, Default)]
pub struct Clusters {
    inner: Arc<Vec<Cluster>>,
}

pub struct Cluster {
    pub name: String,
    pub source: ClusterSource,
    client: tokio::sync::Mutex<ClientCache>,
}

/// A cluster's client once made, or its last failure and when to try again.
#[derive(Default)]
struct ClientCache {
    client: Option<kube::Client>,
    failed: Option<Failure>,
}

struct Failure {
    message: String,
    retry_at: Instant,
    /// The wait after this failure; doubled by the next one.
    backoff: Duration,
}

/// The first wait after a client could not be made, and the longest.
const FIRST_RETRY: Duration = Duration::from_millis(500);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

impl std::fmt::Debug for Clusters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.inner.iter().map(|c| (&c.name, &c.source)))
            .finish()
    }
}

fn valid_cluster_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn check_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be http or https".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("a cluster URL has no query, fragment or user".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Clusters {
    /// Checks the settings: names, URLs, and that kubeconfig files and contexts exist.
    pub fn from_settings(settings: ClusterSettings) -> Result<Clusters, String> {
        let mut list: Vec<(String, ClusterSource)> = Vec::new();
        if let Some(url) = &settings.k8s_url {
            let url = check_url(url).map_err(|e| format!("--k8s-url {url}: {e}"))?;
            if settings.kubeconfig.is_some() || settings.context.is_some() {
                return Err(
                    "--k8s-url names a cluster by URL alone; it does not go with --kubeconfig or --context"
                        .into(),
                );
            }
            list.push(("default".into(), ClusterSource::Url(url)));
        } else if settings.kubeconfig.is_some() || settings.context.is_some() {
            let source = ClusterSource::Kubeconfig {
                path: settings.kubeconfig.clone(),
                context: settings.context.clone(),
            };
            check_kubeconfig(&source)?;
            list.push(("default".into(), source));
        } else if std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty()) {
            let source = ClusterSource::Kubeconfig {
                path: None,
                context: None,
            };
            check_kubeconfig(&source)?;
            list.push(("default".into(), source));
        } else if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
            list.push(("default".into(), ClusterSource::InCluster));
        } else if std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".kube/config"))
            .is_some_and(|p| p.is_file())
        {
            let source = ClusterSource::Kubeconfig {
                path: None,
                context: None,
            };
            match check_kubeconfig(&source) {
                Ok(()) => list.push(("default".into(), source)),
                Err(e) => tracing::warn!("not using ~/.kube/config: {e}"),
            }
        }
        for spec in settings.clusters {
            let name = spec.name.clone();
            let fail = |m: &str| format!("cluster {name:?} of the config file: {m}");
            if !valid_cluster_name(&name) {
                return Err(fail(
                    "a cluster name has 1 to 63 lowercase letters, digits, '-' or '_'",
                ));
            }
            if list.iter().any(|(n, _)| *n == name) {
                return Err(fail(
                    "the name is used twice (the flags' cluster is `default`)",
                ));
            }
            let source = match (&spec.url, &spec.kubeconfig, spec.in_cluster) {
                (Some(url), None, false) if spec.context.is_none() => {
                    ClusterSource::Url(check_url(url).map_err(|e| fail(&format!("url {url}: {e}")))?)
                }
                (None, path, false) if path.is_some() || spec.context.is_some() => {
                    let source = ClusterSource::Kubeconfig {
                        path: path.clone(),
                        context: spec.context.clone(),
                    };
                    check_kubeconfig(&source).map_err(|e| fail(&e))?;
                    source
                }
                (None, None, true) if spec.context.is_none() => ClusterSource::InCluster,
                _ => {
                    return Err(fail(
                        "give exactly one of url, kubeconfig (with an optional context) or in-cluster = true",
                    ))
                }
            };
            list.push((name, source));
        }
        Ok(Clusters {
            inner: Arc::new(
                list.into_iter()
                    .map(|(name, source)| Cluster {
                        name,
                        source,
                        client: Default::default(),
                    })
                    .collect(),
            ),
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.inner.iter().map(|c| c.name.clone()).collect()
    }

    /// The cluster of this name, or 404 saying that none is configured or naming it.
    pub fn get(&self, name: &str) -> Result<&Cluster, ApiError> {
        if self.inner.is_empty() {
            return Err(ApiError::NotFound(
                "no Kubernetes cluster is configured (see --k8s-url, --kubeconfig, --context)"
                    .into(),
            ));
        }
        self.inner.iter().find(|c| c.name == name).ok_or_else(|| {
            ApiError::NotFound(format!(
                "no Kubernetes cluster named {:?}; configured: {}",
                super::truncate(name, 64),
                self.names().join(", ")
            ))
        })
    }
}

fn check_kubeconfig(source: &ClusterSource) -> Result<(), String> {
    let ClusterSource::Kubeconfig { path, context } = source else {
        return Ok(());
    };
    let kubeconfig = match path {
        Some(p) => kube::config::Kubeconfig::read_from(p)
            .map_err(|e| format!("--kubeconfig {}: {e}", p.display()))?,
        None => kube::config::Kubeconfig::read().map_err(|e| format!("kubeconfig: {e}"))?,
    };
    if let Some(context) = context {
        if !kubeconfig.contexts.iter().any(|c| c.name == *context) {
            return Err(format!(
                "--context {context}: no such context in the kubeconfig (it has: {})",
                kubeconfig
                    .contexts
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

impl Cluster {
    /// The cluster's client, made on first use; 502 when it cannot be made (bad credentials,
    /// an exec plugin that fails). A failure is tried again on a later call once its backoff
    /// (0.5 s, doubling up to 30 s) has passed.
    pub async fn client(&self) -> Result<kube::Client, ApiError> {
        // Callers at the same time wait for one attempt rather than each making a client.
        let mut cache = self.client.lock().await;
        if let Some(client) = &cache.client {
            return Ok(client.clone());
        }
        let now = Instant::now();
        if let Some(f) = cache.failed.as_ref().filter(|f| now < f.retry_at) {
            return Err(self.cannot_make(&f.message, f.retry_at - now));
        }
        match self.make_client().await {
            Ok(client) => {
                cache.client = Some(client.clone());
                cache.failed = None;
                Ok(client)
            }
            Err(message) => {
                let backoff = cache
                    .failed
                    .as_ref()
                    .map_or(FIRST_RETRY, |f| (f.backoff * 2).min(LONGEST_RETRY));
                tracing::warn!(cluster = %self.name, %message, retry_in = ?backoff, "cannot make a Kubernetes client");
                let e = self.cannot_make(&message, backoff);
                cache.failed = Some(Failure {
                    message,
                    retry_at: now + backoff,
                    backoff,
                });
                Err(e)
            }
        }
    }

    fn cannot_make(&self, message: &str, retry_in: Duration) -> ApiError {
        // The wait is logged, not told: the message stays the same while the cause does, so
        // that a watch reports it once.
        tracing::debug!(cluster = %self.name, ?retry_in, "Kubernetes client not made yet");
        ApiError::BadGateway(format!(
            "cluster {} ({}): cannot make a client: {message}; kubeglass keeps trying",
            self.name,
            self.source.describe(),
        ))
    }

    async fn make_client(&self) -> Result<kube::Client, String> {
        let mut config = match &self.source {
            ClusterSource::Url(url) => {
                let uri: axum::http::Uri = url.parse().map_err(|e| format!("{e}"))?;
                kube::Config::new(uri)
            }
            ClusterSource::Kubeconfig { path, context } => {
                let kubeconfig = match path {
                    Some(p) => kube::config::Kubeconfig::read_from(p),
                    None => kube::config::Kubeconfig::read(),
                }
                .map_err(|e| e.to_string())?;
                let options = kube::config::KubeConfigOptions {
                    context: context.clone(),
                    ..Default::default()
                };
                kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                    .await
                    .map_err(|e| e.to_string())?
            }
            ClusterSource::InCluster => kube::Config::incluster().map_err(|e| e.to_string())?,
        };
        config.connect_timeout = Some(Duration::from_secs(5));
        // No read timeout of the client's own: lists and gets are bounded by
        // --upstream-timeout, watches by the watcher's idle timeout, and a followed log may
        // rightly stay quiet for long.
        config.read_timeout = None;
        kube::Client::try_from(config).map_err(|e| e.to_string())
    }

    /// A 502 for an API server that could not be reached or answered garbage.
    pub fn unreachable(&self, e: impl std::fmt::Display) -> ApiError {
        ApiError::BadGateway(format!(
            "cluster {} ({}) is unreachable: {e}",
            self.name,
            self.source.describe()
        ))
    }
}

/// Named clusters for a whole config, by name (for tests of the settings).
#[allow(dead_code)]
pub fn by_name(c: &Clusters) -> HashMap<String, ClusterSource> {
    c.inner
        .iter()
        .map(|c| (c.name.clone(), c.source.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_the_default_cluster() {
        let c = Clusters::from_settings(ClusterSettings {
            k8s_url: Some("http://127.0.0.1:6443/".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            by_name(&c)["default"],
            ClusterSource::Url("http://127.0.0.1:6443".into())
        );
        let e = Clusters::from_settings(ClusterSettings {
            k8s_url: Some("ftp://x".into()),
            ..Default::default()
        })
        .err()
        .unwrap();
        assert!(e.contains("the scheme must be http or https"), "{e}");
    }

    #[test]
    fn config_file_clusters_are_checked() {
        let spec = |name: &str, url: Option<&str>, in_cluster: bool| ClusterSpec {
            name: name.into(),
            url: url.map(Into::into),
            kubeconfig: None,
            context: None,
            in_cluster,
        };
        let c = Clusters::from_settings(ClusterSettings {
            k8s_url: Some("http://127.0.0.1:1".into()),
            clusters: vec![
                spec("prod", Some("https://prod.example.com:6443"), false),
                spec("here", None, true),
            ],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.names(), ["default", "prod", "here"]);
        for (bad, why) in [
            (spec("default", Some("http://x"), false), "used twice"),
            (spec("Prod", Some("http://x"), false), "lowercase"),
            (spec("both", Some("http://x"), true), "exactly one of"),
            (spec("none", None, false), "exactly one of"),
        ] {
            let e = Clusters::from_settings(ClusterSettings {
                k8s_url: Some("http://127.0.0.1:1".into()),
                clusters: vec![bad],
                ..Default::default()
            })
            .err()
            .unwrap();
            assert!(e.contains(why), "{e}");
        }
        let e = Clusters::from_settings(ClusterSettings {
            kubeconfig: Some("/nonexistent/kubeconfig".into()),
            ..Default::default()
        })
        .err()
        .unwrap();
        assert!(
            e.starts_with("--kubeconfig /nonexistent/kubeconfig: "),
            "{e}"
        );
    }
}
