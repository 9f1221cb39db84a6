//! The colour data kubeglass resolves colours with (`shared/src/display/colors/table.rs`) is Grafana's:
//! generated again from Grafana's own package by `conformance/oracle/color-tables.mjs`, it must
//! be the committed file, byte for byte.

#[test]
fn the_colour_table_is_grafanas() {
    let dir = kubeglass_conformance::oracle::dir();
    if !dir.join("color-tables.mjs").is_file() || !kubeglass_conformance::oracle::installed() {
        xtask::skip::skip(
            "conformance::the_colour_table_is_grafanas",
            &format!(
                "Grafana's packages are not installed in {} (`cargo xtask test` installs them)",
                dir.display()
            ),
        );
        return;
    }
    let out = std::process::Command::new("node")
        .arg("color-tables.mjs")
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = xtask::workspace_root().join("shared/src/display/colors/table.rs");
    let ours = std::fs::read_to_string(&committed).expect("the committed table");
    assert!(
        ours == String::from_utf8_lossy(&out.stdout),
        "{} is not what Grafana's package holds; regenerate it with `node color-tables.mjs` in {}",
        committed.display(),
        dir.display()
    );
}
