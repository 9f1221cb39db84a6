//! What the Kubernetes pages show of an object, computed as `kubectl get` and the Kubernetes
//! Dashboard compute it: a pod's STATUS (`CrashLoopBackOff`, `Completed`, `Init:0/1`, ...),
//! READY `1/2` and RESTARTS, a workload's ready/desired, a node's Ready condition, `AGE`
//! strings, events, and label selectors for filtering lists in the browser.
//!
//! Objects are the API server's own JSON; a field that is missing or of the wrong type reads
//! as absent, so a strange object shows as much as can be read rather than failing the page.

use crate::k8s::WatchMessage;
use crate::time::{parse_time, TimeExpr};
use serde_json::Value;
use std::collections::BTreeMap;

/// Pod phases, in the order the pages list them.
pub const PHASES: &[&str] = &["Pending", "Running", "Succeeded", "Failed", "Unknown"];

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

fn arr<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `metadata.name`.
pub fn name(obj: &Value) -> &str {
    s(obj, "/metadata/name")
}

/// `metadata.namespace` (empty for cluster-scoped objects).
pub fn namespace(obj: &Value) -> &str {
    s(obj, "/metadata/namespace")
}

/// The key a live list holds an object under: its `metadata.uid`, else `namespace/name`.
/// `None` for an object with neither (it cannot be told apart from others).
pub fn object_key(obj: &Value) -> Option<String> {
    let uid = s(obj, "/metadata/uid");
    if !uid.is_empty() {
        return Some(uid.to_string());
    }
    let name = name(obj);
    (!name.is_empty()).then(|| format!("{}/{name}", namespace(obj)))
}

/// Milliseconds since the epoch of a Kubernetes timestamp (`2024-05-01T10:00:00Z`, or
/// MicroTime `2024-05-01T10:00:00.123456Z`).
pub fn timestamp_ms(ts: &str) -> Option<i64> {
    if ts.is_empty() {
        return None;
    }
    match parse_time(ts) {
        Ok(TimeExpr::Absolute(ms)) => Some(ms),
        _ => None,
    }
}

/// A duration as kubectl prints ages (`HumanDuration` of apimachinery): `45s`, `3m20s`, `25m`,
/// `5h30m`, `20h`, `3d4h`, `120d`, `3y20d`, `10y`.
pub fn human_duration(ms: i64) -> String {
    let secs = ms / 1000;
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{h}h")
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = hours / 24 / 365;
    if hours < 24 * 365 * 8 {
        let d = days % 365;
        return if d == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{d}d")
        };
    }
    format!("{years}y")
}

/// The age of a timestamp at `now_ms`, as kubectl's AGE column; `<unknown>` without one.
pub fn age(ts: &str, now_ms: i64) -> String {
    match timestamp_ms(ts) {
        Some(t) => human_duration(now_ms - t),
        None => "<unknown>".into(),
    }
}

/// The age of an object (`metadata.creationTimestamp`).
pub fn object_age(obj: &Value, now_ms: i64) -> String {
    age(s(obj, "/metadata/creationTimestamp"), now_ms)
}

/// The controller that owns an object, as `Kind/name` (`ReplicaSet/web-5d9c`).
pub fn owner(obj: &Value) -> Option<String> {
    let refs = arr(obj, "/metadata/ownerReferences");
    let r = refs
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .or(refs.first())?;
    Some(format!("{}/{}", s(r, "/kind"), s(r, "/name")))
}

/// A pod as `kubectl get pods` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PodSummary {
    /// STATUS: the phase, or the reason that explains it better (`CrashLoopBackOff`,
    /// `Completed`, `Init:0/1`, `Terminating`, ...).
    pub status: String,
    /// `status.phase` as the API gives it.
    pub phase: String,
    pub ready: usize,
    pub total: usize,
    pub restarts: i64,
    /// When a container last finished before restarting (`lastState.terminated.finishedAt`).
    pub last_restart_ms: Option<i64>,
    pub node: String,
    pub ip: String,
    pub owner: Option<String>,
}

impl PodSummary {
    /// READY: `1/2`.
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// RESTARTS as kubectl 1.25+ prints it: `5 (3m ago)`, or `0`.
    pub fn restarts_text(&self, now_ms: i64) -> String {
        match self.last_restart_ms {
            Some(t) if self.restarts > 0 => {
                format!("{} ({} ago)", self.restarts, human_duration(now_ms - t))
            }
            _ => self.restarts.to_string(),
        }
    }

    /// Whether the pod is in a state that needs a look (the pages colour it).
    pub fn is_problem(&self) -> bool {
        !matches!(self.status.as_str(), "Running" | "Completed" | "Succeeded")
            || (self.status == "Running" && self.ready < self.total)
    }
}

fn condition_true(obj: &Value, kind: &str) -> bool {
    arr(obj, "/status/conditions")
        .iter()
        .any(|c| s(c, "/type") == kind && s(c, "/status") == "True")
}

