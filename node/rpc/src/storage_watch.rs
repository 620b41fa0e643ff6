//! One shared reader of the storage keys `state_subscribeStorage` subscriptions watch.
//!
//! Reading every subscription's keys at every new best block let a client multiply the
//! node's work at will (1,024 subscriptions of 1,000 keys on one connection cost a
//! million reads a second and starved block authoring). Here one actor, the
//! [`StorageWatch`], owns every watched key:
//!
//! - it admits a subscription only within [`WatchLimits`] (keys per connection, keys on
//!   the whole server), counted per subscription and key, and releases them when the
//!   subscription ends ([`Watching`] is a guard) — which a closed connection also does;
//! - at each new best block it reads the union of the watched keys once, on a blocking
//!   thread; blocks that arrive while it reads are skipped (it reads the newest next), so
//!   its work per block is bounded by the number of distinct watched keys;
//! - it pushes each changed value into the [`Pending`] slot of the subscriptions watching
//!   the key; a slot merges what a slow subscriber has not sent yet (latest value per key)
//!   instead of queueing notifications, so nothing grows while a client does not read.
//!
//! A new subscription's first notification comes from the actor's cache of values at
//! the block it last read, so it is consistent with the changes that follow.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, Mutex},
};

use jsonrpsee::ConnectionId;
use ludus_primitives::{Hash, Header};
use serde::Serialize;
use sp_core::storage::{StorageData, StorageKey};
use tokio::sync::{broadcast, mpsc, oneshot, Notify};

use crate::backend::{BackendError, ChainBackend};

/// How many keys subscriptions may watch, counted once per subscription and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchLimits {
    /// Most keys one subscription may name.
    pub per_subscription: usize,
    /// Most keys the subscriptions of one connection may watch together.
    pub per_connection: usize,
    /// Most keys all subscriptions on the server may watch together.
    pub total: usize,
}

impl Default for WatchLimits {
    fn default() -> Self {
        Self { per_subscription: crate::params::MAX_KEYS_PER_QUERY, per_connection: 5_000, total: 20_000 }
    }
}

/// Why a subscription was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    /// The connection's subscriptions watch too many keys already.
    #[error(
        "this connection's storage subscriptions watch {watched} keys; {asked} more would pass its limit of \
         {limit}: unsubscribe some first"
    )]
    ConnectionFull {
        /// Keys the connection watches now.
        watched: usize,
        /// Keys asked for.
        asked: usize,
        /// The limit.
        limit: usize,
    },
    /// The server's subscriptions watch too many keys already.
    #[error(
        "the server watches {watched} storage keys for its subscribers; {asked} more would pass its limit of \
         {limit}: try again later, or query with state_queryStorageAt"
    )]
    ServerFull {
        /// Keys watched now.
        watched: usize,
        /// Keys asked for.
        asked: usize,
        /// The limit.
        limit: usize,
    },
    /// The keys could not be read.
    #[error("{0}")]
    Read(BackendError),
    /// The watcher has stopped (the node is shutting down).
    #[error("the storage watcher has stopped")]
    Stopped,
}

/// A value as the watcher keeps it: shared by every subscription it is sent to.
type Value = Option<Arc<StorageData>>;

type WatchId = u64;

/// Changes a subscriber has not sent yet, newest value per key.
#[derive(Debug, Default)]
pub struct Pending {
    changes: Mutex<Option<(Hash, BTreeMap<u32, Value>)>>,
    notify: Notify,
}

impl Pending {
    fn push(&self, block: Hash, index: u32, value: Value) {
        {
            let mut changes = self.changes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let (at, map) = changes.get_or_insert_with(|| (block, BTreeMap::new()));
            *at = block;
            map.insert(index, value);
        }
        self.notify.notify_one();
    }

    /// Waits for changes and takes them all: the newest block and, by key index, values.
    async fn next(&self) -> (Hash, BTreeMap<u32, Value>) {
        loop {
            let taken = self.changes.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
            if let Some(changes) = taken {
                return changes;
            }
            self.notify.notified().await;
        }
    }
}

/// A change set as Substrate serializes `StorageChangeSet`, borrowing the watcher's values.
#[derive(Debug, Serialize)]
pub struct ChangeSet<'a> {
    /// The block the values are at.
    pub block: Hash,
    /// `[key, value or null]` pairs.
    pub changes: Vec<(&'a StorageKey, Option<&'a StorageData>)>,
}

/// An admitted subscription; its keys are released when it is dropped.
#[derive(Debug)]
pub struct Watching {
    id: WatchId,
    mailbox: mpsc::UnboundedSender<Message>,
    keys: Vec<StorageKey>,
    block: Hash,
    initial: Vec<Value>,
    pending: Arc<Pending>,
}

impl Watching {
    /// The watched keys (deduplicated, in the order asked).
    pub fn keys(&self) -> &[StorageKey] {
        &self.keys
    }

