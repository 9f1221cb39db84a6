//! `conformance/deliberate-differences.toml`: the reviewed list of cases where kubeglass
//! knowingly differs from Grafana, each with why and why a user is better served.

use serde::Deserialize;

/// One deliberate difference.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// The category it belongs to (`units`, `display`, `formats`, `reducers`, `datemath`,
    /// `transforms`, `migration`, ...).
    pub category: String,
    /// The case it explains: its description, `*` matching any run of characters.
    pub case: String,
    /// Why kubeglass differs.
    pub why: String,
    /// Why a user is better served by the difference.
    pub better: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    difference: Vec<Difference>,
}

impl Difference {
    /// Whether `case` (a case's description) is the one this entry explains.
    pub fn matches(&self, case: &str) -> bool {
        glob(self.case.as_bytes(), case.as_bytes())
    }
}

/// `*` matches any run of bytes; everything else matches itself.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// The path of the file.
pub fn path() -> std::path::PathBuf {
    xtask::workspace_root().join("conformance/deliberate-differences.toml")
}

/// Every entry of `category`. Panics with the file's error when it does not read: a broken
/// list must not let mismatches pass.
pub fn deliberate(category: &str) -> Vec<Difference> {
    let text =
        std::fs::read_to_string(path()).unwrap_or_else(|e| panic!("{}: {e}", path().display()));
    let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path().display()));
    for d in &file.difference {
        assert!(
            !d.why.trim().is_empty() && !d.better.trim().is_empty(),
            "{}: the entry for `{}` says neither why nor why it serves users better",
            path().display(),
            d.case
        );
    }
    file.difference
        .into_iter()
        .filter(|d| d.category == category)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_cases() {
        let d = Difference {
            category: "units".into(),
            case: "unit=bytes value=*".into(),
            why: "x".into(),
            better: "y".into(),
        };
        assert!(d.matches("unit=bytes value=1"));
        assert!(d.matches("unit=bytes value="));
        assert!(!d.matches("unit=bits value=1"));
        assert!(!d.matches("xunit=bytes value=1"));
    }

    #[test]
    fn the_file_reads() {
        let _ = deliberate("units");
    }
}
