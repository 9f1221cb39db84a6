//! The formats a variable's value is written in (`${v:csv}`, `${v:regex}`, `${__from:date:...}`
//! ...), as Grafana's Scenes `formatRegistry` writes them, and the default format of each
//! context (Prometheus queries, text).

/// The value a variable has during interpolation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeValue {
    pub values: Vec<String>,
    pub texts: Vec<String>,
    pub multi: bool,
    pub include_all: bool,
    /// All is selected and the variable has a custom all value: it is used as written.
    pub custom_all: Option<String>,
}

impl ScopeValue {
    /// A single plain value (built-ins, constants).
    pub fn single(value: impl Into<String>) -> Self {
        let value = value.into();
        ScopeValue {
            texts: vec![value.clone()],
            values: vec![value],
            ..ScopeValue::default()
        }
    }
}

/// How a variable's values are written where it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A PromQL expression: Grafana's Prometheus `interpolateQueryExpr`.
    Prometheus,
    /// Titles, legends, links: Grafana's default (`glob` for several values).
    Text,
}

/// Writes a variable's value in `format` (`None`: the context's default), as Grafana's
/// Scenes `formatRegistry` does. `format` is the text after the variable's name, its arguments
/// after further `:` (`join: + `, `customqueryparam:name:prefix`, `date:YYYY-MM-DD`).
///
/// A variable's value is a list when the variable is multi-valued (or holds other than one
/// value), else one string; the formats tell the two apart (`json` of one string is the string,
/// of a list a JSON array).
pub fn format_value(name: &str, v: &ScopeValue, format: Option<&str>, context: Context) -> String {
    let (format, args) = match format {
        Some(f) => {
            let mut parts = f.split(':');
            (parts.next(), parts.collect::<Vec<_>>())
        }
        None => (None, Vec::new()),
    };
    if let Some(all) = &v.custom_all {
        // A custom all value is used as written, except by `text` and `percentencode`.
        match format {
            Some("text") => return "All".into(),
            Some("percentencode") => return percent_encode(all),
            _ => return all.clone(),
        }
    }
    let values = &v.values;
    let list = v.multi || values.len() != 1;
    let single = || values.first().cloned().unwrap_or_default();
    // A list in braces (`{a,b}`), as glob and the URL encodings write it.
    let braced = || format!("{{{}}}", values.join(","));
    let glob = || match values.len() {
        0 => String::new(),
        1 => values[0].clone(),
        _ => braced(),
    };
    let format = match (format, context) {
        (None, Context::Prometheus) => return prometheus_default(v),
        (None, Context::Text) => "glob",
        (Some(f), _) => f,
    };
    match format {
        "regex" => {
            let escaped: Vec<String> = values.iter().map(|s| regex_escape(s)).collect();
            match (list, escaped.len()) {
                (false, _) | (true, 1) => escaped.concat(),
                _ => format!("({})", escaped.join("|")),
            }
        }
        "pipe" => values.join("|"),
        "csv" | "raw" => values.join(","),
        "join" => values.join(args.first().copied().unwrap_or(",")),
        "distributed" => match values.split_first() {
            Some((first, rest)) if list => std::iter::once(first.clone())
                .chain(rest.iter().map(|v| format!("{name}={v}")))
                .collect::<Vec<_>>()
                .join(","),
            _ => single(),
        },
        "json" if list => serde_json::to_string(values).unwrap_or_default(),
        "json" => single(),
        "doublequote" => quoted(values, '"'),
        "singlequote" => quoted(values, '\''),
        "sqlstring" => values
            .iter()
            .map(|s| format!("'{}'", s.replace('\'', "''").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(","),
        "html" => html_escape(&values.join(", ")),
        "text" => v.texts.join(" + "),
        "queryparam" => values
            .iter()
            .map(|s| format!("var-{}={}", percent_encode(name), percent_encode(s)))
            .collect::<Vec<_>>()
            .join("&"),
        "customqueryparam" => {
            let key = args
                .first()
                .copied()
                .filter(|k| !k.is_empty())
                .unwrap_or(name);
            let prefix = args.get(1).copied().unwrap_or("");
            values
                .iter()
                .map(|s| format!("{}={}{}", percent_encode(key), prefix, percent_encode(s)))
                .collect::<Vec<_>>()
                .join("&")
        }
        "percentencode" if list => percent_encode(&braced()),
        "percentencode" => percent_encode(&single()),
        "uriencode" if list => uri_encode(&braced()),
        "uriencode" => uri_encode(&single()),
        "lucene" if list && values.is_empty() => "__empty__".into(),
        "lucene" if list => format!(
            "({})",
            values
                .iter()
                .map(|s| format!("\"{}\"", lucene_escape(s)))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
        "lucene" => lucene_escape(&single()),
        "date" => values
            .iter()
            .filter_map(|s| format_date_value(s, args.first().copied().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(","),
        // `glob`, and any format Grafana does not know, which it writes as glob.
        _ => glob(),
    }
}

/// The `date` format of a time (epoch ms, as `$__from` and `$__to` hold): without an
/// argument or with `iso`, ISO 8601 in UTC; `seconds`, epoch seconds; anything else, a
/// moment.js pattern (`YYYY-MM-DD HH:mm`) in the browser's zone, as Grafana's `dateTime`
/// writes it. `None` when the value is not a time.
fn format_date_value(value: &str, arg: &str) -> Option<String> {
    use crate::js::moment::{format, Moment, Zone};
    let ms: i64 = value.trim().parse().ok()?;
    let at = |zone: &str| Moment::new(Some(ms as f64), Zone::new(zone));
    Some(match arg {
        "" | "iso" => format(at("utc").as_ref(), "YYYY-MM-DDTHH:mm:ss.SSS[Z]"),
        "seconds" => ms.div_euclid(1000).to_string(),
        pattern => format(at("browser").as_ref(), pattern),
    })
}

/// The `date` format of `$__from`/`$__to` in `${__from:date:...}`: see [`format_date_value`].
pub(super) fn format_date(v: &ScopeValue, arg: &str) -> Option<String> {
    format_date_value(v.values.first()?, arg.strip_prefix(':').unwrap_or(arg))
}

/// Grafana's Prometheus `interpolateQueryExpr`: a variable that is neither multi nor include-All
/// has only `\` and `'` escaped (`prometheusRegularEscape`); otherwise each value is escaped
/// for a regex inside a PromQL string (`prometheusSpecialRegexEscape`) and several are joined as
/// `(a|b)`. (Grafana 13's default: its `prometheusSpecialCharsInLabelValues` feature, which
/// escapes differently, is off by default.)
fn prometheus_default(v: &ScopeValue) -> String {
    if !v.multi && !v.include_all {
        return v
            .values
            .iter()
            .map(|s| s.replace('\\', "\\\\").replace('\'', "\\\\'"))
            .collect();
    }
    let escaped: Vec<String> = v
        .values
        .iter()
        .map(|s| prometheus_regex_escape(s))
        .collect();
    if escaped.len() == 1 {
        escaped.concat()
    } else {
        format!("({})", escaped.join("|"))
    }
}

/// A regex metacharacter escaped twice: once for the regex, once for the PromQL string.
fn prometheus_regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\\\\\"),
            '$' | '^' | '*' | '{' | '}' | '[' | ']' | '+' | '?' | '.' | '(' | ')' | '|' => {
                out.push_str("\\\\");
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Grafana's `kbn.regexEscape`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\^$*+?.()|[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn quoted(values: &[String], q: char) -> String {
    values
        .iter()
        .map(|s| format!("{q}{}{q}", s.replace(q, &format!("\\{q}"))))
        .collect::<Vec<_>>()
        .join(",")
}

/// Lucene's special characters, and the space, escaped with `\`.
fn lucene_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "+-=&|><!(){}[]^\"~*?:\\/ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes every byte of `s` but ASCII letters, digits and `keep`.
fn encode_except(s: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// JavaScript's `encodeURIComponent`, with `!'()*` encoded too, as Grafana's URL formats do.
fn percent_encode(s: &str) -> String {
    encode_except(s, b"-_.~")
}

/// JavaScript's `encodeURI` (which keeps a URL's reserved characters), with `!'()*` encoded
/// too (Grafana's `uriencode`).
fn uri_encode(s: &str) -> String {
    encode_except(s, b";,/?:@&=+$-_.~#")
}
