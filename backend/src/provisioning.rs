//! Dashboards provisioned from a folder (`--dashboards DIR`): every `*.json` file there is
//! stored at start, replacing the stored copy, as Grafana's file provisioning does.

use crate::store::Store;
use kubeglass_shared::api::SaveDashboardRequest;
use std::path::Path;

/// Loads every `*.json` file of `dir` (sorted by name). A file that cannot be read or is not a
/// valid dashboard stops the start with a message naming the file and what is wrong.
pub fn load_dashboards(store: &Store, dir: &Path) -> Result<usize, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("--dashboards {}: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in &files {
        let fail = |m: String| format!("dashboard file {}: {m}", file.display());
        let text = std::fs::read(file).map_err(|e| fail(e.to_string()))?;
        let dashboard =
            serde_json::from_slice(&text).map_err(|e| fail(format!("not valid JSON: {e}")))?;
        let req = SaveDashboardRequest {
            dashboard,
            overwrite: true,
            folder_uid: None,
            message: None,
        };
        store.save(req, true).map_err(|e| fail(e.to_string()))?;
    }
    Ok(files.len())
}
