//! The etcd API both sides speak: range reads (`GET /api/etcd/{cluster}/keys`), the WebSocket
//! watch (`/api/etcd/{cluster}/watch`), how keys and values are shown, the prefix allow/deny
//! rules and the line diff of a value against its previous one.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// Longest prefix a client may ask for, in bytes.
pub const MAX_PREFIX_BYTES: usize = 1024;
/// Largest WebSocket message a client may send, in bytes.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 8 * 1024;
/// Most keys one range read returns, and the default.
pub const MAX_RANGE_LIMIT: i64 = 10_000;
pub const DEFAULT_RANGE_LIMIT: i64 = 1_000;
/// Longest text (or hex) of a value sent to the browser; longer values are cut and marked.
pub const MAX_VALUE_TEXT: usize = 64 * 1024;
/// Prefixes refused whatever the configuration says: Kubernetes keeps Secrets there.
pub const ALWAYS_DENIED: &[&str] = &["/registry/secrets/"];

/// `GET /api/etcd/clusters`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClustersResponse {
    pub clusters: Vec<ClusterInfo>,
    /// Upstream etcd watches kubeglass runs now, over all clusters (identical live watches
    /// of many clients count once).
    #[serde(default)]
    pub upstream_watches: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClusterInfo {
    pub name: String,
    pub endpoints: Vec<String>,
    /// Prefixes under which reads are allowed (empty: everywhere not denied).
    pub allow_prefixes: Vec<String>,
    pub deny_prefixes: Vec<String>,
}

/// `GET /api/etcd/{cluster}/keys?prefix=&keys_only=&limit=&revision=`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeysResponse {
    /// The store revision the read was served at.
    pub revision: i64,
    /// How many keys are under the prefix (at that revision), whatever the limit.
    pub count: i64,
    /// True when the limit cut the list.
    pub more: bool,
    pub kvs: Vec<KeyValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeyValue {
    pub key: String,
    /// The raw key in base64 when it is not UTF-8 (`key` then shows it lossily).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_base64: Option<String>,
    /// Absent in keys-only reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
}

/// The first message a client sends, and any later one that replaces the watch:
/// `{"prefix": "/app/", "start_revision": 42, "prev_kv": true}`. `{"cancel": true}` stops it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    pub prefix: String,
    /// Replay from this revision (a reconnecting client sends its last revision + 1);
    /// absent: from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_revision: Option<i64>,
    #[serde(default)]
    pub prev_kv: bool,
}

/// What a client sends.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    Watch(WatchRequest),
    Cancel,
}

impl ClientMessage {
    /// Parses and checks one client message; the error names what is wrong.
    pub fn parse(text: &str) -> Result<ClientMessage, String> {
        if text.len() > MAX_CLIENT_MESSAGE_BYTES {
            return Err(format!(
                "message of {} bytes is larger than the {MAX_CLIENT_MESSAGE_BYTES} allowed",
                text.len()
            ));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("message is not JSON: {e}"))?;
        let Some(object) = value.as_object() else {
            return Err("message must be a JSON object like {\"prefix\": \"/app/\"}".into());
        };
        if object.contains_key("cancel") {
            return match (object.len(), object.get("cancel")) {
                (1, Some(serde_json::Value::Bool(true))) => Ok(ClientMessage::Cancel),
                _ => Err("a cancel message is exactly {\"cancel\": true}".into()),
            };
        }
        let request: WatchRequest =
            serde_json::from_value(value).map_err(|e| format!("watch request: {e}"))?;
        check_prefix_shape(&request.prefix)?;
        if let Some(r) = request.start_revision {
            if r < 1 {
                return Err(format!("start_revision {r}: must be at least 1"));
            }
        }
        Ok(ClientMessage::Watch(request))
    }
}

/// Checks the length of a prefix a client asks for.
pub fn check_prefix_shape(prefix: &str) -> Result<(), String> {
    if prefix.len() > MAX_PREFIX_BYTES {
        return Err(format!(
            "prefix of {} bytes is longer than the {MAX_PREFIX_BYTES} allowed",
            prefix.len()
        ));
    }
    Ok(())
}