/// Summarises a pod as kubectl's `printPod` does.
pub fn pod_summary(pod: &Value) -> PodSummary {
    let phase = s(pod, "/status/phase").to_string();
    let mut reason = if s(pod, "/status/reason").is_empty() {
        phase.clone()
    } else {
        s(pod, "/status/reason").to_string()
    };
    let total = arr(pod, "/spec/containers").len();
    let mut ready = 0;
    let mut restarts = 0i64;
    let mut last_restart_ms: Option<i64> = None;
    let mut note_restart = |c: &Value, restarts: &mut i64| {
        *restarts += int(c, "/restartCount").unwrap_or(0);
        if let Some(t) = timestamp_ms(s(c, "/lastState/terminated/finishedAt")) {
            last_restart_ms = Some(last_restart_ms.map_or(t, |l| l.max(t)));
        }
    };

    let init_specs = arr(pod, "/spec/initContainers");
    // Sidecars (init containers with `restartPolicy: Always`) keep running beside the others.
    let is_sidecar = |name: &str| {
        init_specs
            .iter()
            .any(|c| s(c, "/name") == name && s(c, "/restartPolicy") == "Always")
    };
    let mut initializing = false;
    let mut sidecar_restarts = 0i64;
    for (i, c) in arr(pod, "/status/initContainerStatuses").iter().enumerate() {
        note_restart(c, &mut restarts);
        let sidecar = is_sidecar(s(c, "/name"));
        if sidecar {
            sidecar_restarts += int(c, "/restartCount").unwrap_or(0);
        }
        let term = c.pointer("/state/terminated");
        let waiting_reason = s(c, "/state/waiting/reason");
        if term.is_some() && int(c, "/state/terminated/exitCode") == Some(0) {
            continue;
        }
        if sidecar && c.get("started").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        initializing = true;
        reason = if let Some(t) = term {
            let r = s(t, "/reason");
            if !r.is_empty() {
                format!("Init:{r}")
            } else if int(t, "/signal").unwrap_or(0) != 0 {
                format!("Init:Signal:{}", int(t, "/signal").unwrap_or(0))
            } else {
                format!("Init:ExitCode:{}", int(t, "/exitCode").unwrap_or(0))
            }
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            format!("Init:{waiting_reason}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        break;
    }

    if !initializing || condition_true(pod, "Initialized") {
        restarts = sidecar_restarts;
        let mut has_running = false;
        for c in arr(pod, "/status/containerStatuses").iter().rev() {
            note_restart(c, &mut restarts);
            let waiting = s(c, "/state/waiting/reason");
            let term = c.pointer("/state/terminated");
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if let Some(t) = term {
                let r = s(t, "/reason");
                reason = if !r.is_empty() {
                    r.to_string()
                } else if int(t, "/signal").unwrap_or(0) != 0 {
                    format!("Signal:{}", int(t, "/signal").unwrap_or(0))
                } else {
                    format!("ExitCode:{}", int(t, "/exitCode").unwrap_or(0))
                };
            } else if c.get("ready").and_then(Value::as_bool) == Some(true)
                && c.pointer("/state/running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(pod, "Ready") {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        reason = if s(pod, "/status/reason") == "NodeLost" {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    if reason.is_empty() {
        reason = "Unknown".into();
    }

    PodSummary {
        status: reason,
        phase,
        ready,
        total,
        restarts,
        last_restart_ms,
        node: s(pod, "/spec/nodeName").to_string(),
        ip: s(pod, "/status/podIP").to_string(),
        owner: owner(pod),
    }
}

/// A container's state as the pod detail shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerState {
    Running {
        started_at: String,
    },
    Waiting {
        reason: String,
        message: String,
    },
    Terminated {
        reason: String,
        exit_code: i64,
        signal: i64,
        message: String,
        finished_at: String,
    },
    /// No status reported yet.
    Unknown,
}

impl ContainerState {
    fn read(state: Option<&Value>) -> ContainerState {
        let Some(state) = state else {
            return ContainerState::Unknown;
        };
        if let Some(r) = state.get("running") {
            ContainerState::Running {
                started_at: s(r, "/startedAt").into(),
            }
        } else if let Some(w) = state.get("waiting") {
            ContainerState::Waiting {
                reason: s(w, "/reason").into(),
                message: s(w, "/message").into(),
            }
        } else if let Some(t) = state.get("terminated") {
            ContainerState::Terminated {
                reason: s(t, "/reason").into(),
                exit_code: int(t, "/exitCode").unwrap_or(0),
                signal: int(t, "/signal").unwrap_or(0),
                message: s(t, "/message").into(),
                finished_at: s(t, "/finishedAt").into(),
            }
        } else {
            ContainerState::Unknown
        }
    }

    /// `running`, `waiting`, `terminated` or `unknown` (a stable attribute for tests and CSS).
    pub fn name(&self) -> &'static str {
        match self {
            ContainerState::Running { .. } => "running",
            ContainerState::Waiting { .. } => "waiting",
            ContainerState::Terminated { .. } => "terminated",
            ContainerState::Unknown => "unknown",
        }
    }

    /// One line: `Running since 5m`, `Waiting: CrashLoopBackOff`, `Terminated: Error (exit 1)`.
    pub fn describe(&self, now_ms: i64) -> String {
        match self {
            ContainerState::Running { started_at } => {
                format!("Running, started {} ago", age(started_at, now_ms))
            }
            ContainerState::Waiting { reason, .. } if reason.is_empty() => "Waiting".into(),
            ContainerState::Waiting { reason, .. } => format!("Waiting: {reason}"),
            ContainerState::Terminated {
                reason,
                exit_code,
                signal,
                ..
            } => {
                let reason = if reason.is_empty() {
                    "Terminated"
                } else {
                    reason
                };
                if *signal != 0 {
                    format!("Terminated: {reason} (signal {signal})")
                } else {
                    format!("Terminated: {reason} (exit code {exit_code})")
                }
            }
            ContainerState::Unknown => "Unknown".into(),
        }
    }

    /// The message that came with the state, if any.
    pub fn message(&self) -> &str {
        match self {
            ContainerState::Waiting { message, .. }
            | ContainerState::Terminated { message, .. } => message,
            _ => "",
        }
    }
}

/// A container of a pod, with its spec and status.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerView {
    pub name: String,
    pub image: String,
    pub init: bool,
    pub ready: bool,
    pub restarts: i64,
    pub state: ContainerState,
    /// The state it was in before its last restart (`lastState`), if it restarted.
    pub last_state: Option<ContainerState>,
}

/// Every container of a pod (init containers first), each with its status.
pub fn containers(pod: &Value) -> Vec<ContainerView> {
    let mut out = Vec::new();
    for (init, specs, statuses) in [
        (
            true,
            "/spec/initContainers",
            "/status/initContainerStatuses",
        ),
        (false, "/spec/containers", "/status/containerStatuses"),
    ] {
        let statuses = arr(pod, statuses);
        for spec in arr(pod, specs) {
            let name = s(spec, "/name");
            let st = statuses.iter().find(|c| s(c, "/name") == name);
            let last = st
                .and_then(|c| c.get("lastState"))
                .map(|l| ContainerState::read(Some(l)))
                .filter(|l| *l != ContainerState::Unknown);
            out.push(ContainerView {
                name: name.into(),
                image: s(spec, "/image").into(),
                init,
                ready: st.and_then(|c| c.get("ready")).and_then(Value::as_bool) == Some(true),
                restarts: st.and_then(|c| int(c, "/restartCount")).unwrap_or(0),
                state: ContainerState::read(st.and_then(|c| c.get("state"))),
                last_state: last,
            });
        }
    }
    out
}

/// How many pods are in each phase, in [`PHASES`] order (phases with none included), then any
/// phase outside the list.
pub fn count_by_phase<'a>(pods: impl IntoIterator<Item = &'a Value>) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = PHASES.iter().map(|p| (p.to_string(), 0)).collect();
    for pod in pods {
        let phase = match s(pod, "/status/phase") {
            "" => "Unknown",
            p => p,
        };
        match counts.iter_mut().find(|(p, _)| p == phase) {
            Some((_, n)) => *n += 1,
            None => counts.push((phase.to_string(), 1)),
        }
    }
    counts
}

