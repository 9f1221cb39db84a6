//! The oracle: Grafana's own code under node (`conformance/oracle/oracle.mjs`, installed with
//! Grafana's packages under `target/conformance/` by `cargo xtask`), fed one JSON case per
//! line, answering one JSON line per case.
//!
//! Numbers that JSON cannot hold travel as `{"$num": "NaN" | "Infinity" | "-Infinity"}` both
//! ways. The oracle runs with `TZ=UTC` and the `en-US` locale unless a case says otherwise.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Where the installed oracle is: `KUBEGLASS_ORACLE` (set by `cargo xtask test`), else
/// `target/conformance/`.
pub fn dir() -> PathBuf {
    std::env::var_os("KUBEGLASS_ORACLE")
        .map(PathBuf::from)
        .unwrap_or_else(xtask::tools::conformance_dir)
}

/// Whether the oracle is installed.
pub fn installed() -> bool {
    dir().join("oracle.mjs").is_file()
        && dir()
            .join("node_modules/@grafana/data/package.json")
            .is_file()
}

/// A number for the oracle: JSON for finite ones, the `$num` form for the others.
pub fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        json!({"$num": if v.is_nan() { "NaN" } else if v > 0.0 { "Infinity" } else { "-Infinity" }})
    }
}

/// Reads a number the oracle wrote (`$num` forms included); `None` for null and non-numbers.
pub fn read_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Object(o) => match o.get("$num").and_then(Value::as_str)? {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Runs every case through the oracle in one node process; one answer per case, in order.
/// `Err` when node or the oracle cannot run at all.
pub fn run(cases: &[Value]) -> Result<Vec<Value>, String> {
    let dir = dir();
    let mut child = Command::new("node")
        .arg("oracle.mjs")
        .current_dir(&dir)
        .env("TZ", "UTC")
        .env("ORACLE_LANGUAGES", "en-US")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("running node oracle.mjs in {}: {e}", dir.display()))?;
    let mut stdin = child.stdin.take().expect("piped");
    let input: String = cases
        .iter()
        .map(|c| serde_json::to_string(c).expect("cases serialize") + "\n")
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut answers = Vec::with_capacity(cases.len());
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line.map_err(|e| format!("reading the oracle: {e}"))?;
        answers.push(
            serde_json::from_str(&line).map_err(|e| format!("the oracle wrote {line:?}: {e}"))?,
        );
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    if answers.len() != cases.len() {
        return Err(format!(
            "the oracle answered {} of {} cases ({status})",
            answers.len(),
            cases.len()
        ));
    }
    Ok(answers)
}
