//! Checks a dashboard JSON must pass before it is stored or imported.
//!
//! Every error names the JSON path of what is wrong (`dashboard.panels[3].gridPos.w`), so a
//! user can fix their file without reading code. Fields kubeglass does not know are left alone:
//! they are kept, not rejected.

use serde_json::Value;
use std::fmt;

/// What is wrong with a dashboard, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// JSON path from the dashboard object, e.g. `dashboard.panels[2].title`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// The deepest nesting of arrays and objects a dashboard may have. Real dashboards stay under
/// 15; the bound keeps hostile input from exhausting the stack of whoever walks the JSON next.
pub const MAX_DEPTH: usize = 64;

fn err(path: impl Into<String>, message: impl Into<String>) -> ValidationError {
    ValidationError {
        path: path.into(),
        message: message.into(),
    }
}

/// How deeply `value` nests arrays and objects (a scalar is 0).
pub fn depth(value: &Value) -> usize {
    // Iterative, so that measuring a hostile document cannot overflow the stack either.
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                deepest = deepest.max(d + 1);
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            Value::Object(map) => {
                deepest = deepest.max(d + 1);
                stack.extend(map.values().map(|i| (i, d + 1)));
            }
            _ => {}
        }
    }
    deepest
}

/// Checks that `dashboard` is something kubeglass can store and show: an object with a
/// non-empty `title`, panels in `panels` (or legacy `rows`), each panel an object whose `id`,
/// `type`, `title` and `gridPos`, when present, have the right types.
pub fn validate_dashboard(dashboard: &Value) -> Result<(), ValidationError> {
    let root = "dashboard";
    let obj = dashboard.as_object().ok_or_else(|| {
        err(
            root,
            format!("must be a JSON object, found {}", kind(dashboard)),
        )
    })?;
    if depth(dashboard) > MAX_DEPTH {
        return Err(err(root, format!("nests deeper than {MAX_DEPTH} levels")));
    }
    match obj.get("title") {
        Some(Value::String(t)) if !t.trim().is_empty() => {}
        Some(Value::String(_)) => return Err(err("dashboard.title", "must not be empty")),
        Some(other) => {
            return Err(err(
                "dashboard.title",
                format!("must be a string, found {}", kind(other)),
            ))
        }
        None => return Err(err("dashboard.title", "is missing")),
    }
    if let Some(uid) = obj.get("uid") {
        match uid {
            Value::Null => {}
            Value::String(u) => check_uid(u).map_err(|m| err("dashboard.uid", m))?,
            other => {
                return Err(err(
                    "dashboard.uid",
                    format!("must be a string, found {}", kind(other)),
                ))
            }
        }
    }
    let panels = obj.get("panels");
    let rows = obj.get("rows");
    // A dashboard without panels (or rows) is an empty one, as Grafana takes it.
    match (panels, rows) {
        (Some(p), _) if !p.is_array() => {
            return Err(err(
                "dashboard.panels",
                format!("must be an array, found {}", kind(p)),
            ))
        }
        (_, Some(r)) if !r.is_array() => {
            return Err(err(
                "dashboard.rows",
                format!("must be an array, found {}", kind(r)),
            ))
        }
        _ => {}
    }
    if let Some(Value::Array(panels)) = panels {
        check_panels(panels, "dashboard.panels")?;
    }
    if let Some(Value::Array(rows)) = rows {
        for (i, row) in rows.iter().enumerate() {
            let path = format!("dashboard.rows[{i}]");
            let row = row
                .as_object()
                .ok_or_else(|| err(&path, format!("must be an object, found {}", kind(row))))?;
            match row.get("panels") {
                None => {}
                Some(Value::Array(panels)) => check_panels(panels, &format!("{path}.panels"))?,
                Some(other) => {
                    return Err(err(
                        format!("{path}.panels"),
                        format!("must be an array, found {}", kind(other)),
                    ))
                }
            }
        }
    }
    Ok(())
}

/// A dashboard uid: 1 to 40 characters of letters, digits, `-` and `_` (Grafana's rule), so it
/// is safe in a URL path.
pub fn check_uid(uid: &str) -> Result<(), String> {
    if uid.is_empty() || uid.len() > 40 {
        return Err(format!("must be 1 to 40 characters long, is {}", uid.len()));
    }
    if let Some(c) = uid
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "may hold only letters, digits, `-` and `_`, found {c:?}"
        ));
    }
    Ok(())
}

