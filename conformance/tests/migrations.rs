//! kubeglass's dashboard migration against Grafana's own migration fixtures
//! (`../shared/grafana-migration/`: Grafana's `input/vN.*.json` and what Grafana's migrator
//! makes of them, `output/vN.*.v43.json`).
//!
//! Compared on what a user sees: each panel by id (type, grid position, title, queries, links,
//! and fieldConfig/options where Grafana's dashboard-level step defines them, i.e. for panels
//! Grafana does not leave to its browser-side panel migration, `autoMigrateFrom`), the
//! variables, the time range, the refresh, the title and the schema version. Data source
//! references are left out: Grafana's fixtures resolve names against the data sources of its
//! test set-up, kubeglass against the configured ones when a query runs.
//! Prints the matches per schema version; fails on any mismatch not listed, with its reason,
//! in `conformance/deliberate-differences.toml` (category `migration`).

use kubeglass_shared::model::migrate::migrate;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixtures() -> Option<PathBuf> {
    let dir = xtask::workspace_root().join("../shared/grafana-migration");
    if dir.join("MANIFEST.tsv").is_file() {
        Some(dir)
    } else {
        xtask::skip::skip(
            "grafana_migrations::migrations_agree_with_grafanas_fixtures",
            &format!(
                "no Grafana migration fixtures at {} (they sit beside the project's own clone)",
                dir.display()
            ),
        );
        None
    }
}

/// Every panel, rows' nested panels included, by id.
fn panels(d: &Value) -> BTreeMap<i64, Value> {
    let mut out = BTreeMap::new();
    fn walk(list: &[Value], out: &mut BTreeMap<i64, Value>) {
        for p in list {
            if let Some(id) = p.get("id").and_then(Value::as_i64) {
                out.insert(id, p.clone());
            }
            if let Some(nested) = p.get("panels").and_then(Value::as_array) {
                walk(nested, out);
            }
        }
    }
    walk(
        d.get("panels")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
        &mut out,
    );
    out
}

/// A target as a user sees it: its ref id, its query text and data source.
fn query(t: &Value) -> Value {
    let mut q = Map::new();
    for key in ["refId", "expr", "query", "rawSql", "target", "hide"] {
        if let Some(v) = t.get(key) {
            if !(key == "hide" && v == &json!(false)) {
                q.insert(key.into(), v.clone());
            }
        }
    }
    Value::Object(q)
}

/// A variable as a user sees it; absent fields as their defaults.
fn variable(v: &Value) -> Value {
    let get = |k: &str, default: Value| v.get(k).cloned().unwrap_or(default);
    json!({
        "name": get("name", json!("")),
        "type": get("type", json!("")),
        "hide": get("hide", json!(0)),
        "query": get("query", Value::Null),
        "refresh": get("refresh", Value::Null),
        "multi": get("multi", json!(false)),
        "includeAll": get("includeAll", json!(false)),
    })
}

/// Each fact (name, Grafana's value, kubeglass's value) of a migrated dashboard; `input` is the
/// dashboard before migration.
fn facts(d: &Value, grafana: &Value, input: &Value) -> Vec<(String, Value, Value)> {
    let inputs = panels(input);
    let mut out = Vec::new();
    let mut fact = |name: String, want: Value, got: Value| out.push((name, want, got));
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    for key in ["time", "refresh", "schemaVersion", "title"] {
        fact(key.into(), field(grafana, key), field(d, key));
    }
    let vars = |d: &Value| -> Vec<Value> {
        d.pointer("/templating/list")
            .and_then(Value::as_array)
            .map(|l| l.iter().map(variable).collect())
            .unwrap_or_default()
    };
    let (want_vars, got_vars) = (vars(grafana), vars(d));
    for (i, want) in want_vars.iter().enumerate() {
        fact(
            format!("variable {}", want["name"]),
            want.clone(),
            got_vars.get(i).cloned().unwrap_or(Value::Null),
        );
    }
    let (want_panels, got_panels) = (panels(grafana), panels(d));
    for (id, want) in &want_panels {
        let got = got_panels.get(id).cloned().unwrap_or(Value::Null);
        for key in ["type", "gridPos", "title", "links"] {
            fact(
                format!("panel {id} {key}"),
                field(want, key),
                field(&got, key),
            );
        }
        let targets = |p: &Value| -> Value {
            Value::Array(
                p.get("targets")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().map(query).collect())
                    .unwrap_or_default(),
            )
        };
        fact(format!("panel {id} queries"), targets(want), targets(&got));
        // Pre-7.0 React panels (`options.fieldOptions`, `options-gauge`) are migrated further
        // by Grafana's browser code, as kubeglass's migration does at once: only their final
        // form could be compared, and the fixtures hold the intermediate one.
        let browser_step = inputs.get(id).is_some_and(|p| {
            p.get("options-gauge").is_some() || p.pointer("/options/fieldOptions").is_some()
        });
        if want.get("autoMigrateFrom").is_none() && !browser_step {
            for key in ["fieldConfig", "options"] {
                fact(
                    format!("panel {id} {key}"),
                    field(want, key),
                    field(&got, key),
                );
            }
        }
    }
    out
}

#[test]
fn migrations_agree_with_grafanas_fixtures() {
    let Some(dir) = fixtures() else {
        return;
    };
    let allowed = kubeglass_conformance::deliberate("migration");
    let mut per_version: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut shown = 0;
    for input in xtask::skip::json_files(&dir.join("input")) {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let version: i64 = name
            .trim_start_matches('v')
            .split('.')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("fixtures are named vN.case.json");
        let output = dir.join("output").join(name.replace(".json", ".v43.json"));
        let read = |p: &PathBuf| -> Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        let grafana = read(&output);
        let original = read(&input);
        let ours = migrate(original.clone()).dashboard;
        let entry = per_version.entry(version).or_default();
        for (fact, want, got) in facts(&ours, &grafana, &original) {
            entry.0 += 1;
            if want == got {
                entry.1 += 1;
                continue;
            }
            let case = format!("{name}: {fact}");
            if allowed.iter().any(|d| d.matches(&case)) {
                continue;
            }
            if shown < 1000 {
                eprintln!("MISMATCH {case}\n  grafana: {want}\n  ours:    {got}");
                shown += 1;
            }
            unexplained.push(case);
        }
    }
    let (facts, matched) = per_version
        .values()
        .fold((0, 0), |(f, m), (a, b)| (f + a, m + b));
    eprintln!("schemaVersion  facts  match");
    for (v, (f, m)) in &per_version {
        eprintln!("{v:>13}  {f:>5}  {m:>5}");
    }
    eprintln!(
        "all: {matched} of {facts} facts agree ({:.1} %)",
        100.0 * matched as f64 / facts.max(1) as f64
    );
    assert!(
        unexplained.is_empty(),
        "{} mismatches with Grafana's migration fixtures are not listed in conformance/deliberate-differences.toml:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
