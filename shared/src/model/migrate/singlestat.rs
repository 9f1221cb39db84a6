//! `singlestat` -> `stat` (or `gauge` when its gauge was shown), as Grafana's
//! `sharedSingleStatPanelChangedHandler` (packages/grafana-ui/.../SingleStatBaseOptions.ts) and
//! the stat panel's `statPanelChangedHandler` convert it.

use super::{note, number, threshold_steps, truthy, Note};
use serde_json::{json, Map, Value};

const ANGULAR_KEYS: &[&str] = &[
    "valueName",
    "format",
    "decimals",
    "thresholds",
    "colors",
    "colorBackground",
    "colorValue",
    "colorPrefix",
    "colorPostfix",
    "sparkline",
    "gauge",
    "valueMaps",
    "rangeMaps",
    "mappingType",
    "mappingTypes",
    "prefix",
    "postfix",
    "prefixFontSize",
    "postfixFontSize",
    "valueFontSize",
    "nullText",
    "nullPointMode",
    "tableColumn",
];

/// Angular's default colours, used when a singlestat has thresholds but no `colors`.
const DEFAULT_COLORS: [&str; 3] = ["#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a"];

/// Rewrites a `singlestat` panel object into a `stat` or `gauge` one.
pub(super) fn singlestat_to_stat(obj: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    let gauge = obj.get("gauge").is_some_and(|g| truthy(g.get("show")));
    let mut defaults = Map::new();
    if let Some(unit) = obj.get("format").and_then(Value::as_str) {
        defaults.insert("unit".into(), json!(unit));
    }
    if let Some(d) = number(obj.get("decimals")) {
        defaults.insert("decimals".into(), json!(d));
    }
    if let Some(text) = obj
        .get("nullText")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        defaults.insert("noValue".into(), json!(text));
    }
    let colors: Vec<Value> = obj
        .get("colors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| DEFAULT_COLORS.iter().map(|c| json!(c)).collect());
    let levels = match obj.get("thresholds") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let steps = if levels.trim().is_empty() {
        vec![json!({"color": "green", "value": null})]
    } else {
        threshold_steps(&levels, &colors)
    };
    defaults.insert(
        "thresholds".into(),
        json!({"mode": "absolute", "steps": steps}),
    );
    if gauge {
        let g = &obj["gauge"];
        if let Some(min) = number(g.get("minValue")) {
            defaults.insert("min".into(), json!(min));
        }
        if let Some(max) = number(g.get("maxValue")) {
            defaults.insert("max".into(), json!(max));
        }
    }
    let mappings = mappings(obj);
    if !mappings.is_empty() {
        defaults.insert("mappings".into(), Value::Array(mappings));
    }
    defaults.insert("color".into(), json!({"mode": "thresholds"}));

    // `valueName` is read as a field reducer id, aliases included (`avg` -> `mean`,
    // `current` -> `lastNotNull`, `total` -> `sum`); an unknown or absent one keeps the stat
    // default.
    let calc = match obj.get("valueName").and_then(Value::as_str) {
        Some("avg") => "mean",
        Some("current") => "lastNotNull",
        Some("total") => "sum",
        Some(v @ ("min" | "max" | "first" | "last" | "delta" | "diff" | "range" | "count")) => v,
        Some("name") => {
            notes.push(note(
                obj,
                "singlestat valueName `name` (shows the series name)",
            ));
            "lastNotNull"
        }
        _ => "lastNotNull",
    };
    let color_mode = if truthy(obj.get("colorBackground")) {
        "background"
    } else if truthy(obj.get("colorValue")) {
        "value"
    } else {
        "none"
    };
    let sparkline = obj.get("sparkline").is_some_and(|s| truthy(s.get("show")));
    let reduce = json!({"calcs": [calc], "values": false, "fields": ""});
    let options = if gauge {
        let g = &obj["gauge"];
        json!({
            "reduceOptions": reduce,
            "orientation": "auto",
            "showThresholdMarkers": g.get("thresholdMarkers").map(|v| truthy(Some(v))).unwrap_or(true),
            "showThresholdLabels": truthy(g.get("thresholdLabels")),
        })
    } else {
        json!({
            "reduceOptions": reduce,
            "orientation": "horizontal",
            "colorMode": color_mode,
            "graphMode": if sparkline { "area" } else { "none" },
            "justifyMode": "auto",
            "textMode": "auto",
        })
    };
    for key in ["prefix", "postfix"] {
        if let Some(text) = obj
            .get(key)
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
        {
            notes.push(note(
                obj,
                format!("singlestat {key} `{text}` (not shown: stat has no prefix/postfix)"),
            ));
        }
    }
    for key in ANGULAR_KEYS {
        obj.remove(*key);
    }
    obj.insert("type".into(), json!(if gauge { "gauge" } else { "stat" }));
    obj.insert(
        "fieldConfig".into(),
        json!({"defaults": defaults, "overrides": []}),
    );
    obj.insert("options".into(), options);
}

