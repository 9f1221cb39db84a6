//! kubeglass's configuration: command-line flags, `KUBEGLASS_*` environment variables and an
//! optional TOML file, merged in that order of precedence (flags win, then the environment,
//! then the file, then the defaults).

use crate::datasources::{DataSource, DataSourceError};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// kubeglass: a Grafana-like monitoring dashboard for Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "kubeglass", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a password (one line) on stdin and print its Argon2 hash, for a line of --users.
    HashPassword,
    /// Create an API token for automation and print it (it is shown only this once; the
    /// store keeps its SHA-256). Send it as `Authorization: Bearer TOKEN`.
    CreateToken {
        /// A name for the token, unique.
        #[arg(long)]
        name: String,
        /// viewer (reads) or editor (also changes dashboards).
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// Check dashboard JSON files as an import would, and report what is wrong with each.
    CheckDashboard {
        /// Print one JSON array, an object per file, instead of text.
        #[arg(long)]
        json: bool,
        /// Dashboard JSON files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a signed link to one panel that works without login until it expires.
    EmbedLink {
        /// Uid of the dashboard.
        #[arg(long)]
        dashboard: String,
        /// Id of the panel (as in `panelId=`).
        #[arg(long)]
        panel: i64,
        /// How long the link works: `90s`, `30m`, `12h`, `7d`, `4w`.
        #[arg(long)]
        expires: String,
        /// A variable value the link fixes, `NAME=VALUE`; repeat for several.
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// Where users reach kubeglass. [default: --public-url, else http://LISTEN]
        #[arg(long)]
        base_url: Option<String>,
    },
}

/// Flags of the server. Every one is optional here so that the environment and the TOML file
/// can fill what the command line leaves out; [`Config::load`] applies the defaults.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (keys as the flag names, `-` or `_`).
    #[arg(long, env = "KUBEGLASS_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on. Anything but loopback needs an auth mode. [default: 127.0.0.1:3000]
    #[arg(long, env = "KUBEGLASS_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// Directory for the dashboard store (SQLite) and the embed key. [default: ./data]
    #[arg(long, env = "KUBEGLASS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// URL of one Prometheus (or Thanos, Mimir, VictoriaMetrics): a data source with uid `prometheus`.
    #[arg(long, env = "KUBEGLASS_PROMETHEUS")]
    pub prometheus: Option<String>,
    /// Data sources in Grafana's provisioning format (`apiVersion: 1`, `datasources: [...]`).
    #[arg(long, env = "KUBEGLASS_DATASOURCES")]
    pub datasources: Option<PathBuf>,
    /// Directory of dashboard JSON files, loaded (and overwritten) at start.
    #[arg(long, env = "KUBEGLASS_DASHBOARDS")]
    pub dashboards: Option<PathBuf>,
    /// Directory of the built UI (trunk's output). [default: ./dist]
    #[arg(long, env = "KUBEGLASS_UI")]
    pub ui: Option<PathBuf>,
    /// Who may use kubeglass: `none` (loopback only), `basic` (users of --users: a login page,
    /// HTTP Basic for tools) or `proxy` (a user header set by an authenticating reverse proxy).
    /// API tokens work in every mode. [default: none]
    #[arg(long, env = "KUBEGLASS_AUTH", value_enum)]
    pub auth: Option<AuthMode>,
    /// Users for `--auth basic`: a line per user, `name:ARGON2_HASH:role` (role viewer or
    /// editor); make hashes with `kubeglass hash-password`.
    #[arg(long, env = "KUBEGLASS_USERS")]
    pub users: Option<PathBuf>,
    /// `--auth proxy`: the header holding the user name. [default: X-Forwarded-User]
    #[arg(long, env = "KUBEGLASS_PROXY_HEADER")]
    pub proxy_header: Option<String>,
    /// `--auth proxy`: addresses or networks (`10.0.0.0/8`) of the proxy; the user header is
    /// believed only from these. Required for proxy auth.
    #[arg(
        long,
        env = "KUBEGLASS_PROXY_TRUSTED",
        value_name = "ADDR[/BITS]",
        value_delimiter = ','
    )]
    pub proxy_trusted: Vec<String>,
    /// `--auth proxy`: user names that are editors; everyone else the proxy lets in is a viewer.
    #[arg(
        long,
        env = "KUBEGLASS_PROXY_EDITORS",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub proxy_editors: Vec<String>,
    /// Hours a login session lasts. [default: 12]
    #[arg(long, env = "KUBEGLASS_SESSION_HOURS")]
    pub session_hours: Option<u64>,
    /// Prometheus queries one user (or address) may have running at once; up to eight times as
    /// many more wait, and past that they are answered with 429. [default: 16]
    #[arg(long, env = "KUBEGLASS_MAX_CONCURRENT_QUERIES")]
    pub max_concurrent_queries: Option<usize>,
    /// Seconds an upstream query may take before it is answered with 504. [default: 30]
    #[arg(long, env = "KUBEGLASS_UPSTREAM_TIMEOUT")]
    pub upstream_timeout: Option<u64>,
    /// Largest upstream response passed on, in bytes; larger ones are answered with 502. [default: 67108864]
    #[arg(long, env = "KUBEGLASS_MAX_RESPONSE_BYTES")]
    pub max_response_bytes: Option<usize>,
    /// Largest request body accepted (dashboard JSON, query forms), in bytes. [default: 10485760]
    #[arg(long, env = "KUBEGLASS_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// An origin (`https://wiki.example.com`) whose pages may show kubeglass panels in an
    /// iframe; repeat for several. Without any, no page may frame kubeglass.
    #[arg(
        long = "allow-embedding",
        env = "KUBEGLASS_ALLOW_EMBEDDING",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allow_embedding: Vec<String>,
    /// File holding the key that signs embed links (created on first start when absent);
    /// replacing it revokes every signed link. [default: DATA_DIR/embed.key]
    #[arg(long, env = "KUBEGLASS_EMBED_KEY_FILE", global = true)]
    pub embed_key_file: Option<PathBuf>,
    /// Kubeconfig file of the Kubernetes cluster `default`. Without it, `KUBECONFIG`, the
    /// in-cluster service account, or `~/.kube/config`, in that order.
    #[arg(long, env = "KUBEGLASS_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Context of the kubeconfig for the cluster `default`. [default: its current context]
    #[arg(long, env = "KUBEGLASS_CONTEXT")]
    pub context: Option<String>,
    /// URL of a Kubernetes API server reached without credentials (tests, `kubectl proxy`),
    /// as the cluster `default`.
    #[arg(long = "k8s-url", env = "KUBEGLASS_K8S_URL")]
    pub k8s_url: Option<String>,
    /// Where users reach kubeglass (`https://kubeglass.example.com`): its host name is one this
    /// server answers to, and signed links are made with it.
    #[arg(long, env = "KUBEGLASS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// A host name (`kubeglass.example.com`) this server answers to besides IP addresses,
    /// `localhost` and the host of --public-url; repeat for several. Requests naming any other
    /// host are refused, so that a page whose name was rebound to this address cannot use it.
    #[arg(
        long = "allowed-host",
        env = "KUBEGLASS_ALLOWED_HOST",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub allowed_host: Vec<String>,
    /// Connections served at once; past it new ones wait to be accepted. [default: 1024, at
    /// most the open-files limit less a reserve]
    #[arg(long, env = "KUBEGLASS_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Objects one Kubernetes watch keeps at most; past it the pages say that the list is cut.
    /// [default: 200000]
    #[arg(long = "k8s-max-objects", env = "KUBEGLASS_K8S_MAX_OBJECTS")]
    pub k8s_max_objects: Option<usize>,
    #[command(flatten)]
    pub etcd: crate::etcd::config::EtcdArgs,
}

