//! One fan-out for every live watch: an upstream watch (a Kubernetes watcher, an etcd watch)
//! is a [`Topic`] that any number of WebSocket clients subscribe to, each through a bounded
//! queue of encoded frames.
//!
//! - Topics are shared by key in a [`Hub`]: the first subscriber starts the upstream task, the
//!   last one leaving stops it. A topic can also be a client's own (not shared).
//! - A subscriber joins under the topic's lock, the same lock the upstream task publishes
//!   under, and the state it is greeted with is read under it too: it misses nothing after
//!   its greeting and gets nothing twice.
//! - A topic that has ended (its upstream cannot go on) is never joined again: a new
//!   subscriber starts a new topic, so nobody waits on a watch that will never speak.
//! - A subscriber whose queue is full is dropped from the topic and marked slow, so that one
//!   slow client never holds up the others or grows memory.

use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tokio::sync::mpsc;

/// Shared topics by key.
pub struct Hub<K, S> {
    topics: Mutex<HashMap<K, Arc<Topic<K, S>>>>,
    next_id: AtomicU64,
    /// Upstream tasks running now, shared and own (for `/api/etcd/clusters` and tests).
    pub running: AtomicU64,
}

impl<K, S> Default for Hub<K, S> {
    fn default() -> Self {
        Hub {
            topics: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            running: AtomicU64::new(0),
        }
    }
}

/// One upstream watch and its subscribers.
pub struct Topic<K, S> {
    /// The key it is shared under, and the hub; `None` for a client's own topic.
    shared: Option<(K, Weak<Hub<K, S>>)>,
    inner: Mutex<Inner<S>>,
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

struct Inner<S> {
    state: S,
    subscribers: Vec<Subscriber>,
    ended: bool,
}

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Utf8Bytes>,
    slow: Arc<AtomicBool>,
}

/// The topic's state, locked, with a way to publish to its subscribers.
pub struct Locked<'a, S> {
    inner: MutexGuard<'a, Inner<S>>,
}

impl<S> std::ops::Deref for Locked<'_, S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.inner.state
    }
}

impl<S> std::ops::DerefMut for Locked<'_, S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.inner.state
    }
}

