//! Schema migration of Grafana dashboard JSON: from the oldest `schemaVersion` people still
//! have (13 in our corpus) to [`TARGET_SCHEMA_VERSION`], the shape the rest of kubeglass reads.
//!
//! It follows Grafana's `DashboardMigrator` (public/app/features/dashboard/state) and the
//! panel-change handlers Grafana runs when it replaces an Angular panel: `graph` becomes
//! `timeseries` ([`graph`]), `singlestat` becomes `stat` or `gauge` ([`singlestat`]), the Angular
//! `table` (with `styles`) becomes the React `table` ([`table`]). It is a pure `Value -> Value`
//! function: every field it does not understand is kept, so a dashboard round-trips.
//! What it had to drop (a singlestat's `prefix`, for instance) is returned as a [`Note`].

mod graph;
mod schema;
mod singlestat;
mod table;

use serde_json::{json, Map, Value};

/// The schema version migrated dashboards have: the latest Grafana (13) writes.
pub const TARGET_SCHEMA_VERSION: i64 = 43;

/// Something the migration could not carry over, for the user to know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub panel_id: Option<i64>,
    pub title: String,
    pub what: String,
}

/// What [`migrate`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Migrated {
    pub dashboard: Value,
    /// `schemaVersion` as found (0 when absent, as Grafana treats it).
    pub version_before: i64,
    pub version_after: i64,
    pub notes: Vec<Note>,
}

/// Migrates a dashboard object to [`TARGET_SCHEMA_VERSION`] (or leaves a newer one as it is,
/// apart from the panel conversions, which Grafana also applies to any version).
pub fn migrate(mut dashboard: Value) -> Migrated {
    let before = number(dashboard.get("schemaVersion"))
        .map(|f| f as i64)
        .unwrap_or(0);
    let mut notes = Vec::new();
    if let Some(obj) = dashboard.as_object_mut() {
        if before < 14 {
            shared_crosshair_to_graph_tooltip(obj);
        }
        if obj.get("rows").is_some_and(Value::is_array) {
            rows_to_grid(obj);
        }
        schema::upgrade(obj, before);
        if let Some(panels) = obj.get_mut("panels").and_then(Value::as_array_mut) {
            for panel in panels.iter_mut() {
                migrate_panel(panel, &mut notes);
                if let Some(nested) = panel.get_mut("panels").and_then(Value::as_array_mut) {
                    nested.iter_mut().for_each(|p| migrate_panel(p, &mut notes));
                }
            }
        }
        if before < 29 {
            query_variables_refresh(obj);
        }
    }
    let after = before.max(TARGET_SCHEMA_VERSION);
    if let Some(obj) = dashboard.as_object_mut() {
        obj.insert("schemaVersion".into(), json!(after));
    }
    Migrated {
        dashboard,
        version_before: before,
        version_after: after,
        notes,
    }
}

/// Converts one panel whose type Grafana replaced, in place.
fn migrate_panel(panel: &mut Value, notes: &mut Vec<Note>) {
    let Some(obj) = panel.as_object_mut() else {
        return;
    };
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match kind.as_str() {
        "graph" => graph::graph_to_timeseries(obj, notes),
        "singlestat" | "grafana-singlestat-panel" => singlestat::singlestat_to_stat(obj, notes),
        "table" | "table-old" if obj.contains_key("styles") => table::angular_table_to_table(obj),
        // v26: the text panel was rewritten in React as `text2`, then renamed back; the
        // Angular settings it kept are dropped.
        "text2" => {
            obj.insert("type".into(), json!("text"));
            if let Some(options) = obj.get_mut("options").and_then(Value::as_object_mut) {
                options.remove("angular");
            }
        }
        "stat" | "gauge" | "bargauge" | "singlestat2" => {
            if kind == "singlestat2" {
                obj.insert("type".into(), json!("stat"));
            }
            field_options_to_field_config(obj);
        }
        _ => {}
    }
}

/// v14 (`DashboardMigrator`): `sharedCrosshair: true` became `graphTooltip: 1`.
fn shared_crosshair_to_graph_tooltip(obj: &mut Map<String, Value>) {
    if let Some(shared) = obj.remove("sharedCrosshair") {
        let on = shared.as_bool().unwrap_or(false);
        obj.entry("graphTooltip")
            .or_insert(json!(if on { 1 } else { 0 }));
    }
}

