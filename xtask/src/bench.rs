//! `cargo xtask bench`: kubeglass against its baselines, in one run on one machine, printed as
//! one report and written to `target/bench/report.md`.
//!
//! It installs what it needs (the stack, Chromium, wrk; uPlot from npm into `target/bench/`,
//! pinned by `bench/package-lock.json`), builds the release UI and server, then measures:
//! the bundle sizes of `dist/`; parse + migrate + interpolate of every corpus dashboard (the
//! criterion bench of `shared`); and, through the ignored `bench` test of the e2e crate,
//! chart rendering against uPlot in headless Chromium, dashboard load, proxy overhead against
//! Prometheus itself with wrk, shared queries and memory.

use crate::build_ui;
use std::path::Path;
use std::process::Command;
use xtask::tools::{self, Needs};

pub fn bench(args: &[String]) -> Result<(), String> {
    let mut skip_ui = false;
    for a in args {
        match a.as_str() {
            "--skip-ui" => skip_ui = true,
            other => {
                return Err(format!(
                    "`cargo xtask bench` takes only `--skip-ui`, not `{other}`"
                ))
            }
        }
    }
    let root = xtask::workspace_root();
    let target = xtask::target_dir();
    let out = target.join("bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    tools::ensure(
        &root,
        Needs {
            stack: true,
            browser: true,
        },
    )?;
    tools::ensure_bench_tools()?;
    install_uplot(&root, &out)?;
    if !skip_ui {
        build_ui(&root)?;
    }
    // The measurements use a copy of the UI, so that a rebuild of dist/ meanwhile changes
    // nothing under them.
    let ui = out.join("ui");
    let _ = std::fs::remove_dir_all(&ui);
    copy_dir(&root.join("dist"), &ui).map_err(|e| format!("{e} (build the UI first)"))?;
    println!("xtask: building the server (cargo build --release)");
    tools::run(
        Command::new("cargo")
            .args(["build", "--release", "-p", "kubeglass-backend"])
            .current_dir(&root),
    )?;

    let bundle = bundle_table(&ui)?;
    println!("{bundle}");

    println!("xtask: import speed (cargo bench -p kubeglass-shared --bench import)");
    let criterion = Command::new("cargo")
        .args(["bench", "-p", "kubeglass-shared", "--bench", "import"])
        .current_dir(&root)
        .output()
        .map_err(|e| format!("running cargo bench: {e}"))?;
    let criterion_text = String::from_utf8_lossy(&criterion.stdout).into_owned();
    if !criterion.status.success() {
        return Err(format!(
            "cargo bench failed:\n{criterion_text}{}",
            String::from_utf8_lossy(&criterion.stderr)
        ));
    }
    let import = import_table(&criterion_text)?;

    println!("xtask: rendering, dashboard load, proxy, shared queries and memory");
    let e2e = out.join("e2e.md");
    let _ = std::fs::remove_file(&e2e);
    tools::run(
        Command::new("cargo")
            .args([
                "test",
                "-p",
                "kubeglass-e2e",
                "--test",
                "bench",
                "--",
                "--ignored",
                "--nocapture",
            ])
            .current_dir(&root)
            .env("KUBEGLASS_BIN", target.join("release/kubeglass"))
            .env("KUBEGLASS_UI", &ui)
            .env("KUBEGLASS_BENCH_OUT", &out),
    )?;
    let e2e = std::fs::read_to_string(&e2e).map_err(|e| format!("{}: {e}", e2e.display()))?;

    let report = format!(
        "# kubeglass benchmarks\n\n{}\n\n## Rendering, load, proxy, shared queries, memory\n\n{e2e}\n## Bundle (dist/, release)\n\n{bundle}\n## Import: parse + migrate + interpolate, per corpus dashboard (criterion, median)\n\n{import}",
        machine()
    );
    let path = out.join("report.md");
    std::fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("\n{report}\nxtask: written to {}", path.display());
    Ok(())
}

/// uPlot from the npm registry, at the version `bench/package-lock.json` pins.
fn install_uplot(root: &Path, out: &Path) -> Result<(), String> {
    tools::npm_ci(
        &root.join("bench"),
        out,
        "node_modules/uplot/dist/uPlot.iife.min.js",
        "uPlot",
    )
}

