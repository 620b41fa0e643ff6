//! The public pool: submission, block-authoring view and chain maintenance.

use crate::{
    graph::{State, Tx},
    status::Watcher,
    tx_hash, Error, Hash, TransactionStatus,
};
use futures::channel::mpsc;
use parking_lot::Mutex;
use sp_runtime::transaction_validity::{
    TransactionPriority, TransactionSource, TransactionTag, TransactionValidity, TransactionValidityError,
    ValidTransaction,
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// The share of the pool's capacity that new submissions may fill on equal terms: beyond
/// it a submission must outrank the pool's least transaction, which it then replaces. The
/// rest is for transactions peers relay. A quarter: with four validators each taking new work up to it, the pools
/// can all hold everything accepted, and what waits is at most one pool's worth (8,192
/// transactions, about seven full blocks).
const NEW_WORK_SHARE: (usize, usize) = (1, 4);

/// The share of the pool's capacity its own submitters' new work may always fill on equal
/// terms, whatever peers' work it holds. Without it, the first node whose work reaches its
/// peers fills their share with it; they refuse their own submitters, whose clients back
/// off, and the network carries one node's work at a time, with empty blocks in between.
/// A sixteenth: four validators' floors together are a quarter of a pool, so relays still
/// find room.
const OWN_WORK_FLOOR: (usize, usize) = (1, 16);

/// No room held back for others: what a single submission is checked against.
const NOTHING_RESERVED: Limit = Limit { count: 0, total_bytes: 0 };

/// How the pool reaches the runtime.
///
/// The node implements it by calling `TaggedTransactionQueue_validate_transaction`
/// on the state of block `at` (and `TransactionBatchApi_validate_transactions` for a batch).
pub trait ChainApi: Send + Sync + 'static {
    /// Validates the SCALE-encoded extrinsic `xt`, exactly as submitted, at block `at`.
    ///
    /// `Err` means the runtime could not be called (executor failure), not
    /// that the transaction is invalid.
    fn validate(&self, at: Hash, source: TransactionSource, xt: &[u8]) -> Result<TransactionValidity, String>;

    /// Validates several extrinsics at block `at`, each as [`ChainApi::validate`] would on
    /// its own; one answer per extrinsic, in order. The node does it in one runtime call,
    /// their signatures verified as one batch, which costs much less than a call each.
    fn validate_many(&self, at: Hash, xts: &[(TransactionSource, &[u8])]) -> Vec<Result<TransactionValidity, String>> {
        xts.iter().map(|(source, xt)| self.validate(at, *source, xt)).collect()
    }

    /// Who signed `xt` (the node: the signer's account id), for the pool's per-sender bounds;
    /// `None` for an unsigned transaction, which only the pool-wide bounds cover. Called after
    /// `validate` accepted `xt`, so the bytes are known to decode.
    fn sender(&self, _xt: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

/// A bound on one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Most transactions the queue holds.
    pub count: usize,
    /// Most bytes (sum of encoded transaction sizes) the queue holds.
    pub total_bytes: usize,
}

/// Pool configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Bound on the whole pool, ready and future transactions together (so on the ready
    /// queue too).
    pub ready_limit: Limit,
    /// Bound on the future queue, within `ready_limit`.
    pub future_limit: Limit,
    /// Most transactions (ready and future) one sender may have in the pool, so one account
    /// cannot take the pool from everyone else at the same fee. Transactions of a block
    /// that left the best chain are put back whatever this says.
    pub sender_limit: usize,
    /// Most future transactions (waiting behind a nonce gap) one sender may have. Futures pay
    /// nothing until they become ready, so this and [`Options::future_lifetime`] are what
    /// stop one account from filling the future queue for free.
    pub sender_future_limit: usize,
    /// Blocks a transaction may wait in the future queue before it is dropped (its watchers
    /// hear `dropped`). A nonce gap that honest gossip reordering opens closes within a block
    /// or two; one that lasts a minute is a client's mistake or an attack.
    pub future_lifetime: u64,
    /// Largest single transaction accepted, in bytes.
    pub max_tx_bytes: usize,
    /// How long a transaction found invalid is refused.
    pub ban_time: Duration,
    /// Most transactions revalidated after one imported block, those
    /// validated longest ago first. Each costs one runtime call (~70 µs), so
    /// this bounds the work per block; the rest wait for later blocks. With
    /// one-second blocks, 256 keeps a full pool's revalidation under ~20 ms a
    /// block and still revisits all 8,192 ready transactions every half minute.
    pub revalidation_batch: usize,
}

