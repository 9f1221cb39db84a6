//! `graph` -> `timeseries`, as Grafana's `graphPanelChangedHandler` / `graphToTimeseriesOptions`
//! (public/app/plugins/panel/timeseries/migrations.ts) converts the Angular graph panel.

use super::{note, number, truthy, Note};
use serde_json::{json, Map, Value};

/// The Angular keys this conversion reads; they are removed afterwards, as Grafana does.
const ANGULAR_KEYS: &[&str] = &[
    "yaxes",
    "xaxis",
    "yaxis",
    "lines",
    "bars",
    "points",
    "linewidth",
    "fill",
    "fillGradient",
    "stack",
    "percentage",
    "nullPointMode",
    "steppedLine",
    "legend",
    "tooltip",
    "seriesOverrides",
    "aliasColors",
    "thresholds",
    "pointradius",
    "dashes",
    "dashLength",
    "spaceLength",
    "renderer",
    "timeRegions",
    "decimals",
];

/// Rewrites a `graph` panel object into a `timeseries` one.
pub(super) fn graph_to_timeseries(obj: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    if let Some(mode) = obj.pointer_str("/xaxis/mode").filter(|m| *m != "time") {
        // Grafana turns these into `barchart`/`histogram`; kubeglass draws neither yet.
        notes.push(note(obj, format!("graph with x-axis mode `{mode}`")));
        return;
    }
    let mut custom = Map::new();
    let mut defaults = Map::new();

    let bars = truthy(obj.get("bars"));
    let lines = obj.get("lines").is_none_or(|l| truthy(Some(l)));
    let points = truthy(obj.get("points"));
    custom.insert(
        "drawStyle".into(),
        json!(if bars {
            "bars"
        } else if !lines && points {
            "points"
        } else {
            "line"
        }),
    );
    custom.insert(
        "lineInterpolation".into(),
        json!(if truthy(obj.get("steppedLine")) {
            "stepAfter"
        } else {
            "linear"
        }),
    );
    custom.insert(
        "lineWidth".into(),
        json!(number(obj.get("linewidth")).unwrap_or(1.0)),
    );
    let fill = number(obj.get("fill")).unwrap_or(1.0);
    let gradient = number(obj.get("fillGradient")).unwrap_or(0.0);
    if gradient > 0.0 {
        custom.insert("fillOpacity".into(), json!(gradient * 10.0));
        custom.insert("gradientMode".into(), json!("opacity"));
    } else {
        custom.insert(
            "fillOpacity".into(),
            json!(if lines || bars { fill * 10.0 } else { 0.0 }),
        );
        custom.insert("gradientMode".into(), json!("none"));
    }
    custom.insert(
        "showPoints".into(),
        json!(if points { "always" } else { "never" }),
    );
    custom.insert(
        "pointSize".into(),
        json!(number(obj.get("pointradius")).unwrap_or(2.5) * 2.0),
    );
    // `connected` is Grafana's NullValueMode.Ignore: lines are drawn across gaps.
    let null_mode = obj
        .get("nullPointMode")
        .and_then(Value::as_str)
        .unwrap_or("null");
    custom.insert("spanNulls".into(), json!(null_mode == "connected"));
    if null_mode == "null as zero" {
        // The field config Grafana's time series reads: missing values are zeros.
        defaults.insert("nullValueMode".into(), json!("null as zero"));
    }
    let stacking = if !truthy(obj.get("stack")) {
        "none"
    } else if truthy(obj.get("percentage")) {
        "percent"
    } else {
        "normal"
    };
    custom.insert("stacking".into(), json!({"mode": stacking, "group": "A"}));
    custom.insert("axisPlacement".into(), json!("auto"));

    let yaxes = obj
        .get("yaxes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(y) = yaxes.first() {
        axis_to_field(y, &mut defaults, &mut custom);
    }
    if let Some(d) = number(obj.get("decimals")) {
        defaults.entry("decimals").or_insert(json!(d));
    }
    defaults.insert("color".into(), json!({"mode": "palette-classic"}));
    if let Some((thresholds, style)) = thresholds(obj.get("thresholds")) {
        defaults.insert("thresholds".into(), thresholds);
        custom.insert("thresholdsStyle".into(), json!({"mode": style}));
    } else {
        custom.insert("thresholdsStyle".into(), json!({"mode": "off"}));
    }

    let mut overrides = Vec::new();
    for o in obj
        .get("seriesOverrides")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(o) = series_override(o, yaxes.get(1)) {
            overrides.push(o);
        }
    }
    for (name, color) in obj
        .get("aliasColors")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        overrides.push(json!({
            "matcher": {"id": "byName", "options": name},
            "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}]
        }));
    }

    let options = json!({
        "legend": legend(obj.get("legend")),
        "tooltip": tooltip(obj.get("tooltip")),
    });
    defaults.insert("custom".into(), Value::Object(custom));
    for key in ANGULAR_KEYS {
        obj.remove(*key);
    }
    obj.insert("type".into(), json!("timeseries"));
    obj.insert(
        "fieldConfig".into(),
        json!({"defaults": defaults, "overrides": overrides}),
    );
    obj.insert("options".into(), options);
}