    /// The values of every key at the block the watcher last read.
    pub fn initial(&self) -> ChangeSet<'_> {
        ChangeSet {
            block: self.block,
            changes: self.keys.iter().zip(&self.initial).map(|(key, value)| (key, value.as_deref())).collect(),
        }
    }

    /// Waits for the next changes: the newest block and the keys' new values.
    pub async fn next_changes(&self) -> (Hash, Vec<(StorageKey, Value)>) {
        let (block, changes) = self.pending.next().await;
        let changes = changes
            .into_iter()
            .filter_map(|(index, value)| Some((self.keys.get(index as usize)?.clone(), value)))
            .collect();
        (block, changes)
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        // Fails only once the watcher has stopped, and then there is nothing to release.
        let _ = self.mailbox.send(Message::Unwatch(self.id));
    }
}

/// What the watcher is asked.
#[derive(Debug)]
enum Message {
    /// Admit a subscription of `connection` to `keys` and reply with its guard.
    Watch { connection: ConnectionId, keys: Vec<StorageKey>, reply: oneshot::Sender<Result<Watching, WatchError>> },
    /// A subscription ended.
    Unwatch(WatchId),
}

/// The handle subscriptions talk to the watcher through.
#[derive(Debug, Clone)]
pub struct StorageWatch {
    mailbox: mpsc::UnboundedSender<Message>,
    limits: WatchLimits,
}

impl StorageWatch {
    /// Spawns the watcher over `backend`. It runs until every handle and guard is dropped
    /// or the backend's best-block channel closes.
    pub fn spawn(backend: Arc<dyn ChainBackend>, limits: WatchLimits) -> Self {
        let (mailbox, inbox) = mpsc::unbounded_channel();
        let best = backend.subscribe_best();
        let watcher = Watcher {
            block: backend.info().best_hash,
            backend,
            limits,
            mailbox: mailbox.downgrade(),
            keys: HashMap::new(),
            subscriptions: HashMap::new(),
            per_connection: HashMap::new(),
            total: 0,
            next_id: 0,
            key_list: None,
        };
        tokio::spawn(watcher.run(inbox, best));
        Self { mailbox, limits }
    }

    /// The limits subscriptions are admitted within.
    pub fn limits(&self) -> WatchLimits {
        self.limits
    }

    /// Admits a subscription of `connection` to `keys` (at most
    /// [`WatchLimits::per_subscription`]; the caller checks).
    pub async fn watch(&self, connection: ConnectionId, keys: Vec<StorageKey>) -> Result<Watching, WatchError> {
        let (reply, answer) = oneshot::channel();
        self.mailbox.send(Message::Watch { connection, keys, reply }).map_err(|_| WatchError::Stopped)?;
        answer.await.map_err(|_| WatchError::Stopped)?
    }
}

/// One watched key.
#[derive(Debug)]
struct Watched {
    value: Value,
    /// Subscriptions watching it, with the key's index in each one's list.
    by: HashMap<WatchId, u32>,
}

/// One admitted subscription.
#[derive(Debug)]
struct Subscriber {
    connection: ConnectionId,
    keys: Vec<StorageKey>,
    pending: Arc<Pending>,
}

/// The actor's state; lives in its task.
struct Watcher {
    backend: Arc<dyn ChainBackend>,
    limits: WatchLimits,
    /// To hand to [`Watching`] guards; weak so the watcher ends with its last handle.
    mailbox: mpsc::WeakUnboundedSender<Message>,
    /// The block `keys`' values are at.
    block: Hash,
    keys: HashMap<StorageKey, Watched>,
    subscriptions: HashMap<WatchId, Subscriber>,
    per_connection: HashMap<ConnectionId, usize>,
    /// Keys watched, counted once per subscription.
    total: usize,
    next_id: WatchId,
    /// The distinct keys as a list to read, rebuilt after the set changes.
    key_list: Option<Arc<Vec<StorageKey>>>,
}