/// What the server sends on a watch WebSocket, as `{"type": "...", ...}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The watch is established: every event after `revision` follows. `shared` tells whether it
    /// joined a watch other clients share (live watches) or has its own (a `start_revision`).
    Created {
        prefix: String,
        revision: i64,
        shared: bool,
    },
    /// Events of one or more revisions, in revision order; `revision` is the store's revision
    /// when etcd sent them.
    Events { revision: i64, events: Vec<Event> },
    /// Nothing under the prefix changed up to `revision`.
    Progress { revision: i64 },
    /// The revision the watch needed is compacted: resync with a range read (at `revision`
    /// or later) and watch from there. The watch has ended.
    Compacted {
        compact_revision: i64,
        message: String,
    },
    /// The connection to etcd was lost; the watch resumes from `next_revision` once it is back.
    Reconnecting { next_revision: i64, message: String },
    /// Something the client sent (or asked for) was refused; the connection stays usable.
    Error { message: String },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventType {
    Put,
    Delete,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_base64: Option<String>,
    /// Absent for deletes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Present when the watch asked for `prev_kv` and etcd still had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_value: Option<Value>,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
}

/// How a value is shown.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    /// UTF-8 text.
    Text,
    /// JSON, pretty-printed.
    Json,
    /// A Kubernetes object in protobuf (`k8s\0` prefix): its apiVersion and kind, then hex.
    Kubernetes,
    /// Anything else, as hex.
    Binary,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Value {
    pub format: ValueFormat,
    /// What to show (pretty JSON, text, or hex), at most [`MAX_VALUE_TEXT`] bytes.
    pub text: String,
    /// Size of the raw value in bytes.
    pub size: usize,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// `apiVersion/kind` of a Kubernetes object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A key as shown: the UTF-8 text, and base64 of the raw bytes when they are not UTF-8.
pub fn render_key(raw: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(raw) {
        Ok(s) => (s.to_owned(), None),
        Err(_) => (
            String::from_utf8_lossy(raw).into_owned(),
            Some(base64::engine::general_purpose::STANDARD.encode(raw)),
        ),
    }
}

/// Chooses how to show a raw value: Kubernetes protobuf, JSON, text, or hex.
pub fn render_value(raw: &[u8]) -> Value {
    let size = raw.len();
    if let Some(body) = raw.strip_prefix(b"k8s\0") {
        let kind = kubernetes_type(body);
        let (text, truncated) = hex(raw);
        return Value {
            format: ValueFormat::Kubernetes,
            text,
            size,
            truncated,
            kind: Some(kind.unwrap_or_else(|| "unknown kind".to_owned())),
        };
    }
    if let Ok(text) = std::str::from_utf8(raw) {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
                let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
                let (text, truncated) = cut(pretty);
                return Value {
                    format: ValueFormat::Json,
                    text,
                    size,
                    truncated,
                    kind: None,
                };
            }
        }
        if !text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            let (text, truncated) = cut(text.to_owned());
            return Value {
                format: ValueFormat::Text,
                text,
                size,
                truncated,
                kind: None,
            };
        }
    }
    let (text, truncated) = hex(raw);
    Value {
        format: ValueFormat::Binary,
        text,
        size,
        truncated,
        kind: None,
    }
}

fn cut(mut text: String) -> (String, bool) {
    if text.len() <= MAX_VALUE_TEXT {
        return (text, false);
    }
    let mut end = MAX_VALUE_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

fn hex(raw: &[u8]) -> (String, bool) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let shown = &raw[..raw.len().min(MAX_VALUE_TEXT / 2)];
    let mut out = String::with_capacity(shown.len() * 2);
    for b in shown {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    (out, shown.len() < raw.len())
}

/// `apiVersion/kind` from the `runtime.Unknown` envelope Kubernetes stores after `k8s\0`:
/// field 1 is the TypeMeta message, whose fields 1 and 2 are apiVersion and kind.
fn kubernetes_type(body: &[u8]) -> Option<String> {
    let type_meta = protobuf_field(body, 1)?;
    let api_version = std::str::from_utf8(protobuf_field(type_meta, 1)?).ok()?;
    let kind = std::str::from_utf8(protobuf_field(type_meta, 2)?).ok()?;
    Some(format!("{api_version}/{kind}"))
}

/// The bytes of the first length-delimited field `number` of a protobuf message.
fn protobuf_field(mut msg: &[u8], number: u64) -> Option<&[u8]> {
    fn varint(buf: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = buf.split_first()?;
            *buf = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    while !msg.is_empty() {
        let tag = varint(&mut msg)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                varint(&mut msg)?;
            }
            1 => msg = msg.get(8..)?,
            5 => msg = msg.get(4..)?,
            2 => {
                let len = usize::try_from(varint(&mut msg)?).ok()?;
                let data = msg.get(..len)?;
                msg = &msg[len..];
                if field == number {
                    return Some(data);
                }
            }
            _ => return None,
        }
    }
    None
}

