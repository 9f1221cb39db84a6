//! The dashboard store: one SQLite file under the data dir.
//!
//! Every write is one transaction, so a dashboard is either stored whole or not at all, even
//! if the process is killed mid-write (SQLite's WAL journal). The JSON is kept as it was sent —
//! fields kubeglass does not understand included — apart from `uid` (filled in when absent)
//! and `version` (the store's counter), which Grafana's API sets the same way.

use kubeglass_shared::api::{
    dashboard_url, slugify, DashboardMeta, DashboardWithMeta, SaveDashboardRequest,
    SaveDashboardResponse, SearchHit,
};
use kubeglass_shared::model::validate::{validate_dashboard, ValidationError};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Schema migrations, applied in order at start; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE dashboards (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        uid         TEXT NOT NULL UNIQUE,
        title       TEXT NOT NULL,
        tags        TEXT NOT NULL,
        folder_uid  TEXT NOT NULL DEFAULT '',
        version     INTEGER NOT NULL,
        data        TEXT NOT NULL,
        provisioned INTEGER NOT NULL DEFAULT 0,
        created     TEXT NOT NULL,
        updated     TEXT NOT NULL
    );",
    // API tokens: only a SHA-256 of each token is kept; the token itself is shown once.
    "CREATE TABLE api_tokens (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL,
        hash        TEXT NOT NULL UNIQUE,
        created     TEXT NOT NULL
    );",
    // Who made each token, so that its rights follow its maker's: `operator` (the command
    // line), `anonymous` (--auth none), `user` (--users), `proxy` (--auth proxy), and
    // `unknown` for tokens made before this was recorded.
    "ALTER TABLE api_tokens ADD COLUMN maker_kind TEXT NOT NULL DEFAULT 'unknown';
     ALTER TABLE api_tokens ADD COLUMN maker_name TEXT NOT NULL DEFAULT '';",
];

/// Who made an API token; its rights are never more than this maker has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maker {
    /// Whoever runs the server: `kubeglass create-token` on its data dir, or a token made before
    /// makers were recorded (see [`Store::tokens_of_unknown_makers`]).
    Operator,
    /// The anonymous editor of `--auth none`.
    Anonymous,
    /// A user of `--users`.
    User(String),
    /// A user the `--auth proxy` reverse proxy let in.
    ProxyUser(String),
}

impl Maker {
    fn to_columns(&self) -> (&'static str, &str) {
        match self {
            Maker::Operator => ("operator", ""),
            Maker::Anonymous => ("anonymous", ""),
            Maker::User(n) => ("user", n),
            Maker::ProxyUser(n) => ("proxy", n),
        }
    }

    fn from_columns(kind: &str, name: String) -> Maker {
        match kind {
            "anonymous" => Maker::Anonymous,
            "user" => Maker::User(name),
            "proxy" => Maker::ProxyUser(name),
            _ => Maker::Operator,
        }
    }
}

