//! `kubeglass check-dashboard [--json] FILE...`: loads each file as the import page would
//! (parse, validate, migrate) and reports what kubeglass can show of it: the schema versions,
//! how many panels are of a type kubeglass draws, what it cannot draw, and every query that
//! still holds an unresolved `$variable` once the dashboard's default variable values and the
//! built-in macros are put in.

use kubeglass_shared::data::transform::apply;
use kubeglass_shared::model::import::parse_dashboard;
use kubeglass_shared::model::migrate::migrate;
use kubeglass_shared::model::template::{
    compile_regex, interpolate, read_variables, unresolved_references, Context, Scope,
};
use kubeglass_shared::model::Transformation;
use kubeglass_shared::panels::is_supported;
use kubeglass_shared::time::interval::{
    interpolate_macros, query_timing, QueryContext, QueryTiming,
};
use kubeglass_shared::time::{ResolvedRange, TimeRange};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The instant "now" stands for: fixed, so that the report does not change from run to run.
const NOMINAL_NOW_MS: i64 = 1_700_000_000_000;
/// The width in pixels a panel is assumed to have (its `maxDataPoints` wins).
const NOMINAL_PANEL_WIDTH_PX: u32 = 1000;
/// The scrape interval assumed for the data source (Grafana's default).
const NOMINAL_SCRAPE_INTERVAL: &str = "15s";

/// Something kubeglass cannot show as Grafana does.
#[derive(Debug, Serialize)]
pub struct Unsupported {
    pub panel_id: Option<i64>,
    pub title: String,
    pub what: String,
}

/// A query that still holds a variable after interpolation with the default values.
#[derive(Debug, Serialize)]
pub struct Unresolved {
    pub panel_id: Option<i64>,
    /// The expression as written in the dashboard.
    pub expr: String,
    /// The references left after interpolation (`$foo`, `${bar}`).
    pub variables: Vec<String>,
}

/// The report on one file; `--json` prints an array of these.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub ok: bool,
    pub error: Option<String>,
    pub schema_version_before: Option<i64>,
    pub schema_version_after: Option<i64>,
    pub panels_total: usize,
    pub panels_supported: usize,
    pub unsupported: Vec<Unsupported>,
    pub unresolved: Vec<Unresolved>,
}

