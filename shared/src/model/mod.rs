//! A lenient read of Grafana dashboard JSON: the parts kubeglass draws (title, time, refresh,
//! panels with their grid positions, queries and field config).
//!
//! It never rejects what [`crate::model::validate`] accepts: absent fields take Grafana's defaults,
//! numbers written as strings (and the reverse) are read, unknown fields are ignored. The
//! stored JSON itself stays untouched; this is only a view of it. Older schemas (legacy `rows`
//! among them) are first migrated by [`crate::model::migrate`], as [`Dashboard::from_stored`] does.

pub mod field;
pub mod import;
pub mod migrate;
pub mod repeat;
pub mod template;
pub mod validate;

use crate::api::DataSourceInfo;
use crate::data::reduce::Reducer;
use crate::time::TimeRange;
use field::{read_overrides, read_panel_defaults, FieldDefaults, FieldOverride};
use serde_json::Value;

/// The dashboard as the front end shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dashboard {
    pub uid: String,
    pub title: String,
    pub tags: Vec<String>,
    /// The default time range (`time`), if the dashboard sets one.
    pub time: Option<TimeRange>,
    /// The default auto-refresh (`refresh`, e.g. `"30s"`); `None` when off.
    pub refresh: Option<String>,
    pub panels: Vec<Panel>,
}

/// A panel's place on the 24-column grid; `h` is in 30px rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridPos {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Default for GridPos {
    fn default() -> Self {
        GridPos {
            x: 0,
            y: 0,
            w: 12,
            h: 8,
        }
    }
}

/// Which data source a panel or target names, as written in the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSourceRef {
    /// Absent, null, `"default"`, `-- Mixed --`: the default.
    Default,
    /// A variable (`${DS_PROMETHEUS}`, `$datasource`), as written: the data source its value
    /// names once interpolated ([`crate::model::template::state::interpolate_panel`]); the default until then.
    Variable(String),
    /// A uid or a name (`{"uid": "x"}` or the legacy string form).
    Named(String),
}

/// One query of a panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    pub ref_id: String,
    pub expr: String,
    pub legend_format: Option<String>,
    pub hide: bool,
    pub instant: bool,
    pub interval_factor: u32,
    /// "Min step" of this query.
    pub interval: Option<String>,
    pub datasource: Option<DataSourceRef>,
    /// `format`: `time_series` (the default), `table` or `heatmap` (Prometheus buckets).
    pub format: Option<String>,
}

/// One entry of a panel's `transformations`, kept as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformation {
    pub id: String,
    pub options: Value,
    pub disabled: bool,
}

/// A panel, or a row (`type: "row"`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Panel {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub grid: GridPos,
    pub targets: Vec<Target>,
    pub datasource: Option<DataSourceRef>,
    pub defaults: FieldDefaults,
    /// `fieldConfig.overrides`, in order (a later one wins).
    pub overrides: Vec<FieldOverride>,
    /// `transformations`, in order.
    pub transformations: Vec<Transformation>,
    /// `options`, kept as JSON: each panel type reads its own.
    pub options: Value,
    pub max_data_points: Option<u32>,
    /// "Min interval" of the panel.
    pub interval: Option<String>,
    /// For rows: whether the row is collapsed (its panels are then in `panels`).
    pub collapsed: bool,
    /// For collapsed rows: the panels they hold.
    pub panels: Vec<Panel>,
    /// `repeat`: the variable the panel (or row) is repeated over, one copy per value.
    pub repeat: Option<String>,
    /// `repeatDirection: v`: copies stack down; otherwise they fill across.
    pub repeat_vertical: bool,
    /// `maxPerRow`: how many copies fill across before wrapping (Grafana's default is 4).
    pub max_per_row: Option<u32>,
    /// Variables set to one value for this panel: a repeated copy's ([`crate::model::repeat`]).
    pub scoped_vars: Vec<ScopedVar>,
}

/// A variable set to a single value for one panel (a repeated copy's value).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopedVar {
    pub name: String,
    pub value: String,
    pub text: String,
}

impl Panel {
    pub fn is_row(&self) -> bool {
        self.kind == "row"
    }

    /// A string option at a JSON pointer into `options` (`/reduceOptions/calcs/0`).
    pub fn option_str(&self, pointer: &str) -> Option<&str> {
        self.options.pointer(pointer).and_then(Value::as_str)
    }

