//! `cargo xtask run` and `cargo xtask test`: the only commands a newcomer needs. Each sets up
//! everything it needs on a Debian machine (see `tools`) before it runs.

mod bench;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use xtask::stack::{self, Process, Stack, StackOptions};
use xtask::tools::{self, Needs};

const USAGE: &str = "usage:
  cargo xtask run [--prometheus URL] [--listen ADDR:PORT]
      Build kubeglass and run it on http://127.0.0.1:3000. Without --prometheus it first starts a
      local stack on loopback (Prometheus scraping node_exporter, etcd and kubeglass every 5 s),
      data under target/stack/. Ctrl-C stops everything it started.
  cargo xtask test [-- CARGO TEST ARGS]
      Set up, build the UI and the server once, and run every test: unit, integration against
      real Prometheus, node_exporter and etcd, and the browser tests in headless Chromium.
  cargo xtask fuzz [CASES]
      Run the property tests of outside input (import, interpolation, time ranges, WebSocket
      messages) with many more cases than `test` does [default: 100000 each].
  cargo xtask ui
      Build only the UI into dist/ (what `run` and `test` do first).
  cargo xtask conformance [--cases N] [--seed S] [--show N] [CATEGORY...]
      Compare kubeglass with Grafana's own code (its npm packages, installed under
      target/conformance/, test-only) on N generated cases per category [default: 2000],
      and print the table and the first mismatches no deliberate difference explains.
  cargo xtask bench [--skip-ui]
      Measure kubeglass against its baselines (uPlot, Prometheus itself) on this machine: print
      one table and write it to target/bench/report.md (about ten minutes). --skip-ui measures
      the UI already built in dist/.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("ui") => build_ui(&xtask::workspace_root()),
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("conformance") => conformance(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the UI with trunk into `dist/` (release: what users get): the dashboards app at the
/// top of `dist/`, the cluster app (Kubernetes and etcd pages) under `dist/cluster/`, the home
/// app (dashboard list, import, login) under `dist/home/`.
fn build_ui(root: &Path) -> Result<(), String> {
    println!("xtask: building the UI (trunk build --release)");
    // Trunk.toml sets `offline`: every crate must be in cargo's cache before trunk runs.
    tools::run(Command::new("cargo").arg("fetch").current_dir(root))?;
    let trunk = |args: &[&str]| {
        tools::run(
            Command::new(tools::cargo_bin_dir().join("trunk"))
                .arg("build")
                .args(args)
                // Last: `--release` takes an optional value, which would swallow a path.
                .arg("--release")
                .env("PATH", tools::tool_path())
                .current_dir(root),
        )
    };
    trunk(&[])?;
    // Trunk empties its dist dir, so the other apps are built beside it and moved in.
    for app in ["cluster", "home"] {
        let staging = root.join(format!("target/ui-{app}"));
        trunk(&[
            &format!("frontend/{app}.html"),
            "--dist",
            staging.to_str().ok_or("target path is not UTF-8")?,
            "--public-url",
            &format!("/{app}/"),
        ])?;
        let to = root.join("dist").join(app);
        std::fs::create_dir_all(&to).map_err(|e| format!("creating {}: {e}", to.display()))?;
        for entry in
            std::fs::read_dir(&staging).map_err(|e| format!("{}: {e}", staging.display()))?
        {
            let from = entry.map_err(|e| e.to_string())?.path();
            let name = from.file_name().ok_or("a file without a name")?;
            std::fs::rename(&from, to.join(name))
                .map_err(|e| format!("moving {} into {}: {e}", from.display(), to.display()))?;
        }
    }
    Ok(())
}

fn run(args: &[String]) -> Result<(), String> {
    let root = xtask::workspace_root();
    let mut prometheus = None;
    let mut listen: SocketAddr = "127.0.0.1:3000".parse().unwrap();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--prometheus" => {
                prometheus = Some(it.next().ok_or("--prometheus needs a URL")?.clone())
            }
            "--listen" => {
                listen = it
                    .next()
                    .ok_or("--listen needs ADDR:PORT")?
                    .parse()
                    .map_err(|e| format!("--listen: {e}"))?
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    tools::ensure(
        &root,
        Needs {
            stack: prometheus.is_none(),
            browser: false,
        },
    )?;
    build_ui(&root)?;
    println!("xtask: building the server (cargo build --release)");
    tools::run(
        Command::new("cargo")
            .args(["build", "--release", "-p", "kubeglass-backend"])
            .current_dir(&root),
    )?;

    let target = xtask::target_dir();
    let mut stack = None;
    let mut cmd = Command::new(target.join("release/kubeglass"));
    cmd.current_dir(&root)
        .arg("--listen")
        .arg(listen.to_string())
        .arg("--ui")
        .arg(root.join("dist"))
        .arg("--dashboards")
        .arg(root.join("assets/dashboards"))
        .arg("--data-dir")
        .arg(target.join("kubeglass-data"));
    match &prometheus {
        Some(url) => {
            cmd.arg("--prometheus").arg(url);
        }
        None => {
            let dir = target.join("stack");
            println!(
                "xtask: starting Prometheus, node_exporter and etcd on loopback (data in {})",
                dir.display()
            );
            let s = Stack::start(&StackOptions {
                dir: dir.clone(),
                etcd: true,
                node_exporter: true,
                kubeglass: Some(listen),
                backfill: None,
                scrape_interval: "5s".into(),
            })?;
            let datasources = dir.join("datasources.yaml");
            std::fs::write(&datasources, format!("apiVersion: 1\ndatasources:\n  - name: Prometheus (local)\n    uid: prometheus\n    type: prometheus\n    url: {}\n    isDefault: true\n    jsonData:\n      timeInterval: 5s\n", s.prometheus_url)).map_err(|e| e.to_string())?;
            cmd.arg("--datasources").arg(&datasources);
            // The local etcd is shown on the /etcd page.
            if let Some(url) = &s.etcd_url {
                cmd.arg("--etcd").arg(url);
            }
            println!(
                "xtask: Prometheus {}  node_exporter {}  etcd {}",
                s.prometheus_url,
                s.node_exporter_url.as_deref().unwrap_or("-"),
                s.etcd_url.as_deref().unwrap_or("-")
            );
            stack = Some(s);
        }
    }
    let log = target.join("kubeglass.log");
    let mut server = Process::spawn("kubeglass", &mut cmd, &log)?;
    stack::wait_ready(&mut server, Duration::from_secs(30), || {
        stack::http_get(listen, "/healthz").is_ok_and(|(s, _)| s == 200)
    })?;
    println!("\nkubeglass is running: http://{listen}/  (Node dashboard: http://{listen}/d/node/node)\nits log: {}\nCtrl-C stops everything.", log.display());

    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("installing the Ctrl-C handler: {e}"))?;
    let outcome = loop {
        std::thread::sleep(Duration::from_millis(200));
        if stop.load(Ordering::SeqCst) {
            break Ok(());
        }
        if let Err(e) = server
            .check_alive()
            .and_then(|()| stack.as_mut().map_or(Ok(()), Stack::check_alive))
        {
            break Err(e);
        }
    };
    println!("\nxtask: stopping");
    server.stop();
    drop(stack);
    outcome
}

