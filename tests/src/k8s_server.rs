//! A stand-in for the Kubernetes API server, for tests: no kube-apiserver can be installed on
//! our machines, so this speaks the real protocol for the kinds kubeglass reads (and Secrets,
//! so that a test can prove kubeglass never asks for them).
//!
//! - discovery (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/GROUP/VERSION`) as kubectl uses it;
//! - lists with `metadata.resourceVersion`, `limit`/`continue` (410 `Expired` for a token older
//!   than the last [`K8sServer::expire`]), `labelSelector` and `fieldSelector`;
//! - gets, and `404 NotFound` Status objects;
//! - watches as a chunked stream of JSON lines (`{"type":"ADDED","object":{...}}`), replayed
//!   from a `resourceVersion`, with `BOOKMARK` events when `allowWatchBookmarks=true`, an
//!   `ERROR` event holding a 410 `Expired` Status for a too-old `resourceVersion`, and
//!   `timeoutSeconds`;
//! - pod logs with `container`, `follow`, `tailLines`, `sinceSeconds`, `previous`, `timestamps`.
//!
//! Objects live outside the server's runtime, so a test can [`K8sServer::stop`] and
//! [`K8sServer::restart`] it on the same port and find them again, and change them at any time
//! ([`K8sServer::create`], [`K8sServer::update`], [`K8sServer::delete`]); every change is sent to
//! the open watches. Every request is recorded ([`K8sServer::requests`]) so that a test can
//! assert what did, and what did not, reach the API server. Writes through HTTP are refused
//! with 405: the tests change objects through this API only.

use axum::body::Body;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, mpsc, oneshot};

/// A resource the stand-in serves: the allowlisted kinds of kubeglass plus Secrets.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub plural: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
}

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

pub const RESOURCES: &[Resource] = &[
    r("namespaces", "", "v1", "Namespace", false, &["ns"]),
    r("nodes", "", "v1", "Node", false, &["no"]),
    r("pods", "", "v1", "Pod", true, &["po"]),
    r("services", "", "v1", "Service", true, &["svc"]),
    r("events", "", "v1", "Event", true, &["ev"]),
    r("configmaps", "", "v1", "ConfigMap", true, &["cm"]),
    r("secrets", "", "v1", "Secret", true, &[]),
    r(
        "persistentvolumeclaims",
        "",
        "v1",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
    ),
    r(
        "persistentvolumes",
        "",
        "v1",
        "PersistentVolume",
        false,
        &["pv"],
    ),
    r("deployments", "apps", "v1", "Deployment", true, &["deploy"]),
    r("replicasets", "apps", "v1", "ReplicaSet", true, &["rs"]),
    r("statefulsets", "apps", "v1", "StatefulSet", true, &["sts"]),
    r("daemonsets", "apps", "v1", "DaemonSet", true, &["ds"]),
    r("jobs", "batch", "v1", "Job", true, &[]),
    r("cronjobs", "batch", "v1", "CronJob", true, &["cj"]),
    r(
        "ingresses",
        "networking.k8s.io",
        "v1",
        "Ingress",
        true,
        &["ing"],
    ),
    r(
        "endpointslices",
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        true,
        &[],
    ),
];

const fn r(
    plural: &'static str,
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
) -> Resource {
    Resource {
        plural,
        group,
        version,
        kind,
        namespaced,
        short_names,
    }
}

fn resource_of_kind(kind: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

/// One request as it reached the stand-in.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, `""` when there is none.
    pub query: String,
}

impl Recorded {
    /// The decoded value of a query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn is_watch(&self) -> bool {
        matches!(self.param("watch").as_deref(), Some("true" | "1"))
    }
}

/// A change sent to the open watches.
#[derive(Debug, Clone)]
enum Signal {
    Change(Arc<Change>),
    /// Every open watch gets a 410 `ERROR` event and ends.
    Expire,
    /// A log got a line (for `follow`).
    Log,
}

#[derive(Debug)]
struct Change {
    rv: u64,
    plural: &'static str,
    namespace: String,
    kind: &'static str,
    object: Value,
    /// The object before the change (for selectors: an update that leaves a selector is a
    /// `DELETED` for that watch).
    old: Option<Value>,
}

#[derive(Debug, Clone)]
struct LogLine {
    at: SystemTime,
    text: String,
}

#[derive(Default)]
struct Inner {
    rv: u64,
    /// Watches from an older resourceVersion, and continue tokens from an older list, get 410.
    oldest_rv: u64,
    /// (plural, namespace or "", name) -> object
    objects: BTreeMap<(&'static str, String, String), Value>,
    history: Vec<Arc<Change>>,
    /// (namespace, pod, container, previous) -> lines
    logs: HashMap<(String, String, String, bool), Vec<LogLine>>,
}

struct Shared {
    inner: Mutex<Inner>,
    signals: broadcast::Sender<Signal>,
    requests: Mutex<Vec<Recorded>>,
    active_watches: AtomicUsize,
    bookmark_every: Mutex<Duration>,
    started: SystemTime,
    addr: Mutex<SocketAddr>,
}

/// The running stand-in; dropping it stops it.
pub struct K8sServer {
    shared: Arc<Shared>,
    port: u16,
    running: Mutex<Option<Running>>,
}

struct Running {
    stop: oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl K8sServer {
    /// Starts on a free loopback port with the fixtures of [`load_fixtures`].
    pub fn start() -> K8sServer {
        let server = K8sServer::start_empty();
        server.load_fixtures();
        server
    }

    /// Starts on a free loopback port with no objects at all.
    pub fn start_empty() -> K8sServer {
        let (signals, _) = broadcast::channel(65536);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                rv: 1000,
                oldest_rv: 0,
                ..Default::default()
            }),
            signals,
            requests: Mutex::new(Vec::new()),
            active_watches: AtomicUsize::new(0),
            bookmark_every: Mutex::new(Duration::from_secs(5)),
            started: SystemTime::now(),
            addr: Mutex::new(SocketAddr::from(([127, 0, 0, 1], 0))),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let port = listener.local_addr().unwrap().port();
        let server = K8sServer {
            shared,
            port,
            running: Mutex::new(None),
        };
        server.serve(listener);
        server
    }

