//! The settings one field (a table column, a gauge's value) is shown with: the panel's
//! `fieldConfig.defaults` with the matching `fieldConfig.overrides` applied in order, as
//! Grafana's `applyFieldOverrides` does.

use crate::data::frame::{FieldKind, Series};
use crate::js::regex::Regex;
use crate::model::field::{FieldDefaults, FieldMatcher};
use crate::model::Panel;
use serde_json::{Map, Value};

/// The field an override is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef<'a> {
    /// The name it has in the data (`Value #A`, `instance`).
    pub name: &'a str,
    /// The query (`refId`) it comes from; empty when it is not one query's.
    pub ref_id: &'a str,
    pub kind: FieldKind,
}

/// How a table cell shows its value (`custom.cellOptions.type`, or the older
/// `custom.displayMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellDisplay {
    #[default]
    Auto,
    /// The cell's background takes the threshold colour.
    ColorBackground,
    /// The text takes the threshold colour.
    ColorText,
}

/// One field's settings after overrides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldConfig {
    /// Unit, decimals, min/max, thresholds and `custom`, overrides applied.
    pub defaults: FieldDefaults,
    /// `displayName`, when set.
    pub display_name: Option<String>,
}

impl FieldConfig {
    /// `custom.hidden`: the table leaves the column out.
    pub fn hidden(&self) -> bool {
        self.defaults.custom.get("hidden").and_then(Value::as_bool) == Some(true)
    }

    /// `custom.width` in pixels.
    pub fn width(&self) -> Option<f64> {
        self.defaults
            .custom
            .get("width")
            .and_then(Value::as_f64)
            .filter(|w| *w > 0.0)
    }

    pub fn cell_display(&self) -> CellDisplay {
        let custom = &self.defaults.custom;
        // Dashboards often carry the newer `cellOptions: {type: auto}` next to an older
        // `displayMode` (set by an override, say): the one that asks for something wins.
        fn set(v: Option<&Value>) -> Option<&str> {
            v.and_then(Value::as_str).filter(|m| *m != "auto")
        }
        let mode = set(custom.pointer("/cellOptions/type"))
            .or_else(|| set(custom.get("displayMode")))
            .unwrap_or("auto");
        match mode {
            "color-background" | "color-background-solid" => CellDisplay::ColorBackground,
            "color-text" => CellDisplay::ColorText,
            _ => CellDisplay::Auto,
        }
    }

    /// The field's data links: the defaults', or the last matching override's.
    pub fn links(&self) -> Vec<crate::display::links::DataLink> {
        crate::display::links::read_links(&self.defaults.links)
    }

    /// How the field's values are shown: see [`crate::display::Processor::new`] for `range`,
    /// `series` and `name`.
    pub fn processor<'a>(
        &'a self,
        kind: FieldKind,
        range: Option<(f64, f64)>,
        series: usize,
        name: &'a str,
    ) -> crate::display::Processor<'a> {
        crate::display::Processor::new(&self.defaults, kind, range, series, name)
    }
}

fn matches(matcher: &FieldMatcher, field: &FieldRef<'_>) -> bool {
    match matcher {
        FieldMatcher::ByName(n) => n == field.name,
        FieldMatcher::ByRegexp(p) => Regex::grafana(p).is_some_and(|re| re.is_match(field.name)),
        FieldMatcher::ByFrameRefId(r) => r == field.ref_id,
        FieldMatcher::ByType(t) => t == field.kind.grafana_name(),
        FieldMatcher::Unknown(_) => false,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        v => v.as_f64(),
    }
}

