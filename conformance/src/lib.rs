//! kubeglass against Grafana's own code.
//!
//! Grafana's published npm packages (`@grafana/data`, `@grafana/scenes`, `@grafana/prometheus`,
//! pinned by `conformance/oracle/package-lock.json`, installed by `cargo xtask` under
//! `target/conformance/`, never shipped) answer generated cases through the [`oracle`]; the
//! same cases go through `kubeglass-shared`; an answer that differs is a mismatch, unless
//! `deliberate-differences.toml` explains it ([`differences`]).
//!
//! Each category ([`categories`]) makes its cases from a seed: hand-written edge cases first,
//! then generated ones. A case carries Grafana's input (for the oracle), kubeglass's answer,
//! and how to read Grafana's answer from the oracle's reply.

pub mod categories;
pub mod differences;
pub mod oracle;

pub use differences::{deliberate, Difference};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;
use std::collections::BTreeMap;

/// One case: Grafana's input, kubeglass's answer, and how to read Grafana's answer.
pub struct Case {
    /// What is tried, as deliberate differences match it (`unit=bytes value=1536 decimals=-`).
    pub name: String,
    /// The oracle's input line.
    pub input: Value,
    /// kubeglass's answer, in the shape [`Case::answer`] reads from the oracle's reply.
    pub ours: Value,
    /// Grafana's answer, read from the oracle's reply.
    pub answer: fn(&Value) -> Value,
}

/// The answer of a case whose input is refused (an error, on either side).
pub const REFUSED: &str = "error";

/// A category of cases: its name and how it makes `n` generated cases (after its edge cases)
/// from a random source.
pub struct Category {
    pub name: &'static str,
    pub cases: fn(&mut StdRng, usize) -> Vec<Case>,
}

/// One mismatch.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub case: String,
    pub grafana: Value,
    pub ours: Value,
    /// The deliberate difference that explains it, if one does.
    pub explained_by: Option<String>,
}

/// What one category came to.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub cases: usize,
    pub mismatches: Vec<Mismatch>,
}

impl Outcome {
    pub fn unexplained(&self) -> impl Iterator<Item = &Mismatch> {
        self.mismatches.iter().filter(|m| m.explained_by.is_none())
    }
}

/// Whether two answers agree: equal JSON, numbers within a relative 1e-9 (Grafana computes in
/// doubles too, but sums in another order), `$num` forms as their numbers.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y))
            if !(x.contains_key("$num") || y.contains_key("$num")) =>
        {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => match (oracle::read_num(a), oracle::read_num(b)) {
            (Some(x), Some(y)) => {
                x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
            }
            _ => a == b,
        },
    }
}

/// Runs the categories named in `only` (all when empty) with `n` generated cases each from
/// `seed`; one oracle process for all of them.
pub fn run(
    only: &[String],
    n: usize,
    seed: u64,
) -> Result<BTreeMap<&'static str, Outcome>, String> {
    // The oracle runs in UTC; the `browser` time zone of kubeglass's answers must be the same.
    std::env::set_var("TZ", "UTC");
    let mut all: Vec<(&'static str, Case)> = Vec::new();
    for category in categories::ALL {
        if !only.is_empty() && !only.iter().any(|o| o == category.name) {
            continue;
        }
        let mut rng = StdRng::seed_from_u64(seed ^ fnv(category.name));
        for case in (category.cases)(&mut rng, n) {
            all.push((category.name, case));
        }
    }
    let inputs: Vec<Value> = all.iter().map(|(_, c)| c.input.clone()).collect();
    let answers = oracle::run(&inputs)?;
    let mut outcomes: BTreeMap<&'static str, Outcome> = BTreeMap::new();
    let mut allowed: BTreeMap<&'static str, Vec<Difference>> = BTreeMap::new();
    for ((category, case), reply) in all.into_iter().zip(answers) {
        let outcome = outcomes.entry(category).or_default();
        outcome.cases += 1;
        // A refusal is `"error"` on both sides, whatever the message.
        let grafana = if reply["ok"] == Value::Bool(true) {
            (case.answer)(&reply)
        } else {
            Value::String(REFUSED.into())
        };
        if same(&grafana, &case.ours) {
            continue;
        }
        let list = allowed
            .entry(category)
            .or_insert_with(|| deliberate(category));
        let explained_by = list
            .iter()
            .find(|d| d.matches(&case.name))
            .map(|d| d.case.clone());
        outcome.mismatches.push(Mismatch {
            case: case.name,
            grafana,
            ours: case.ours,
            explained_by,
        });
    }
    Ok(outcomes)
}

/// A stable hash of a name (FNV-1a), so that each category's cases depend only on the seed.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// The per-category table, then the first `show` unexplained mismatches of each category.
pub fn report(outcomes: &BTreeMap<&'static str, Outcome>, show: usize) -> String {
    let mut out = String::from("category      cases  mismatches  explained  unexplained   rate\n");
    let (mut cases, mut mismatches, mut unexplained) = (0, 0, 0);
    for (name, o) in outcomes {
        let u = o.unexplained().count();
        out.push_str(&format!(
            "{name:<12} {:>6}  {:>10}  {:>9}  {:>11}  {:>5.1}%\n",
            o.cases,
            o.mismatches.len(),
            o.mismatches.len() - u,
            u,
            100.0 * o.mismatches.len() as f64 / o.cases.max(1) as f64
        ));
        cases += o.cases;
        mismatches += o.mismatches.len();
        unexplained += u;
    }
    out.push_str(&format!(
        "{:<12} {cases:>6}  {mismatches:>10}  {:>9}  {unexplained:>11}  {:>5.1}%\n",
        "all",
        mismatches - unexplained,
        100.0 * mismatches as f64 / cases.max(1) as f64
    ));
    for (name, o) in outcomes {
        for m in o.unexplained().take(show) {
            out.push_str(&format!(
                "\n[{name}] {}\n  grafana:   {}\n  kubeglass: {}",
                m.case, m.grafana, m.ours
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_agree_within_float_noise_and_on_non_finite_numbers() {
        assert!(same(&json!(0.30000000000000004), &json!(0.3)));
        assert!(!same(&json!(0.31), &json!(0.3)));
        assert!(same(&json!({"$num": "NaN"}), &json!({"$num": "NaN"})));
        assert!(same(&json!([1, {"a": "x"}]), &json!([1.0, {"a": "x"}])));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same(&json!(null), &json!(0)));
    }
}
