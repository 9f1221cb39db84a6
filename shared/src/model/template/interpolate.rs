//! Interpolation of variables into queries, titles, legends and data links, as Grafana's
//! `TemplateSrv.replace` does it: the values in [`Scope`], the references Grafana's
//! `variableRegex` finds (`$name`, `${name:format}`, `[[name]]`), each written in its format
//! ([`super::formats`]).

use super::formats::{format_date, format_value, Context, ScopeValue};
use super::variable::{Variable, VariableKind, ALL_VALUE};
use crate::time::interval::{calculate_interval, format_interval, parse_interval};
use std::collections::BTreeMap;

/// The value used for a query variable whose options are not known without asking Prometheus
/// (`check-dashboard` works offline). It only stands for "some value": a check with it proves
/// every reference names a defined variable, not that Prometheus has data for it.
pub const PLACEHOLDER_VALUE: &str = "value";

/// The variables' values interpolation uses, by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    values: BTreeMap<String, ScopeValue>,
}

impl Scope {
    pub fn new() -> Self {
        Scope::default()
    }

    pub fn set(&mut self, name: impl Into<String>, value: ScopeValue) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&ScopeValue> {
        self.values.get(name)
    }

    /// Adds `$__from`, `$__to` (epoch ms) and `$__dashboard` (its title).
    pub fn with_builtins(mut self, from_ms: i64, to_ms: i64, dashboard_title: &str) -> Self {
        self.set("__from", ScopeValue::single(from_ms.to_string()));
        self.set("__to", ScopeValue::single(to_ms.to_string()));
        self.set("__dashboard", ScopeValue::single(dashboard_title));
        self
    }

    /// The scope of a dashboard as it opens with no `var-` parameters: each variable's saved
    /// current value; else its first option (custom and interval variables read theirs from
    /// the query); else [`PLACEHOLDER_VALUE`] for a query variable. Interval variables set to
    /// `auto` take the interval for a range of `range_ms`. Ad hoc variables are not values.
    pub fn from_defaults(vars: &[Variable], range_ms: i64) -> Scope {
        let mut scope = Scope::new();
        for var in vars {
            if matches!(var.kind, VariableKind::Adhoc | VariableKind::Other(_)) {
                continue;
            }
            let mut options = var.options.clone();
            if options.is_empty()
                && matches!(var.kind, VariableKind::Custom | VariableKind::Interval)
            {
                options = var.options_from_query();
            }
            options.retain(|o| o.value != ALL_VALUE);
            let mut current = var.current.clone();
            let mut texts = var.current_text.clone();
            if current.is_empty() || current.iter().all(String::is_empty) {
                current = match var.kind {
                    VariableKind::Constant | VariableKind::Textbox => vec![var.query.clone()],
                    _ => match options.first() {
                        Some(o) => {
                            texts = vec![o.text.clone()];
                            vec![o.value.clone()]
                        }
                        None if var.kind == VariableKind::Query => {
                            vec![PLACEHOLDER_VALUE.to_string()]
                        }
                        None if var.kind == VariableKind::Datasource => vec!["default".into()],
                        None => vec![String::new()],
                    },
                };
            }
            if var.kind == VariableKind::Interval
                && current
                    .first()
                    .is_some_and(|c| c == "auto" || c.starts_with("$__auto_interval"))
            {
                let min = parse_interval(&var.auto_min).unwrap_or(10_000);
                current = vec![format_interval(calculate_interval(
                    range_ms,
                    var.auto_count,
                    Some(min),
                ))];
            }
            let mut value = ScopeValue {
                multi: var.multi,
                include_all: var.include_all,
                ..ScopeValue::default()
            };
            if current.iter().any(|c| c == ALL_VALUE) {
                value.texts = vec!["All".into()];
                match &var.all_value {
                    Some(all) => value.custom_all = Some(all.clone()),
                    None if options.is_empty() => value.values = vec![PLACEHOLDER_VALUE.into()],
                    None => value.values = options.iter().map(|o| o.value.clone()).collect(),
                }
            } else {
                value.texts = if texts.len() == current.len() {
                    texts
                } else {
                    current.clone()
                };
                value.values = current;
            }
            scope.set(var.name.clone(), value);
        }
        scope
    }
}

