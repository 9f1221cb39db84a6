//! `cargo xtask conformance [--cases N] [--seed S] [CATEGORY...]`: runs the conformance suite
//! with more cases than `cargo xtask test` does and prints the per-category table and the first
//! mismatches that no deliberate difference explains. Exits 1 when there is any.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut cases = 2000usize;
    let mut seed = 1u64;
    let mut show = 10usize;
    let mut only = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| {
                    eprintln!("{flag} needs a number");
                    std::process::exit(2)
                })
        };
        match a.as_str() {
            "--cases" => cases = value("--cases") as usize,
            "--seed" => seed = value("--seed"),
            "--show" => show = value("--show") as usize,
            other if !other.starts_with('-') => only.push(other.to_owned()),
            other => {
                eprintln!("unknown argument `{other}`; usage: conformance [--cases N] [--seed S] [--show N] [CATEGORY...]");
                return ExitCode::from(2);
            }
        }
    }
    if !kubeglass_conformance::oracle::installed() {
        eprintln!(
            "the oracle is not installed in {}: run `cargo xtask conformance`, which installs Grafana's packages",
            kubeglass_conformance::oracle::dir().display()
        );
        return ExitCode::from(2);
    }
    match kubeglass_conformance::run(&only, cases, seed) {
        Ok(outcomes) => {
            println!("seed {seed}, {cases} generated cases per category\n");
            println!("{}", kubeglass_conformance::report(&outcomes, show));
            if outcomes.values().any(|o| o.unexplained().next().is_some()) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("conformance: {e}");
            ExitCode::from(2)
        }
    }
}
