//! Authentication and authorisation against the real binary: basic auth with a users file,
//! login sessions with CSRF protection, the trusted-proxy mode, API tokens and their roles,
//! and the open routes.

use kubeglass_e2e::{hash_password as hash, http, kubeglass_bin, test_dir, Kubeglass};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use std::process::Command;

fn start_basic(name: &str) -> Kubeglass {
    let dir = test_dir(name);
    let users = dir.join("users");
    std::fs::write(
        &users,
        format!(
            "# kubeglass users\nalice:{}:editor\nbob:{}:viewer\n",
            hash("alice-pw"),
            hash("bob-pw")
        ),
    )
    .unwrap();
    let dashboards = dir.join("dashboards");
    std::fs::create_dir_all(&dashboards).unwrap();
    std::fs::write(
        dashboards.join("d.json"),
        json!({"uid": "d1", "title": "D1", "panels": [
            {"id": 1, "type": "stat", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
             "targets": [{"refId": "A", "expr": "up"}]}]})
        .to_string(),
    )
    .unwrap();
    Kubeglass::start(
        &dir,
        &[
            "--auth",
            "basic",
            "--users",
            users.to_str().unwrap(),
            "--dashboards",
            dashboards.to_str().unwrap(),
        ],
    )
}

async fn send(
    kg: &Kubeglass,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = http().request(method, kg.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let h = resp.headers().clone();
    let text = resp.text().await.unwrap();
    (
        status,
        h,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Every API route, with a method that it serves.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/search"),
    ("GET", "/api/dashboards/uid/d1"),
    ("POST", "/api/dashboards/db"),
    ("DELETE", "/api/dashboards/uid/d1"),
    ("GET", "/api/datasources"),
    (
        "GET",
        "/api/datasources/prometheus/prometheus/api/v1/query?query=up",
    ),
    (
        "POST",
        "/api/datasources/prometheus/prometheus/api/v1/query",
    ),
    ("POST", "/api/embed/sign"),
    ("GET", "/api/user"),
    ("GET", "/api/auth/tokens"),
    ("POST", "/api/auth/tokens"),
    ("DELETE", "/api/auth/tokens/1"),
    ("GET", "/api/k8s/clusters"),
    ("GET", "/api/k8s/default/pods"),
    ("GET", "/api/k8s/default/watch?kind=pods"),
    ("GET", "/api/etcd/clusters"),
    ("GET", "/api/etcd/default/keys?prefix=/"),
    ("GET", "/api/etcd/default/watch"),
    ("GET", "/api/no-such-route"),
    ("GET", "/metrics"),
];

#[tokio::test]
async fn every_route_needs_credentials_except_the_open_ones() {
    let kg = start_basic("auth-401");
    for (method, path) in ROUTES {
        let (s, _, body) = send(&kg, method.parse().unwrap(), path, &[], Some(json!({}))).await;
        assert_eq!(s, 401, "{method} {path}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method} {path}: {body}"
        );
    }
    // Wrong credentials of every kind are refused the same way.
    for authz in [
        basic("alice", "wrong"),
        basic("mallory", "alice-pw"),
        "Bearer kg_not-a-token".to_owned(),
        "Bearer eyJhbGciOi".to_owned(),
        "Digest username=alice".to_owned(),
    ] {
        let (s, _, body) = send(
            &kg,
            Method::GET,
            "/api/search",
            &[("authorization", &authz)],
            None,
        )
        .await;
        assert_eq!(s, 401, "{authz}: {body}");
    }
    // The open routes: health, and the app shell that shows the login page.
    let (s, _, body) = send(&kg, Method::GET, "/healthz", &[], None).await;
    assert_eq!(s, 200, "{body}");
    let (s, _, _) = send(&kg, Method::GET, "/readyz", &[], None).await;
    assert_ne!(s, 401);
    let (s, h, body) = send(&kg, Method::GET, "/login", &[], None).await;
    assert_eq!(s, 200);
    // The page as trunk minifies it: `<script type=module>`.
    let shell = body.as_str().unwrap();
    assert!(
        shell.contains("<script type=module>") || shell.contains("<script type=\"module\">"),
        "the app shell: {body}"
    );
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "same-origin");
}

#[tokio::test]
async fn basic_auth_and_roles() {
    let kg = start_basic("auth-basic");
    let alice = basic("alice", "alice-pw");
    let bob = basic("bob", "bob-pw");
    let (s, _, body) = send(
        &kg,
        Method::GET,
        "/api/user",
        &[("authorization", &alice)],
        None,
    )
    .await;
    assert_eq!(
        (s, &body["name"], &body["role"], &body["via"]),
        (
            StatusCode::OK,
            &json!("alice"),
            &json!("editor"),
            &json!("basic")
        )
    );
    let (s, _, body) = send(
        &kg,
        Method::GET,
        "/api/search",
        &[("authorization", &bob)],
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body[0]["uid"], "d1");
    let dashboard = json!({"dashboard": {"uid": "new", "title": "New", "panels": []}});
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("authorization", &bob)],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(
        body["message"],
        "POST /api/dashboards/db needs the editor role; `bob` is a viewer"
    );
    let (s, _, body) = send(
        &kg,
        Method::DELETE,
        "/api/dashboards/uid/d1",
        &[("authorization", &bob)],
        None,
    )
    .await;
    assert_eq!(s, 403, "{body}");
    // Prometheus queries sent as forms are reads: a viewer may send them (here no data source
    // is configured, so the answer is a 404 naming it, not a refusal).
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/datasources/prometheus/prometheus/api/v1/query",
        &[("authorization", &bob)],
        None,
    )
    .await;
    assert_eq!(s, 404, "{body}");
    // So are text panels rendered by the server.
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/render/text",
        &[("authorization", &bob)],
        Some(json!({"content": "*hi*"})),
    )
    .await;
    assert_eq!(
        (s, body["html"].as_str()),
        (StatusCode::OK, Some("<p><em>hi</em></p>\n")),
        "{body}"
    );
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("authorization", &alice)],
        Some(dashboard),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    // A wrong password asks for Basic credentials (tools show a prompt); repeated failures are
    // rate-limited, for the right password too, with Retry-After.
    let (s, h, _) = send(
        &kg,
        Method::GET,
        "/api/search",
        &[("authorization", &basic("bob", "nope"))],
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert!(h[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .starts_with("Basic realm=\"kubeglass\""));
    let mut limited = false;
    for _ in 0..6 {
        let (s, h, body) = send(
            &kg,
            Method::POST,
            "/api/login",
            &[],
            Some(json!({"user": "carol", "password": "guess"})),
        )
        .await;
        if s == 429 {
            assert!(
                h[header::RETRY_AFTER]
                    .to_str()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
                    >= 1
            );
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("too many failed logins"),
                "{body}"
            );
            limited = true;
            break;
        }
        assert_eq!(s, 401, "{body}");
        assert_eq!(body["message"], "wrong user name or password");
    }
    assert!(limited, "six failed logins in a row were not limited");
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/login",
        &[],
        Some(json!({"user": "carol", "password": "x"})),
    )
    .await;
    assert_eq!(s, 429, "still limited: {body}");
}

