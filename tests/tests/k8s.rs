//! Kubernetes through kubeglass against the test API server (`k8s_server`): lists, selectors,
//! pagination, gets, ConfigMaps without data; shared WebSocket watches with their snapshot,
//! deltas, relist after `410 Gone`, recovery after the API server restarts, the cut-off of a
//! slow client; pod logs; and the refusals, which the API server records never reached it.

use kubeglass_e2e::k8s_server::K8sServer;
use kubeglass_e2e::{http, test_dir, ws_next as next, Kubeglass, Ws};
use kubeglass_shared::k8s::{LogLine, LogMessage, WatchMessage};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

fn start(name: &str) -> (K8sServer, Kubeglass) {
    let server = K8sServer::start();
    let dir = test_dir(name);
    let kg = Kubeglass::start(&dir, &["--k8s-url", &server.url()]);
    (server, kg)
}

async fn get(kg: &Kubeglass, path: &str) -> (u16, Value) {
    let r = http().get(kg.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text));
    (status, body)
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn open(kg: &Kubeglass, query: &str) -> Ws {
    let url = format!("ws://{}/api/k8s/default/watch?{query}", kg.addr);
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn next_watch(ws: &mut Ws) -> WatchMessage {
    next(ws)
        .await
        .unwrap_or_else(|e| panic!("the watch closed: {e:?}"))
}

fn snapshot_names(m: &WatchMessage) -> BTreeSet<String> {
    match m {
        WatchMessage::Snapshot { items, .. } => items
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
            .collect(),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

fn new_pod(server: &K8sServer, name: &str) -> Value {
    let mut pod = server.get("pods", "shop", "web-7c5d8f6b9-2xk4p").unwrap();
    pod["metadata"]["name"] = json!(name);
    pod["metadata"].as_object_mut().unwrap().remove("uid");
    pod
}

#[tokio::test]
async fn lists_selectors_pagination_and_gets() {
    let (server, kg) = start("k8s_lists");
    let (s, clusters) = get(&kg, "/api/k8s/clusters").await;
    assert_eq!((s, clusters), (200, json!([{"name": "default"}])));

    let (s, pods) = get(&kg, "/api/k8s/default/pods").await;
    assert_eq!(s, 200, "{pods}");
    assert_eq!(pods["kind"], "PodList");
    assert_eq!(names(&pods).len(), 11);
    assert_eq!(
        pods["metadata"]["resourceVersion"],
        json!(server.resource_version().to_string())
    );

    let (_, web) = get(
        &kg,
        "/api/k8s/default/namespaces/shop/pods?labelSelector=app%3Dweb",
    )
    .await;
    assert_eq!(names(&web), ["web-7c5d8f6b9-2xk4p", "web-7c5d8f6b9-9qm7z"]);
    let (_, backend) = get(
        &kg,
        "/api/k8s/default/pods?labelSelector=tier%20in%20(backend),app!%3Dworker",
    )
    .await;
    assert_eq!(names(&backend), ["api-6f8d7c9b5-lmn3q", "db-0"]);
    let (_, running) = get(
        &kg,
        "/api/k8s/default/pods?fieldSelector=status.phase%3DRunning",
    )
    .await;
    assert_eq!(names(&running).len(), 8);
    let (_, on_b) = get(
        &kg,
        "/api/k8s/default/pods?fieldSelector=spec.nodeName%3Dnode-b,status.phase!%3DRunning",
    )
    .await;
    assert_eq!(names(&on_b), ["migrate-4kq9s", "report-28930140-x7k2p"]);
    // The API server's own refusal of a selector is passed on with its message.
    let (s, bad) = get(&kg, "/api/k8s/default/pods?fieldSelector=spec.image%3Dx").await;
    assert_eq!(s, 400);
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("field label not supported: spec.image"),
        "{bad}"
    );

    // Pages of 4 until the continue token runs out: every pod exactly once.
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &token {
            None => "/api/k8s/default/pods?limit=4".to_owned(),
            Some(t) => format!("/api/k8s/default/pods?limit=4&continue={t}"),
        };
        let (s, page) = get(&kg, &path).await;
        assert_eq!(s, 200, "{page}");
        pages += 1;
        all.extend(names(&page));
        match page["metadata"]["continue"].as_str() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(all.len(), 11);
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 11);
    // A token older than a compaction: 410, passed on.
    let (_, first) = get(&kg, "/api/k8s/default/pods?limit=4").await;
    server.expire();
    let token = first["metadata"]["continue"].as_str().unwrap();
    let (s, gone) = get(
        &kg,
        &format!("/api/k8s/default/pods?limit=4&continue={token}"),
    )
    .await;
    assert_eq!(s, 410, "{gone}");
    assert!(
        gone["message"].as_str().unwrap().contains("too old"),
        "{gone}"
    );

    // Single objects, namespaced and cluster-scoped, and the namespace itself.
    let (s, pod) = get(
        &kg,
        "/api/k8s/default/namespaces/shop/pods/api-6f8d7c9b5-lmn3q",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(pod["kind"], "Pod");
    assert_eq!(pod["status"]["containerStatuses"][0]["restartCount"], 7);
    let (s, node) = get(&kg, "/api/k8s/default/nodes/node-b").await;
    assert_eq!(
        (s, node["spec"]["taints"][0]["key"].clone()),
        (200, json!("dedicated"))
    );
    let (s, ns) = get(&kg, "/api/k8s/default/namespaces/shop").await;
    assert_eq!((s, ns["kind"].clone()), (200, json!("Namespace")));
    let (_, deployments) = get(&kg, "/api/k8s/default/namespaces/shop/deployments").await;
    assert_eq!(names(&deployments), ["api", "web", "worker"]);
    let (_, warnings) = get(&kg, "/api/k8s/default/events?fieldSelector=type%3DWarning").await;
    assert_eq!(names(&warnings).len(), 3);
    let (s, missing) = get(&kg, "/api/k8s/default/namespaces/shop/pods/nope").await;
    assert_eq!(s, 404);
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("pods \"nope\" not found"),
        "{missing}"
    );

    // ConfigMaps: metadata only, also the copy kubectl keeps in an annotation.
    let (_, cms) = get(&kg, "/api/k8s/default/namespaces/shop/configmaps").await;
    let cm = &cms["items"][0];
    assert_eq!(cm["metadata"]["name"], "api-config");
    assert!(
        cm.get("data").is_none() && cm.get("binaryData").is_none(),
        "{cm}"
    );
    assert!(cm["metadata"]["annotations"]
        .get("kubectl.kubernetes.io/last-applied-configuration")
        .is_none());
    let (_, cm) = get(
        &kg,
        "/api/k8s/default/namespaces/shop/configmaps/api-config",
    )
    .await;
    assert!(cm.get("data").is_none(), "{cm}");
    assert!(server.get("configmaps", "shop", "api-config").unwrap()["data"].is_object());

    // The selectors reached the API server as given.
    assert_eq!(
        server.count(|r| r.path == "/api/v1/namespaces/shop/pods"
            && r.param("labelSelector").as_deref() == Some("app=web")),
        1
    );
    // Unknown cluster.
    let (s, e) = get(&kg, "/api/k8s/prod/pods").await;
    assert_eq!(s, 404);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no Kubernetes cluster named \"prod\""),
        "{e}"
    );
}