impl<S> Locked<'_, S> {
    /// Queues `frame` for every subscriber; one whose queue is full is dropped and marked slow.
    pub fn publish(&mut self, frame: &Utf8Bytes) {
        self.inner
            .subscribers
            .retain(|s| match s.tx.try_send(frame.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    s.slow.store(true, Ordering::Relaxed);
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
    }

    pub fn subscribers(&self) -> usize {
        self.inner.subscribers.len()
    }
}

/// A client's place on a topic. Its queue ends (`rx.recv()` gives `None`) when the topic ends
/// or the client was dropped as too slow ([`Subscription::slow`]). Dropping it leaves the
/// topic, which stops when nobody is left.
pub struct Subscription<K: Eq + Hash + Clone, S> {
    pub rx: mpsc::Receiver<Utf8Bytes>,
    slow: Arc<AtomicBool>,
    id: u64,
    topic: Arc<Topic<K, S>>,
}

impl<K: Eq + Hash + Clone, S> Subscription<K, S> {
    /// Whether the client was dropped for letting its queue fill.
    pub fn slow(&self) -> bool {
        self.slow.load(Ordering::Relaxed)
    }
}

impl<K: Eq + Hash + Clone, S> Drop for Subscription<K, S> {
    fn drop(&mut self) {
        self.topic.leave(self.id);
    }
}

impl<K: Eq + Hash + Clone, S> Topic<K, S> {
    /// Locks the state to read or change it and publish.
    pub fn lock(&self) -> Locked<'_, S> {
        Locked {
            inner: self.inner.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Ends the topic: `last` (if any) goes to every subscriber, whose queues then end after
    /// what they hold; nobody joins it again.
    pub fn end(&self, last: Option<&Utf8Bytes>) {
        {
            let mut locked = self.lock();
            if let Some(frame) = last {
                locked.publish(frame);
            }
            locked.inner.ended = true;
            locked.inner.subscribers.clear();
        }
        self.unregister();
    }

    /// Removes the topic from its hub, if it is still the one registered there.
    fn unregister(self: &Topic<K, S>) {
        let Some((key, hub)) = &self.shared else {
            return;
        };
        let Some(hub) = hub.upgrade() else {
            return;
        };
        let mut topics = hub.topics.lock().unwrap_or_else(|p| p.into_inner());
        if topics
            .get(key)
            .is_some_and(|t| std::ptr::eq(Arc::as_ptr(t), self))
        {
            topics.remove(key);
        }
    }

    /// Takes a subscriber off; the last one stops the upstream task and unregisters the
    /// topic. The hub's lock is taken first, as `join` takes it, so that nobody can join a
    /// topic between its last subscriber leaving and its task being stopped.
    fn leave(&self, id: u64) {
        let hub = self
            .shared
            .as_ref()
            .and_then(|(key, hub)| hub.upgrade().map(|hub| (key, hub)));
        let mut topics = hub
            .as_ref()
            .map(|(_, hub)| hub.topics.lock().unwrap_or_else(|p| p.into_inner()));
        let mut locked = self.lock();
        locked.inner.subscribers.retain(|s| s.id != id);
        if !locked.inner.subscribers.is_empty() {
            return;
        }
        if let (Some((key, _)), Some(topics)) = (&hub, topics.as_mut()) {
            if topics
                .get(*key)
                .is_some_and(|t| std::ptr::eq(Arc::as_ptr(t), self))
            {
                topics.remove(*key);
            }
        }
        if let Some(task) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

/// Counts a running upstream task for as long as it lives.
pub struct Running<K, S>(Arc<Hub<K, S>>);

impl<K, S> Drop for Running<K, S> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<K: Eq + Hash + Clone + Send + 'static, S: Send + 'static> Hub<K, S> {
    fn subscriber(&self, queue: usize) -> (Subscriber, mpsc::Receiver<Utf8Bytes>, Arc<AtomicBool>) {
        let (tx, rx) = mpsc::channel(queue);
        let slow = Arc::new(AtomicBool::new(false));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (
            Subscriber {
                id,
                tx,
                slow: slow.clone(),
            },
            rx,
            slow,
        )
    }

    /// Counts an upstream task; keep the guard inside it.
    pub fn running(self: &Arc<Self>) -> Running<K, S> {
        self.running.fetch_add(1, Ordering::Relaxed);
        Running(self.clone())
    }

    /// Joins the shared topic of `key`, starting one (`state` and the upstream task `start`)
    /// when there is none or the one there has ended. `greet` reads the state the subscriber
    /// joins at, under the lock it joins under; its result is what the subscriber is told
    /// first (sent by the caller before anything from the queue).
    pub fn join<G>(
        self: &Arc<Self>,
        key: K,
        queue: usize,
        state: impl FnOnce() -> S,
        start: impl FnOnce(Arc<Topic<K, S>>) -> tokio::task::JoinHandle<()>,
        greet: impl FnOnce(&S) -> G,
    ) -> (Subscription<K, S>, G) {
        let (sub, rx, slow) = self.subscriber(queue);
        let id = sub.id;
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(topic) = topics.get(&key).cloned() {
            let mut locked = topic.lock();
            if !locked.inner.ended {
                let greeting = greet(&locked.inner.state);
                locked.inner.subscribers.push(sub);
                drop(locked);
                return (
                    Subscription {
                        rx,
                        slow,
                        id,
                        topic: topic.clone(),
                    },
                    greeting,
                );
            }
        }
        let state = state();
        let greeting = greet(&state);
        let topic = Arc::new(Topic {
            shared: Some((key.clone(), Arc::downgrade(self))),
            inner: Mutex::new(Inner {
                state,
                subscribers: vec![sub],
                ended: false,
            }),
            task: Mutex::new(None),
        });
        topics.insert(key, topic.clone());
        let task = start(topic.clone());
        *topic.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task.abort_handle());
        drop(topics);
        (
            Subscription {
                rx,
                slow,
                id,
                topic,
            },
            greeting,
        )
    }

    /// A topic of the subscriber's own, not shared with anyone.
    pub fn own(
        self: &Arc<Self>,
        queue: usize,
        state: S,
        start: impl FnOnce(Arc<Topic<K, S>>) -> tokio::task::JoinHandle<()>,
    ) -> Subscription<K, S> {
        let (sub, rx, slow) = self.subscriber(queue);
        let id = sub.id;
        let topic = Arc::new(Topic {
            shared: None,
            inner: Mutex::new(Inner {
                state,
                subscribers: vec![sub],
                ended: false,
            }),
            task: Mutex::new(None),
        });
        let task = start(topic.clone());
        *topic.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task.abort_handle());
        Subscription {
            rx,
            slow,
            id,
            topic,
        }
    }

    /// Shared topics now (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.topics.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    type TestHub = Hub<&'static str, Vec<u32>>;

    fn frame(s: &str) -> Utf8Bytes {
        Utf8Bytes::from(s.to_owned())
    }

    /// A topic whose task publishes what the test sends it, and ends on `end`.
    fn start(
        mut cmds: mpsc::UnboundedReceiver<&'static str>,
    ) -> impl FnOnce(Arc<Topic<&'static str, Vec<u32>>>) -> tokio::task::JoinHandle<()> {
        move |topic| {
            tokio::spawn(async move {
                while let Some(cmd) = cmds.recv().await {
                    if cmd == "end" {
                        topic.end(Some(&frame("ended")));
                        return;
                    }
                    let mut locked = topic.lock();
                    locked.push(cmd.len() as u32);
                    locked.publish(&frame(cmd));
                }
            })
        }
    }

    #[tokio::test]
    async fn subscribers_share_a_topic_and_get_everything_after_their_greeting() {
        let hub = Arc::new(TestHub::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let (mut a, greeting) = hub.join("k", 8, Vec::new, start(rx), |s| s.len());
        assert_eq!(greeting, 0);
        tx.send("one").unwrap();
        assert_eq!(a.rx.recv().await.unwrap(), "one");
        // Joins the running topic (its start is not called), greeted with its state.
        let (mut b, greeting) = hub.join("k", 8, Vec::new, |_| unreachable!(), |s| s.clone());
        assert_eq!(greeting, [3]);
        tx.send("three").unwrap();
        assert_eq!(a.rx.recv().await.unwrap(), "three");
        assert_eq!(b.rx.recv().await.unwrap(), "three");
        assert_eq!(hub.len(), 1);
        drop(a);
        drop(b);
        assert_eq!(hub.len(), 0, "the last one leaving stops the topic");
    }

    #[tokio::test]
    async fn an_ended_topic_is_never_joined_again() {
        let hub = Arc::new(TestHub::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let (mut a, _) = hub.join("k", 8, Vec::new, start(rx), |_| ());
        tx.send("end").unwrap();
        assert_eq!(a.rx.recv().await.unwrap(), "ended");
        assert!(
            a.rx.recv().await.is_none(),
            "the queue ends after the last frame"
        );
        // Joining now starts a new topic instead of waiting on the ended one.
        let (tx2, rx2) = mpsc::unbounded_channel();
        let (mut b, greeting) = hub.join("k", 8, Vec::new, start(rx2), |s| s.len());
        assert_eq!(greeting, 0);
        tx2.send("fresh").unwrap();
        assert_eq!(
            tokio::time::timeout(Duration::from_secs(5), b.rx.recv())
                .await
                .unwrap()
                .unwrap(),
            "fresh"
        );
        drop(a);
        assert_eq!(
            hub.len(),
            1,
            "the old one leaving does not stop the new topic"
        );
    }

    #[tokio::test]
    async fn a_topic_ending_while_someone_joins_releases_them() {
        // Many joins racing with the end: every subscriber's queue either gets the last frame
        // or belongs to a new topic, never waits on the ended one.
        for _ in 0..50 {
            let hub = Arc::new(TestHub::default());
            let (tx, rx) = mpsc::unbounded_channel();
            let (first, _) = hub.join("k", 8, Vec::new, start(rx), |_| ());
            let joiner = {
                let hub = hub.clone();
                tokio::spawn(async move {
                    let (mut s, _) = hub.join(
                        "k",
                        8,
                        Vec::new,
                        |t| tokio::spawn(async move { t.end(Some(&frame("ended"))) }),
                        |_| (),
                    );
                    tokio::time::timeout(Duration::from_secs(5), s.rx.recv()).await
                })
            };
            tx.send("end").unwrap();
            let got = joiner
                .await
                .unwrap()
                .expect("a joiner is never left waiting");
            assert_eq!(got.as_deref(), Some("ended"));
            drop(first);
        }
    }

    #[tokio::test]
    async fn a_full_queue_drops_only_that_subscriber() {
        let hub = Arc::new(TestHub::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let (mut fast, _) = hub.join("k", 2, Vec::new, start(rx), |_| ());
        let (mut slow, _) = hub.join("k", 2, Vec::new, |_| unreachable!(), |_| ());
        for word in ["a", "b", "c"] {
            tx.send(word).unwrap();
            assert_eq!(fast.rx.recv().await.unwrap(), word);
        }
        assert_eq!(slow.rx.recv().await.unwrap(), "a");
        assert_eq!(slow.rx.recv().await.unwrap(), "b");
        assert!(slow.rx.recv().await.is_none());
        assert!(slow.slow() && !fast.slow());
    }

    #[tokio::test]
    async fn own_topics_are_not_shared_and_stop_with_their_subscriber() {
        let hub = Arc::new(TestHub::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let mut own = hub.own(4, Vec::new(), start(rx));
        tx.send("x").unwrap();
        assert_eq!(own.rx.recv().await.unwrap(), "x");
        assert_eq!(hub.len(), 0);
        let task = own.topic.task.lock().unwrap().clone().unwrap();
        drop(own);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(task.is_finished(), "the task is stopped");
    }
}
