//! Import speed: parse + migrate + interpolate of every dashboard of the shared corpus
//! (`../shared/corpus/dashboards` beside the workspace; without it, the project's own test
//! dashboards), one benchmark per dashboard. This is
//! the work the import page and the dashboard view do before the first query is sent.
//!
//! `cargo bench -p kubeglass-shared --bench import` (`cargo xtask bench` runs it too).

use criterion::{criterion_group, criterion_main, Criterion};
use kubeglass_shared::model::import::parse_dashboard;
use kubeglass_shared::model::migrate::migrate;
use kubeglass_shared::model::template::state::{interpolate_panel, read_stored};
use kubeglass_shared::model::template::Scope;
use std::hint::black_box;
use std::time::Duration;

fn corpus() -> Vec<(String, String)> {
    let dir = xtask::skip::corpus("import bench: the corpus dashboards")
        .unwrap_or_else(xtask::skip::project_dashboards);
    let files: Vec<(String, String)> = xtask::skip::json_files(&dir)
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, text)
        })
        .collect();
    assert!(!files.is_empty(), "no dashboards in {}", dir.display());
    files
}

/// Everything the front end does with a dashboard's JSON before it queries: parse, migrate to
/// the current schema, read the variables, interpolate every panel with their defaults and the
/// built-in macros. Returns the number of panels, so that nothing is optimised away.
fn import(text: &str) -> usize {
    const NOW: i64 = 1_700_000_000_000;
    const RANGE: i64 = 6 * 3600 * 1000;
    let json = parse_dashboard(text).expect("a corpus dashboard that parses");
    let migrated = migrate(json);
    let (dashboard, vars) = read_stored(migrated.dashboard);
    let scope =
        Scope::from_defaults(&vars, RANGE).with_builtins(NOW - RANGE, NOW, &dashboard.title);
    dashboard
        .panels
        .iter()
        .map(|p| black_box(interpolate_panel(p, &scope)).targets.len() + 1)
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, text) in corpus() {
        group.bench_function(&name, |b| b.iter(|| import(black_box(&text))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
