//! Tests that cannot run here say so: [`skip`] prints the test and the reason on stderr (cargo
//! shows a test's stderr only when it fails, but the line is also kept) and appends it to
//! [`skip_log`], which `cargo xtask test` empties first and lists at the end, so that no skip
//! goes unnoticed in a green run.
//!
//! Only a prerequisite that is truly absent is a reason: the corpus of real dashboards beside
//! the project (`../shared/corpus/`), which a user's clone does not have.

use std::io::Write;
use std::path::PathBuf;

/// The file the skips of one `cargo xtask test` run are collected in.
pub fn skip_log() -> PathBuf {
    crate::target_dir().join("test-skips.log")
}

/// Records that `test` did not run, and why.
pub fn skip(test: &str, reason: &str) {
    let line = format!("{test}: {reason}");
    eprintln!("SKIPPED {line}");
    let log = skip_log();
    if let Some(dir) = log.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// The shared corpus of real public dashboards beside the project, when it is there; `None`
/// (after recording the skip of `test`) on a clone without it.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let dir = crate::workspace_root().join("../shared/corpus/dashboards");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(
            test,
            &format!(
                "no corpus of real dashboards at {} (it sits beside the project's own clone); \
                 the project's dashboards in tests/dashboards/ cover the same features",
                dir.display()
            ),
        );
        None
    }
}

/// The `*.json` files of a folder, sorted.
pub fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a readable folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The project's own test dashboards (`tests/dashboards/`), written to cover what the corpus
/// exercises: legacy rows, graphs and singlestats, exported `__inputs`, joined tables with data
/// links, repeats, heatmaps and the current panel types.
pub fn project_dashboards() -> PathBuf {
    crate::workspace_root().join("tests/dashboards")
}