/// A workload (deployment, statefulset, daemonset or job) with its ready and desired counts.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSummary {
    /// `Deployment`, `StatefulSet`, `DaemonSet` or `Job`.
    pub kind: &'static str,
    pub ready: i64,
    pub desired: i64,
    /// Deployments: UP-TO-DATE; daemonsets: updated scheduled.
    pub up_to_date: Option<i64>,
    /// Deployments and daemonsets: AVAILABLE.
    pub available: Option<i64>,
    /// Jobs: `Complete`, `Failed` or `Running`; others: empty.
    pub status: String,
}

impl WorkloadSummary {
    /// `2/3`.
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready, self.desired)
    }

    /// Whether it is where it should be: every desired replica ready (a job: not failed).
    pub fn healthy(&self) -> bool {
        if self.kind == "Job" {
            self.status != "Failed"
        } else {
            self.ready >= self.desired
        }
    }
}

/// Reads a workload of the allowlisted plural `kind`; `None` for other kinds.
pub fn workload_summary(kind: &str, obj: &Value) -> Option<WorkloadSummary> {
    let n = |p: &str| int(obj, p).unwrap_or(0);
    Some(match kind {
        "deployments" | "statefulsets" => WorkloadSummary {
            kind: if kind == "deployments" {
                "Deployment"
            } else {
                "StatefulSet"
            },
            ready: n("/status/readyReplicas"),
            desired: int(obj, "/spec/replicas").unwrap_or(1),
            up_to_date: Some(n("/status/updatedReplicas")),
            available: (kind == "deployments").then(|| n("/status/availableReplicas")),
            status: String::new(),
        },
        "daemonsets" => WorkloadSummary {
            kind: "DaemonSet",
            ready: n("/status/numberReady"),
            desired: n("/status/desiredNumberScheduled"),
            up_to_date: Some(n("/status/updatedNumberScheduled")),
            available: Some(n("/status/numberAvailable")),
            status: String::new(),
        },
        "jobs" => {
            let status = if condition_true(obj, "Complete") {
                "Complete"
            } else if condition_true(obj, "Failed") {
                "Failed"
            } else if obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
                "Suspended"
            } else {
                "Running"
            };
            WorkloadSummary {
                kind: "Job",
                ready: n("/status/succeeded"),
                desired: int(obj, "/spec/completions").unwrap_or(1),
                up_to_date: None,
                available: None,
                status: status.into(),
            }
        }
        _ => return None,
    })
}

/// A node condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub kind: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition: String,
}

impl Condition {
    /// Whether the condition is as it should be: `Ready` true, every pressure condition false.
    pub fn healthy(&self) -> bool {
        if self.kind == "Ready" {
            self.status == "True"
        } else {
            self.status == "False"
        }
    }
}

/// A node as `kubectl get nodes` and `kubectl describe node` show it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSummary {
    /// STATUS: `Ready`, `NotReady` or `Unknown`, with `,SchedulingDisabled` when cordoned.
    pub status: String,
    pub ready: bool,
    /// ROLES from the `node-role.kubernetes.io/ROLE` labels, `<none>` without.
    pub roles: String,
    pub version: String,
    pub internal_ip: String,
    pub os_image: String,
    pub conditions: Vec<Condition>,
    /// `(resource, capacity, allocatable)` in the API's order of capacity.
    pub resources: Vec<(String, String, String)>,
    /// `key=value:Effect`.
    pub taints: Vec<String>,
}

/// Summarises a node.
pub fn node_summary(node: &Value) -> NodeSummary {
    let conditions: Vec<Condition> = arr(node, "/status/conditions")
        .iter()
        .map(|c| Condition {
            kind: s(c, "/type").into(),
            status: s(c, "/status").into(),
            reason: s(c, "/reason").into(),
            message: s(c, "/message").into(),
            last_transition: s(c, "/lastTransitionTime").into(),
        })
        .collect();
    let ready_status = conditions
        .iter()
        .find(|c| c.kind == "Ready")
        .map(|c| c.status.as_str());
    let mut status = match ready_status {
        Some("True") => "Ready",
        Some("False") => "NotReady",
        _ => "Unknown",
    }
    .to_string();
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<&str> = node
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .filter(|r| !r.is_empty())
                .collect()
        })
        .unwrap_or_default();
    roles.sort_unstable();
    let quantity = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let resources = node
        .pointer("/status/capacity")
        .and_then(Value::as_object)
        .map(|cap| {
            cap.iter()
                .map(|(k, v)| {
                    let alloc = node.pointer("/status/allocatable").and_then(|a| a.get(k));
                    (k.clone(), quantity(Some(v)), quantity(alloc))
                })
                .collect()
        })
        .unwrap_or_default();
    let taints = arr(node, "/spec/taints")
        .iter()
        .map(|t| {
            let value = s(t, "/value");
            let eq = if value.is_empty() {
                String::new()
            } else {
                format!("={value}")
            };
            format!("{}{eq}:{}", s(t, "/key"), s(t, "/effect"))
        })
        .collect();
    let internal_ip = arr(node, "/status/addresses")
        .iter()
        .find(|a| s(a, "/type") == "InternalIP")
        .map(|a| s(a, "/address").to_string())
        .unwrap_or_default();
    NodeSummary {
        ready: ready_status == Some("True"),
        status,
        roles: if roles.is_empty() {
            "<none>".into()
        } else {
            roles.join(",")
        },
        version: s(node, "/status/nodeInfo/kubeletVersion").into(),
        internal_ip,
        os_image: s(node, "/status/nodeInfo/osImage").into(),
        conditions,
        resources,
        taints,
    }
}