/// One Angular y-axis (`format`, `min`, `max`, `decimals`, `logBase`, `label`, `show`) as field
/// config.
fn axis_to_field(y: &Value, defaults: &mut Map<String, Value>, custom: &mut Map<String, Value>) {
    if let Some(unit) = y.get("format").and_then(Value::as_str) {
        defaults.insert("unit".into(), json!(unit));
    }
    for key in ["min", "max", "decimals"] {
        if let Some(n) = number(y.get(key)) {
            defaults.insert(key.into(), json!(n));
        }
    }
    if let Some(base) = number(y.get("logBase")).filter(|b| *b > 1.0) {
        custom.insert(
            "scaleDistribution".into(),
            json!({"type": "log", "log": base}),
        );
    } else {
        custom.insert("scaleDistribution".into(), json!({"type": "linear"}));
    }
    if let Some(label) = y
        .get("label")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
    {
        custom.insert("axisLabel".into(), json!(label));
    }
    if y.get("show").is_some_and(|s| !truthy(Some(s))) {
        custom.insert("axisPlacement".into(), json!("hidden"));
    }
}

/// `legend` -> `options.legend`. Calcs are the legend's enabled value keys read as field
/// reducers in the order written (`getReducersFromLegend`: `avg` is `mean`, `current` is
/// `lastNotNull`, `total` is `sum`), and only when `values` is on.
fn legend(legend: Option<&Value>) -> Value {
    let Some(l) = legend else {
        return json!({"displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []});
    };
    let show = l.get("show").is_none_or(|s| truthy(Some(s)));
    let mode = if !show {
        "hidden"
    } else if truthy(l.get("alignAsTable")) {
        "table"
    } else {
        "list"
    };
    let placement = if truthy(l.get("rightSide")) {
        "right"
    } else {
        "bottom"
    };
    let mut calcs = Vec::new();
    if truthy(l.get("values")) {
        for (key, on) in l.as_object().into_iter().flatten() {
            if !truthy(Some(on)) {
                continue;
            }
            let reducer = match key.as_str() {
                "avg" => "mean",
                "current" => "lastNotNull",
                "total" => "sum",
                "min" => "min",
                "max" => "max",
                _ => continue,
            };
            calcs.push(json!(reducer));
        }
    }
    json!({"displayMode": mode, "placement": placement, "showLegend": show, "calcs": calcs})
}

/// `tooltip.shared` -> `multi` (else `single`); `sort` 1/2 -> `asc`/`desc`.
fn tooltip(tooltip: Option<&Value>) -> Value {
    let shared = tooltip.is_some_and(|t| truthy(t.get("shared")));
    let sort = match tooltip
        .and_then(|t| number(t.get("sort")))
        .map(|n| n as i64)
    {
        Some(1) => "asc",
        Some(2) => "desc",
        _ => "none",
    };
    json!({"mode": if shared { "multi" } else { "single" }, "sort": sort})
}

/// Graph thresholds (`[{value, op, colorMode, fill, line}]`) as absolute threshold steps and the
/// `thresholdsStyle` mode (`line`, `area`, `line+area`).
fn thresholds(list: Option<&Value>) -> Option<(Value, &'static str)> {
    let mut list: Vec<&Value> = list?.as_array()?.iter().collect();
    if list.is_empty() {
        return None;
    }
    crate::sort::sort_by(&mut list, |a, b| {
        let (a, b) = (
            number(a.get("value")).unwrap_or(0.0),
            number(b.get("value")).unwrap_or(0.0),
        );
        a.total_cmp(&b)
    });
    let (mut area, mut line) = (false, false);
    let mut steps: Vec<Value> = Vec::new();
    for (i, t) in list.iter().enumerate() {
        area |= truthy(t.get("fill"));
        line |= truthy(t.get("line"));
        let value = number(t.get("value")).unwrap_or(0.0);
        let color = threshold_color(t);
        match t.get("op").and_then(Value::as_str).unwrap_or("gt") {
            "lt" => {
                if steps.is_empty() {
                    steps.push(json!({"color": color, "value": null}));
                }
                // An `lt` band ends at its value, unless the next threshold starts one there.
                let next_gt_above = list.get(i + 1).is_some_and(|n| {
                    n.get("op").and_then(Value::as_str) == Some("gt")
                        && number(n.get("value")).unwrap_or(0.0) > value
                });
                if !next_gt_above {
                    steps.push(json!({"color": "transparent", "value": value}));
                }
            }
            _ => steps.push(json!({"color": color, "value": value})),
        }
    }
    if steps.first().is_some_and(|s| !s["value"].is_null()) {
        steps.insert(0, json!({"color": "transparent", "value": null}));
    }
    let style = match (line, area) {
        (true, true) => "line+area",
        (false, true) => "area",
        _ => "line",
    };
    Some((json!({"mode": "absolute", "steps": steps}), style))
}

/// `critical` red, `warning` orange, `ok` green, `custom` its own colour.
fn threshold_color(t: &Value) -> Value {
    match t.get("colorMode").and_then(Value::as_str) {
        Some("critical") => json!("red"),
        Some("warning") => json!("orange"),
        Some("ok") => json!("green"),
        _ => t
            .get("fillColor")
            .or_else(|| t.get("lineColor"))
            .cloned()
            .unwrap_or(json!("red")),
    }
}

/// One `seriesOverrides` entry as a field override: `alias` (`/regex/` or a name) is the
/// matcher; each known property becomes a field property.
fn series_override(o: &Value, right_axis: Option<&Value>) -> Option<Value> {
    let alias = o.get("alias").and_then(Value::as_str)?;
    let matcher = match alias
        .strip_prefix('/')
        .and_then(|a| a.rfind('/').map(|end| &a[..end]))
    {
        Some(re) if alias.len() > 1 => json!({"id": "byRegexp", "options": re}),
        _ => json!({"id": "byName", "options": alias}),
    };
    let mut props = Vec::new();
    let mut prop = |id: &str, value: Value| props.push(json!({"id": id, "value": value}));
    for (key, v) in o.as_object()?.iter() {
        match key.as_str() {
            "bars" if truthy(Some(v)) => prop("custom.drawStyle", json!("bars")),
            "lines" if !truthy(Some(v)) => prop("custom.lineWidth", json!(0)),
            "points" if truthy(Some(v)) => prop("custom.showPoints", json!("always")),
            "fill" => prop(
                "custom.fillOpacity",
                json!(number(Some(v)).unwrap_or(0.0) * 10.0),
            ),
            "fillGradient" => {
                prop(
                    "custom.fillOpacity",
                    json!(number(Some(v)).unwrap_or(0.0) * 10.0),
                );
                prop("custom.gradientMode", json!("opacity"));
            }
            "linewidth" => prop("custom.lineWidth", json!(number(Some(v)).unwrap_or(1.0))),
            "dashes" if truthy(Some(v)) => {
                let dash = number(o.get("dashLength")).unwrap_or(10.0);
                let space = number(o.get("spaceLength")).unwrap_or(10.0);
                prop(
                    "custom.lineStyle",
                    json!({"fill": "dash", "dash": [dash, space]}),
                );
            }
            "color" => prop("color", json!({"mode": "fixed", "fixedColor": v})),
            "transform" if v.as_str() == Some("negative-Y") => {
                prop("custom.transform", json!("negative-Y"))
            }
            "stack" if v.as_bool() == Some(false) => {
                prop("custom.stacking", json!({"mode": "none", "group": "A"}))
            }
            "legend" if !truthy(Some(v)) => prop(
                "custom.hideFrom",
                json!({"legend": true, "tooltip": false, "viz": false}),
            ),
            "yaxis" if number(Some(v)) == Some(2.0) => {
                prop("custom.axisPlacement", json!("right"));
                if let Some(unit) = right_axis
                    .and_then(|y| y.get("format"))
                    .and_then(Value::as_str)
                {
                    prop("unit", json!(unit));
                }
            }
            _ => {}
        }
    }
    (!props.is_empty()).then(|| json!({"matcher": matcher, "properties": props}))
}

/// A string at a JSON pointer of an object.
trait PointerStr {
    fn pointer_str(&self, pointer: &str) -> Option<&str>;
}

impl PointerStr for Map<String, Value> {
    fn pointer_str(&self, pointer: &str) -> Option<&str> {
        let mut parts = pointer.trim_start_matches('/').splitn(2, '/');
        let first = self.get(parts.next()?)?;
        match parts.next() {
            Some(rest) => first.pointer(&format!("/{rest}"))?.as_str(),
            None => first.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(panel: Value) -> (Value, Vec<Note>) {
        let mut obj = panel.as_object().unwrap().clone();
        let mut notes = Vec::new();
        graph_to_timeseries(&mut obj, &mut notes);
        (Value::Object(obj), notes)
    }

    #[test]
    fn axes_and_draw_style() {
        let (p, _) = convert(
            json!({"type": "graph", "id": 2, "title": "CPU", "targets": [{"expr": "up"}],
            "lines": true, "linewidth": 2, "fill": 1, "fillGradient": 0, "stack": true, "percentage": false,
            "nullPointMode": "connected", "steppedLine": true,
            "yaxes": [{"format": "bytes", "min": 0, "max": "100", "decimals": 1, "logBase": 2, "show": true},
                      {"format": "short", "show": false}]}),
        );
        assert_eq!(p["type"], json!("timeseries"));
        assert_eq!(p["targets"], json!([{"expr": "up"}]));
        let d = &p["fieldConfig"]["defaults"];
        assert_eq!(d["unit"], json!("bytes"));
        assert_eq!(d["min"], json!(0.0));
        assert_eq!(d["max"], json!(100.0));
        assert_eq!(d["decimals"], json!(1.0));
        let c = &d["custom"];
        assert_eq!(c["drawStyle"], json!("line"));
        assert_eq!(c["lineWidth"], json!(2.0));
        assert_eq!(c["fillOpacity"], json!(10.0));
        assert_eq!(c["gradientMode"], json!("none"));
        assert_eq!(c["stacking"], json!({"mode": "normal", "group": "A"}));
        assert_eq!(c["spanNulls"], json!(true));
        assert_eq!(c["lineInterpolation"], json!("stepAfter"));
        assert_eq!(c["scaleDistribution"], json!({"type": "log", "log": 2.0}));
        assert!(p.get("yaxes").is_none());
    }

    #[test]
    fn bars_points_gradient_and_percent_stacking() {
        let (p, _) = convert(
            json!({"type": "graph", "bars": true, "lines": false, "fillGradient": 5,
            "stack": true, "percentage": true}),
        );
        let c = &p["fieldConfig"]["defaults"]["custom"];
        assert_eq!(c["drawStyle"], json!("bars"));
        assert_eq!(c["fillOpacity"], json!(50.0));
        assert_eq!(c["gradientMode"], json!("opacity"));
        assert_eq!(c["stacking"]["mode"], json!("percent"));
        let (p, _) = convert(json!({"type": "graph", "lines": false, "points": true}));
        assert_eq!(
            p["fieldConfig"]["defaults"]["custom"]["drawStyle"],
            json!("points")
        );
        assert_eq!(
            p["fieldConfig"]["defaults"]["custom"]["showPoints"],
            json!("always")
        );
    }

    #[test]
    fn legend_and_tooltip() {
        let (p, _) = convert(json!({"type": "graph",
            "legend": {"show": true, "values": true, "alignAsTable": true, "rightSide": true,
                       "avg": true, "current": true, "max": true, "min": false, "total": false},
            "tooltip": {"shared": true, "sort": 2}}));
        assert_eq!(
            p["options"]["legend"],
            json!({"displayMode": "table", "placement": "right",
            "showLegend": true, "calcs": ["mean", "lastNotNull", "max"]})
        );
        assert_eq!(
            p["options"]["tooltip"],
            json!({"mode": "multi", "sort": "desc"})
        );
        let (p, _) = convert(
            json!({"type": "graph", "legend": {"show": false, "max": true},
            "tooltip": {"shared": false, "sort": 0}}),
        );
        assert_eq!(
            p["options"]["legend"],
            json!({"displayMode": "hidden", "placement": "bottom",
            "showLegend": false, "calcs": []})
        );
        assert_eq!(
            p["options"]["tooltip"],
            json!({"mode": "single", "sort": "none"})
        );
    }

    #[test]
    fn series_overrides_and_alias_colors() {
        let (p, _) = convert(json!({"type": "graph",
            "yaxes": [{"format": "bytes"}, {"format": "percent"}],
            "seriesOverrides": [
                {"alias": "/.*write.*/", "transform": "negative-Y"},
                {"alias": "load", "yaxis": 2, "color": "#F2495C", "fill": 0, "linewidth": 2, "dashes": true}
            ],
            "aliasColors": {"idle": "green"}}));
        let o = &p["fieldConfig"]["overrides"];
        assert_eq!(
            o[0],
            json!({"matcher": {"id": "byRegexp", "options": ".*write.*"},
            "properties": [{"id": "custom.transform", "value": "negative-Y"}]})
        );
        assert_eq!(o[1]["matcher"], json!({"id": "byName", "options": "load"}));
        let props = o[1]["properties"].as_array().unwrap();
        assert!(props.contains(&json!({"id": "custom.axisPlacement", "value": "right"})));
        assert!(props.contains(&json!({"id": "unit", "value": "percent"})));
        assert!(props.contains(
            &json!({"id": "color", "value": {"mode": "fixed", "fixedColor": "#F2495C"}})
        ));
        assert!(props.contains(&json!({"id": "custom.fillOpacity", "value": 0.0})));
        assert!(props.contains(&json!({"id": "custom.lineWidth", "value": 2.0})));
        assert!(props.contains(
            &json!({"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10.0, 10.0]}})
        ));
        assert_eq!(
            o[2],
            json!({"matcher": {"id": "byName", "options": "idle"},
            "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "green"}}]})
        );
    }

    #[test]
    fn thresholds_become_steps_and_style() {
        let (p, _) = convert(json!({"type": "graph", "thresholds": [
            {"value": 90, "op": "gt", "colorMode": "critical", "fill": true, "line": true},
            {"value": 80, "op": "gt", "colorMode": "warning", "fill": true, "line": false}]}));
        let d = &p["fieldConfig"]["defaults"];
        assert_eq!(
            d["thresholds"],
            json!({"mode": "absolute", "steps": [
            {"color": "transparent", "value": null},
            {"color": "orange", "value": 80.0},
            {"color": "red", "value": 90.0}]})
        );
        assert_eq!(d["custom"]["thresholdsStyle"], json!({"mode": "line+area"}));
    }

    #[test]
    fn null_as_zero_migrates_and_series_mode_is_noted() {
        let (p, notes) = convert(
            json!({"type": "graph", "id": 4, "title": "T", "nullPointMode": "null as zero"}),
        );
        assert!(notes.is_empty(), "{notes:?}");
        let d = &p["fieldConfig"]["defaults"];
        assert_eq!(d["nullValueMode"], json!("null as zero"));
        assert_eq!(d["custom"]["spanNulls"], json!(false));
        let read = crate::model::Dashboard::from_json(&json!({"title": "A", "panels": [p]}));
        assert!(read.panels[0].defaults.null_as_zero);
        let (p, _) = convert(json!({"type": "graph", "nullPointMode": "null"}));
        assert!(p["fieldConfig"]["defaults"].get("nullValueMode").is_none());
        let (p, notes) = convert(json!({"type": "graph", "xaxis": {"mode": "series"}}));
        assert_eq!(p["type"], json!("graph"));
        assert_eq!(notes.len(), 1);
    }
}