    /// How the panel reduces each series to one value: the first of
    /// `options.reduceOptions.calcs` kubeglass knows, else `lastNotNull` (Grafana's default).
    pub fn reducer(&self) -> Reducer {
        self.options
            .pointer("/reduceOptions/calcs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find_map(Reducer::from_id)
            .unwrap_or(Reducer::LastNotNull)
    }
}

pub(super) fn as_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn as_f64(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn as_u32(v: Option<&Value>) -> Option<u32> {
    as_f64(v)
        .filter(|f| *f >= 0.0 && f.is_finite())
        .map(|f| f.round().min(u32::MAX as f64) as u32)
}

pub(super) fn as_bool(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}

pub(super) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Reads a panel's or target's `datasource` (a uid or name string, or `{type, uid}`).
pub fn read_datasource(v: Option<&Value>) -> Option<DataSourceRef> {
    let name = match v? {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Object(o) => match as_string(o.get("uid")) {
            Some(uid) => uid,
            None => return Some(DataSourceRef::Default),
        },
        _ => return Some(DataSourceRef::Default),
    };
    let trimmed = name.trim();
    if trimmed.starts_with('$') {
        Some(DataSourceRef::Variable(trimmed.to_string()))
    } else if trimmed.is_empty()
        || trimmed == "default"
        || trimmed == "-- Mixed --"
        || trimmed == "-- Grafana --"
    {
        Some(DataSourceRef::Default)
    } else {
        Some(DataSourceRef::Named(trimmed.to_string()))
    }
}

fn read_target(v: &Value) -> Target {
    Target {
        ref_id: as_string(v.get("refId")).unwrap_or_default(),
        expr: as_string(v.get("expr")).unwrap_or_default(),
        legend_format: as_string(v.get("legendFormat")),
        hide: as_bool(v.get("hide")),
        instant: as_bool(v.get("instant")),
        interval_factor: as_u32(v.get("intervalFactor")).unwrap_or(1).max(1),
        interval: non_empty(as_string(v.get("interval"))),
        datasource: read_datasource(v.get("datasource")),
        format: non_empty(as_string(v.get("format"))),
    }
}

/// A panel's `options`; for legacy text panels, whose `mode` and `content` sit on the panel
/// itself, those two are moved in (the panel's own options win).
fn read_options(v: &Value) -> Value {
    let mut options = v.get("options").cloned().unwrap_or(Value::Null);
    if v.get("type").and_then(Value::as_str) == Some("text") {
        if !options.is_object() {
            options = Value::Object(Default::default());
        }
        for key in ["mode", "content"] {
            if let (Some(value), Some(o)) = (v.get(key), options.as_object_mut()) {
                o.entry(key).or_insert_with(|| value.clone());
            }
        }
    }
    // A legacy heatmap keeps its settings beside `options` (empty); they are kept under
    // `options.angular` for `crate::panels::heatmap` to migrate, as Grafana's heatmap migration reads them.
    let empty = options.as_object().is_none_or(|o| o.is_empty());
    if v.get("type").and_then(Value::as_str) == Some("heatmap") && empty {
        let keys = [
            "dataFormat",
            "color",
            "cards",
            "yAxis",
            "legend",
            "tooltip",
            "hideZeroBuckets",
            "reverseYBuckets",
            "yBucketBound",
            "tooltipDecimals",
        ];
        let angular: serde_json::Map<String, Value> = keys
            .iter()
            .filter_map(|k| Some((k.to_string(), v.get(*k)?.clone())))
            .collect();
        if !angular.is_empty() {
            options = serde_json::json!({ "angular": angular });
        }
    }
    options
}

/// Reads one panel; `fallback_id` is used when it has no `id`.
pub fn read_panel(v: &Value, fallback_id: i64) -> Panel {
    let grid = v.get("gridPos");
    let g = |k: &str, d: u32| as_u32(grid.and_then(|g| g.get(k))).unwrap_or(d);
    let kind = as_string(v.get("type")).unwrap_or_default();
    let nested: Vec<Panel> = v
        .get("panels")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| read_panel(p, fallback_id * 100 + i as i64 + 1))
                .collect()
        })
        .unwrap_or_default();
    Panel {
        id: as_f64(v.get("id")).map(|f| f as i64).unwrap_or(fallback_id),
        title: as_string(v.get("title")).unwrap_or_default(),
        description: as_string(v.get("description")).unwrap_or_default(),
        grid: GridPos {
            x: g("x", 0).min(23),
            y: g("y", 0),
            w: g("w", if kind == "row" { 24 } else { 12 }).clamp(1, 24),
            h: g("h", if kind == "row" { 1 } else { 8 }).max(1),
        },
        targets: {
            let mut targets: Vec<Target> = v
                .get("targets")
                .and_then(Value::as_array)
                .map(|t| t.iter().map(read_target).collect())
                .unwrap_or_default();
            // Grafana names queries without a refId A, B, C… on load; columns such as
            // `Value #A` and the transformations' options depend on it.
            ensure_ref_ids(&mut targets);
            targets
        },
        datasource: read_datasource(v.get("datasource")),
        defaults: read_panel_defaults(&kind, v.pointer("/fieldConfig/defaults")),
        overrides: read_overrides(v.pointer("/fieldConfig/overrides")),
        options: read_options(v),
        transformations: v
            .get("transformations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(Transformation {
                    id: as_string(t.get("id"))?,
                    options: t.get("options").cloned().unwrap_or(Value::Null),
                    disabled: as_bool(t.get("disabled")),
                })
            })
            .collect(),
        max_data_points: as_u32(v.get("maxDataPoints")).filter(|n| *n > 0),
        interval: non_empty(as_string(v.get("interval"))),
        collapsed: as_bool(v.get("collapsed")),
        panels: nested,
        repeat: non_empty(as_string(v.get("repeat"))),
        repeat_vertical: as_string(v.get("repeatDirection")).as_deref() == Some("v"),
        max_per_row: as_u32(v.get("maxPerRow")).filter(|n| *n > 0),
        scoped_vars: Vec::new(),
        kind,
    }
}

