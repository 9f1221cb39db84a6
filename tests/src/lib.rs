//! The end-to-end test harness: starts the real `kubeglass` binary (built by `cargo xtask
//! test`, found through `KUBEGLASS_BIN`) next to the real components of [`xtask::stack`], and
//! drives the real UI in headless Chromium through chromedriver.

pub mod browser;
pub mod k8s_server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use xtask::stack::{self, free_port, Process};

pub use xtask::stack::{Stack, StackOptions};

/// A WebSocket client connection, as the watch tests open them.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text message of a WebSocket, parsed (pings and other frames skipped), or `Err` with
/// the close frame's code and reason. Fails the test after 30 s without one.
pub async fn ws_next<T: serde::de::DeserializeOwned>(ws: &mut Ws) -> Result<T, (u16, String)> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let m = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("a message within 30 s");
        match m {
            Some(Ok(Message::Text(t))) => {
                return Ok(serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}: {t}")))
            }
            Some(Ok(Message::Close(Some(f)))) => return Err((f.code.into(), f.reason.to_string())),
            Some(Ok(Message::Close(None))) | None => return Err((0, String::new())),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err((0, e.to_string())),
        }
    }
}

/// `kubeglass hash-password`, as an operator runs it: the Argon2 hash of `password`.
pub fn hash_password(password: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(kubeglass_bin())
        .arg("hash-password")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "kubeglass hash-password failed");
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    hash
}

/// The kubeglass binary under test. `cargo xtask test` builds it and sets `KUBEGLASS_BIN`.
pub fn kubeglass_bin() -> PathBuf {
    let path = std::env::var_os("KUBEGLASS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::target_dir().join("debug/kubeglass"));
    assert!(
        path.is_file(),
        "no kubeglass binary at {}: run the tests with `cargo xtask test`, which builds it",
        path.display()
    );
    path
}

/// The built UI (`dist/`), which `cargo xtask test` builds and names in `KUBEGLASS_UI`.
pub fn ui_dir() -> PathBuf {
    std::env::var_os("KUBEGLASS_UI")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::workspace_root().join("dist"))
}

pub use xtask::skip::{corpus, json_files, project_dashboards, skip};

/// One of the project's own test dashboards (`tests/dashboards/NAME`).
pub fn project_dashboard(name: &str) -> PathBuf {
    project_dashboards().join(name)
}

/// The dashboards a corpus-wide test reads: the project's own, and the shared corpus of real
/// ones when it is beside the project (its absence is recorded as a skip of `test`).
pub fn test_dashboards(test: &str) -> Vec<PathBuf> {
    let mut files = json_files(&project_dashboards());
    if let Some(dir) = corpus(test) {
        files.extend(json_files(&dir));
    }
    files
}

/// A fresh, empty folder for one test's data and logs under `target/e2e/`.
pub fn test_dir(name: &str) -> PathBuf {
    let dir = xtask::target_dir().join("e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// A running kubeglass server; dropping it stops it.
pub struct Kubeglass {
    pub process: Process,
    pub addr: SocketAddr,
    pub dir: PathBuf,
}

impl Kubeglass {
    /// Starts kubeglass on a free loopback port with its data in `dir` and the built UI, plus
    /// `args`; waits for `/healthz`.
    pub fn start(dir: &std::path::Path, args: &[&str]) -> Kubeglass {
        Kubeglass::start_with_ui(dir, &ui_dir(), args)
    }

    /// As [`Kubeglass::start`], serving the UI from `ui`.
    pub fn start_with_ui(dir: &std::path::Path, ui: &std::path::Path, args: &[&str]) -> Kubeglass {
        Kubeglass::start_wrapped(dir, ui, &[], args)
    }

    /// As [`Kubeglass::start_with_ui`], run through `wrapper` (a command and its arguments
    /// that then run kubeglass, such as `prlimit --nofile=256 --`).
    pub fn start_wrapped(
        dir: &std::path::Path,
        ui: &std::path::Path,
        wrapper: &[&str],
        args: &[&str],
    ) -> Kubeglass {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut cmd = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(kubeglass_bin());
                c
            }
            None => Command::new(kubeglass_bin()),
        };
        cmd.arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--ui")
            .arg(ui)
            .args(args);
        let mut process =
            Process::spawn("kubeglass", &mut cmd, &dir.join("kubeglass.log")).unwrap();
        stack::wait_ready(&mut process, Duration::from_secs(30), || {
            stack::http_get(addr, "/healthz").is_ok_and(|(s, _)| s == 200)
        })
        .unwrap();
        Kubeglass {
            process,
            addr,
            dir: dir.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The server's resident memory now and at its peak, in bytes (`VmRSS`, `VmHWM`).
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.pid()))
            .expect("the server's /proc status");
        let kib = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc status"))
                * 1024
        };
        (kib("VmRSS:"), kib("VmHWM:"))
    }

    /// Stores a dashboard (`{"dashboard": ..., "overwrite": ...}`) through the API; panics with
    /// the server's answer unless it is stored.
    pub async fn save_dashboard(&self, body: &serde_json::Value) {
        let saved = http()
            .post(self.url("/api/dashboards/db"))
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(saved.status().is_success(), "{:?}", saved.text().await);
    }
}