#[tokio::test]
async fn refusals_never_reach_the_api_server() {
    let (server, kg) = start("k8s_refusals");
    let client = http();
    for path in [
        "/api/k8s/default/secrets",
        "/api/k8s/default/namespaces/shop/secrets",
        "/api/k8s/default/namespaces/shop/secrets/db-password",
        "/api/k8s/default/clusterroles",
        "/api/k8s/default/namespaces/shop/serviceaccounts/default",
        "/api/k8s/default/watch?kind=secrets",
        "/api/k8s/default/watch?kind=secrets&namespace=shop",
    ] {
        let r = client.get(kg.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        let body: Value = r.json().await.unwrap();
        let message = body["message"].as_str().unwrap();
        let kind = if path.contains("secrets") {
            "secrets"
        } else if path.contains("clusterroles") {
            "clusterroles"
        } else {
            "serviceaccounts"
        };
        assert!(
            message.contains(&format!("kind \"{kind}\" is not readable")),
            "{path}: {message}"
        );
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for path in [
            "/api/k8s/default/pods",
            "/api/k8s/default/namespaces/shop/pods",
            "/api/k8s/default/namespaces/shop/pods/db-0",
            "/api/k8s/default/namespaces/shop/pods/db-0/log",
            "/api/k8s/default/nodes/node-a",
            "/api/k8s/default/namespaces/shop/pods/db-0/exec",
            "/api/k8s/default/watch",
        ] {
            let r = client
                .request(method.parse().unwrap(), kg.url(path))
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{method} {path}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(
                body["message"],
                format!("kubeglass only reads from Kubernetes: {method} is refused"),
                "{method} {path}"
            );
        }
    }
    for (path, why) in [
        (
            "/api/k8s/default/pods?watch=true",
            "\"watch\" is not supported",
        ),
        ("/api/k8s/default/pods?limit=0", "from 1 to 5000"),
        (
            "/api/k8s/default/namespaces/Shop/pods",
            "is not a valid Kubernetes name",
        ),
        (
            "/api/k8s/default/namespaces/shop/nodes",
            "nodes are not namespaced",
        ),
        (
            "/api/k8s/default/namespaces/shop/pods/db-0?resourceVersion=1",
            "no query parameters",
        ),
        (
            "/api/k8s/default/namespaces/shop/pods/db-0/log?limitBytes=1",
            "\"limitBytes\" is not supported",
        ),
        (
            "/api/k8s/default/watch?kind=pods&namespace=a%2Fb",
            "is not a valid Kubernetes name",
        ),
        (
            "/api/k8s/default/watch?kind=pods",
            "this endpoint is a WebSocket",
        ),
    ] {
        let r = client.get(kg.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains(why),
            "{path}: {body}"
        );
    }
    // A refused WebSocket is refused before the upgrade.
    let r = tokio_tungstenite::connect_async(format!(
        "ws://{}/api/k8s/default/watch?kind=secrets",
        kg.addr
    ))
    .await;
    match r {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    // None of it reached the API server.
    let requests = server.requests();
    assert!(
        requests.is_empty(),
        "these reached the API server: {requests:?}"
    );
    // While reads do.
    let (s, _) = get(&kg, "/api/k8s/default/namespaces/shop/pods").await;
    assert_eq!(s, 200);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        server.count(|r| r.path.contains("secrets") || r.method != "GET"),
        0
    );
}

#[tokio::test]
async fn no_cluster_and_unreachable_cluster() {
    let dir = test_dir("k8s_unreachable");
    let port = xtask::stack::free_port();
    let kg = Kubeglass::start(&dir, &["--k8s-url", &format!("http://127.0.0.1:{port}")]);
    let (s, e) = get(&kg, "/api/k8s/default/pods").await;
    assert_eq!(s, 502, "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "cluster default (http://127.0.0.1:{port}) is unreachable"
        )),
        "{message}"
    );
    // A watch says so too, and keeps trying.
    let mut ws = open(&kg, "kind=pods").await;
    match next_watch(&mut ws).await {
        WatchMessage::Error { message } => {
            assert!(message.contains("watching pods failed"), "{message}")
        }
        other => panic!("expected an error, got {other:?}"),
    }
    drop(kg);

    let home_config =
        std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".kube/config"));
    if std::env::var_os("KUBECONFIG").is_some()
        || std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
        || home_config.is_some_and(|p| p.is_file())
    {
        println!(
            "not checking the unconfigured case: this machine has a kubeconfig or is in a cluster"
        );
        return;
    }
    let kg = Kubeglass::start(&test_dir("k8s_none"), &[]);
    for path in [
        "/api/k8s/clusters",
        "/api/k8s/default/pods",
        "/api/k8s/default/namespaces/shop/pods/x/log",
    ] {
        let (s, e) = get(&kg, path).await;
        assert_eq!(s, 404, "{path}");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .starts_with("no Kubernetes cluster is configured"),
            "{path}: {e}"
        );
    }
}

