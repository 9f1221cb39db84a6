//! Signed embed links: a token that lets whoever holds it see one panel of one dashboard,
//! until it expires, without any login.
//!
//! The token is `base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part))`. The key
//! comes from the config or is generated into the data dir on first start; replacing it
//! revokes every token signed with the old one. The front end only carries the token (in the
//! page URL as `token=`, on API calls as the `X-Embed-Token` header); every check is here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::Path;

/// What a token grants: one panel of one dashboard, until `expires`, with variables fixed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "d")]
    pub dashboard: String,
    #[serde(rename = "p")]
    pub panel: i64,
    /// Unix seconds.
    #[serde(rename = "e")]
    pub expires: i64,
    /// Variable values the embedding fixes; the others keep the dashboard's defaults.
    #[serde(rename = "v", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, Vec<String>>,
}

/// Why a token was refused; the message says which check failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TokenError {
    #[error("embed token is malformed: {0}")]
    Malformed(String),
    #[error("embed token signature does not match: the token was altered, or signed with a key that has since been rotated")]
    BadSignature,
    #[error("embed token expired at {0} UTC")]
    Expired(String),
}

/// Longest token accepted; real ones are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 4096;

/// The HMAC key of embed tokens.
#[derive(Clone)]
pub struct EmbedKey(Vec<u8>);

impl std::fmt::Debug for EmbedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbedKey(..)")
    }
}

impl EmbedKey {
    /// Reads the key from `path`, creating it (32 random bytes, hex, mode 0600) when it does
    /// not exist yet.
    pub fn load_or_create(path: &Path) -> Result<EmbedKey, String> {
        let fail = |e: &dyn std::fmt::Display| format!("embed key {}: {e}", path.display());
        match std::fs::read_to_string(path) {
            Ok(text) => EmbedKey::from_text(text.trim()).map_err(|e| fail(&e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                use rand::RngCore;
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
                }
                // Written whole under another name, then renamed: never half a key.
                let tmp = path.with_extension("tmp");
                {
                    use std::io::Write;
                    use std::os::unix::fs::OpenOptionsExt;
                    let mut f = std::fs::OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(true)
                        .mode(0o600)
                        .open(&tmp)
                        .map_err(|e| fail(&e))?;
                    f.write_all(hex.as_bytes())
                        .and_then(|()| f.sync_all())
                        .map_err(|e| fail(&e))?;
                }
                std::fs::rename(&tmp, path).map_err(|e| fail(&e))?;
                EmbedKey::from_text(&hex).map_err(|e| fail(&e))
            }
            Err(e) => Err(fail(&e)),
        }
    }

    /// A key given as text (from the config); at least 32 characters.
    pub fn from_text(text: &str) -> Result<EmbedKey, String> {
        if text.len() < 32 {
            return Err(format!(
                "is {} characters long; an embed key needs at least 32",
                text.len()
            ));
        }
        Ok(EmbedKey(text.as_bytes().to_vec()))
    }

    fn mac(&self, data: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(data);
        mac
    }

    /// The token for `claims`.
    pub fn sign(&self, claims: &Claims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
        let signature =
            URL_SAFE_NO_PAD.encode(self.mac(payload.as_bytes()).finalize().into_bytes());
        format!("{payload}.{signature}")
    }

    /// The claims of `token` if it is well-formed, signed with this key and not expired at
    /// `now` (unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed(format!(
                "longer than {MAX_TOKEN_LEN} characters"
            )));
        }
        let (payload, signature) = token
            .split_once('.')
            .ok_or_else(|| TokenError::Malformed("expected two parts separated by `.`".into()))?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|e| TokenError::Malformed(format!("signature: {e}")))?;
        // Constant-time comparison.
        self.mac(payload.as_bytes())
            .verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|e| TokenError::Malformed(format!("claims: {e}")))?;
        let claims: Claims = serde_json::from_slice(&json)
            .map_err(|e| TokenError::Malformed(format!("claims: {e}")))?;
        if claims.expires <= now {
            return Err(TokenError::Expired(kubeglass_shared::time::format_utc(
                claims.expires * 1000,
            )));
        }
        Ok(claims)
    }
}