/// An HTTP client for tests, with a timeout so that a hung server fails the test instead of
/// hanging it.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A page on another origin (its own loopback port) that frames kubeglass, for embedding
/// tests. Its HTML can be set after kubeglass has started (which needs this page's origin).
pub struct HostPage {
    pub port: u16,
    html: std::sync::Arc<std::sync::Mutex<String>>,
}

impl HostPage {
    /// Starts serving from a thread that lives as long as the test process.
    pub fn start() -> HostPage {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let html = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let served = html.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let body = served.lock().unwrap().clone();
                let response = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = stream.write_all(response.as_bytes());
            }
        });
        HostPage { port, html }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, html: String) {
        *self.html.lock().unwrap() = html;
    }
}

/// Starts Prometheus scraping node_exporter every 5 s and kubeglass with the shipped
/// dashboards (plus `extra` flags); returns once Prometheus holds 20 s of node_exporter
/// samples, enough for `rate()` over 20 s (the `$__rate_interval` of a 5 s scrape interval).
pub async fn live_stack(name: &str, extra: &[&str]) -> (Stack, Kubeglass, PathBuf) {
    let dir = test_dir(name);
    let stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        node_exporter: true,
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let datasources = dir.join("datasources.yaml");
    std::fs::write(&datasources, format!("apiVersion: 1\ndatasources:\n  - name: Prometheus\n    uid: prometheus\n    type: prometheus\n    url: {}\n    jsonData:\n      timeInterval: 5s\n", stack.prometheus_url)).unwrap();
    let shipped = xtask::workspace_root().join("assets/dashboards");
    let mut args = vec![
        "--datasources",
        datasources.to_str().unwrap(),
        "--dashboards",
        shipped.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let kg = Kubeglass::start(&dir, &args);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let r: serde_json::Value = http()
            .get(format!(
                "{}/api/v1/query?query=count_over_time(node_load1[1m])>=4",
                stack.prometheus_url
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
        assert!(
            std::time::Instant::now() < deadline,
            "Prometheus does not hold 4 scrapes of node_exporter after 60 s: {r}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    (stack, kg, dir)
}

/// One etcd member of Debian's `etcd-server` on loopback ports of its own, which a test can
/// kill -9 and start again on the same data dir and ports (as a crash and a restart would).
pub struct EtcdServer {
    process: Option<Process>,
    pub url: String,
    peer_port: u16,
    metrics_port: u16,
    dir: PathBuf,
    starts: u32,
    /// PEM files (server certificate, its key, the CA of clients) when it serves TLS and
    /// asks clients for certificates.
    tls: Option<[PathBuf; 3]>,
}

impl EtcdServer {
    /// Starts etcd with its data and logs under `dir`; returns once it answers `/health`.
    pub fn start(dir: &std::path::Path) -> EtcdServer {
        EtcdServer::start_with(dir, None)
    }

    /// Starts etcd serving https with `tls` = [server certificate, its key, the clients' CA]
    /// (PEM files), requiring client certificates.
    pub fn start_with(dir: &std::path::Path, tls: Option<[PathBuf; 3]>) -> EtcdServer {
        let (client_port, peer_port, metrics_port) = (free_port(), free_port(), free_port());
        let scheme = if tls.is_some() { "https" } else { "http" };
        let mut etcd = EtcdServer {
            process: None,
            url: format!("{scheme}://127.0.0.1:{client_port}"),
            peer_port,
            metrics_port,
            dir: dir.to_owned(),
            starts: 0,
            tls,
        };
        etcd.spawn();
        etcd
    }

    fn spawn(&mut self) {
        self.starts += 1;
        let peer = self.peer_port;
        let mut cmd = Command::new("etcd");
        let url = &self.url;
        cmd.args([
            "--name=kubeglass-test".to_owned(),
            format!("--data-dir={}", self.dir.join("etcd").display()),
            format!("--listen-client-urls={url}"),
            format!("--advertise-client-urls={url}"),
            // Health over plain HTTP, whatever the client URLs serve.
            format!(
                "--listen-metrics-urls=http://127.0.0.1:{}",
                self.metrics_port
            ),
            format!("--listen-peer-urls=http://127.0.0.1:{peer}"),
            format!("--initial-advertise-peer-urls=http://127.0.0.1:{peer}"),
            format!("--initial-cluster=kubeglass-test=http://127.0.0.1:{peer}"),
        ]);
        if let Some([cert, key, ca]) = &self.tls {
            cmd.arg(format!("--cert-file={}", cert.display()))
                .arg(format!("--key-file={}", key.display()))
                .arg(format!("--trusted-ca-file={}", ca.display()))
                .arg("--client-cert-auth");
        }
        let log = self.dir.join(format!("etcd-{}.log", self.starts));
        let mut p = Process::spawn("etcd", &mut cmd, &log).unwrap();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.metrics_port));
        stack::wait_ready(&mut p, Duration::from_secs(30), || {
            stack::http_get(addr, "/health").is_ok_and(|(s, b)| s == 200 && b.contains("true"))
        })
        .unwrap();
        self.process = Some(p);
    }

    /// SIGKILL, as a crash.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            p.kill();
        }
    }

    /// Starts it again on the same data dir and ports.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}
