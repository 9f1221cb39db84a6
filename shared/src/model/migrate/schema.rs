//! Grafana's dashboard-level schema steps (the ones its backend migrator applies, by
//! `schemaVersion`), and the defaults a migrated dashboard has. The panel conversions Grafana
//! leaves to the browser (graph, singlestat, the Angular table) are in the sibling modules.
//!
//! Each step is tested against Grafana's own fixtures by the conformance suite
//! (`conformance/tests/migrations.rs`).

use super::{number, truthy};
use serde_json::{json, Map, Value};

/// Applies every step for a dashboard saved at `before`.
pub fn upgrade(obj: &mut Map<String, Value>, before: i64) {
    if before < 6 {
        services_and_pulldowns(obj);
    }
    if before < 7 {
        if let Some(nav) = obj.remove("nav") {
            if let Some(first) = nav.as_array().and_then(|n| n.first()).cloned() {
                obj.entry("timepicker").or_insert(first);
            }
        }
    }
    if before < 12 {
        variable_hide_flags(obj);
    }
    for_each_panel(obj, &mut |p| {
        // v2: the old `graphite` panel is the graph panel.
        if p.get("type").and_then(Value::as_str) == Some("graphite") {
            p.insert("type".into(), json!("graph"));
        }
        if before < 18 {
            gauge_options(p);
        }
        if before < 19 {
            panel_links(p);
        }
        if before < 20 {
            link_variables(
                p,
                &[
                    ("$__series_name", "${__series.name}"),
                    ("__series_name", "__series.name"),
                    ("$__field_name", "${__field.name}"),
                    ("__field_name", "__field.name"),
                    ("$__value_time", "${__value.time}"),
                    ("__value_time", "__value.time"),
                ],
            );
        }
        if before < 21 {
            link_variables(p, &[("__series.labels", "__field.labels")]);
        }
        if before < 35 {
            time_axis_visible(p);
        }
        if before < 37 {
            legend_normalized(p);
        }
        if before < 42 {
            hidden_series_out_of_tooltips(p);
        }
        ref_ids(p);
    });
    if before < 36 {
        // v36: every top-level panel has a query (Grafana gives it one with the default data
        // source; here without one, which is the same).
        if let Some(panels) = obj.get_mut("panels").and_then(Value::as_array_mut) {
            for p in panels.iter_mut().filter_map(Value::as_object_mut) {
                p.entry("targets")
                    .or_insert_with(|| json!([{"refId": "A"}]));
            }
        }
    }
    unique_panel_ids(obj);
    defaults(obj, before);
}

/// Calls `f` on every panel, those inside rows included.
fn for_each_panel(obj: &mut Map<String, Value>, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    fn walk(panels: &mut [Value], f: &mut dyn FnMut(&mut Map<String, Value>)) {
        for p in panels.iter_mut().filter_map(Value::as_object_mut) {
            f(p);
            if let Some(nested) = p.get_mut("panels").and_then(Value::as_array_mut) {
                walk(nested, f);
            }
        }
    }
    if let Some(panels) = obj.get_mut("panels").and_then(Value::as_array_mut) {
        walk(panels, f);
    }
}

/// v2–v6: the variables and time of `services.filter` and the variables and annotations of
/// `pulldowns` moved to `templating` and `annotations`; variables of the old `filter` type
/// (or of none) became query variables.
fn services_and_pulldowns(obj: &mut Map<String, Value>) {
    if let Some(mut services) = obj.remove("services") {
        if let Some(filter) = services.get_mut("filter").and_then(Value::as_object_mut) {
            if let Some(time) = filter.remove("time") {
                obj.entry("time").or_insert(time);
            }
            if let Some(list) = filter.remove("list") {
                obj.entry("templating").or_insert(json!({"list": list}));
            }
        }
        if let Some(list) = services.pointer("/annotations/list").cloned() {
            obj.entry("annotations").or_insert(json!({"list": list}));
        }
    }
    if let Some(pulldowns) = obj.remove("pulldowns") {
        for p in pulldowns.as_array().into_iter().flatten() {
            if p.get("type").and_then(Value::as_str) == Some("annotations") {
                if let Some(list) = p.get("annotations") {
                    obj.entry("annotations").or_insert(json!({"list": list}));
                }
            }
        }
    }
    if let Some(list) = obj
        .get_mut("templating")
        .and_then(|t| t.get_mut("list"))
        .and_then(Value::as_array_mut)
    {
        for v in list.iter_mut().filter_map(Value::as_object_mut) {
            let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
            if kind.is_empty() || kind == "filter" {
                v.insert("type".into(), json!("query"));
                v.remove("query");
            }
        }
    }
}