/// One variable reference in a text: `$var`, `[[var:fmt]]` or `${var.field:fmt}`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct VarRef<'a> {
    /// The reference as written.
    whole: &'a str,
    name: &'a str,
    /// `${var.field}`: a field of the variable (data links' `${__data.fields.X}`).
    field: Option<&'a str>,
    format: Option<&'a str>,
}

/// The reference starting at byte `i` of `text`, and where it ends: what Grafana's
/// `variableRegex` (`\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}`)
/// matches there, read by hand so that no regex engine is needed for it.
fn var_ref_at(text: &str, i: usize) -> Option<(VarRef<'_>, usize)> {
    let found = |end: usize, name, field, format| {
        Some((
            VarRef {
                whole: &text[i..end],
                name,
                field,
                format,
            },
            end,
        ))
    };
    let b = text.as_bytes();
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        from + b
            .get(from..)
            .map_or(0, |r| r.iter().take_while(|&&c| ok(c)).count())
    };
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // An optional `sep` and a non-empty run of `ok` bytes at `at`: `Some((part, end))`, with
    // `part` `None` when there is no `sep`; `None` when `sep` is there but nothing follows it,
    // which the regex cannot match either.
    let part = |at: usize, sep: u8, ok: &dyn Fn(u8) -> bool| {
        if b.get(at) != Some(&sep) {
            return Some((None, at));
        }
        let end = run(at + 1, ok);
        (end > at + 1).then(|| (Some(&text[at + 1..end]), end))
    };
    if b[i] == b'$' {
        let name_end = run(i + 1, &word);
        if name_end > i + 1 {
            return found(name_end, &text[i + 1..name_end], None, None);
        }
        if b.get(i + 1) != Some(&b'{') {
            return None;
        }
        let name_end = run(i + 2, &word);
        if name_end == i + 2 {
            return None;
        }
        let (field, at) = part(name_end, b'.', &|c| !matches!(c, b':' | b'^' | b'}'))?;
        let (format, at) = part(at, b':', &|c| c != b'}')?;
        return (b.get(at) == Some(&b'}'))
            .then(|| found(at + 1, &text[i + 2..name_end], field, format))
            .flatten();
    }
    if !text[i..].starts_with("[[") {
        return None;
    }
    let name_end = run(i + 2, &word);
    if name_end == i + 2 {
        return None;
    }
    let (format, at) = part(name_end, b':', &word)?;
    text[at..]
        .starts_with("]]")
        .then(|| found(at + 2, &text[i + 2..name_end], None, format))
        .flatten()
}

