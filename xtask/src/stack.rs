//! The local stack: real Prometheus, node_exporter and etcd from Debian's packages, each
//! started by hand on a free loopback port with its data under `target/`, and each checked
//! ready before it is handed out. Dropping a [`Process`] stops it; should the starting thread
//! die first, the kernel kills it (`PR_SET_PDEATHSIG`), so no test run leaves daemons behind.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process started by the stack, its output going to a log file.
pub struct Process {
    pub name: String,
    child: Child,
    pub log: PathBuf,
    /// How it was started, so that [`Process::restart`] can start it again the same way.
    program: std::ffi::OsString,
    args: Vec<std::ffi::OsString>,
    cwd: Option<PathBuf>,
}

impl Process {
    /// Starts `cmd`, sending its output to `log`.
    pub fn spawn(name: &str, cmd: &mut Command, log: &Path) -> Result<Process, String> {
        let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("{}: {e}", log.display()))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        // SAFETY: prctl and setpgid are async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                // Its own process group: a Ctrl-C in the terminal reaches only xtask, which then
                // stops the components in order.
                libc::setpgid(0, 0);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("starting {name} ({:?}): {e}", cmd.get_program()))?;
        Ok(Process {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
            program: cmd.get_program().to_owned(),
            args: cmd.get_args().map(ToOwned::to_owned).collect(),
            cwd: cmd.get_current_dir().map(Path::to_owned),
        })
    }

    /// Starts the process again with the same program, arguments (so the same ports and
    /// data dir) and log file (appended to), after it was stopped or killed. The caller
    /// waits for it to be ready.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        let out = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        // SAFETY: as in `spawn`.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                libc::setpgid(0, 0);
                Ok(())
            });
        }
        self.child = cmd
            .spawn()
            .map_err(|e| format!("restarting {}: {e}", self.name))?;
        Ok(())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Err` with the end of its log if the process has exited.
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}); end of {}:\n{}",
                self.name,
                self.log.display(),
                log_tail(&self.log, 20)
            )),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s.
    pub fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Sends SIGKILL at once, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last `n` lines of a log file.
pub fn log_tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding an ephemeral loopback port")
}

/// A minimal HTTP/1.1 GET (no dependencies): the status code and body. It reads only as far
/// as the response says it is long, since some servers (chromedriver) keep the connection open
/// despite `Connection: close`, and chromedriver refuses HTTP/1.0.
pub fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf)?;
        raw.extend_from_slice(&buf[..n]);
        if n == 0 || response_complete(&raw) {
            break;
        }
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no HTTP status in {head:?}")))?;
    Ok((
        status,
        if is_chunked(head) {
            dechunk(body)
        } else {
            body.to_owned()
        },
    ))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

fn is_chunked(head: &str) -> bool {
    header(head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
}

/// Whether `raw` holds a whole response: headers and as much body as they announce.
fn response_complete(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]);
    let body = &raw[end + 4..];
    if let Some(len) = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.len() >= len
    } else if is_chunked(&head) {
        body.ends_with(b"0\r\n\r\n")
    } else {
        false
    }
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Polls `ready` every 100 ms until it holds, `process` dies, or `timeout` passes.
pub fn wait_ready(
    process: &mut Process,
    timeout: Duration,
    mut ready: impl FnMut() -> bool,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        process.check_alive()?;
        if ready() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} was not ready within {}s; end of {}:\n{}",
                process.name,
                timeout.as_secs(),
                process.log.display(),
                log_tail(&process.log, 20)
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Finds a program on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn program(name: &str) -> Result<PathBuf, String> {
    which(name).ok_or_else(|| {
        format!("`{name}` is not installed; `cargo xtask run` or `cargo xtask test` installs it")
    })
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// Where the components keep their data and logs.
    pub dir: PathBuf,
    /// Start etcd too (and have Prometheus scrape it).
    pub etcd: bool,
    /// Start node_exporter (and have Prometheus scrape it as job `node`).
    pub node_exporter: bool,
    /// kubeglass's address, for Prometheus to scrape its `/metrics` as job `kubeglass`.
    pub kubeglass: Option<SocketAddr>,
    /// OpenMetrics text written into Prometheus's storage with `promtool tsdb
    /// create-blocks-from openmetrics` before it starts, so that queries over it have exact,
    /// known answers. Must end with `# EOF`.
    pub backfill: Option<String>,
    /// Scrape interval, as Prometheus writes it (`5s`).
    pub scrape_interval: String,
}

/// A running stack; dropping it stops every component.
pub struct Stack {
    pub prometheus_url: String,
    pub node_exporter_url: Option<String>,
    pub etcd_url: Option<String>,
    /// In start order; stopped in reverse.
    pub processes: Vec<Process>,
}