/// The auth modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Everyone is an editor; loopback only.
    None,
    /// Users and passwords of `--users`.
    Basic,
    /// A user header from an authenticating reverse proxy.
    Proxy,
}

impl AuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Basic => "basic",
            AuthMode::Proxy => "proxy",
        }
    }
}

/// The same settings as [`ServeArgs`], read from the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    listen: Option<SocketAddr>,
    #[serde(alias = "data_dir")]
    data_dir: Option<PathBuf>,
    prometheus: Option<String>,
    datasources: Option<PathBuf>,
    dashboards: Option<PathBuf>,
    ui: Option<PathBuf>,
    auth: Option<AuthMode>,
    users: Option<PathBuf>,
    #[serde(alias = "proxy_header")]
    proxy_header: Option<String>,
    #[serde(alias = "proxy_trusted", default)]
    proxy_trusted: Vec<String>,
    #[serde(alias = "proxy_editors", default)]
    proxy_editors: Vec<String>,
    #[serde(alias = "session_hours")]
    session_hours: Option<u64>,
    #[serde(alias = "max_concurrent_queries")]
    max_concurrent_queries: Option<usize>,
    #[serde(alias = "upstream_timeout")]
    upstream_timeout: Option<u64>,
    #[serde(alias = "max_response_bytes")]
    max_response_bytes: Option<usize>,
    #[serde(alias = "max_body_bytes")]
    max_body_bytes: Option<usize>,
    #[serde(alias = "allow_embedding", default)]
    allow_embedding: Vec<String>,
    #[serde(alias = "embed_key_file")]
    embed_key_file: Option<PathBuf>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    #[serde(alias = "k8s_url")]
    k8s_url: Option<String>,
    #[serde(alias = "public_url")]
    public_url: Option<String>,
    #[serde(alias = "allowed_host", default)]
    allowed_host: Vec<String>,
    #[serde(alias = "max_connections")]
    max_connections: Option<usize>,
    #[serde(alias = "k8s_max_objects")]
    k8s_max_objects: Option<usize>,
    /// Named Kubernetes clusters: `[[kubernetes]]` tables.
    #[serde(default)]
    kubernetes: Vec<crate::k8s::ClusterSpec>,
    /// etcd: a URL list (the cluster `default`), or an `[etcd]` table with
    /// `[etcd.clusters.NAME]` tables (see `etcd::config`).
    etcd: Option<toml::Value>,
}

