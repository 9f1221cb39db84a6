//! The import page in a real headless Chromium against the real stack: the project's test
//! dashboards and real corpus dashboards (when the corpus is beside the project) pasted into
//! the page, imported, and shown; bad input refused without storing anything; a
//! taken uid overwritten only after confirmation; export gives back the stored JSON.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{corpus, http, live_stack, project_dashboard, Kubeglass};
use kubeglass_shared::model::import::{parse_dashboard, preview};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Opens the import page and pastes `text` into its textarea (value set, then an `input`
/// event, as typing would send).
async fn paste(browser: &Browser, kg: &Kubeglass, text: &str) {
    browser
        .client
        .goto(&kg.url("/dashboard/import"))
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("textarea.kg-import-json"))
        .await
        .unwrap();
    browser
        .client
        .execute(
            "const t = document.querySelector('textarea.kg-import-json'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(text)],
        )
        .await
        .unwrap();
}

/// The visible text of the first element matching `css`, waiting up to 10 s for it.
async fn text_of(browser: &Browser, css: &str) -> String {
    let el = browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"));
    el.text().await.unwrap()
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the page is a dashboard view (`/d/...`); returns its path.
async fn wait_for_dashboard_url(browser: &Browser) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = browser.client.current_url().await.unwrap();
        if url.path().starts_with("/d/") {
            return url.path().to_string();
        }
        assert!(Instant::now() < deadline, "still at {url} after Import");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn search(kg: &Kubeglass) -> Value {
    http()
        .get(kg.url("/api/search"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn stored(kg: &Kubeglass, uid: &str) -> Value {
    http()
        .get(kg.url(&format!("/api/dashboards/uid/{uid}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// What the panels of one imported dashboard came to.
#[derive(Debug)]
struct Outcome {
    file: String,
    panels: usize,
    ok: usize,
    nodata: usize,
    /// (panel id, text) of `error` panels.
    errors: Vec<(String, String)>,
    unsupported: Vec<(String, String)>,
}

/// Imports `file` through the page (choosing `datasource` for every
/// `__inputs` data source), checks the preview against `shared`, and waits until every panel
/// of the dashboard it lands on has settled.
async fn import_file(
    browser: &Browser,
    kg: &Kubeglass,
    path: PathBuf,
    datasource: Option<&str>,
) -> Outcome {
    let file = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap()
        .to_owned();
    let file = file.as_str();
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = preview(&parse_dashboard(&text).unwrap());
    paste(browser, kg, &text).await;
    let schema = text_of(browser, ".kg-import-schema").await;
    assert_eq!(
        schema,
        format!("{} → {}", expected.version_before, expected.version_after),
        "{file}"
    );
    let panels = text_of(browser, ".kg-import-panels").await;
    assert_eq!(
        panels,
        format!(
            "{} ({} of a supported type)",
            expected.panels_total, expected.panels_supported
        ),
        "{file}"
    );
    if let Some(ds) = datasource {
        let n: Value = browser
            .client
            .execute(
                "const s = Array.from(document.querySelectorAll('.kg-import-inputs select')); s.forEach(e => { e.value = arguments[0]; e.dispatchEvent(new Event('change', {bubbles: true})); }); return s.length;",
                vec![json!(ds)],
            )
            .await
            .unwrap();
        assert!(n.as_u64().unwrap() >= 1, "{file}: no data source select");
    }
    browser
        .screenshot(&xtask::target_dir().join(format!("screenshots/import-{file}-preview.png")))
        .await;
    click(browser, ".kg-import-submit").await;
    let path = wait_for_dashboard_url(browser).await;
    let uid = path.split('/').nth(2).unwrap().to_string();
    // Every shown panel reaches a final state; the wait is long because the rfmoz dashboard
    // sends a few hundred queries on a 2-core machine.
    let states = browser
        .wait_for_panels(Duration::from_secs(120), |s| {
            s.iter().all(|(_, state, _)| state != "loading")
        })
        .await;
    browser
        .screenshot(&xtask::target_dir().join(format!("screenshots/import-{file}.png")))
        .await;
    // Stored as imported: the file's fields, with only the `${DS_...}` inputs filled in.
    let saved = stored(kg, &uid).await;
    let saved_text = saved["dashboard"].to_string();
    assert!(!saved_text.contains("${DS_"), "{file}: inputs left");
    let original: Value = serde_json::from_str(&text).unwrap();
    for key in original.as_object().unwrap().keys() {
        if key != "__inputs" && key != "id" {
            assert!(
                saved["dashboard"].get(key).is_some(),
                "{file}: `{key}` was dropped"
            );
        }
    }
    let pick = |s: &str| -> Vec<(String, String)> {
        states
            .iter()
            .filter(|(_, state, _)| state == s)
            .map(|(id, _, t)| (id.clone(), t.clone()))
            .collect()
    };
    Outcome {
        file: file.to_owned(),
        panels: states.len(),
        ok: pick("ok").len(),
        nodata: pick("nodata").len(),
        errors: pick("error"),
        unsupported: pick("unsupported"),
    }
}

#[tokio::test]
async fn import_three_corpus_dashboards_through_the_ui() {
    let (_stack, kg, dir) = live_stack("browser-import", &[]).await;
    let browser = Browser::start(&dir).await;
    let mut outcomes = Vec::new();
    // The project's own: schema 13 with legacy rows, graphs, singlestats and a hard-coded data
    // source name; an export with `__inputs` (`${DS_PROMETHEUS}`), whose data source is chosen
    // on the page; the current panel types with a joined table, a heatmap and a repeat.
    let project: [(&str, Option<&str>); 3] = [
        ("legacy-rows.json", None),
        ("exported.json", Some("prometheus")),
        ("current.json", None),
    ];
    for (file, ds) in project {
        outcomes.push(import_file(&browser, &kg, project_dashboard(file), ds).await);
    }
    if let Some(corpus) =
        corpus("import_browser::import_three_corpus_dashboards_through_the_ui (corpus files)")
    {
        // Schema 13, legacy rows, graph and singlestat, a hard-coded data source name.
        outcomes
            .push(import_file(&browser, &kg, corpus.join("etcd-op-guide-2017.json"), None).await);
        // kube-prometheus, row panels.
        outcomes.push(import_file(&browser, &kg, corpus.join("kp-nodes.json"), None).await);
        // Node Exporter Full: timeseries, stat, gauge, bargauge, rows, 125 panels.
        outcomes.push(
            import_file(
                &browser,
                &kg,
                corpus.join("rfmoz-node-exporter-full.json"),
                None,
            )
            .await,
        );
        // An export with `__inputs` (`${DS_PROMETHEUS}`): the data source is chosen on the page.
        outcomes.push(
            import_file(
                &browser,
                &kg,
                corpus.join("dotdc-k8s-system-api-server.json"),
                Some("prometheus"),
            )
            .await,
        );
    }
    for o in &outcomes {
        eprintln!(
            "{}: {} panels shown: {} ok, {} nodata, {} error, {} unsupported",
            o.file,
            o.panels,
            o.ok,
            o.nodata,
            o.errors.len(),
            o.unsupported.len()
        );
        for (id, t) in o.errors.iter().chain(&o.unsupported) {
            eprintln!("  panel {id}: {}", t.replace('\n', " | "));
        }
    }
    for o in &outcomes {
        // Only types kubeglass really cannot draw may be unsupported.
        for (id, t) in &o.unsupported {
            assert!(
                t.contains("heatmap"),
                "{}: panel {id} unsupported: {t}",
                o.file
            );
        }
        // The stack has no etcd or kube-apiserver metrics, so `nodata` is honest there; an
        // error is not.
        assert!(
            o.errors.is_empty(),
            "{}: panels in error: {:?}",
            o.file,
            o.errors
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn invalid_input_is_refused_and_a_taken_uid_asks_before_overwriting() {
    let (_stack, kg, dir) = live_stack("browser-import-errors", &[]).await;
    let browser = Browser::start(&dir).await;
    let before = search(&kg).await;

    // Not JSON: the error names line and column; nothing can be sent.
    paste(
        &browser,
        &kg,
        "{\n  \"title\": \"broken\",\n  \"panels\": [,]\n}",
    )
    .await;
    let error = text_of(&browser, ".kg-import-error").await;
    assert!(error.contains("line 3 column 14"), "{error}");
    let submit = browser
        .client
        .find(fantoccini::Locator::Css(".kg-import-submit"))
        .await
        .unwrap();
    assert_eq!(
        submit.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    browser
        .screenshot(&xtask::target_dir().join("screenshots/import-invalid-json.png"))
        .await;
    // JSON, but not a dashboard: the JSON path is named.
    paste(
        &browser,
        &kg,
        r#"{"title": "bad panel", "panels": [{"id": 1, "type": 7}]}"#,
    )
    .await;
    let error = text_of(&browser, ".kg-import-error").await;
    assert!(error.contains("dashboard.panels[0]"), "{error}");
    assert_eq!(search(&kg).await, before, "nothing was stored");

    // A new dashboard, then the same uid again: confirmation, then overwrite.
    let text = std::fs::read_to_string(project_dashboard("current.json")).unwrap();
    let uid = parse_dashboard(&text).unwrap()["uid"]
        .as_str()
        .unwrap()
        .to_string();
    // The first time through the file input, as an upload.
    browser
        .client
        .goto(&kg.url("/dashboard/import"))
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(
            // chromedriver wants a canonical path (no `..`).
            project_dashboard("current.json")
                .canonicalize()
                .unwrap()
                .to_str()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        text_of(&browser, ".kg-import-panels").await,
        "5 (5 of a supported type)"
    );
    click(&browser, ".kg-import-submit").await;
    wait_for_dashboard_url(&browser).await;
    let first = stored(&kg, &uid).await;
    let version = first["dashboard"]["version"].as_i64().unwrap();

    // Export from the title bar gives back the stored JSON. The download is caught in the
    // page: the Blob's URL is kept from being revoked and read back.
    browser
        .client
        .execute(
            "window.__exported = null; URL.revokeObjectURL = () => {}; const click = HTMLAnchorElement.prototype.click; HTMLAnchorElement.prototype.click = function () { window.__exported = [this.download, this.href]; };",
            vec![],
        )
        .await
        .unwrap();
    click(&browser, ".kg-export").await;
    let exported = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; const poll = () => { if (!window.__exported) { setTimeout(poll, 100); return; } fetch(window.__exported[1]).then(r => r.text()).then(t => done([window.__exported[0], t])); }; poll();",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(exported[0], "test-current-panels.json");
    let exported_json: Value = serde_json::from_str(exported[1].as_str().unwrap()).unwrap();
    assert_eq!(
        exported_json, first["dashboard"],
        "export is the stored JSON"
    );

    paste(&browser, &kg, &text).await;
    // A new title, to see the overwrite land.
    browser
        .client
        .execute(
            "const t = document.querySelector('input[name=title]'); t.value = 'Nodes overwritten'; t.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![],
        )
        .await
        .unwrap();
    click(&browser, ".kg-import-submit").await;
    let exists = text_of(&browser, ".kg-import-exists").await;
    assert!(
        exists.contains(&format!("A dashboard with uid {uid} exists")),
        "{exists}"
    );
    browser
        .screenshot(&xtask::target_dir().join("screenshots/import-overwrite.png"))
        .await;
    assert_eq!(
        stored(&kg, &uid).await,
        first,
        "nothing stored before confirming"
    );
    click(&browser, ".kg-import-overwrite").await;
    let path = wait_for_dashboard_url(&browser).await;
    assert_eq!(path, format!("/d/{uid}/nodes-overwritten"));
    let second = stored(&kg, &uid).await;
    assert_eq!(second["dashboard"]["title"], "Nodes overwritten");
    assert!(second["dashboard"]["version"].as_i64().unwrap() > version);
    browser.close().await;
}