fn conformance(args: &[String]) -> Result<(), String> {
    let root = xtask::workspace_root();
    tools::ensure_conformance_oracle(&root)?;
    tools::run(
        Command::new("cargo")
            .args([
                "run",
                "--release",
                "-q",
                "-p",
                "kubeglass-conformance",
                "--",
            ])
            .args(args)
            .env("KUBEGLASS_ORACLE", tools::conformance_dir())
            .current_dir(&root),
    )
}

fn fuzz(args: &[String]) -> Result<(), String> {
    let cases = match args.first() {
        Some(n) => n
            .parse::<u32>()
            .map_err(|_| format!("fuzz: CASES must be a number, not `{n}`"))?,
        None => 100_000,
    };
    println!("xtask: {cases} cases for each property of shared/tests/fuzz.rs");
    tools::run(
        Command::new("cargo")
            .args([
                "test",
                "--release",
                "-p",
                "kubeglass-shared",
                "--test",
                "fuzz",
            ])
            .env("PROPTEST_CASES", cases.to_string())
            // Optimised for speed, but an arithmetic overflow still fails, as in `test`.
            .env("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")
            .env("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "true")
            .current_dir(xtask::workspace_root()),
    )
}

fn test(args: &[String]) -> Result<(), String> {
    let root = xtask::workspace_root();
    let cargo_args: Vec<&String> = args.iter().skip_while(|a| *a == "--").collect();
    tools::ensure(
        &root,
        Needs {
            stack: true,
            browser: true,
        },
    )?;
    tools::ensure_conformance_oracle(&root)?;
    build_ui(&root)?;
    println!("xtask: building the server");
    tools::run(
        Command::new("cargo")
            .args(["build", "-p", "kubeglass-backend"])
            .current_dir(&root),
    )?;
    let target = xtask::target_dir();
    let skips = xtask::skip::skip_log();
    let _ = std::fs::remove_file(&skips);
    println!("xtask: running every test");
    let outcome = tools::run(
        Command::new("cargo")
            .arg("test")
            .args(cargo_args)
            .current_dir(&root)
            .env("KUBEGLASS_BIN", target.join("debug/kubeglass"))
            .env("KUBEGLASS_UI", root.join("dist"))
            .env("KUBEGLASS_ORACLE", tools::conformance_dir()),
    );
    // Every skip, listed after cargo's own summaries (which count a skipped test as passed).
    let skipped = std::fs::read_to_string(&skips).unwrap_or_default();
    let lines: Vec<&str> = skipped.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        println!("xtask: no test was skipped");
    } else {
        eprintln!("xtask: {} test(s) skipped:", lines.len());
        for l in &lines {
            eprintln!("  SKIPPED {l}");
        }
    }
    outcome
}
