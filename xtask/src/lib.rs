//! The machinery behind `cargo xtask`: installing the tools kubeglass needs ([`tools`]) and
//! starting the local stack of real components on loopback ([`stack`]). The end-to-end tests
//! use the same [`stack`] module, so `cargo xtask run` and the tests start components alike.

pub mod skip;
pub mod stack;
pub mod tools;

use std::path::PathBuf;

/// The workspace root (the folder holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// The cargo target dir (`CARGO_TARGET_DIR` or `target/` under the root).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}