impl Dashboard {
    /// Reads a dashboard JSON object of the current schema (see [`Dashboard::from_stored`]
    /// for stored ones, which may be older). Anything missing takes Grafana's default.
    pub fn from_json(v: &Value) -> Dashboard {
        let panels = v
            .get("panels")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .enumerate()
                    .map(|(i, p)| read_panel(p, i as i64 + 1))
                    .collect()
            })
            .unwrap_or_default();
        let time = v.get("time").and_then(|t| {
            Some(TimeRange::new(
                as_string(t.get("from"))?,
                as_string(t.get("to"))?,
            ))
        });
        let refresh = match v.get("refresh") {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        Dashboard {
            uid: as_string(v.get("uid")).unwrap_or_default(),
            title: as_string(v.get("title")).unwrap_or_default(),
            tags: v
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(|t| as_string(Some(t))).collect())
                .unwrap_or_default(),
            time,
            refresh,
            panels,
        }
    }
}

/// A panel placed on the grid for display: rows toggled open or shut move what follows them.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedPanel {
    pub panel: Panel,
    pub grid: GridPos,
    /// For rows: whether the row is open now.
    pub open: bool,
}

/// Places the dashboard's panels for display. `toggled` holds the ids of rows the user has
/// clicked, which flip their saved state (`collapsed`). Each row owns the panels after it up to
/// the next row (or, when saved collapsed, those in its own `panels`); a shut row hides them and
/// everything below moves up, as in Grafana. Positions inside a section keep their relative `y`.
pub fn layout(panels: &[Panel], toggled: &[i64]) -> Vec<PlacedPanel> {
    let mut sorted: Vec<&Panel> = panels.iter().collect();
    crate::sort::sort_by_key(&mut sorted, |p| (p.grid.y, p.grid.x));
    // Sections: an optional row header, the panels it owns (shown only when open) and, after a
    // row saved collapsed, the top-level panels that follow it (shown either way, as Grafana does).
    struct Section<'a> {
        row: Option<&'a Panel>,
        owned: Vec<&'a Panel>,
        always: Vec<&'a Panel>,
    }
    let mut sections = vec![Section {
        row: None,
        owned: Vec::new(),
        always: Vec::new(),
    }];
    for p in sorted {
        if p.is_row() {
            sections.push(Section {
                row: Some(p),
                owned: p.panels.iter().collect(),
                always: Vec::new(),
            });
        } else if let Some(last) = sections.last_mut() {
            match last.row {
                Some(r) if r.collapsed => last.always.push(p),
                _ => last.owned.push(p),
            }
        }
    }
    let mut out = Vec::new();
    let mut cursor = 0u32;
    let place = |group: &[&Panel], cursor: &mut u32, out: &mut Vec<PlacedPanel>| {
        let Some(top) = group.iter().map(|p| p.grid.y).min() else {
            return;
        };
        let bottom = group
            .iter()
            .map(|p| p.grid.y + p.grid.h)
            .max()
            .unwrap_or(top);
        for p in group {
            let grid = GridPos {
                y: *cursor + (p.grid.y - top),
                ..p.grid
            };
            out.push(PlacedPanel {
                panel: (*p).clone(),
                grid,
                open: true,
            });
        }
        *cursor += bottom - top;
    };
    for section in sections {
        let open = match section.row {
            Some(r) => r.collapsed == toggled.contains(&r.id),
            None => true,
        };
        if let Some(r) = section.row {
            out.push(PlacedPanel {
                panel: r.clone(),
                grid: GridPos {
                    x: 0,
                    y: cursor,
                    w: 24,
                    h: 1,
                },
                open,
            });
            cursor += 1;
        }
        if open {
            place(&section.owned, &mut cursor, &mut out);
        }
        place(&section.always, &mut cursor, &mut out);
    }
    out
}