#[tokio::test]
async fn sessions_need_their_csrf_token_and_end_at_logout() {
    let kg = start_basic("auth-session");
    let (s, h, body) = send(
        &kg,
        Method::POST,
        "/api/login",
        &[],
        Some(json!({"user": "alice", "password": "alice-pw"})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let set_cookie = h[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "plain HTTP: no Secure flag: {set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let csrf = body["csrf"].as_str().unwrap().to_owned();
    let (s, _, me) = send(&kg, Method::GET, "/api/user", &[("cookie", &cookie)], None).await;
    assert_eq!(s, 200);
    assert_eq!(
        (me["name"].as_str(), me["via"].as_str(), me["csrf"].as_str()),
        (Some("alice"), Some("session"), Some(csrf.as_str()))
    );

    let dashboard = json!({"dashboard": {"uid": "s1", "title": "S1", "panels": []}});
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("cookie", &cookie)],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "no CSRF token: {body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("X-Kubeglass-CSRF"),
        "{body}"
    );
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("cookie", &cookie), ("x-kubeglass-csrf", "forged")],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "a wrong CSRF token: {body}");
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[
            ("cookie", &cookie),
            ("x-kubeglass-csrf", &csrf),
            ("origin", "http://evil.example.com"),
        ],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "another origin: {body}");
    let origin = format!("http://{}", kg.addr);
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[
            ("cookie", &cookie),
            ("x-kubeglass-csrf", &csrf),
            ("origin", &origin),
        ],
        Some(dashboard),
    )
    .await;
    assert_eq!(s, 200, "{body}");

    // A Secure cookie behind a TLS-terminating proxy.
    let (_, h, _) = send(
        &kg,
        Method::POST,
        "/api/login",
        &[("x-forwarded-proto", "https")],
        Some(json!({"user": "bob", "password": "bob-pw"})),
    )
    .await;
    assert!(h[header::SET_COOKIE].to_str().unwrap().contains("; Secure"));

    // Logging out is a change too: it needs the session's CSRF token.
    let (s, _, _) = send(
        &kg,
        Method::POST,
        "/api/logout",
        &[("cookie", &cookie)],
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _, _) = send(
        &kg,
        Method::POST,
        "/api/logout",
        &[("cookie", &cookie), ("x-kubeglass-csrf", &csrf)],
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _, _) = send(&kg, Method::GET, "/api/user", &[("cookie", &cookie)], None).await;
    assert_eq!(s, 401, "the session ended");
}

