//! The /etcd page in a real browser against Debian's real etcd: a key put with etcd-client
//! shows in the live events table within a second, and the value view shows its change.

use etcd_client::Client;
use fantoccini::Locator;
use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{test_dir, EtcdServer, Kubeglass};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Rows of the events table as (type, key, revision).
async fn rows(browser: &Browser) -> Vec<(String, String, String)> {
    let v = browser
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[data-etcd-events] tr[data-etcd-event]'))\
             .map(r => [r.getAttribute('data-etcd-event'), r.getAttribute('data-key'), r.getAttribute('data-revision')]);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn text_of(browser: &Browser, css: &str) -> String {
    let v: Value = browser
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            vec![Value::String(css.into())],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_shows_on_the_etcd_page_within_a_second() {
    let dir = test_dir("etcd_browser");
    let etcd = EtcdServer::start(&dir);
    let kg = Kubeglass::start(&dir, &["--etcd", &etcd.url]);
    let mut kv = Client::connect([etcd.url.as_str()], None)
        .await
        .unwrap()
        .kv_client();
    kv.put("/browser/existing", "{\"replicas\":1}", None)
        .await
        .unwrap();

    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/etcd?prefix=/browser/"))
        .await
        .unwrap();
    // The key tree comes from a range read; the watch is established when the page says so.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let tree = text_of(&browser, "[data-etcd-tree]").await;
        let status = text_of(&browser, "[data-etcd-status]").await;
        if tree.contains("existing") && status.starts_with("Watching from revision") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the page should list /browser/existing and be watching; tree {tree:?}, status {status:?}, error {:?}",
            text_of(&browser, "[data-etcd-error]").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(rows(&browser).await.is_empty(), "no events before the put");

    for (i, value) in ["{\"replicas\":2}", "{\"replicas\":3}"].iter().enumerate() {
        let revision = kv
            .put("/browser/existing", *value, None)
            .await
            .unwrap()
            .header()
            .unwrap()
            .revision();
        let put_done = Instant::now();
        let shown = loop {
            let r = rows(&browser).await;
            if r.len() == i + 1 {
                break r;
            }
            assert!(
                put_done.elapsed() < Duration::from_secs(1),
                "the put at revision {revision} should show within a second; rows {r:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        println!(
            "put {} shown after {} ms",
            i + 1,
            put_done.elapsed().as_millis()
        );
        assert_eq!(
            shown[0],
            (
                "PUT".to_owned(),
                "/browser/existing".to_owned(),
                revision.to_string()
            ),
            "newest first"
        );
    }

    // Choosing the event shows the value and its change from the previous one.
    browser
        .client
        .find(Locator::Css("[data-etcd-events] tr[data-etcd-event]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let diff = text_of(&browser, ".kg-etcd-diff").await;
        if diff.contains("-   \"replicas\": 2") && diff.contains("+   \"replicas\": 3") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the diff should show 2 -> 3: {diff:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let count = text_of(&browser, "[data-etcd-count]").await;
    assert_eq!(count, "2 events");
    // The rate counts the last 5 s: two events make 0.4/s until they age out.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let rate = text_of(&browser, ".kg-etcd-rate").await;
        if rate == "0.4/s" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the rate should show 0.4/s: {rate:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Paused, the table stands still while the count goes on; resuming shows what came.
    let click = |css: &'static str| {
        let client = browser.client.clone();
        async move {
            client
                .find(Locator::Css(css))
                .await
                .unwrap()
                .click()
                .await
                .unwrap()
        }
    };
    click("[data-etcd-pause]").await;
    kv.put("/browser/paused", "p", None).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while text_of(&browser, "[data-etcd-count]").await != "3 events" {
        assert!(Instant::now() < deadline, "the count goes on while paused");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rows(&browser).await.len(), 2, "no new row while paused");
    assert_eq!(text_of(&browser, "[data-etcd-pause]").await, "Resume");
    click("[data-etcd-pause]").await;
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let r = rows(&browser).await;
        if r.len() == 3 {
            assert_eq!(r[0].1, "/browser/paused");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "resuming shows the paused event: {r:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The key filter hides rows of other keys.
    kv.put("/browser/other", "x", None).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while rows(&browser).await.len() < 4 {
        assert!(Instant::now() < deadline, "the third put shows");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser
        .client
        .find(Locator::Css("[data-etcd-filter]"))
        .await
        .unwrap()
        .send_keys("other")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let r = rows(&browser).await;
        if r.len() == 1 && r[0].1 == "/browser/other" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the filter leaves only /browser/other: {r:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser
        .screenshot(&xtask::target_dir().join("screenshots/etcd.png"))
        .await;
    browser.close().await;
}

/// A new user opening `/etcd` with no prefix sees an invitation to choose one, not a refusal;
/// with an allow list, the page starts from its first allowed prefix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_visit_starts_without_an_error() {
    let dir = test_dir("etcd_browser_first");
    let etcd = EtcdServer::start(&dir);
    let mut kv = Client::connect([etcd.url.as_str()], None)
        .await
        .unwrap()
        .kv_client();
    kv.put("/app/config", "v", None).await.unwrap();
    let browser = Browser::start(&dir).await;
    let errors = |browser: &Browser| {
        let client = browser.client.clone();
        async move {
            let v: Value = client
                .execute(
                    "return Array.from(document.querySelectorAll('.kg-error')).map(e => e.innerText).join(' | ');",
                    vec![],
                )
                .await
                .unwrap();
            v.as_str().unwrap_or_default().to_owned()
        }
    };
    let kg = Kubeglass::start(&test_dir("etcd_browser_first_open"), &["--etcd", &etcd.url]);
    browser.client.goto(&kg.url("/etcd")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = text_of(&browser, "[data-etcd-status]").await;
        if status.starts_with("Choose a prefix") {
            break;
        }
        assert!(Instant::now() < deadline, "status {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a refused read the time it would take to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(errors(&browser).await, "", "no error on a first visit");
    drop(kg);

    let kg = Kubeglass::start(
        &test_dir("etcd_browser_first_allowed"),
        &["--etcd", &etcd.url, "--etcd-allow-prefix", "/app/"],
    );
    browser.client.goto(&kg.url("/etcd")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = browser.client.current_url().await.unwrap();
        let tree = text_of(&browser, "[data-etcd-tree]").await;
        let prefix = url
            .query_pairs()
            .find(|(k, _)| k == "prefix")
            .map(|(_, v)| v.into_owned());
        if prefix.as_deref() == Some("/app/") && tree.contains("config") {
            break;
        }
        assert!(Instant::now() < deadline, "at {url}, tree {tree:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(errors(&browser).await, "");
    browser.close().await;
}