impl Default for Options {
    /// Substrate's figures: ready 8192 txs / 20 MiB (here the whole pool), future 819 txs /
    /// 2 MiB, ban 30 minutes. Ludus's own: a sender holds at most 512 transactions (a
    /// sixteenth of the pool), 16 of them future, and a future one waits at most 64 blocks.
    fn default() -> Self {
        Self {
            ready_limit: Limit { count: 8192, total_bytes: 20 * 1024 * 1024 },
            future_limit: Limit { count: 819, total_bytes: 2 * 1024 * 1024 },
            sender_limit: 512,
            sender_future_limit: 16,
            future_lifetime: 64,
            max_tx_bytes: 4 * 1024 * 1024,
            ban_time: Duration::from_secs(30 * 60),
            revalidation_batch: 256,
        }
    }
}

/// Sizes of the pool's queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStatus {
    /// Transactions in the ready queue.
    pub ready: usize,
    /// Bytes of the ready transactions' encodings.
    pub ready_bytes: usize,
    /// Transactions in the future queue.
    pub future: usize,
    /// Bytes of the future transactions' encodings.
    pub future_bytes: usize,
}

impl PoolStatus {
    /// True when the pool holds no transaction.
    pub fn is_empty(&self) -> bool {
        self.ready == 0 && self.future == 0
    }
}

/// What left the pool other than by inclusion, and what was turned away because it was full,
/// since the pool started. Under overload these say whether the pool refuses work at the door
/// (`refused_full`, the client is told at once) or accepts work it later loses (`evicted`,
/// only a watcher hears of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolCounters {
    /// Submissions refused because the pool was full (`Immediately Dropped`).
    pub refused_full: u64,
    /// Accepted transactions evicted later to bring a queue back within its limit.
    pub evicted: u64,
    /// Accepted transactions found invalid by revalidation or by block authoring.
    pub invalid: u64,
    /// Accepted transactions whose longevity ran out, or that waited in the future queue
    /// longer than [`Options::future_lifetime`].
    pub expired: u64,
    /// Submissions refused because their sender already held its share of the pool
    /// ([`Options::sender_limit`], [`Options::sender_future_limit`]).
    pub refused_sender: u64,
}

/// A ready transaction handed to block authoring or the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyTransaction {
    /// The pool's hash of the transaction ([`tx_hash`]).
    pub hash: Hash,
    /// The SCALE-encoded extrinsic as submitted.
    pub data: Arc<Vec<u8>>,
    /// Priority the runtime gave it.
    pub priority: TransactionPriority,
    /// Whether the runtime allows gossiping it to peers.
    pub propagate: bool,
}

/// The transaction pool. See the crate documentation for the data flow.
pub struct Pool<A: ChainApi> {
    api: A,
    options: Options,
    state: Mutex<State>,
}

impl<A: ChainApi> Pool<A> {
    /// An empty pool validating through `api`.
    pub fn new(options: Options, api: A) -> Self {
        Self { api, options, state: Mutex::new(State::default()) }
    }

    /// The chain access the pool validates with.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// The configuration the pool runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Validates `xt` at block `at` and adds it to the pool. Returns its hash.
    pub fn submit(&self, at: Hash, source: TransactionSource, xt: Vec<u8>) -> Result<Hash, Error> {
        self.submit_inner(at, source, xt, None, false)
    }

    /// Like [`Pool::submit`] for a transaction a peer relayed (validated as `External`): a
    /// full pool refuses it before validation. Peers relay every transaction to every node,
    /// so under overload most arrivals are relays a full pool would evict right after paying
    /// for their validation, and the node that took it from its submitter still holds it.
    pub fn submit_relayed(&self, at: Hash, xt: Vec<u8>) -> Result<Hash, Error> {
        self.submit_inner(at, TransactionSource::External, xt, None, true)
    }