/// Picks the data source a target queries: the target's own reference, else the panel's;
/// a reference matching a uid or name wins, anything else (or none) gets the default data
/// source (`isDefault`, else the first).
pub fn resolve_datasource<'a>(
    panel: Option<&DataSourceRef>,
    target: Option<&DataSourceRef>,
    sources: &'a [DataSourceInfo],
) -> Option<&'a DataSourceInfo> {
    let named = [target, panel].into_iter().flatten().find_map(|r| match r {
        DataSourceRef::Named(n) => Some(n.as_str()),
        DataSourceRef::Default | DataSourceRef::Variable(_) => None,
    });
    named
        .and_then(|n| {
            sources
                .iter()
                .find(|s| s.uid == n)
                .or_else(|| sources.iter().find(|s| s.name == n))
        })
        .or_else(|| default_datasource(sources))
}

/// The default data source: the one marked `isDefault`, else the first.
pub fn default_datasource(sources: &[DataSourceInfo]) -> Option<&DataSourceInfo> {
    sources
        .iter()
        .find(|s| s.is_default)
        .or_else(|| sources.first())
}

impl Dashboard {
    /// Reads a stored dashboard as every view shows it: migrated to the current schema
    /// ([`crate::model::migrate`]) first, so that old `rows`, `graph` and `singlestat` panels look as
    /// Grafana shows them, and the front end and the backend see the same panels and ids.
    pub fn from_stored(json: Value) -> Dashboard {
        Dashboard::from_json(&crate::model::migrate::migrate(json).dashboard)
    }

    /// The panel with `id`, also inside collapsed rows; never a row itself. This is how a
    /// single panel is found for `/d-solo/` and for the checks of signed embed links.
    pub fn find_panel(&self, id: i64) -> Option<&Panel> {
        fn search(panels: &[Panel], id: i64) -> Option<&Panel> {
            panels.iter().find_map(|p| {
                if p.id == id && !p.is_row() {
                    Some(p)
                } else {
                    search(&p.panels, id)
                }
            })
        }
        search(&self.panels, id)
    }
}