/// Which prefixes may be read: allowed when it lies under an allowed prefix (or none are
/// configured) and neither lies under nor contains a denied one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrefixPolicy {
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

impl PrefixPolicy {
    /// The configured deny list plus [`ALWAYS_DENIED`].
    pub fn new(allow: Vec<String>, mut deny: Vec<String>) -> PrefixPolicy {
        for d in ALWAYS_DENIED {
            if !deny.iter().any(|x| x == d) {
                deny.push((*d).to_owned());
            }
        }
        PrefixPolicy { allow, deny }
    }

    /// `Err` naming the rule that refuses `prefix`.
    pub fn check(&self, prefix: &str) -> Result<(), String> {
        check_prefix_shape(prefix)?;
        for d in &self.deny {
            if prefix.starts_with(d.as_str()) {
                return Err(format!("prefix {prefix:?} is denied: it lies under {d:?}"));
            }
            if d.starts_with(prefix) {
                return Err(format!(
                    "prefix {prefix:?} is denied: it includes the denied prefix {d:?}"
                ));
            }
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|a| prefix.starts_with(a.as_str())) {
            return Err(format!(
                "prefix {prefix:?} is not allowed: it must start with one of {:?}",
                self.allow
            ));
        }
        Ok(())
    }
}

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffOp {
    Same,
    Added,
    Removed,
}

/// Lines of `new` against `old`. Values of thousands of lines still diff quickly (Myers with
/// a deadline is not needed: values are at most [`MAX_VALUE_TEXT`] bytes).
pub fn line_diff(old: &str, new: &str) -> Vec<(DiffOp, String)> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| {
            let op = match c.tag() {
                similar::ChangeTag::Equal => DiffOp::Same,
                similar::ChangeTag::Insert => DiffOp::Added,
                similar::ChangeTag::Delete => DiffOp::Removed,
            };
            (op, c.value().trim_end_matches('\n').to_owned())
        })
        .collect()
}

