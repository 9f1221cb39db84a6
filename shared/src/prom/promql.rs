//! Ad hoc filters on PromQL: adds label matchers to every vector selector of an expression, as
//! Grafana's Prometheus data source does with the filters of an `adhoc` variable.
//!
//! A small hand-written scanner rather than a parser (a full PromQL parser would weigh far more
//! in the wasm bundle than this does): in PromQL, braces only ever hold a selector's matchers,
//! and a bare name is a metric unless it is a function or aggregation (followed by `(`), a
//! keyword, or a label inside a grouping list (`by (...)`, `on (...)`). Strings, comments,
//! range and subquery brackets, numbers and durations are passed over untouched. The tests in
//! `shared/tests/promql_corpus.rs` check the result with a real PromQL parser over every
//! expression of the dashboard corpus.

use crate::api::is_valid_label_name;
use crate::model::template::AdhocFilter;

/// The matcher operators an ad hoc filter may use.
pub const OPERATORS: &[&str] = &["=", "!=", "=~", "!~"];

/// Checks one filter: a label name, a known operator, a value of bounded length.
pub fn validate_filter(f: &AdhocFilter) -> Result<(), String> {
    if f.key.len() > 256 {
        return Err("an ad hoc filter's label name is longer than 256 bytes".into());
    }
    if !is_valid_label_name(&f.key) {
        return Err(format!("`{}` is not a label name", f.key));
    }
    if !OPERATORS.contains(&f.operator.as_str()) {
        return Err(format!(
            "`{}` is not a label matcher operator (=, !=, =~, !~)",
            f.operator
        ));
    }
    if f.value.len() > 4096 {
        return Err(format!(
            "the value of the filter on `{}` is longer than 4096 bytes",
            f.key
        ));
    }
    Ok(())
}

/// A filter as PromQL writes it: `key="value"` (the value quoted and escaped; a regex keeps
/// its meaning, its backslashes doubled as a PromQL string needs).
pub fn matcher_text(f: &AdhocFilter) -> String {
    let mut value = String::with_capacity(f.value.len() + 2);
    for c in f.value.chars() {
        match c {
            '\\' => value.push_str("\\\\"),
            '"' => value.push_str("\\\""),
            '\n' => value.push_str("\\n"),
            c => value.push(c),
        }
    }
    format!("{}{}\"{value}\"", f.key, f.operator)
}

/// Words that are never metric names where they stand.
const KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "and",
    "or",
    "unless",
    "atan2",
];

/// Keywords followed by a parenthesised list of label names.
const GROUPING: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// Aggregation operators, which may be followed by `by`/`without` before their `(`.
const AGGREGATIONS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
];

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b':'
}

/// The index just past the string literal opening at `i` (quote `b[i]`), escapes honoured
/// (raw backtick strings have none).
fn skip_string(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if quote != b'`' => j += 2,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// The index of the first byte at or after `i` that is not whitespace or a comment.
fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
        } else if b[i] == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            break;
        }
    }
    i
}

