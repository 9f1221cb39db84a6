//! Data sources: the Prometheus-compatible upstreams kubeglass proxies to, configured with
//! `--prometheus URL` or a file in Grafana's provisioning format so that a Grafana user's
//! existing file works unchanged.

use kubeglass_shared::api::DataSourceInfo;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use url::Url;

/// One upstream that speaks the Prometheus HTTP API.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSource {
    pub uid: String,
    pub name: String,
    /// Base URL; the proxy appends `api/v1/...` to its path.
    pub url: Url,
    pub is_default: bool,
    /// Scrape interval behind it (Grafana's `jsonData.timeInterval`), `15s` when not set.
    pub time_interval: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DataSourceError {
    #[error("data sources file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("data source `{name}`: {message}")]
    Invalid { name: String, message: String },
}

/// Grafana's provisioning file: `apiVersion: 1` and a list of data sources. Keys kubeglass has
/// no use for (`access`, `editable`, `orgId`, ...) are accepted and ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvisioningFile {
    api_version: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    datasources: Vec<ProvisionedDataSource>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvisionedDataSource {
    name: String,
    uid: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    json_data: JsonData,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonData {
    time_interval: Option<String>,
}

const DEFAULT_TIME_INTERVAL: &str = "15s";

impl DataSource {
    /// The data source `--prometheus URL` stands for: uid `prometheus`, the default.
    pub fn from_flag(url: &str) -> Result<DataSource, DataSourceError> {
        Ok(DataSource {
            uid: "prometheus".into(),
            name: "Prometheus".into(),
            url: parse_url("Prometheus", url)?,
            is_default: true,
            time_interval: DEFAULT_TIME_INTERVAL.into(),
        })
    }

    /// What browsers may know of it (not its URL).
    pub fn info(&self) -> DataSourceInfo {
        DataSourceInfo {
            uid: self.uid.clone(),
            name: self.name.clone(),
            kind: "prometheus".into(),
            is_default: self.is_default,
            time_interval: self.time_interval.clone(),
        }
    }

    /// The upstream URL of a Prometheus API path (`query_range`, `label/job/values`). The path
    /// comes from the allowlist, never straight from a request.
    pub fn api_url(&self, api_path: &str) -> Url {
        let mut url = self.url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}/api/v1/{api_path}"));
        url.set_query(None);
        url
    }
}

fn parse_url(name: &str, raw: &str) -> Result<Url, DataSourceError> {
    let invalid = |message: String| DataSourceError::Invalid {
        name: name.into(),
        message,
    };
    let url = Url::parse(raw).map_err(|e| invalid(format!("url `{raw}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "url `{raw}`: scheme must be http or https"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "url `{raw}`: must not have a query or fragment"
        )));
    }
    Ok(url)
}

/// Reads a provisioning file; data sources of other types than `prometheus` are refused by name.
pub fn load_provisioning_file(path: &Path) -> Result<Vec<DataSource>, DataSourceError> {
    let fail = |message: String| DataSourceError::File {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    parse_provisioning(&text).map_err(|e| match e {
        DataSourceError::File { message, .. } => fail(message),
        other => other,
    })
}

fn parse_provisioning(text: &str) -> Result<Vec<DataSource>, DataSourceError> {
    let fail = |message: String| DataSourceError::File {
        path: PathBuf::new(),
        message,
    };
    let file: ProvisioningFile = serde_yaml_ng::from_str(text).map_err(|e| fail(e.to_string()))?;
    match file.api_version {
        Some(v) if v.as_u64() == Some(1) || v.as_str() == Some("1") => {}
        Some(v) => return Err(fail(format!("apiVersion {v:?} is not supported (only 1)"))),
        None => return Err(fail("apiVersion is missing (expected 1)".into())),
    }
    file.datasources
        .into_iter()
        .map(|d| {
            let invalid = |message: String| DataSourceError::Invalid {
                name: d.name.clone(),
                message,
            };
            if d.kind != "prometheus" {
                return Err(invalid(format!(
                    "type `{}` is not supported (only prometheus)",
                    d.kind
                )));
            }
            let url = d
                .url
                .as_deref()
                .ok_or_else(|| invalid("url is missing".into()))?;
            let uid = d
                .uid
                .clone()
                .unwrap_or_else(|| kubeglass_shared::api::slugify(&d.name));
            kubeglass_shared::model::validate::check_uid(&uid)
                .map_err(|m| invalid(format!("uid `{uid}` {m}")))?;
            Ok(DataSource {
                uid,
                name: d.name.clone(),
                url: parse_url(&d.name, url)?,
                is_default: d.is_default,
                time_interval: d
                    .json_data
                    .time_interval
                    .clone()
                    .unwrap_or_else(|| DEFAULT_TIME_INTERVAL.into()),
            })
        })
        .collect()
}

/// Checks the whole set: uids unique, at most one default; with none marked, the first is.
pub fn check_set(sources: &mut [DataSource]) -> Result<(), DataSourceError> {
    for (i, d) in sources.iter().enumerate() {
        if sources[..i].iter().any(|o| o.uid == d.uid) {
            return Err(DataSourceError::Invalid {
                name: d.name.clone(),
                message: format!("uid `{}` is used by another data source", d.uid),
            });
        }
    }
    let defaults: Vec<_> = sources
        .iter()
        .filter(|d| d.is_default)
        .map(|d| d.name.clone())
        .collect();
    if defaults.len() > 1 {
        return Err(DataSourceError::Invalid {
            name: defaults[1].clone(),
            message: format!(
                "isDefault is also set on `{}`; only one may be the default",
                defaults[0]
            ),
        });
    }
    if defaults.is_empty() {
        if let Some(first) = sources.first_mut() {
            first.is_default = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_grafanas_provisioning_format() {
        let text = r#"
apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    access: proxy
    url: http://prometheus.monitoring:9090
    isDefault: true
    jsonData:
      timeInterval: 5s
  - name: Thanos Query
    uid: thanos
    type: prometheus
    url: https://thanos.example/prefix/
"#;
        let mut ds = parse_provisioning(text).unwrap();
        check_set(&mut ds).unwrap();
        assert_eq!(ds[0].uid, "prometheus");
        assert_eq!(ds[0].time_interval, "5s");
        assert!(ds[0].is_default && !ds[1].is_default);
        assert_eq!(
            ds[1].api_url("query_range").as_str(),
            "https://thanos.example/prefix/api/v1/query_range"
        );
        assert_eq!(
            ds[0].api_url("label/job/values").as_str(),
            "http://prometheus.monitoring:9090/api/v1/label/job/values"
        );
    }

    #[test]
    fn names_what_is_wrong() {
        let e = parse_provisioning(
            "apiVersion: 1\ndatasources:\n  - name: Loki\n    type: loki\n    url: http://loki\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "data source `Loki`: type `loki` is not supported (only prometheus)"
        );
        let e = parse_provisioning("apiVersion: 1\ndatasources:\n  - name: P\n    type: prometheus\n    url: file:///etc/passwd\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "data source `P`: url `file:///etc/passwd`: scheme must be http or https"
        );
        let e = parse_provisioning("datasources: []\n").unwrap_err();
        assert!(e.to_string().contains("apiVersion is missing"), "{e}");
        let mut two = vec![
            DataSource::from_flag("http://a").unwrap(),
            DataSource::from_flag("http://b").unwrap(),
        ];
        assert_eq!(
            check_set(&mut two).unwrap_err().to_string(),
            "data source `Prometheus`: uid `prometheus` is used by another data source"
        );
    }
}