    /// The server's URL, `http://127.0.0.1:PORT`, for `--k8s-url` or `kubectl --server`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn serve(&self, listener: std::net::TcpListener) {
        listener.set_nonblocking(true).unwrap();
        *self.shared.addr.lock().unwrap() = listener.local_addr().unwrap();
        let shared = self.shared.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("k8s-server-{}", self.port))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let app = axum::Router::new().fallback(handle).with_state(shared);
                    let serve = axum::serve(listener, app);
                    tokio::select! {
                        _ = serve => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime drops every connection task: open watches end abruptly,
                // as when an API server goes away.
                drop(runtime);
            })
            .unwrap();
        *self.running.lock().unwrap() = Some(Running { stop, thread });
    }

    /// Stops serving: the port refuses connections and open watches are cut. Objects stay.
    pub fn stop(&self) {
        if let Some(running) = self.running.lock().unwrap().take() {
            let _ = running.stop.send(());
            let _ = running.thread.join();
        }
    }

    /// Serves again on the same port (after [`K8sServer::stop`], or stops first). Like an API
    /// server whose watch cache starts afresh, it answers watches from a resourceVersion older
    /// than the restart with 410, so clients relist.
    pub fn restart(&self) {
        self.stop();
        {
            let mut inner = self.shared.inner.lock().unwrap();
            inner.rv += 1;
            inner.oldest_rv = inner.rv;
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match std::net::TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(e) if std::time::Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("binding 127.0.0.1:{} again: {e}", self.port),
            }
        };
        self.serve(listener);
    }

    /// Every open watch gets an `ERROR` event with a 410 `Expired` Status and ends, and
    /// resourceVersions and continue tokens from before now are too old: clients must relist.
    pub fn expire(&self) {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.rv += 1;
        inner.oldest_rv = inner.rv;
        inner.history.clear();
        let _ = self.shared.signals.send(Signal::Expire);
    }

    /// How often watches that allow bookmarks get one (5 s unless set).
    pub fn set_bookmark_interval(&self, every: Duration) {
        *self.shared.bookmark_every.lock().unwrap() = every;
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.inner.lock().unwrap().rv
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.requests.lock().unwrap().clear();
    }

    /// How many recorded requests match.
    pub fn count(&self, matches: impl Fn(&Recorded) -> bool) -> usize {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| matches(r))
            .count()
    }

    /// How many watch requests were made on this collection path (e.g. `/api/v1/pods` or
    /// `/api/v1/namespaces/shop/pods`).
    pub fn watch_requests(&self, path: &str) -> usize {
        self.count(|r| r.path == path && r.is_watch())
    }

    /// Watches open right now.
    pub fn active_watches(&self) -> usize {
        self.shared.active_watches.load(Ordering::SeqCst)
    }

    /// An object, as stored (with `apiVersion` and `kind`).
    pub fn get(&self, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        let res = RESOURCES.iter().find(|r| r.plural == plural)?;
        let inner = self.shared.inner.lock().unwrap();
        inner
            .objects
            .get(&(res.plural, namespace.to_owned(), name.to_owned()))
            .cloned()
    }

    /// Creates (or replaces) an object; its `kind` says where it goes. Fills in uid,
    /// creationTimestamp and resourceVersion; sends `ADDED` (or `MODIFIED`). Returns the new
    /// resourceVersion.
    pub fn create(&self, object: Value) -> u64 {
        let kind = object["kind"].as_str().expect("an object has a kind");
        let res =
            resource_of_kind(kind).unwrap_or_else(|| panic!("the stand-in has no kind {kind}"));
        let namespace = if res.namespaced {
            object["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_owned()
        } else {
            String::new()
        };
        let name = object["metadata"]["name"]
            .as_str()
            .expect("an object has a name")
            .to_owned();
        let mut inner = self.shared.inner.lock().unwrap();
        let old = inner
            .objects
            .get(&(res.plural, namespace.clone(), name.clone()))
            .cloned();
        let mut object = object;
        let meta = object["metadata"].as_object_mut().expect("metadata");
        if res.namespaced {
            meta.insert("namespace".into(), json!(namespace));
        }
        meta.entry("uid")
            .or_insert_with(|| json!(uid(&format!("{}/{namespace}/{name}", res.plural))));
        meta.entry("creationTimestamp")
            .or_insert_with(|| json!(rfc3339(SystemTime::now())));
        object["apiVersion"] = json!(res.api_version());
        self.commit(&mut inner, res, namespace, name, Some(object), old)
    }

    /// Changes a stored object in place and sends `MODIFIED`; returns the new resourceVersion.
    /// Panics when there is no such object.
    pub fn update(
        &self,
        plural: &str,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut Value),
    ) -> u64 {
        let res = RESOURCES
            .iter()
            .find(|r| r.plural == plural)
            .unwrap_or_else(|| panic!("the stand-in has no {plural}"));
        let mut inner = self.shared.inner.lock().unwrap();
        let key = (res.plural, namespace.to_owned(), name.to_owned());
        let old = inner
            .objects
            .get(&key)
            .cloned()
            .unwrap_or_else(|| panic!("no {plural} {namespace}/{name}"));
        let mut object = old.clone();
        change(&mut object);
        self.commit(
            &mut inner,
            res,
            namespace.to_owned(),
            name.to_owned(),
            Some(object),
            Some(old),
        )
    }

    /// Deletes an object and sends `DELETED`; returns the new resourceVersion, or `None` when
    /// there was no such object.
    pub fn delete(&self, plural: &str, namespace: &str, name: &str) -> Option<u64> {
        let res = RESOURCES.iter().find(|r| r.plural == plural)?;
        let mut inner = self.shared.inner.lock().unwrap();
        let old = inner
            .objects
            .get(&(res.plural, namespace.to_owned(), name.to_owned()))
            .cloned()?;
        Some(self.commit(
            &mut inner,
            res,
            namespace.to_owned(),
            name.to_owned(),
            None,
            Some(old),
        ))
    }

    fn commit(
        &self,
        inner: &mut Inner,
        res: &'static Resource,
        namespace: String,
        name: String,
        new: Option<Value>,
        old: Option<Value>,
    ) -> u64 {
        inner.rv += 1;
        let rv = inner.rv;
        let key = (res.plural, namespace.clone(), name);
        let (kind, object) = match new {
            Some(mut object) => {
                object["metadata"]["resourceVersion"] = json!(rv.to_string());
                object["kind"] = json!(res.kind);
                inner.objects.insert(key, object.clone());
                (if old.is_some() { "MODIFIED" } else { "ADDED" }, object)
            }
            None => {
                inner.objects.remove(&key);
                let mut object = old.clone().expect("deleting an existing object");
                object["metadata"]["resourceVersion"] = json!(rv.to_string());
                ("DELETED", object)
            }
        };
        let change = Arc::new(Change {
            rv,
            plural: res.plural,
            namespace,
            kind,
            object,
            old,
        });
        inner.history.push(change.clone());
        let _ = self.shared.signals.send(Signal::Change(change));
        rv
    }

    /// Sets a pod's `status.phase` (a `MODIFIED` event).
    pub fn set_pod_phase(&self, namespace: &str, name: &str, phase: &str) -> u64 {
        self.update("pods", namespace, name, |p| {
            p["status"]["phase"] = json!(phase)
        })
    }

    /// Appends a line to a container's log (seen by `follow` readers).
    pub fn append_log(&self, namespace: &str, pod: &str, container: &str, text: &str) {
        let mut inner = self.shared.inner.lock().unwrap();
        inner
            .logs
            .entry((namespace.into(), pod.into(), container.into(), false))
            .or_default()
            .push(LogLine {
                at: SystemTime::now(),
                text: text.into(),
            });
        let _ = self.shared.signals.send(Signal::Log);
    }

    /// Sets a container's log (or, with `previous`, its previous instance's log), each line
    /// `age` old, the last one newest.
    pub fn set_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        previous: bool,
        lines: &[(Duration, &str)],
    ) {
        let now = SystemTime::now();
        let mut inner = self.shared.inner.lock().unwrap();
        inner.logs.insert(
            (namespace.into(), pod.into(), container.into(), previous),
            lines
                .iter()
                .map(|(age, text)| LogLine {
                    at: now - *age,
                    text: (*text).into(),
                })
                .collect(),
        );
    }

    /// Loads the fixtures: four namespaces, two nodes, eleven pods in several phases (one
    /// crash-looping with restarts and `lastState.terminated`, one pending, one succeeded, one
    /// failed, one with two containers), the workloads that own them, services, endpoint
    /// slices, an ingress, volumes, config maps, secrets, events (some `Warning`) and pod logs.
    pub fn load_fixtures(&self) {
        for object in fixtures(self.shared.started) {
            self.create(object);
        }
        let m = |n: u64| Duration::from_secs(60 * n);
        self.set_log(
            "shop",
            "web-7c5d8f6b9-2xk4p",
            "web",
            false,
            &[
                (
                    m(30),
                    "2026/01/01 12:00:00 [notice] 1#1: start worker processes",
                ),
                (m(20), "10.244.1.1 - - \"GET /healthz HTTP/1.1\" 200 2"),
                (m(10), "10.244.1.1 - - \"GET / HTTP/1.1\" 200 615"),
                (m(1), "10.244.1.1 - - \"GET /cart HTTP/1.1\" 200 1043"),
            ],
        );
        self.set_log(
            "shop",
            "web-7c5d8f6b9-9qm7z",
            "web",
            false,
            &[(
                m(25),
                "2026/01/01 12:00:00 [notice] 1#1: start worker processes",
            )],
        );
        let long = format!("payload {}", "x".repeat(100_000));
        self.set_log(
            "shop",
            "api-6f8d7c9b5-lmn3q",
            "api",
            false,
            &[
                (m(1), "starting api v2.3.1"),
                (m(1), "connecting to db-0.db.shop.svc:5432"),
            ],
        );
        self.set_log(
            "shop",
            "api-6f8d7c9b5-lmn3q",
            "api",
            true,
            &[
                (m(3), "starting api v2.3.1"),
                (m(3), "connecting to db-0.db.shop.svc:5432"),
                (m(2), long.as_str()),
                (
                    m(2),
                    "panic: pq: password authentication failed for user \"api\"",
                ),
            ],
        );
        self.set_log(
            "default",
            "busybox",
            "main",
            false,
            &[(m(5), "main: hello"), (m(4), "main: still here")],
        );
        self.set_log(
            "default",
            "busybox",
            "sidecar",
            false,
            &[(m(5), "sidecar: watching /data")],
        );
        self.set_log(
            "kube-system",
            "coredns-5d78c9869d-abcde",
            "coredns",
            false,
            &[
                (m(60), ".:53"),
                (m(60), "CoreDNS-1.11.1"),
                (m(60), "linux/amd64, go1.21.1"),
            ],
        );
        self.set_log(
            "batch",
            "report-28930140-x7k2p",
            "report",
            false,
            &[(m(9), "report: 1204 orders"), (m(8), "report: done")],
        );
    }
}

