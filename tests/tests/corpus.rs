//! Dashboards through `kubeglass check-dashboard --json`: the project's own test dashboards
//! (every panel supported) and the whole corpus of real Grafana dashboards when it is beside
//! the project (every file imports, at least 95 % of all panels are of a type kubeglass draws).
//! In both, no query keeps an unresolved variable once the dashboards' default values are put
//! in. Prints the figures (per file, supported/total; what is unsupported, most frequent first).

use kubeglass_e2e::{corpus, json_files, kubeglass_bin, project_dashboards};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[test]
fn the_projects_dashboards_import_and_are_fully_supported() {
    let files = json_files(&project_dashboards());
    assert!(
        files.len() >= 3,
        "tests/dashboards has {} files",
        files.len()
    );
    let (total, supported) = check(&files);
    assert_eq!(
        supported, total,
        "every panel of the project's dashboards is supported"
    );
}

#[test]
fn every_corpus_dashboard_imports_and_is_mostly_supported() {
    let Some(dir) = corpus("corpus::every_corpus_dashboard_imports_and_is_mostly_supported") else {
        return;
    };
    let files = json_files(&dir);
    assert!(files.len() >= 29, "corpus has {} files", files.len());
    let (total, supported) = check(&files);
    assert!(
        total > 700,
        "the corpus has about 749 panels, counted {total}"
    );
    assert!(
        supported * 100 >= total * 95,
        "only {supported} of {total} panels are of a supported type"
    );
}

/// Runs check-dashboard on `files`, prints its figures and fails on any file that does not
/// import or keeps an unresolved variable; returns (panels, supported panels).
fn check(files: &[PathBuf]) -> (u64, u64) {
    let out = std::process::Command::new(kubeglass_bin())
        .arg("check-dashboard")
        .arg("--json")
        .args(files)
        .output()
        .unwrap();
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let reports = reports.as_array().expect("one JSON array");
    assert_eq!(reports.len(), files.len());

    let (mut total, mut supported) = (0u64, 0u64);
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    println!("{:<55} {:>7}  schema", "file", "panels");
    for r in reports {
        let file = r["file"].as_str().unwrap_or("");
        let name = file.rsplit('/').next().unwrap_or(file);
        let (t, s) = (
            r["panels_total"].as_u64().unwrap_or(0),
            r["panels_supported"].as_u64().unwrap_or(0),
        );
        total += t;
        supported += s;
        println!(
            "{name:<55} {:>7}  {} -> {}",
            format!("{s}/{t}"),
            r["schema_version_before"],
            r["schema_version_after"]
        );
        if r["ok"] != Value::Bool(true) {
            failures.push(format!("{name}: does not import: {}", r["error"]));
        }
        for u in r["unsupported"].as_array().into_iter().flatten() {
            *unsupported
                .entry(u["what"].as_str().unwrap_or("").to_string())
                .or_default() += 1;
        }
        for u in r["unresolved"].as_array().into_iter().flatten() {
            failures.push(format!(
                "{name}: panel {}: unresolved {}: {}",
                u["panel_id"], u["variables"], u["expr"]
            ));
        }
    }
    let mut by_count: Vec<_> = unsupported.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!("total: {supported}/{total} panels supported");
    println!("unsupported, most frequent first:");
    for (what, n) in &by_count {
        println!("{n:>5}  {what}");
    }
    // Migrated graphs' `null as zero` is drawn, and every repeat names a defined variable.
    for (what, _) in &by_count {
        assert!(
            !what.contains("null as zero") && !what.starts_with("repeat over"),
            "reported though it works: {what}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(out.status.code(), Some(0));
    (total, supported)
}