/// The index just past the bracketed group opening at `i` (`(` or `[`), strings skipped.
fn skip_group(b: &[u8], i: usize) -> usize {
    let (open, close) = (b[i], if b[i] == b'(' { b')' } else { b']' });
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'"' | b'\'' | b'`' => {
                j = skip_string(b, j);
                continue;
            }
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

/// Adds `filters` (already checked with [`validate_filter`]) as label matchers to every vector
/// selector of `expr`, after the matchers it has: a selector that already matches on the same
/// label keeps its own matcher and gets the filter too, as Grafana does. Without filters the
/// expression is returned as it is.
pub fn add_label_matchers(expr: &str, filters: &[AdhocFilter]) -> String {
    if filters.is_empty() {
        return expr.to_string();
    }
    let added: Vec<String> = filters.iter().map(matcher_text).collect();
    let added = added.join(",");
    let b = expr.as_bytes();
    let mut out = String::with_capacity(expr.len() + 16 * filters.len());
    let mut i = 0;
    let mut copied = 0;
    // Set after a grouping keyword: the next `(...)` is a list of label names.
    let mut label_list_next = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i = skip_string(b, i);
                label_list_next = false;
            }
            b'#' => i = skip_space(b, i),
            b'[' => i = skip_group(b, i),
            b'(' if label_list_next => {
                i = skip_group(b, i);
                label_list_next = false;
            }
            b'{' => {
                // A selector's matchers: find its end, strings skipped.
                let mut j = i + 1;
                while j < b.len() && b[j] != b'}' {
                    if matches!(b[j], b'"' | b'\'' | b'`') {
                        j = skip_string(b, j);
                    } else {
                        j += 1;
                    }
                }
                if j >= b.len() {
                    // Unclosed: not PromQL; left as it is.
                    break;
                }
                let inner = expr[i + 1..j].trim_end();
                out.push_str(&expr[copied..i + 1]);
                out.push_str(inner);
                if !(inner.trim().is_empty() || inner.ends_with(',')) {
                    out.push(',');
                }
                out.push_str(&added);
                out.push('}');
                i = j + 1;
                copied = i;
                label_list_next = false;
            }
            b'$' => {
                // A macro left for the query planner (`$__interval`, `${__range_s}`).
                i += 1;
                if i < b.len() && b[i] == b'{' {
                    while i < b.len() && b[i] != b'}' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < b.len() && is_ident(b[i]) {
                        i += 1;
                    }
                }
            }
            c if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                // A number or a duration: 1, 0.5, 1e-9, 0x1f, 5m, 1h30m.
                i += 1;
                while i < b.len() {
                    let d = b[i];
                    let exponent_sign = (d == b'-' || d == b'+') && matches!(b[i - 1], b'e' | b'E');
                    if d.is_ascii_alphanumeric() || d == b'.' || d == b'_' || exponent_sign {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                let word = &expr[start..i];
                let next = skip_space(b, i);
                let follows = b.get(next).copied();
                let lower = word.to_ascii_lowercase();
                // Keywords are case-insensitive (`OR`, `By`); metric names are not.
                if GROUPING.contains(&lower.as_str()) {
                    label_list_next = follows == Some(b'(');
                    continue;
                }
                label_list_next = false;
                if KEYWORDS.contains(&lower.as_str())
                    || lower == "inf"
                    || lower == "nan"
                    || follows == Some(b'(')
                    || follows == Some(b'{')
                {
                    // A keyword, a number, a call, or a metric whose braces get the matchers.
                    continue;
                }
                if AGGREGATIONS.contains(&lower.as_str()) {
                    let after = expr[next..].to_ascii_lowercase();
                    if after.starts_with("by") || after.starts_with("without") {
                        continue;
                    }
                }
                // A bare metric name: the filters become its matchers.
                out.push_str(&expr[copied..i]);
                out.push('{');
                out.push_str(&added);
                out.push('}');
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&expr[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(key: &str, op: &str, value: &str) -> AdhocFilter {
        AdhocFilter {
            key: key.into(),
            operator: op.into(),
            value: value.into(),
        }
    }

    fn add(expr: &str) -> String {
        add_label_matchers(expr, &[f("job", "=", "node")])
    }

    #[test]
    fn every_selector_gets_the_matchers() {
        assert_eq!(add("up"), r#"up{job="node"}"#);
        assert_eq!(add("up{}"), r#"up{job="node"}"#);
        assert_eq!(add(r#"up{instance="a"}"#), r#"up{instance="a",job="node"}"#);
        assert_eq!(add(r#"{__name__="up"}"#), r#"{__name__="up",job="node"}"#);
        assert_eq!(add(r#"up{a="b",}"#), r#"up{a="b",job="node"}"#);
        // A selector with the same label keeps its own matcher.
        assert_eq!(
            add(r#"up{job="prometheus"}"#),
            r#"up{job="prometheus",job="node"}"#
        );
        assert_eq!(
            add("sum(rate(http_requests_total[5m])) by (le) / on(instance) group_left node_info"),
            r#"sum(rate(http_requests_total{job="node"}[5m])) by (le) / on(instance) group_left node_info{job="node"}"#
        );
        assert_eq!(
            add("sum by (mode, cpu) (irate(node_cpu_seconds_total{mode!=\"idle\"}[$__rate_interval]))"),
            r#"sum by (mode, cpu) (irate(node_cpu_seconds_total{mode!="idle",job="node"}[$__rate_interval]))"#
        );
    }

    #[test]
    fn strings_numbers_keywords_and_durations_are_left_alone() {
        assert_eq!(
            add(r#"label_replace(up, "dst", "$1 up {x}", "src", "(.*)")"#),
            r#"label_replace(up{job="node"}, "dst", "$1 up {x}", "src", "(.*)")"#
        );
        assert_eq!(
            add("rate(x[1h30m:1m] offset 5m) > bool 1e-9 * Inf + 0x1f - .5"),
            r#"rate(x{job="node"}[1h30m:1m] offset 5m) > bool 1e-9 * Inf + 0x1f - .5"#
        );
        assert_eq!(
            add("a and b or c unless d"),
            r#"a{job="node"} and b{job="node"} or c{job="node"} unless d{job="node"}"#
        );
        assert_eq!(
            add("count_values(\"v\", up) without (instance)"),
            r#"count_values("v", up{job="node"}) without (instance)"#
        );
        assert_eq!(
            add("up @ start() # the comment up\n+ $__interval_ms"),
            "up{job=\"node\"} @ start() # the comment up\n+ $__interval_ms"
        );
        assert_eq!(
            add("sum(a) OR SUM BY (job) (b) * ON (x) GROUP_LEFT c"),
            r#"sum(a{job="node"}) OR SUM BY (job) (b{job="node"}) * ON (x) GROUP_LEFT c{job="node"}"#
        );
        assert_eq!(add("1 + 2"), "1 + 2");
        assert_eq!(add_label_matchers("up", &[]), "up");
        assert_eq!(
            add("histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le))"),
            r#"histogram_quantile(0.99, sum(rate(x_bucket{job="node"}[5m])) by (le))"#
        );
    }

    #[test]
    fn values_are_quoted_and_filters_checked() {
        let filters = [f("a", "=~", r#"x\.y"z"#), f("b", "!=", "")];
        assert_eq!(
            add_label_matchers("m", &filters),
            r#"m{a=~"x\\.y\"z",b!=""}"#
        );
        assert!(validate_filter(&f("job", "=", "x")).is_ok());
        assert_eq!(
            validate_filter(&f("1job", "=", "x")).unwrap_err(),
            "`1job` is not a label name"
        );
        assert_eq!(
            validate_filter(&f("job", "==", "x")).unwrap_err(),
            "`==` is not a label matcher operator (=, !=, =~, !~)"
        );
    }
}
