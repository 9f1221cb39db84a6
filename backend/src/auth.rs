//! Who may use kubeglass: the users file, password hashes, login sessions, API tokens and the
//! login rate limit. The HTTP side (the middleware and the login routes) is in `http::auth`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a user may do. Viewers read; editors also import, change and delete dashboards and
/// manage API tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Editor,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
        }
    }
}

/// The user a request is made by, and how they proved it.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// `none`, `basic`, `session`, `proxy` or `token`.
    pub via: &'static str,
    /// Who answers for the API tokens this user makes (for a token, its own maker).
    pub maker: crate::store::Maker,
}

/// The users of `--users FILE`: a line per user, `name:ARGON2_HASH:role`.
#[derive(Debug, Default)]
pub struct Users {
    users: HashMap<String, (String, Role)>,
}

impl Users {
    pub fn load(path: &Path) -> Result<Users, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--users {}: {e}", path.display()))?;
        Users::parse(&text).map_err(|e| format!("--users {}: {e}", path.display()))
    }

    /// Blank lines and lines starting with `#` are skipped.
    pub fn parse(text: &str) -> Result<Users, String> {
        let mut users = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // The hash itself holds no `:` (PHC strings use `$` and `,`).
            let parts: Vec<&str> = line.split(':').collect();
            let [name, hash, role] = parts[..] else {
                return Err(format!(
                    "line {n}: expected `name:ARGON2_HASH:role`, found {} field(s)",
                    parts.len()
                ));
            };
            if name.is_empty()
                || name.len() > 128
                || name.chars().any(|c| c.is_control() || c == ' ')
            {
                return Err(format!(
                    "line {n}: the user name must be 1 to 128 characters without spaces"
                ));
            }
            PasswordHash::new(hash).map_err(|e| {
                format!("line {n}: user `{name}`: not an Argon2 hash ({e}); make one with `kubeglass hash-password`")
            })?;
            let role = Role::parse(role).ok_or_else(|| {
                format!("line {n}: user `{name}`: role `{role}` is neither viewer nor editor")
            })?;
            if users
                .insert(name.to_owned(), (hash.to_owned(), role))
                .is_some()
            {
                return Err(format!("line {n}: user `{name}` appears twice"));
            }
        }
        if users.is_empty() {
            return Err("no users: add a line `name:ARGON2_HASH:role`".into());
        }
        Ok(Users { users })
    }

    /// The role of a user of the file, if it still has one.
    pub fn role_of(&self, name: &str) -> Option<Role> {
        self.users.get(name).map(|(_, role)| *role)
    }

    /// Checks a password; the same slow hash is computed for an unknown user, so that the
    /// time taken does not tell which user names exist.
    pub fn verify(&self, name: &str, password: &str) -> Option<Role> {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        match self.users.get(name) {
            Some((hash, role)) => verify_password(password, hash).then_some(*role),
            None => {
                let dummy = DUMMY.get_or_init(|| hash_password("not a password"));
                let _ = verify_password(password, dummy);
                None
            }
        }
    }
}

/// An Argon2id hash (PHC string) of a password, with a random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any password")
        .to_string()
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// `kubeglass hash-password`: reads a password from stdin (one line) and prints its hash.
pub fn hash_password_command() -> Result<std::process::ExitCode, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err("no password on stdin: `echo -n 'PASSWORD' | kubeglass hash-password`".into());
    }
    println!("{}", hash_password(password));
    Ok(std::process::ExitCode::SUCCESS)
}

/// A random secret, URL-safe: session ids, CSRF tokens, API tokens.
pub fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a secret, hex: how tokens and sessions are looked up without keeping them.
pub fn digest(secret: &str) -> String {
    let d = Sha256::digest(secret.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// API tokens look like `kg_…`, so that they are recognised in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "kg_";

pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

/// A logged-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    pub csrf: String,
    expires: Instant,
}

/// Login sessions, in memory (a restart logs everyone out), keyed by the digest of the
/// cookie's value. Bounded: past `MAX_SESSIONS` the oldest is dropped.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    ttl: Duration,
}

const MAX_SESSIONS: usize = 10_000;

impl Sessions {
    pub fn new(ttl: Duration) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// Starts a session; returns the cookie value and the session.
    pub fn create(&self, user: &str, role: Role) -> (String, Session) {
        let id = random_secret();
        let session = Session {
            user: user.to_owned(),
            role,
            csrf: random_secret(),
            expires: Instant::now() + self.ttl,
        };
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(digest(&id), session.clone());
        (id, session)
    }

    pub fn get(&self, id: &str) -> Option<Session> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&digest(id))
            .filter(|s| s.expires > Instant::now())
            .cloned()
    }

    pub fn remove(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&digest(id));
    }
}

/// Failed logins allowed per client address (and per user name) in a window before further
/// attempts are refused until the window ends.
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    max: u32,
    window: Duration,
}