impl Stack {
    /// Starts the components `opts` asks for and waits until each is ready.
    pub fn start(opts: &StackOptions) -> Result<Stack, String> {
        std::fs::create_dir_all(&opts.dir).map_err(|e| format!("{}: {e}", opts.dir.display()))?;
        let mut processes = Vec::new();
        let mut scrape = Vec::new();

        let mut node_exporter_url = None;
        if opts.node_exporter {
            let port = free_port();
            let mut p = Process::spawn(
                "node_exporter",
                Command::new(program("prometheus-node-exporter")?)
                    .arg(format!("--web.listen-address=127.0.0.1:{port}")),
                &opts.dir.join("node_exporter.log"),
            )?;
            wait_ready(&mut p, Duration::from_secs(20), || {
                http_get(addr(port), "/metrics").is_ok_and(|(s, _)| s == 200)
            })?;
            processes.push(p);
            scrape.push(("node", port));
            node_exporter_url = Some(format!("http://127.0.0.1:{port}"));
        }

        let mut etcd_url = None;
        if opts.etcd {
            let (client, peer) = (free_port(), free_port());
            let data = opts.dir.join("etcd");
            let mut p = Process::spawn(
                "etcd",
                Command::new(program("etcd")?).args([
                    "--name=kubeglass-local".to_owned(),
                    format!("--data-dir={}", data.display()),
                    format!("--listen-client-urls=http://127.0.0.1:{client}"),
                    format!("--advertise-client-urls=http://127.0.0.1:{client}"),
                    format!("--listen-peer-urls=http://127.0.0.1:{peer}"),
                    format!("--initial-advertise-peer-urls=http://127.0.0.1:{peer}"),
                    format!("--initial-cluster=kubeglass-local=http://127.0.0.1:{peer}"),
                ]),
                &opts.dir.join("etcd.log"),
            )?;
            wait_ready(&mut p, Duration::from_secs(30), || {
                http_get(addr(client), "/health").is_ok_and(|(s, b)| s == 200 && b.contains("true"))
            })?;
            processes.push(p);
            scrape.push(("etcd", client));
            etcd_url = Some(format!("http://127.0.0.1:{client}"));
        }

        if let Some(kg) = opts.kubeglass {
            scrape.push(("kubeglass", kg.port()));
        }
        let port = free_port();
        scrape.push(("prometheus", port));
        let data = opts.dir.join("prometheus");
        std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
        if let Some(text) = &opts.backfill {
            backfill(&opts.dir, &data, text)?;
        }
        let config = opts.dir.join("prometheus.yml");
        std::fs::write(&config, prometheus_config(&opts.scrape_interval, &scrape))
            .map_err(|e| format!("{}: {e}", config.display()))?;
        let mut p = Process::spawn(
            "prometheus",
            Command::new(program("prometheus")?).args([
                format!("--config.file={}", config.display()),
                format!("--storage.tsdb.path={}", data.display()),
                format!("--web.listen-address=127.0.0.1:{port}"),
                // Backfilled test data lies in the past; keep it whatever its age.
                "--storage.tsdb.retention.time=3650d".to_owned(),
            ]),
            &opts.dir.join("prometheus.log"),
        )?;
        wait_ready(&mut p, Duration::from_secs(60), || {
            http_get(addr(port), "/-/ready").is_ok_and(|(s, _)| s == 200)
        })?;
        processes.push(p);
        Ok(Stack {
            prometheus_url: format!("http://127.0.0.1:{port}"),
            node_exporter_url,
            etcd_url,
            processes,
        })
    }

    /// `Err` naming the first component that has exited.
    pub fn check_alive(&mut self) -> Result<(), String> {
        self.processes.iter_mut().try_for_each(Process::check_alive)
    }

    /// The Prometheus process, e.g. to stop it and see how kubeglass copes.
    pub fn prometheus(&mut self) -> &mut Process {
        self.processes
            .iter_mut()
            .find(|p| p.name == "prometheus")
            .expect("every stack runs Prometheus")
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        while let Some(mut p) = self.processes.pop() {
            p.stop();
        }
    }
}

fn prometheus_config(interval: &str, targets: &[(&str, u16)]) -> String {
    let interval = if interval.is_empty() { "5s" } else { interval };
    let mut yaml = format!("global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\nscrape_configs:\n");
    for (job, port) in targets {
        yaml.push_str(&format!(
            "  - job_name: {job}\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        ));
    }
    yaml
}

/// Writes OpenMetrics samples into Prometheus's storage as TSDB blocks.
fn backfill(dir: &Path, data: &Path, text: &str) -> Result<(), String> {
    let input = dir.join("backfill.om");
    std::fs::write(&input, text).map_err(|e| format!("{}: {e}", input.display()))?;
    let out = Command::new(program("promtool")?)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(data)
        .output()
        .map_err(|e| format!("running promtool: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "promtool tsdb create-blocks-from openmetrics failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_config_lists_every_job() {
        let y = prometheus_config("5s", &[("node", 9100), ("kubeglass", 3000)]);
        assert!(y.starts_with("global:\n  scrape_interval: 5s\n"));
        assert!(y.contains(
            "  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:9100']\n"
        ));
        assert!(y.contains("  - job_name: kubeglass\n"));
    }

    #[test]
    fn http_get_reads_status_and_body() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 512];
            while !request.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                request.extend_from_slice(&buf[..n]);
            }
            assert!(String::from_utf8_lossy(&request).starts_with("GET /-/ready HTTP/1.1\r\n"));
            s.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy")
                .unwrap();
        });
        assert_eq!(http_get(a, "/-/ready").unwrap(), (503, "busy".to_owned()));
        server.join().unwrap();
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        assert_eq!(
            dechunk("4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n"),
            "Wikipedia "
        );
    }
}
