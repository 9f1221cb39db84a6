//! Data links (`links` of a field's config): the links a table cell offers, and which URLs a
//! link may have once interpolated.

use serde_json::Value;

/// A data link of a field (`fieldConfig.defaults.links` or an override's `links`): `url` and
/// `title` as written, with Grafana's macros still in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLink {
    pub title: String,
    pub url: String,
    /// `targetBlank`: opens in a new tab.
    pub target_blank: bool,
}

/// Links longer than this are not made (a dashboard's link is a few hundred characters).
pub const MAX_LINK_LEN: usize = 8192;

/// Reads a `links` array; a link without a URL is left out.
pub fn read_links(v: &Value) -> Vec<DataLink> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let url = l.get("url")?.as_str()?.trim().to_string();
            (!url.is_empty()).then(|| DataLink {
                title: l
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                url,
                target_blank: l.get("targetBlank").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect()
}

/// The URL a link may point to once interpolated: an `http(s)` URL or a relative one (`/d/...`,
/// `?x=1`, `other`); anything with another scheme (`javascript:`, `data:`) is refused, as is a
/// URL still holding an unresolved `${...}` macro, control characters, or one too long.
pub fn safe_link_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.len() > MAX_LINK_LEN || url.chars().any(char::is_control) {
        return None;
    }
    if url.contains("${") {
        return None;
    }
    // A scheme is letters, digits, `+ - .` before the first `:`, with no `/ ? #` before it.
    let scheme_end = url.find([':', '/', '?', '#']);
    if let Some(i) = scheme_end.filter(|&i| url.as_bytes()[i] == b':') {
        let scheme = url[..i].to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
    }
    // `//host` is protocol-relative: another site, which is fine for http(s) pages.
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::frame::FieldKind;
    use crate::display::field::{field_config, FieldRef};
    use serde_json::json;

    #[test]
    fn links_come_from_defaults_then_overrides_and_only_safe_urls_pass() {
        let d = crate::model::Dashboard::from_json(&json!({"title": "A", "panels": [
            {"id": 1, "type": "table", "fieldConfig": {"defaults": {}, "overrides": [
                {"matcher": {"id": "byName", "options": "Namespace"},
                 "properties": [{"id": "links", "value": [
                    {"title": "Drill down", "url": "/d/abc?var-namespace=${__data.fields.Namespace}"}]}]},
                {"matcher": {"id": "byRegexp", "options": "/Pod.*/"},
                 "properties": [{"id": "links", "value": [
                    {"title": "t", "url": "https://x/$__cell", "targetBlank": true}]}]}]}}]}));
        let mut p = d.panels[0].clone();
        let links = |p: &crate::model::Panel, name| {
            let f = FieldRef {
                name,
                ref_id: "",
                kind: FieldKind::String,
            };
            field_config(p, f).links()
        };
        assert!(links(&p, "Other").is_empty());
        p.defaults.links = json!([{"title": "all", "url": "/d/all"}]);
        let ns = links(&p, "Namespace");
        assert_eq!(ns.len(), 1);
        assert_eq!(ns[0].url, "/d/abc?var-namespace=${__data.fields.Namespace}");
        assert!(!ns[0].target_blank);
        assert!(links(&p, "Pod name")[0].target_blank);
        assert_eq!(links(&p, "Other")[0].url, "/d/all");
        for ok in [
            "/d/a?x=1",
            "https://example.com/a",
            "HTTP://x",
            "d/abc",
            "?a=b:c",
            "#x",
        ] {
            assert_eq!(safe_link_url(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,x",
            "java\tscript:x",
            "vbscript:x",
            "/d/${__data.fields.X}",
            "",
        ] {
            assert_eq!(safe_link_url(bad), None, "{bad:?}");
        }
    }
}