    /// Like [`Pool::submit`] (or [`Pool::submit_relayed`] if `relayed`) for each of `xts`,
    /// in order, with one answer each, and each as if submitted alone after those before it;
    /// but those the pool may take are validated together ([`ChainApi::validate_many`]).
    pub fn submit_many(
        &self,
        at: Hash,
        source: TransactionSource,
        xts: Vec<Vec<u8>>,
        relayed: bool,
    ) -> Vec<Result<Hash, Error>> {
        // Relays are let into validation only while the batch so far would still fit: a full
        // pool refuses them before validation, as it refuses single ones.
        let mut reserved = NOTHING_RESERVED;
        let checked: Vec<Result<(Hash, Vec<u8>), Error>> = xts
            .into_iter()
            .map(|xt| {
                let hash = self.check_new(&xt, relayed, reserved)?;
                reserved.count += 1;
                reserved.total_bytes += xt.len();
                Ok((hash, xt))
            })
            .collect();
        let fresh: Vec<(TransactionSource, &[u8])> =
            checked.iter().filter_map(|c| c.as_ref().ok()).map(|(_, xt)| (source, xt.as_slice())).collect();
        let mut validities = if fresh.is_empty() { Vec::new() } else { self.api.validate_many(at, &fresh) };
        if validities.len() != fresh.len() {
            // A `ChainApi` breaking its contract: refuse the lot rather than misattribute.
            validities =
                fresh.iter().map(|_| Err("validation answered a batch of the wrong size".to_owned())).collect();
        }
        let mut validities = validities.into_iter();
        checked
            .into_iter()
            .map(|checked| {
                let (hash, xt) = checked?;
                let validity = validities.next().unwrap_or_else(|| Err("no answer".to_owned()));
                // Refused now if it would be before validation: the batch's earlier
                // transactions may have added or banned it, or filled the pool, since.
                self.check_admissible(&hash, relayed, xt.len(), NOTHING_RESERVED)?;
                self.admit(hash, source, xt, validity, None, relayed)
            })
            .collect()
    }

    /// Like [`Pool::submit`], and returns a stream of the transaction's
    /// statuses, starting with `Ready` or `Future`.
    pub fn submit_and_watch(&self, at: Hash, source: TransactionSource, xt: Vec<u8>) -> Result<(Hash, Watcher), Error> {
        let (sender, receiver) = mpsc::unbounded();
        let hash = self.submit_inner(at, source, xt, Some(sender), false)?;
        Ok((hash, Watcher::new(hash, receiver)))
    }

    fn submit_inner(
        &self,
        at: Hash,
        source: TransactionSource,
        xt: Vec<u8>,
        watcher: Option<mpsc::UnboundedSender<TransactionStatus>>,
        relayed: bool,
    ) -> Result<Hash, Error> {
        let hash = self.check_new(&xt, relayed, NOTHING_RESERVED)?;
        // The runtime call is the slow part; the lock is not held across it.
        let validity = self.api.validate(at, source, &xt);
        self.admit(hash, source, xt, validity, watcher, relayed)
    }

    /// What is refused before validation (too large, a duplicate, banned, a relay reaching a
    /// pool that `reserved` more would fill); otherwise the transaction's hash.
    fn check_new(&self, xt: &[u8], relayed: bool, reserved: Limit) -> Result<Hash, Error> {
        if xt.len() > self.options.max_tx_bytes {
            return Err(Error::TooLarge { size: xt.len(), limit: self.options.max_tx_bytes });
        }
        let hash = tx_hash(xt);
        self.check_admissible(&hash, relayed, xt.len(), reserved)?;
        Ok(hash)
    }

