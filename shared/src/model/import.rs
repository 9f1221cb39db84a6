//! Importing a dashboard JSON as Grafana's import page does: read the text (a dashboard
//! object, or Grafana's API shape `{"dashboard": ..., "meta": ...}`), check it, summarise it
//! for a preview, and fill in the `__inputs` of an exported dashboard (`${DS_PROMETHEUS}`)
//! with the data sources the user picks.
//!
//! The import page (front end) and `kubeglass check-dashboard` (backend) both read files with
//! [`parse_dashboard`], so a file one accepts the other accepts too.

use crate::model::migrate::migrate;
use crate::model::validate::{validate_dashboard, ValidationError};
use crate::panels::is_supported;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Why a text cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not JSON at all; `line` and `column` are 1-based, as serde_json counts them.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a dashboard kubeglass can store; names the JSON path.
    Invalid(ValidationError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // serde_json's message ends with "at line L column C" already.
            ImportError::Json { message, .. } => write!(f, "not valid JSON: {message}"),
            ImportError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Reads `text` as a dashboard: the dashboard object itself, or Grafana's API shape
/// `{"dashboard": {...}, "meta": ...}` (unwrapped). The value is returned as written, every
/// field kept; it is not migrated.
pub fn parse_dashboard(text: &str) -> Result<Value, ImportError> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if value.get("panels").is_none() && value.get("rows").is_none() {
        if let Some(inner) = value.get_mut("dashboard").filter(|d| d.is_object()) {
            value = inner.take();
        }
    }
    validate_dashboard(&value).map_err(ImportError::Invalid)?;
    Ok(value)
}

/// One entry of an exported dashboard's `__inputs`: a value the importer must supply, most
/// often a data source (`{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId":
/// "prometheus"}`), referred to in the JSON as `${DS_PROMETHEUS}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardInput {
    pub name: String,
    /// What to call it in a form (`label`, else the name).
    pub label: String,
    /// `datasource` or `constant`, as Grafana writes them.
    pub kind: String,
    /// For a data source: its plugin (`prometheus`).
    pub plugin_id: String,
    /// For a constant: the value the exporter had.
    pub value: String,
}

/// The `__inputs` of a dashboard, in order; entries without a name are skipped.
pub fn inputs(dashboard: &Value) -> Vec<DashboardInput> {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    dashboard
        .get("__inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let name = s(i, "name");
            if name.is_empty() {
                return None;
            }
            let label = Some(s(i, "label"))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| name.clone());
            Some(DashboardInput {
                label,
                kind: s(i, "type"),
                plugin_id: s(i, "pluginId"),
                value: s(i, "value"),
                name,
            })
        })
        .collect()
}

/// Replaces every `${NAME}` in every string of `dashboard` whose NAME is a key of `values`
/// by its value, and drops `__inputs`, as Grafana's import does
/// (`pkg/services/dashboardimport/utils/dash_template_evaluator.go`). References to names
/// not in `values` (a `${job}` template variable, say) are left as they are, and so is
/// every other field.
pub fn apply_inputs(mut dashboard: Value, values: &BTreeMap<String, String>) -> Value {
    if let Some(obj) = dashboard.as_object_mut() {
        obj.remove("__inputs");
    }
    // Iterative walk: an imported document's depth is bounded by validation, but a walk that
    // cannot overflow the stack needs no such argument.
    let mut stack = vec![&mut dashboard];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains("${") => *s = replace_inputs(s, values),
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
    dashboard
}

/// `${NAME}` → its value in one string; unknown names and unclosed `${` are kept.
fn replace_inputs(s: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => match values.get(&after[..end]) {
                Some(value) => {
                    out.push_str(value);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("${");
                    rest = after;
                }
            },
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What the import page shows before anything is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub title: String,
    /// The dashboard's own uid; empty when it has none.
    pub uid: String,
    pub version_before: i64,
    pub version_after: i64,
    /// Panels other than rows, rows' nested panels included.
    pub panels_total: usize,
    /// Those of a type kubeglass draws.
    pub panels_supported: usize,
}