impl LoginLimiter {
    pub fn new(max: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
            max,
            window,
        }
    }

    fn keys(ip: IpAddr, user: &str) -> [String; 2] {
        [format!("ip {ip}"), format!("user {user}")]
    }

    /// Seconds to wait when this client or user name has failed too often (what
    /// [`LoginLimiter::attempt`] checks, for tests).
    #[cfg(test)]
    pub fn blocked(&self, ip: IpAddr, user: &str) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        self.wait(&map, &Self::keys(ip, user), Instant::now())
    }

    fn wait(
        &self,
        map: &HashMap<String, (u32, Instant)>,
        keys: &[String; 2],
        now: Instant,
    ) -> Option<u64> {
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, start)| *n >= self.max && now < *start + self.window)
            .map(|(_, start)| (*start + self.window - now).as_secs().max(1))
            .max()
    }

    /// Starts an attempt: counts it as a failure now, before its password is checked, so that
    /// attempts running at once cannot all pass the limit; `Err` with the seconds to wait when
    /// this client or user name has failed too often. A success is forgiven by
    /// [`LoginLimiter::succeeded`].
    pub fn attempt(&self, ip: IpAddr, user: &str) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let keys = Self::keys(ip, user);
        if let Some(wait) = self.wait(&map, &keys, now) {
            return Err(wait);
        }
        map.retain(|_, (_, start)| now < *start + self.window);
        // Bounded like the sessions: a flood of names cannot grow memory without end.
        if map.len() > 100_000 {
            map.clear();
        }
        for k in keys {
            let e = map.entry(k).or_insert((0, now));
            e.0 += 1;
        }
        Ok(())
    }

    /// Takes back an attempt that was never checked (no hash was free for it).
    pub fn forgive(&self, ip: IpAddr, user: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in Self::keys(ip, user) {
            if let Some(e) = map.get_mut(&k) {
                e.0 = e.0.saturating_sub(1);
            }
        }
    }

    /// The password was right: the user name's failures are forgotten, and this attempt is
    /// not held against the address.
    pub fn succeeded(&self, ip: IpAddr, user: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("user {user}"));
        if let Some(e) = map.get_mut(&format!("ip {ip}")) {
            e.0 = e.0.saturating_sub(1);
        }
    }
}

/// Remembers Basic credentials that verified, by digest, for a few minutes: tools send them on
/// every request and Argon2 is slow on purpose.
pub struct BasicCache {
    map: Mutex<HashMap<String, (String, Role, Instant)>>,
}

impl BasicCache {
    pub fn new() -> BasicCache {
        BasicCache {
            map: Mutex::new(HashMap::new()),
        }
    }

    fn key(user: &str, password: &str) -> String {
        digest(&format!("{}:{user}:{password}", user.len()))
    }

    pub fn get(&self, user: &str, password: &str) -> Option<Role> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&Self::key(user, password))
            .filter(|(_, _, until)| *until > Instant::now())
            .map(|(_, role, _)| *role)
    }

    pub fn put(&self, user: &str, password: &str, role: Role) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(
            Self::key(user, password),
            (
                user.to_owned(),
                role,
                Instant::now() + Duration::from_secs(300),
            ),
        );
    }
}

/// An address or network (`10.0.0.0/8`, `::1`) allowed to send the proxy's user header.
#[derive(Debug, Clone, PartialEq)]
pub struct Cidr {
    addr: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or network like 10.0.0.0/8"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to {max}"))?,
            None => max,
        };
        Ok(Cidr { addr, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.bits)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.bits)
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_file_is_checked_line_by_line() {
        let hash = hash_password("s3cret");
        let users = Users::parse(&format!(
            "# admins\nalice:{hash}:editor\n\nbob:{hash}:viewer\n"
        ))
        .unwrap();
        assert_eq!(users.verify("alice", "s3cret"), Some(Role::Editor));
        assert_eq!(users.verify("bob", "s3cret"), Some(Role::Viewer));
        assert_eq!(users.verify("bob", "wrong"), None);
        assert_eq!(users.verify("carol", "s3cret"), None);
        for (text, why) in [
            (
                "alice:plain:editor",
                "line 1: user `alice`: not an Argon2 hash",
            ),
            (
                &format!("alice:{hash}:admin") as &str,
                "role `admin` is neither viewer nor editor",
            ),
            ("alice:editor", "found 2 field(s)"),
            (
                &format!("a:{hash}:viewer\na:{hash}:viewer"),
                "line 2: user `a` appears twice",
            ),
            ("# nobody\n", "no users"),
        ] {
            let e = Users::parse(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn networks_match_as_written() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(Cidr::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(!Cidr::parse("127.0.0.1")
            .unwrap()
            .contains("127.0.0.2".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").unwrap_err().contains("0 to 32"));
        assert!(Cidr::parse("example.com").is_err());
    }

    #[test]
    fn logins_are_limited_per_address_and_user() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.blocked(ip, "alice"), None);
            l.attempt(ip, "alice").unwrap();
        }
        assert!(l.blocked(ip, "alice").is_some());
        assert!(l.attempt(ip, "alice").is_err(), "counted before the check");
        // Another name from the same address is blocked too; the same name from elsewhere too.
        assert!(l.blocked(ip, "bob").is_some());
        assert!(l.blocked("10.0.0.1".parse().unwrap(), "alice").is_some());
        assert_eq!(l.blocked("10.0.0.1".parse().unwrap(), "bob"), None);
        // Successes are not held against anyone; unchecked attempts are taken back.
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        for _ in 0..5 {
            l.attempt(ip, "carol").unwrap();
            l.succeeded(ip, "carol");
        }
        l.attempt(ip, "dave").unwrap();
        l.forgive(ip, "dave");
        l.attempt(ip, "dave").unwrap();
        assert_eq!(l.blocked(ip, "dave"), None);
        l.attempt(ip, "dave").unwrap();
        assert!(l.blocked(ip, "dave").is_some());
    }

    #[test]
    fn sessions_expire_and_are_looked_up_by_digest() {
        let s = Sessions::new(Duration::from_secs(60));
        let (id, session) = s.create("alice", Role::Viewer);
        assert_eq!(s.get(&id).unwrap().csrf, session.csrf);
        assert!(s.get("forged").is_none());
        s.remove(&id);
        assert!(s.get(&id).is_none());
        let short = Sessions::new(Duration::from_millis(0));
        let (id, _) = short.create("bob", Role::Editor);
        assert!(short.get(&id).is_none());
    }
}
