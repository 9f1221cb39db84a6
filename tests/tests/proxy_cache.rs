//! Request coalescing and the short-lived cache of the Prometheus proxy, against a real
//! Prometheus holding known, backfilled samples. Upstream requests are counted with
//! Prometheus's own `prometheus_http_requests_total{handler="/api/v1/query_range"}`.

use kubeglass_e2e::{http, test_dir, Kubeglass, Stack, StackOptions};
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `kubeglass_cache_value` is `i` at `base + 60 i` seconds, for i in 0..=60.
fn backfill(base: i64) -> String {
    let mut text = String::from("# HELP kubeglass_cache_value A value known to the tests.\n# TYPE kubeglass_cache_value gauge\n");
    for i in 0..=60 {
        text.push_str(&format!(
            "kubeglass_cache_value{{job=\"backfill\"}} {i} {}\n",
            base + 60 * i
        ));
    }
    text.push_str("# EOF\n");
    text
}

struct Env {
    stack: Stack,
    _kg: Kubeglass,
    base: i64,
    api: String,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn start(name: &str) -> Env {
    let dir = test_dir(name);
    let base = now() / 3600 * 3600 - 3 * 3600;
    let stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        backfill: Some(backfill(base)),
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    // A hundred browsers-worth of requests come from one address here: let them all in.
    let kg = Kubeglass::start(
        &dir,
        &[
            "--prometheus",
            stack.prometheus_url.as_str(),
            "--max-concurrent-queries",
            "128",
        ],
    );
    let api = kg.url("/api/datasources/prometheus/prometheus/api/v1");
    Env {
        stack,
        _kg: kg,
        base,
        api,
    }
}

/// How many `query_range` requests Prometheus has answered, by its own counter.
async fn upstream_count(env: &Env) -> u64 {
    // Prometheus counts a request once it has answered it: give the last one a moment.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = http()
        .get(format!("{}/metrics", env.stack.prometheus_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| {
            l.starts_with("prometheus_http_requests_total{")
                && l.contains("handler=\"/api/v1/query_range\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

async fn get(url: &str) -> (u16, Value) {
    let r = http().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}")),
    )
}

#[tokio::test]
async fn identical_concurrent_requests_reach_prometheus_once_with_the_same_answer() {
    let env = start("proxy-cache-coalesce");
    // A range that reaches past the present: shared while in flight and for a second after.
    let end = now() + 600;
    let params = format!(
        "query=kubeglass_cache_value*2&start={}&end={end}&step=60",
        env.base
    );
    // The answer of Prometheus itself, and of the proxy for a lone request.
    let (_, direct) = get(&format!(
        "{}/api/v1/query_range?{params}",
        env.stack.prometheus_url
    ))
    .await;
    assert_eq!(direct["status"], "success", "{direct}");
    let values = direct["data"]["result"][0]["values"].as_array().unwrap();
    // The 61 samples, then the last one for Prometheus's five minutes of lookback.
    assert_eq!(values.len(), 66, "{direct}");
    assert_eq!(values[60][1], "120");
    let (status, lone) = get(&format!("{}/query_range?{params}", env.api)).await;
    assert_eq!(status, 200);
    assert_eq!(lone, direct);

    // The lone request's answer is kept for a second: the 100 come after it is gone.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = upstream_count(&env).await;
    let url = format!("{}/query_range?{params}", env.api);
    let client = http();
    let answers = futures_util::future::join_all((0..100).map(|_| async {
        let r = client.get(&url).send().await.unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    }))
    .await;
    let upstream = upstream_count(&env).await - before;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body, &direct);
    }
    // Requests that arrive while the first is in flight, or within a second after, share it;
    // how many do depends on scheduling on a loaded machine (the bench measures the figure
    // itself). Without sharing every one of the 100 would reach Prometheus.
    assert!(
        (1..=10).contains(&upstream),
        "100 identical concurrent requests reached Prometheus {upstream} times"
    );

    // Requests that differ in any parameter are never shared (factors other than the 2 above,
    // whose answer may still be kept).
    let before = upstream_count(&env).await;
    let answers = futures_util::future::join_all((3..8).map(|i| {
        let url = format!(
            "{}/query_range?query=kubeglass_cache_value*{i}&start={}&end={end}&step=60",
            env.api, env.base
        );
        async move { get(&url).await }
    }))
    .await;
    assert_eq!(upstream_count(&env).await - before, 5);
    for (i, (_, body)) in (3..8).zip(&answers) {
        assert_eq!(
            body["data"]["result"][0]["values"][60][1],
            (60 * i).to_string(),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_cache_never_serves_an_answer_past_its_time_range() {
    let env = start("proxy-cache-ttl");
    let url = |end: i64| {
        format!(
            "{}/query_range?query=kubeglass_cache_value&start={}&end={end}&step=60",
            env.api, env.base
        )
    };

    // A range that reaches the present is kept for a second only: back to back it is fetched
    // once, a little later again.
    let recent = now();
    let before = upstream_count(&env).await;
    let (_, first) = get(&url(recent)).await;
    let (_, second) = get(&url(recent)).await;
    assert_eq!(upstream_count(&env).await - before, 1);
    assert_eq!(first, second);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = upstream_count(&env).await;
    let (_, third) = get(&url(recent)).await;
    assert_eq!(upstream_count(&env).await - before, 1);
    assert_eq!(third, first);

    // A settled past range is kept briefly for exactly the same parameters...
    let past = env.base + 1800;
    let before = upstream_count(&env).await;
    let (_, a) = get(&url(past)).await;
    let (_, b) = get(&url(past)).await;
    assert_eq!(upstream_count(&env).await - before, 1);
    assert_eq!(a, b);
    assert_eq!(
        a["data"]["result"][0]["values"].as_array().unwrap().len(),
        31
    );

    // ...never for another range: a later end gets its own, longer answer...
    let before = upstream_count(&env).await;
    let (_, later) = get(&url(past + 600)).await;
    assert_eq!(upstream_count(&env).await - before, 1);
    assert_eq!(
        later["data"]["result"][0]["values"]
            .as_array()
            .unwrap()
            .len(),
        41
    );

    // ...and not after a couple of seconds.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before = upstream_count(&env).await;
    let (_, again) = get(&url(past)).await;
    assert_eq!(upstream_count(&env).await - before, 1);
    assert_eq!(again, a);
}

#[tokio::test]
async fn posts_differing_only_in_their_url_parameters_are_not_shared() {
    let env = start("proxy-cache-post");
    // The same settled form, with the query in the URL: Prometheus reads both, so the two
    // requests ask different things and must not share a kept answer.
    let form = format!("time={}", env.base + 1800);
    let post = |query: &'static str| {
        let url = format!("{}/query?query={query}", env.api);
        let form = form.clone();
        async move {
            let r = http()
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "{url}");
            let v: Value = r.json().await.unwrap();
            v["data"]["result"][0]["value"][1]
                .as_str()
                .unwrap_or_else(|| panic!("{url}: no value in {v}"))
                .to_owned()
        }
    };
    assert_eq!(post("kubeglass_cache_value").await, "30");
    assert_eq!(post("kubeglass_cache_value*2").await, "60");
    assert_eq!(post("kubeglass_cache_value").await, "30");
}