fn check_panels(panels: &[Value], path: &str) -> Result<(), ValidationError> {
    for (i, panel) in panels.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let p = panel
            .as_object()
            .ok_or_else(|| err(&path, format!("must be an object, found {}", kind(panel))))?;
        if let Some(id) = p.get("id") {
            if !(id.is_i64() || id.is_u64() || id.is_null()) {
                return Err(err(
                    format!("{path}.id"),
                    format!("must be an integer, found {}", kind(id)),
                ));
            }
        }
        for key in ["type", "title"] {
            if let Some(v) = p.get(key) {
                if !v.is_string() && !v.is_null() {
                    return Err(err(
                        format!("{path}.{key}"),
                        format!("must be a string, found {}", kind(v)),
                    ));
                }
            }
        }
        if let Some(grid) = p.get("gridPos") {
            let g = grid.as_object().ok_or_else(|| {
                err(
                    format!("{path}.gridPos"),
                    format!("must be an object, found {}", kind(grid)),
                )
            })?;
            for key in ["x", "y", "w", "h"] {
                if let Some(v) = g.get(key) {
                    if !v.is_number() {
                        return Err(err(
                            format!("{path}.gridPos.{key}"),
                            format!("must be a number, found {}", kind(v)),
                        ));
                    }
                }
            }
        }
        if let Some(targets) = p.get("targets") {
            if !targets.is_array() && !targets.is_null() {
                return Err(err(
                    format!("{path}.targets"),
                    format!("must be an array, found {}", kind(targets)),
                ));
            }
        }
        // Collapsed rows carry their panels inside.
        if let Some(Value::Array(nested)) = p.get("panels") {
            check_panels(nested, &format!("{path}.panels"))?;
        }
    }
    Ok(())
}

/// The JSON type of `v`, as an error message names it.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_minimal_and_legacy_dashboards() {
        assert_eq!(
            validate_dashboard(&json!({"title": "A", "panels": []})),
            Ok(())
        );
        assert_eq!(
            validate_dashboard(
                &json!({"title": "A", "rows": [{"panels": [{"id": 1, "type": "graph"}]}]})
            ),
            Ok(())
        );
        assert_eq!(
            validate_dashboard(
                &json!({"title": "A", "uid": null, "panels": [{"id": 2, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "future": {"kept": true}}]})
            ),
            Ok(())
        );
    }

    #[test]
    fn names_the_path_of_what_is_wrong() {
        let cases = [
            (
                json!([]),
                "dashboard",
                "must be a JSON object, found an array",
            ),
            (json!({"panels": []}), "dashboard.title", "is missing"),
            (
                json!({"title": " ", "panels": []}),
                "dashboard.title",
                "must not be empty",
            ),
            (
                json!({"title": 3, "panels": []}),
                "dashboard.title",
                "must be a string, found a number",
            ),
            (
                json!({"title": "A", "panels": {}}),
                "dashboard.panels",
                "must be an array, found an object",
            ),
            (
                json!({"title": "A", "panels": [{"id": "x"}]}),
                "dashboard.panels[0].id",
                "must be an integer, found a string",
            ),
            (
                json!({"title": "A", "panels": [{}, {"gridPos": {"w": "12"}}]}),
                "dashboard.panels[1].gridPos.w",
                "must be a number, found a string",
            ),
            (
                json!({"title": "A", "panels": [{"type": "row", "panels": [{"targets": 1}]}]}),
                "dashboard.panels[0].panels[0].targets",
                "must be an array, found a number",
            ),
            (
                json!({"title": "A", "uid": "a/b", "panels": []}),
                "dashboard.uid",
                "may hold only letters, digits, `-` and `_`, found '/'",
            ),
            (
                json!({"title": "A", "rows": [3]}),
                "dashboard.rows[0]",
                "must be an object, found a number",
            ),
        ];
        for (input, path, message) in cases {
            let e = validate_dashboard(&input).expect_err(&input.to_string());
            assert_eq!(
                (e.path.as_str(), e.message.as_str()),
                (path, message),
                "for {input}"
            );
        }
    }

    #[test]
    fn refuses_deep_nesting() {
        let mut v = json!(1);
        for _ in 0..70 {
            v = json!([v]);
        }
        let e = validate_dashboard(&json!({"title": "A", "panels": [], "x": v})).unwrap_err();
        assert_eq!(e.message, format!("nests deeper than {MAX_DEPTH} levels"));
        assert_eq!(depth(&json!({"a": [1, {"b": []}]})), 4);
    }
}
