//! The Angular `table` (with `styles`) -> the React `table`, as Grafana's
//! `tablePanelChangedHandler` / `migrateFromAngular` (public/app/plugins/panel/table/migrations.ts)
//! converts it.

use super::{number, threshold_steps, truthy};
use serde_json::{json, Map, Value};

/// Angular table `transform` -> transformation id.
fn transformation(transform: &str) -> Option<&'static str> {
    Some(match transform {
        "timeseries_to_rows" => "seriesToRows",
        "timeseries_to_columns" => "seriesToColumns",
        "timeseries_aggregations" => "reduce",
        "table" => "merge",
        _ => return None,
    })
}

/// Rewrites an Angular table panel object into a React table one: the `/.*/` style becomes the
/// field defaults, every other style an override (`/regex/` -> `byRegexp`, else `byName`).
pub(super) fn angular_table_to_table(obj: &mut Map<String, Value>) {
    let styles = match obj.remove("styles") {
        Some(Value::Array(s)) => s,
        _ => Vec::new(),
    };
    let mut defaults = Map::new();
    let mut overrides = Vec::new();
    for style in &styles {
        let pattern = style.get("pattern").and_then(Value::as_str).unwrap_or("");
        let props = style_properties(style);
        if pattern == "/.*/" {
            for p in props {
                set_default(&mut defaults, &p);
            }
            continue;
        }
        if props.is_empty() {
            continue;
        }
        let matcher = match pattern
            .strip_prefix('/')
            .and_then(|p| p.rfind('/').map(|e| &p[..e]))
        {
            Some(re) => json!({"id": "byRegexp", "options": re}),
            None => json!({"id": "byName", "options": pattern}),
        };
        overrides.push(json!({"matcher": matcher, "properties": props}));
    }
    let mut transformations = obj
        .get("transformations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(t) = obj.remove("transform") {
        if let Some(id) = t.as_str().and_then(transformation) {
            let options = if id == "reduce" {
                let reducers: Vec<Value> = obj
                    .get("columns")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.get("value").cloned())
                    .collect();
                json!({"reducers": reducers})
            } else {
                json!({})
            };
            transformations.push(json!({"id": id, "options": options}));
        }
    }
    obj.remove("columns");
    if !transformations.is_empty() {
        obj.insert("transformations".into(), Value::Array(transformations));
    }
    let options =
        json!({"showHeader": obj.get("showHeader").map(|v| truthy(Some(v))).unwrap_or(true)});
    // `sort` names a column by index in data kubeglass has not seen yet: kept as written.
    obj.remove("showHeader");
    obj.insert("type".into(), json!("table"));
    obj.insert(
        "fieldConfig".into(),
        json!({"defaults": defaults, "overrides": overrides}),
    );
    obj.insert("options".into(), options);
}

/// Writes one `{id, value}` property into field defaults (`custom.x` into `custom`).
fn set_default(defaults: &mut Map<String, Value>, prop: &Value) {
    let (Some(id), Some(value)) = (prop.get("id").and_then(Value::as_str), prop.get("value"))
    else {
        return;
    };
    match id.strip_prefix("custom.") {
        Some(key) => {
            let custom = defaults.entry("custom").or_insert(json!({}));
            custom[key] = value.clone();
        }
        None => {
            defaults.insert(id.into(), value.clone());
        }
    }
}

/// The field properties one style sets.
fn style_properties(style: &Value) -> Vec<Value> {
    let mut props = Vec::new();
    let mut prop = |id: &str, value: Value| props.push(json!({"id": id, "value": value}));
    if let Some(alias) = style
        .get("alias")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
    {
        prop("displayName", json!(alias));
    }
    match style.get("type").and_then(Value::as_str) {
        Some("hidden") => prop("custom.hidden", json!(true)),
        Some("date") => {
            let format = style
                .get("dateFormat")
                .and_then(Value::as_str)
                .unwrap_or("YYYY-MM-DD HH:mm:ss");
            prop("unit", json!(format!("time: {format}")));
        }
        Some("number") => {
            if let Some(unit) = style.get("unit").and_then(Value::as_str) {
                prop("unit", json!(unit));
            }
            if let Some(d) = number(style.get("decimals")) {
                prop("decimals", json!(d));
            }
        }
        _ => {}
    }
    if let Some(align) = style
        .get("align")
        .and_then(Value::as_str)
        .filter(|a| *a != "auto")
    {
        prop("custom.align", json!(align));
    }
    let levels: Vec<String> = style
        .get("thresholds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| match t {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect();
    if !levels.is_empty() {
        let colors = style
            .get("colors")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let steps = threshold_steps(&levels.join(","), &colors);
        prop("thresholds", json!({"mode": "absolute", "steps": steps}));
    }
    let cell = match style.get("colorMode").and_then(Value::as_str) {
        Some("cell") | Some("row") => Some("color-background"),
        Some("value") => Some("color-text"),
        _ => None,
    };
    if let Some(cell) = cell {
        prop("custom.cellOptions", json!({"type": cell}));
    }
    if truthy(style.get("link")) {
        if let Some(url) = style.get("linkUrl").and_then(Value::as_str) {
            prop(
                "links",
                json!([{"title": style.get("linkTooltip").cloned().unwrap_or(json!("")),
                "url": url, "targetBlank": truthy(style.get("linkTargetBlank"))}]),
            );
        }
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_become_defaults_and_overrides() {
        let mut obj = json!({"type": "table", "id": 3, "transform": "table", "targets": [{"expr": "up"}],
            "styles": [
                {"pattern": "Time", "type": "hidden"},
                {"pattern": "/Value #.*/", "type": "number", "unit": "bytes", "decimals": 2,
                 "colorMode": "cell", "thresholds": ["80", "90"], "colors": ["green", "orange", "red"]},
                {"pattern": "Started", "type": "date", "dateFormat": "YYYY-MM-DD", "alias": "Start"},
                {"pattern": "/.*/", "type": "number", "unit": "short", "decimals": 1}
            ]}).as_object().unwrap().clone();
        angular_table_to_table(&mut obj);
        let p = Value::Object(obj);
        assert_eq!(p["type"], json!("table"));
        assert!(p.get("styles").is_none());
        assert_eq!(
            p["fieldConfig"]["defaults"],
            json!({"unit": "short", "decimals": 1.0})
        );
        let o = &p["fieldConfig"]["overrides"];
        assert_eq!(
            o[0],
            json!({"matcher": {"id": "byName", "options": "Time"},
            "properties": [{"id": "custom.hidden", "value": true}]})
        );
        assert_eq!(
            o[1]["matcher"],
            json!({"id": "byRegexp", "options": "Value #.*"})
        );
        assert_eq!(
            o[1]["properties"],
            json!([
            {"id": "unit", "value": "bytes"},
            {"id": "decimals", "value": 2.0},
            {"id": "thresholds", "value": {"mode": "absolute", "steps": [
                {"color": "green", "value": null}, {"color": "orange", "value": 80.0}, {"color": "red", "value": 90.0}]}},
            {"id": "custom.cellOptions", "value": {"type": "color-background"}}])
        );
        assert_eq!(
            o[2]["properties"],
            json!([
            {"id": "displayName", "value": "Start"}, {"id": "unit", "value": "time: YYYY-MM-DD"}])
        );
        assert_eq!(
            p["transformations"],
            json!([{"id": "merge", "options": {}}])
        );
        assert_eq!(p["targets"][0]["expr"], json!("up"));
    }
}