/// Summarises a parsed dashboard: counted after migration, so legacy `rows` count as
/// Grafana would show them.
pub fn preview(dashboard: &Value) -> Preview {
    let text = |k: &str| {
        dashboard
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (title, uid) = (text("title"), text("uid"));
    let migrated = migrate(dashboard.clone());
    let mut total = 0;
    let mut supported = 0;
    let top = migrated
        .dashboard
        .get("panels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for panel in top {
        let nested = panel.get("panels").and_then(Value::as_array).into_iter();
        for p in std::iter::once(panel).chain(nested.flatten()) {
            let kind = p.get("type").and_then(Value::as_str).unwrap_or("");
            if kind != "row" {
                total += 1;
                supported += usize::from(is_supported(kind));
            }
        }
    }
    Preview {
        title,
        uid,
        version_before: migrated.version_before,
        version_after: migrated.version_after,
        panels_total: total,
        panels_supported: supported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let err = parse_dashboard("{\n  \"title\": \"x\",\n  \"panels\": [,]\n}").unwrap_err();
        match &err {
            ImportError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 14)),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("line 3 column 14"), "{err}");
    }

    #[test]
    fn unusable_dashboard_names_the_json_path() {
        let err = parse_dashboard(r#"{"title": "x", "panels": [{"type": 3}]}"#).unwrap_err();
        assert!(matches!(err, ImportError::Invalid(_)), "{err:?}");
        assert!(err.to_string().contains("dashboard.panels[0]"), "{err}");
    }

    #[test]
    fn api_shape_is_unwrapped_and_unknown_fields_kept() {
        let d = parse_dashboard(
            r#"{"dashboard": {"title": "A", "panels": [], "x-custom": {"k": 1}}, "meta": {}}"#,
        )
        .unwrap();
        assert_eq!(d["title"], "A");
        assert_eq!(d["x-custom"]["k"], 1);
    }

    #[test]
    fn inputs_are_read_with_label_fallback() {
        let d = json!({"__inputs": [
            {"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus"},
            {"name": "VAR_JOB", "type": "constant", "value": "node"},
            {"label": "nameless"}
        ]});
        let i = inputs(&d);
        assert_eq!(i.len(), 2);
        assert_eq!(i[0].label, "Prometheus");
        assert_eq!(i[0].plugin_id, "prometheus");
        assert_eq!(i[1].label, "VAR_JOB");
        assert_eq!(i[1].value, "node");
        assert!(inputs(&json!({"title": "no inputs"})).is_empty());
    }

    #[test]
    fn apply_inputs_replaces_every_reference_and_drops_inputs() {
        let d = json!({
            "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
            "__requires": [{"type": "panel", "id": "graph"}],
            "title": "T",
            "panels": [{
                "datasource": "${DS_PROMETHEUS}",
                "targets": [{"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                             "expr": "up{job=\"$job\", x=\"${job}\"}"}]
            }],
            "templating": {"list": [{"datasource": {"uid": "${DS_PROMETHEUS}"}, "query": "a ${DS_PROMETHEUS} b ${DS_PROMETHEUS}"}]},
            "unknown": 5
        });
        let out = apply_inputs(d, &values(&[("DS_PROMETHEUS", "prom-1")]));
        assert!(out.get("__inputs").is_none());
        assert_eq!(out["__requires"][0]["id"], "graph");
        assert_eq!(out["panels"][0]["datasource"], "prom-1");
        assert_eq!(
            out["panels"][0]["targets"][0]["datasource"]["uid"],
            "prom-1"
        );
        // Template variables are not inputs: left for the dashboard to resolve.
        assert_eq!(
            out["panels"][0]["targets"][0]["expr"],
            "up{job=\"$job\", x=\"${job}\"}"
        );
        assert_eq!(out["templating"]["list"][0]["datasource"]["uid"], "prom-1");
        assert_eq!(out["templating"]["list"][0]["query"], "a prom-1 b prom-1");
        assert_eq!(out["unknown"], 5);
    }

    #[test]
    fn replace_keeps_unknown_and_unclosed_references() {
        let v = values(&[("A", "1")]);
        assert_eq!(replace_inputs("${A}${B}${A", &v), "1${B}${A");
        assert_eq!(replace_inputs("x${A}y", &v), "x1y");
        assert_eq!(replace_inputs("${}", &v), "${}");
    }

    #[test]
    fn preview_counts_after_migration() {
        let d = json!({
            "title": "Old", "uid": "u1", "schemaVersion": 13,
            "rows": [
                {"title": "R1", "panels": [{"id": 1, "type": "graph", "span": 6}, {"id": 2, "type": "status-history", "span": 6}]},
                {"title": "R2", "collapse": true, "panels": [{"id": 3, "type": "singlestat", "span": 12}]}
            ]
        });
        let p = preview(&d);
        assert_eq!(p.title, "Old");
        assert_eq!(p.uid, "u1");
        assert_eq!(p.version_before, 13);
        assert_eq!(
            p.version_after,
            crate::model::migrate::TARGET_SCHEMA_VERSION
        );
        assert_eq!((p.panels_total, p.panels_supported), (3, 2));
    }
}