/// `text` with every variable reference replaced by what `replace` makes of it, scanned left to
/// right as a regex's `replace_all` would.
fn replace_var_refs(text: &str, mut replace: impl FnMut(&VarRef<'_>) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < text.len() {
        if matches!(text.as_bytes()[i], b'$' | b'[') {
            if let Some((r, end)) = var_ref_at(text, i) {
                out.push_str(&text[copied..i]);
                out.push_str(&replace(&r));
                (i, copied) = (end, end);
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The names of the variables `text` refers to (`$a`, `${b:csv}`, `[[c]]`), each once, in order.
pub fn referenced_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    replace_var_refs(text, |r| {
        if !names.iter().any(|n| n == r.name) {
            names.push(r.name.to_string());
        }
        String::new()
    });
    names
}

/// Replaces every variable of `scope` in `text`; unknown variables (and built-in macros such as
/// `$__rate_interval`) are left as written, which is how unresolved ones are found.
pub fn interpolate(text: &str, scope: &Scope, context: Context) -> String {
    replace_var_refs(text, |r| match scope.get(r.name) {
        Some(value) if r.field.is_none() => match r.format.and_then(|f| f.strip_prefix("date")) {
            Some(arg) => format_date(value, arg).unwrap_or_else(|| r.whole.to_string()),
            None => format_value(r.name, value, r.format, context),
        },
        _ => r.whole.to_string(),
    })
}

/// The variable references still in an interpolated text: `$name`, `${...}`, `[[name]]`; how
/// unresolved variables are found. A `$` not followed by a name (a regex anchor: `"^foo$"`) or
/// followed by digits only (a back-reference: `label_replace(..., "$1", ...)`) is not one.
pub fn unresolved_references(expr: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &expr[i..];
        let len = if rest.starts_with("${") {
            rest.find('}').map_or(0, |e| e + 1)
        } else if rest.starts_with('$') {
            1 + rest[1..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count()
        } else if rest.starts_with("[[") {
            rest.find("]]").map_or(0, |e| e + 2)
        } else {
            0
        };
        let candidate = if len > 1 { &rest[..len] } else { "" };
        // `$1` is a regex back-reference (`label_replace`), which Grafana leaves alone too.
        let back_reference =
            candidate.len() > 1 && candidate[1..].bytes().all(|b| b.is_ascii_digit());
        let name_ok = match candidate.strip_prefix("[[") {
            Some(inner) => {
                let inner = inner.trim_end_matches("]]");
                !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
            }
            None => true,
        };
        if !candidate.is_empty() && !back_reference && name_ok {
            found.push(rest[..len].to_string());
            i += len;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

/// Interpolates a data link's URL or title (Grafana's data links): `lookup(name, path)`
/// answers the data macros first — `${__data.fields.Pod}` asks `("__data", Some("fields.Pod"))`,
/// `${__value.raw}` asks `("__value", Some("raw"))`, `$__cell_1` asks `("__cell_1", None)` —
/// then the dashboard's variables in `scope` as text (`${datasource:queryparam}`), and
/// `${__url_time_range}` from `$__from`/`$__to`. A `:format` applies to data macros as to
/// variables (`${__data.fields.Pod:percentencode}`). What neither knows is left as written.
pub fn interpolate_link(
    text: &str,
    scope: &Scope,
    lookup: &dyn Fn(&str, Option<&str>) -> Option<String>,
) -> String {
    replace_var_refs(text, |r| {
        let VarRef {
            whole,
            name,
            field: path,
            format,
        } = *r;
        {
            if let Some(v) = lookup(name, path) {
                return match format {
                    None => v,
                    Some(f) => format_value(name, &ScopeValue::single(v), Some(f), Context::Text),
                };
            }
            if name == "__url_time_range" && path.is_none() {
                if let (Some(from), Some(to)) = (scope.get("__from"), scope.get("__to")) {
                    return format!("from={}&to={}", from.values.concat(), to.values.concat());
                }
            }
            match scope.get(name) {
                Some(value) if path.is_none() => {
                    match format.and_then(|f| f.strip_prefix("date")) {
                        Some(arg) => format_date(value, arg).unwrap_or_else(|| whole.to_string()),
                        None => format_value(name, value, format, Context::Text),
                    }
                }
                _ => whole.to_string(),
            }
        }
    })
}

#[cfg(test)]
mod var_ref_tests {
    use super::replace_var_refs;
    use proptest::prelude::*;

    /// Each reference as `<name|field|format>`, through Grafana's `variableRegex` itself.
    fn by_regex(text: &str) -> String {
        let re = regex_lite::Regex::new(
            r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}",
        )
        .unwrap();
        re.replace_all(text, |c: &regex_lite::Captures<'_>| {
            let g = |i: usize| c.get(i).map_or("-", |m| m.as_str());
            let name = c
                .get(1)
                .or(c.get(2))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            let format = c.get(3).or(c.get(6)).map_or("-", |m| m.as_str());
            format!("<{name}|{}|{format}>", g(5))
        })
        .into_owned()
    }

    fn by_scanner(text: &str) -> String {
        replace_var_refs(text, |r| {
            format!(
                "<{}|{}|{}>",
                r.name,
                r.field.unwrap_or("-"),
                r.format.unwrap_or("-")
            )
        })
    }

    proptest! {
        /// The hand-written scanner finds exactly what Grafana's regex finds.
        #[test]
        fn scanner_matches_grafanas_regex(text in "[$\\[\\]{}:.^a_1 é]{0,40}") {
            prop_assert_eq!(by_scanner(&text), by_regex(&text));
        }
    }

    #[test]
    fn known_references() {
        for text in [
            "$a ${b} ${c.d:e} [[f]] [[g:h]] ${i:date:iso} $1 ${__data.fields.X:percentencode}",
            "${} [[]] [[a:]] ${a.} ${a:} ${a.b^c} $ [[a:b c]] ${a.b:c",
        ] {
            assert_eq!(by_scanner(text), by_regex(text), "{text}");
        }
    }
}