/// Runs the command; exits 1 if a file cannot be imported.
pub fn check_dashboards(json: bool, files: &[PathBuf]) -> Result<ExitCode, String> {
    let reports: Vec<FileReport> = files.iter().map(|f| check_file(f)).collect();
    if json {
        let text = serde_json::to_string_pretty(&reports).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        for r in &reports {
            print!("{}", text_report(r));
        }
    }
    Ok(if reports.iter().all(|r| r.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The readable form of one report.
fn text_report(r: &FileReport) -> String {
    let Some(before) = r.schema_version_before.filter(|_| r.ok) else {
        return format!("{}: {}\n", r.file, r.error.as_deref().unwrap_or("error"));
    };
    let mut out = format!(
        "{}: ok, schemaVersion {} -> {}, {}/{} panels supported\n",
        r.file,
        before,
        r.schema_version_after.unwrap_or(before),
        r.panels_supported,
        r.panels_total
    );
    for u in &r.unsupported {
        out += &format!(
            "  unsupported: {} ({}): {}\n",
            panel_name(u.panel_id),
            u.title,
            u.what
        );
    }
    for u in &r.unresolved {
        out += &format!(
            "  unresolved {}: {}: {}\n",
            u.variables.join(", "),
            panel_name(u.panel_id),
            u.expr.replace('\n', " ")
        );
    }
    out
}

fn panel_name(id: Option<i64>) -> String {
    id.map_or_else(
        || "panel without id".to_string(),
        |id| format!("panel {id}"),
    )
}

/// Loads, validates and migrates one file and reports on it.
pub fn check_file(file: &Path) -> FileReport {
    let mut report = FileReport {
        file: file.display().to_string(),
        ok: false,
        error: None,
        schema_version_before: None,
        schema_version_after: None,
        panels_total: 0,
        panels_supported: 0,
        unsupported: Vec::new(),
        unresolved: Vec::new(),
    };
    match load(file) {
        Ok(dashboard) => {
            report.ok = true;
            analyse(dashboard, &mut report);
        }
        Err(e) => report.error = Some(e),
    }
    report
}

/// Reads a dashboard as the import page accepts it: the dashboard object itself, or Grafana's
/// API shape `{"dashboard": {...}, "meta": ...}`. Errors name the line and column, or the JSON
/// path.
fn load(file: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    parse_dashboard(&text).map_err(|e| e.to_string())
}

fn analyse(dashboard: Value, report: &mut FileReport) {
    let migrated = migrate(dashboard);
    report.schema_version_before = Some(migrated.version_before);
    report.schema_version_after = Some(migrated.version_after);
    for n in migrated.notes {
        report.unsupported.push(Unsupported {
            panel_id: n.panel_id,
            title: n.title,
            what: n.what,
        });
    }
    let d = &migrated.dashboard;
    let range = nominal_range(d);
    let (vars, errors) = read_variables(d);
    for e in errors {
        report.unsupported.push(Unsupported {
            panel_id: None,
            title: String::new(),
            what: e,
        });
    }
    // A variable regex the regex engine cannot compile (JavaScript look-arounds, say) would
    // leave the variable without options in the front end.
    for var in &vars {
        if let Some(Err(e)) = var.regex.as_deref().map(|r| compile_regex(&var.name, r)) {
            report.unsupported.push(Unsupported {
                panel_id: None,
                title: String::new(),
                what: e,
            });
        }
    }
    let title = d.get("title").and_then(Value::as_str).unwrap_or("");
    let scope = Scope::from_defaults(&vars, range.duration_ms()).with_builtins(
        range.from_ms,
        range.to_ms,
        title,
    );
    let panels = d
        .get("panels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for panel in panels {
        check_panel(panel, &scope, range, report);
        for nested in panel
            .get("panels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            check_panel(nested, &scope, range, report);
        }
    }
}

/// The dashboard's default time range at [`NOMINAL_NOW_MS`] (`now-6h` to `now` if it has none
/// or it cannot be read).
fn nominal_range(d: &Value) -> ResolvedRange {
    let fallback = ResolvedRange {
        from_ms: NOMINAL_NOW_MS - 6 * 3_600_000,
        to_ms: NOMINAL_NOW_MS,
    };
    let Some(t) = d.get("time") else {
        return fallback;
    };
    let (Some(from), Some(to)) = (
        t.get("from").and_then(Value::as_str),
        t.get("to").and_then(Value::as_str),
    ) else {
        return fallback;
    };
    TimeRange::new(from, to)
        .resolve(NOMINAL_NOW_MS)
        .unwrap_or(fallback)
}

fn check_panel(panel: &Value, scope: &Scope, range: ResolvedRange, report: &mut FileReport) {
    let kind = panel.get("type").and_then(Value::as_str).unwrap_or("");
    let id = panel.get("id").and_then(Value::as_f64).map(|f| f as i64);
    let title = panel
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // A panel or row repeated over a variable the dashboard does not define is shown once,
    // as written.
    if let Some(name) = panel
        .get("repeat")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        if scope.get(name).is_none() {
            report.unsupported.push(Unsupported {
                panel_id: id,
                title: title.clone(),
                what: format!("repeat over `{name}`, which is not a variable of the dashboard"),
            });
        }
    }
    if kind == "row" {
        return;
    }
    report.panels_total += 1;
    // A heatmap Grafana would calculate from raw values: the UI draws only bucket data.
    let calculated_heatmap = kind == "heatmap"
        && kubeglass_shared::panels::heatmap::HeatmapOptions::from_options(
            &kubeglass_shared::model::read_panel(panel, id.unwrap_or(0)).options,
        )
        .calculate;
    if calculated_heatmap {
        report.unsupported.push(Unsupported {
            panel_id: id,
            title: title.clone(),
            what: "heatmap calculated from raw values (`calculate: true`)".into(),
        });
    } else if is_supported(kind) {
        report.panels_supported += 1;
    } else {
        report.unsupported.push(Unsupported {
            panel_id: id,
            title: title.clone(),
            what: if kind.is_empty() {
                "panel without a type".into()
            } else {
                format!("panel type `{kind}`")
            },
        });
    }
    for what in unapplied_transformations(kind, panel) {
        report.unsupported.push(Unsupported {
            panel_id: id,
            title: title.clone(),
            what,
        });
    }
    let interp = |s: &str| interpolate(s, scope, Context::Text);
    let panel_interval = panel.get("interval").and_then(Value::as_str).map(interp);
    let resolution = panel
        .get("maxDataPoints")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .map_or(NOMINAL_PANEL_WIDTH_PX, |n| {
            n.min(u64::from(u32::MAX)) as u32
        });
    for target in panel
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(expr) = target.get("expr").and_then(Value::as_str) else {
            continue;
        };
        let target_interval = target.get("interval").and_then(Value::as_str).map(interp);
        let factor = target
            .get("intervalFactor")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1) as u32;
        fn ctx<'a>(
            range: ResolvedRange,
            resolution: u32,
            factor: u32,
            panel_min: Option<&'a str>,
            target_min: Option<&'a str>,
        ) -> QueryContext<'a> {
            QueryContext {
                range,
                resolution,
                panel_min_interval: panel_min,
                target_min_interval: target_min,
                datasource_interval: NOMINAL_SCRAPE_INTERVAL,
                interval_factor: factor,
            }
        }
        let timing: QueryTiming = match query_timing(&ctx(
            range,
            resolution,
            factor,
            panel_interval.as_deref(),
            target_interval.as_deref(),
        )) {
            Ok(t) => t,
            Err(e) => {
                report.unsupported.push(Unsupported {
                    panel_id: id,
                    title: title.clone(),
                    what: format!("query interval: {e}"),
                });
                match query_timing(&ctx(range, resolution, factor, None, None)) {
                    Ok(t) => t,
                    Err(_) => continue,
                }
            }
        };
        let resolved = interpolate_macros(&interpolate(expr, scope, Context::Prometheus), &timing);
        let left = unresolved_references(&resolved);
        if !left.is_empty() {
            report.unresolved.push(Unresolved {
                panel_id: id,
                expr: expr.to_string(),
                variables: left,
            });
        }
    }
}