fn gzip_size(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("running gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
}

/// Copies the directory `from` (the UI: files and the apps' directories) to `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(path.file_name().ok_or("a file without a name")?);
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The sizes of the built UI's wasm, JS and CSS, raw and gzip'd: the dashboards app (`dist/`),
/// the home app (`dist/home/`) and the cluster app (`dist/cluster/`), each what a page of that
/// app downloads.
fn bundle_table(dist: &Path) -> Result<String, String> {
    let mut t = String::from("| app | file | raw KiB | gzip KiB |\n|---|---|---:|---:|\n");
    for (app, dir) in [
        ("dashboards (dashboards, explore)", dist.to_path_buf()),
        ("home (list, import, login)", dist.join("home")),
        ("cluster (Kubernetes, etcd)", dist.join("cluster")),
    ] {
        app_bundle_rows(app, &dir, &mut t)?;
    }
    Ok(t)
}

fn app_bundle_rows(app: &str, dir: &Path, t: &mut String) -> Result<(), String> {
    let mut rows = Vec::new();
    let mut total = (0, 0);
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => "wasm",
            Some("js") => "JS",
            Some("css") => "CSS",
            _ => continue,
        };
        let raw = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let gz = gzip_size(&path)?;
        total = (total.0 + raw, total.1 + gz);
        rows.push((kind, raw, gz));
    }
    rows.sort_by_key(|(k, _, _)| *k);
    let kb = |b: u64| format!("{:.1}", b as f64 / 1024.0);
    for (k, raw, gz) in rows {
        t.push_str(&format!("| {app} | {k} | {} | {} |\n", kb(raw), kb(gz)));
    }
    let met = if total.1 < 500 * 1024 {
        "met"
    } else {
        "NOT met"
    };
    t.push_str(&format!(
        "| {app} | total (target < 500 KiB gzip: {met}) | {} | {} |\n",
        kb(total.0),
        kb(total.1)
    ));
    Ok(())
}

/// A criterion time (`1.2345 ms`) in microseconds.
fn micros(value: &str, unit: &str) -> Option<f64> {
    let v: f64 = value.parse().ok()?;
    Some(match unit {
        "ps" => v / 1e6,
        "ns" => v / 1e3,
        "µs" | "us" => v,
        "ms" => v * 1e3,
        "s" => v * 1e6,
        _ => return None,
    })
}

/// The per-dashboard medians of criterion's output (`import/NAME  time: [lo mid hi]`).
fn import_table(text: &str) -> Result<String, String> {
    let mut rows = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("import/") {
            name = rest.split_whitespace().next().map(str::to_owned);
        }
        if let (Some(n), Some(i)) = (&name, line.find("time:")) {
            let inner = line[i + 5..]
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']');
            let parts: Vec<&str> = inner.split_whitespace().collect();
            if parts.len() == 6 {
                if let Some(us) = micros(parts[2], parts[3]) {
                    rows.push((n.clone(), us));
                }
            }
            name = None;
        }
    }
    if rows.is_empty() {
        return Err(format!("no timings in criterion's output:\n{text}"));
    }
    let mut t = String::from("| dashboard | µs |\n|---|---:|\n");
    let mut total = 0.0;
    for (n, us) in &rows {
        total += us;
        t.push_str(&format!("| {n} | {us:.0} |\n"));
    }
    t.push_str(&format!("| all {} dashboards | {total:.0} |\n", rows.len()));
    Ok(t)
}

/// The machine the numbers were taken on.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or_else(
            || "?".into(),
            |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
        );
    let version = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .map(str::to_owned)
            })
            .unwrap_or_default()
    };
    let date = version("date", "-u");
    format!(
        "Machine: {cpu}, {cores} cores available, {mem} RAM; {}; {}; {}. Run {date}.",
        version("chromium", "--version"),
        version("prometheus", "--version"),
        version("wrk", "--version").trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_medians() {
        let text = "import/kp-nodes         time:   [1.0000 ms 1.5000 ms 2.0000 ms]\nimport/a-very-long-dashboard-name-here\n                        time:   [10.000 µs 12.000 µs 14.000 µs]\n";
        let t = import_table(text).unwrap();
        assert!(t.contains("| kp-nodes | 1500 |"), "{t}");
        assert!(
            t.contains("| a-very-long-dashboard-name-here | 12 |"),
            "{t}"
        );
        assert!(t.contains("| all 2 dashboards | 1512 |"), "{t}");
        assert!(import_table("nothing").is_err());
    }
}