/// The configuration the server runs with, every default applied and every check passed.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub ui_dir: PathBuf,
    pub dashboards_dir: Option<PathBuf>,
    pub datasources: Vec<DataSource>,
    pub auth: AuthMode,
    pub users: Option<std::sync::Arc<crate::auth::Users>>,
    pub proxy: ProxyAuth,
    pub session_ttl: Duration,
    pub limits: Limits,
    /// Origins allowed to frame `/d/` and `/d-solo/` pages, as `scheme://host[:port]`.
    pub allow_embedding: Vec<String>,
    pub embed_key_file: PathBuf,
    /// The Kubernetes clusters, by name.
    pub clusters: crate::k8s::Clusters,
    /// The etcd clusters, in name order.
    pub etcd: Vec<crate::etcd::config::EtcdCluster>,
    /// Where users reach kubeglass, without a trailing `/`, when configured.
    pub public_url: Option<String>,
    /// Host names (lowercase) served besides IP addresses and `localhost`: --allowed-host and
    /// the host of --public-url.
    pub allowed_hosts: Vec<String>,
}

/// Bounds on what kubeglass accepts from outside and waits for from upstreams.
#[derive(Debug, Clone)]
pub struct Limits {
    pub upstream_timeout: Duration,
    pub max_response_bytes: usize,
    pub max_body_bytes: usize,
    pub max_concurrent_queries: usize,
    /// Connections served at once.
    pub max_connections: usize,
    /// Objects one Kubernetes watch keeps.
    pub k8s_max_objects: usize,
}