/// Reads a resource quantity (`250m`, `16318440Ki`, `2Gi`, `1.5`, `1e3`, `500M`) as a number
/// of base units (cores, bytes).
pub fn parse_quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    n.is_finite().then_some(n * factor)
}

/// A capacity figure for people: memory and storage in binary units (`15.6 GiB`), others as
/// given (`8` CPUs, `110` pods).
pub fn format_resource(resource: &str, quantity: &str) -> String {
    let bytes =
        resource == "memory" || resource.contains("storage") || resource.starts_with("hugepages-");
    match parse_quantity(quantity) {
        Some(v) if bytes => {
            crate::display::units::format_value(v, Some("bytes"), Some(1)).to_string()
        }
        _ => quantity.to_string(),
    }
}

/// An event as `kubectl get events` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    /// `Normal` or `Warning`.
    pub kind: String,
    pub reason: String,
    /// `Kind/name` of the object it is about.
    pub object: String,
    pub object_kind: String,
    pub object_name: String,
    pub namespace: String,
    pub message: String,
    pub count: i64,
    /// When it was last seen (ms), for sorting and LAST SEEN.
    pub last_seen_ms: Option<i64>,
    pub source: String,
}

/// Reads a `v1` Event (also those written through `events.k8s.io`, which fill other fields).
pub fn event_view(ev: &Value) -> EventView {
    let last_seen_ms = [
        "/lastTimestamp",
        "/series/lastObservedTime",
        "/eventTime",
        "/firstTimestamp",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .find_map(|p| timestamp_ms(s(ev, p)));
    let count = int(ev, "/count")
        .or_else(|| int(ev, "/series/count"))
        .unwrap_or(1);
    let source = match s(ev, "/source/component") {
        "" => s(ev, "/reportingComponent"),
        c => c,
    };
    let (object_kind, object_name) = (s(ev, "/involvedObject/kind"), s(ev, "/involvedObject/name"));
    EventView {
        kind: s(ev, "/type").into(),
        reason: s(ev, "/reason").into(),
        object: format!("{}/{}", object_kind.to_lowercase(), object_name),
        object_kind: object_kind.into(),
        object_name: object_name.into(),
        namespace: match s(ev, "/involvedObject/namespace") {
            "" => namespace(ev).into(),
            ns => ns.into(),
        },
        message: s(ev, "/message").into(),
        count,
        last_seen_ms,
        source: source.into(),
    }
}

/// Events sorted newest first.
pub fn events_newest_first<'a>(events: impl IntoIterator<Item = &'a Value>) -> Vec<EventView> {
    let mut v: Vec<EventView> = events.into_iter().map(event_view).collect();
    crate::sort::sort_by_key(&mut v, |e| std::cmp::Reverse(e.last_seen_ms));
    v
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A label selector in Kubernetes' string form (`app=web,tier!=db,env in (prod,qa),!legacy`),
/// for filtering a live list in the browser as the API server would.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector(pub Vec<Requirement>);

/// The longest label selector accepted (the API server's own limits are near this).
pub const MAX_SELECTOR_LEN: usize = 1024;

fn valid_label_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    name_ok && prefix.is_none_or(is_dns_subdomain)
}

fn valid_label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// Whether `s` is a DNS-1123 subdomain (the form of most object names): lower-case
/// alphanumerics, `-` and `.`, starting and ending alphanumeric, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether `s` is a DNS-1123 label (the form of namespace names): as a subdomain without
/// dots, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    s.len() <= 63 && !s.contains('.') && is_dns_subdomain(s)
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err("unbalanced parentheses".into());
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    parts.push(&s[start..]);
    Ok(parts)
}