/// The panel's transformations kubeglass does not apply (`transformation X`), or applies
/// without an option it cannot honour: what the front end would name under the panel. Only
/// table panels apply transformations; other panel types draw their queries' series as they are.
fn unapplied_transformations(kind: &str, panel: &Value) -> Vec<String> {
    let list: Vec<Transformation> = panel
        .get("transformations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some(Transformation {
                id: t.get("id")?.as_str()?.to_string(),
                options: t.get("options").cloned().unwrap_or(Value::Null),
                disabled: t.get("disabled").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect();
    if !kubeglass_shared::panels::applies_transformations(kind) {
        return list
            .iter()
            .filter(|t| !t.disabled)
            .map(|t| format!("transformation {} (not applied to {kind} panels)", t.id))
            .collect();
    }
    apply(Vec::new(), &list).skipped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report_of(dashboard: Value) -> FileReport {
        let dir = std::env::temp_dir().join(format!("kubeglass-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.json", dashboard["uid"].as_str().unwrap_or("d")));
        std::fs::write(&file, dashboard.to_string()).unwrap();
        let r = check_file(&file);
        let _ = std::fs::remove_file(&file);
        r
    }

    #[test]
    fn what_works_is_not_reported_and_a_repeat_over_nothing_is() {
        let r = report_of(json!({"uid": "works", "title": "T", "schemaVersion": 14,
            "templating": {"list": [{"name": "node", "type": "custom", "query": "a,b",
                                     "current": {"value": "a", "text": "a"}}]},
            "rows": [{"title": "R", "panels": [
                {"id": 1, "type": "graph", "span": 6, "nullPointMode": "null as zero",
                 "targets": [{"expr": "up"}]},
                {"id": 2, "type": "singlestat", "span": 6, "repeat": "node",
                 "valueMaps": [{"op": "=", "value": "1", "text": "up"}],
                 "targets": [{"expr": "up{instance=\"$node\"}"}]}]}]}));
        assert!(r.ok, "{:?}", r.error);
        assert!(r.unsupported.is_empty(), "{:?}", r.unsupported);
        assert_eq!((r.panels_supported, r.panels_total), (2, 2));
        let r = report_of(json!({"uid": "norepeat", "title": "T", "panels": [
            {"id": 7, "type": "row", "title": "R", "repeat": "missing",
             "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}}]}));
        assert_eq!(r.unsupported.len(), 1);
        assert_eq!(r.unsupported[0].panel_id, Some(7));
        assert!(r.unsupported[0].what.contains("`missing`"));
    }

    #[test]
    fn heatmaps_of_buckets_are_supported_and_calculated_ones_are_not() {
        let r = report_of(json!({"uid": "heat", "title": "T", "panels": [
            {"id": 1, "type": "heatmap", "title": "Buckets", "options": {"calculate": false},
             "targets": [{"expr": "sum by (le) (rate(x_bucket[5m]))", "format": "heatmap"}]},
            {"id": 2, "type": "heatmap", "title": "Legacy", "dataFormat": "tsbuckets",
             "targets": [{"expr": "x_bucket", "format": "heatmap"}]},
            {"id": 3, "type": "heatmap", "title": "Raw", "options": {"calculate": true},
             "targets": [{"expr": "x"}]}]}));
        assert!(r.ok, "{:?}", r.error);
        assert_eq!((r.panels_total, r.panels_supported), (3, 2));
        assert_eq!(r.unsupported.len(), 1, "{:?}", r.unsupported);
        assert_eq!(r.unsupported[0].panel_id, Some(3));
        assert!(r.unsupported[0].what.contains("calculate"));
    }

    #[test]
    fn transformations_kubeglass_does_not_apply_are_reported() {
        let r = report_of(json!({"uid": "transforms", "title": "T", "panels": [
            {"id": 3, "type": "table", "title": "Quota",
             "transformations": [
                {"id": "joinByField", "options": {"byField": "namespace", "mode": "outer"}},
                {"id": "organize", "options": {}},
                {"id": "groupingToMatrix", "options": {}},
                {"id": "partitionByValues", "options": {}, "disabled": true},
                {"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "bogus"}}}],
             "targets": [{"expr": "up"}]}]}));
        assert!(r.ok, "{:?}", r.error);
        let what: Vec<&str> = r.unsupported.iter().map(|u| u.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "transformation groupingToMatrix",
                "transformation calculateField: reducer `bogus`"
            ]
        );
        assert!(r.unsupported.iter().all(|u| u.panel_id == Some(3)));
        // Panels drawn from series apply them to their series; heatmaps do not.
        let r = report_of(json!({"uid": "series-transforms", "title": "T", "panels": [
            {"id": 4, "type": "stat", "title": "CPU",
             "transformations": [{"id": "calculateField", "options": {"mode": "reduceRow"}},
                                 {"id": "groupingToMatrix", "options": {}}],
             "targets": [{"expr": "up"}]},
            {"id": 5, "type": "heatmap", "title": "Latency", "options": {"calculate": false},
             "transformations": [{"id": "calculateField", "options": {"mode": "reduceRow"}}],
             "targets": [{"expr": "x_bucket", "format": "heatmap"}]}]}));
        let what: Vec<&str> = r.unsupported.iter().map(|u| u.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "transformation groupingToMatrix",
                "transformation calculateField (not applied to heatmap panels)"
            ]
        );
    }
}
