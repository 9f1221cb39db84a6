//! Query variables: what a Prometheus variable's `query` asks for, and how the answer becomes
//! its options (the variable's `regex`, its `sort`).

use super::variable::VariableOption;
use crate::js::regex::Regex;
use std::cmp::Ordering;

/// What a Prometheus query variable asks for; the front end turns it into an HTTP API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableQuery {
    /// `label_names()`: `/api/v1/labels`.
    LabelNames,
    /// `label_values(label)`: `/api/v1/label/{label}/values`; with a metric (any series
    /// selector), `/api/v1/series?match[]=metric` and the label read from each series.
    LabelValues {
        metric: Option<String>,
        label: String,
    },
    /// `metrics(regex)`: metric names (`__name__` values) matching the regex.
    Metrics { regex: String },
    /// `query_result(expr)`: an instant query; each result line is an option.
    QueryResult { expr: String },
    /// Anything else: a series selector whose matching series are the options.
    Series { selector: String },
}

/// Parses a Prometheus query variable's query, as Grafana's `PrometheusMetricFindQuery`.
pub fn parse_variable_query(query: &str) -> VariableQuery {
    // Compiled per call (a variable's query is parsed once per resolution): in the browser a
    // regex is a JavaScript object, which a `static` cannot hold.
    let re = |source: &str| Regex::new(source, "").expect("valid");
    let [names, values, metrics, result] = [
        re(r"^label_names\(\)\s*$"),
        re(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$"),
        re(r"^metrics\((.+)\)\s*$"),
        re(r"^query_result\(([\s\S]+)\)\s*$"),
    ];
    let q = query.trim();
    if names.is_match(q) {
        return VariableQuery::LabelNames;
    }
    if let Some(c) = values.captures(q) {
        return VariableQuery::LabelValues {
            metric: c.get(1).map(|m| m.trim().to_string()),
            label: c.get(2).unwrap_or_default().to_string(),
        };
    }
    if let Some(c) = metrics.captures(q) {
        return VariableQuery::Metrics {
            regex: c.get(1).unwrap_or_default().trim().to_string(),
        };
    }
    if let Some(c) = result.captures(q) {
        return VariableQuery::QueryResult {
            expr: c.get(1).unwrap_or_default().trim().to_string(),
        };
    }
    VariableQuery::Series {
        selector: q.to_string(),
    }
}

/// A variable's `regex` written as JavaScript does (`/pattern/flags`, or a bare pattern that
/// must match the whole value), compiled; the error names the variable.
pub fn compile_regex(var_name: &str, js: &str) -> Result<Regex, String> {
    let (pattern, flags) = match js
        .strip_prefix('/')
        .and_then(|r| r.rfind('/').map(|i| (&r[..i], &r[i + 1..])))
    {
        Some((p, f)) => (p.to_string(), f),
        None => (format!("^{js}$"), ""),
    };
    Regex::new(&pattern, flags).map_err(|e| format!("variable `{var_name}`: regex `{js}`: {e}"))
}

/// Applies a variable's regex to the raw results of its query, as Grafana's
/// `metricNamesToVariableValues`: values that do not match are dropped; a named group `value`
/// (and `text`) or else the first capture group is what is kept; duplicates are removed.
pub fn filter_options(values: &[String], regex: Option<&Regex>) -> Vec<VariableOption> {
    let mut out: Vec<VariableOption> = Vec::new();
    for raw in values {
        let (text, value) = match regex {
            None => (raw.clone(), raw.clone()),
            Some(re) => {
                let Some(c) = re.captures(raw) else { continue };
                if let Some(v) = c.name("value") {
                    let t = c.name("text").unwrap_or(v);
                    (t.to_string(), v.to_string())
                } else if let Some(t) = c.name("text") {
                    (t.to_string(), t.to_string())
                } else if let Some(g) = c.get(1).filter(|g| !g.is_empty()) {
                    (g.to_string(), g.to_string())
                } else {
                    (raw.clone(), raw.clone())
                }
            }
        };
        if !out.iter().any(|o| o.value == value) {
            out.push(VariableOption { text, value });
        }
    }
    out
}

/// Sorts options by their text as Grafana's `sortVariableValues` does for `sort` 0–8.
pub fn sort_options(options: &mut [VariableOption], sort: u8) {
    fn number(text: &str) -> i64 {
        // Grafana: the first run of digits, or -1.
        let digits: String = text
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap_or(-1)
    }
    let cmp: fn(&VariableOption, &VariableOption) -> Ordering = match sort {
        1 | 2 => |a, b| a.text.cmp(&b.text),
        3 | 4 => |a, b| number(&a.text).cmp(&number(&b.text)),
        5 | 6 => |a, b| a.text.to_lowercase().cmp(&b.text.to_lowercase()),
        7 | 8 => |a, b| natural_cmp(&a.text, &b.text),
        _ => return,
    };
    crate::sort::sort_by(options, cmp);
    if sort % 2 == 0 {
        options.reverse();
    }
}

/// Natural order (`localeCompare` with `numeric: true`): digit runs compare as numbers, the
/// rest case-insensitively.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (na, nb) = (take(&mut a), take(&mut b));
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.to_lowercase().cmp(y.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                a.next();
                b.next();
            }
        }
    }
}