impl LabelSelector {
    /// Reads a selector; an empty string selects everything. Errors name the part that is
    /// wrong.
    pub fn parse(input: &str) -> Result<LabelSelector, String> {
        if input.len() > MAX_SELECTOR_LEN {
            return Err(format!(
                "label selector is longer than {MAX_SELECTOR_LEN} characters"
            ));
        }
        let input = input.trim();
        if input.is_empty() {
            return Ok(LabelSelector::default());
        }
        let mut reqs = Vec::new();
        for part in split_top_level(input).map_err(|e| format!("label selector: {e}"))? {
            let p = part.trim();
            let bad = |why: &str| format!("label selector `{p}`: {why}");
            let key_ok = |k: &str| {
                if valid_label_key(k) {
                    Ok(k.to_string())
                } else {
                    Err(bad(&format!("`{k}` is not a valid label key")))
                }
            };
            let value_ok = |v: &str| {
                let v = v.trim();
                if valid_label_value(v) {
                    Ok(v.to_string())
                } else {
                    Err(bad(&format!("`{v}` is not a valid label value")))
                }
            };
            if p.is_empty() {
                return Err("label selector: empty requirement (two commas in a row?)".into());
            }
            let words: Vec<&str> = p.split_whitespace().collect();
            let set_op = words.get(1).filter(|w| {
                **w == "in" || **w == "notin" || w.starts_with("in(") || w.starts_with("notin(")
            });
            if let Some(op) = set_op {
                let key = key_ok(words[0])?;
                let rest = p[words[0].len()..].trim_start();
                let notin = op.starts_with("notin");
                let rest = rest[if notin { 5 } else { 2 }..].trim();
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| bad("expected a list of values in parentheses"))?;
                let values = inner
                    .split(',')
                    .map(value_ok)
                    .collect::<Result<Vec<_>, _>>()?;
                reqs.push(if notin {
                    Requirement::NotIn(key, values)
                } else {
                    Requirement::In(key, values)
                });
            } else if let Some((k, v)) = p.split_once("!=") {
                reqs.push(Requirement::NotEquals(key_ok(k.trim())?, value_ok(v)?));
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                reqs.push(Requirement::Equals(key_ok(k.trim())?, value_ok(v)?));
            } else if let Some(k) = p.strip_prefix('!') {
                reqs.push(Requirement::DoesNotExist(key_ok(k.trim())?));
            } else {
                reqs.push(Requirement::Exists(key_ok(p).map_err(|_| {
                    bad("expected `key`, `!key`, `key=value`, `key!=value`, `key in (a,b)` or `key notin (a,b)`")
                })?));
            }
        }
        Ok(LabelSelector(reqs))
    }

    /// Whether an object's `metadata.labels` match every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// The most objects a live list holds; a watch that would exceed it is refused.
pub const MAX_LIVE_OBJECTS: usize = 100_000;

/// The longest watch message read (a snapshot of a big cluster is large, but bounded).
pub const MAX_WATCH_MESSAGE_BYTES: usize = 64 << 20;

/// What a watch message did to a [`LiveList`].
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The list was replaced; `resynced` after the server had to relist.
    Snapshot {
        resynced: bool,
    },
    Changed,
    /// The server reports the upstream unreachable; the list is kept as it was.
    UpstreamError(String),
}

/// A list kept up to date by the watch WebSocket: objects keyed by [`object_key`].
#[derive(Debug, Clone, PartialEq)]
pub struct LiveList<T> {
    pub objects: BTreeMap<String, T>,
    /// Whether a snapshot has arrived (before that the list means nothing).
    pub synced: bool,
    /// Why the list holds fewer objects than the cluster, if it does.
    pub incomplete: Option<String>,
}

impl<T> Default for LiveList<T> {
    fn default() -> Self {
        LiveList {
            objects: BTreeMap::new(),
            synced: false,
            incomplete: None,
        }
    }
}

/// Reads one text frame of the watch WebSocket, naming what is wrong with a bad one.
pub fn parse_watch_message(text: &str) -> Result<WatchMessage, String> {
    if text.len() > MAX_WATCH_MESSAGE_BYTES {
        return Err(format!(
            "a watch message of {} bytes is over the limit of {MAX_WATCH_MESSAGE_BYTES}",
            text.len()
        ));
    }
    serde_json::from_str(text).map_err(|e| format!("unreadable watch message: {e}"))
}

impl<T: From<Value>> LiveList<T> {
    /// Applies a message: a snapshot replaces everything, deltas add, replace or remove one
    /// object. An object without a key, or a list over [`MAX_LIVE_OBJECTS`], is refused (the
    /// list is left as it was before the message).
    pub fn apply(&mut self, msg: WatchMessage) -> Result<Applied, String> {
        let keyed = |obj: &Value, what: &str| {
            object_key(obj)
                .ok_or_else(|| format!("{what} object has neither metadata.uid nor metadata.name"))
        };
        match msg {
            WatchMessage::Snapshot {
                items,
                resynced,
                incomplete,
                ..
            } => {
                if items.len() > MAX_LIVE_OBJECTS {
                    return Err(format!(
                        "a snapshot of {} objects is over the limit of {MAX_LIVE_OBJECTS}",
                        items.len()
                    ));
                }
                let mut objects = BTreeMap::new();
                for item in items {
                    objects.insert(keyed(&item, "a SNAPSHOT")?, T::from(item));
                }
                self.objects = objects;
                self.synced = true;
                self.incomplete = incomplete;
                Ok(Applied::Snapshot { resynced })
            }
            WatchMessage::Added { object } | WatchMessage::Modified { object } => {
                let key = keyed(&object, "an ADDED or MODIFIED")?;
                if self.objects.len() >= MAX_LIVE_OBJECTS && !self.objects.contains_key(&key) {
                    return Err(format!(
                        "the list is at its limit of {MAX_LIVE_OBJECTS} objects"
                    ));
                }
                self.objects.insert(key, T::from(object));
                Ok(Applied::Changed)
            }
            WatchMessage::Deleted { object } => {
                self.objects.remove(&keyed(&object, "a DELETED")?);
                Ok(Applied::Changed)
            }
            WatchMessage::Error { message } => Ok(Applied::UpstreamError(message)),
            WatchMessage::Incomplete { message } => {
                self.incomplete = Some(message);
                Ok(Applied::Changed)
            }
        }
    }
}

