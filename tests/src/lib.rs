//! The end-to-end test harness: starts the real `kubeglass` binary (built by `cargo xtask
//! test`, found through `KUBEGLASS_BIN`) next to the real components of [`xtask::stack`], and
//! drives the real UI in headless Chromium through chromedriver.

pub mod browser;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use xtask::stack::{self, free_port, Process};

pub use xtask::stack::{Stack, StackOptions};

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

/// The real dashboards of `../shared/corpus/dashboards`, shared test data beside the project.
pub fn corpus_dir() -> PathBuf {
    xtask::workspace_root().join("../shared/corpus/dashboards")
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
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut cmd = Command::new(kubeglass_bin());
        cmd.arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--ui")
            .arg(ui_dir())
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
}

/// An HTTP client for tests, with a timeout so that a hung server fails the test instead of
/// hanging it.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}
