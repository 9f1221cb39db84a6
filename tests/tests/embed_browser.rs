//! Embedding in a real browser: a page on another origin frames a panel when its origin is
//! allowed and the browser refuses when it is not; the framed chart follows the frame's size;
//! a signed link renders its panel.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{live_stack, HostPage};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The "CPU usage by mode" time series of the shipped Node dashboard.
const PANEL: i64 = 9;

fn host_html(kg: &str, width: u32) -> String {
    format!("<!doctype html><html><body><h1>Runbook</h1><iframe id=\"f\" src=\"{kg}/d-solo/node/node?panelId={PANEL}&from=now-5m&to=now\" width=\"{width}\" height=\"300\" frameborder=\"0\"></iframe></body></html>")
}

/// The framed panel's (data-state, canvas width in device pixels, canvas CSS width), read
/// inside the frame.
async fn framed_panel(browser: &Browser) -> Option<(String, f64, f64)> {
    browser.client.enter_frame(0).await.ok()?;
    let v = browser
        .client
        .execute(
            "const p = document.querySelector('[data-panel-id]'); const c = document.querySelector('canvas');\
             return p ? [p.getAttribute('data-state'), c ? c.width : 0, c ? c.getBoundingClientRect().width * window.devicePixelRatio : 0] : null;",
            vec![],
        )
        .await;
    browser.client.enter_parent_frame().await.ok()?;
    let v: Option<(String, f64, f64)> = serde_json::from_value(v.ok()?).ok()?;
    v
}

async fn wait_framed(
    browser: &Browser,
    what: &str,
    done: impl Fn(&(String, f64, f64)) -> bool,
) -> (String, f64, f64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let state = framed_panel(browser).await;
        if let Some(s) = state.as_ref().filter(|s| done(s)) {
            return s.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the framed panel is {state:?} after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn an_allowed_origin_frames_the_panel_and_another_cannot() {
    let allowed = HostPage::start();
    let refused = HostPage::start();
    let (_stack, kg, dir) = live_stack(
        "embed-browser-frame",
        &["--allow-embedding", &allowed.origin()],
    )
    .await;
    let kg_origin = kg.url("");
    allowed.set(host_html(&kg_origin, 500));
    refused.set(host_html(&kg_origin, 500));
    let browser = Browser::start(&dir).await;

    browser.client.goto(&allowed.origin()).await.unwrap();
    let (_, before, css_before) = wait_framed(&browser, "allowed origin", |(state, width, _)| {
        state == "ok" && *width > 0.0
    })
    .await;
    assert!(
        (before - css_before).abs() <= 2.0,
        "the canvas has as many pixels as it shows: {before} vs {css_before}"
    );
    browser
        .screenshot(&xtask::target_dir().join("screenshots/embed-allowed.png"))
        .await;

    // Widen the frame: the chart redraws at the new size.
    browser
        .client
        .execute("document.getElementById('f').width = 900;", vec![])
        .await
        .unwrap();
    let (_, after, css_after) = wait_framed(&browser, "after resize", |(state, width, _)| {
        state == "ok" && *width > before + 300.0
    })
    .await;
    assert!(
        (after - css_after).abs() <= 2.0,
        "after resize the canvas has as many pixels as it shows: {after} vs {css_after}"
    );

    // Another origin: the browser refuses to render kubeglass in the frame.
    browser.client.goto(&refused.origin()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let framed = framed_panel(&browser).await;
    assert_eq!(
        framed, None,
        "a page of a non-allowed origin must not show the panel"
    );
    let heading: Value = browser
        .client
        .execute("return document.querySelector('h1').textContent;", vec![])
        .await
        .unwrap();
    assert_eq!(heading, "Runbook", "the host page itself loaded");
    browser
        .screenshot(&xtask::target_dir().join("screenshots/embed-refused.png"))
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_signed_link_renders_its_panel() {
    let (_stack, kg, dir) = live_stack("embed-browser-signed", &[]).await;
    let out = std::process::Command::new(kubeglass_e2e::kubeglass_bin())
        .args([
            "embed-link",
            "--dashboard",
            "node",
            "--panel",
            &PANEL.to_string(),
            "--expires",
            "1h",
            "--base-url",
            &kg.url(""),
        ])
        .arg("--data-dir")
        .arg(dir.join("data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&format!("{url}&from=now-5m&to=now"))
        .await
        .unwrap();
    let states = browser
        .wait_for_panels(Duration::from_secs(60), |s| {
            s.iter().all(|(_, state, _)| state == "ok")
        })
        .await;
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].0, PANEL.to_string());
    // No navigation around a single panel.
    let nav_visible: Value = browser
        .client
        .execute(
            "const n = document.querySelector('nav'); return !!n && n.offsetParent !== null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(nav_visible, false);
    browser
        .screenshot(&xtask::target_dir().join("screenshots/embed-signed.png"))
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_share_dialog_gives_a_link_and_a_signed_embed_snippet_that_works() {
    use fantoccini::Locator;
    let (_stack, kg, dir) = live_stack("embed-browser-share", &[]).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/node/node?from=now-5m&to=now"))
        .await
        .unwrap();
    browser
        .wait_for_panels(Duration::from_secs(60), |s| {
            s.iter().all(|(_, state, _)| state != "loading")
        })
        .await;
    browser
        .client
        .find(Locator::Css(&format!(
            "[data-panel-id='{PANEL}'] .kg-panel-share"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = browser
        .client
        .wait()
        .for_element(Locator::Css("[data-share-link]"))
        .await
        .unwrap();
    let link = link.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(link, kg.url("/d/node/node?from=now-5m&to=now"));

    browser
        .client
        .find(Locator::XPath(
            "//*[@data-share-dialog]//button[text()='Embed']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("[data-share-signed]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let snippet = loop {
        let text = match browser
            .client
            .find(Locator::Css("textarea[data-share-embed]"))
            .await
        {
            Ok(e) => e.prop("value").await.unwrap().unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains("token=") {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "no signed snippet after 20 s: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        snippet.starts_with(&format!(
            "<iframe src=\"{}/d-solo/node/node?panelId={PANEL}&amp;token=",
            kg.url("")
        )),
        "{snippet}"
    );
    assert!(
        snippet.ends_with("width=\"450\" height=\"200\" frameborder=\"0\"></iframe>"),
        "{snippet}"
    );
    browser
        .screenshot(&xtask::target_dir().join("screenshots/share-dialog.png"))
        .await;

    // The snippet's address shows the panel.
    let src = snippet.split('"').nth(1).unwrap().replace("&amp;", "&");
    browser.client.goto(&src).await.unwrap();
    let states = browser
        .wait_for_panels(Duration::from_secs(60), |s| {
            s.iter().all(|(_, state, _)| state == "ok")
        })
        .await;
    assert_eq!(
        states.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
        [PANEL.to_string()]
    );
    browser.close().await;
}
