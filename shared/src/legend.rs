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
}