    /// Files the transaction `hash` (`xt`) the runtime answered `validity` for, as ready or
    /// future, or says why not.
    fn admit(
        &self,
        hash: Hash,
        source: TransactionSource,
        xt: Vec<u8>,
        validity: Result<TransactionValidity, String>,
        watcher: Option<mpsc::UnboundedSender<TransactionStatus>>,
        relayed: bool,
    ) -> Result<Hash, Error> {
        let valid = match validity.map_err(Error::Validation)? {
            Ok(valid) => valid,
            Err(TransactionValidityError::Invalid(invalid)) => {
                self.state.lock().ban(hash, Instant::now(), self.options.ban_time);
                return Err(Error::InvalidTransaction(invalid));
            }
            Err(TransactionValidityError::Unknown(unknown)) => return Err(Error::UnknownTransaction(unknown)),
        };
        let Tags { requires, provides } = check_tags(&valid)?;
        // A retracted block's transactions were accepted by the network once; they go back.
        let sender: Option<Arc<[u8]>> =
            if source == TransactionSource::InBlock { None } else { self.api.sender(&xt).map(Arc::from) };

        let mut state = self.state.lock();
        // Another thread may have added or banned it while we validated.
        if state.txs.contains_key(&hash) {
            return Err(Error::AlreadyImported(hash));
        }
        if state.is_banned(&hash, Instant::now()) {
            return Err(Error::TemporarilyBanned);
        }
        if let Some(sender) = &sender {
            if let Err(err) = self.check_sender(&state, sender, &requires, &provides) {
                state.counters.refused_sender += 1;
                return Err(err);
            }
        }
        // New work for the network (not a relay of what another pool holds, nor a retracted
        // block's) fills only part of the pool unless it outranks something; the rest is
        // for relays, so under overload the pools hold the same transactions and any author
        // can include them, rather than each its own backlog.
        // Past its share, new work gets in only in place of the least transaction, so the
        // pool does not grow with it: what waits stays what the network can include.
        let new_work = !relayed && source != TransactionSource::InBlock;
        let displaces = new_work
            && state.holds_share(&self.options.ready_limit, NEW_WORK_SHARE)
            && state.holds_new_work_share(&self.options.ready_limit, OWN_WORK_FLOOR);
        if displaces && !state.outranks_least(&requires, valid.priority) {
            state.counters.refused_full += 1;
            return Err(Error::ImmediatelyDropped);
        }
        let insertion = state.next_insertion(source == TransactionSource::InBlock);
        let tx = Tx {
            hash,
            data: Arc::new(xt),
            source,
            priority: valid.priority,
            requires,
            provides,
            propagate: valid.propagate,
            validated_at: state.block_count,
            valid_till: state.block_count.saturating_add(valid.longevity),
            insertion,
            ready: false,
            future_since: state.block_count,
            sender,
            new_work,
        };
        if let Some(sender) = watcher {
            state.watch(hash, sender);
        }
        if let Err(err) = state.insert(tx) {
            state.unwatch(&hash);
            return Err(err);
        }
        if displaces && state.evict_least(&hash).is_some() {
            state.counters.evicted += 1;
        }
        let dropped = state.enforce_limits(&self.options.ready_limit, &self.options.future_limit);
        let refused = dropped.contains(&hash);
        state.counters.evicted += dropped.len() as u64 - u64::from(refused);
        if refused {
            state.counters.refused_full += 1;
            return Err(Error::ImmediatelyDropped);
        }
        Ok(hash)
    }

    /// Whether `sender` may add a transaction requiring `requires` and providing `provides`:
    /// within its share of the pool and, if the transaction would wait, of the future queue.
    /// Replacing one of its own transactions (same nonce, higher tip) adds nothing, so it is
    /// always allowed.
    fn check_sender(
        &self,
        state: &State,
        sender: &Arc<[u8]>,
        requires: &[TransactionTag],
        provides: &[TransactionTag],
    ) -> Result<(), Error> {
        let usage = state.sender_usage(sender);
        if usage.total == 0 || state.replaces_own(sender, provides) {
            return Ok(());
        }
        if usage.total >= self.options.sender_limit {
            return Err(Error::SenderLimit { limit: self.options.sender_limit, future: false });
        }
        if usage.future >= self.options.sender_future_limit && !state.would_be_ready(requires) {
            return Err(Error::SenderLimit { limit: self.options.sender_future_limit, future: true });
        }
        Ok(())
    }

    /// What can be refused before the runtime is asked: a duplicate, a banned transaction, and
    /// a relayed one when the pool is full, or would be with `reserved` more in it.
    fn check_admissible(&self, hash: &Hash, relayed: bool, bytes: usize, reserved: Limit) -> Result<(), Error> {
        let mut state = self.state.lock();
        if state.txs.contains_key(hash) {
            return Err(Error::AlreadyImported(*hash));
        }
        if state.is_banned(hash, Instant::now()) {
            return Err(Error::TemporarilyBanned);
        }
        let room = Limit {
            count: self.options.ready_limit.count.saturating_sub(reserved.count),
            total_bytes: self.options.ready_limit.total_bytes.saturating_sub(reserved.total_bytes),
        };
        if relayed && state.is_full(&room, bytes) {
            state.counters.refused_full += 1;
            return Err(Error::ImmediatelyDropped);
        }
        Ok(())
    }

    /// The ready transactions in an order valid for block inclusion: each
    /// after those it depends on, highest priority first among those whose
    /// requirements are met, ties in arrival order. Take from the front until
    /// the block is full.
    pub fn ready(&self) -> Vec<ReadyTransaction> {
        self.state.lock().ready_in_order()
    }