/// How long to wait before reconnecting a WebSocket after `failures` closes in a row: half a
/// second, doubling, at most 15 s.
pub fn reconnect_delay_ms(failures: u32) -> u32 {
    (500u32 << failures.saturating_sub(1).min(5)).min(15_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2024-05-01T12:00:00Z";

    fn now() -> i64 {
        timestamp_ms(NOW).unwrap()
    }

    #[test]
    fn durations_read_as_kubectl_prints_them() {
        let s = 1000;
        let m = 60 * s;
        let h = 60 * m;
        let d = 24 * h;
        let cases = [
            (-5 * s, "<invalid>"),
            (-500, "0s"),
            (45 * s, "45s"),
            (119 * s, "119s"),
            (200 * s, "3m20s"),
            (5 * m, "5m"),
            (25 * m, "25m"),
            (179 * m, "179m"),
            (5 * h + 30 * m, "5h30m"),
            (20 * h, "20h"),
            (47 * h, "47h"),
            (3 * d + 4 * h, "3d4h"),
            (120 * d, "120d"),
            (3 * 365 * d + 20 * d, "3y20d"),
            (10 * 365 * d, "10y"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_duration(ms), want, "{ms} ms");
        }
        assert_eq!(age("2024-05-01T11:55:00Z", now()), "5m");
        assert_eq!(age("2024-05-01T11:59:59.500000Z", now()), "0s");
        assert_eq!(age("", now()), "<unknown>");
        assert_eq!(age("yesterday", now()), "<unknown>");
    }

    fn running(name: &str, restarts: i64) -> Value {
        json!({"name": name, "ready": true, "restartCount": restarts,
               "state": {"running": {"startedAt": "2024-05-01T11:00:00Z"}}})
    }

    fn pod(spec_containers: &[&str], statuses: Vec<Value>, phase: &str) -> Value {
        json!({
            "metadata": {"name": "p", "namespace": "ns", "uid": "u1",
                         "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d9c", "controller": true}]},
            "spec": {"nodeName": "node-1",
                     "containers": spec_containers.iter().map(|n| json!({"name": n, "image": "img"})).collect::<Vec<_>>()},
            "status": {"phase": phase, "containerStatuses": statuses}
        })
    }

    #[test]
    fn a_running_pod_is_running_with_its_ready_count() {
        let p = pod(
            &["a", "b"],
            vec![running("a", 0), running("b", 0)],
            "Running",
        );
        let s = pod_summary(&p);
        assert_eq!(s.status, "Running");
        assert_eq!(s.ready_text(), "2/2");
        assert_eq!(s.restarts_text(now()), "0");
        assert_eq!(s.node, "node-1");
        assert_eq!(s.owner.as_deref(), Some("ReplicaSet/web-5d9c"));
        assert!(!s.is_problem());
    }

    #[test]
    fn a_crash_looping_container_names_the_pod_status_and_counts_restarts() {
        let crashing = json!({"name": "b", "ready": false, "restartCount": 7,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
            "lastState": {"terminated": {"reason": "Error", "exitCode": 1,
                                          "finishedAt": "2024-05-01T11:57:00Z"}}});
        let p = pod(&["a", "b"], vec![running("a", 1), crashing], "Running");
        let s = pod_summary(&p);
        assert_eq!(s.status, "CrashLoopBackOff");
        assert_eq!(s.ready_text(), "1/2");
        assert_eq!(s.restarts, 8);
        assert_eq!(s.restarts_text(now()), "8 (3m ago)");
        assert!(s.is_problem());
        let c = containers(&p);
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].state.name(), "waiting");
        assert_eq!(c[1].state.describe(now()), "Waiting: CrashLoopBackOff");
        assert_eq!(c[1].state.message(), "back-off 5m0s");
        assert_eq!(
            c[1].last_state.as_ref().unwrap().describe(now()),
            "Terminated: Error (exit code 1)"
        );
        assert_eq!(c[0].state.describe(now()), "Running, started 60m ago");
        assert_eq!(c[0].last_state, None);
    }

    #[test]
    fn a_finished_pod_is_completed_and_a_terminated_one_without_reason_shows_its_exit_code() {
        let done = json!({"name": "a", "ready": false, "restartCount": 0,
            "state": {"terminated": {"reason": "Completed", "exitCode": 0}}});
        let s = pod_summary(&pod(&["a"], vec![done], "Succeeded"));
        assert_eq!(
            (s.status.as_str(), s.ready_text()),
            ("Completed", "0/1".into())
        );
        assert!(!s.is_problem());
        let killed = json!({"name": "a", "state": {"terminated": {"exitCode": 137, "signal": 9}}});
        assert_eq!(
            pod_summary(&pod(&["a"], vec![killed], "Failed")).status,
            "Signal:9"
        );
        let exit = json!({"name": "a", "state": {"terminated": {"exitCode": 2}}});
        assert_eq!(
            pod_summary(&pod(&["a"], vec![exit], "Failed")).status,
            "ExitCode:2"
        );
    }

    #[test]
    fn pending_initializing_evicted_and_terminating_pods() {
        let mut p = pod(&["a"], vec![], "Pending");
        assert_eq!(pod_summary(&p).status, "Pending");
        assert_eq!(pod_summary(&p).ready_text(), "0/1");
        p["spec"]["initContainers"] = json!([{"name": "init"}, {"name": "init2"}]);
        p["status"]["initContainerStatuses"] = json!([
            {"name": "init", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
            {"name": "init2", "state": {"running": {}}}
        ]);
        assert_eq!(pod_summary(&p).status, "Init:1/2");
        p["status"]["initContainerStatuses"][1] = json!({"name": "init2", "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}});
        let s = pod_summary(&p);
        assert_eq!(
            (s.status.as_str(), s.restarts),
            ("Init:CrashLoopBackOff", 3)
        );
        assert_eq!(containers(&p).iter().filter(|c| c.init).count(), 2);

        let evicted = json!({"metadata": {"name": "e"}, "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Failed", "reason": "Evicted"}});
        assert_eq!(pod_summary(&evicted).status, "Evicted");

        let mut t = pod(&["a"], vec![running("a", 0)], "Running");
        t["metadata"]["deletionTimestamp"] = json!("2024-05-01T11:59:00Z");
        assert_eq!(pod_summary(&t).status, "Terminating");
    }

    #[test]
    fn completed_with_a_running_container_reads_running_or_not_ready() {
        let done =
            json!({"name": "a", "state": {"terminated": {"reason": "Completed", "exitCode": 0}}});
        let mut p = pod(&["a", "b"], vec![done, running("b", 0)], "Running");
        // Containers are read last to first: `a` (Completed) decides the reason.
        assert_eq!(pod_summary(&p).status, "NotReady");
        p["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert_eq!(pod_summary(&p).status, "Running");
    }

    #[test]
    fn phases_are_counted_in_order() {
        let pods = [
            json!({"status": {"phase": "Running"}}),
            json!({"status": {"phase": "Running"}}),
            json!({"status": {"phase": "Failed"}}),
            json!({"status": {}}),
        ];
        let c = count_by_phase(pods.iter());
        assert_eq!(
            c,
            vec![
                ("Pending".into(), 0),
                ("Running".into(), 2),
                ("Succeeded".into(), 0),
                ("Failed".into(), 1),
                ("Unknown".into(), 1)
            ]
        );
    }

    #[test]
    fn workloads_read_ready_over_desired() {
        let d = json!({"spec": {"replicas": 3},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        let w = workload_summary("deployments", &d).unwrap();
        assert_eq!((w.ready_text(), w.healthy()), ("2/3".into(), false));
        assert_eq!((w.up_to_date, w.available), (Some(3), Some(2)));
        // A deployment without `replicas` wants one; without status it has none ready.
        let w = workload_summary("deployments", &json!({"spec": {}})).unwrap();
        assert_eq!(w.ready_text(), "0/1");
        let ds = json!({"status": {"desiredNumberScheduled": 2, "numberReady": 2}});
        let w = workload_summary("daemonsets", &ds).unwrap();
        assert_eq!(
            (w.kind, w.ready_text(), w.healthy()),
            ("DaemonSet", "2/2".into(), true)
        );
        let sts = json!({"spec": {"replicas": 0}, "status": {}});
        assert!(workload_summary("statefulsets", &sts).unwrap().healthy());
        let job = json!({"spec": {"completions": 3}, "status": {"succeeded": 1,
            "conditions": [{"type": "Failed", "status": "True"}]}});
        let w = workload_summary("jobs", &job).unwrap();
        assert_eq!(
            (w.ready_text(), w.status.as_str(), w.healthy()),
            ("1/3".into(), "Failed", false)
        );
        let job = json!({"spec": {}, "status": {"succeeded": 1,
            "conditions": [{"type": "Complete", "status": "True"}]}});
        let w = workload_summary("jobs", &job).unwrap();
        assert_eq!(
            (w.ready_text(), w.status.as_str(), w.healthy()),
            ("1/1".into(), "Complete", true)
        );
        assert!(workload_summary("pods", &job).is_none());
    }

    #[test]
    fn nodes_read_their_ready_condition_roles_resources_and_taints() {
        let n = json!({
            "metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/control-plane": "",
                                                   "node-role.kubernetes.io/master": "", "kubernetes.io/os": "linux"}},
            "spec": {"unschedulable": true,
                     "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                                {"key": "dedicated", "value": "gpu", "effect": "NoExecute"}]},
            "status": {
                "conditions": [{"type": "MemoryPressure", "status": "False"},
                               {"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "capacity": {"cpu": "8", "memory": "16318440Ki", "pods": "110"},
                "allocatable": {"cpu": "7800m", "memory": "15f"},
                "addresses": [{"type": "Hostname", "address": "n1"}, {"type": "InternalIP", "address": "10.0.0.5"}],
                "nodeInfo": {"kubeletVersion": "v1.30.1"}
            }
        });
        let s = node_summary(&n);
        assert!(s.ready);
        assert_eq!(s.status, "Ready,SchedulingDisabled");
        assert_eq!(s.roles, "control-plane,master");
        assert_eq!(s.internal_ip, "10.0.0.5");
        assert_eq!(s.version, "v1.30.1");
        assert!(s.conditions.iter().all(Condition::healthy));
        assert_eq!(s.resources[0], ("cpu".into(), "8".into(), "7800m".into()));
        assert_eq!(s.resources[2], ("pods".into(), "110".into(), "".into()));
        assert_eq!(
            s.taints,
            vec![
                "node-role.kubernetes.io/control-plane:NoSchedule".to_string(),
                "dedicated=gpu:NoExecute".into()
            ]
        );
        let down = json!({"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}});
        let s = node_summary(&down);
        assert_eq!(
            (s.status.as_str(), s.ready, s.roles.as_str()),
            ("Unknown", false, "<none>")
        );
        assert!(!s.conditions[0].healthy());
    }

    #[test]
    fn quantities_parse_and_memory_formats_in_binary_units() {
        assert_eq!(parse_quantity("250m"), Some(0.25));
        assert_eq!(parse_quantity("2"), Some(2.0));
        assert_eq!(parse_quantity("1Gi"), Some(1073741824.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("500M"), Some(5e8));
        assert_eq!(parse_quantity("12Zi"), None);
        assert_eq!(parse_quantity("lots"), None);
        assert_eq!(format_resource("memory", "16318440Ki"), "15.6 GiB");
        assert_eq!(format_resource("ephemeral-storage", "1Gi"), "1.0 GiB");
        assert_eq!(format_resource("cpu", "7800m"), "7800m");
        assert_eq!(format_resource("memory", "bogus"), "bogus");
    }

    #[test]
    fn events_read_their_object_count_and_last_seen() {
        let e = json!({"metadata": {"namespace": "shop", "creationTimestamp": "2024-05-01T10:00:00Z"},
            "type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container",
            "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "shop"},
            "count": 12, "lastTimestamp": "2024-05-01T11:59:00Z", "source": {"component": "kubelet"}});
        let v = event_view(&e);
        assert_eq!(v.object, "pod/web-1");
        assert_eq!(
            (v.kind.as_str(), v.reason.as_str(), v.count),
            ("Warning", "BackOff", 12)
        );
        assert_eq!(v.last_seen_ms, timestamp_ms("2024-05-01T11:59:00Z"));
        assert_eq!(v.source, "kubelet");
        let newer = json!({"metadata": {"namespace": "shop"}, "type": "Normal",
            "eventTime": "2024-05-01T11:59:30.000000Z", "series": {"count": 3},
            "reportingComponent": "scheduler", "involvedObject": {"kind": "Pod", "name": "web-2"}});
        let v = event_view(&newer);
        assert_eq!(
            (v.count, v.source.as_str(), v.namespace.as_str()),
            (3, "scheduler", "shop")
        );
        let sorted = events_newest_first([&e, &newer]);
        assert_eq!(sorted[0].object_name, "web-2");
    }

    #[test]
    fn objects_are_keyed_by_uid_else_namespace_and_name() {
        assert_eq!(
            object_key(&json!({"metadata": {"uid": "abc", "name": "x"}})).as_deref(),
            Some("abc")
        );
        assert_eq!(
            object_key(&json!({"metadata": {"name": "x", "namespace": "ns"}})).as_deref(),
            Some("ns/x")
        );
        assert_eq!(object_key(&json!({"metadata": {}})), None);
    }

    #[test]
    fn label_selectors_parse_and_match_as_the_api_server_does() {
        let obj = json!({"metadata": {"labels": {"app": "web", "tier": "front", "app.kubernetes.io/part-of": "shop"}}});
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&obj);
        assert!(m(""));
        assert!(m("app=web"));
        assert!(m("app==web, tier!=db"));
        assert!(!m("app=db"));
        assert!(m("tier in (front, back)"));
        assert!(!m("tier notin (front,back)"));
        assert!(m("missing notin (a)"));
        assert!(m("app.kubernetes.io/part-of=shop,!legacy"));
        assert!(!m("legacy"));
        assert!(m("app,tier"));
        assert!(m("tier in (front),app=web"));
        for (bad, says) in [
            ("app=we b", "`we b` is not a valid label value"),
            ("-app=web", "`-app` is not a valid label key"),
            ("tier in front", "parentheses"),
            ("tier in (a,(b)", "unbalanced"),
            ("app=web,,x", "empty requirement"),
            ("a b c", "expected `key`"),
        ] {
            let e = LabelSelector::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert!(LabelSelector::parse(&"a".repeat(MAX_SELECTOR_LEN + 1))
            .unwrap_err()
            .contains("longer than"));
    }

    #[test]
    fn names_are_checked_as_dns_labels_and_subdomains() {
        assert!(is_dns_label("kube-system"));
        assert!(!is_dns_label("Kube"));
        assert!(!is_dns_label("a.b"));
        assert!(is_dns_subdomain("web-5d9c.x"));
        assert!(!is_dns_subdomain("-x"));
        assert!(!is_dns_label(&"a".repeat(64)));
    }

    #[test]
    fn live_lists_follow_snapshots_and_deltas() {
        let pod = |uid: &str, phase: &str| json!({"metadata": {"uid": uid, "name": uid}, "status": {"phase": phase}});
        let mut l = LiveList::<Value>::default();
        assert!(!l.synced);
        let snap = WatchMessage::Snapshot {
            resource_version: "1".into(),
            items: vec![pod("a", "Running"), pod("b", "Pending")],
            resynced: false,
            incomplete: None,
        };
        assert_eq!(l.apply(snap), Ok(Applied::Snapshot { resynced: false }));
        assert_eq!((l.synced, l.objects.len()), (true, 2));
        l.apply(WatchMessage::Modified {
            object: pod("b", "Running"),
        })
        .unwrap();
        assert_eq!(l.objects["b"]["status"]["phase"], "Running");
        l.apply(WatchMessage::Added {
            object: pod("c", "Pending"),
        })
        .unwrap();
        l.apply(WatchMessage::Deleted {
            object: pod("a", "Running"),
        })
        .unwrap();
        assert_eq!(l.objects.keys().collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(
            l.apply(WatchMessage::Error {
                message: "down".into()
            }),
            Ok(Applied::UpstreamError("down".into()))
        );
        assert_eq!(l.objects.len(), 2, "an upstream error keeps the list");
        let resync = WatchMessage::Snapshot {
            resource_version: "9".into(),
            items: vec![pod("z", "Running")],
            resynced: true,
            incomplete: Some("1 of 3 shown".into()),
        };
        assert_eq!(l.apply(resync), Ok(Applied::Snapshot { resynced: true }));
        assert_eq!(l.objects.keys().collect::<Vec<_>>(), ["z"]);
        assert_eq!(l.incomplete.as_deref(), Some("1 of 3 shown"));
        assert_eq!(
            l.apply(WatchMessage::Incomplete {
                message: "more left out".into()
            }),
            Ok(Applied::Changed)
        );
        assert_eq!(l.incomplete.as_deref(), Some("more left out"));
        let e = l
            .apply(WatchMessage::Added {
                object: json!({"metadata": {}}),
            })
            .unwrap_err();
        assert!(e.contains("neither metadata.uid nor metadata.name"), "{e}");
        let bad = l
            .apply(WatchMessage::Snapshot {
                resource_version: "10".into(),
                items: vec![pod("y", "Running"), json!({})],
                resynced: true,
                incomplete: None,
            })
            .unwrap_err();
        assert!(bad.contains("SNAPSHOT"), "{bad}");
        assert_eq!(
            l.objects.keys().collect::<Vec<_>>(),
            ["z"],
            "a refused snapshot changes nothing"
        );
    }

    #[test]
    fn watch_messages_are_read_or_refused_by_name() {
        assert!(matches!(
            parse_watch_message(r#"{"type":"DELETED","object":{"metadata":{"uid":"u"}}}"#),
            Ok(WatchMessage::Deleted { .. })
        ));
        let e = parse_watch_message(r#"{"type":"BOOKMARK"}"#).unwrap_err();
        assert!(e.starts_with("unreadable watch message"), "{e}");
    }

    #[test]
    fn reconnects_back_off_to_fifteen_seconds() {
        let delays: Vec<u32> = (1..=8).map(reconnect_delay_ms).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
        assert_eq!(reconnect_delay_ms(0), 500);
    }
}