/// An API token as it is checked: its name, role and maker.
#[derive(Debug, Clone)]
pub struct FoundToken {
    pub name: String,
    pub role: String,
    pub maker: Maker,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("dashboard `{uid}` has changed since it was loaded (stored version {stored}, sent {sent}); send \"overwrite\": true to replace it")]
    VersionMismatch {
        uid: String,
        stored: i64,
        sent: String,
    },
    #[error("dashboard store: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Handle to the store; cheap to clone. Calls block: run them on a blocking thread.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating if needed) `dir/kubeglass.db` and runs pending migrations. The file is
    /// readable by its owner only (0600; SQLite gives its `-wal` and `-shm` files the same
    /// mode): it holds the API tokens' hashes.
    pub fn open(dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("data dir {}: {e}", dir.display()))?;
        let path = dir.join("kubeglass.db");
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            let fail = |e: std::io::Error| format!("{}: {e}", path.display());
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)
                .map_err(fail)?;
            for suffix in ["", "-wal", "-shm"] {
                let file = dir.join(format!("kubeglass.db{suffix}"));
                if file.exists() {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                        .map_err(fail)?;
                }
            }
        }
        let mut conn = Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| format!("{}: {e}", path.display()))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| format!("{}: {e}", path.display()))?;
        migrate(&mut conn).map_err(|e| format!("{}: migrating the schema: {e}", path.display()))?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done write behind (transactions
        // roll back on drop), so the connection stays usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores a dashboard as `POST /api/dashboards/db` does.
    pub fn save(
        &self,
        req: SaveDashboardRequest,
        provisioned: bool,
    ) -> Result<SaveDashboardResponse, StoreError> {
        let mut dashboard = req.dashboard;
        validate_dashboard(&dashboard)?;
        let obj = dashboard.as_object_mut().expect("validated as an object");
        let uid = match obj.get("uid").and_then(Value::as_str) {
            Some(uid) => uid.to_owned(),
            None => new_uid(),
        };
        let title = obj["title"].as_str().unwrap_or_default().to_owned();
        let tags: Vec<String> = obj
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let sent_version = obj.get("version").cloned();
        let folder_uid = req.folder_uid.unwrap_or_default();

        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let stored: Option<(i64, i64)> = tx
            .query_row(
                "SELECT id, version FROM dashboards WHERE uid = ?1",
                [&uid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let version = match stored {
            None => 1,
            Some((_, v))
                if req.overwrite || sent_version.as_ref().and_then(Value::as_i64) == Some(v) =>
            {
                v + 1
            }
            Some((_, v)) => {
                let sent = sent_version
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "none".into());
                return Err(StoreError::VersionMismatch {
                    uid,
                    stored: v,
                    sent,
                });
            }
        };
        obj.insert("uid".into(), Value::String(uid.clone()));
        obj.insert("version".into(), Value::from(version));
        let data = serde_json::to_string(&dashboard).expect("a JSON value serializes");
        let tags = serde_json::to_string(&tags).expect("strings serialize");
        let id = match stored {
            None => {
                tx.execute(
                    "INSERT INTO dashboards (uid, title, tags, folder_uid, version, data, provisioned, created, updated)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                    params![uid, title, tags, folder_uid, version, data, provisioned],
                )?;
                tx.last_insert_rowid()
            }
            Some((id, _)) => {
                tx.execute(
                    "UPDATE dashboards SET title = ?2, tags = ?3, folder_uid = ?4, version = ?5, data = ?6, provisioned = ?7,
                     updated = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1",
                    params![id, title, tags, folder_uid, version, data, provisioned],
                )?;
                id
            }
        };
        tx.commit()?;
        Ok(SaveDashboardResponse {
            id,
            url: dashboard_url(&uid, &title),
            slug: slugify(&title),
            uid,
            status: "success".into(),
            version,
        })
    }

    /// The dashboard with this uid, as stored, with its metadata.
    pub fn get(&self, uid: &str) -> Result<Option<DashboardWithMeta>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row("SELECT title, folder_uid, version, data, provisioned, created, updated FROM dashboards WHERE uid = ?1", [uid], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?))
            })
            .optional()?;
        Ok(row.map(
            |(title, folder_uid, version, data, provisioned, created, updated)| DashboardWithMeta {
                // Only ever written by `save` from a serialized Value.
                dashboard: serde_json::from_str(&data).unwrap_or(Value::Null),
                meta: DashboardMeta {
                    slug: slugify(&title),
                    url: dashboard_url(uid, &title),
                    version,
                    folder_uid,
                    created,
                    updated,
                    provisioned,
                },
            },
        ))
    }

    /// The stored version of a dashboard, without reading it.
    pub fn version_of(&self, uid: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT version FROM dashboards WHERE uid = ?1",
                [uid],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Dashboards whose title contains `query` (case-insensitive) and that carry every tag in
    /// `tags`, sorted by title.
    pub fn search(&self, query: &str, tags: &[String]) -> Result<Vec<SearchHit>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, uid, title, tags, folder_uid FROM dashboards ORDER BY title COLLATE NOCASE, uid")?;
        let query = query.to_lowercase();
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (id, uid, title, row_tags, folder_uid) = row?;
            let row_tags: Vec<String> = serde_json::from_str(&row_tags).unwrap_or_default();
            if !title.to_lowercase().contains(&query) || !tags.iter().all(|t| row_tags.contains(t))
            {
                continue;
            }
            hits.push(SearchHit {
                id,
                url: dashboard_url(&uid, &title),
                uid,
                title,
                tags: row_tags,
                kind: "dash-db".into(),
                folder_uid,
            });
        }
        Ok(hits)
    }

    /// Deletes the dashboard; returns its title, or `None` when there was none.
    pub fn delete(&self, uid: &str) -> Result<Option<(i64, String)>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let found: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, title FROM dashboards WHERE uid = ?1",
                [uid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if found.is_some() {
            tx.execute("DELETE FROM dashboards WHERE uid = ?1", [uid])?;
        }
        tx.commit()?;
        Ok(found)
    }
}

/// An API token as listed: never the token or its hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created: String,
}