#[tokio::test]
async fn api_tokens_keep_their_role_and_are_stored_hashed() {
    let kg = start_basic("auth-tokens");
    let alice = basic("alice", "alice-pw");
    let bob = basic("bob", "bob-pw");
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/auth/tokens",
        &[("authorization", &bob)],
        Some(json!({"name": "bob-ci", "role": "viewer"})),
    )
    .await;
    assert_eq!(s, 403, "viewers cannot make tokens: {body}");
    let (s, _, viewer) = send(
        &kg,
        Method::POST,
        "/api/auth/tokens",
        &[("authorization", &alice)],
        Some(json!({"name": "grafana-sync", "role": "viewer"})),
    )
    .await;
    assert_eq!(s, 200, "{viewer}");
    let (s, _, editor) = send(
        &kg,
        Method::POST,
        "/api/auth/tokens",
        &[("authorization", &alice)],
        Some(json!({"name": "ci", "role": "editor"})),
    )
    .await;
    assert_eq!(s, 200, "{editor}");
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/auth/tokens",
        &[("authorization", &alice)],
        Some(json!({"name": "ci", "role": "viewer"})),
    )
    .await;
    assert_eq!(
        (s, body["message"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("a token named `ci` exists already")
        )
    );
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/auth/tokens",
        &[("authorization", &alice)],
        Some(json!({"name": "x", "role": "admin"})),
    )
    .await;
    assert_eq!(s, 400, "{body}");
    let vt = format!("Bearer {}", viewer["token"].as_str().unwrap());
    let et = format!("Bearer {}", editor["token"].as_str().unwrap());
    assert!(vt.starts_with("Bearer kg_"));

    let (s, _, body) = send(
        &kg,
        Method::GET,
        "/api/search",
        &[("authorization", &vt)],
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let dashboard = json!({"dashboard": {"uid": "t1", "title": "T1", "panels": []}});
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("authorization", &vt)],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    // A viewer token cannot make itself an editor token, nor list or revoke tokens.
    for (m, path, b) in [
        (
            Method::POST,
            "/api/auth/tokens",
            Some(json!({"name": "escalate", "role": "editor"})),
        ),
        (Method::GET, "/api/auth/tokens", None),
        (Method::DELETE, "/api/auth/tokens/1", None),
    ] {
        let (s, _, body) = send(&kg, m.clone(), path, &[("authorization", &vt)], b).await;
        assert_eq!(s, 403, "{m} {path}: {body}");
    }
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("authorization", &et)],
        Some(dashboard),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    // Tokens need no CSRF header: they are not sent by browsers on their own.

    let (s, _, list) = send(
        &kg,
        Method::GET,
        "/api/auth/tokens",
        &[("authorization", &et)],
        None,
    )
    .await;
    assert_eq!(s, 200);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["grafana-sync", "ci"]);
    assert!(
        !list.to_string().contains("kg_"),
        "a listing never shows tokens: {list}"
    );
    // Only a digest is stored: neither token appears in the database files.
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(kg.dir.join("data")).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(
        stored.contains("grafana-sync"),
        "the store holds the token's name"
    );
    for t in [&viewer["token"], &editor["token"]] {
        assert!(
            !stored.contains(t.as_str().unwrap()),
            "a token is stored in the clear"
        );
    }

    let id = viewer["id"].as_i64().unwrap();
    let (s, _, body) = send(
        &kg,
        Method::DELETE,
        &format!("/api/auth/tokens/{id}"),
        &[("authorization", &et)],
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, _, body) = send(
        &kg,
        Method::GET,
        "/api/search",
        &[("authorization", &vt)],
        None,
    )
    .await;
    assert_eq!(s, 401, "a revoked token: {body}");

    // `kubeglass create-token` makes tokens from the command line, in the same store.
    let out = Command::new(kubeglass_bin())
        .args([
            "--data-dir",
            kg.dir.join("data").to_str().unwrap(),
            "create-token",
            "--name",
            "cli",
            "--role",
            "viewer",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (s, _, me) = send(
        &kg,
        Method::GET,
        "/api/user",
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
    .await;
    assert_eq!(
        (
            s,
            me["name"].as_str(),
            me["role"].as_str(),
            me["via"].as_str()
        ),
        (StatusCode::OK, Some("cli"), Some("viewer"), Some("token"))
    );
}

#[tokio::test]
async fn a_trusted_proxy_names_the_user() {
    let dir = test_dir("auth-proxy");
    let kg = Kubeglass::start(
        &dir,
        &[
            "--auth",
            "proxy",
            "--proxy-trusted",
            "127.0.0.1,::1",
            "--proxy-editors",
            "alice",
        ],
    );
    let (s, _, me) = send(
        &kg,
        Method::GET,
        "/api/user",
        &[("x-forwarded-user", "alice")],
        None,
    )
    .await;
    assert_eq!(
        (s, me["role"].as_str(), me["via"].as_str()),
        (StatusCode::OK, Some("editor"), Some("proxy"))
    );
    let (s, _, me) = send(
        &kg,
        Method::GET,
        "/api/user",
        &[("x-forwarded-user", "bob")],
        None,
    )
    .await;
    assert_eq!((s, me["role"].as_str()), (StatusCode::OK, Some("viewer")));
    let (s, _, body) = send(&kg, Method::GET, "/api/search", &[], None).await;
    assert_eq!(s, 401, "{body}");
    let dashboard = json!({"dashboard": {"uid": "p1", "title": "P1", "panels": []}});
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("x-forwarded-user", "bob"), ("x-kubeglass-csrf", "1")],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("x-forwarded-user", "alice")],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(
        s, 403,
        "the proxy's cookie is ambient: writes need the CSRF header: {body}"
    );
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("x-forwarded-user", "alice"), ("x-kubeglass-csrf", "1")],
        Some(dashboard),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    drop(kg);

    // The header is believed only from the proxy's addresses.
    let dir = test_dir("auth-proxy-untrusted");
    let kg = Kubeglass::start(&dir, &["--auth", "proxy", "--proxy-trusted", "10.0.0.0/8"]);
    let (s, _, body) = send(
        &kg,
        Method::GET,
        "/api/user",
        &[("x-forwarded-user", "alice")],
        None,
    )
    .await;
    assert_eq!(s, 401, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("--proxy-trusted"),
        "{body}"
    );
}