/// Events per second over a sliding window: `times` are event arrival times in ms, newest
/// last; the rate counts those within `window_ms` of `now_ms`.
pub fn rate_per_second(times: &[f64], now_ms: f64, window_ms: f64) -> f64 {
    if window_ms <= 0.0 {
        return 0.0;
    }
    let n = times
        .iter()
        .rev()
        .take_while(|t| **t > now_ms - window_ms)
        .count();
    n as f64 * 1000.0 / window_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shown_by_what_they_hold() {
        let v = render_value(br#"{"a":1,"b":[true]}"#);
        assert_eq!(v.format, ValueFormat::Json);
        assert_eq!(v.text, "{\n  \"a\": 1,\n  \"b\": [\n    true\n  ]\n}");
        let v = render_value(b"plain text\nline 2");
        assert_eq!(
            (v.format, v.text.as_str()),
            (ValueFormat::Text, "plain text\nline 2")
        );
        let v = render_value(b"{not json");
        assert_eq!(v.format, ValueFormat::Text);
        let v = render_value(&[0xff, 0x00, 0x10]);
        assert_eq!(
            (v.format, v.text.as_str(), v.size),
            (ValueFormat::Binary, "ff0010", 3)
        );
        let v = render_value(b"a\x01b");
        assert_eq!(v.format, ValueFormat::Binary);
    }

    #[test]
    fn kubernetes_protobuf_names_its_kind() {
        // k8s\0 + Unknown{ typeMeta{apiVersion:"v1", kind:"ConfigMap"}, raw: [1,2] }
        let mut raw = b"k8s\0".to_vec();
        let type_meta = [&[0x0a, 2][..], b"v1", &[0x12, 9], b"ConfigMap"].concat();
        raw.extend_from_slice(&[0x0a, type_meta.len() as u8]);
        raw.extend_from_slice(&type_meta);
        raw.extend_from_slice(&[0x12, 2, 1, 2]);
        let v = render_value(&raw);
        assert_eq!(v.format, ValueFormat::Kubernetes);
        assert_eq!(v.kind.as_deref(), Some("v1/ConfigMap"));
        assert!(v.text.starts_with("6b387300"), "{}", v.text);
        let v = render_value(b"k8s\0\xff");
        assert_eq!(v.kind.as_deref(), Some("unknown kind"));
    }

    #[test]
    fn long_values_are_cut() {
        let v = render_value(&vec![b'x'; MAX_VALUE_TEXT + 10]);
        assert!(v.truncated);
        assert_eq!(v.text.len(), MAX_VALUE_TEXT);
        assert_eq!(v.size, MAX_VALUE_TEXT + 10);
        let v = render_value(&vec![0u8; MAX_VALUE_TEXT]);
        assert!(v.truncated && v.text.len() == MAX_VALUE_TEXT);
    }

    #[test]
    fn keys_that_are_not_utf8_carry_base64() {
        assert_eq!(render_key(b"/a/b"), ("/a/b".to_owned(), None));
        let (k, b) = render_key(b"/a/\xff");
        assert_eq!(k, "/a/\u{fffd}");
        assert_eq!(b.as_deref(), Some("L2Ev/w=="));
    }

    #[test]
    fn prefixes_under_or_over_a_denied_one_are_refused() {
        let p = PrefixPolicy::new(vec![], vec!["/private/".into()]);
        assert!(p.check("/app/").is_ok());
        assert!(p.check("/registry/pods/").is_ok());
        let e = p.check("/registry/secrets/default/x").unwrap_err();
        assert!(e.contains("\"/registry/secrets/\""), "{e}");
        let e = p.check("/registry/").unwrap_err();
        assert!(
            e.contains("includes the denied prefix \"/registry/secrets/\""),
            "{e}"
        );
        assert!(p.check("").is_err());
        assert!(p.check("/private/a").unwrap_err().contains("\"/private/\""));
        let p = PrefixPolicy::new(vec!["/app/".into()], vec![]);
        assert!(p.check("/app/x").is_ok());
        let e = p.check("/other/").unwrap_err();
        assert!(e.contains("not allowed") && e.contains("/app/"), "{e}");
        assert!(p
            .check(&"a".repeat(MAX_PREFIX_BYTES + 1))
            .unwrap_err()
            .contains("longer"));
    }

    #[test]
    fn client_messages_are_checked() {
        assert_eq!(
            ClientMessage::parse(r#"{"prefix":"/a/","start_revision":5,"prev_kv":true}"#),
            Ok(ClientMessage::Watch(WatchRequest {
                prefix: "/a/".into(),
                start_revision: Some(5),
                prev_kv: true
            }))
        );
        assert_eq!(
            ClientMessage::parse(r#"{"cancel":true}"#),
            Ok(ClientMessage::Cancel)
        );
        assert!(ClientMessage::parse("{nope")
            .unwrap_err()
            .starts_with("message is not JSON"));
        assert!(ClientMessage::parse("[1]")
            .unwrap_err()
            .contains("JSON object"));
        let e = ClientMessage::parse(r#"{"prefix":"/a/","prevkv":true}"#).unwrap_err();
        assert!(e.contains("unknown field `prevkv`"), "{e}");
        let e = ClientMessage::parse(r#"{"prefix":"/a/","start_revision":0}"#).unwrap_err();
        assert!(e.contains("start_revision 0"), "{e}");
        let e = ClientMessage::parse(&" ".repeat(MAX_CLIENT_MESSAGE_BYTES + 1)).unwrap_err();
        assert!(e.contains("larger than"), "{e}");
    }

    #[test]
    fn server_messages_have_a_type_tag() {
        let m = ServerMessage::Events {
            revision: 7,
            events: vec![Event {
                kind: EventType::Put,
                key: "/a".into(),
                key_base64: None,
                value: Some(render_value(b"1")),
                prev_value: None,
                create_revision: 7,
                mod_revision: 7,
                version: 1,
            }],
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["type"], "events");
        assert_eq!(json["events"][0]["type"], "PUT");
        assert_eq!(json["events"][0]["value"]["format"], "text");
        let back: ServerMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn diffs_mark_added_and_removed_lines() {
        let d = line_diff("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            d,
            vec![
                (DiffOp::Same, "a".into()),
                (DiffOp::Removed, "b".into()),
                (DiffOp::Added, "B".into()),
                (DiffOp::Same, "c".into()),
            ]
        );
    }

    #[test]
    fn rate_counts_the_window() {
        let times = [0.0, 500.0, 1500.0, 1800.0, 1900.0];
        assert_eq!(rate_per_second(&times, 2000.0, 1000.0), 3.0);
        assert_eq!(rate_per_second(&[], 2000.0, 1000.0), 0.0);
    }
}