impl Store {
    /// Stores a new token's hash; a name already used is refused.
    pub fn add_token(
        &self,
        name: &str,
        role: &str,
        hash: &str,
        maker: &Maker,
    ) -> Result<Option<TokenInfo>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let taken: bool = tx
            .query_row("SELECT 1 FROM api_tokens WHERE name = ?1", [name], |_| {
                Ok(())
            })
            .optional()?
            .is_some();
        if taken {
            return Ok(None);
        }
        let (maker_kind, maker_name) = maker.to_columns();
        tx.execute(
            "INSERT INTO api_tokens (name, role, hash, created, maker_kind, maker_name)
             VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?4, ?5)",
            params![name, role, hash, maker_kind, maker_name],
        )?;
        let id = tx.last_insert_rowid();
        let created: String =
            tx.query_row("SELECT created FROM api_tokens WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        tx.commit()?;
        Ok(Some(TokenInfo {
            id,
            name: name.to_owned(),
            role: role.to_owned(),
            created,
        }))
    }

    /// The token with this hash.
    pub fn token_by_hash(&self, hash: &str) -> Result<Option<FoundToken>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT name, role, maker_kind, maker_name FROM api_tokens WHERE hash = ?1",
                [hash],
                |r| {
                    Ok(FoundToken {
                        name: r.get(0)?,
                        role: r.get(1)?,
                        maker: Maker::from_columns(&r.get::<_, String>(2)?, r.get(3)?),
                    })
                },
            )
            .optional()?)
    }

    /// Names of the tokens made before their makers were recorded; they keep their role (as
    /// if the operator had made them), and the server warns about them at start.
    pub fn tokens_of_unknown_makers(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT name FROM api_tokens WHERE maker_kind = 'unknown' ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, name, role, created FROM api_tokens ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                created: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a token; false when there was none with this id.
    pub fn delete_token(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .execute("DELETE FROM api_tokens WHERE id = ?1", [id])?
            > 0)
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// A new dashboard uid: 14 random letters and digits, as Grafana makes them.
fn new_uid() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 14)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "kubeglass-store-{}-{}",
            std::process::id(),
            new_uid()
        ));
        (Store::open(&dir).unwrap(), dir)
    }

    fn req(dashboard: Value, overwrite: bool) -> SaveDashboardRequest {
        SaveDashboardRequest {
            dashboard,
            overwrite,
            folder_uid: None,
            message: None,
        }
    }

    #[test]
    fn round_trips_unknown_fields_and_versions() {
        let (s, dir) = store();
        let sent = json!({"title": "My Board", "uid": "mine", "panels": [{"id": 1, "x-unknown": {"deep": [1.5, null]}}], "zzz": 1, "aaa": 2});
        let r = s.save(req(sent.clone(), false), false).unwrap();
        assert_eq!(
            (r.uid.as_str(), r.version, r.url.as_str()),
            ("mine", 1, "/d/mine/my-board")
        );
        let got = s.get("mine").unwrap().unwrap().dashboard;
        let mut expected = sent.clone();
        expected["version"] = json!(1);
        assert_eq!(got, expected);
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            "key order is kept"
        );

        // A second save with a stale version is refused; with the stored version it succeeds.
        let e = s.save(req(sent.clone(), false), false).unwrap_err();
        assert!(e.to_string().contains("stored version 1, sent none"), "{e}");
        let mut next = sent.clone();
        next["version"] = json!(1);
        assert_eq!(s.save(req(next, false), false).unwrap().version, 2);
        assert_eq!(s.save(req(sent, true), false).unwrap().version, 3);
        assert_eq!(
            s.delete("mine").unwrap().map(|(_, t)| t),
            Some("My Board".to_string())
        );
        assert!(s.get("mine").unwrap().is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn search_filters_by_title_and_tag_and_reopen_keeps_data() {
        let (s, dir) = store();
        s.save(
            req(
                json!({"title": "Node", "tags": ["linux"], "panels": []}),
                false,
            ),
            false,
        )
        .unwrap();
        s.save(
            req(
                json!({"title": "etcd", "tags": ["etcd", "k8s"], "panels": []}),
                false,
            ),
            false,
        )
        .unwrap();
        let titles = |q: &str, t: &[&str]| {
            s.search(q, &t.iter().map(|x| x.to_string()).collect::<Vec<_>>())
                .unwrap()
                .into_iter()
                .map(|h| h.title)
                .collect::<Vec<_>>()
        };
        assert_eq!(titles("", &[]), ["etcd", "Node"]);
        assert_eq!(titles("NO", &[]), ["Node"]);
        assert_eq!(titles("", &["k8s"]), ["etcd"]);
        drop(s);
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.search("", &[]).unwrap().len(), 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn invalid_dashboards_store_nothing() {
        let (s, dir) = store();
        let e = s
            .save(
                req(
                    json!({"title": "x", "panels": [{"gridPos": {"x": "0"}}]}),
                    false,
                ),
                false,
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "dashboard.panels[0].gridPos.x: must be a number, found a string"
        );
        assert!(s.search("", &[]).unwrap().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