/// The `/d-solo/` URL of a token's panel, with its fixed variables, relative to `base`.
pub fn link(base: &str, slug: &str, claims: &Claims, token: &str) -> String {
    let mut url = format!(
        "{}/d-solo/{}/{slug}?panelId={}",
        base.trim_end_matches('/'),
        claims.dashboard,
        claims.panel
    );
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, values) in &claims.vars {
        for v in values {
            query.append_pair(&format!("var-{name}"), v);
        }
    }
    query.append_pair("token", token);
    url.push('&');
    url.push_str(&query.finish());
    url
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> EmbedKey {
        EmbedKey::from_text(&c.to_string().repeat(64)).unwrap()
    }

    fn claims() -> Claims {
        Claims {
            dashboard: "node".into(),
            panel: 2,
            expires: 2_000_000_000,
            vars: BTreeMap::from([("job".into(), vec!["node".into()])]),
        }
    }

    #[test]
    fn signed_tokens_verify_and_others_do_not() {
        let k = key('a');
        let token = k.sign(&claims());
        assert_eq!(k.verify(&token, 1_900_000_000), Ok(claims()));
        assert_eq!(
            key('b').verify(&token, 1_900_000_000),
            Err(TokenError::BadSignature),
            "another key: rotated"
        );
        assert_eq!(
            k.verify(&token, 2_000_000_000),
            Err(TokenError::Expired("2033-05-18 03:33:20".into()))
        );
        // Changing the claims (a panel id, say) breaks the signature.
        let (_, sig) = token.split_once('.').unwrap();
        let other = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                panel: 3,
                ..claims()
            })
            .unwrap(),
        );
        assert_eq!(
            k.verify(&format!("{other}.{sig}"), 1_900_000_000),
            Err(TokenError::BadSignature)
        );
        assert!(
            matches!(k.verify("nodot", 0), Err(TokenError::Malformed(m)) if m == "expected two parts separated by `.`")
        );
        assert!(matches!(
            k.verify(&"x".repeat(5000), 0),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn keys_are_created_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("kubeglass-embed-{}", std::process::id()));
        let path = dir.join("embed.key");
        let first = EmbedKey::load_or_create(&path).unwrap();
        let again = EmbedKey::load_or_create(&path).unwrap();
        assert_eq!(first.0, again.0);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(EmbedKey::from_text("short")
            .unwrap_err()
            .contains("at least 32"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn links_carry_variables_and_token() {
        assert_eq!(
            link("http://127.0.0.1:3000/", "node", &claims(), "T.S"),
            "http://127.0.0.1:3000/d-solo/node/node?panelId=2&var-job=node&token=T.S"
        );
    }
}

/// `kubeglass embed-link`: signs a link to one stored panel with the server's key and prints it.
pub fn embed_link_command(
    args: crate::config::ServeArgs,
    dashboard: &str,
    panel: i64,
    expires: &str,
    vars: &[String],
    base_url: Option<&str>,
) -> Result<std::process::ExitCode, String> {
    let config = crate::config::Config::load(args).map_err(|e| e.to_string())?;
    let ttl_ms = kubeglass_shared::time::interval::parse_interval(expires)
        .map_err(|e| format!("--expires: {e}"))?;
    if ttl_ms < 1000 {
        return Err(format!("--expires {expires}: must be at least 1s"));
    }
    let mut fixed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in vars {
        let (name, value) = v
            .split_once('=')
            .ok_or_else(|| format!("--var {v}: expected NAME=VALUE"))?;
        fixed
            .entry(name.to_owned())
            .or_default()
            .push(value.to_owned());
    }
    let store = crate::store::Store::open(&config.data_dir)?;
    let stored = store
        .get(dashboard)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "--dashboard {dashboard}: no such dashboard in {}",
                config.data_dir.display()
            )
        })?;
    if find_panel(&stored.dashboard, panel).is_none() {
        return Err(format!(
            "--panel {panel}: dashboard `{dashboard}` has no panel with that id"
        ));
    }
    let key = EmbedKey::load_or_create(&config.embed_key_file)?;
    let claims = Claims {
        dashboard: dashboard.to_owned(),
        panel,
        expires: now() + ttl_ms / 1000,
        vars: fixed,
    };
    let base = base_url
        .map(str::to_owned)
        .or(config.public_url.clone())
        .unwrap_or_else(|| format!("http://{}", config.listen));
    println!(
        "{}",
        link(&base, &stored.meta.slug, &claims, &key.sign(&claims))
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// The panel with `id` of a stored dashboard, as the views show it: after migration to the
/// current schema (so legacy `rows[]` panels have the ids the front end sees), also inside
/// collapsed rows.
pub fn find_panel(dashboard: &serde_json::Value, id: i64) -> Option<serde_json::Value> {
    fn search(panels: &[serde_json::Value], id: i64) -> Option<&serde_json::Value> {
        panels.iter().find_map(|p| {
            if p.get("id").and_then(serde_json::Value::as_i64) == Some(id)
                && p.get("type").and_then(serde_json::Value::as_str) != Some("row")
            {
                Some(p)
            } else {
                p.get("panels")
                    .and_then(serde_json::Value::as_array)
                    .and_then(|nested| search(nested, id))
            }
        })
    }
    let migrated = kubeglass_shared::model::migrate::migrate(dashboard.clone()).dashboard;
    migrated
        .get("panels")
        .and_then(serde_json::Value::as_array)
        .and_then(|p| search(p, id))
        .cloned()
}