#[test]
fn unsafe_configurations_do_not_start() {
    let dir = test_dir("auth-config");
    let run = |args: &[&str]| {
        let out = Command::new(kubeglass_bin())
            .args(["--data-dir", dir.join("data").to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} started");
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(
        run(&["--listen", "0.0.0.0:0"]).contains("listening beyond loopback needs an auth mode")
    );
    assert!(run(&["--auth", "basic"]).contains("--auth basic needs --users FILE"));
    assert!(run(&["--auth", "proxy"]).contains("--auth proxy needs --proxy-trusted"));
    let users = dir.join("users");
    std::fs::write(&users, "alice:secret:editor\n").unwrap();
    let e = run(&["--auth", "basic", "--users", users.to_str().unwrap()]);
    assert!(
        e.contains("line 1: user `alice`: not an Argon2 hash"),
        "{e}"
    );
}

#[tokio::test]
async fn other_sites_cannot_use_a_loopback_server_without_auth() {
    let dir = test_dir("auth-none-origin");
    // The proxy's public name is one of this server's.
    let kg = Kubeglass::start(&dir, &["--allowed-host", "kubeglass.example.com"]);
    let dashboard = json!({"dashboard": {"uid": "n1", "title": "N1", "panels": []}});
    let evil = [("origin", "http://evil.example.com")];
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &evil,
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(
        body["message"],
        "POST /api/dashboards/db from another origin is refused"
    );
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/auth/tokens",
        &evil,
        Some(json!({"name": "x", "role": "editor"})),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    // A WebSocket handshake from another origin is refused before it is upgraded.
    let (s, _, body) = send(
        &kg,
        Method::GET,
        "/api/etcd/default/watch",
        &[
            ("origin", "http://evil.example.com"),
            ("connection", "upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ],
        None,
    )
    .await;
    assert_eq!(s, 403, "{body}");
    // Its own pages (same origin), and tools without an Origin, may.
    let origin = format!("http://{}", kg.addr);
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[("origin", &origin)],
        Some(dashboard.clone()),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    // Behind a reverse proxy that rewrites Host, its X-Forwarded-Host names the public host.
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[
            ("origin", "https://kubeglass.example.com"),
            ("x-forwarded-host", "kubeglass.example.com"),
        ],
        Some(json!({"dashboard": {"uid": "n3", "title": "N3", "panels": []}})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, _, body) = send(
        &kg,
        Method::POST,
        "/api/dashboards/db",
        &[],
        Some(json!({"dashboard": {"uid": "n2", "title": "N2", "panels": []}})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, _, me) = send(&kg, Method::GET, "/api/user", &[], None).await;
    assert_eq!(
        (s, me["name"].as_str(), me["role"].as_str()),
        (StatusCode::OK, Some("anonymous"), Some("editor"))
    );
}
