//! Hostile requests and failing upstreams against the real binary: path traversal on the
//! static files, the store under kill -9 during imports, Prometheus stopped, slowed and
//! restarted, and the per-client bound on concurrent queries.

use kubeglass_e2e::{http, test_dir, Kubeglass, Stack, StackOptions};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Sends one request exactly as written (clients normalise `..` away) and returns the whole
/// answer.
fn raw_get(addr: SocketAddr, target: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn static_files_never_leave_the_ui_dir() {
    let dir = test_dir("faults-traversal");
    let ui = dir.join("site/ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<html>app shell</html>").unwrap();
    std::fs::write(ui.join("app.css"), "body{}").unwrap();
    std::fs::write(dir.join("site/secret.txt"), "TOP-SECRET-MARKER").unwrap();
    let kg = Kubeglass::start_with_ui(&dir, &ui, &[]);
    assert!(
        raw_get(kg.addr, "/app.css").contains("body{}"),
        "files in the UI dir are served"
    );
    let secret = dir.join("site/secret.txt");
    let absolute = secret.to_str().unwrap();
    let attempts = [
        "/../secret.txt".to_owned(),
        "/..%2fsecret.txt".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/%2E%2E%2Fsecret.txt".into(),
        "/..%5csecret.txt".into(),
        "/..\\secret.txt".into(),
        "/.%2e/secret.txt".into(),
        "/%252e%252e/secret.txt".into(),
        "/assets/../../secret.txt".into(),
        "//../secret.txt".into(),
        format!("/{absolute}"),
        format!("/%2f{}", absolute.trim_start_matches('/')),
        format!("/..{absolute}"),
        "/..%00/secret.txt".into(),
        "/....//secret.txt".into(),
        "/%c0%ae%c0%ae/secret.txt".into(),
    ];
    for a in &attempts {
        let answer = raw_get(kg.addr, a);
        assert!(
            !answer.contains("TOP-SECRET-MARKER"),
            "{a} left the UI dir:\n{answer}"
        );
        let status = answer.split(' ').nth(1).unwrap_or("");
        assert!(matches!(status, "200" | "400" | "404"), "{a}: {answer}");
        if status == "200" {
            assert!(
                answer.contains("app shell"),
                "{a} answered 200 with something else: {answer}"
            );
        }
    }
    println!(
        "{} path traversal attempts, none left the UI dir",
        attempts.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_survives_kill_9_during_imports() {
    let dir = test_dir("faults-kill9");
    let mut acknowledged: Vec<(String, usize)> = Vec::new();
    let mut kills = 0;
    for round in 0..4u64 {
        let mut kg = Kubeglass::start(&dir, &[]);
        let url = kg.url("/api/dashboards/db");
        let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let mut writers = Vec::new();
        for w in 0..4u64 {
            let (url, acked, sent) = (url.clone(), acked.clone(), sent.clone());
            writers.push(tokio::spawn(async move {
                let client = http();
                for i in 0.. {
                    let uid = format!("r{round}-w{w}-{i}");
                    // Big enough that a write takes a while: 40 panels, ~20 KB.
                    let panels: Vec<Value> = (0..40)
                        .map(|p| json!({"id": p, "type": "timeseries", "title": format!("{uid} panel {p} {}", "x".repeat(300)),
                                        "gridPos": {"x": 0, "y": p, "w": 12, "h": 8},
                                        "targets": [{"refId": "A", "expr": format!("up{{instance=\"{uid}\"}}")}]}))
                        .collect();
                    let body = json!({"dashboard": {"uid": uid, "title": uid, "panels": panels}, "overwrite": true});
                    sent.fetch_add(1, Ordering::Relaxed);
                    match client.post(&url).json(&body).send().await {
                        Ok(r) if r.status() == 200 => acked.lock().unwrap().push((uid, 40)),
                        Ok(r) => panic!("an import was refused: {}", r.status()),
                        Err(_) => break, // the server died mid-request: not acknowledged
                    }
                }
            }));
        }
        // Kill at a different moment each round, while the writers are busy.
        tokio::time::sleep(Duration::from_millis(300 + 170 * round)).await;
        kg.process.kill();
        kills += 1;
        for w in writers {
            w.await.unwrap();
        }
        acknowledged.extend(acked.lock().unwrap().drain(..));
        assert!(sent.load(Ordering::Relaxed) > 0);
    }
    assert!(
        acknowledged.len() > 20,
        "too few imports to prove anything: {}",
        acknowledged.len()
    );
    // Every acknowledged dashboard is there, whole; nothing stored is half-written.
    let kg = Kubeglass::start(&dir, &[]);
    let client = http();
    for (uid, panels) in &acknowledged {
        let r = client
            .get(kg.url(&format!("/api/dashboards/uid/{uid}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "acknowledged dashboard {uid} is missing after kill -9"
        );
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            v["dashboard"]["panels"].as_array().unwrap().len(),
            *panels,
            "{uid}"
        );
    }
    let hits: Vec<Value> = client
        .get(kg.url("/api/search"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for hit in &hits {
        let uid = hit["uid"].as_str().unwrap();
        let v: Value = client
            .get(kg.url(&format!("/api/dashboards/uid/{uid}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            v["dashboard"]["panels"].as_array().map(Vec::len),
            Some(40),
            "{uid} is half-written"
        );
    }
    println!(
        "{kills} kill -9 during imports: {} acknowledged, {} stored, all whole",
        acknowledged.len(),
        hits.len()
    );
}

/// An HTTP proxy in front of Prometheus that holds each request for `delay_ms` before
/// passing it on, one request per connection (`Connection: close`), so that every request is
/// delayed, not only the first on a kept-alive connection.
fn delaying_proxy(target: SocketAddr, delay_ms: Arc<AtomicU64>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let delay = delay_ms.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let (request_line, headers) = head.split_once("\r\n").unwrap();
                let headers: String = headers
                    .split("\r\n")
                    .filter(|h| !h.is_empty() && !h.to_ascii_lowercase().starts_with("connection:"))
                    .map(|h| format!("{h}\r\n"))
                    .collect();
                std::thread::sleep(Duration::from_millis(delay.load(Ordering::Relaxed)));
                let Ok(mut upstream) = std::net::TcpStream::connect(target) else {
                    return;
                };
                let _ = write!(
                    upstream,
                    "{request_line}\r\n{headers}Connection: close\r\n\r\n"
                );
                let _ = std::io::copy(&mut upstream, &mut client);
            });
        }
    });
    addr
}

async fn query(kg: &Kubeglass, ds: &str) -> (u16, Value) {
    let r = http()
        .get(kg.url(&format!(
            "/api/datasources/{ds}/prometheus/api/v1/query?query=up"
        )))
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn prometheus_stopped_slowed_and_restarted() {
    let dir = test_dir("faults-prometheus");
    let mut stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let prom: SocketAddr = stack
        .prometheus_url
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let delay = Arc::new(AtomicU64::new(0));
    let slow = delaying_proxy(prom, delay.clone());
    let datasources = dir.join("datasources.yaml");
    std::fs::write(
        &datasources,
        format!("apiVersion: 1\ndatasources:\n  - name: Prometheus\n    uid: prom\n    type: prometheus\n    url: {}\n  - name: Slow\n    uid: slow\n    type: prometheus\n    url: http://{slow}\n", stack.prometheus_url),
    )
    .unwrap();
    let kg = Kubeglass::start(
        &dir,
        &[
            "--datasources",
            datasources.to_str().unwrap(),
            "--upstream-timeout",
            "2",
            "--max-concurrent-queries",
            "1",
        ],
    );
    assert_eq!(query(&kg, "prom").await.0, 200);

    // Stopped: a message naming the data source; the rest of kubeglass keeps working. (The
    // last answer is kept for a second: past that, the query goes upstream again.)
    stack.prometheus().stop();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (s, body) = query(&kg, "prom").await;
    assert_eq!(s, 502, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("data source `prom` is unreachable"),
        "{body}"
    );
    let r = http().get(kg.url("/api/search")).send().await.unwrap();
    assert_eq!(
        r.status(),
        200,
        "the dashboards still load while Prometheus is down"
    );
    let r = http().get(kg.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);

    // Restarted: service resumes by itself, no restart of kubeglass.
    stack.prometheus().restart().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (s, body) = query(&kg, "prom").await;
        if s == 200 {
            assert_eq!(body["status"], "success");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no recovery 30 s after Prometheus restarted: {s} {body}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Slow: past --upstream-timeout the panel gets a 504 naming the data source; once the
    // delay goes, answers come back.
    delay.store(3000, Ordering::Relaxed);
    let (s, body) = query(&kg, "slow").await;
    assert_eq!(
        (s, body["message"].as_str()),
        (504, Some("data source `slow` did not answer within 2s"))
    );
    delay.store(0, Ordering::Relaxed);
    assert_eq!(query(&kg, "slow").await.0, 200);

    // At most 1 query runs per client (--max-concurrent-queries 1), 8 wait, the rest are
    // refused with 429 at once. (After the answer above is no longer kept.)
    delay.store(100, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut all = Vec::new();
    for _ in 0..12 {
        let kg_url = kg.url("/api/datasources/slow/prometheus/api/v1/query?query=up");
        all.push(tokio::spawn(async move {
            let r = http().get(kg_url).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.text().await.unwrap())
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for a in all {
        let (s, body) = a.await.unwrap();
        match s {
            200 => ok += 1,
            429 => {
                assert!(body.contains("too many queries at once"), "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        (ok, refused),
        (9, 3),
        "1 running + 8 waiting succeed, 3 are refused"
    );
}
