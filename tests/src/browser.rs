//! A real headless Chromium, driven through Debian's chromedriver with fantoccini.

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use xtask::stack::{self, free_port, Process};

/// chromedriver and a browser session; drop [`Browser::close`] it at the end of a test.
pub struct Browser {
    pub client: Client,
    _driver: Process,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium with a fresh profile
    /// in `dir`, with the flags Chromium needs as root on a machine without network.
    pub async fn start(dir: &Path) -> Browser {
        let port = free_port();
        let chromedriver = stack::which("chromedriver").expect("chromedriver is not installed: run the tests with `cargo xtask test`, which installs it");
        let mut driver = Process::spawn(
            "chromedriver",
            Command::new(chromedriver).arg(format!("--port={port}")),
            &dir.join("chromedriver.log"),
        )
        .unwrap();
        stack::wait_ready(&mut driver, Duration::from_secs(20), || {
            stack::http_get(([127, 0, 0, 1], port).into(), "/status").is_ok_and(|(s, _)| s == 200)
        })
        .unwrap();
        let profile = dir.join("chromium-profile");
        let _ = std::fs::remove_dir_all(&profile);
        let caps = json!({
            "goog:chromeOptions": {
                "binary": stack::which("chromium").expect("chromium is not installed").to_string_lossy(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "starting Chromium through chromedriver: {e}; see {}",
                    dir.join("chromedriver.log").display()
                )
            });
        Browser {
            client,
            _driver: driver,
        }
    }

    /// Every `[data-panel-id]` element as (panel id, data-state, visible text).
    pub async fn panel_states(&self) -> Vec<(String, String, String)> {
        let v = self
            .client
            .execute("return Array.from(document.querySelectorAll('[data-panel-id]')).map(e => [e.getAttribute('data-panel-id'), e.getAttribute('data-state'), e.innerText.slice(0, 300)]);", vec![])
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    /// Waits until `done` holds for the panel states (and there is at least one panel), or
    /// fails after `timeout` listing every panel's state and text.
    pub async fn wait_for_panels(
        &self,
        timeout: Duration,
        done: impl Fn(&[(String, String, String)]) -> bool,
    ) -> Vec<(String, String, String)> {
        let deadline = Instant::now() + timeout;
        loop {
            let states = self.panel_states().await;
            if !states.is_empty() && done(&states) {
                return states;
            }
            if Instant::now() > deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                panic!(
                    "panels at {url} did not settle within {}s: {states:#?}",
                    timeout.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Saves a PNG screenshot of the page.
    pub async fn screenshot(&self, path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, self.client.screenshot().await.unwrap()).unwrap();
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