impl Drop for K8sServer {
    fn drop(&mut self) {
        self.stop();
    }
}

// ----- HTTP -----

type St = axum::extract::State<Arc<Shared>>;

fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code.as_u16(),
    });
    (code, axum::Json(body)).into_response()
}

fn not_found(res: &Resource, name: &str) -> Response {
    let group = if res.group.is_empty() {
        String::new()
    } else {
        format!(".{}", res.group)
    };
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("{}{group} \"{name}\" not found", res.plural),
    )
}

fn json_response(value: Value) -> Response {
    axum::Json(value).into_response()
}

async fn handle(
    axum::extract::State(shared): St,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    // kubectl asks for server-side tables (`as=Table`), which the stand-in makes for pods.
    let table = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("as=Table"));
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or("").to_owned();
    shared.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
    });
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if method != Method::GET {
        return status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!("the test API server is read-only: {method} is not supported"),
        );
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["version"] => json_response(json!({
            "major": "1", "minor": "33", "gitVersion": "v1.33.0",
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
            "platform": "linux/amd64"
        })),
        ["api"] => {
            let addr = *shared.addr.lock().unwrap();
            json_response(json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr.to_string()}]
            }))
        }
        ["apis"] => json_response(json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": groups().iter().map(|g| api_group(g)).collect::<Vec<_>>(),
        })),
        ["apis", group] => match groups().into_iter().find(|g| g == group) {
            Some(g) => {
                json_response(json!({"kind": "APIGroup", "apiVersion": "v1"}).merged(api_group(g)))
            }
            None => status(
                StatusCode::NOT_FOUND,
                "NotFound",
                "the server could not find the requested resource",
            ),
        },
        ["api", "v1"] => json_response(resource_list("", "v1")),
        ["apis", group, version] if groups().iter().any(|g| g == group) && *version == "v1" => {
            json_response(resource_list(group, version))
        }
        ["api", "v1", rest @ ..] => resource(&shared, "", rest, &params, table).await,
        ["apis", group, "v1", rest @ ..] if groups().iter().any(|g| g == group) => {
            resource(&shared, group, rest, &params, table).await
        }
        _ => status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
}

trait Merged {
    fn merged(self, other: Value) -> Value;
}

impl Merged for Value {
    fn merged(mut self, other: Value) -> Value {
        if let (Some(a), Value::Object(b)) = (self.as_object_mut(), other) {
            a.extend(b);
        }
        self
    }
}

fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = RESOURCES
        .iter()
        .map(|r| r.group)
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort();
    groups.dedup();
    groups
}

fn api_group(name: &str) -> Value {
    let gv = json!({"groupVersion": format!("{name}/v1"), "version": "v1"});
    json!({"name": name, "versions": [gv.clone()], "preferredVersion": gv})
}

fn resource_list(group: &str, version: &str) -> Value {
    let mut resources: Vec<Value> = Vec::new();
    for res in RESOURCES.iter().filter(|r| r.group == group) {
        resources.push(json!({
            "name": res.plural,
            "singularName": res.kind.to_lowercase(),
            "namespaced": res.namespaced,
            "kind": res.kind,
            "verbs": ["get", "list", "watch"],
            "shortNames": res.short_names,
        }));
        if res.plural == "pods" {
            resources.push(json!({
                "name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]
            }));
        }
    }
    let gv = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources})
}

/// `rest` is what follows `/api/v1` or `/apis/GROUP/v1`.
async fn resource(
    shared: &Arc<Shared>,
    group: &str,
    rest: &[&str],
    params: &HashMap<String, String>,
    table: bool,
) -> Response {
    let find = |plural: &str| {
        RESOURCES
            .iter()
            .find(|r| r.group == group && r.plural == plural)
    };
    let unknown = || {
        status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
        )
    };
    let watch = matches!(params.get("watch").map(String::as_str), Some("true" | "1"));
    match rest {
        [plural] => match find(plural) {
            Some(res) if watch => watch_collection(shared, res, None, params, table),
            Some(res) => list(shared, res, None, params, table),
            None => unknown(),
        },
        ["namespaces", ns, plural] => match find(plural) {
            Some(res) if res.namespaced && watch => {
                watch_collection(shared, res, Some(ns), params, table)
            }
            Some(res) if res.namespaced => list(shared, res, Some(ns), params, table),
            _ => unknown(),
        },
        ["namespaces", ns, "pods", name, "log"] if group.is_empty() => {
            pod_log(shared, ns, name, params).await
        }
        ["namespaces", ns, plural, name] => match find(plural) {
            Some(res) if res.namespaced => get_one(shared, res, ns, name, table),
            _ => unknown(),
        },
        [plural, name] => match find(plural) {
            Some(res) if !res.namespaced => get_one(shared, res, "", name, table),
            _ => unknown(),
        },
        _ => unknown(),
    }
}

fn get_one(shared: &Shared, res: &'static Resource, ns: &str, name: &str, table: bool) -> Response {
    let inner = shared.inner.lock().unwrap();
    match inner
        .objects
        .get(&(res.plural, ns.to_owned(), name.to_owned()))
    {
        Some(object) if table && res.plural == "pods" => {
            json_response(pod_table(&[object], &inner.rv.to_string(), None))
        }
        Some(object) => json_response(object.clone()),
        None => not_found(res, name),
    }
}

/// Label and field selectors as the API server reads them.
struct Selectors {
    labels: Vec<LabelRequirement>,
    fields: Vec<(String, bool, String)>,
}

enum LabelRequirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

