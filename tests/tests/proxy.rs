//! The Prometheus proxy against a real Prometheus holding known, backfilled samples.

use kubeglass_e2e::{http, test_dir, Kubeglass, Stack, StackOptions};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// Samples written into Prometheus before it starts: `kubeglass_test_value` is `i` for
/// instance `a` and `2i` for instance `b` at `base + 60 i` seconds, for i in 0..=60.
fn backfill(base: i64) -> String {
    let mut text = String::from("# HELP kubeglass_test_value A value known to the tests.\n# TYPE kubeglass_test_value gauge\n");
    for (instance, factor) in [("a", 1), ("b", 2)] {
        for i in 0..=60 {
            text.push_str(&format!(
                "kubeglass_test_value{{instance=\"{instance}\",job=\"backfill\"}} {} {}\n",
                i * factor,
                base + 60 * i
            ));
        }
    }
    text.push_str("# EOF\n");
    text
}

struct Env {
    _stack: Stack,
    kg: Kubeglass,
    /// Start of the backfilled hour, in seconds.
    base: i64,
    api: String,
}

fn start(name: &str, extra: &[&str]) -> Env {
    let dir = test_dir(name);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let base = now / 3600 * 3600 - 3 * 3600;
    let stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        backfill: Some(backfill(base)),
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let mut args = vec!["--prometheus", stack.prometheus_url.as_str()];
    args.extend_from_slice(extra);
    let kg = Kubeglass::start(&dir, &args);
    let api = kg.url("/api/datasources/prometheus/prometheus/api/v1");
    Env {
        _stack: stack,
        kg,
        base,
        api,
    }
}

async fn get_json(url: &str) -> (u16, Value) {
    let r = http().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}")),
    )
}

#[tokio::test]
async fn query_range_returns_the_backfilled_samples_exactly() {
    let env = start("proxy-query-range", &[]);
    let (start, end) = (env.base, env.base + 600);
    let expected: Vec<Value> = (0..=10)
        .map(|i| json!([start + 60 * i, i.to_string()]))
        .collect();

    let (status, body) = get_json(&format!("{}/query_range?query=kubeglass_test_value%7Binstance%3D%22a%22%7D&start={start}&end={end}&step=60", env.api)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["resultType"], "matrix");
    assert_eq!(
        body["data"]["result"][0]["metric"],
        json!({"__name__": "kubeglass_test_value", "instance": "a", "job": "backfill"})
    );
    assert_eq!(
        body["data"]["result"][0]["values"],
        Value::Array(expected.clone())
    );

    // The same query as a form POST, as the UI sends it.
    let form = [
        (
            "query",
            "kubeglass_test_value{instance=\"b\"} / 2".to_string(),
        ),
        ("start", start.to_string()),
        ("end", end.to_string()),
        ("step", "60".into()),
    ];
    let r = http()
        .post(format!("{}/query_range", env.api))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["result"][0]["values"], Value::Array(expected));

    // An instant query at a known time.
    let (_, body) = get_json(&format!(
        "{}/query?query=sum(kubeglass_test_value)&time={}",
        env.api,
        env.base + 60 * 7
    ))
    .await;
    assert_eq!(
        body["data"]["result"][0]["value"],
        json!([env.base + 420, "21"])
    );
}