/// The settings of `field` in `panel`: defaults, then each matching override's properties in
/// order. Unknown properties are ignored; `custom.X` properties set `custom.X`.
pub fn field_config(panel: &Panel, field: FieldRef<'_>) -> FieldConfig {
    let mut config = FieldConfig {
        defaults: panel.defaults.clone(),
        display_name: None,
    };
    for o in panel
        .overrides
        .iter()
        .filter(|o| matches(&o.matcher, &field))
    {
        for (id, value) in &o.properties {
            let d = &mut config.defaults;
            match id.as_str() {
                "unit" => d.unit = value.as_str().map(str::to_string).filter(|u| !u.is_empty()),
                "decimals" => d.decimals = number(value).map(|n| n.clamp(0.0, 20.0) as usize),
                "min" => d.min = number(value),
                "max" => d.max = number(value),
                "displayName" => {
                    config.display_name =
                        value.as_str().map(str::to_string).filter(|n| !n.is_empty())
                }
                "thresholds" => {
                    if let Some((steps, percentage)) = crate::model::field::read_thresholds(value) {
                        d.thresholds = steps;
                        d.thresholds_percentage = percentage;
                    }
                }
                "color" => d.color = crate::model::field::FieldColor::parse(value),
                "noValue" => {
                    d.no_value = value.as_str().map(str::to_string).filter(|t| !t.is_empty())
                }
                "mappings" => d.mappings = crate::model::field::parse_mappings(Some(value)),
                "links" => d.links = value.clone(),
                "nullValueMode" => d.null_as_zero = value.as_str() == Some("null as zero"),
                other => {
                    if let Some(key) = other.strip_prefix("custom.") {
                        if !d.custom.is_object() {
                            d.custom = Value::Object(Map::new());
                        }
                        if let Some(custom) = d.custom.as_object_mut() {
                            custom.insert(key.to_string(), value.clone());
                        }
                    }
                }
            }
        }
    }
    config
}

/// Points a series filled by [`nulls_as_zero`] gets at most (Prometheus' own limit).
pub const MAX_FILLED_POINTS: usize = 11_000;