fn split_top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn parse_labels(s: &str) -> Result<Vec<LabelRequirement>, String> {
    let mut out = Vec::new();
    for part in split_top_level(s) {
        let set = |rest: &str| -> Result<Vec<String>, String> {
            let rest = rest.trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("unable to parse requirement: {part}"))?;
            Ok(inner.split(',').map(|v| v.trim().to_owned()).collect())
        };
        let req = if let Some(key) = part.strip_prefix('!') {
            LabelRequirement::NotExists(key.trim().to_owned())
        } else if let Some((k, v)) = part.split_once("!=") {
            LabelRequirement::NotEquals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once("==") {
            LabelRequirement::Equals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once('=') {
            LabelRequirement::Equals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once(" notin ") {
            LabelRequirement::NotIn(k.trim().into(), set(v)?)
        } else if let Some((k, v)) = part.split_once(" in ") {
            LabelRequirement::In(k.trim().into(), set(v)?)
        } else if part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        {
            LabelRequirement::Exists(part.clone())
        } else {
            return Err(format!("unable to parse requirement: {part}"));
        };
        out.push(req);
    }
    Ok(out)
}

const FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "status.phase",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.podIP",
    "involvedObject.kind",
    "involvedObject.name",
    "involvedObject.namespace",
    "involvedObject.uid",
    "reason",
    "type",
    "spec.unschedulable",
];

fn parse_fields(s: &str) -> Result<Vec<(String, bool, String)>, String> {
    let mut out = Vec::new();
    for part in split_top_level(s) {
        let (key, equal, value) = if let Some((k, v)) = part.split_once("!=") {
            (k, false, v)
        } else if let Some((k, v)) = part.split_once("==") {
            (k, true, v)
        } else if let Some((k, v)) = part.split_once('=') {
            (k, true, v)
        } else {
            return Err(format!(
                "invalid selector: '{part}'; can't understand '{part}'"
            ));
        };
        let key = key.trim();
        if !FIELDS.contains(&key) {
            return Err(format!("field label not supported: {key}"));
        }
        out.push((key.to_owned(), equal, value.trim().to_owned()));
    }
    Ok(out)
}

impl Selectors {
    #[allow(clippy::result_large_err)]
    fn parse(params: &HashMap<String, String>) -> Result<Selectors, Response> {
        let bad = |m: String| status(StatusCode::BAD_REQUEST, "BadRequest", &m);
        Ok(Selectors {
            labels: parse_labels(params.get("labelSelector").map_or("", |s| s)).map_err(bad)?,
            fields: parse_fields(params.get("fieldSelector").map_or("", |s| s)).map_err(bad)?,
        })
    }

    fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        let label = |k: &str| labels.get(k).and_then(Value::as_str);
        let labels_ok = self.labels.iter().all(|req| match req {
            LabelRequirement::Equals(k, v) => label(k) == Some(v.as_str()),
            LabelRequirement::NotEquals(k, v) => label(k) != Some(v.as_str()),
            LabelRequirement::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            LabelRequirement::NotIn(k, vs) => !label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            LabelRequirement::Exists(k) => label(k).is_some(),
            LabelRequirement::NotExists(k) => label(k).is_none(),
        });
        labels_ok
            && self.fields.iter().all(|(key, equal, value)| {
                let mut v = object;
                for part in key.split('.') {
                    v = &v[part];
                }
                let actual = match v {
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (actual == *value) == *equal
            })
    }
}

fn list(
    shared: &Shared,
    res: &'static Resource,
    ns: Option<&str>,
    params: &HashMap<String, String>,
    table: bool,
) -> Response {
    let selectors = match Selectors::parse(params) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let limit = match params.get("limit").map(|l| l.parse::<usize>()) {
        None => None,
        Some(Ok(0)) => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "limit must be a non-negative integer",
            )
        }
    };
    let inner = shared.inner.lock().unwrap();
    let (list_rv, after) = match params.get("continue").filter(|c| !c.is_empty()) {
        None => (inner.rv, None),
        Some(token) => match decode_continue(token) {
            Some((rv, _)) if rv < inner.oldest_rv => {
                return status(
                    StatusCode::GONE,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.",
                )
            }
            Some((rv, key)) => (rv, Some(key)),
            None => {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
                )
            }
        },
    };
    let matching: Vec<(&(&str, String, String), &Value)> = inner
        .objects
        .iter()
        .filter(|((plural, namespace, _), _)| {
            *plural == res.plural && ns.is_none_or(|ns| namespace == ns)
        })
        .filter(|(key, _)| {
            after
                .as_ref()
                .is_none_or(|a| format!("{}/{}", key.1, key.2) > *a)
        })
        .filter(|(_, o)| selectors.matches(o))
        .collect();
    let total = matching.len();
    let take = limit.unwrap_or(total).min(total);
    let items: Vec<Value> = matching[..take]
        .iter()
        .map(|(_, o)| {
            // Items of a list carry neither apiVersion nor kind, as the API server sends them.
            let mut o = (*o).clone();
            if let Some(m) = o.as_object_mut() {
                m.remove("apiVersion");
                m.remove("kind");
            }
            o
        })
        .collect();
    let mut metadata = json!({"resourceVersion": list_rv.to_string()});
    if take < total {
        let last = matching[take - 1].0;
        metadata["continue"] = json!(encode_continue(list_rv, &format!("{}/{}", last.1, last.2)));
        metadata["remainingItemCount"] = json!(total - take);
    }
    if table && res.plural == "pods" {
        let objects: Vec<&Value> = matching[..take].iter().map(|(_, o)| *o).collect();
        return json_response(pod_table(
            &objects,
            &list_rv.to_string(),
            metadata.get("continue").and_then(Value::as_str),
        ));
    }
    json_response(json!({
        "kind": format!("{}List", res.kind),
        "apiVersion": res.api_version(),
        "metadata": metadata,
        "items": items,
    }))
}

fn encode_continue(rv: u64, key: &str) -> String {
    let raw = format!("{rv}:{key}");
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_continue(token: &str) -> Option<(u64, String)> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    let raw = String::from_utf8(bytes?).ok()?;
    let (rv, key) = raw.split_once(':')?;
    Some((rv.parse().ok()?, key.to_owned()))
}

/// The server-side table kubectl shows for pods (`NAME READY STATUS RESTARTS AGE`, and with
/// `-o wide` `IP NODE`), rows carrying the object's metadata as the API server sends them.
fn pod_table(pods: &[&Value], rv: &str, next: Option<&str>) -> Value {
    let column = |name: &str, priority: u8, description: &str| {
        json!({"name": name, "type": "string", "format": if name == "Name" { "name" } else { "" },
               "description": description, "priority": priority})
    };
    let now = SystemTime::now();
    let rows: Vec<Value> = pods
        .iter()
        .map(|pod| {
            let statuses = pod["status"]["containerStatuses"].as_array().cloned().unwrap_or_default();
            let total = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
            let ready = statuses.iter().filter(|s| s["ready"] == json!(true)).count();
            let restarts: i64 = statuses.iter().map(|s| s["restartCount"].as_i64().unwrap_or(0)).sum();
            let reason = statuses.iter().find_map(|s| {
                s["state"]["waiting"]["reason"]
                    .as_str()
                    .or(s["state"]["terminated"]["reason"].as_str())
                    .filter(|r| *r != "Completed" || pod["status"]["phase"] != json!("Succeeded"))
            });
            let status = if pod["metadata"]["deletionTimestamp"].is_string() {
                "Terminating".to_owned()
            } else if pod["status"]["phase"] == json!("Succeeded") {
                "Completed".to_owned()
            } else {
                reason
                    .or(pod["status"]["phase"].as_str())
                    .unwrap_or("Unknown")
                    .to_owned()
            };
            let age = pod["metadata"]["creationTimestamp"]
                .as_str()
                .and_then(parse_rfc3339)
                .and_then(|t| now.duration_since(t).ok())
                .map_or("<unknown>".to_owned(), human_duration);
            let mut metadata = pod["metadata"].clone();
            if let Some(m) = metadata.as_object_mut() {
                m.remove("managedFields");
            }
            json!({
                "cells": [
                    pod["metadata"]["name"], format!("{ready}/{total}"), status, restarts.to_string(), age,
                    pod["status"]["podIP"].as_str().unwrap_or("<none>"),
                    pod["spec"]["nodeName"].as_str().unwrap_or("<none>"),
                ],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}
            })
        })
        .collect();
    let mut metadata = json!({"resourceVersion": rv});
    if let Some(next) = next {
        metadata["continue"] = json!(next);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [
            column("Name", 0, "Name must be unique within a namespace."),
            column("Ready", 0, "The aggregate readiness state of this pod for accepting traffic."),
            column("Status", 0, "The aggregate status of the containers in this pod."),
            column("Restarts", 0, "The number of times the containers in this pod have been restarted."),
            column("Age", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."),
            column("IP", 1, "IP address allocated to the pod."),
            column("Node", 1, "NodeName is the name of the node the pod runs on."),
        ],
        "rows": rows,
    })
}

/// Durations as kubectl shows ages (`45s`, `3m12s`, `2h5m`, `13d`).
fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (m, h, days) = (s / 60, s / 3600, s / 86400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        }
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 24 * 8 {
        match h % 24 {
            0 => format!("{days}d"),
            r => format!("{days}d{r}h"),
        }
    } else if days < 365 * 2 {
        format!("{days}d")
    } else {
        format!("{}y{}d", days / 365, days % 365)
    }
}

/// `2026-01-01T12:00:00Z` (as this server writes them).
fn parse_rfc3339(t: &str) -> Option<SystemTime> {
    let b = t.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (h, mi, s) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Howard Hinnant's days-from-civil.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    let secs = days * 86400 + h * 3600 + mi * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

fn watch_line(kind: &str, object: &Value) -> axum::body::Bytes {
    let mut line = serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap();
    line.push(b'\n');
    line.into()
}

struct WatchGuard(Arc<Shared>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.active_watches.fetch_sub(1, Ordering::SeqCst);
    }
}

