//! Series names: a target's `legendFormat` (`{{instance}} {{mode}}`) filled from a series'
//! labels, or the name Grafana shows when there is none (`up{instance="a", job="b"}`).

use std::collections::BTreeMap;

/// Fills `{{label}}` placeholders (whitespace inside the braces allowed) with label values;
/// a label the series does not have becomes an empty string, as in Grafana. Text outside
/// placeholders is kept.
pub fn render_legend(format: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = rest[open + 2..open + 2 + close].trim();
        if let Some(v) = labels.get(name) {
            out.push_str(v);
        }
        rest = &rest[open + 2 + close + 2..];
    }
    out.push_str(rest);
    out
}

/// The name of a series with no legend format: `__name__{a="1", b="2"}` (labels sorted, the
/// metric name outside the braces), `{a="1"}` without a metric name, and the query itself
/// when the series has no labels at all (as Grafana does for `sum(...)`).
pub fn default_series_name(labels: &BTreeMap<String, String>, expr: &str) -> String {
    let name = labels.get("__name__").map(String::as_str).unwrap_or("");
    let parts: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    if parts.is_empty() {
        return if name.is_empty() {
            expr.to_string()
        } else {
            name.to_string()
        };
    }
    format!("{name}{{{}}}", parts.join(", "))
}

/// A series' display name for a target: the rendered legend format, or the default name when
/// the format is empty, absent or `__auto`.
pub fn series_name(
    legend_format: Option<&str>,
    labels: &BTreeMap<String, String>,
    expr: &str,
) -> String {
    match legend_format.map(str::trim) {
        None | Some("") | Some("__auto") => default_series_name(labels, expr),
        Some(format) => render_legend(format, labels),
    }
}

/// How a panel shows its legend (`options.legend`; a migrated graph's legend lands there too).
#[derive(Debug, Clone, PartialEq)]
pub struct LegendOptions {
    pub mode: LegendMode,
    /// `placement: right`: beside the chart instead of below it.
    pub right: bool,
    /// The `calcs` shown per series, with the header Grafana gives each; unknown ids are left out.
    pub calcs: Vec<(crate::data::reduce::Reducer, String)>,
    /// `sortBy`: the calc header (or `Name`) the table is sorted by, and `sortDesc`.
    pub sort_by: Option<String>,
    pub sort_desc: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendMode {
    List,
    Table,
    Hidden,
}

/// Reads `options.legend` of a panel's options. Without one, Grafana shows a list below the
/// chart; `showLegend: false` (or `displayMode: hidden`) hides it.
pub fn legend_options(options: &serde_json::Value) -> LegendOptions {
    let l = options.get("legend");
    let text = |k: &str| l.and_then(|l| l.get(k)).and_then(serde_json::Value::as_str);
    let hidden = l
        .and_then(|l| l.get("showLegend"))
        .and_then(serde_json::Value::as_bool)
        == Some(false);
    let mode = match (hidden, text("displayMode")) {
        (true, _) | (_, Some("hidden")) => LegendMode::Hidden,
        (_, Some("table")) => LegendMode::Table,
        _ => LegendMode::List,
    };
    let mut calcs = Vec::new();
    for id in l
        .and_then(|l| l.get("calcs"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .take(16)
    {
        if let Some(r) = crate::data::reduce::Reducer::from_id(id) {
            if !calcs.iter().any(|(c, _)| *c == r) {
                calcs.push((r, r.name()));
            }
        }
    }
    LegendOptions {
        mode,
        right: text("placement") == Some("right"),
        calcs,
        sort_by: text("sortBy").filter(|s| !s.is_empty()).map(str::to_string),
        sort_desc: l
            .and_then(|l| l.get("sortDesc"))
            .and_then(serde_json::Value::as_bool)
            == Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn legend_format_fills_labels() {
        let l = labels(&[("instance", "host:9100"), ("mode", "idle")]);
        assert_eq!(render_legend("{{instance}} {{mode}}", &l), "host:9100 idle");
        assert_eq!(
            render_legend("{{ instance }} / {{mode  }}", &l),
            "host:9100 / idle"
        );
        assert_eq!(
            render_legend("cpu {{cpu}}!", &l),
            "cpu !",
            "missing label -> empty"
        );
        assert_eq!(render_legend("literal", &l), "literal");
        assert_eq!(render_legend("broken {{mode", &l), "broken {{mode");
    }

    #[test]
    fn default_names_look_like_prometheus() {
        let l = labels(&[("__name__", "up"), ("job", "node"), ("instance", "a:1")]);
        assert_eq!(
            default_series_name(&l, "up"),
            r#"up{instance="a:1", job="node"}"#
        );
        assert_eq!(
            default_series_name(&labels(&[("job", "x")]), "sum by (job) (up)"),
            r#"{job="x"}"#
        );
        assert_eq!(default_series_name(&labels(&[]), "sum(up)"), "sum(up)");
        assert_eq!(
            default_series_name(&labels(&[("__name__", "up")]), "up"),
            "up"
        );
    }

    #[test]
    fn auto_and_empty_formats_use_the_default_name() {
        let l = labels(&[("__name__", "up"), ("job", "node")]);
        for f in [None, Some(""), Some("__auto"), Some("  ")] {
            assert_eq!(series_name(f, &l, "up"), r#"up{job="node"}"#);
        }
        assert_eq!(series_name(Some("{{job}}"), &l, "up"), "node");
    }

    #[test]
    fn legend_options_follow_grafana() {
        use crate::data::reduce::Reducer;
        use serde_json::json;
        let o = legend_options(
            &json!({"legend": {"displayMode": "table", "placement": "right",
            "showLegend": true, "calcs": ["mean", "lastNotNull", "max", "bogus", "mean"],
            "sortBy": "Max", "sortDesc": true}}),
        );
        assert_eq!(o.mode, LegendMode::Table);
        assert!(o.right && o.sort_desc);
        assert_eq!(o.sort_by.as_deref(), Some("Max"));
        assert_eq!(
            o.calcs,
            vec![
                (Reducer::Mean, "Mean".to_string()),
                (Reducer::LastNotNull, "Last *".to_string()),
                (Reducer::Max, "Max".to_string())
            ]
        );
        let list = legend_options(&json!({}));
        assert_eq!(
            (list.mode, list.right, list.calcs.len()),
            (LegendMode::List, false, 0)
        );
        for hidden in [
            json!({"legend": {"showLegend": false, "displayMode": "table"}}),
            json!({"legend": {"displayMode": "hidden"}}),
        ] {
            assert_eq!(legend_options(&hidden).mode, LegendMode::Hidden);
        }
        assert_eq!(Reducer::Sum.name(), "Total");
    }
}
