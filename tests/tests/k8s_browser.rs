//! The Kubernetes pages in a real headless Chromium, against kubeglass reading the test API
//! server (tests/src/k8s_server.rs): the pods page follows changes live, within a second of
//! the API server emitting them; the pod detail shows container states and follows logs; the
//! overview counts what the cluster holds; a lost cluster shows a banner, an unconfigured or
//! unreachable one a message rather than an empty table.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::k8s_server::K8sServer;
use kubeglass_e2e::{http, test_dir, Kubeglass};
use kubeglass_shared::k8s::view::{count_by_phase, pod_summary, workload_summary};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Runs `script` (a JS function body returning JSON) until `done` holds for its result, and
/// returns the result and how long it took; fails after `timeout` with the last result.
async fn wait_js(
    browser: &Browser,
    what: &str,
    script: &str,
    timeout: Duration,
    done: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let start = Instant::now();
    loop {
        let v = browser.client.execute(script, vec![]).await.unwrap();
        if done(&v) {
            return (v, start.elapsed());
        }
        if start.elapsed() > timeout {
            let url = browser.client.current_url().await.unwrap();
            let text: Value = browser
                .client
                .execute("return document.body.innerText.slice(0, 2000);", vec![])
                .await
                .unwrap();
            panic!(
                "{what}: not within {:?} at {url}; last: {v}\npage: {}",
                timeout,
                text.as_str().unwrap_or("")
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const PAGE: &str = "const p = document.querySelector('[data-page]'); return p ? [p.getAttribute('data-page'), p.getAttribute('data-state'), location.pathname] : null;";

/// Waits until the page root is `page` in `state`.
async fn wait_page(browser: &Browser, page: &str, state: &str) {
    wait_js(
        browser,
        &format!("page {page} {state}"),
        PAGE,
        Duration::from_secs(20),
        |v| v[0] == page && v[1] == state,
    )
    .await;
}

/// Every pod row as `ns/name -> [phase, status, restarts]`.
const ROWS: &str = "return Object.fromEntries(Array.from(document.querySelectorAll('tr[data-pod]')).map(r => [r.getAttribute('data-pod'), [r.getAttribute('data-phase'), r.getAttribute('data-status'), r.getAttribute('data-restarts')]]));";

async fn list(k8s: &K8sServer, path: &str) -> Vec<Value> {
    let v: Value = http()
        .get(format!("{}{path}", k8s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"].as_array().unwrap().clone()
}

fn key(p: &Value) -> String {
    format!(
        "{}/{}",
        p["metadata"]["namespace"].as_str().unwrap(),
        p["metadata"]["name"].as_str().unwrap()
    )
}

fn screenshots() -> std::path::PathBuf {
    xtask::target_dir().join("screenshots")
}

fn new_pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": "live"}},
        "spec": {"nodeName": "node-a", "containers": [{"name": "main", "image": "busybox:1.36"}]},
        "status": {"phase": "Pending", "containerStatuses": [{"name": "main", "ready": false, "restartCount": 0,
            "image": "busybox:1.36", "state": {"waiting": {"reason": "ContainerCreating"}}}]}
    })
}

#[tokio::test]
async fn kubernetes_pages_follow_the_cluster_live() {
    let dir = test_dir("k8s-browser");
    let k8s = K8sServer::start();
    let mut kg = Kubeglass::start(&dir, &["--k8s-url", &k8s.url()]);
    let browser = Browser::start(&dir).await;

    // The navigation's "Kubernetes" link leaves the dashboards app for the cluster app, and
    // /k8s opens the only cluster's overview.
    const APP: &str = "const s = document.querySelector('script[type=module]'); return [location.pathname, !!document.querySelector('.kg-home'), s ? s.textContent.includes('/cluster/') : null];";
    browser.client.goto(&kg.url("/")).await.unwrap();
    wait_js(
        &browser,
        "the home page",
        APP,
        Duration::from_secs(20),
        |v| v[1] == true && v[2] == false,
    )
    .await;
    browser
        .client
        .execute(
            "document.querySelector('a.kg-nav-link[href=\"/k8s\"]').click();",
            vec![],
        )
        .await
        .unwrap();
    wait_page(&browser, "k8s-overview", "ok").await;
    wait_js(
        &browser,
        "the cluster app",
        APP,
        Duration::from_secs(5),
        |v| v[0] == "/k8s/default" && v[2] == true,
    )
    .await;
    let path = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_string();
    assert_eq!(path, "/k8s/default");

    // The overview counts what the API server holds.
    let pods = list(&k8s, "/api/v1/pods").await;
    let stats = "return Object.fromEntries(Array.from(document.querySelectorAll('[data-stat]')).map(s => [s.getAttribute('data-stat'), +s.getAttribute('data-value')]));";
    let mut want: BTreeMap<String, u64> = count_by_phase(pods.iter())
        .into_iter()
        .map(|(p, n)| (format!("pods-{}", p.to_lowercase()), n as u64))
        .collect();
    want.insert("nodes-ready".into(), 2);
    want.insert("nodes-not-ready".into(), 0);
    let want = serde_json::to_value(&want).unwrap();
    wait_js(
        &browser,
        "overview counts",
        stats,
        Duration::from_secs(10),
        |v| *v == want,
    )
    .await;
    let mut lagging = Vec::new();
    for kind in ["deployments", "statefulsets", "daemonsets"] {
        for w in list(&k8s, &format!("/apis/apps/v1/{kind}")).await {
            let s = workload_summary(kind, &w).unwrap();
            if !s.healthy() {
                lagging.push(format!("{}/{}", s.kind, key(&w)));
            }
        }
    }
    lagging.sort();
    assert!(
        !lagging.is_empty(),
        "the fixtures have workloads short of replicas"
    );
    let (shown, _) = wait_js(
        &browser,
        "workloads short of replicas",
        "return Array.from(document.querySelectorAll('tr[data-workload]')).map(r => r.getAttribute('data-workload')).sort();",
        Duration::from_secs(5),
        |v| v.as_array().is_some_and(|a| !a.is_empty()),
    )
    .await;
    assert_eq!(shown, json!(lagging));
    let warnings: Value = browser
        .client
        .execute(
            "return document.querySelectorAll('tr[data-event-type=Warning]').length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(warnings.as_u64().unwrap() > 0, "recent warnings are listed");
    // A node going NotReady shows at once.
    k8s.update("nodes", "", "node-b", |n| {
        n["status"]["conditions"][3]["status"] = json!("Unknown")
    });
    let (_, took) = wait_js(
        &browser,
        "node-b not ready",
        stats,
        Duration::from_secs(5),
        |v| v["nodes-ready"] == 1 && v["nodes-not-ready"] == 1,
    )
    .await;
    println!("overview saw node-b go NotReady after {took:?}");
    browser
        .screenshot(&screenshots().join("k8s-overview.png"))
        .await;

    // The pods page lists every pod, as kubectl summarises it.
    browser
        .client
        .goto(&kg.url("/k8s/default/pods"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pods", "ok").await;
    let (rows, _) = wait_js(&browser, "every pod", ROWS, Duration::from_secs(5), |v| {
        v.as_object().is_some_and(|o| o.len() == pods.len())
    })
    .await;
    for p in &pods {
        let s = pod_summary(p);
        assert_eq!(
            rows[key(p)],
            json!([s.phase, s.status, s.restarts.to_string()]),
            "{}",
            key(p)
        );
    }
    let crashing: Vec<&Value> = rows
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r[1] == "CrashLoopBackOff")
        .collect();
    assert!(
        crashing
            .iter()
            .any(|r| r[2].as_str().unwrap().parse::<u32>().unwrap() > 0),
        "a crash-looping pod with restarts: {rows}"
    );

    // A new pod, a phase change and a deletion each show within a second.
    let created = Instant::now();
    k8s.create(new_pod("live-1"));
    let (_, took) = wait_js(&browser, "ADDED pod", ROWS, Duration::from_secs(5), |v| {
        v["shop/live-1"][0] == "Pending"
    })
    .await;
    println!("pods page showed an ADDED pod {took:?} after the API server emitted it");
    assert!(created.elapsed() >= took);
    assert!(took < Duration::from_secs(1), "ADDED took {took:?}");
    k8s.update("pods", "shop", "live-1", |p| {
        p["status"]["phase"] = json!("Running");
        p["status"]["containerStatuses"][0]["ready"] = json!(true);
        p["status"]["containerStatuses"][0]["state"] =
            json!({"running": {"startedAt": "2026-01-01T00:00:00Z"}});
    });
    let (_, took) = wait_js(
        &browser,
        "MODIFIED pod",
        ROWS,
        Duration::from_secs(5),
        |v| v["shop/live-1"] == json!(["Running", "Running", "0"]),
    )
    .await;
    println!("pods page showed a MODIFIED pod after {took:?}");
    assert!(took < Duration::from_secs(1), "MODIFIED took {took:?}");
    k8s.delete("pods", "shop", "live-1").unwrap();
    let (_, took) = wait_js(&browser, "DELETED pod", ROWS, Duration::from_secs(5), |v| {
        v.get("shop/live-1").is_none() && v.as_object().is_some_and(|o| o.len() == pods.len())
    })
    .await;
    println!("pods page dropped a DELETED pod after {took:?}");
    assert!(took < Duration::from_secs(1), "DELETED took {took:?}");

    // Filters live in the URL and select what the API server would.
    browser
        .client
        .goto(&kg.url(
            "/k8s/default/pods?namespace=shop&labelSelector=tier%3Dbackend,app!%3Ddb&phase=Running",
        ))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pods", "ok").await;
    let mut want: Vec<String> = list(
        &k8s,
        "/api/v1/namespaces/shop/pods?labelSelector=tier%3Dbackend,app!%3Ddb",
    )
    .await
    .iter()
    .filter(|p| p["status"]["phase"] == "Running")
    .map(key)
    .collect();
    want.sort();
    assert!(!want.is_empty());
    let (shown, _) = wait_js(
        &browser,
        "filtered pods",
        "return Array.from(document.querySelectorAll('tr[data-pod]')).map(r => r.getAttribute('data-pod')).sort();",
        Duration::from_secs(5),
        |v| v.as_array().is_some_and(|a| !a.is_empty()),
    )
    .await;
    assert_eq!(shown, json!(want));
    browser
        .screenshot(&screenshots().join("k8s-pods.png"))
        .await;
    // A bad selector is refused by name, with no table.
    browser
        .client
        .goto(&kg.url("/k8s/default/pods?labelSelector=app%3Dwe%20b"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pods", "error").await;
    let text: Value = browser
        .client
        .execute("return [document.querySelector('.kg-k8s-message').innerText, document.querySelectorAll('tr[data-pod]').length];", vec![])
        .await
        .unwrap();
    assert!(
        text[0]
            .as_str()
            .unwrap()
            .contains("`we b` is not a valid label value"),
        "{text}"
    );
    assert_eq!(text[1], 0);

    // The pod detail: container states, the last termination, events, and logs that follow.
    let (ns, name) = ("shop", "api-6f8d7c9b5-lmn3q");
    let pod = k8s.get("pods", ns, name).unwrap();
    let want = pod_summary(&pod);
    browser
        .client
        .goto(&kg.url(&format!("/k8s/default/namespaces/{ns}/pods/{name}")))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pod", "ok").await;
    let containers = "return [document.querySelector('.kg-k8s-summary').getAttribute('data-status'), Array.from(document.querySelectorAll('tr[data-container]')).map(r => [r.getAttribute('data-container'), r.getAttribute('data-state'), r.querySelector('[data-last-state]').getAttribute('data-last-state'), r.innerText])];";
    let (c, _) = wait_js(
        &browser,
        "containers",
        containers,
        Duration::from_secs(5),
        |v| v[1].as_array().is_some_and(|a| !a.is_empty()),
    )
    .await;
    assert_eq!(c[0], json!(want.status));
    let api = &c[1][0];
    assert_eq!(api[0], "api");
    assert_eq!(api[1], "waiting", "{c}");
    assert_eq!(api[2], "terminated", "{c}");
    let last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"]
        .as_str()
        .unwrap();
    assert!(api[3].as_str().unwrap().contains(last), "{c}");
    assert!(api[3].as_str().unwrap().contains("CrashLoopBackOff"), "{c}");
    let logs = "const l = document.querySelector('[data-log-state]'); return l ? [l.getAttribute('data-log-state'), Array.from(l.querySelectorAll('.kg-k8s-log-line')).map(e => e.textContent)] : null;";
    let (l, _) = wait_js(&browser, "log lines", logs, Duration::from_secs(10), |v| {
        v[1].as_array().is_some_and(|a| a.len() >= 2)
    })
    .await;
    assert_eq!(l[0], "streaming", "{l}");
    assert_eq!(l[1][0], "starting api v2.3.1", "{l}");
    k8s.append_log(ns, name, "api", "listening on :8080");
    let (_, took) = wait_js(
        &browser,
        "a followed log line",
        logs,
        Duration::from_secs(5),
        |v| {
            v[1].as_array()
                .and_then(|a| a.last())
                .is_some_and(|t| t == "listening on :8080")
        },
    )
    .await;
    println!("the log viewer showed a new line after {took:?}");
    let events: Value = browser
        .client
        .execute("return Array.from(document.querySelectorAll('tr[data-reason]')).map(r => r.getAttribute('data-reason'));", vec![])
        .await
        .unwrap();
    assert!(
        events.as_array().is_some_and(|a| !a.is_empty()),
        "the pod's events are listed"
    );
    browser.screenshot(&screenshots().join("k8s-pod.png")).await;

    // Nodes, workloads and events pages.
    browser
        .client
        .goto(&kg.url("/k8s/default/nodes?node=node-b"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-nodes", "ok").await;
    let (n, _) = wait_js(
        &browser,
        "nodes",
        "return [Array.from(document.querySelectorAll('tr[data-node]')).map(r => [r.getAttribute('data-node'), r.getAttribute('data-status')]), Array.from(document.querySelectorAll('[data-node-detail] tr[data-condition]')).length, document.querySelector('.kg-k8s-taints') ? document.querySelector('.kg-k8s-taints').innerText : ''];",
        Duration::from_secs(5),
        |v| v[0].as_array().is_some_and(|a| a.len() == 2),
    )
    .await;
    assert_eq!(n[0], json!([["node-a", "Ready"], ["node-b", "Unknown"]]));
    assert_eq!(n[1], 4, "node-b's conditions: {n}");
    assert!(
        n[2].as_str()
            .unwrap()
            .contains("dedicated=batch:NoSchedule"),
        "{n}"
    );
    browser
        .screenshot(&screenshots().join("k8s-nodes.png"))
        .await;

    browser
        .client
        .goto(&kg.url("/k8s/default/workloads"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-workloads", "ok").await;
    let (w, _) = wait_js(
        &browser,
        "workloads",
        "return Object.fromEntries(Array.from(document.querySelectorAll('tr[data-workload]')).map(r => [r.getAttribute('data-workload'), r.getAttribute('data-ready') + '/' + r.getAttribute('data-desired')]));",
        Duration::from_secs(5),
        |v| v.as_object().is_some_and(|o| o.len() >= 5),
    )
    .await;
    for d in list(&k8s, "/apis/apps/v1/deployments").await {
        let s = workload_summary("deployments", &d).unwrap();
        assert_eq!(w[format!("Deployment/{}", key(&d))], s.ready_text(), "{w}");
    }
    for j in list(&k8s, "/apis/batch/v1/jobs").await {
        assert!(w.get(format!("Job/{}", key(&j))).is_some(), "{w}");
    }
    browser
        .screenshot(&screenshots().join("k8s-workloads.png"))
        .await;

    browser
        .client
        .goto(&kg.url("/k8s/default/events?type=Warning"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-events", "ok").await;
    let want = list(&k8s, "/api/v1/events")
        .await
        .iter()
        .filter(|e| e["type"] == "Warning")
        .count();
    let (types, _) = wait_js(
        &browser,
        "warning events",
        "return Array.from(document.querySelectorAll('tr[data-event-type]')).map(r => r.getAttribute('data-event-type'));",
        Duration::from_secs(5),
        |v| v.as_array().is_some_and(|a| a.len() == want),
    )
    .await;
    assert!(types.as_array().unwrap().iter().all(|t| t == "Warning"));
    browser
        .screenshot(&screenshots().join("k8s-events.png"))
        .await;

    // The API server goes away: the list stays with a banner; back, the banner goes and the
    // list is live again.
    browser
        .client
        .goto(&kg.url("/k8s/default/pods"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pods", "ok").await;
    k8s.stop();
    let banner = "const b = document.querySelector('.kg-k8s-banner'); return [b ? b.innerText : null, document.querySelectorAll('tr[data-pod]').length];";
    let (b, took) = wait_js(&browser, "a banner", banner, Duration::from_secs(30), |v| {
        v[0].is_string()
    })
    .await;
    println!("banner after {took:?}: {}", b[0]);
    assert_eq!(b[1], pods.len(), "the last known list stays");
    browser
        .screenshot(&screenshots().join("k8s-pods-disconnected.png"))
        .await;
    k8s.restart();
    k8s.create(new_pod("live-2"));
    wait_js(
        &browser,
        "back live",
        banner,
        Duration::from_secs(30),
        |v| v[0].is_null(),
    )
    .await;
    wait_js(
        &browser,
        "a pod added after the restart",
        ROWS,
        Duration::from_secs(10),
        |v| v.get("shop/live-2").is_some(),
    )
    .await;

    // kubeglass itself goes away: the page says it is disconnected and reconnects with
    // backoff; a kubeglass back on the same address brings the list back live.
    kg.process.stop();
    let (b, _) = wait_js(
        &browser,
        "a disconnected banner",
        banner,
        Duration::from_secs(10),
        |v| {
            v[0].as_str()
                .is_some_and(|s| s.starts_with("Not connected"))
        },
    )
    .await;
    println!("banner while kubeglass is down: {}", b[0]);
    assert_eq!(b[1], pods.len() + 1, "the last known list stays");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut cmd = std::process::Command::new(kubeglass_e2e::kubeglass_bin());
    cmd.arg("--listen")
        .arg(kg.addr.to_string())
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--ui")
        .arg(kubeglass_e2e::ui_dir())
        .args(["--k8s-url", &k8s.url()]);
    let _again =
        xtask::stack::Process::spawn("kubeglass", &mut cmd, &dir.join("kubeglass-again.log"))
            .unwrap();
    k8s.create(new_pod("live-3"));
    let (_, took) = wait_js(
        &browser,
        "reconnected",
        ROWS,
        Duration::from_secs(30),
        |v| v.get("shop/live-3").is_some(),
    )
    .await;
    println!("reconnected to the restarted kubeglass after {took:?}");
    wait_js(
        &browser,
        "no banner once reconnected",
        banner,
        Duration::from_secs(5),
        |v| v[0].is_null(),
    )
    .await;
    browser.close().await;
}

#[tokio::test]
async fn an_unconfigured_or_unreachable_cluster_says_so() {
    let dir = test_dir("k8s-browser-none");
    let browser = Browser::start(&dir).await;
    {
        let kg = Kubeglass::start(&test_dir("k8s-browser-none/none"), &[]);
        browser.client.goto(&kg.url("/k8s")).await.unwrap();
        wait_page(&browser, "k8s", "error").await;
        let text: Value = browser
            .client
            .execute(
                "return document.querySelector('.kg-k8s-message').innerText;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            text.as_str()
                .unwrap()
                .contains("no Kubernetes cluster is configured"),
            "{text}"
        );
        browser
            .client
            .goto(&kg.url("/k8s/default/pods"))
            .await
            .unwrap();
        wait_page(&browser, "k8s-pods", "error").await;
        browser
            .screenshot(&screenshots().join("k8s-not-configured.png"))
            .await;
    }
    // A cluster whose API server does not answer: a message, not an empty table.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let kg = Kubeglass::start(
        &test_dir("k8s-browser-none/unreachable"),
        &["--k8s-url", &url],
    );
    browser
        .client
        .goto(&kg.url("/k8s/default/pods"))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pods", "error").await;
    let (m, _) = wait_js(
        &browser,
        "the unreachable message",
        "const m = document.querySelector('.kg-k8s-message'); return [m ? m.innerText : '', document.querySelectorAll('table').length];",
        Duration::from_secs(10),
        |v| v[0].as_str().is_some_and(|s| !s.is_empty()),
    )
    .await;
    println!("unreachable cluster: {}", m[0]);
    assert_eq!(m[1], 0, "no table: {m}");
    browser
        .screenshot(&screenshots().join("k8s-unreachable.png"))
        .await;
    browser.close().await;
}

/// cAdvisor samples for one pod's container and for node-a's root cgroup, every 15 s over
/// the hour from `base` (seconds): CPU at half a core (the pod) and one and a half (the node),
/// memory at 100 MiB (the pod) and 2 GiB (the node).
fn cadvisor_backfill(base: i64) -> String {
    let mut text = String::new();
    for i in 0..=240 {
        let t = base + 15 * i;
        text.push_str(&format!(
            "container_cpu_usage_seconds_total{{namespace=\"shop\",pod=\"api-6f8d7c9b5-lmn3q\",container=\"api\",node=\"node-a\"}} {} {t}\n\
             container_memory_working_set_bytes{{namespace=\"shop\",pod=\"api-6f8d7c9b5-lmn3q\",container=\"api\",node=\"node-a\"}} 104857600 {t}\n\
             container_cpu_usage_seconds_total{{id=\"/\",node=\"node-a\"}} {} {t}\n\
             container_memory_working_set_bytes{{id=\"/\",node=\"node-a\"}} 2147483648 {t}\n",
            7.5 * i as f64,
            22.5 * i as f64,
        ));
    }
    text.push_str("# EOF\n");
    text
}

#[tokio::test]
async fn pod_and_node_pages_chart_cadvisor_metrics_when_prometheus_is_configured() {
    let dir = test_dir("k8s-browser-charts");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let base = now / 3600 * 3600 - 3 * 3600;
    let stack = kubeglass_e2e::Stack::start(&kubeglass_e2e::StackOptions {
        dir: dir.join("stack"),
        backfill: Some(cadvisor_backfill(base)),
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let k8s = K8sServer::start();
    let kg = Kubeglass::start(
        &dir,
        &[
            "--k8s-url",
            &k8s.url(),
            "--prometheus",
            &stack.prometheus_url,
        ],
    );
    let browser = Browser::start(&dir).await;
    let range = format!("from={}&to={}", base * 1000, (base + 3600) * 1000);
    let charts = |done: &'static [&'static str]| {
        move |s: &[(String, String, String)]| {
            s.len() == 2 && s.iter().all(|(_, state, _)| done.contains(&state.as_str()))
        }
    };

    // The crash-looping pod has samples: both charts draw.
    browser
        .client
        .goto(&kg.url(&format!(
            "/k8s/default/namespaces/shop/pods/api-6f8d7c9b5-lmn3q?{range}"
        )))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pod", "ok").await;
    let s = browser
        .wait_for_panels(Duration::from_secs(30), charts(&["ok", "nodata", "error"]))
        .await;
    assert!(s.iter().all(|(_, state, _)| state == "ok"), "{s:#?}");
    assert!(
        s.iter().any(|(_, _, text)| text.contains("api")),
        "legend names the container: {s:#?}"
    );
    browser
        .screenshot(&screenshots().join("k8s-pod-charts.png"))
        .await;

    // A pod without samples: "No data", not an error.
    browser
        .client
        .goto(&kg.url(&format!(
            "/k8s/default/namespaces/shop/pods/web-7c5d8f6b9-2xk4p?{range}"
        )))
        .await
        .unwrap();
    wait_page(&browser, "k8s-pod", "ok").await;
    let s = browser
        .wait_for_panels(Duration::from_secs(30), charts(&["ok", "nodata", "error"]))
        .await;
    assert!(s.iter().all(|(_, state, _)| state == "nodata"), "{s:#?}");

    // A node's detail charts its root cgroup.
    browser
        .client
        .goto(&kg.url(&format!("/k8s/default/nodes?node=node-a&{range}")))
        .await
        .unwrap();
    wait_page(&browser, "k8s-nodes", "ok").await;
    let s = browser
        .wait_for_panels(Duration::from_secs(30), charts(&["ok", "nodata", "error"]))
        .await;
    assert!(s.iter().all(|(_, state, _)| state == "ok"), "{s:#?}");
    browser
        .screenshot(&screenshots().join("k8s-node-charts.png"))
        .await;
    browser.close().await;
}