fn watch_collection(
    shared: &Arc<Shared>,
    res: &'static Resource,
    ns: Option<&str>,
    params: &HashMap<String, String>,
    table: bool,
) -> Response {
    let table = table && res.plural == "pods";
    let watch_line = move |kind: &str, object: &Value| {
        if table && kind != "ERROR" && kind != "BOOKMARK" {
            let rv = object["metadata"]["resourceVersion"].as_str().unwrap_or("");
            watch_line(kind, &pod_table(&[object], rv, None))
        } else {
            watch_line(kind, object)
        }
    };
    let selectors = match Selectors::parse(params) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let from: Option<u64> = match params.get("resourceVersion").map(String::as_str) {
        None | Some("") | Some("0") => None,
        Some(v) => match v.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!("invalid resource version: {v}"),
                )
            }
        },
    };
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let bookmarks = params.get("allowWatchBookmarks").map(String::as_str) == Some("true");
    let ns = ns.map(str::to_owned);
    let in_scope =
        move |c: &Change| c.plural == res.plural && ns.as_ref().is_none_or(|n| *n == c.namespace);

    // Under the lock: what to replay, and the subscription for what comes after.
    let (tx, rx) = mpsc::channel::<axum::body::Bytes>(256);
    let mut signals;
    let mut first: Vec<axum::body::Bytes> = Vec::new();
    let mut expired = false;
    let mut last_rv;
    {
        let inner = shared.inner.lock().unwrap();
        signals = shared.signals.subscribe();
        last_rv = inner.rv;
        match from {
            Some(rv) if rv < inner.oldest_rv => expired = true,
            Some(rv) => {
                for c in inner.history.iter().filter(|c| c.rv > rv && in_scope(c)) {
                    if let Some((kind, object)) = filtered(&selectors, c) {
                        first.push(watch_line(kind, &object));
                    }
                }
            }
            None => {
                for ((plural, namespace, _), o) in inner.objects.iter() {
                    let c = Change {
                        rv: 0,
                        plural,
                        namespace: namespace.clone(),
                        kind: "ADDED",
                        object: Value::Null,
                        old: None,
                    };
                    if in_scope(&c) && selectors.matches(o) {
                        first.push(watch_line("ADDED", o));
                    }
                }
            }
        }
    }
    shared.active_watches.fetch_add(1, Ordering::SeqCst);
    let guard = WatchGuard(shared.clone());
    let shared = shared.clone();
    let res_kind = res.kind;
    let api_version = res.api_version();
    tokio::spawn(async move {
        let _guard = guard;
        let deadline = tokio::time::Instant::now() + timeout;
        if expired {
            let _ = tx
                .send(watch_line(
                    "ERROR",
                    &json!({
                        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": format!("too old resource version: {} ({})", from.unwrap_or(0), last_rv),
                        "reason": "Expired", "code": 410
                    }),
                ))
                .await;
            return;
        }
        for line in first {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        let bookmark_every = *shared.bookmark_every.lock().unwrap();
        let mut bookmark = tokio::time::interval(bookmark_every);
        bookmark.tick().await;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = tx.closed() => return,
                _ = bookmark.tick(), if bookmarks => {
                    let object = json!({"kind": res_kind, "apiVersion": api_version, "metadata": {"resourceVersion": last_rv.to_string()}});
                    if tx.send(watch_line("BOOKMARK", &object)).await.is_err() {
                        return;
                    }
                }
                signal = signals.recv() => match signal {
                    Ok(Signal::Change(c)) => {
                        last_rv = last_rv.max(c.rv);
                        if in_scope(&c) {
                            if let Some((kind, object)) = filtered(&selectors, &c) {
                                if tx.send(watch_line(kind, &object)).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    Ok(Signal::Expire) => {
                        let _ = tx.send(watch_line("ERROR", &json!({
                            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "too old resource version", "reason": "Expired", "code": 410
                        }))).await;
                        return;
                    }
                    Ok(Signal::Log) => {}
                    // Too far behind: end the watch; the client resumes from its last version.
                    Err(_) => return,
                },
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    }));
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(body)
        .unwrap()
}

/// The event a watch with these selectors sees for a change, if any: an update that makes an
/// object match is `ADDED`, one that makes it stop matching is `DELETED`.
fn filtered(selectors: &Selectors, c: &Change) -> Option<(&'static str, Value)> {
    let now = selectors.matches(&c.object);
    let before = c.old.as_ref().is_some_and(|o| selectors.matches(o));
    match c.kind {
        "MODIFIED" => match (before, now) {
            (true, true) => Some(("MODIFIED", c.object.clone())),
            (false, true) => Some(("ADDED", c.object.clone())),
            (true, false) => Some(("DELETED", c.object.clone())),
            (false, false) => None,
        },
        kind => now.then(|| (kind, c.object.clone())),
    }
}

async fn pod_log(
    shared: &Arc<Shared>,
    ns: &str,
    name: &str,
    params: &HashMap<String, String>,
) -> Response {
    let bad = |m: String| status(StatusCode::BAD_REQUEST, "BadRequest", &m);
    let flag = |k: &str| matches!(params.get(k).map(String::as_str), Some("true" | "1"));
    let pod = {
        let inner = shared.inner.lock().unwrap();
        inner
            .objects
            .get(&("pods", ns.to_owned(), name.to_owned()))
            .cloned()
    };
    let Some(pod) = pod else {
        return not_found(&RESOURCES[2], name);
    };
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect();
    let container = match params.get("container") {
        Some(c) if containers.contains(c) => c.clone(),
        Some(c) => return bad(format!("container {c} is not valid for pod {name}")),
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return bad(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            ))
        }
    };
    let previous = flag("previous");
    let follow = flag("follow") && !previous;
    let timestamps = flag("timestamps");
    let tail = match params.get("tailLines").map(|t| t.parse::<usize>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return bad("tailLines must be a non-negative integer".into()),
    };
    let since = match params.get("sinceSeconds").map(|t| t.parse::<u64>()) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(SystemTime::now() - Duration::from_secs(n)),
        Some(_) => return bad("sinceSeconds must be a positive integer".into()),
    };
    if previous {
        let has_previous = pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"] == json!(container) && s["lastState"]["terminated"].is_object());
        if !has_previous {
            return bad(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            ));
        }
    }
    let key = (ns.to_owned(), name.to_owned(), container, previous);
    let format = move |l: &LogLine| {
        let mut s = if timestamps {
            format!("{} ", rfc3339_nanos(l.at))
        } else {
            String::new()
        };
        s.push_str(&l.text);
        s.push('\n');
        s
    };
    let (mut signals, lines) = {
        let inner = shared.inner.lock().unwrap();
        let all = inner.logs.get(&key).cloned().unwrap_or_default();
        (shared.signals.subscribe(), all)
    };
    let mut sent = lines.len();
    let mut shown: Vec<&LogLine> = lines
        .iter()
        .filter(|l| since.is_none_or(|s| l.at >= s))
        .collect();
    if let Some(n) = tail {
        let skip = shown.len().saturating_sub(n);
        shown.drain(..skip);
    }
    let text: String = shown.into_iter().map(&format).collect();
    if !follow {
        return Response::builder()
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(text))
            .unwrap();
    }
    let (tx, rx) = mpsc::channel::<axum::body::Bytes>(64);
    let shared = shared.clone();
    tokio::spawn(async move {
        if !text.is_empty() && tx.send(text.into()).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                _ = tx.closed() => return,
                signal = signals.recv() => {
                    if matches!(signal, Err(broadcast::error::RecvError::Closed)) {
                        return;
                    }
                    let (new, gone) = {
                        let inner = shared.inner.lock().unwrap();
                        let all = inner.logs.get(&key).map(|l| l[sent.min(l.len())..].to_vec()).unwrap_or_default();
                        let gone = !inner.objects.contains_key(&("pods", key.0.clone(), key.1.clone()));
                        (all, gone)
                    };
                    sent += new.len();
                    let chunk: String = new.iter().map(&format).collect();
                    if !chunk.is_empty() && tx.send(chunk.into()).await.is_err() {
                        return;
                    }
                    if gone {
                        return;
                    }
                }
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    }));
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain")
        .body(body)
        .unwrap()
}

// ----- time and identity -----

/// `2026-01-01T12:00:00Z`
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

fn rfc3339_nanos(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap();
    let (y, mo, d, h, mi, s) = civil(since.as_secs() as i64);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:09}Z",
        since.subsec_nanos()
    )
}

fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// A stable, UUID-shaped id for a name.
fn uid(name: &str) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in name.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    let x = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

// ----- fixtures -----

fn ago(base: SystemTime, minutes: u64) -> String {
    rfc3339(base - Duration::from_secs(60 * minutes))
}

fn meta(ns: Option<&str>, name: &str, labels: Value, created: &str) -> Value {
    let mut m = json!({"name": name, "labels": labels, "creationTimestamp": created});
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

fn owner(kind: &str, api_version: &str, plural: &str, ns: &str, name: &str) -> Value {
    json!([{
        "apiVersion": api_version, "kind": kind, "name": name,
        "uid": uid(&format!("{plural}/{ns}/{name}")), "controller": true, "blockOwnerDeletion": true
    }])
}

struct PodSpec<'a> {
    ns: &'a str,
    name: &'a str,
    node: Option<&'a str>,
    phase: &'a str,
    labels: Value,
    owner: Option<(&'a str, &'a str, &'a str, &'a str)>,
    containers: &'a [(&'a str, &'a str)],
    age_min: u64,
    ip: &'a str,
}

