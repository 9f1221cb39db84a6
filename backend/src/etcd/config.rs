//! The etcd clusters kubeglass reads: `--etcd URL[,URL...]` (with `--etcd-ca`, `--etcd-cert`,
//! `--etcd-key`, `--etcd-user`, `--etcd-password[-file]`) gives the cluster `default`; the TOML
//! file's `[etcd]` table gives the same settings and `[etcd.clusters.NAME]` more clusters.
//! `--etcd-allow-prefix` and `--etcd-deny-prefix` apply to every cluster.

use crate::config::ConfigError;
use clap::Args;
use kubeglass_shared::etcd::PrefixPolicy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Args, Default)]
pub struct EtcdArgs {
    /// Endpoints of the etcd cluster named `default`, comma-separated (`http://127.0.0.1:2379`).
    #[arg(
        long = "etcd",
        env = "KUBEGLASS_ETCD",
        value_name = "URL[,URL...]",
        value_delimiter = ','
    )]
    pub endpoints: Vec<String>,
    /// CA certificate (PEM) that signs the etcd servers' certificates (https endpoints).
    #[arg(long, env = "KUBEGLASS_ETCD_CA", value_name = "FILE")]
    pub etcd_ca: Option<PathBuf>,
    /// Client certificate (PEM) for etcd; needs --etcd-key.
    #[arg(long, env = "KUBEGLASS_ETCD_CERT", value_name = "FILE")]
    pub etcd_cert: Option<PathBuf>,
    /// Private key (PEM) of the client certificate.
    #[arg(long, env = "KUBEGLASS_ETCD_KEY", value_name = "FILE")]
    pub etcd_key: Option<PathBuf>,
    /// etcd user (with --etcd-password or --etcd-password-file).
    #[arg(long, env = "KUBEGLASS_ETCD_USER")]
    pub etcd_user: Option<String>,
    /// Password of --etcd-user; prefer the environment variable or --etcd-password-file, which
    /// do not show in the process list.
    #[arg(long, env = "KUBEGLASS_ETCD_PASSWORD", hide_env_values = true)]
    pub etcd_password: Option<String>,
    /// File whose first line is the password of --etcd-user.
    #[arg(long, env = "KUBEGLASS_ETCD_PASSWORD_FILE", value_name = "FILE")]
    pub etcd_password_file: Option<PathBuf>,
    /// Only prefixes under one of these may be read; repeat for several. [default: all]
    #[arg(
        long = "etcd-allow-prefix",
        env = "KUBEGLASS_ETCD_ALLOW_PREFIX",
        value_name = "PREFIX",
        value_delimiter = ','
    )]
    pub allow_prefix: Vec<String>,
    /// Prefixes never read (nor any prefix that contains them); `/registry/secrets/` always is.
    #[arg(
        long = "etcd-deny-prefix",
        env = "KUBEGLASS_ETCD_DENY_PREFIX",
        value_name = "PREFIX",
        value_delimiter = ','
    )]
    pub deny_prefix: Vec<String>,
}

/// One cluster's settings in the TOML file (`[etcd]` for `default`, `[etcd.clusters.NAME]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ClusterFile {
    #[serde(default)]
    endpoints: Endpoints,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    user: Option<String>,
    #[serde(alias = "password_file")]
    password_file: Option<PathBuf>,
    #[serde(alias = "allow_prefix", default)]
    allow_prefix: Vec<String>,
    #[serde(alias = "deny_prefix", default)]
    deny_prefix: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Endpoints {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Endpoints {
    fn list(self) -> Vec<String> {
        match self {
            Endpoints::None => vec![],
            Endpoints::One(s) => s.split(',').map(str::to_owned).collect(),
            Endpoints::Many(v) => v,
        }
    }
}

/// A cluster ready to connect to: every file read, every value checked.
#[derive(Clone)]
pub struct EtcdCluster {
    pub name: String,
    pub endpoints: Vec<String>,
    /// PEM of the CA certificate.
    pub ca: Option<Vec<u8>>,
    /// PEM of the client certificate and its key.
    pub identity: Option<(Vec<u8>, Vec<u8>)>,
    pub user: Option<(String, String)>,
    pub policy: PrefixPolicy,
}

impl std::fmt::Debug for EtcdCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdCluster")
            .field("name", &self.name)
            .field("endpoints", &self.endpoints)
            .field("tls", &(self.ca.is_some() || self.identity.is_some()))
            .field("user", &self.user.as_ref().map(|(u, _)| u))
            .field("policy", &self.policy)
            .finish()
    }
}

