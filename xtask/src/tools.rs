//! Installing what kubeglass needs, once, pinned: Debian's packages (Prometheus,
//! node_exporter, etcd, Chromium and its driver), the wasm32 target, trunk and
//! wasm-bindgen-cli (into cargo's bin dir, where they persist across checkouts) and wasm-opt
//! from npm's `binaryen` (under `target/tools/`). Each step checks first and does nothing when
//! the right version is already there, so a warm run costs a few version checks.
//!
//! The versions live in one place, `Trunk.toml`, which trunk reads too.

use crate::stack::which;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Tool versions, read from `Trunk.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Versions {
    pub trunk: String,
    pub wasm_bindgen: String,
    /// Binaryen's release number (`132` for trunk's `version_132`).
    pub binaryen: String,
}

/// Reads the pinned versions from the text of `Trunk.toml`.
pub fn parse_versions(trunk_toml: &str) -> Result<Versions, String> {
    let value = |key: &str| {
        trunk_toml
            .lines()
            .map(str::trim)
            .find_map(|l| {
                l.strip_prefix(key)
                    .map(str::trim_start)
                    .and_then(|r| r.strip_prefix('='))
                    .map(|v| v.trim().trim_matches('"').to_owned())
            })
            .ok_or_else(|| format!("Trunk.toml: `{key}` is missing"))
    };
    Ok(Versions {
        trunk: value("trunk-version")?
            .trim_start_matches(['^', '=', '~'])
            .to_owned(),
        wasm_bindgen: value("wasm_bindgen")?,
        binaryen: value("wasm_opt")?.trim_start_matches("version_").to_owned(),
    })
}

pub fn versions(root: &Path) -> Result<Versions, String> {
    let path = root.join("Trunk.toml");
    parse_versions(&std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// Debian packages and a program each provides, by which we tell whether it is installed.
const SERVER_PACKAGES: &[(&str, &str)] = &[
    ("prometheus", "prometheus"),
    ("promtool", "prometheus"),
    ("prometheus-node-exporter", "prometheus-node-exporter"),
    ("etcd", "etcd-server"),
    ("npm", "npm"),
    // The Kubernetes test API server is checked against the real kubectl.
    ("kubectl", "kubernetes-client"),
];
const BROWSER_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
];

/// What a command needs.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// The local stack (Prometheus, node_exporter, etcd).
    pub stack: bool,
    /// Chromium and chromedriver, for the browser tests.
    pub browser: bool,
}

/// Installs whatever is missing. Prints a line for each thing it installs.
pub fn ensure(root: &Path, needs: Needs) -> Result<(), String> {
    // protoc: etcd-client compiles etcd's protobuf definitions when the backend is built.
    let mut wanted: Vec<(&str, &str)> = vec![("npm", "npm"), ("protoc", "protobuf-compiler")];
    if needs.stack {
        wanted.extend_from_slice(SERVER_PACKAGES);
    }
    if needs.browser {
        wanted.extend_from_slice(BROWSER_PACKAGES);
    }
    ensure_debian_packages(&wanted)?;
    // Dashboards' time zones are read natively from the system's database.
    if !Path::new("/usr/share/zoneinfo/Europe/Berlin").is_file() {
        install_debian_packages(&["tzdata"])?;
    }
    ensure_wasm_target()?;
    let v = versions(root)?;
    ensure_cargo_tool(
        "trunk",
        &["--locked", "trunk", "--version", &v.trunk],
        &format!("trunk {}", v.trunk),
    )?;
    // wasm-bindgen-cli's own lock file pins a crate the registry no longer serves: no --locked.
    ensure_cargo_tool(
        "wasm-bindgen",
        &["wasm-bindgen-cli", "--version", &v.wasm_bindgen],
        &format!("wasm-bindgen {}", v.wasm_bindgen),
    )?;
    ensure_binaryen(&v.binaryen)?;
    Ok(())
}

/// What `cargo xtask bench` needs besides the stack and the browser: wrk, the load generator
/// of the proxy benchmark.
const BENCH_PACKAGES: &[(&str, &str)] = &[("wrk", "wrk")];

/// Installs the benchmark's own tools (see [`BENCH_PACKAGES`]).
pub fn ensure_bench_tools() -> Result<(), String> {
    ensure_debian_packages(BENCH_PACKAGES)
}

fn ensure_debian_packages(wanted: &[(&str, &str)]) -> Result<(), String> {
    let mut missing: Vec<&str> = wanted
        .iter()
        .filter(|(program, _)| which(program).is_none())
        .map(|(_, package)| *package)
        .collect();
    missing.dedup();
    install_debian_packages(&missing)
}

fn install_debian_packages(missing: &[&str]) -> Result<(), String> {
    if missing.is_empty() {
        return Ok(());
    }
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!("missing Debian packages: {0}; install them with `sudo apt-get install {0}` and run again", missing.join(" ")));
    }
    println!("xtask: installing Debian packages: {}", missing.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    // Debian's packages start their services where an init system runs; kubeglass starts its
    // own copies on free ports, so the system-wide ones are left as they are.
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("xtask: adding the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Cargo's bin dir, where `cargo install` puts tools.
pub fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin")
}

fn ensure_cargo_tool(
    bin: &str,
    install_args: &[&str],
    expected_version: &str,
) -> Result<(), String> {
    let path = cargo_bin_dir().join(bin);
    let current = Command::new(&path)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if current.as_deref() == Some(expected_version) {
        return Ok(());
    }
    println!(
        "xtask: installing {expected_version} (found {}); this takes a few minutes once",
        current.as_deref().unwrap_or("none")
    );
    run(Command::new("cargo").arg("install").args(install_args))
}

/// Where npm's `binaryen` is installed; its `.bin` goes first on trunk's `PATH`.
pub fn npm_tools_dir() -> PathBuf {
    crate::target_dir().join("tools").join("npm")
}

fn ensure_binaryen(release: &str) -> Result<(), String> {
    let dir = npm_tools_dir();
    let wasm_opt = dir.join("node_modules/.bin/wasm-opt");
    let current = Command::new(&wasm_opt)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if current
        .as_deref()
        .is_some_and(|v| v.contains(&format!("version {release}")))
    {
        return Ok(());
    }
    println!("xtask: installing wasm-opt from npm's binaryen {release}");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("binaryen@{release}")))
}

/// Installs the npm packages that `from/package-lock.json` pins into `out` (`npm ci`), unless
/// `out` already holds that lock and the file `probe` (a path under `out`) exists. The bench's
/// uPlot and the conformance suite's Grafana packages come this way; neither is shipped.
pub fn npm_ci(from: &Path, out: &Path, probe: &str, what: &str) -> Result<(), String> {
    let lock = from.join("package-lock.json");
    let installed = out.join("package-lock.json");
    let same = std::fs::read(&lock).ok() == std::fs::read(&installed).ok();
    if same && out.join(probe).is_file() {
        return Ok(());
    }
    println!("xtask: installing {what} from npm into {}", out.display());
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for f in ["package.json", "package-lock.json", ".npmrc"] {
        let src = from.join(f);
        if src.is_file() {
            std::fs::copy(&src, out.join(f)).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(out))
}

/// Where the conformance suite's oracle runs: Grafana's packages and the oracle's scripts.
pub fn conformance_dir() -> PathBuf {
    crate::target_dir().join("conformance")
}

/// Grafana's own npm packages for the conformance suite (`conformance/oracle/`), and the
/// oracle's scripts beside them (copied each time: they are the project's, and small).
pub fn ensure_conformance_oracle(root: &Path) -> Result<(), String> {
    let from = root.join("conformance/oracle");
    let out = conformance_dir();
    npm_ci(
        &from,
        &out,
        "node_modules/@grafana/data/package.json",
        "Grafana's packages for the conformance suite (test-only)",
    )?;
    for f in [
        "oracle.mjs",
        "hooks.mjs",
        "color-tables.mjs",
        "stubs/grafana-runtime.mjs",
    ] {
        let to = out.join(f);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::copy(from.join(f), &to).map_err(|e| format!("conformance/oracle/{f}: {e}"))?;
    }
    Ok(())
}

/// `PATH` for trunk: npm's wasm-opt and cargo's bin dir first.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![npm_tools_dir().join("node_modules/.bin"), cargo_bin_dir()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("paths without ':'")
}

/// Runs a command, failing with its name if it does not succeed.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("running {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} {:?} failed ({status})",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>()
        ))
    }
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("running {:?}: {e}", cmd.get_program()))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pinned_versions() {
        let v = parse_versions("trunk-version = \"^0.21.14\"\n[tools]\nwasm_bindgen = \"0.2.130\"\nwasm_opt = \"version_132\"\n").unwrap();
        assert_eq!(
            v,
            Versions {
                trunk: "0.21.14".into(),
                wasm_bindgen: "0.2.130".into(),
                binaryen: "132".into()
            }
        );
        assert_eq!(
            parse_versions("[tools]\n").unwrap_err(),
            "Trunk.toml: `trunk-version` is missing"
        );
    }

    /// trunk runs the wasm-bindgen named in Trunk.toml on the output of the wasm-bindgen crate
    /// in Cargo.lock; the two must be the same version or the build fails.
    #[test]
    fn trunk_toml_wasm_bindgen_matches_cargo_lock() {
        let root = crate::workspace_root();
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        let locked = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"wasm-bindgen\"\n"))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .map(|v| v.trim_matches('"').to_owned());
        assert_eq!(locked, Some(versions(&root).unwrap().wasm_bindgen));
    }
}