fn pod(base: SystemTime, p: PodSpec) -> Value {
    let created = ago(base, p.age_min);
    let mut metadata = meta(Some(p.ns), p.name, p.labels, &created);
    if let Some((kind, api_version, plural, owner_name)) = p.owner {
        metadata["ownerReferences"] = owner(kind, api_version, plural, p.ns, owner_name);
        metadata["generateName"] = json!(format!(
            "{}-",
            p.name.rsplit_once('-').map_or(p.name, |x| x.0)
        ));
    }
    let containers: Vec<Value> = p
        .containers
        .iter()
        .map(|(name, image)| {
            json!({
                "name": name, "image": image, "imagePullPolicy": "IfNotPresent",
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            })
        })
        .collect();
    let running = p.phase == "Running";
    let statuses: Vec<Value> = p
        .containers
        .iter()
        .map(|(name, image)| {
            let state = match p.phase {
                "Running" => json!({"running": {"startedAt": created}}),
                "Succeeded" => json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": created, "finishedAt": ago(base, p.age_min.saturating_sub(1)), "containerID": format!("containerd://{}", uid(name).replace('-', ""))}}),
                "Failed" => json!({"terminated": {"exitCode": 2, "reason": "Error", "startedAt": created, "finishedAt": ago(base, p.age_min.saturating_sub(1)), "containerID": format!("containerd://{}", uid(name).replace('-', ""))}}),
                _ => json!({"waiting": {"reason": "ContainerCreating"}}),
            };
            json!({
                "name": name, "image": image, "imageID": format!("docker.io/library/{image}@sha256:{}", uid(image).replace('-', "")),
                "containerID": format!("containerd://{}", uid(&format!("{}/{name}", p.name)).replace('-', "")),
                "ready": running, "started": running, "restartCount": 0, "state": state, "lastState": {}
            })
        })
        .collect();
    let cond = |t: &str, s: bool| json!({"type": t, "status": if s { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": created});
    let mut status = json!({
        "phase": p.phase,
        "qosClass": "Burstable",
        "conditions": [cond("PodReadyToStartContainers", running), cond("Initialized", true), cond("Ready", running), cond("ContainersReady", running), cond("PodScheduled", p.node.is_some())],
    });
    if let Some(node) = p.node {
        let host_ip = if node == "node-a" {
            "10.0.0.11"
        } else {
            "10.0.0.12"
        };
        status["hostIP"] = json!(host_ip);
        status["hostIPs"] = json!([{"ip": host_ip}]);
        status["podIP"] = json!(p.ip);
        status["podIPs"] = json!([{"ip": p.ip}]);
        status["startTime"] = json!(created);
        status["containerStatuses"] = json!(statuses);
    }
    let mut spec = json!({
        "containers": containers,
        "restartPolicy": if p.owner.is_some_and(|o| o.0 == "Job") { "Never" } else { "Always" },
        "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "default", "serviceAccount": "default",
        "schedulerName": "default-scheduler", "priority": 0, "enableServiceLinks": true,
        "preemptionPolicy": "PreemptLowerPriority",
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ]
    });
    if let Some(node) = p.node {
        spec["nodeName"] = json!(node);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status})
}

fn node(base: SystemTime, name: &str, ip: &str, taints: Value) -> Value {
    let created = ago(base, 60 * 24 * 30);
    let cond = |t: &str, s: &str, reason: &str, msg: &str| json!({"type": t, "status": s, "lastHeartbeatTime": ago(base, 0), "lastTransitionTime": created, "reason": reason, "message": msg});
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": meta(None, name, json!({
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": "e2-standard-4"
        }), &created),
        "spec": {"podCIDR": if name == "node-a" { "10.244.1.0/24" } else { "10.244.2.0/24" }, "taints": taints},
        "status": {
            "capacity": {"cpu": "4", "memory": "16393916Ki", "pods": "110", "ephemeral-storage": "101430960Ki"},
            "allocatable": {"cpu": "3920m", "memory": "13903548Ki", "pods": "110", "ephemeral-storage": "93478772582"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")
            ],
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "machineID": uid(name).replace('-', ""), "systemUUID": uid(name), "bootID": uid(&format!("boot-{name}")),
                "kernelVersion": "6.1.0-27-cloud-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
                "containerRuntimeVersion": "containerd://1.7.24", "kubeletVersion": "v1.33.0",
                "kubeProxyVersion": "v1.33.0", "operatingSystem": "linux", "architecture": "amd64"
            }
        }
    })
}

struct Workload<'a> {
    kind: &'a str,
    ns: &'a str,
    name: &'a str,
    labels: Value,
    desired: i64,
    ready: i64,
    age_min: u64,
    image: &'a str,
}

fn workload(base: SystemTime, w: Workload) -> Value {
    let res = resource_of_kind(w.kind).unwrap();
    let created = ago(base, w.age_min);
    let template = json!({
        "metadata": {"labels": w.labels},
        "spec": {"containers": [{"name": w.name, "image": w.image}]}
    });
    let (spec, status) = match w.kind {
        "DaemonSet" => (
            json!({"selector": {"matchLabels": w.labels}, "template": template}),
            json!({"currentNumberScheduled": w.desired, "desiredNumberScheduled": w.desired, "numberReady": w.ready,
                   "numberAvailable": w.ready, "updatedNumberScheduled": w.desired, "numberMisscheduled": 0, "observedGeneration": 1}),
        ),
        "StatefulSet" => (
            json!({"replicas": w.desired, "selector": {"matchLabels": w.labels}, "serviceName": w.name, "template": template}),
            json!({"replicas": w.desired, "readyReplicas": w.ready, "currentReplicas": w.desired, "updatedReplicas": w.desired,
                   "availableReplicas": w.ready, "observedGeneration": 1}),
        ),
        _ => {
            let available = w.ready == w.desired;
            let mut status = json!({"replicas": w.desired, "readyReplicas": w.ready, "availableReplicas": w.ready,
                                    "observedGeneration": 1});
            if w.kind == "Deployment" {
                status["updatedReplicas"] = json!(w.desired);
                if !available {
                    status["unavailableReplicas"] = json!(w.desired - w.ready);
                }
                status["conditions"] = json!([
                    {"type": "Available", "status": if available { "True" } else { "False" },
                     "reason": if available { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                     "message": if available { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." },
                     "lastUpdateTime": created, "lastTransitionTime": created},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                     "message": format!("ReplicaSet \"{}\" has successfully progressed.", w.name),
                     "lastUpdateTime": created, "lastTransitionTime": created}
                ]);
            }
            (
                json!({"replicas": w.desired, "selector": {"matchLabels": w.labels}, "template": template}),
                status,
            )
        }
    };
    let mut metadata = meta(Some(w.ns), w.name, w.labels.clone(), &created);
    metadata["generation"] = json!(1);
    if w.kind == "ReplicaSet" {
        let deployment = w.name.rsplit_once('-').unwrap().0;
        metadata["ownerReferences"] =
            owner("Deployment", "apps/v1", "deployments", w.ns, deployment);
    }
    json!({"apiVersion": res.api_version(), "kind": w.kind, "metadata": metadata, "spec": spec, "status": status})
}

#[allow(clippy::too_many_arguments)]
fn event(
    base: SystemTime,
    ns: &str,
    object: (&str, &str),
    kind: &str,
    reason: &str,
    message: &str,
    count: u64,
    age_min: u64,
) -> Value {
    let (obj_kind, obj_name) = object;
    let name = format!(
        "{obj_name}.{}",
        &uid(&format!("{obj_name}{reason}")).replace('-', "")[..16]
    );
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": ago(base, age_min)},
        "involvedObject": {"kind": obj_kind, "namespace": ns, "name": obj_name,
            "uid": uid(&format!("{}/{ns}/{obj_name}", resource_of_kind(obj_kind).map_or("", |r| r.plural))),
            "apiVersion": resource_of_kind(obj_kind).map_or("v1".into(), |r| r.api_version())},
        "reason": reason, "message": message, "type": kind, "count": count,
        "source": {"component": if reason == "FailedScheduling" || reason == "Scheduled" { "default-scheduler" } else { "kubelet" }},
        "firstTimestamp": ago(base, age_min), "lastTimestamp": ago(base, age_min.min(1)),
        "reportingComponent": "kubelet", "reportingInstance": "node-a"
    })
}