impl Watcher {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Message>, mut best: broadcast::Receiver<Header>) {
        loop {
            tokio::select! {
                message = inbox.recv() => match message {
                    Some(Message::Watch { connection, keys, reply }) => {
                        let answer = self.watch(connection, keys).await;
                        // A subscriber gone meanwhile drops the guard here, which unwatches.
                        let _ = reply.send(answer);
                    }
                    Some(Message::Unwatch(id)) => self.unwatch(id),
                    None => return,
                },
                header = best.recv() => match header {
                    Ok(header) => {
                        // Skip to the newest best block: reading older ones helps nobody.
                        let newest = latest(&mut best).unwrap_or(header);
                        self.refresh(newest.hash()).await;
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }

    async fn watch(&mut self, connection: ConnectionId, keys: Vec<StorageKey>) -> Result<Watching, WatchError> {
        let mut seen = HashSet::with_capacity(keys.len());
        let keys: Vec<StorageKey> = keys.into_iter().filter(|key| seen.insert(key.clone())).collect();
        drop(seen);
        let asked = keys.len();
        let on_connection = self.per_connection.get(&connection).copied().unwrap_or(0);
        if on_connection + asked > self.limits.per_connection {
            return Err(WatchError::ConnectionFull {
                watched: on_connection,
                asked,
                limit: self.limits.per_connection,
            });
        }
        if self.total + asked > self.limits.total {
            return Err(WatchError::ServerFull { watched: self.total, asked, limit: self.limits.total });
        }
        let mailbox = self.mailbox.upgrade().ok_or(WatchError::Stopped)?;

        let missing: Vec<StorageKey> = keys.iter().filter(|key| !self.keys.contains_key(*key)).cloned().collect();
        if !missing.is_empty() {
            let values = read(self.backend.clone(), self.block, Arc::new(missing.clone())).await?;
            for (key, value) in missing.into_iter().zip(values) {
                self.keys.insert(key, Watched { value: value.map(|v| Arc::new(StorageData(v))), by: HashMap::new() });
            }
            self.key_list = None;
        }

        let id = self.next_id;
        self.next_id += 1;
        let mut initial = Vec::with_capacity(asked);
        for (index, key) in keys.iter().enumerate() {
            // Every key is watched already or was inserted above.
            let value = self.keys.get_mut(key).and_then(|watched| {
                watched.by.insert(id, index as u32);
                watched.value.clone()
            });
            initial.push(value);
        }
        *self.per_connection.entry(connection).or_insert(0) += asked;
        self.total += asked;
        let pending = Arc::new(Pending::default());
        self.subscriptions.insert(id, Subscriber { connection, keys: keys.clone(), pending: pending.clone() });
        Ok(Watching { id, mailbox, keys, block: self.block, initial, pending })
    }

    fn unwatch(&mut self, id: WatchId) {
        let Some(subscriber) = self.subscriptions.remove(&id) else { return };
        for key in &subscriber.keys {
            if let Some(watched) = self.keys.get_mut(key) {
                watched.by.remove(&id);
                if watched.by.is_empty() {
                    self.keys.remove(key);
                    self.key_list = None;
                }
            }
        }
        let count = subscriber.keys.len();
        self.total -= count;
        if let Some(on_connection) = self.per_connection.get_mut(&subscriber.connection) {
            *on_connection -= count;
            if *on_connection == 0 {
                self.per_connection.remove(&subscriber.connection);
            }
        }
        // Give memory back once most of it is unused, not just the entries.
        shrink(&mut self.keys);
        shrink(&mut self.subscriptions);
        shrink(&mut self.per_connection);
    }

    /// Reads every watched key at `block` and pushes the changed values to their subscribers.
    async fn refresh(&mut self, block: Hash) {
        if self.keys.is_empty() {
            self.block = block;
            return;
        }
        let keys = self.key_list.get_or_insert_with(|| Arc::new(self.keys.keys().cloned().collect())).clone();
        let values = match read(self.backend.clone(), block, keys.clone()).await {
            Ok(values) => values,
            Err(e) => {
                // The next best block will be tried; subscribers keep the values they have.
                tracing::debug!(target: "rpc", %block, error = %e, "cannot read watched keys at new best block");
                return;
            }
        };
        self.block = block;
        for (key, value) in keys.iter().zip(values) {
            let Some(watched) = self.keys.get_mut(key) else { continue };
            if watched.value.as_deref().map(|data| &data.0) == value.as_ref() {
                continue;
            }
            watched.value = value.map(|v| Arc::new(StorageData(v)));
            for (id, &index) in &watched.by {
                if let Some(subscriber) = self.subscriptions.get(id) {
                    subscriber.pending.push(block, index, watched.value.clone());
                }
            }
        }
    }
}

/// The newest header already waiting in `best`, if any.
fn latest(best: &mut broadcast::Receiver<Header>) -> Option<Header> {
    let mut newest = None;
    loop {
        match best.try_recv() {
            Ok(header) => newest = Some(header),
            Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
            Err(_) => return newest,
        }
    }
}

/// Reads `keys` at `block` on a blocking thread.
async fn read(
    backend: Arc<dyn ChainBackend>,
    block: Hash,
    keys: Arc<Vec<StorageKey>>,
) -> Result<Vec<Option<Vec<u8>>>, WatchError> {
    tokio::task::spawn_blocking(move || {
        keys.iter().map(|key| backend.storage(block, &key.0)).collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| WatchError::Read(BackendError::Other(format!("reading watched keys failed: {e}"))))?
    .map_err(WatchError::Read)
}

fn shrink<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 4 {
        map.shrink_to_fit();
    }
}