/// Settings of `--auth proxy`.
#[derive(Debug, Clone, Default)]
pub struct ProxyAuth {
    pub header: String,
    pub trusted: Vec<crate::auth::Cidr>,
    pub editors: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Kubernetes(String),
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error(transparent)]
    DataSources(#[from] DataSourceError),
    #[error("--listen {0}: listening beyond loopback needs an auth mode, and --auth none allows loopback only")]
    OpenWithoutAuth(SocketAddr),
    #[error("{0}")]
    Auth(String),
    #[error("--{flag} {value}: {message}")]
    Invalid {
        flag: &'static str,
        value: String,
        message: String,
    },
}

impl Config {
    /// Merges flags (and their environment variables) over the TOML file over the defaults,
    /// then checks the result.
    pub fn load(args: ServeArgs) -> Result<Config, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let listen = args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
        let auth = args.auth.or(file.auth).unwrap_or(AuthMode::None);
        if auth == AuthMode::None && !listen.ip().is_loopback() {
            return Err(ConfigError::OpenWithoutAuth(listen));
        }
        let users = match (auth, args.users.or(file.users)) {
            (AuthMode::Basic, Some(path)) => Some(std::sync::Arc::new(
                crate::auth::Users::load(&path).map_err(ConfigError::Auth)?,
            )),
            (AuthMode::Basic, None) => {
                return Err(ConfigError::Auth(
                    "--auth basic needs --users FILE (lines `name:ARGON2_HASH:role`)".into(),
                ))
            }
            (_, Some(_)) => {
                return Err(ConfigError::Auth(
                    "--users is used by --auth basic only".into(),
                ))
            }
            (_, None) => None,
        };
        let proxy_trusted = if args.proxy_trusted.is_empty() {
            file.proxy_trusted
        } else {
            args.proxy_trusted
        };
        let proxy = ProxyAuth {
            header: args
                .proxy_header
                .or(file.proxy_header)
                .unwrap_or_else(|| "X-Forwarded-User".into()),
            trusted: proxy_trusted
                .iter()
                .map(|s| crate::auth::Cidr::parse(s))
                .collect::<Result<_, _>>()
                .map_err(|e| ConfigError::Auth(format!("--proxy-trusted: {e}")))?,
            editors: if args.proxy_editors.is_empty() {
                file.proxy_editors
            } else {
                args.proxy_editors
            },
        };
        if axum::http::HeaderName::from_bytes(proxy.header.as_bytes()).is_err() {
            return Err(ConfigError::Auth(format!(
                "--proxy-header `{}` is not a header name",
                proxy.header
            )));
        }
        if auth == AuthMode::Proxy && proxy.trusted.is_empty() {
            return Err(ConfigError::Auth(
                "--auth proxy needs --proxy-trusted ADDR[/BITS]: the user header is believed only from the proxy".into(),
            ));
        }
        let session_hours = args.session_hours.or(file.session_hours).unwrap_or(12);
        if !(1..=24 * 366).contains(&session_hours) {
            return Err(ConfigError::Invalid {
                flag: "session-hours",
                value: session_hours.to_string(),
                message: "must be between 1 and 8784".into(),
            });
        }
        let max_concurrent_queries = args
            .max_concurrent_queries
            .or(file.max_concurrent_queries)
            .unwrap_or(16);
        if max_concurrent_queries == 0 {
            return Err(ConfigError::Invalid {
                flag: "max-concurrent-queries",
                value: "0".into(),
                message: "must be at least 1".into(),
            });
        }
        let mut datasources = Vec::new();
        if let Some(url) = args.prometheus.or(file.prometheus) {
            datasources.push(DataSource::from_flag(&url)?);
        }
        if let Some(path) = args.datasources.or(file.datasources) {
            datasources.extend(crate::datasources::load_provisioning_file(&path)?);
        }
        crate::datasources::check_set(&mut datasources)?;
        let upstream_timeout = args
            .upstream_timeout
            .or(file.upstream_timeout)
            .unwrap_or(30);
        if upstream_timeout == 0 {
            return Err(ConfigError::Invalid {
                flag: "upstream-timeout",
                value: "0".into(),
                message: "must be at least 1 second".into(),
            });
        }
        let allow_embedding = if args.allow_embedding.is_empty() {
            file.allow_embedding
        } else {
            args.allow_embedding
        };
        let allow_embedding = allow_embedding
            .iter()
            .map(|o| parse_origin(o))
            .collect::<Result<Vec<_>, _>>()?;
        let data_dir = args
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let clusters = crate::k8s::Clusters::from_settings(crate::k8s::ClusterSettings {
            kubeconfig: args.kubeconfig.or(file.kubeconfig),
            context: args.context.or(file.context),
            k8s_url: args.k8s_url.or(file.k8s_url),
            clusters: file.kubernetes,
        })
        .map_err(ConfigError::Kubernetes)?;
        let etcd = crate::etcd::config::load(args.etcd, file.etcd)?;
        let public_url = args
            .public_url
            .or(file.public_url)
            .map(|u| parse_public_url(&u))
            .transpose()?;
        let mut allowed_hosts = if args.allowed_host.is_empty() {
            file.allowed_host
        } else {
            args.allowed_host
        }
        .iter()
        .map(|h| parse_allowed_host(h))
        .collect::<Result<Vec<_>, _>>()?;
        if let Some(url) = &public_url {
            let host = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .expect("checked by parse_public_url");
            if !allowed_hosts.contains(&host) {
                allowed_hosts.push(host);
            }
        }
        let max_connections = args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(1024);
        if max_connections < 8 {
            return Err(ConfigError::Invalid {
                flag: "max-connections",
                value: max_connections.to_string(),
                message: "must be at least 8".into(),
            });
        }
        let k8s_max_objects = args
            .k8s_max_objects
            .or(file.k8s_max_objects)
            .unwrap_or(200_000);
        if k8s_max_objects == 0 {
            return Err(ConfigError::Invalid {
                flag: "k8s-max-objects",
                value: "0".into(),
                message: "must be at least 1".into(),
            });
        }
        Ok(Config {
            public_url,
            allowed_hosts,
            etcd,
            clusters,
            listen,
            embed_key_file: args
                .embed_key_file
                .or(file.embed_key_file)
                .unwrap_or_else(|| data_dir.join("embed.key")),
            data_dir,
            allow_embedding,
            ui_dir: args.ui.or(file.ui).unwrap_or_else(|| PathBuf::from("dist")),
            dashboards_dir: args.dashboards.or(file.dashboards),
            datasources,
            auth,
            users,
            proxy,
            session_ttl: Duration::from_secs(session_hours * 3600),
            limits: Limits {
                max_concurrent_queries,
                upstream_timeout: Duration::from_secs(upstream_timeout),
                max_response_bytes: args
                    .max_response_bytes
                    .or(file.max_response_bytes)
                    .unwrap_or(64 << 20),
                max_body_bytes: args
                    .max_body_bytes
                    .or(file.max_body_bytes)
                    .unwrap_or(10 << 20),
                max_connections,
                k8s_max_objects,
            },
        })
    }
}