#[tokio::test]
async fn watch_snapshot_then_deltas() {
    let (server, kg) = start("k8s_watch");
    let mut ws = open(&kg, "kind=pods&namespace=shop").await;
    let first = next_watch(&mut ws).await;
    assert_eq!(
        snapshot_names(&first),
        [
            "api-6f8d7c9b5-lmn3q",
            "db-0",
            "web-7c5d8f6b9-2xk4p",
            "web-7c5d8f6b9-9qm7z",
            "worker-5b9f7d6c4-zt8wq"
        ]
        .map(String::from)
        .into()
    );
    let WatchMessage::Snapshot {
        resynced,
        items,
        resource_version,
        incomplete: None,
    } = &first
    else {
        unreachable!()
    };
    assert!(!resynced);
    assert!(items
        .iter()
        .all(|o| o["kind"] == "Pod" && o["apiVersion"] == "v1"));
    assert!(!resource_version.is_empty());

    let t = Instant::now();
    server.create(new_pod(&server, "web-7c5d8f6b9-zz9zz"));
    match next_watch(&mut ws).await {
        WatchMessage::Added { object } => {
            assert_eq!(object["metadata"]["name"], "web-7c5d8f6b9-zz9zz")
        }
        other => panic!("expected ADDED, got {other:?}"),
    }
    println!("a change reached the WebSocket in {:?}", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    server.set_pod_phase("shop", "web-7c5d8f6b9-zz9zz", "Failed");
    match next_watch(&mut ws).await {
        WatchMessage::Modified { object } => assert_eq!(object["status"]["phase"], "Failed"),
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    // Another namespace's change is not this watch's business.
    server.set_pod_phase("default", "busybox", "Failed");
    server
        .delete("pods", "shop", "web-7c5d8f6b9-zz9zz")
        .unwrap();
    match next_watch(&mut ws).await {
        WatchMessage::Deleted { object } => {
            assert_eq!(object["metadata"]["name"], "web-7c5d8f6b9-zz9zz")
        }
        other => panic!("expected DELETED, got {other:?}"),
    }
    // Cluster-scoped kinds and all namespaces.
    let mut nodes = open(&kg, "kind=nodes").await;
    assert_eq!(
        snapshot_names(&next_watch(&mut nodes).await),
        ["node-a", "node-b"].map(String::from).into()
    );
    let mut all = open(&kg, "kind=pods").await;
    assert_eq!(snapshot_names(&next_watch(&mut all).await).len(), 11);
    // ConfigMaps are watched without their data.
    let mut cms = open(&kg, "kind=configmaps&namespace=shop").await;
    match next_watch(&mut cms).await {
        WatchMessage::Snapshot { items, .. } => {
            assert_eq!(items.len(), 1);
            assert!(items[0].get("data").is_none(), "{}", items[0]);
        }
        other => panic!("{other:?}"),
    }
    server.update("configmaps", "shop", "api-config", |c| {
        c["data"]["NEW"] = json!("secret-ish")
    });
    match next_watch(&mut cms).await {
        WatchMessage::Modified { object } => assert!(object.get("data").is_none(), "{object}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn relist_after_410_and_after_the_api_server_restarts() {
    let (server, kg) = start("k8s_relist");
    server.set_bookmark_interval(Duration::from_millis(200));
    let mut ws = open(&kg, "kind=pods&namespace=shop").await;
    assert_eq!(snapshot_names(&next_watch(&mut ws).await).len(), 5);
    let lists = || server.count(|r| r.path == "/api/v1/namespaces/shop/pods" && !r.is_watch());
    assert_eq!(lists(), 1);

    // 410 Gone: the upstream relists, the client gets a resynced snapshot with the change.
    server.expire();
    server.delete("pods", "shop", "db-0").unwrap();
    let m = next_watch(&mut ws).await;
    let names = snapshot_names(&m);
    assert!(
        matches!(m, WatchMessage::Snapshot { resynced: true, .. }),
        "{m:?}"
    );
    // The delete may land before or after the relist; either way the client ends up without it.
    if names.contains("db-0") {
        assert!(matches!(
            next_watch(&mut ws).await,
            WatchMessage::Deleted { .. }
        ));
    }
    assert_eq!(lists(), 2);

    // The API server goes away: the client is told, while it lasts.
    server.stop();
    match next_watch(&mut ws).await {
        WatchMessage::Error { message } => {
            assert!(
                message.starts_with("cluster default: watching pods failed"),
                "{message}"
            )
        }
        other => panic!("expected an error, got {other:?}"),
    }
    // Changes while it is away; then it is back on the same port.
    server
        .delete("pods", "shop", "worker-5b9f7d6c4-zt8wq")
        .unwrap();
    let t = Instant::now();
    server.restart();
    loop {
        match next_watch(&mut ws).await {
            WatchMessage::Error { .. } => continue,
            m @ WatchMessage::Snapshot { resynced: true, .. } => {
                assert_eq!(
                    snapshot_names(&m),
                    [
                        "api-6f8d7c9b5-lmn3q",
                        "web-7c5d8f6b9-2xk4p",
                        "web-7c5d8f6b9-9qm7z"
                    ]
                    .map(String::from)
                    .into()
                );
                break;
            }
            other => panic!("expected a resynced snapshot, got {other:?}"),
        }
    }
    println!("resynced {:?} after the API server came back", t.elapsed());
    // And it watches again.
    server.create(new_pod(&server, "web-7c5d8f6b9-back1"));
    match next_watch(&mut ws).await {
        WatchMessage::Added { object } => {
            assert_eq!(object["metadata"]["name"], "web-7c5d8f6b9-back1")
        }
        other => panic!("{other:?}"),
    }
}

/// Waits until the API server has seen a watch on `path`: the upstream watch starts right
/// after the list that made the first snapshot.
async fn watching(server: &K8sServer, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.watch_requests(path) == 0 {
        assert!(
            Instant::now() < deadline,
            "no watch on {path}: {:?}",
            server.requests()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn many_clients_share_one_upstream_watch() {
    let (server, kg) = start("k8s_shared");
    let mut clients = Vec::new();
    for _ in 0..25 {
        let mut ws = open(&kg, "kind=pods&namespace=shop").await;
        assert_eq!(snapshot_names(&next_watch(&mut ws).await).len(), 5);
        clients.push(ws);
    }
    let path = "/api/v1/namespaces/shop/pods";
    watching(&server, path).await;
    assert_eq!(server.watch_requests(path), 1, "{:?}", server.requests());
    assert_eq!(server.count(|r| r.path == path && !r.is_watch()), 1);
    server.create(new_pod(&server, "web-7c5d8f6b9-many1"));
    for ws in &mut clients {
        match next_watch(ws).await {
            WatchMessage::Added { object } => {
                assert_eq!(object["metadata"]["name"], "web-7c5d8f6b9-many1")
            }
            other => panic!("{other:?}"),
        }
    }
    // Another namespace is another upstream watch.
    let mut other = open(&kg, "kind=pods&namespace=batch").await;
    assert_eq!(snapshot_names(&next_watch(&mut other).await).len(), 2);
    watching(&server, "/api/v1/namespaces/batch/pods").await;
    assert_eq!(server.watch_requests("/api/v1/namespaces/batch/pods"), 1);
    assert_eq!(server.active_watches(), 2);
    // When the last client of a watch leaves, the upstream watch stops.
    for ws in clients {
        drop(ws);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.active_watches() != 1 {
        assert!(
            Instant::now() < deadline,
            "{} upstream watches still open",
            server.active_watches()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A client arriving later starts a fresh one.
    let mut again = open(&kg, "kind=pods&namespace=shop").await;
    assert_eq!(snapshot_names(&next_watch(&mut again).await).len(), 6);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.watch_requests(path) < 2 {
        assert!(Instant::now() < deadline, "no second watch on {path}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.watch_requests(path), 2);
}

// Two worker threads: the fast client reads while the test writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_cut_off() {
    let (server, kg) = start("k8s_slow");
    let mut slow = open(&kg, "kind=pods&namespace=shop").await;
    let mut fast = open(&kg, "kind=pods&namespace=shop").await;
    assert_eq!(snapshot_names(&next_watch(&mut slow).await).len(), 5);
    assert_eq!(snapshot_names(&next_watch(&mut fast).await).len(), 5);
    let changes = 3000;
    // The fast client reads all along.
    let reader = tokio::spawn(async move {
        let mut got = 0;
        while got < changes {
            match next_watch(&mut fast).await {
                WatchMessage::Modified { .. } => got += 1,
                other => panic!("{other:?}"),
            }
        }
        got
    });
    let padding = "x".repeat(10_000);
    let t = Instant::now();
    for i in 0..changes {
        server.update("pods", "shop", "db-0", |p| {
            p["metadata"]["annotations"] =
                json!({"kubeglass.test/padding": padding, "i": i.to_string()});
        });
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let got = tokio::time::timeout(Duration::from_secs(120), reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, changes);
    println!(
        "{changes} changes of 10 KB reached the fast client in {:?}",
        t.elapsed()
    );
    // Only now does the slow client read: what was queued, then the close with its reason.
    let mut events = 0;
    let (code, reason) = loop {
        match next::<WatchMessage>(&mut slow).await {
            Ok(_) => events += 1,
            Err(close) => break close,
        }
    };
    assert_eq!(code, 1008, "{reason}");
    assert!(reason.contains("client too slow"), "{reason}");
    assert!(
        events < changes,
        "the slow client got {events} events before the close"
    );
    println!("the slow client got {events} events, then: {reason}");
}

async fn log_ws(kg: &Kubeglass, pod: &str, query: &str) -> Ws {
    let url = format!(
        "ws://{}/api/k8s/default/namespaces/{pod}/log?{query}",
        kg.addr
    );
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// Every line until END (or the close).
async fn read_log(ws: &mut Ws) -> (Vec<LogLine>, bool) {
    let mut lines = Vec::new();
    loop {
        match next::<LogMessage>(ws).await {
            Ok(LogMessage::Lines { lines: l }) => lines.extend(l),
            Ok(LogMessage::End) => return (lines, true),
            Ok(LogMessage::Error { message }) => panic!("{message}"),
            Err(_) => return (lines, false),
        }
    }
}

#[tokio::test]
async fn pod_logs() {
    let (server, kg) = start("k8s_logs");
    let mut ws = log_ws(&kg, "shop/pods/web-7c5d8f6b9-2xk4p", "").await;
    let (lines, ended) = read_log(&mut ws).await;
    assert!(ended);
    assert_eq!(lines.len(), 4);
    assert!(lines[3].text.contains("GET /cart"), "{lines:?}");

    let mut ws = log_ws(
        &kg,
        "shop/pods/web-7c5d8f6b9-2xk4p",
        "tailLines=2&timestamps=true",
    )
    .await;
    let (lines, _) = read_log(&mut ws).await;
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].text.len() > 31
            && lines[0].text.as_bytes()[4] == b'-'
            && lines[0].text.contains("Z 10.244.1.1"),
        "{lines:?}"
    );
    let mut ws = log_ws(&kg, "shop/pods/web-7c5d8f6b9-2xk4p", "sinceSeconds=300").await;
    assert_eq!(read_log(&mut ws).await.0.len(), 1);

    // The previous instance of the crash-looping container, with its 100 kB line cut.
    let mut ws = log_ws(&kg, "shop/pods/api-6f8d7c9b5-lmn3q", "previous=true").await;
    let (lines, _) = read_log(&mut ws).await;
    assert_eq!(lines.len(), 4);
    assert!(lines[2].truncated);
    assert_eq!(lines[2].text.len(), 16 << 10);
    assert!(lines[3].text.starts_with("panic:"), "{lines:?}");
    assert!(!lines[3].truncated);
    // The plain GET marks the cut in the text.
    let text = http()
        .get(kg.url("/api/k8s/default/namespaces/shop/pods/api-6f8d7c9b5-lmn3q/log?previous=true"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(" [line cut at 16384 bytes]\npanic:"),
        "{}",
        &text[text.len() - 200..]
    );

    // Two containers: the API server wants one named, and kubeglass passes that on.
    let (s, e) = get(&kg, "/api/k8s/default/namespaces/default/pods/busybox/log").await;
    assert_eq!(s, 400);
    assert!(
        e["message"].as_str().unwrap().contains(
            "a container name must be specified for pod busybox, choose one of: [main sidecar]"
        ),
        "{e}"
    );
    let mut ws = log_ws(&kg, "default/pods/busybox", "").await;
    match next::<LogMessage>(&mut ws).await {
        Ok(LogMessage::Error { message }) => assert!(
            message.contains("a container name must be specified"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    let mut ws = log_ws(&kg, "default/pods/busybox", "container=sidecar").await;
    assert_eq!(read_log(&mut ws).await.0[0].text, "sidecar: watching /data");

    // Following: new lines arrive as they are written.
    let mut ws = log_ws(&kg, "default/pods/busybox", "container=main&follow=true").await;
    match next::<LogMessage>(&mut ws).await {
        Ok(LogMessage::Lines { lines }) => assert_eq!(lines.len(), 2),
        other => panic!("{other:?}"),
    }
    let t = Instant::now();
    server.append_log("default", "busybox", "main", "main: a new line");
    match next::<LogMessage>(&mut ws).await {
        Ok(LogMessage::Lines { lines }) => assert_eq!(lines[0].text, "main: a new line"),
        other => panic!("{other:?}"),
    }
    println!("a followed log line arrived in {:?}", t.elapsed());
    // The pod goes away: the log ends.
    server.delete("pods", "default", "busybox").unwrap();
    server.append_log("default", "busybox", "main", "main: the last line");
    let (lines, ended) = read_log(&mut ws).await;
    assert!(ended, "{lines:?}");
    let (s, _) = get(
        &kg,
        "/api/k8s/default/namespaces/default/pods/busybox/log?container=main",
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn clusters_from_a_kubeconfig_and_the_config_file() {
    let a = K8sServer::start();
    let b = K8sServer::start();
    b.delete("pods", "shop", "db-0").unwrap();
    let dir = test_dir("k8s_clusters");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: {}\n- name: other\n  cluster:\n    server: http://127.0.0.1:1\ncontexts:\n- name: ctx-a\n  context:\n    cluster: a\n    user: nobody\n- name: ctx-other\n  context:\n    cluster: other\n    user: nobody\nusers:\n- name: nobody\n  user: {{}}\ncurrent-context: ctx-other\n",
            a.url()
        ),
    )
    .unwrap();
    let config = dir.join("kubeglass.toml");
    std::fs::write(
        &config,
        format!("[[kubernetes]]\nname = \"lab\"\nurl = \"{}\"\n", b.url()),
    )
    .unwrap();
    let kg = Kubeglass::start(
        &dir,
        &[
            "--config",
            config.to_str().unwrap(),
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--context",
            "ctx-a",
        ],
    );
    let (_, clusters) = get(&kg, "/api/k8s/clusters").await;
    assert_eq!(clusters, json!([{"name": "default"}, {"name": "lab"}]));
    let (s, pods) = get(&kg, "/api/k8s/default/namespaces/shop/pods").await;
    assert_eq!(s, 200, "{pods}");
    assert_eq!(names(&pods).len(), 5);
    let (s, pods) = get(&kg, "/api/k8s/lab/namespaces/shop/pods").await;
    assert_eq!(s, 200, "{pods}");
    assert_eq!(names(&pods).len(), 4);
    assert_eq!(a.count(|r| r.path == "/api/v1/namespaces/shop/pods"), 1);
    assert_eq!(b.count(|r| r.path == "/api/v1/namespaces/shop/pods"), 1);
    // A context the kubeconfig does not have stops the start with a message naming it.
    let out = std::process::Command::new(kubeglass_e2e::kubeglass_bin())
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data2"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["--context", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "--context nope: no such context in the kubeconfig (it has: ctx-a, ctx-other)"
        ),
        "{stderr}"
    );
}