/// v12: `hideVariable` became `hide: 2`, `hideLabel` `hide: 1`.
fn variable_hide_flags(obj: &mut Map<String, Value>) {
    let Some(list) = obj
        .get_mut("templating")
        .and_then(|t| t.get_mut("list"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for v in list.iter_mut().filter_map(Value::as_object_mut) {
        if truthy(v.get("hideVariable")) {
            v.insert("hide".into(), json!(2));
        } else if truthy(v.get("hideLabel")) {
            v.insert("hide".into(), json!(1));
        }
        match v.get("refresh") {
            Some(Value::Bool(true)) => {
                v.insert("refresh".into(), json!(1));
            }
            Some(Value::Bool(false)) => {
                v.insert("refresh".into(), json!(0));
            }
            _ => {}
        }
    }
}

/// v18: a gauge's `options-gauge` became its `options`: the value settings in `valueOptions`,
/// the thresholds in reverse order, anything else as it was (`options` itself dropped).
fn gauge_options(p: &mut Map<String, Value>) {
    let Some(Value::Object(mut old)) = p.remove("options-gauge") else {
        return;
    };
    old.remove("options");
    let mut value_options = Map::new();
    for key in ["unit", "stat", "decimals", "prefix", "suffix"] {
        if let Some(v) = old.remove(key) {
            value_options.insert(key.into(), v);
        }
    }
    if let Some(Value::Array(mut steps)) = old.remove("thresholds") {
        steps.reverse();
        old.insert("thresholds".into(), Value::Array(steps));
    }
    old.insert("valueOptions".into(), Value::Object(value_options));
    p.insert("options".into(), Value::Object(old));
}

/// A dashboard title as a legacy link names it, in its URL (`my dashboard` → `my-dashboard`).
fn slug(title: &str) -> String {
    crate::api::slugify(title)
}

/// v19: a panel link to a dashboard by title (`dashboard`) or uri (`dashUri`), with
/// `keepTime`, `includeVars` and `params`, became one `url`.
fn panel_links(p: &mut Map<String, Value>) {
    let Some(links) = p.get_mut("links").and_then(Value::as_array_mut) else {
        return;
    };
    for link in links.iter_mut().filter_map(Value::as_object_mut) {
        let base = if let Some(url) = link.get("url").and_then(Value::as_str) {
            url.to_owned()
        } else if let Some(d) = link.get("dashboard").and_then(Value::as_str) {
            format!("dashboard/db/{}", slug(d))
        } else if let Some(d) = link.get("dashUri").and_then(Value::as_str) {
            format!("dashboard/{d}")
        } else {
            String::new()
        };
        let mut params = Vec::new();
        if truthy(link.get("keepTime")) {
            params.push("$__url_time_range".to_owned());
        }
        if truthy(link.get("includeVars")) {
            params.push("$__all_variables".to_owned());
        }
        if let Some(extra) = link.get("params").and_then(Value::as_str) {
            if !extra.is_empty() {
                params.push(extra.to_owned());
            }
        }
        let url = if params.is_empty() {
            base
        } else {
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}{}", params.join("&"))
        };
        for key in ["dashboard", "dashUri", "keepTime", "includeVars", "params"] {
            link.remove(key);
        }
        link.insert("url".into(), json!(url));
    }
}

/// v20, v21: the data link variables' old names in a panel's links and field titles.
fn link_variables(p: &mut Map<String, Value>, renames: &[(&str, &str)]) {
    let rename = |s: &str| {
        renames
            .iter()
            .fold(s.to_owned(), |acc, (from, to)| replace_word(&acc, from, to))
    };
    let fix_links = |links: Option<&mut Value>| {
        for link in links
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            if let Some(url) = link.get("url").and_then(Value::as_str).map(rename) {
                link.insert("url".into(), json!(url));
            }
        }
    };
    if let Some(options) = p.get_mut("options").and_then(Value::as_object_mut) {
        fix_links(options.get_mut("dataLinks"));
        if let Some(defaults) = options
            .get_mut("fieldOptions")
            .and_then(|f| f.get_mut("defaults"))
            .and_then(Value::as_object_mut)
        {
            fix_links(defaults.get_mut("links"));
            if let Some(title) = defaults.get("title").and_then(Value::as_str).map(rename) {
                defaults.insert("title".into(), json!(title));
            }
        }
    }
}

fn replace_word(s: &str, from: &str, to: &str) -> String {
    s.replace(from, to)
}

/// v35: a time series whose axes are hidden keeps its time axis shown, through an override of
/// the time field.
fn time_axis_visible(p: &mut Map<String, Value>) {
    if p.get("type").and_then(Value::as_str) != Some("timeseries") {
        return;
    }
    let hidden = p
        .get("fieldConfig")
        .and_then(|f| f.pointer("/defaults/custom/axisPlacement"))
        .and_then(Value::as_str)
        == Some("hidden");
    if !hidden {
        return;
    }
    let Some(fc) = p.get_mut("fieldConfig").and_then(Value::as_object_mut) else {
        return;
    };
    let overrides = fc.entry("overrides").or_insert(json!([]));
    if let Some(list) = overrides.as_array_mut() {
        list.push(json!({"matcher": {"id": "byType", "options": "time"},
                          "properties": [{"id": "custom.axisPlacement", "value": "auto"}]}));
    }
}