    /// One ready transaction, if `hash` is in the ready queue.
    pub fn ready_transaction(&self, hash: &Hash) -> Option<ReadyTransaction> {
        let state = self.state.lock();
        let tx = state.txs.get(hash).filter(|tx| tx.ready)?;
        Some(ReadyTransaction { hash: *hash, data: tx.data.clone(), priority: tx.priority, propagate: tx.propagate })
    }

    /// Reports transactions the runtime refused when applying them: they are
    /// removed with status `Invalid` and banned; what depended on them moves
    /// back to the future queue.
    pub fn report_invalid(&self, hashes: &[Hash]) {
        let now = Instant::now();
        let mut state = self.state.lock();
        for hash in hashes {
            state.ban(*hash, now, self.options.ban_time);
            if state.remove(hash, TransactionStatus::Invalid).is_some() {
                state.counters.invalid += 1;
            }
        }
    }

    /// Removes transactions (status `Dropped`); what depended on them moves
    /// back to the future queue. Unknown hashes are ignored.
    pub fn remove(&self, hashes: &[Hash]) {
        let mut state = self.state.lock();
        for hash in hashes {
            state.remove(hash, TransactionStatus::Dropped);
        }
    }

    /// Whether the pool is at its capacity (a relayed transaction would be refused unseen).
    pub fn is_full(&self) -> bool {
        self.state.lock().is_full(&self.options.ready_limit, 0)
    }

    /// Whether `hash` is in the pool (ready or future).
    pub fn contains(&self, hash: &Hash) -> bool {
        self.state.lock().txs.contains_key(hash)
    }

    /// Every transaction in the pool: the ready ones in inclusion order, then
    /// the future ones in arrival order.
    pub fn pending(&self) -> Vec<Vec<u8>> {
        let state = self.state.lock();
        let mut out: Vec<Vec<u8>> = state.ready_in_order().into_iter().map(|tx| tx.data.as_ref().clone()).collect();
        let mut future: Vec<_> = state.txs.values().filter(|tx| !tx.ready).collect();
        future.sort_by_key(|tx| tx.insertion);
        out.extend(future.into_iter().map(|tx| tx.data.as_ref().clone()));
        out
    }

    /// What left the pool other than by inclusion, and what it refused for being full.
    pub fn counters(&self) -> PoolCounters {
        self.state.lock().counters
    }

    /// Sizes of the queues.
    pub fn status(&self) -> PoolStatus {
        let state = self.state.lock();
        PoolStatus {
            ready: state.ready_usage.count,
            ready_bytes: state.ready_usage.bytes,
            future: state.future_usage.count,
            future_bytes: state.future_usage.bytes,
        }
    }

    /// A stream of hashes of transactions that became ready through a
    /// submission (the submitted one and the futures it promoted), for the
    /// network to gossip. Holds up to `buffer` hashes; a subscriber that
    /// falls further behind misses notifications.
    pub fn import_notification_stream(&self, buffer: usize) -> mpsc::Receiver<Hash> {
        let (sender, receiver) = mpsc::channel(buffer);
        self.state.lock().add_import_sink(sender);
        receiver
    }

    /// Tells watchers of `hash` that it was sent to `peers`.
    pub fn on_broadcasted(&self, hash: &Hash, peers: Vec<String>) {
        self.state.lock().notify(hash, TransactionStatus::Broadcast(peers));
    }