fn invalid(
    flag: &'static str,
    value: impl Into<String>,
    message: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        flag,
        value: value.into(),
        message: message.into(),
    }
}

fn read(flag: &'static str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| invalid(flag, path.display().to_string(), e.to_string()))
}

/// Merges the flags (and their environment variables) over the file's `etcd` value.
pub fn load(args: EtcdArgs, file: Option<toml::Value>) -> Result<Vec<EtcdCluster>, ConfigError> {
    let bad = |e: toml::de::Error| invalid("etcd", "(config file)", e.to_string());
    let mut table = match file {
        None => toml::Table::new(),
        Some(v @ (toml::Value::String(_) | toml::Value::Array(_))) => {
            toml::Table::from_iter([("endpoints".to_owned(), v)])
        }
        Some(toml::Value::Table(t)) => t,
        Some(other) => {
            return Err(invalid(
                "etcd",
                other.to_string(),
                "in the config file, etcd is a URL list or an [etcd] table",
            ))
        }
    };
    let named: BTreeMap<String, ClusterFile> = match table.remove("clusters") {
        Some(v) => v.try_into().map_err(bad)?,
        None => BTreeMap::new(),
    };
    let default: ClusterFile = toml::Value::Table(table).try_into().map_err(bad)?;
    let allow = if args.allow_prefix.is_empty() {
        default.allow_prefix.clone()
    } else {
        args.allow_prefix.clone()
    };
    let deny = if args.deny_prefix.is_empty() {
        default.deny_prefix.clone()
    } else {
        args.deny_prefix.clone()
    };
    let mut clusters = Vec::new();
    let endpoints = if args.endpoints.is_empty() {
        default.endpoints.list()
    } else {
        args.endpoints
    };
    if !endpoints.is_empty() {
        let password = match (
            args.etcd_password,
            args.etcd_password_file.or(default.password_file),
        ) {
            (Some(p), _) => Some(p),
            (None, Some(path)) => Some(first_line(&read("etcd-password-file", &path)?)),
            (None, None) => None,
        };
        clusters.push(cluster(
            "default",
            endpoints,
            args.etcd_ca.or(default.ca),
            args.etcd_cert.or(default.cert),
            args.etcd_key.or(default.key),
            args.etcd_user.or(default.user),
            password,
            PrefixPolicy::new(allow.clone(), deny.clone()),
        )?);
    }
    for (name, c) in named {
        if clusters.iter().any(|x: &EtcdCluster| x.name == name) {
            continue; // --etcd names `default` and wins over the file
        }
        let password = match &c.password_file {
            Some(path) => Some(first_line(&read("etcd-password-file", path)?)),
            None => None,
        };
        let mut a = allow.clone();
        a.extend(c.allow_prefix);
        let mut d = deny.clone();
        d.extend(c.deny_prefix);
        clusters.push(cluster(
            &name,
            c.endpoints.list(),
            c.ca,
            c.cert,
            c.key,
            c.user,
            password,
            PrefixPolicy::new(a, d),
        )?);
    }
    Ok(clusters)
}