/// v37: a legend hidden by `displayMode: hidden` or `showLegend: false` is a hidden list; any
/// other says `showLegend: true`; a null legend goes.
fn legend_normalized(p: &mut Map<String, Value>) {
    let Some(options) = p.get_mut("options").and_then(Value::as_object_mut) else {
        return;
    };
    match options.get_mut("legend") {
        Some(Value::Null) => {
            options.remove("legend");
        }
        Some(Value::Object(legend)) => {
            let hidden = legend.get("displayMode").and_then(Value::as_str) == Some("hidden")
                || legend.get("showLegend") == Some(&Value::Bool(false));
            if hidden {
                legend.insert("displayMode".into(), json!("list"));
                legend.insert("showLegend".into(), json!(false));
            } else {
                legend.insert("showLegend".into(), json!(true));
            }
        }
        _ => {}
    }
}

/// v42: a series hidden from the graph is hidden from the tooltip too.
fn hidden_series_out_of_tooltips(p: &mut Map<String, Value>) {
    let Some(overrides) = p
        .get_mut("fieldConfig")
        .and_then(|f| f.get_mut("overrides"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for o in overrides.iter_mut() {
        for prop in o
            .get_mut("properties")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if prop.get("id").and_then(Value::as_str) != Some("custom.hideFrom") {
                continue;
            }
            if let Some(value) = prop.get_mut("value").and_then(Value::as_object_mut) {
                if value.get("viz") == Some(&Value::Bool(true)) {
                    value.insert("tooltip".into(), json!(true));
                }
            }
        }
    }
}

/// The next query letter not taken: `A`, `B`, ... `Z`, then `AA`.
fn next_ref_id(taken: &[String]) -> String {
    (0..)
        .map(ref_id_at)
        .find(|id| !taken.contains(id))
        .unwrap_or_default()
}

fn ref_id_at(i: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    if i < 26 {
        letter(i).to_string()
    } else {
        format!("{}{}", letter(i / 26 - 1), letter(i))
    }
}

/// Every query has a ref id: one without gets the next free letter.
fn ref_ids(p: &mut Map<String, Value>) {
    let Some(list) = p.get_mut("targets").and_then(Value::as_array_mut) else {
        return;
    };
    let mut taken: Vec<String> = list
        .iter()
        .filter_map(|t| t.get("refId").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for t in list.iter_mut().filter_map(Value::as_object_mut) {
        let has = t
            .get("refId")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty());
        if !has {
            let id = next_ref_id(&taken);
            taken.push(id.clone());
            t.insert("refId".into(), json!(id));
        }
    }
}

/// Panel ids are unique: a missing or repeated id becomes the next after the largest.
fn unique_panel_ids(obj: &mut Map<String, Value>) {
    let mut max = 0i64;
    for_each_panel(obj, &mut |p| {
        if let Some(id) = number(p.get("id")) {
            max = max.max(id as i64);
        }
    });
    let mut seen = std::collections::BTreeSet::new();
    for_each_panel(obj, &mut |p| {
        let id = number(p.get("id")).map(|f| f as i64);
        match id {
            Some(id) if seen.insert(id) => {}
            _ => {
                // The next after the largest; past i64::MAX, the first free one.
                let next = max
                    .checked_add(1)
                    .or_else(|| (1..).find(|i| !seen.contains(i)))
                    .unwrap_or(0);
                max = max.max(next);
                seen.insert(next);
                p.insert("id".into(), json!(next));
            }
        }
    });
}

/// What every migrated dashboard has: a title and a time range (the last 6 hours unless it
/// says otherwise); before v40, a refresh that is a period or off (`""`: Grafana clears a
/// number or boolean, or no refresh at all).
fn defaults(obj: &mut Map<String, Value>, before: i64) {
    if !obj.get("title").is_some_and(Value::is_string) {
        obj.insert("title".into(), json!("No Title"));
    }
    let time_ok = obj.get("time").is_some_and(|t| {
        t.get("from").is_some_and(Value::is_string) && t.get("to").is_some_and(Value::is_string)
    });
    if !time_ok {
        obj.insert("time".into(), json!({"from": "now-6h", "to": "now"}));
    }
    if before < 40 && !obj.get("refresh").is_some_and(Value::is_string) {
        obj.insert("refresh".into(), json!(""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_link_variables_are_renamed_once() {
        let renames = [
            ("$__series_name", "${__series.name}"),
            ("__series_name", "__series.name"),
        ];
        assert_eq!(
            renames.iter().fold(
                "a=$__series_name&b=__series_name".to_owned(),
                |acc, (f, t)| replace_word(&acc, f, t)
            ),
            "a=${__series.name}&b=__series.name"
        );
    }

    #[test]
    fn ref_ids_are_the_next_free_letters() {
        assert_eq!(next_ref_id(&["A".into(), "C".into()]), "B");
        assert_eq!(ref_id_at(26), "AA");
    }
}