#[tokio::test]
async fn metadata_endpoints_pass() {
    let env = start("proxy-metadata", &[]);
    let (s, body) = get_json(&format!(
        "{}/label/instance/values?match[]=kubeglass_test_value&start={}&end={}",
        env.api,
        env.base,
        env.base + 3600
    ))
    .await;
    assert_eq!((s, &body["data"]), (200, &json!(["a", "b"])));
    let (s, body) = get_json(&format!(
        "{}/labels?match[]=kubeglass_test_value&start={}&end={}",
        env.api,
        env.base,
        env.base + 3600
    ))
    .await;
    assert_eq!(
        (s, &body["data"]),
        (200, &json!(["__name__", "instance", "job"]))
    );
    let (s, body) = get_json(&format!(
        "{}/series?match[]=kubeglass_test_value%7Binstance%3D%22b%22%7D&start={}&end={}",
        env.api,
        env.base,
        env.base + 3600
    ))
    .await;
    assert_eq!(
        (s, &body["data"]),
        (
            200,
            &json!([{"__name__": "kubeglass_test_value", "instance": "b", "job": "backfill"}])
        )
    );
    let (s, body) = get_json(&format!("{}/status/buildinfo", env.api)).await;
    assert_eq!(s, 200);
    assert!(
        body["data"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("2.")),
        "{body}"
    );
    let (s, body) = get_json(&format!("{}/metadata?metric=kubeglass_test_value", env.api)).await;
    assert_eq!(s, 200, "{body}");
    let (s, _) = get_json(&format!(
        "{}/query_exemplars?query=kubeglass_test_value&start={}&end={}",
        env.api,
        env.base,
        env.base + 60
    ))
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn everything_but_reads_is_refused() {
    let env = start("proxy-refused", &[]);
    let client = http();
    for path in [
        "admin/tsdb/delete_series?match[]=up",
        "admin/tsdb/snapshot",
        "admin/tsdb/clean_tombstones",
        "write",
        "targets",
        "status/config",
        "status/flags",
        "rules",
        "alerts",
        "query/%2e%2e/admin/tsdb/snapshot",
        "label/a%20b/values",
        "label/%2e%2e/values",
    ] {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let r = client
                .request(method.clone(), format!("{}/{path}", env.api))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{method} {path}");
            let body: Value = r.json().await.unwrap();
            let message = body["message"].as_str().unwrap();
            assert!(
                message.contains("is not a read endpoint the proxy allows"),
                "{path}: {message}"
            );
        }
    }
    // The snapshot endpoint really was never reached: Prometheus made no snapshot.
    assert!(!env.kg.dir.join("stack/prometheus/snapshots").exists());

    let (s, body) = get_json(
        &env.kg
            .url("/api/datasources/nope/prometheus/api/v1/query?query=up"),
    )
    .await;
    assert_eq!(
        (s, body["message"].as_str().unwrap()),
        (404, "data source `nope` is not configured")
    );
    let r = client
        .post(format!("{}/query", env.api))
        .header("content-type", "application/json")
        .body("{\"query\":\"up\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = client
        .delete(format!("{}/query?query=up", env.api))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn prometheus_errors_pass_through_unchanged() {
    let env = start("proxy-errors", &[]);
    let (s, body) = get_json(&format!("{}/query?query=sum(", env.api)).await;
    assert_eq!(s, 400);
    assert_eq!(body["status"], "error");
    assert_eq!(body["errorType"], "bad_data");
    assert!(
        body["error"].as_str().unwrap().contains("parse error"),
        "{body}"
    );
    let (s, body) = get_json(&format!(
        "{}/query_range?query=up&start=10&end=1&step=1",
        env.api
    ))
    .await;
    assert_eq!((s, body["errorType"].as_str()), (400, Some("bad_data")));
}

#[tokio::test]
async fn oversized_answers_are_cut_off_with_a_message() {
    let env = start("proxy-limit", &["--max-response-bytes", "200"]);
    let (s, body) = get_json(&format!(
        "{}/query_range?query=kubeglass_test_value&start={}&end={}&step=60",
        env.api,
        env.base,
        env.base + 3600
    ))
    .await;
    assert_eq!(s, 502);
    assert_eq!(body["message"], "data source `prometheus` answered with more than 200 bytes (--max-response-bytes); narrow the query or the time range");
    let (s, _) = get_json(&format!("{}/query?query=1", env.api)).await;
    assert_eq!(s, 200, "small answers still pass");
}

#[tokio::test]
async fn upstream_down_or_silent_is_named() {
    let dir = test_dir("proxy-down");
    // Nothing listens on `closed`; `silent` accepts connections and never answers.
    let closed = xtask::stack::free_port();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let datasources = dir.join("datasources.yaml");
    std::fs::write(&datasources, format!("apiVersion: 1\ndatasources:\n  - name: Down\n    uid: down\n    type: prometheus\n    url: http://127.0.0.1:{closed}\n  - name: Silent\n    uid: silent\n    type: prometheus\n    url: http://127.0.0.1:{silent_port}\n")).unwrap();
    let kg = Kubeglass::start(
        &dir,
        &[
            "--datasources",
            datasources.to_str().unwrap(),
            "--upstream-timeout",
            "1",
        ],
    );

    let (s, body) =
        get_json(&kg.url("/api/datasources/down/prometheus/api/v1/query?query=up")).await;
    assert_eq!(s, 502);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("data source `down` is unreachable: "),
        "{body}"
    );
    let (s, body) =
        get_json(&kg.url("/api/datasources/silent/prometheus/api/v1/query?query=up")).await;
    assert_eq!(
        (s, body["message"].as_str().unwrap()),
        (504, "data source `silent` did not answer within 1s")
    );

    let (s, body) = get_json(&kg.url("/readyz")).await;
    assert_eq!(s, 503);
    assert_eq!(body["datasources"]["down"], "unreachable");
    assert_eq!(body["datasources"]["silent"], "no answer within 2s");
    let (s, body) = get_json(&kg.url("/api/datasources")).await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!([
            {"uid": "down", "name": "Down", "type": "prometheus", "isDefault": true, "timeInterval": "15s"},
            {"uid": "silent", "name": "Silent", "type": "prometheus", "isDefault": false, "timeInterval": "15s"}
        ])
    );
    drop(silent);
}

#[tokio::test]
async fn readyz_and_metrics_report_on_a_healthy_stack() {
    let env = start("proxy-ready", &[]);
    let (s, body) = get_json(&env.kg.url("/readyz")).await;
    assert_eq!(
        (s, body),
        (
            200,
            json!({"ready": true, "datasources": {"prometheus": "ok"}})
        )
    );
    let (s, _) = get_json(&format!("{}/query?query=up", env.api)).await;
    assert_eq!(s, 200);
    let metrics = http()
        .get(env.kg.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("kubeglass_http_requests_total{method=\"GET\",route=\"/api/datasources/{uid}/prometheus/api/v1/{*path}\",status=\"200\"} 1"), "{metrics}");
    assert!(
        metrics.contains(
            "kubeglass_upstream_requests_total{datasource=\"prometheus\",outcome=\"ok\"} 1"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("kubeglass_http_request_duration_seconds_bucket{le="),
        "{metrics}"
    );
}