/// `valueMaps` and `rangeMaps` as value mappings; which of them applied was chosen by
/// `mappingType` (1 value, 2 range). A value map of `null` matches no value.
fn mappings(obj: &Map<String, Value>) -> Vec<Value> {
    let mapping_type = number(obj.get("mappingType")).unwrap_or(1.0) as i64;
    let mut out = Vec::new();
    if mapping_type != 2 {
        for (i, m) in obj
            .get("valueMaps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let text = m.get("text").cloned().unwrap_or(json!(""));
            let value = match m.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => continue,
            };
            if value == "null" {
                out.push(json!({"type": "special", "options": {"match": "null", "result": {"text": text, "index": i}}}));
            } else {
                out.push(json!({"type": "value", "options": {value: {"text": text, "index": i}}}));
            }
        }
    }
    if mapping_type == 2 {
        for (i, m) in obj
            .get("rangeMaps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let text = m.get("text").cloned().unwrap_or(json!(""));
            let from = number(m.get("from"));
            let to = number(m.get("to"));
            out.push(json!({"type": "range", "options": {"from": from, "to": to, "result": {"text": text, "index": i}}}));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(panel: Value) -> (Value, Vec<Note>) {
        let mut obj = panel.as_object().unwrap().clone();
        let mut notes = Vec::new();
        singlestat_to_stat(&mut obj, &mut notes);
        (Value::Object(obj), notes)
    }

    #[test]
    fn stat_with_thresholds_colors_sparkline() {
        let (p, notes) = convert(json!({"type": "singlestat", "id": 5, "title": "Up",
            "valueName": "current", "format": "percent", "decimals": 2,
            "thresholds": "80,90", "colors": ["green", "orange", "red"],
            "colorBackground": true, "sparkline": {"show": true}, "postfix": " %",
            "targets": [{"expr": "up"}]}));
        assert_eq!(p["type"], json!("stat"));
        assert_eq!(p["targets"][0]["expr"], json!("up"));
        let d = &p["fieldConfig"]["defaults"];
        assert_eq!(d["unit"], json!("percent"));
        assert_eq!(d["decimals"], json!(2.0));
        assert_eq!(
            d["thresholds"]["steps"],
            json!([
            {"color": "green", "value": null}, {"color": "orange", "value": 80.0}, {"color": "red", "value": 90.0}])
        );
        assert_eq!(
            p["options"]["reduceOptions"]["calcs"],
            json!(["lastNotNull"])
        );
        assert_eq!(p["options"]["colorMode"], json!("background"));
        assert_eq!(p["options"]["graphMode"], json!("area"));
        assert!(p.get("postfix").is_none());
        assert_eq!(notes.len(), 1);
        assert!(notes[0].what.contains("postfix"));
    }

    #[test]
    fn value_names_map_to_reducers() {
        for (name, calc) in [
            ("avg", "mean"),
            ("min", "min"),
            ("max", "max"),
            ("total", "sum"),
            ("current", "lastNotNull"),
        ] {
            let (p, _) = convert(json!({"type": "singlestat", "valueName": name}));
            assert_eq!(
                p["options"]["reduceOptions"]["calcs"],
                json!([calc]),
                "{name}"
            );
        }
        let (p, _) = convert(json!({"type": "singlestat", "colorValue": true}));
        assert_eq!(p["options"]["colorMode"], json!("value"));
        assert_eq!(p["options"]["graphMode"], json!("none"));
    }

    #[test]
    fn gauge_shown_becomes_gauge() {
        let (p, _) = convert(
            json!({"type": "singlestat", "gauge": {"show": true, "minValue": 0, "maxValue": 100,
            "thresholdMarkers": true, "thresholdLabels": false}, "thresholds": "50"}),
        );
        assert_eq!(p["type"], json!("gauge"));
        assert_eq!(p["fieldConfig"]["defaults"]["min"], json!(0.0));
        assert_eq!(p["fieldConfig"]["defaults"]["max"], json!(100.0));
        assert_eq!(
            p["fieldConfig"]["defaults"]["thresholds"]["steps"][1],
            json!({"color": "rgba(237, 129, 40, 0.89)", "value": 50.0})
        );
        assert_eq!(p["options"]["showThresholdMarkers"], json!(true));
    }

    #[test]
    fn value_and_range_maps() {
        let (p, _) = convert(json!({"type": "singlestat", "mappingType": 1,
            "valueMaps": [{"op": "=", "text": "N/A", "value": "null"}, {"op": "=", "text": "down", "value": "0"}]}));
        assert_eq!(
            p["fieldConfig"]["defaults"]["mappings"],
            json!([
            {"type": "special", "options": {"match": "null", "result": {"text": "N/A", "index": 0}}},
            {"type": "value", "options": {"0": {"text": "down", "index": 1}}}])
        );
        let (p, _) = convert(json!({"type": "singlestat", "mappingType": 2,
            "rangeMaps": [{"from": "0", "to": "10", "text": "low"}]}));
        assert_eq!(
            p["fieldConfig"]["defaults"]["mappings"],
            json!([
            {"type": "range", "options": {"from": 0.0, "to": 10.0, "result": {"text": "low", "index": 0}}}])
        );
    }
}