/// Grafana's query ids in order: `A`..`Z`, then `AA`, `AB`, ...
fn ref_id_of(mut n: usize) -> String {
    let mut id = Vec::new();
    loop {
        id.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    id.reverse();
    String::from_utf8(id).unwrap_or_default()
}

/// Gives each target without a `refId` the first free one (`A`, `B`, ...), as Grafana does when
/// it loads a panel (`PanelModel.ensureQueryIds`). kube-prometheus' tables leave them out and
/// name their columns `Value #A`, `Value #B` all the same, so the model needs them.
pub fn ensure_ref_ids(targets: &mut [Target]) {
    for i in 0..targets.len() {
        if !targets[i].ref_id.is_empty() {
            continue;
        }
        let free = (0..)
            .map(ref_id_of)
            .find(|id| targets.iter().all(|t| t.ref_id != *id))
            .unwrap_or_default();
        targets[i].ref_id = free;
    }
}

#[cfg(test)]
mod tests {
    use super::field::FieldMatcher;
    use super::*;
    use crate::model::validate::validate_dashboard;
    use serde_json::json;

    #[test]
    fn missing_ref_ids_are_given_as_grafana_does() {
        let mut targets: Vec<Target> = ["", "B", "", ""]
            .iter()
            .map(|r| Target {
                ref_id: r.to_string(),
                ..Target::default()
            })
            .collect();
        ensure_ref_ids(&mut targets);
        let ids: Vec<&str> = targets.iter().map(|t| t.ref_id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "D"]);
        assert_eq!(ref_id_of(25), "Z");
        assert_eq!(ref_id_of(26), "AA");
        assert_eq!(ref_id_of(27), "AB");
    }

    #[test]
    fn reads_a_modern_dashboard() {
        let v = json!({
            "uid": "node", "title": "Node", "tags": ["linux"], "refresh": "10s",
            "time": {"from": "now-1h", "to": "now"},
            "panels": [
                {"id": 1, "type": "timeseries", "title": "CPU", "description": "busy",
                 "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                 "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                 "interval": "1m", "maxDataPoints": "500",
                 "fieldConfig": {"defaults": {"unit": "percent", "decimals": 1, "min": 0, "max": "100",
                    "links": [{"title": "Pod", "url": "/d/pod?var-pod=${__data.fields.pod}"}],
                    "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "red", "value": 80}]}}},
                 "options": {"reduceOptions": {"calcs": ["mean"]}},
                 "targets": [{"refId": "A", "expr": "up", "legendFormat": "{{job}}", "intervalFactor": 2},
                             {"refId": "B", "expr": "x", "hide": true, "instant": true, "datasource": "other"}]},
                {"type": "row", "title": "More", "collapsed": true, "gridPos": {"y": 8},
                 "panels": [{"id": 7, "type": "stat", "gridPos": {"x": 0, "y": 9, "w": 6, "h": 4}}]}
            ]
        });
        assert_eq!(validate_dashboard(&v), Ok(()));
        let d = Dashboard::from_json(&v);
        assert_eq!(
            (d.uid.as_str(), d.title.as_str(), d.refresh.as_deref()),
            ("node", "Node", Some("10s"))
        );
        assert_eq!(d.time, Some(TimeRange::new("now-1h", "now")));
        let p = &d.panels[0];
        assert_eq!(
            (p.id, p.kind.as_str(), p.description.as_str()),
            (1, "timeseries", "busy")
        );
        assert_eq!(
            p.grid,
            GridPos {
                x: 0,
                y: 0,
                w: 12,
                h: 8
            }
        );
        assert_eq!(
            p.datasource,
            Some(DataSourceRef::Variable("${DS_PROMETHEUS}".into()))
        );
        assert_eq!(
            (p.interval.as_deref(), p.max_data_points),
            (Some("1m"), Some(500))
        );
        assert_eq!(
            (
                p.defaults.unit.as_deref(),
                p.defaults.decimals,
                p.defaults.min,
                p.defaults.max
            ),
            (Some("percent"), Some(1), Some(0.0), Some(100.0))
        );
        let steps: Vec<(Option<f64>, &str)> = p
            .defaults
            .thresholds
            .iter()
            .map(|s| (s.value, s.color.as_str()))
            .collect();
        assert_eq!(steps, [(None, "green"), (Some(80.0), "red")]);
        assert_eq!(p.defaults.links[0]["title"], "Pod");
        assert_eq!(p.option_str("/reduceOptions/calcs/0"), Some("mean"));
        assert_eq!(p.targets[0].interval_factor, 2);
        assert_eq!(p.targets[0].legend_format.as_deref(), Some("{{job}}"));
        assert!(p.targets[1].hide && p.targets[1].instant);
        assert_eq!(
            p.targets[1].datasource,
            Some(DataSourceRef::Named("other".into()))
        );
        let row = &d.panels[1];
        assert!(row.is_row() && row.collapsed);
        assert_eq!(row.id, 2, "missing ids fall back to the position");
        assert_eq!(
            row.grid,
            GridPos {
                x: 0,
                y: 8,
                w: 24,
                h: 1
            }
        );
        assert_eq!(row.panels[0].id, 7);
        assert_eq!(
            row.panels[0].grid,
            GridPos {
                x: 0,
                y: 9,
                w: 6,
                h: 4
            }
        );
    }

    #[test]
    fn reads_overrides_reducer_and_legacy_text() {
        let d = Dashboard::from_json(&json!({"title": "A", "panels": [
            {"id": 1, "type": "table",
             "fieldConfig": {"defaults": {"custom": {"cellOptions": {"type": "color-background"}}},
                "overrides": [
                    {"matcher": {"id": "byName", "options": "Value #A"},
                     "properties": [{"id": "unit", "value": "bytes"}, {"id": "custom.width", "value": 80}]},
                    {"matcher": {"id": "byRegexp", "options": "/.*out.*/"}, "properties": []},
                    {"matcher": {"id": "bySomething"}, "properties": null}]},
             "options": {"reduceOptions": {"calcs": ["bogus", "max"]}},
             "transformations": [{"id": "organize", "options": {"excludeByName": {"Time": true}}}, {"options": {}}]},
            {"id": 2, "type": "text", "mode": "html", "content": "<b>hi</b>"}
        ]}));
        let p = &d.panels[0];
        assert_eq!(
            p.defaults.custom.pointer("/cellOptions/type"),
            Some(&json!("color-background"))
        );
        assert_eq!(p.overrides.len(), 3);
        assert_eq!(
            p.overrides[0].matcher,
            FieldMatcher::ByName("Value #A".into())
        );
        assert_eq!(
            p.overrides[0].properties,
            vec![
                ("unit".into(), json!("bytes")),
                ("custom.width".into(), json!(80))
            ]
        );
        assert_eq!(
            p.overrides[1].matcher,
            FieldMatcher::ByRegexp("/.*out.*/".into())
        );
        assert_eq!(
            p.overrides[2].matcher,
            FieldMatcher::Unknown("bySomething".into())
        );
        assert_eq!(p.reducer(), Reducer::Max);
        assert_eq!(
            p.transformations,
            vec![Transformation {
                id: "organize".into(),
                options: json!({"excludeByName": {"Time": true}}),
                disabled: false
            }]
        );
        assert_eq!(d.panels[1].reducer(), Reducer::LastNotNull);
        assert_eq!(d.panels[1].option_str("/mode"), Some("html"));
        assert_eq!(d.panels[1].option_str("/content"), Some("<b>hi</b>"));
    }

    #[test]
    fn tolerates_whatever_validate_accepts() {
        for v in [
            json!({"title": "A", "panels": []}),
            json!({"title": "A", "uid": null, "panels": [{"id": 2, "future": {"kept": true}}]}),
            json!({"title": "A", "panels": [{"id": null, "type": null, "title": null, "gridPos": {"w": 30.5}, "targets": null}]}),
            json!({"title": "A", "refresh": false, "time": {"from": 1, "to": 2}, "panels": [{"fieldConfig": {"defaults": {"thresholds": 3}}}]}),
        ] {
            assert_eq!(validate_dashboard(&v), Ok(()));
            let d = Dashboard::from_json(&v);
            assert_eq!(d.title, "A");
        }
        let d = Dashboard::from_json(
            &json!({"title": "A", "refresh": false, "panels": [{"id": null, "gridPos": {"w": 30.5}}]}),
        );
        assert_eq!(d.refresh, None);
        assert_eq!(
            d.panels[0].grid,
            GridPos {
                x: 0,
                y: 0,
                w: 24,
                h: 8
            }
        );
    }

    #[test]
    fn lays_out_legacy_rows_through_the_migration() {
        let v = json!({"title": "Old", "rows": [
            {"title": "R1", "showTitle": true, "height": "250px", "panels": [
                {"id": 1, "type": "graph", "span": 6}, {"id": 2, "type": "singlestat", "span": 6}, {"id": 3, "type": "graph", "span": 4}]},
            {"height": 100, "panels": [{"id": 4, "type": "graph"}]}
        ]});
        assert_eq!(validate_dashboard(&v), Ok(()));
        // What the views read: the stored JSON migrated as Grafana's `upgradeToGridLayout`
        // does (rows become row panels as high as the row, 250 px is 7 grid rows and 100 px 3,
        // spans of 12 are doubled, a panel without one takes the default span of 4), then read.
        let d = Dashboard::from_stored(v.clone());
        let grids: Vec<(i64, &str, [u32; 4])> = d
            .panels
            .iter()
            .map(|p| {
                (
                    p.id,
                    p.kind.as_str(),
                    [p.grid.x, p.grid.y, p.grid.w, p.grid.h],
                )
            })
            .collect();
        assert_eq!(
            grids,
            [
                (5, "row", [0, 0, 24, 7]),
                (1, "timeseries", [0, 1, 12, 7]),
                (2, "stat", [12, 1, 12, 7]),
                (3, "timeseries", [0, 8, 8, 7]),
                (6, "row", [0, 15, 24, 3]),
                (4, "timeseries", [0, 16, 8, 3]),
            ]
        );
        // Read without migrating, a legacy dashboard has no panels: nothing reads `rows` but
        // the migration.
        assert!(Dashboard::from_json(&v).panels.is_empty());
    }

    fn ds(uid: &str, name: &str, default: bool) -> DataSourceInfo {
        DataSourceInfo {
            uid: uid.into(),
            name: name.into(),
            kind: "prometheus".into(),
            is_default: default,
            time_interval: "15s".into(),
        }
    }

    #[test]
    fn resolves_datasources() {
        let list = vec![ds("a", "Alpha", false), ds("b", "Beta", true)];
        let named = |s: &str| Some(DataSourceRef::Named(s.into()));
        assert_eq!(resolve_datasource(None, None, &list).unwrap().uid, "b");
        assert_eq!(
            resolve_datasource(named("a").as_ref(), None, &list)
                .unwrap()
                .uid,
            "a"
        );
        assert_eq!(
            resolve_datasource(named("a").as_ref(), named("Beta").as_ref(), &list)
                .unwrap()
                .uid,
            "b",
            "target wins, by name"
        );
        assert_eq!(
            resolve_datasource(named("zzz").as_ref(), None, &list)
                .unwrap()
                .uid,
            "b",
            "unknown -> default"
        );
        assert_eq!(
            resolve_datasource(Some(&DataSourceRef::Default), None, &list)
                .unwrap()
                .uid,
            "b"
        );
        assert_eq!(
            default_datasource(&[ds("x", "X", false), ds("y", "Y", false)])
                .unwrap()
                .uid,
            "x"
        );
        assert!(resolve_datasource(None, None, &[]).is_none());
        assert_eq!(
            read_datasource(Some(&json!("$datasource"))),
            Some(DataSourceRef::Variable("$datasource".into()))
        );
        assert_eq!(
            read_datasource(Some(&json!({"type": "prometheus"}))),
            Some(DataSourceRef::Default)
        );
    }

    #[test]
    fn rows_open_and_shut() {
        let d = Dashboard::from_json(&json!({"title": "A", "panels": [
            {"id": 1, "type": "stat", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 4}},
            {"id": 2, "type": "row", "gridPos": {"x": 0, "y": 4, "w": 24, "h": 1}},
            {"id": 3, "type": "timeseries", "gridPos": {"x": 0, "y": 5, "w": 24, "h": 8}},
            {"id": 4, "type": "row", "collapsed": true, "gridPos": {"x": 0, "y": 13, "w": 24, "h": 1},
             "panels": [{"id": 5, "type": "stat", "gridPos": {"x": 6, "y": 14, "w": 6, "h": 3}}]},
            {"id": 6, "type": "row", "gridPos": {"x": 0, "y": 14, "w": 24, "h": 1}}
        ]}));
        let ids = |placed: &[PlacedPanel]| {
            placed
                .iter()
                .map(|p| (p.panel.id, p.grid.y, p.open))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(&layout(&d.panels, &[])),
            vec![
                (1, 0, true),
                (2, 4, true),
                (3, 5, true),
                (4, 13, false),
                (6, 14, true)
            ]
        );
        // Opening the collapsed row shows its panel below it and pushes the next row down.
        let open = layout(&d.panels, &[4]);
        assert_eq!(
            ids(&open),
            vec![
                (1, 0, true),
                (2, 4, true),
                (3, 5, true),
                (4, 13, true),
                (5, 14, true),
                (6, 17, true)
            ]
        );
        assert_eq!(
            open[4].grid,
            GridPos {
                x: 6,
                y: 14,
                w: 6,
                h: 3
            }
        );
        // Shutting the first row hides panel 3 and moves the rest up.
        assert_eq!(
            ids(&layout(&d.panels, &[2])),
            vec![(1, 0, true), (2, 4, false), (4, 5, false), (6, 6, true)]
        );
    }
}