fn fixtures(base: SystemTime) -> Vec<Value> {
    let mut out = Vec::new();
    for (ns, age) in [
        ("default", 43200),
        ("kube-system", 43200),
        ("shop", 20000),
        ("batch", 10000),
    ] {
        out.push(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": meta(None, ns, json!({"kubernetes.io/metadata.name": ns}), &ago(base, age)),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}
        }));
    }
    out.push(node(base, "node-a", "10.0.0.11", json!([])));
    out.push(node(
        base,
        "node-b",
        "10.0.0.12",
        json!([{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}]),
    ));

    // Workloads
    let w = |kind, ns, name, labels, desired, ready, age_min, image| {
        workload(
            base,
            Workload {
                kind,
                ns,
                name,
                labels,
                desired,
                ready,
                age_min,
                image,
            },
        )
    };
    out.push(w(
        "Deployment",
        "kube-system",
        "coredns",
        json!({"k8s-app": "kube-dns"}),
        1,
        1,
        43000,
        "coredns/coredns:1.11.1",
    ));
    out.push(w(
        "ReplicaSet",
        "kube-system",
        "coredns-5d78c9869d",
        json!({"k8s-app": "kube-dns"}),
        1,
        1,
        43000,
        "coredns/coredns:1.11.1",
    ));
    out.push(w(
        "DaemonSet",
        "kube-system",
        "kube-proxy",
        json!({"k8s-app": "kube-proxy"}),
        2,
        2,
        43000,
        "registry.k8s.io/kube-proxy:v1.33.0",
    ));
    out.push(w(
        "Deployment",
        "shop",
        "web",
        json!({"app": "web", "tier": "frontend"}),
        2,
        2,
        3000,
        "nginx:1.27",
    ));
    out.push(w(
        "ReplicaSet",
        "shop",
        "web-7c5d8f6b9",
        json!({"app": "web", "tier": "frontend"}),
        2,
        2,
        3000,
        "nginx:1.27",
    ));
    out.push(w(
        "Deployment",
        "shop",
        "api",
        json!({"app": "api", "tier": "backend"}),
        1,
        0,
        200,
        "shop/api:2.3.1",
    ));
    out.push(w(
        "ReplicaSet",
        "shop",
        "api-6f8d7c9b5",
        json!({"app": "api", "tier": "backend"}),
        1,
        0,
        200,
        "shop/api:2.3.1",
    ));
    out.push(w(
        "Deployment",
        "shop",
        "worker",
        json!({"app": "worker", "tier": "backend"}),
        1,
        0,
        30,
        "shop/worker:1.0",
    ));
    out.push(w(
        "ReplicaSet",
        "shop",
        "worker-5b9f7d6c4",
        json!({"app": "worker", "tier": "backend"}),
        1,
        0,
        30,
        "shop/worker:1.0",
    ));
    out.push(w(
        "StatefulSet",
        "shop",
        "db",
        json!({"app": "db", "tier": "backend"}),
        1,
        1,
        19000,
        "postgres:16",
    ));

    // Jobs and the cron job that makes them
    let job = |name: &str, succeeded: i64, failed: i64, age: u64| {
        let mut status = json!({"startTime": ago(base, age), "active": 0, "ready": 0, "succeeded": succeeded, "failed": failed});
        if succeeded > 0 {
            status["completionTime"] = json!(ago(base, age.saturating_sub(2)));
        }
        status["conditions"] = if succeeded > 0 {
            json!([{"type": "Complete", "status": "True", "lastProbeTime": ago(base, age - 2), "lastTransitionTime": ago(base, age - 2)}])
        } else {
            json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
                    "lastProbeTime": ago(base, age - 2), "lastTransitionTime": ago(base, age - 2)}])
        };
        let mut metadata = meta(
            Some("batch"),
            name,
            json!({"job-name": name}),
            &ago(base, age),
        );
        if name.starts_with("report-") {
            metadata["ownerReferences"] =
                owner("CronJob", "batch/v1", "cronjobs", "batch", "report");
        }
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
               "spec": {"completions": 1, "parallelism": 1, "backoffLimit": if failed > 0 { 0 } else { 6 },
                        "selector": {"matchLabels": {"job-name": name}},
                        "template": {"metadata": {"labels": {"job-name": name}}, "spec": {"containers": [{"name": name.split('-').next().unwrap(), "image": "shop/tools:1.0"}], "restartPolicy": "Never"}}},
               "status": status})
    };
    out.push(job("report-28930140", 1, 0, 10));
    out.push(job("migrate", 0, 1, 600));
    out.push(json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": meta(Some("batch"), "report", json!({"app": "report"}), &ago(base, 10000)),
        "spec": {"schedule": "*/30 * * * *", "concurrencyPolicy": "Forbid", "suspend": false,
                 "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                 "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "report", "image": "shop/tools:1.0"}], "restartPolicy": "Never"}}}}},
        "status": {"lastScheduleTime": ago(base, 10), "lastSuccessfulTime": ago(base, 8)}
    }));

    // Pods
    let p = |ns, name, node, phase, labels, owner, containers, age_min, ip| {
        pod(
            base,
            PodSpec {
                ns,
                name,
                node,
                phase,
                labels,
                owner,
                containers,
                age_min,
                ip,
            },
        )
    };
    let rs = |name| Some(("ReplicaSet", "apps/v1", "replicasets", name));
    out.push(p(
        "kube-system",
        "coredns-5d78c9869d-abcde",
        Some("node-a"),
        "Running",
        json!({"k8s-app": "kube-dns", "pod-template-hash": "5d78c9869d"}),
        rs("coredns-5d78c9869d"),
        &[("coredns", "coredns/coredns:1.11.1")],
        43000,
        "10.244.1.2",
    ));
    for (name, node, ip) in [
        ("kube-proxy-8xk2l", "node-a", "10.0.0.11"),
        ("kube-proxy-q7v4n", "node-b", "10.0.0.12"),
    ] {
        out.push(p(
            "kube-system",
            name,
            Some(node),
            "Running",
            json!({"k8s-app": "kube-proxy", "controller-revision-hash": "6b8c8b5d9f"}),
            Some(("DaemonSet", "apps/v1", "daemonsets", "kube-proxy")),
            &[("kube-proxy", "registry.k8s.io/kube-proxy:v1.33.0")],
            43000,
            ip,
        ));
    }
    out.push(p(
        "shop",
        "web-7c5d8f6b9-2xk4p",
        Some("node-a"),
        "Running",
        json!({"app": "web", "tier": "frontend", "pod-template-hash": "7c5d8f6b9"}),
        rs("web-7c5d8f6b9"),
        &[("web", "nginx:1.27")],
        3000,
        "10.244.1.10",
    ));
    out.push(p(
        "shop",
        "web-7c5d8f6b9-9qm7z",
        Some("node-b"),
        "Running",
        json!({"app": "web", "tier": "frontend", "pod-template-hash": "7c5d8f6b9"}),
        rs("web-7c5d8f6b9"),
        &[("web", "nginx:1.27")],
        3000,
        "10.244.2.10",
    ));
    // Crash-looping: running phase, its container waiting in CrashLoopBackOff after 7 restarts.
    let mut api = p(
        "shop",
        "api-6f8d7c9b5-lmn3q",
        Some("node-a"),
        "Running",
        json!({"app": "api", "tier": "backend", "pod-template-hash": "6f8d7c9b5"}),
        rs("api-6f8d7c9b5"),
        &[("api", "shop/api:2.3.1")],
        200,
        "10.244.1.11",
    );
    api["status"]["containerStatuses"][0]["restartCount"] = json!(7);
    api["status"]["containerStatuses"][0]["ready"] = json!(false);
    api["status"]["containerStatuses"][0]["started"] = json!(false);
    api["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=api pod=api-6f8d7c9b5-lmn3q_shop(...)"}});
    api["status"]["containerStatuses"][0]["lastState"] = json!({"terminated": {
        "exitCode": 1, "reason": "Error", "startedAt": ago(base, 3), "finishedAt": ago(base, 2),
        "containerID": format!("containerd://{}", uid("api-previous").replace('-', ""))
    }});
    for c in api["status"]["conditions"].as_array_mut().unwrap() {
        if c["type"] == "Ready" || c["type"] == "ContainersReady" {
            c["status"] = json!("False");
            c["reason"] = json!("ContainersNotReady");
            c["message"] = json!("containers with unready status: [api]");
        }
    }
    out.push(api);
    out.push(p(
        "shop",
        "db-0",
        Some("node-b"),
        "Running",
        json!({"app": "db", "tier": "backend", "statefulset.kubernetes.io/pod-name": "db-0"}),
        Some(("StatefulSet", "apps/v1", "statefulsets", "db")),
        &[("postgres", "postgres:16")],
        19000,
        "10.244.2.11",
    ));
    // Pending: no node fits.
    let mut pending = p(
        "shop",
        "worker-5b9f7d6c4-zt8wq",
        None,
        "Pending",
        json!({"app": "worker", "tier": "backend", "pod-template-hash": "5b9f7d6c4"}),
        rs("worker-5b9f7d6c4"),
        &[("worker", "shop/worker:1.0")],
        30,
        "",
    );
    for c in pending["status"]["conditions"].as_array_mut().unwrap() {
        if c["type"] == "PodScheduled" {
            c["reason"] = json!("Unschedulable");
            c["message"] = json!("0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: batch}.");
        }
    }
    let scheduled = pending["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .unwrap()
        .clone();
    pending["status"]["conditions"] = json!([scheduled]);
    out.push(pending);
    out.push(p(
        "batch",
        "report-28930140-x7k2p",
        Some("node-b"),
        "Succeeded",
        json!({"job-name": "report-28930140", "batch.kubernetes.io/job-name": "report-28930140"}),
        Some(("Job", "batch/v1", "jobs", "report-28930140")),
        &[("report", "shop/tools:1.0")],
        10,
        "10.244.2.12",
    ));
    out.push(p(
        "batch",
        "migrate-4kq9s",
        Some("node-b"),
        "Failed",
        json!({"job-name": "migrate", "batch.kubernetes.io/job-name": "migrate"}),
        Some(("Job", "batch/v1", "jobs", "migrate")),
        &[("migrate", "shop/tools:1.0")],
        600,
        "10.244.2.13",
    ));
    out.push(p(
        "default",
        "busybox",
        Some("node-a"),
        "Running",
        json!({"run": "busybox"}),
        None,
        &[("main", "busybox:1.36"), ("sidecar", "busybox:1.36")],
        60,
        "10.244.1.20",
    ));

    // Services, endpoint slices, ingress
    let svc = |ns: &str, name: &str, selector: Value, ip: &str, port: i64, age: u64| {
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": meta(Some(ns), name, json!({"app": name}), &ago(base, age)),
               "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "selector": selector,
                        "ports": [{"name": "http", "protocol": "TCP", "port": port, "targetPort": port}],
                        "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"},
               "status": {"loadBalancer": {}}})
    };
    let mut kubernetes = svc(
        "default",
        "kubernetes",
        Value::Null,
        "10.96.0.1",
        443,
        43200,
    );
    kubernetes["spec"]
        .as_object_mut()
        .unwrap()
        .remove("selector");
    kubernetes["metadata"]["labels"] = json!({"component": "apiserver", "provider": "kubernetes"});
    out.push(kubernetes);
    out.push(svc(
        "kube-system",
        "kube-dns",
        json!({"k8s-app": "kube-dns"}),
        "10.96.0.10",
        53,
        43200,
    ));
    out.push(svc(
        "shop",
        "web",
        json!({"app": "web"}),
        "10.96.10.1",
        80,
        3000,
    ));
    out.push(svc(
        "shop",
        "api",
        json!({"app": "api"}),
        "10.96.10.2",
        8080,
        200,
    ));
    out.push(svc(
        "shop",
        "db",
        json!({"app": "db"}),
        "10.96.10.3",
        5432,
        19000,
    ));
    out.push(json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "web-8x2kq", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                     "creationTimestamp": ago(base, 3000), "ownerReferences": owner("Service", "v1", "services", "shop", "web")},
        "addressType": "IPv4",
        "endpoints": [
            {"addresses": ["10.244.1.10"], "conditions": {"ready": true, "serving": true, "terminating": false}, "nodeName": "node-a",
             "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7c5d8f6b9-2xk4p"}},
            {"addresses": ["10.244.2.10"], "conditions": {"ready": true, "serving": true, "terminating": false}, "nodeName": "node-b",
             "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7c5d8f6b9-9qm7z"}}
        ],
        "ports": [{"name": "http", "protocol": "TCP", "port": 80}]
    }));
    out.push(json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "api-f6h2m", "namespace": "shop", "labels": {"kubernetes.io/service-name": "api"},
                     "creationTimestamp": ago(base, 200), "ownerReferences": owner("Service", "v1", "services", "shop", "api")},
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.244.1.11"], "conditions": {"ready": false, "serving": false, "terminating": false}, "nodeName": "node-a",
                       "targetRef": {"kind": "Pod", "namespace": "shop", "name": "api-6f8d7c9b5-lmn3q"}}],
        "ports": [{"name": "http", "protocol": "TCP", "port": 8080}]
    }));
    out.push(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": meta(Some("shop"), "web", json!({"app": "web"}), &ago(base, 3000)),
        "spec": {"ingressClassName": "nginx", "rules": [{"host": "shop.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
            {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 8080}}}}
        ]}}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    }));

    // Volumes
    out.push(json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": meta(Some("shop"), "data-db-0", json!({"app": "db"}), &ago(base, 19000)),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, "storageClassName": "standard",
                 "volumeName": "pvc-3f9a2c1e", "volumeMode": "Filesystem"},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}
    }));
    out.push(json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": meta(None, "pvc-3f9a2c1e", json!({}), &ago(base, 19000)),
        "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
                 "storageClassName": "standard", "volumeMode": "Filesystem", "hostPath": {"path": "/var/lib/pv/pvc-3f9a2c1e"},
                 "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "shop", "name": "data-db-0", "apiVersion": "v1"}},
        "status": {"phase": "Bound"}
    }));

    // Config maps (kubeglass shows their metadata only) and secrets (kubeglass never reads them)
    out.push(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "api-config", "namespace": "shop", "labels": {"app": "api"}, "creationTimestamp": ago(base, 200),
                     "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"data\":{\"DB_HOST\":\"db-0.db\",\"FEATURE_FLAGS\":\"checkout-v2\"},\"kind\":\"ConfigMap\"}\n"}},
        "data": {"DB_HOST": "db-0.db", "FEATURE_FLAGS": "checkout-v2"},
        "binaryData": {"logo.png": "iVBORw0KGgo="}
    }));
    out.push(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kube-root-ca.crt", "namespace": "default", "creationTimestamp": ago(base, 43200)},
        "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"}
    }));
    out.push(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "db-password", "namespace": "shop", "creationTimestamp": ago(base, 19000)},
        "data": {"password": "aHVudGVyMg=="}
    }));
    out.push(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": "web-tls", "namespace": "shop", "creationTimestamp": ago(base, 3000)},
        "data": {"tls.crt": "LS0tLS1CRUdJTg==", "tls.key": "LS0tLS1CRUdJTg=="}
    }));

    // Events
    let ev = |ns, object, kind, reason, message, count, age| {
        event(base, ns, object, kind, reason, message, count, age)
    };
    out.push(ev(
        "shop",
        ("Pod", "api-6f8d7c9b5-lmn3q"),
        "Warning",
        "BackOff",
        "Back-off restarting failed container api in pod api-6f8d7c9b5-lmn3q_shop(...)",
        31,
        190,
    ));
    out.push(ev(
        "shop",
        ("Pod", "api-6f8d7c9b5-lmn3q"),
        "Normal",
        "Pulled",
        "Container image \"shop/api:2.3.1\" already present on machine",
        8,
        200,
    ));
    out.push(ev("shop", ("Pod", "worker-5b9f7d6c4-zt8wq"), "Warning", "FailedScheduling", "0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: batch}.", 6, 30));
    out.push(ev(
        "shop",
        ("Pod", "web-7c5d8f6b9-2xk4p"),
        "Normal",
        "Started",
        "Started container web",
        1,
        3000,
    ));
    out.push(ev(
        "batch",
        ("Job", "migrate"),
        "Warning",
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        1,
        598,
    ));
    out.push(ev(
        "batch",
        ("Job", "report-28930140"),
        "Normal",
        "Completed",
        "Job completed",
        1,
        8,
    ));
    out.push(ev(
        "kube-system",
        ("Pod", "coredns-5d78c9869d-abcde"),
        "Normal",
        "Scheduled",
        "Successfully assigned kube-system/coredns-5d78c9869d-abcde to node-a",
        1,
        43000,
    ));
    out
}