/// v29 (`DashboardMigrator`): a query variable refreshes at least on dashboard load (`refresh`
/// 0, "never", is no longer allowed) and its saved `options` are dropped; `current` is kept.
fn query_variables_refresh(obj: &mut Map<String, Value>) {
    let Some(list) = obj
        .get_mut("templating")
        .and_then(|t| t.get_mut("list"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for var in list.iter_mut().filter_map(Value::as_object_mut) {
        if var.get("type").and_then(Value::as_str) != Some("query") {
            continue;
        }
        let refresh = number(var.get("refresh")).unwrap_or(0.0);
        if refresh != 1.0 && refresh != 2.0 {
            var.insert("refresh".into(), json!(1));
        }
        if var
            .get("options")
            .and_then(Value::as_array)
            .is_some_and(|o| !o.is_empty())
        {
            var.insert("options".into(), json!([]));
        }
    }
}

/// Grid rows are 30px high with an 8px gap: one grid unit is 38px of the old layout.
const PANEL_HEIGHT_STEP_PX: f64 = 38.0;
/// The smallest panel Grafana makes from a legacy row: three 30px cells.
const MIN_PANEL_HEIGHT_PX: f64 = 90.0;
/// A legacy row without `height`.
const DEFAULT_ROW_HEIGHT_PX: f64 = 250.0;
/// A legacy panel without `span` (of 12 columns).
const DEFAULT_PANEL_SPAN: f64 = 4.0;

/// A legacy height (`250`, `"250px"`) in grid units, as Grafana's `getGridHeight`.
fn grid_height(px: f64) -> i64 {
    (px.max(MIN_PANEL_HEIGHT_PX) / PANEL_HEIGHT_STEP_PX).ceil() as i64
}

/// A legacy pixel height: a number or a string such as `"250px"`.
fn pixels(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::String(s) => s.trim().trim_end_matches("px").trim().parse().ok(),
        other => other.as_f64(),
    }
}

/// v16 (`DashboardMigrator.upgradeToGridLayout`): legacy `rows[]` of span-based panels become
/// row panels and panels with a `gridPos` on the 24-column grid. Row panels are made only if
/// one row is collapsed, repeated or shows its title (otherwise the rows were invisible); a
/// collapsed row keeps its panels in its own `panels`.
fn rows_to_grid(obj: &mut Map<String, Value>) {
    let rows = match obj.remove("rows") {
        Some(Value::Array(rows)) => rows,
        _ => return,
    };
    let max_id = rows
        .iter()
        .flat_map(|r| {
            r.get("panels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|p| number(p.get("id")))
        .fold(0.0, f64::max) as i64;
    let mut next_row_id = max_id.saturating_add(1);
    let show_rows = rows.iter().any(|r| {
        truthy(r.get("collapse"))
            || truthy(r.get("showTitle"))
            || r.get("repeat")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
    });
    let mut out: Vec<Value> = match obj.remove("panels") {
        Some(Value::Array(ps)) => ps,
        _ => Vec::new(),
    };
    let mut y = 0i64;
    for row in rows {
        let Value::Object(mut row) = row else {
            continue;
        };
        if truthy(row.get("repeatIteration")) {
            continue;
        }
        let row_h = grid_height(pixels(row.get("height")).unwrap_or(DEFAULT_ROW_HEIGHT_PX));
        let collapsed = truthy(row.get("collapse"));
        let row_panel = show_rows.then(|| {
            let mut p = Map::new();
            p.insert("type".into(), json!("row"));
            p.insert("id".into(), json!(next_row_id));
            p.insert(
                "title".into(),
                row.get("title").cloned().unwrap_or(json!("")),
            );
            p.insert("collapsed".into(), json!(collapsed));
            if let Some(repeat) = row
                .get("repeat")
                .filter(|r| r.as_str().is_some_and(|s| !s.is_empty()))
            {
                p.insert("repeat".into(), repeat.clone());
            }
            p.insert(
                "gridPos".into(),
                json!({"x": 0, "y": y, "w": 24, "h": row_h}),
            );
            p.insert("panels".into(), json!([]));
            p
        });
        if row_panel.is_some() {
            next_row_id = next_row_id.saturating_add(1);
            y += 1;
        }
        let mut area = RowArea::new(row_h, y);
        let mut placed = Vec::new();
        for panel in match row.remove("panels") {
            Some(Value::Array(ps)) => ps,
            _ => Vec::new(),
        } {
            let Value::Object(mut panel) = panel else {
                continue;
            };
            let span = number(panel.get("span")).unwrap_or(DEFAULT_PANEL_SPAN);
            let w = ((span.floor() * 2.0) as i64).clamp(1, 24);
            let h = pixels(panel.get("height"))
                .map(grid_height)
                .unwrap_or(row_h);
            let (px, py) = area.place(w);
            y = area.y;
            panel.insert(
                "gridPos".into(),
                json!({"x": px, "y": y + py, "w": w, "h": h}),
            );
            area.add(px, y + py, w, h);
            panel.remove("span");
            placed.push(Value::Object(panel));
        }
        match row_panel {
            Some(mut rp) if collapsed => {
                rp.insert("panels".into(), Value::Array(placed));
                out.push(Value::Object(rp));
            }
            Some(rp) => {
                out.push(Value::Object(rp));
                out.extend(placed);
                y += row_h;
            }
            None => {
                out.extend(placed);
                y += row_h;
            }
        }
    }
    obj.insert("panels".into(), Value::Array(out));
}

/// Grafana's `RowArea`: which of the 24 columns of a legacy row are filled, and how high, so
/// that panels flow left to right and wrap when the row is full.
struct RowArea {
    filled: [i64; 24],
    height: i64,
    y: i64,
}

impl RowArea {
    fn new(height: i64, y: i64) -> Self {
        RowArea {
            filled: [0; 24],
            height,
            y,
        }
    }

    fn add(&mut self, x: i64, y: i64, w: i64, h: i64) {
        for col in x.max(0)..(x + w).min(24) {
            let c = &mut self.filled[col as usize];
            *c = (*c).max(y + h - self.y);
        }
    }

    /// The free place for a panel `w` wide: scanning from the right, the run of columns that
    /// still have room; wraps to a fresh line of the row when it is too narrow.
    fn place(&mut self, w: i64) -> (i64, i64) {
        loop {
            let mut end = None;
            let mut start = 0usize;
            for i in (0..24usize).rev() {
                if self.height - self.filled[i] > 0 {
                    if end.is_none() {
                        end = Some(i);
                        start = i;
                    } else if i < 23 && self.filled[i] <= self.filled[i + 1] {
                        start = i;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            if let Some(end) = end {
                if (end - start) as i64 >= w - 1 {
                    let top = self.filled[start..=end].iter().copied().max().unwrap_or(0);
                    return (start as i64, top);
                }
            }
            if self.filled.iter().all(|c| *c == 0) {
                // Wider than the grid: Grafana would loop; place it at the start.
                return (0, 0);
            }
            self.y += self.height;
            self.filled = [0; 24];
        }
    }
}

/// v18-era stat/gauge/bargauge kept their field settings in `options.fieldOptions`; Grafana
/// 7 moved them to `fieldConfig.defaults` and `options.reduceOptions`
/// (`sharedSingleStatMigrationHandler`, `migrateFromValueOptions`).
fn field_options_to_field_config(obj: &mut Map<String, Value>) {
    let Some(fo) = obj
        .get_mut("options")
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove("fieldOptions"))
    else {
        return;
    };
    let mut defaults = fo
        .get("defaults")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Before 7.0 thresholds and mappings sat next to `defaults` in some versions, inside in others.
    let thresholds = defaults
        .remove("thresholds")
        .or_else(|| fo.get("thresholds").cloned());
    if let Some(Value::Array(steps)) = thresholds {
        let steps: Vec<Value> = steps
            .into_iter()
            .map(|mut s| {
                if let Some(o) = s.as_object_mut() {
                    // -Infinity was written as null (or a very negative number) in JSON.
                    if o.get("value")
                        .and_then(Value::as_f64)
                        .is_none_or(|v| v == f64::NEG_INFINITY)
                    {
                        o.insert("value".into(), Value::Null);
                    }
                    o.remove("index");
                }
                s
            })
            .collect();
        defaults.insert(
            "thresholds".into(),
            json!({"mode": "absolute", "steps": steps}),
        );
    } else if let Some(t) = thresholds {
        defaults.insert("thresholds".into(), t);
    }
    if let Some(m) = defaults
        .remove("mappings")
        .or_else(|| fo.get("mappings").cloned())
    {
        defaults.insert("mappings".into(), m);
    }
    let overrides = fo.get("overrides").cloned().unwrap_or(json!([]));
    let mut reduce = Map::new();
    reduce.insert(
        "calcs".into(),
        fo.get("calcs").cloned().unwrap_or(json!(["mean"])),
    );
    reduce.insert(
        "values".into(),
        fo.get("values").cloned().unwrap_or(json!(false)),
    );
    if let Some(limit) = fo.get("limit") {
        reduce.insert("limit".into(), limit.clone());
    }
    reduce.insert("fields".into(), json!(""));
    if let Some(options) = obj.get_mut("options").and_then(Value::as_object_mut) {
        options.insert("reduceOptions".into(), Value::Object(reduce));
    }
    let field_config = obj
        .entry("fieldConfig")
        .or_insert_with(|| json!({"defaults": {}, "overrides": []}));
    if let Some(fc) = field_config.as_object_mut() {
        let existing = fc.entry("defaults").or_insert(json!({}));
        if let Some(existing) = existing.as_object_mut() {
            for (k, v) in defaults {
                existing.entry(k).or_insert(v);
            }
        }
        fc.entry("overrides").or_insert(overrides);
    }
}

/// A number, also when written as a string (`"5"`), as old dashboards often do.
pub(crate) fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JavaScript truthiness of an optional JSON value, which is what the Angular panels tested.
pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// The panel's id and title, to name it in a [`Note`].
pub(crate) fn note(obj: &Map<String, Value>, what: impl Into<String>) -> Note {
    Note {
        panel_id: number(obj.get("id")).map(|f| f as i64),
        title: obj
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        what: what.into(),
    }
}

/// Threshold steps from the Angular form: a comma-separated list of levels and one more colour
/// than levels (the first colour is the base, below the first level).
pub(crate) fn threshold_steps(levels: &str, colors: &[Value]) -> Vec<Value> {
    let levels: Vec<f64> = levels
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut steps = Vec::new();
    if let Some(base) = colors.first() {
        steps.push(json!({"color": base, "value": null}));
    }
    for (i, level) in levels.iter().enumerate() {
        if let Some(color) = colors.get(i + 1) {
            steps.push(json!({"color": color, "value": level}));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_before_and_after_are_reported() {
        let m = migrate(json!({"schemaVersion": 14, "panels": []}));
        assert_eq!((m.version_before, m.version_after), (14, 43));
        assert_eq!(m.dashboard["schemaVersion"], json!(43));
        let newer = migrate(json!({"schemaVersion": 44, "panels": []}));
        assert_eq!(newer.version_after, 44);
        let absent = migrate(json!({"panels": []}));
        assert_eq!((absent.version_before, absent.version_after), (0, 43));
    }

    #[test]
    fn shared_crosshair_becomes_graph_tooltip() {
        // DashboardMigrator, oldVersion < 14.
        let m = migrate(json!({"schemaVersion": 13, "sharedCrosshair": true}));
        assert_eq!(m.dashboard["graphTooltip"], json!(1));
        assert!(m.dashboard.get("sharedCrosshair").is_none());
    }

    #[test]
    fn unknown_fields_are_kept() {
        let m = migrate(
            json!({"schemaVersion": 39, "x-custom": {"a": 1}, "panels": [{"type": "foo", "zz": 2}]}),
        );
        assert_eq!(m.dashboard["x-custom"], json!({"a": 1}));
        assert_eq!(m.dashboard["panels"][0]["zz"], json!(2));
    }

    #[test]
    fn grid_height_follows_grafana() {
        // getGridHeight: ceil(px / 38), at least 90px.
        assert_eq!(grid_height(250.0), 7);
        assert_eq!(grid_height(300.0), 8);
        assert_eq!(grid_height(50.0), 3);
        assert_eq!(pixels(Some(&json!("250px"))), Some(250.0));
    }

    #[test]
    fn legacy_rows_without_visible_rows_become_plain_grid_panels() {
        // upgradeToGridLayout: no row collapsed/titled/repeated -> no row panels.
        let m = migrate(json!({"schemaVersion": 13, "rows": [
            {"height": "250px", "panels": [{"id": 1, "span": 6}, {"id": 2, "span": 6}, {"id": 3, "span": 4}]},
            {"height": 300, "panels": [{"id": 4, "span": 12}]}
        ]}));
        let d = &m.dashboard;
        assert!(d.get("rows").is_none());
        let pos: Vec<Value> = d["panels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["gridPos"].clone())
            .collect();
        assert_eq!(
            pos,
            vec![
                json!({"x": 0, "y": 0, "w": 12, "h": 7}),
                json!({"x": 12, "y": 0, "w": 12, "h": 7}),
                json!({"x": 0, "y": 7, "w": 8, "h": 7}),
                json!({"x": 0, "y": 14, "w": 24, "h": 8}),
            ]
        );
        assert!(d["panels"][0].get("span").is_none());
    }

    #[test]
    fn legacy_rows_with_titles_become_row_panels_and_collapsed_rows_keep_their_panels() {
        let m = migrate(json!({"schemaVersion": 14, "rows": [
            {"title": "CPU", "showTitle": true, "collapse": false, "panels": [{"id": 3, "span": 12}]},
            {"title": "Disk", "collapse": true, "repeat": "disk", "panels": [{"id": 7, "span": 6}, {"id": 8}]}
        ]}));
        let ps = m.dashboard["panels"].as_array().unwrap();
        assert_eq!(ps.len(), 3);
        assert_eq!(ps[0]["type"], json!("row"));
        assert_eq!(ps[0]["id"], json!(9));
        assert_eq!(ps[0]["gridPos"], json!({"x": 0, "y": 0, "w": 24, "h": 7}));
        assert_eq!(ps[1]["id"], json!(3));
        assert_eq!(ps[1]["gridPos"], json!({"x": 0, "y": 1, "w": 24, "h": 7}));
        assert_eq!(ps[2]["type"], json!("row"));
        assert_eq!(ps[2]["collapsed"], json!(true));
        assert_eq!(ps[2]["repeat"], json!("disk"));
        assert_eq!(ps[2]["gridPos"]["y"], json!(8));
        let nested = ps[2]["panels"].as_array().unwrap();
        assert_eq!(nested.len(), 2);
        assert_eq!(
            nested[0]["gridPos"],
            json!({"x": 0, "y": 9, "w": 12, "h": 7})
        );
        // No span: Grafana's default of 4 (of 12) columns.
        assert_eq!(
            nested[1]["gridPos"],
            json!({"x": 12, "y": 9, "w": 8, "h": 7})
        );
    }

    #[test]
    fn field_options_move_to_field_config() {
        // sharedSingleStatMigrationHandler for pre-7.0 gauge options.
        let m = migrate(
            json!({"schemaVersion": 18, "panels": [{"type": "gauge", "id": 1, "options": {
            "fieldOptions": {"calcs": ["last"], "defaults": {"unit": "percent", "min": 0, "max": 100},
                "thresholds": [{"color": "green", "index": 0, "value": null}, {"color": "red", "index": 1, "value": 80}],
                "values": false},
            "showThresholdMarkers": true}}]}),
        );
        let p = &m.dashboard["panels"][0];
        assert!(p["options"].get("fieldOptions").is_none());
        assert_eq!(p["options"]["reduceOptions"]["calcs"], json!(["last"]));
        assert_eq!(p["options"]["showThresholdMarkers"], json!(true));
        assert_eq!(p["fieldConfig"]["defaults"]["unit"], json!("percent"));
        assert_eq!(
            p["fieldConfig"]["defaults"]["thresholds"],
            json!({"mode": "absolute", "steps": [
            {"color": "green", "value": null}, {"color": "red", "value": 80}]})
        );
    }

    #[test]
    fn query_variables_refresh_at_least_on_load() {
        // DashboardMigrator, oldVersion < 29.
        let m = migrate(json!({"schemaVersion": 14, "templating": {"list": [
            {"type": "query", "name": "a", "refresh": 0, "options": [{"text": "x", "value": "x"}], "current": {"text": "x", "value": "x"}},
            {"type": "custom", "name": "b", "refresh": 0, "options": [{"text": "y", "value": "y"}]}
        ]}}));
        let list = &m.dashboard["templating"]["list"];
        assert_eq!(list[0]["refresh"], json!(1));
        assert_eq!(list[0]["options"], json!([]));
        assert_eq!(list[0]["current"]["value"], json!("x"));
        assert_eq!(list[1]["options"][0]["value"], json!("y"));
    }

    #[test]
    fn threshold_steps_from_angular_levels() {
        let steps = threshold_steps("80, 90", &[json!("green"), json!("orange"), json!("red")]);
        assert_eq!(
            steps,
            vec![
                json!({"color": "green", "value": null}),
                json!({"color": "orange", "value": 80.0}),
                json!({"color": "red", "value": 90.0}),
            ]
        );
    }
}
