//! The measurements of `cargo xtask bench` that need the running system: chart rendering in
//! headless Chromium against uPlot, dashboard load, proxy overhead against Prometheus itself
//! (wrk), shared queries and memory. Ignored: benchmarks are not tests; `cargo xtask bench`
//! runs it with `--ignored` against the release build and writes its rows to
//! `target/bench/e2e.md`, which it puts into the report.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{http, test_dir, Kubeglass, Stack, StackOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One row of the report.
struct Row {
    what: String,
    kubeglass: String,
    baseline: String,
    ratio: String,
    target: String,
}

fn row(what: &str, kubeglass: String, baseline: &str, ratio: String, target: &str) -> Row {
    Row {
        what: what.into(),
        kubeglass,
        baseline: baseline.into(),
        ratio,
        target: target.into(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Prometheus's own count of requests its `handler` answered, from its `/metrics`.
async fn prometheus_requests(prometheus: &str, handler: &str) -> u64 {
    let text = http()
        .get(format!("{prometheus}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let needle = format!("handler=\"{handler}\"");
    text.lines()
        .filter(|l| l.starts_with("prometheus_http_requests_total{") && l.contains(&needle))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

async fn upstream_queries(prometheus: &str) -> u64 {
    prometheus_requests(prometheus, "/api/v1/query_range").await
        + prometheus_requests(prometheus, "/api/v1/query").await
}

/// kubeglass's resident memory, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

// ---- chart rendering ----

async fn render_kubeglass(
    b: &Browser,
    kg: &Kubeglass,
    points: usize,
    series: usize,
    runs: usize,
) -> Vec<f64> {
    b.client
        .goto(&kg.url(&format!(
            "/bench/render?points={points}&series={series}&runs={runs}"
        )))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v = b
            .client
            .execute("const e = document.getElementById('kg-bench-render'); return e ? [e.getAttribute('data-state'), e.getAttribute('data-times') || e.innerText] : null;", vec![])
            .await
            .unwrap();
        if let Some([state, text]) = serde_json::from_value::<Option<[String; 2]>>(v).unwrap() {
            match state.as_str() {
                "ok" => return text.split(',').map(|t| t.parse().unwrap()).collect(),
                "error" => panic!("the render page failed: {text}"),
                _ => {}
            }
        }
        assert!(
            Instant::now() < deadline,
            "the render page did not finish in 120 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Draws the page's `window.__kgBench` data with uPlot, `runs` times; each time is `setData`
/// (scales, axes and paths recomputed and drawn) until the canvas is drawn.
async fn render_uplot(b: &Browser, uplot_js: &str, runs: usize) -> Vec<f64> {
    b.client
        .execute(
            &format!("{uplot_js}\n;window.uPlot = uPlot; return true;"),
            vec![],
        )
        .await
        .unwrap();
    let script = r#"
        const runs = arguments[0];
        const done = arguments[arguments.length - 1];
        (async () => {
            const d = window.__kgBench;
            const el = document.getElementById('kg-bench-uplot');
            el.innerHTML = '';
            const colors = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2'];
            const opts = {
                width: 1200, height: 300, pxAlign: 0,
                legend: { show: false }, cursor: { show: false },
                series: [{}].concat(d.y.map((_, i) => ({ stroke: colors[i % colors.length], width: 1 }))),
            };
            const data = [d.x].concat(Array.from(d.y));
            const u = new uPlot(opts, data, el);
            await Promise.resolve();
            const times = [];
            for (let i = 0; i < runs; i++) {
                const t0 = performance.now();
                u.setData(data);
                await Promise.resolve();
                u.ctx.getImageData(0, 0, 1, 1);
                times.push(performance.now() - t0);
            }
            u.destroy();
            done(times);
        })().catch(e => done('error: ' + e));
    "#;
    let v = b
        .client
        .execute_async(script, vec![json!(runs)])
        .await
        .unwrap();
    serde_json::from_value(v.clone()).unwrap_or_else(|_| panic!("uPlot: {v}"))
}

// ---- dashboard load ----

/// Milliseconds from navigation until no panel is `loading`, and the upstream queries it took.
async fn dashboard_load(
    b: &Browser,
    kg: &Kubeglass,
    prometheus: &str,
    path: &str,
) -> (f64, u64, usize) {
    b.client.goto("about:blank").await.unwrap();
    // The proxy keeps an answer over a live range for a second: each load starts after the
    // last one's answers are gone, so that it counts every query it sends.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = upstream_queries(prometheus).await;
    let t0 = Instant::now();
    b.client.goto(&kg.url(path)).await.unwrap();
    let deadline = t0 + Duration::from_secs(60);
    let panels = loop {
        let v = b
            .client
            .execute("const p = Array.from(document.querySelectorAll('[data-panel-id]')); return [p.length, p.filter(e => e.getAttribute('data-state') === 'loading').length];", vec![])
            .await
            .unwrap();
        let [total, loading]: [usize; 2] = serde_json::from_value(v).unwrap();
        if total > 0 && loading == 0 {
            break total;
        }
        assert!(
            Instant::now() < deadline,
            "{path}: panels still loading after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    // Let the counter settle: the last answers may still be on their way.
    tokio::time::sleep(Duration::from_millis(300)).await;
    (ms, upstream_queries(prometheus).await - before, panels)
}

// ---- proxy overhead ----

struct Wrk {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn wrk_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let (num, factor) = if let Some(v) = text.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = text.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = text.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (text, 1.0)
    };
    num.trim().parse::<f64>().ok().map(|v| v * factor)
}

/// Runs wrk with `connections` against `url` for `secs`; every request gets a distinct
/// `nonce` parameter (which Prometheus ignores), so that no two are shared by the proxy and
/// what is measured is the cost of passing a request through.
fn wrk(dir: &Path, url: &str, connections: usize, secs: u64) -> Wrk {
    let script = dir.join("nonce.lua");
    std::fs::write(&script, "local counter = 0\nlocal threads = 0\nfunction setup(thread)\n  threads = threads + 1\n  thread:set(\"tid\", threads)\nend\nfunction request()\n  counter = counter + 1\n  return wrk.format(nil, wrk.path .. \"&nonce=\" .. tid .. \"-\" .. counter)\nend\n").unwrap();
    let threads = connections.clamp(1, 2);
    let out = Command::new("wrk")
        .args([
            "--latency",
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
        ])
        .args(["-d", &format!("{secs}s"), "-s"])
        .arg(&script)
        .arg(url)
        .output()
        .expect("wrk is not installed: run `cargo xtask bench`, which installs it");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("Non-2xx"), "wrk saw errors: {text}");
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no `{prefix}` in wrk's output: {text}"))
            .to_owned()
    };
    Wrk {
        rps: field("Requests/sec:").parse().unwrap(),
        p50_ms: wrk_duration(&field("50%")).unwrap(),
        p99_ms: wrk_duration(&field("99%")).unwrap(),
    }
}

/// Samples a process's RSS every 50 ms while it runs; the peak.
struct RssPeak {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl RssPeak {
    fn start(pid: u32) -> RssPeak {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak_kib.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                p.fetch_max((rss_mib(pid) * 1024.0) as u64, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        RssPeak {
            stop,
            peak_kib,
            thread,
        }
    }

    fn finish(self) -> f64 {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap();
        self.peak_kib.load(Ordering::SeqCst) as f64 / 1024.0
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket client watching `/kubeglass-bench/` in etcd, once its watch is created.
async fn watch_client(url: &str) -> Ws {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.send(Message::text(r#"{"prefix": "/kubeglass-bench/"}"#))
        .await
        .unwrap();
    loop {
        let m = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("a message within 30 s");
        match m {
            Some(Ok(Message::Text(t))) if t.contains("\"created\"") => return ws,
            Some(Ok(Message::Text(t))) if t.contains("\"error\"") => panic!("etcd watch: {t}"),
            Some(Ok(_)) => continue,
            other => panic!("etcd watch socket: {other:?}"),
        }
    }
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// The corpus dashboard of about twenty panels the load is measured on.
const CORPUS_DASHBOARD: &str = "kp-k8s-resources-cluster.json";

#[tokio::test]
#[ignore = "a benchmark: `cargo xtask bench` runs it"]
async fn bench() {
    let out_dir: PathBuf = std::env::var_os("KUBEGLASS_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::target_dir().join("bench"));
    std::fs::create_dir_all(&out_dir).unwrap();
    let uplot_js = std::fs::read_to_string(
        out_dir.join("node_modules/uplot/dist/uPlot.iife.min.js"),
    )
    .expect("uPlot is not installed in target/bench/: run `cargo xtask bench`, which installs it");
    let dir = test_dir("bench");
    let stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        node_exporter: true,
        etcd: true,
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let prometheus = stack.prometheus_url.clone();
    let etcd = stack.etcd_url.clone().expect("the stack runs etcd");
    let dashboards = dir.join("dashboards");
    std::fs::create_dir_all(&dashboards).unwrap();
    for e in std::fs::read_dir(xtask::workspace_root().join("assets/dashboards"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), dashboards.join(e.file_name())).unwrap();
    }
    // Without the corpus beside the project, the load is measured on a dashboard of its own.
    let corpus =
        match kubeglass_e2e::corpus("bench: load of the corpus's kube-prometheus dashboard") {
            Some(dir) => dir.join(CORPUS_DASHBOARD),
            None => kubeglass_e2e::project_dashboard("current.json"),
        };
    std::fs::copy(&corpus, dashboards.join(CORPUS_DASHBOARD)).unwrap();
    let corpus_uid = serde_json::from_str::<Value>(&std::fs::read_to_string(&corpus).unwrap())
        .unwrap()["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let datasources = dir.join("datasources.yaml");
    std::fs::write(&datasources, format!("apiVersion: 1\ndatasources:\n  - name: Prometheus\n    uid: prometheus\n    type: prometheus\n    url: {prometheus}\n    isDefault: true\n    jsonData:\n      timeInterval: 5s\n")).unwrap();
    let kg = Kubeglass::start(
        &dir,
        &[
            "--datasources",
            datasources.to_str().unwrap(),
            "--dashboards",
            dashboards.to_str().unwrap(),
            "--etcd",
            &etcd,
            // The shared-queries and wrk loads come from one address: let them all in.
            "--max-concurrent-queries",
            "256",
        ],
    );
    let pid = kg.process.pid();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = rss_mib(pid);
    let mut rows = Vec::new();

    // 1. Chart rendering.
    let browser = Browser::start(&dir).await;
    for (points, series, runs) in [
        (10_000, 1, 9),
        (100_000, 1, 7),
        (1_000_000, 1, 5),
        (2_000, 50, 7),
    ] {
        // The first draw of each warms up (compilation, caches) and is left out of the median.
        let kg_times = render_kubeglass(&browser, &kg, points, series, runs + 1).await;
        let up_times = render_uplot(&browser, &uplot_js, runs + 1).await;
        let (k, u) = (
            median(kg_times[1..].to_vec()),
            median(up_times[1..].to_vec()),
        );
        let name = if series == 1 {
            format!("render {points} points, 1200×300 (median of {runs}, ms)")
        } else {
            format!("render {series} series × {points} points (median of {runs}, ms)")
        };
        let target = match points {
            10_000 if series == 1 => "≤ 1.00× uPlot",
            1_000_000 => "≤ 0.50× uPlot",
            _ => "",
        };
        println!("{name}: kubeglass {k:.2} uPlot {u:.2}");
        rows.push(row(
            &name,
            format!("{k:.2}"),
            &format!("uPlot {u:.2}"),
            ratio(k, u),
            target,
        ));
    }

    // Prometheus must hold some samples before the dashboards show anything.
    let wait = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < wait,
            "Prometheus holds no node_exporter samples after 60 s"
        );
        let r: Value = http()
            .get(format!(
                "{prometheus}/api/v1/query?query=count_over_time(node_load1[1m])>=4"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if r["data"]["result"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // 2. Dashboard load.
    for (name, path) in [
        (
            "load Node dashboard",
            "/d/node/node?from=now-1h&to=now".to_owned(),
        ),
        (
            "load 22-panel corpus dashboard (kp-k8s-resources-cluster)",
            format!("/d/{corpus_uid}/x?from=now-1h&to=now"),
        ),
    ] {
        let mut times = Vec::new();
        let mut queries = Vec::new();
        let mut panels = 0;
        for _ in 0..4 {
            let (ms, q, p) = dashboard_load(&browser, &kg, &prometheus, &path).await;
            times.push(ms);
            queries.push(q as f64);
            panels = p;
        }
        // The first load fills the browser's caches (the wasm, the dashboard list).
        let (ms, q) = (median(times[1..].to_vec()), median(queries[1..].to_vec()));
        println!("{name}: {ms:.0} ms, {q} upstream queries, {panels} panels");
        rows.push(row(
            &format!("{name}: {panels} panels, ms (median of 3)"),
            format!("{ms:.0}"),
            "",
            String::new(),
            "",
        ));
        rows.push(row(
            &format!("{name}: upstream queries"),
            format!("{q:.0}"),
            "",
            String::new(),
            "",
        ));
    }
    browser.close().await;

    // 4. Proxy overhead, and 6. memory under that load.
    let end = now_s().floor() as i64 + 3600;
    let query = format!(
        "query=rate(node_cpu_seconds_total%5B1m%5D)&start={}&end={end}&step=15",
        end - 7200
    );
    let direct = format!("{prometheus}/api/v1/query_range?{query}");
    let proxied = kg.url(&format!(
        "/api/datasources/prometheus/prometheus/api/v1/query_range?{query}"
    ));
    let peak = RssPeak::start(pid);
    for c in [1, 16, 64] {
        let p = wrk(&dir, &direct, c, 5);
        let k = wrk(&dir, &proxied, c, 5);
        println!("wrk -c {c}: Prometheus {:.0} req/s p50 {:.2} p99 {:.2}; kubeglass {:.0} req/s p50 {:.2} p99 {:.2}", p.rps, p.p50_ms, p.p99_ms, k.rps, k.p50_ms, k.p99_ms);
        rows.push(row(
            &format!("proxy query_range, {c} connections: req/s"),
            format!("{:.0}", k.rps),
            &format!("Prometheus {:.0}", p.rps),
            ratio(k.rps, p.rps),
            "≥ 0.90×",
        ));
        rows.push(row(
            &format!("proxy query_range, {c} connections: p50 ms"),
            format!("{:.2}", k.p50_ms),
            &format!("Prometheus {:.2}", p.p50_ms),
            format!(
                "{} (+{:.2} ms)",
                ratio(k.p50_ms, p.p50_ms),
                k.p50_ms - p.p50_ms
            ),
            "added < 1 ms",
        ));
        rows.push(row(
            &format!("proxy query_range, {c} connections: p99 ms"),
            format!("{:.2}", k.p99_ms),
            &format!("Prometheus {:.2}", p.p99_ms),
            ratio(k.p99_ms, p.p99_ms),
            "",
        ));
    }
    let loaded_rss = peak.finish();

    // 5. Shared queries: 100 identical concurrent requests over a range reaching the present.
    let end = now_s().floor() as i64 + 60;
    let url = kg.url(&format!("/api/datasources/prometheus/prometheus/api/v1/query_range?query=node_load1&start={}&end={end}&step=15", end - 3600));
    let before = prometheus_requests(&prometheus, "/api/v1/query_range").await;
    let client = http();
    let answers = futures_util::future::join_all((0..100).map(|_| client.get(&url).send())).await;
    for a in answers {
        assert_eq!(a.unwrap().status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let upstream = prometheus_requests(&prometheus, "/api/v1/query_range").await - before;
    println!("100 identical concurrent query_range: {upstream} upstream");
    rows.push(row(
        "100 identical concurrent query_range: upstream requests",
        upstream.to_string(),
        "100 without sharing",
        format!("{:.2}×", upstream as f64 / 100.0),
        "≤ 2",
    ));

    // 6. Memory.
    rows.push(row(
        "RSS idle, MiB",
        format!("{idle_rss:.1}"),
        "",
        String::new(),
        "< 30",
    ));
    rows.push(row(
        "RSS peak under the proxy load, MiB",
        format!("{loaded_rss:.1}"),
        "",
        String::new(),
        "",
    ));

    // 6. Memory with 1,000 WebSocket clients, each watching one etcd prefix.
    let before_ws = rss_mib(pid);
    let ws_url = format!("ws://{}/api/etcd/default/watch", kg.addr);
    let mut sockets = Vec::new();
    for _ in 0..10 {
        let batch = futures_util::future::join_all((0..100).map(|_| watch_client(&ws_url))).await;
        sockets.extend(batch);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let with_ws = rss_mib(pid);
    println!(
        "RSS {before_ws:.1} MiB, with {} watch clients {with_ws:.1} MiB",
        sockets.len()
    );
    rows.push(row(
        "RSS with 1,000 etcd watch WebSockets, MiB",
        format!("{with_ws:.1}"),
        &format!("{before_ws:.1} before"),
        String::new(),
        "",
    ));
    rows.push(row(
        "RSS per WebSocket watch client, KiB",
        format!(
            "{:.1}",
            (with_ws - before_ws) * 1024.0 / sockets.len() as f64
        ),
        "",
        String::new(),
        "",
    ));
    drop(sockets);

    let mut table = String::from(
        "| benchmark | kubeglass | baseline | ratio | target |\n|---|---:|---:|---:|---|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.what, r.kubeglass, r.baseline, r.ratio, r.target
        ));
    }
    std::fs::write(out_dir.join("e2e.md"), &table).unwrap();
    println!("{table}");
    drop(kg);
    drop(stack);
}