    /// Call after importing the new best block `block`, with the
    /// [`tx_hash`]es of its extrinsics. Included transactions leave with
    /// `InBlock(block)`; up to [`Options::revalidation_batch`] of the rest are
    /// revalidated at `block` (invalid ones leave with `Invalid` and are
    /// banned, the others take the runtime's new priority and tags, which
    /// promotes futures whose nonce came up); transactions whose longevity
    /// ran out leave with `Invalid`. Blocks the calling thread on the runtime.
    pub fn on_block_imported(&self, block: Hash, included: &[Hash]) {
        let batch: Vec<(Hash, TransactionSource, Arc<Vec<u8>>)> = {
            let mut state = self.state.lock();
            state.block_imported(block, included);
            let mut candidates: Vec<&Tx> = state.txs.values().collect();
            candidates.sort_by_key(|tx| (tx.validated_at, tx.insertion));
            candidates
                .into_iter()
                .take(self.options.revalidation_batch)
                .map(|tx| (tx.hash, tx.source, tx.data.clone()))
                .collect()
        };

        let validities = {
            let xts: Vec<(TransactionSource, &[u8])> =
                batch.iter().map(|(_, source, data)| (*source, data.as_slice())).collect();
            self.api.validate_many(block, &xts)
        };
        // A short answer (a `ChainApi` breaking its contract) leaves the rest as they were.
        let results: Vec<(Hash, Result<TransactionValidity, String>)> =
            batch.iter().map(|(hash, ..)| *hash).zip(validities).collect();

        let now = Instant::now();
        let mut state = self.state.lock();
        let block_count = state.block_count;
        // Removals below leave readiness for the rebuild to settle, so each
        // watcher hears about its final queue once, not every step on the way.
        let before = state.readiness();
        let mut updates = Vec::new();
        for (hash, result) in results {
            match result {
                Ok(Ok(valid)) => match check_tags(&valid) {
                    Ok(tags) => updates.push((hash, valid, tags)),
                    Err(_) => {
                        if state.remove_before_rebuild(&hash, TransactionStatus::Invalid) {
                            state.counters.invalid += 1;
                        }
                    }
                },
                Ok(Err(TransactionValidityError::Invalid(_))) => {
                    state.ban(hash, now, self.options.ban_time);
                    if state.remove_before_rebuild(&hash, TransactionStatus::Invalid) {
                        state.counters.invalid += 1;
                    }
                }
                // The runtime cannot tell yet: keep the transaction as it was,
                // but move it to the back of the revalidation rotation.
                Ok(Err(TransactionValidityError::Unknown(_))) => {
                    if let Some(tx) = state.txs.get_mut(&hash) {
                        tx.validated_at = block_count;
                    }
                }
                Err(err) => {
                    tracing::warn!(target: "txpool", %hash, %err, "revalidation failed; keeping the transaction");
                }
            }
        }

        let expired: Vec<Hash> =
            state.txs.values().filter(|tx| block_count > tx.valid_till).map(|tx| tx.hash).collect();
        for hash in expired {
            if state.remove_before_rebuild(&hash, TransactionStatus::Invalid) {
                state.counters.expired += 1;
            }
        }
        let lifetime = self.options.future_lifetime;
        let stale: Vec<Hash> = state
            .txs
            .values()
            .filter(|tx| !tx.ready && block_count.saturating_sub(tx.future_since) > lifetime)
            .map(|tx| tx.hash)
            .collect();
        if !stale.is_empty() {
            tracing::debug!(target: "txpool", "Dropping {} transactions that waited more than {lifetime} blocks for a nonce gap", stale.len());
        }
        for hash in stale {
            if state.remove_before_rebuild(&hash, TransactionStatus::Dropped) {
                state.counters.expired += 1;
            }
        }

        for (hash, valid, Tags { requires, provides }) in updates {
            // Removed meanwhile (expired, reported, replaced): nothing to update.
            let Some(tx) = state.txs.get_mut(&hash) else {
                continue;
            };
            tx.priority = valid.priority;
            tx.requires = requires;
            tx.provides = provides;
            tx.propagate = valid.propagate;
            tx.validated_at = block_count;
            tx.valid_till = block_count.saturating_add(valid.longevity);
        }
        state.rebuild(before);
        let evicted = state.enforce_limits(&self.options.ready_limit, &self.options.future_limit);
        state.counters.evicted += evicted.len() as u64;
    }

    /// Call when `block` is finalized, with the [`tx_hash`]es of its
    /// extrinsics; call it for every finalized block, oldest first. Watchers
    /// of those transactions receive `Finalized(block)` and end.
    pub fn on_block_finalized(&self, block: Hash, included: &[Hash]) {
        self.state.lock().finalized(block, included);
    }
}

/// A transaction's tags, sorted and deduplicated.
struct Tags {
    requires: Vec<TransactionTag>,
    provides: Vec<TransactionTag>,
}

/// Normalises the runtime's tags, rejecting transactions the pool cannot hold.
fn check_tags(valid: &ValidTransaction) -> Result<Tags, Error> {
    let mut requires = valid.requires.clone();
    requires.sort();
    requires.dedup();
    let mut provides = valid.provides.clone();
    provides.sort();
    provides.dedup();
    if provides.is_empty() {
        return Err(Error::NoTagsProvided);
    }
    if requires.iter().any(|tag| provides.binary_search(tag).is_ok()) {
        return Err(Error::CycleDetected);
    }
    Ok(Tags { requires, provides })
}