/// A series with `nullValueMode: "null as zero"` applied, as Grafana's time series prepares
/// it: a NaN is 0, and every step of the query's grid from `from_ms` to `to_ms` that has no
/// point gets a 0. The grid runs through the series' first point, `step_ms` apart.
pub fn nulls_as_zero(series: &Series, from_ms: i64, to_ms: i64, step_ms: i64) -> Series {
    let mut points: Vec<(i64, f64)> = series
        .points
        .iter()
        .map(|&(t, v)| (t, if v.is_nan() { 0.0 } else { v }))
        .collect();
    if step_ms > 0 && to_ms >= from_ms {
        let anchor = points.first().map_or(from_ms, |p| p.0);
        let first = anchor - (anchor - from_ms).div_euclid(step_ms) * step_ms;
        let half = step_ms / 2;
        let mut filled = Vec::new();
        let mut i = 0;
        let mut t = first;
        while t <= to_ms && points.len() + filled.len() < MAX_FILLED_POINTS {
            while i < points.len() && points[i].0 < t - half {
                i += 1;
            }
            let covered = points.get(i).is_some_and(|p| (p.0 - t).abs() <= half);
            if !covered {
                filled.push((t, 0.0));
            }
            t += step_ms;
        }
        points.extend(filled);
        crate::sort::sort_by_key(&mut points, |p| p.0);
    }
    Series {
        labels: series.labels.clone(),
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dashboard;
    use serde_json::json;

    fn panel(v: Value) -> Panel {
        Dashboard::from_json(&json!({"title": "A", "panels": [v]}))
            .panels
            .remove(0)
    }

    fn num<'a>(name: &'a str, ref_id: &'a str) -> FieldRef<'a> {
        FieldRef {
            name,
            ref_id,
            kind: FieldKind::Number,
        }
    }

    #[test]
    fn overrides_apply_in_order() {
        let p = panel(json!({"type": "table", "fieldConfig": {
        "defaults": {"unit": "short", "decimals": 1, "custom": {"displayMode": "color-text"}},
        "overrides": [
            {"matcher": {"id": "byRegexp", "options": "/Value #.*/"},
             "properties": [{"id": "unit", "value": "bytes"}]},
            {"matcher": {"id": "byName", "options": "Value #B"},
             "properties": [{"id": "unit", "value": "percent"}, {"id": "displayName", "value": "Used"},
                            {"id": "custom.width", "value": 120}, {"id": "decimals", "value": 0},
                            {"id": "custom.cellOptions", "value": {"type": "color-background"}}]},
            {"matcher": {"id": "byName", "options": "job"},
             "properties": [{"id": "custom.hidden", "value": true}]},
            {"matcher": {"id": "byFrameRefID", "options": "C"},
             "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "blue"}},
                            {"id": "thresholds", "value": {"mode": "absolute", "steps": [{"color": "red", "value": null}]}}]}
        ]}}));
        let a = field_config(&p, num("Value #A", "A"));
        assert_eq!(
            (a.defaults.unit.as_deref(), a.defaults.decimals),
            (Some("bytes"), Some(1))
        );
        assert_eq!(a.cell_display(), CellDisplay::ColorText);
        let mut auto = a.clone();
        auto.defaults.custom =
            json!({"cellOptions": {"type": "auto"}, "displayMode": "color-background"});
        assert_eq!(auto.cell_display(), CellDisplay::ColorBackground);
        auto.defaults.custom = json!({"cellOptions": {"type": "auto"}});
        assert_eq!(auto.cell_display(), CellDisplay::Auto);
        let b = field_config(&p, num("Value #B", "B"));
        assert_eq!(
            (b.defaults.unit.as_deref(), b.defaults.decimals),
            (Some("percent"), Some(0))
        );
        assert_eq!(b.display_name.as_deref(), Some("Used"));
        assert_eq!(b.width(), Some(120.0));
        assert_eq!(b.cell_display(), CellDisplay::ColorBackground);
        assert!(!b.hidden());
        let job = field_config(
            &p,
            FieldRef {
                name: "job",
                ref_id: "",
                kind: FieldKind::String,
            },
        );
        assert!(job.hidden());
        assert_eq!(job.defaults.unit.as_deref(), Some("short"));
        let c = field_config(&p, num("Value #C", "C"));
        assert_eq!(
            c.processor(FieldKind::Number, None, 0, "C")
                .number(Some(5.0))
                .color,
            "#5794F2"
        );
        assert_eq!(
            c.defaults.thresholds[0].color, "red",
            "the override's thresholds"
        );
    }

    #[test]
    fn nulls_as_zero_fill_missing_steps_and_nans() {
        let s = Series {
            labels: Default::default(),
            points: vec![(20, 5.0), (30, f64::NAN), (60, 7.0)],
        };
        let z = nulls_as_zero(&s, 0, 80, 10);
        assert_eq!(
            z.points,
            vec![
                (0, 0.0),
                (10, 0.0),
                (20, 5.0),
                (30, 0.0),
                (40, 0.0),
                (50, 0.0),
                (60, 7.0),
                (70, 0.0),
                (80, 0.0)
            ]
        );
        // Points off the grid (a step of 15 through t=20: 5, 20, 35, 50) are kept, and a grid
        // time within half a step of a point (35, next to 30) gets no zero.
        let z = nulls_as_zero(&s, 0, 60, 15);
        assert_eq!(
            z.points.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![5, 20, 30, 50, 60]
        );
        assert!(z.points.iter().all(|p| p.1.is_finite()));
        // A field config override turns it on for one series only.
        let p = panel(json!({"type": "timeseries", "fieldConfig": {"defaults": {},
            "overrides": [{"matcher": {"id": "byName", "options": "a"},
                           "properties": [{"id": "nullValueMode", "value": "null as zero"}]}]}}));
        assert!(field_config(&p, num("a", "A")).defaults.null_as_zero);
        assert!(!field_config(&p, num("b", "A")).defaults.null_as_zero);
    }
}
