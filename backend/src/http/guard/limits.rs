//! Bounds on what one client can make the Prometheus proxy do at once: queries in flight per
//! user, per address (without auth) and, for signed embed links, per token and per address of
//! its holders.
//!
//! Each key has `max` permits; up to eight times as many requests wait for one, each at most
//! the upstream timeout; past that a request is answered with 429 at once.

use crate::http::error::ApiError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Whose queries count together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A logged-in user, a proxy user or an API token's name.
    User(String),
    /// Without auth: the client's address.
    Address(Option<IpAddr>),
    /// A signed embed link, by its signature.
    Token(String),
    /// Everyone holding embed links from one address.
    TokenAddress(Option<IpAddr>),
}

impl Key {
    fn describe(&self) -> &'static str {
        match self {
            Key::User(_) => "for this user",
            Key::Address(_) => "from this address",
            Key::Token(_) => "for this embed link",
            Key::TokenAddress(_) => "with embed links from this address",
        }
    }
}

pub struct QueryLimiter {
    max: usize,
    wait: Duration,
    map: Mutex<HashMap<Key, Slot>>,
}

#[derive(Clone)]
struct Slot {
    running: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

/// Permits for one request; dropping it lets the next one run.
pub struct QueryPermit {
    _permits: Vec<tokio::sync::OwnedSemaphorePermit>,
}

/// Keys kept at most before idle ones are forgotten.
const MAX_KEYS: usize = 10_000;

impl QueryLimiter {
    pub fn new(max: usize, wait: Duration) -> QueryLimiter {
        QueryLimiter {
            max,
            wait,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, key: &Key) -> Slot {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > MAX_KEYS {
            let max = self.max;
            map.retain(|_, s| {
                s.running.available_permits() < max || s.waiting.load(Ordering::Relaxed) > 0
            });
        }
        map.entry(key.clone())
            .or_insert_with(|| Slot {
                running: Arc::new(Semaphore::new(self.max)),
                waiting: Arc::new(AtomicUsize::new(0)),
            })
            .clone()
    }

    /// A permit of every key, taken in the order given (callers always give them in the same
    /// order, so two requests cannot each hold what the other waits for).
    pub async fn acquire(&self, keys: &[Key]) -> Result<QueryPermit, ApiError> {
        let mut permits = Vec::with_capacity(keys.len());
        for key in keys {
            permits.push(self.acquire_one(key).await?);
        }
        Ok(QueryPermit { _permits: permits })
    }

    async fn acquire_one(&self, key: &Key) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        let slot = self.slot(key);
        if let Ok(p) = slot.running.clone().try_acquire_owned() {
            return Ok(p);
        }
        let queue = 8 * self.max;
        if slot.waiting.fetch_add(1, Ordering::SeqCst) >= queue {
            slot.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::TooManyRequests(
                format!(
                    "too many queries at once {}: {} running and {queue} waiting (--max-concurrent-queries {})",
                    key.describe(),
                    self.max,
                    self.max
                ),
                1,
            ));
        }
        let r = tokio::time::timeout(self.wait, slot.running.clone().acquire_owned()).await;
        slot.waiting.fetch_sub(1, Ordering::SeqCst);
        match r {
            Ok(Ok(p)) => Ok(p),
            _ => Err(ApiError::TooManyRequests(
                format!(
                    "a query {} waited {} s for one of the {} running before it to finish",
                    key.describe(),
                    self.wait.as_secs(),
                    self.max
                ),
                1,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_key_runs_at_most_max_and_queues_eight_times_as_many() {
        let l = Arc::new(QueryLimiter::new(2, Duration::from_millis(200)));
        let a = Key::Token("a".into());
        let held = [
            l.acquire(&[a.clone()]).await.unwrap(),
            l.acquire(&[a.clone()]).await.unwrap(),
        ];
        // Another key is not held up.
        drop(l.acquire(&[Key::Token("b".into())]).await.unwrap());
        // The next ones wait, then give up.
        let e = match l.acquire(&[a.clone()]).await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a third permit of two"),
        };
        assert!(e.contains("waited 0 s"), "{e}");
        // Sixteen may wait; the seventeenth is refused at once.
        let mut waiting = Vec::new();
        for _ in 0..16 {
            let (l, a) = (l.clone(), a.clone());
            waiting.push(tokio::spawn(async move { l.acquire(&[a]).await.is_ok() }));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let e = match l.acquire(&[a.clone()]).await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a permit beyond the queue"),
        };
        assert!(e.contains("2 running and 16 waiting"), "{e}");
        drop(held);
        let mut got = 0;
        for w in waiting {
            got += usize::from(w.await.unwrap());
        }
        assert!(
            got >= 2,
            "the waiting requests run once permits are free: {got}"
        );
    }
}
