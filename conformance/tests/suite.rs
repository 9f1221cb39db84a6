//! The conformance suite as `cargo xtask test` runs it: every category with a fixed seed and
//! the default number of generated cases; fails on any mismatch with Grafana's own code that
//! `conformance/deliberate-differences.toml` does not explain. `cargo xtask conformance`
//! runs more cases.

/// Generated cases per category (after the hand-written edge cases).
const CASES: usize = 1500;
const SEED: u64 = 20_261_203;

#[test]
fn kubeglass_agrees_with_grafanas_own_code() {
    if !kubeglass_conformance::oracle::installed() {
        // `cargo xtask test` always installs it; only a bare `cargo test` gets here.
        xtask::skip::skip(
            "conformance::kubeglass_agrees_with_grafanas_own_code",
            &format!(
                "Grafana's packages are not installed in {} (`cargo xtask test` installs them)",
                kubeglass_conformance::oracle::dir().display()
            ),
        );
        return;
    }
    let outcomes = kubeglass_conformance::run(&[], CASES, SEED).expect("the oracle runs");
    let report = kubeglass_conformance::report(&outcomes, 8);
    eprintln!("{report}");
    let unexplained: usize = outcomes.values().map(|o| o.unexplained().count()).sum();
    assert_eq!(
        unexplained, 0,
        "mismatches with Grafana that conformance/deliberate-differences.toml does not explain:\n{report}"
    );
}