/// An origin as CSP's `frame-ancestors` takes it: `scheme://host[:port]`, nothing else.
fn parse_origin(raw: &str) -> Result<String, ConfigError> {
    let invalid = |message: &str| ConfigError::Invalid {
        flag: "allow-embedding",
        value: raw.to_owned(),
        message: message.to_owned(),
    };
    let url = url::Url::parse(raw.trim())
        .map_err(|e| invalid(&format!("not an origin like https://wiki.example.com: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(invalid("an origin has no path, query, fragment or user"));
    }
    let origin = url.origin().ascii_serialization();
    if origin == "null" {
        return Err(invalid("has no host"));
    }
    Ok(origin)
}

/// `--public-url`: an http(s) URL with a host and at most a path (kubeglass behind a path
/// prefix is not supported, so the path must be `/`).
fn parse_public_url(raw: &str) -> Result<String, ConfigError> {
    let invalid = |message: &str| ConfigError::Invalid {
        flag: "public-url",
        value: raw.to_owned(),
        message: message.to_owned(),
    };
    let url = url::Url::parse(raw.trim()).map_err(|e| {
        invalid(&format!(
            "not a URL like https://kubeglass.example.com: {e}"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "kubeglass is served at the root of its host: no path, query or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a public URL carries no user or password"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `--allowed-host`: a DNS name, without scheme, port or path.
fn parse_allowed_host(raw: &str) -> Result<String, ConfigError> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(name)
    } else {
        Err(ConfigError::Invalid {
            flag: "allowed-host",
            value: raw.to_owned(),
            message: "must be a host name like kubeglass.example.com (no scheme, port or path)"
                .into(),
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let fail = |message: String| ConfigError::File {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    toml::from_str(&text).map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> ServeArgs {
        let mut argv = vec!["kubeglass"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("flags parse").serve
    }

    #[test]
    fn defaults_are_closed() {
        let c = Config::load(ServeArgs::default()).unwrap();
        assert_eq!(c.listen, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(c.datasources.is_empty());
    }

    #[test]
    fn open_listen_without_auth_is_refused() {
        let e = Config::load(parse(&["--listen", "0.0.0.0:3000"])).unwrap_err();
        assert_eq!(e.to_string(), "--listen 0.0.0.0:3000: listening beyond loopback needs an auth mode, and --auth none allows loopback only");
    }

    #[test]
    fn embedding_origins_are_checked() {
        let c = Config::load(parse(&[
            "--allow-embedding",
            "https://wiki.example.com/",
            "--allow-embedding",
            "http://127.0.0.1:8080",
        ]))
        .unwrap();
        assert_eq!(
            c.allow_embedding,
            ["https://wiki.example.com", "http://127.0.0.1:8080"]
        );
        assert_eq!(c.embed_key_file, PathBuf::from("data/embed.key"));
        for (bad, why) in [
            ("https://wiki.example.com/page", "an origin has no path"),
            ("javascript:alert(1)", "the scheme must be http or https"),
            ("*", "not an origin"),
        ] {
            let e = Config::load(parse(&["--allow-embedding", bad]))
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("--allow-embedding {bad}: ")) && e.contains(why),
                "{e}"
            );
        }
    }

    #[test]
    fn served_names_come_from_allowed_hosts_and_the_public_url() {
        let c = Config::load(parse(&[
            "--allowed-host",
            "Grafana.Example.com.",
            "--public-url",
            "https://kubeglass.example.com/",
        ]))
        .unwrap();
        assert_eq!(
            c.allowed_hosts,
            ["grafana.example.com", "kubeglass.example.com"]
        );
        assert_eq!(
            c.public_url.as_deref(),
            Some("https://kubeglass.example.com")
        );
        for (flag, bad, why) in [
            (
                "--allowed-host",
                "https://x.example",
                "no scheme, port or path",
            ),
            (
                "--allowed-host",
                "x.example:3000",
                "no scheme, port or path",
            ),
            ("--public-url", "https://x.example/kubeglass", "no path"),
            ("--public-url", "ftp://x.example", "http or https"),
        ] {
            let e = Config::load(parse(&[flag, bad])).unwrap_err().to_string();
            assert!(e.contains(why), "{flag} {bad}: {e}");
        }
    }

    #[test]
    fn flags_win_over_the_file() {
        let dir = std::env::temp_dir().join(format!("kubeglass-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("k.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:4000\"\ndata-dir = \"/var/lib/kg\"\nprometheus = \"http://127.0.0.1:9090\"\n").unwrap();
        let c = Config::load(parse(&[
            "--config",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:5000",
        ]))
        .unwrap();
        assert_eq!(c.listen.port(), 5000);
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/kg"));
        assert_eq!(c.datasources[0].uid, "prometheus");
        std::fs::write(&file, "listn = \"x\"\n").unwrap();
        let e = Config::load(parse(&["--config", file.to_str().unwrap()]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `listn`"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