fn first_line(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[allow(clippy::too_many_arguments)]
fn cluster(
    name: &str,
    endpoints: Vec<String>,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    user: Option<String>,
    password: Option<String>,
    policy: PrefixPolicy,
) -> Result<EtcdCluster, ConfigError> {
    let valid_name = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid_name {
        return Err(invalid(
            "etcd",
            name,
            "a cluster name is 1 to 63 of a-z, 0-9, - and _",
        ));
    }
    if endpoints.is_empty() {
        return Err(invalid("etcd", name, "the cluster has no endpoints"));
    }
    let tls = ca.is_some() || cert.is_some();
    let mut checked = Vec::new();
    for e in endpoints {
        let e = e.trim().trim_end_matches('/').to_owned();
        let url = url::Url::parse(&e).map_err(|err| {
            invalid(
                "etcd",
                &e,
                format!("not a URL like http://127.0.0.1:2379: {err}"),
            )
        })?;
        match url.scheme() {
            "http" if tls => return Err(invalid("etcd", &e, "TLS settings need https endpoints")),
            "http" | "https" => {}
            _ => return Err(invalid("etcd", &e, "the scheme must be http or https")),
        }
        if url.host().is_none() || url.path() != "/" && !url.path().is_empty() {
            return Err(invalid(
                "etcd",
                &e,
                "an endpoint is scheme://host:port, no path",
            ));
        }
        checked.push(e);
    }
    let identity = match (cert, key) {
        (Some(c), Some(k)) => Some((read("etcd-cert", &c)?, read("etcd-key", &k)?)),
        (None, None) => None,
        (Some(c), None) => {
            return Err(invalid(
                "etcd-cert",
                c.display().to_string(),
                "needs --etcd-key",
            ))
        }
        (None, Some(k)) => {
            return Err(invalid(
                "etcd-key",
                k.display().to_string(),
                "needs --etcd-cert",
            ))
        }
    };
    let user = match (user, password) {
        (Some(u), Some(p)) => Some((u, p)),
        (None, None) => None,
        (Some(u), None) => {
            return Err(invalid(
                "etcd-user",
                u,
                "needs a password (KUBEGLASS_ETCD_PASSWORD or --etcd-password-file)",
            ))
        }
        (None, Some(_)) => return Err(invalid("etcd-password", "(hidden)", "needs --etcd-user")),
    };
    Ok(EtcdCluster {
        name: name.to_owned(),
        endpoints: checked,
        ca: ca.map(|p| read("etcd-ca", &p)).transpose()?,
        identity,
        user,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Option<toml::Value> {
        let t: toml::Table = toml::from_str(text).unwrap();
        t.get("etcd").cloned()
    }

    #[test]
    fn the_flag_gives_the_default_cluster() {
        let c = load(
            EtcdArgs {
                endpoints: vec![
                    "http://127.0.0.1:2379".into(),
                    "http://127.0.0.1:22379/".into(),
                ],
                deny_prefix: vec!["/private/".into()],
                ..Default::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "default");
        assert_eq!(
            c[0].endpoints,
            ["http://127.0.0.1:2379", "http://127.0.0.1:22379"]
        );
        assert_eq!(c[0].policy.deny, ["/private/", "/registry/secrets/"]);
    }

    #[test]
    fn the_file_gives_named_clusters_and_flags_win() {
        let f = file(
            "[etcd]\nendpoints = \"http://a:2379\"\ndeny-prefix = [\"/x/\"]\n[etcd.clusters.prod]\nendpoints = [\"http://p:2379\"]\nallow-prefix = [\"/app/\"]\n",
        );
        let c = load(EtcdArgs::default(), f.clone()).unwrap();
        assert_eq!(
            c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["default", "prod"]
        );
        assert_eq!(c[0].endpoints, ["http://a:2379"]);
        assert_eq!(c[1].policy.allow, ["/app/"]);
        assert_eq!(c[1].policy.deny, ["/x/", "/registry/secrets/"]);
        let c = load(
            EtcdArgs {
                endpoints: vec!["http://b:2379".into()],
                ..Default::default()
            },
            f,
        )
        .unwrap();
        assert_eq!(c[0].endpoints, ["http://b:2379"]);
        let c = load(
            EtcdArgs::default(),
            file("etcd = \"http://s:1,http://t:2\""),
        )
        .unwrap();
        assert_eq!(c[0].endpoints, ["http://s:1", "http://t:2"]);
    }

    #[test]
    fn bad_settings_are_named() {
        let e = load(
            EtcdArgs::default(),
            file("[etcd]\nendpoint = \"http://a:1\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown field `endpoint`"), "{e}");
        let e = load(
            EtcdArgs {
                endpoints: vec!["ftp://a:1".into()],
                ..Default::default()
            },
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("--etcd ftp://a:1: the scheme"), "{e}");
        let e = load(
            EtcdArgs {
                endpoints: vec!["http://a:1".into()],
                etcd_user: Some("root".into()),
                ..Default::default()
            },
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("needs a password"), "{e}");
        let e = load(
            EtcdArgs::default(),
            file("[etcd.clusters.Bad]\nendpoints = \"http://a:1\"\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("cluster name"), "{e}");
    }
}
