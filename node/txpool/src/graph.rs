//! The pool's state: transactions, their tag graph, and their watchers.
//!
//! Invariants kept by every method:
//! - each tag has at most one provider among the pooled transactions;
//! - a transaction is ready exactly when every tag it requires is provided by
//!   a ready transaction or by a recently imported block (a fixpoint, so a
//!   dependency cycle never becomes ready);
//! - the ready/future counters, and each sender's, equal the sums over `txs`.

use crate::{
    pool::{Limit, PoolCounters, ReadyTransaction},
    status::StatusSender,
    Error, Hash, TransactionStatus,
};
use sp_runtime::transaction_validity::{TransactionPriority, TransactionSource, TransactionTag};
use std::{
    cmp::Reverse,
    collections::{BinaryHeap, HashMap, HashSet, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

/// How many imported blocks' provided tags still count as satisfied, so that
/// a transaction whose predecessor was just included stays ready until
/// revalidation tells the pool its new requirements (Substrate keeps 2).
const RECENT_BLOCKS_TAGS: usize = 2;
/// Blocks whose included transactions are watched until finality; beyond
/// this the oldest get `FinalityTimeout` (Substrate's value).
const MAX_FINALITY_WATCHED_BLOCKS: usize = 512;
/// Arrival numbers of new transactions start here; those of retracted blocks put back count
/// down from it.
const FIRST_ARRIVAL: u64 = 1 << 62;
/// Upper bound on the ban list; invalid submissions from a spammer must not
/// grow memory without limit.
const MAX_BANNED: usize = 65_536;

/// A validated transaction in the pool.
#[derive(Debug, Clone)]
pub(crate) struct Tx {
    pub hash: Hash,
    pub data: Arc<Vec<u8>>,
    pub source: TransactionSource,
    pub priority: TransactionPriority,
    /// Sorted and deduplicated, so counting unmet tags is exact.
    pub requires: Vec<TransactionTag>,
    /// Sorted and deduplicated.
    pub provides: Vec<TransactionTag>,
    pub propagate: bool,
    /// Pool block counter at the last validation.
    pub validated_at: u64,
    /// Dropped once the block counter passes this.
    pub valid_till: u64,
    /// Arrival order, the tie-breaker between equal priorities.
    pub insertion: u64,
    pub ready: bool,
    /// Pool block counter when it last entered the future queue (meaningless while ready).
    pub future_since: u64,
    /// Who signed it, when the pool bounds its sender ([`crate::ChainApi::sender`]).
    pub sender: Option<Arc<[u8]>>,
    /// Whether this pool took it as new work (from its own submitters, not relayed by a peer
    /// nor put back from a retracted block): what the new-work share counts.
    pub new_work: bool,
}

impl Tx {
    /// Where a full pool gives it up, least first: future before ready, then lower priority,
    /// then newer.
    fn eviction_rank(&self) -> (bool, TransactionPriority, Reverse<u64>) {
        (self.ready, self.priority, Reverse(self.insertion))
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Usage {
    pub count: usize,
    pub bytes: usize,
}

impl Usage {
    fn add(&mut self, bytes: usize) {
        self.count += 1;
        self.bytes += bytes;
    }
    fn sub(&mut self, bytes: usize) {
        self.count = self.count.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(bytes);
    }
    fn exceeds(&self, limit: &Limit) -> bool {
        self.count > limit.count || self.bytes > limit.total_bytes
    }
}

/// What one sender has in the pool.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SenderUsage {
    pub total: usize,
    pub future: usize,
}

#[derive(Default)]
pub(crate) struct State {
    pub txs: HashMap<Hash, Tx>,
    provider: HashMap<TransactionTag, Hash>,
    dependants: HashMap<TransactionTag, HashSet<Hash>>,
    recent_block_tags: VecDeque<HashSet<TransactionTag>>,
    pub ready_usage: Usage,
    pub future_usage: Usage,
    /// The transactions this pool took as new work ([`Tx::new_work`]), ready or future.
    new_work_usage: Usage,
    /// Per sender, for the senders the pool bounds; no entry once a sender holds nothing.
    senders: HashMap<Arc<[u8]>, SenderUsage>,
    /// Arrivals so far, and transactions of retracted blocks put back so far.
    next_arrival: u64,
    next_returned: u64,
    /// Blocks imported since the pool started; the clock for longevity.
    pub block_count: u64,
    banned: HashMap<Hash, Instant>,
    watchers: HashMap<Hash, Vec<StatusSender>>,
    /// Included transactions awaiting finality: tx hash → (block, watchers).
    finality: HashMap<Hash, (Hash, Vec<StatusSender>)>,
    finality_order: VecDeque<(Hash, Vec<Hash>)>,
    /// Subscribers to newly ready transactions (for gossip).
    import_sinks: Vec<futures::channel::mpsc::Sender<Hash>>,
    pub counters: PoolCounters,
    /// The least (readiness, priority) in the pool, once computed; `None` after any change
    /// to the set of transactions or their readiness (priorities change only in `rebuild`).
    least_rank: Option<Option<(bool, TransactionPriority)>>,
}

impl State {
    /// The next arrival number. A transaction put `back` (one of a block that left the best
    /// chain, accepted by the network before anything now waiting) is numbered before every
    /// arrival, so it keeps its turn and is the last to be evicted among equals.
    pub fn next_insertion(&mut self, back: bool) -> u64 {
        if back {
            self.next_returned += 1;
            FIRST_ARRIVAL.saturating_sub(self.next_returned)
        } else {
            self.next_arrival += 1;
            FIRST_ARRIVAL + self.next_arrival
        }
    }

    /// Whether one more transaction of `bytes` would take the pool past `capacity`.
    pub fn is_full(&self, capacity: &Limit, bytes: usize) -> bool {
        let total = self.total_usage();
        total.count >= capacity.count || total.bytes.saturating_add(bytes) > capacity.total_bytes
    }

    /// Whether the pool holds at least `share` of `capacity` (count or bytes).
    pub fn holds_share(&self, capacity: &Limit, share: (usize, usize)) -> bool {
        Self::is_share(self.total_usage(), capacity, share)
    }

    /// Whether the new work the pool holds ([`Tx::new_work`]) is at least `share` of
    /// `capacity` (count or bytes).
    pub fn holds_new_work_share(&self, capacity: &Limit, share: (usize, usize)) -> bool {
        Self::is_share(self.new_work_usage, capacity, share)
    }

    fn is_share(held: Usage, capacity: &Limit, (num, den): (usize, usize)) -> bool {
        held.count * den >= capacity.count.saturating_mul(num)
            || held.bytes * den >= capacity.total_bytes.saturating_mul(num)
    }

    /// Whether a transaction requiring `requires`, of `priority`, ranks above the pool's
    /// least transaction (ready above future, then by priority); true for an empty pool.
    /// The least rank is kept until the pool changes: under overload, refusal after refusal
    /// asks for it while nothing changes, and each scan would cost a pass over the pool.
    pub fn outranks_least(&mut self, requires: &[TransactionTag], priority: TransactionPriority) -> bool {
        let ready = self.would_be_ready(requires);
        let least = match self.least_rank {
            Some(least) => least,
            None => {
                let least = self.txs.values().map(|tx| (tx.ready, tx.priority)).min();
                self.least_rank = Some(least);
                least
            }
        };
        least.is_none_or(|least| (ready, priority) > least)
    }

    /// What `sender` has in the pool.
    pub fn sender_usage(&self, sender: &Arc<[u8]>) -> SenderUsage {
        self.senders.get(sender).copied().unwrap_or_default()
    }

    /// Whether a transaction providing `provides` would replace one of `sender`'s own.
    pub fn replaces_own(&self, sender: &Arc<[u8]>, provides: &[TransactionTag]) -> bool {
        provides.iter().any(|tag| {
            self.provider
                .get(tag)
                .and_then(|h| self.txs.get(h))
                .is_some_and(|held| held.sender.as_ref() == Some(sender))
        })
    }

    /// Whether a transaction requiring `requires` would be ready now.
    pub fn would_be_ready(&self, requires: &[TransactionTag]) -> bool {
        requires.iter().all(|tag| self.is_satisfied(tag))
    }

    fn total_usage(&self) -> Usage {
        Usage {
            count: self.ready_usage.count + self.future_usage.count,
            bytes: self.ready_usage.bytes + self.future_usage.bytes,
        }
    }

    // ---- bans -------------------------------------------------------------

    pub fn is_banned(&mut self, hash: &Hash, now: Instant) -> bool {
        match self.banned.get(hash) {
            Some(until) if *until > now => true,
            Some(_) => {
                self.banned.remove(hash);
                false
            }
            None => false,
        }
    }

    pub fn ban(&mut self, hash: Hash, now: Instant, ban_time: Duration) {
        if self.banned.len() >= MAX_BANNED {
            self.banned.retain(|_, until| *until > now);
        }
        if self.banned.len() >= MAX_BANNED {
            let oldest = self.banned.iter().min_by_key(|(_, until)| **until).map(|(h, _)| *h);
            if let Some(oldest) = oldest {
                self.banned.remove(&oldest);
            }
        }
        self.banned.insert(hash, now + ban_time);
    }

    // ---- watchers -----------------------------------------------------------

    pub fn watch(&mut self, hash: Hash, sender: StatusSender) {
        self.watchers.entry(hash).or_default().push(sender);
    }

    pub fn unwatch(&mut self, hash: &Hash) {
        self.watchers.remove(hash);
    }

    pub fn notify(&mut self, hash: &Hash, status: TransactionStatus) {
        let Some(senders) = self.watchers.get_mut(hash) else {
            return;
        };
        // A closed receiver just means the subscriber left.
        senders.retain(|sender| sender.unbounded_send(status.clone()).is_ok());
        if senders.is_empty() || status.is_final() {
            self.watchers.remove(hash);
        }
    }

    /// Marks `hash` as included in `block`: sends `InBlock` and keeps its
    /// watchers until the block is finalized or too many blocks wait.
    fn note_in_block(&mut self, hash: Hash, block: Hash) -> bool {
        self.notify(&hash, TransactionStatus::InBlock(block));
        match self.watchers.remove(&hash) {
            Some(senders) => {
                self.finality.insert(hash, (block, senders));
                true
            }
            None => false,
        }
    }

    pub fn finalized(&mut self, block: Hash, included: &[Hash]) {
        for hash in included {
            if let Some((_, senders)) = self.finality.remove(hash) {
                for sender in senders {
                    let _ = sender.unbounded_send(TransactionStatus::Finalized(block));
                }
            }
        }
        self.finality_order.retain(|(b, _)| *b != block);
    }

    pub fn add_import_sink(&mut self, sink: futures::channel::mpsc::Sender<Hash>) {
        self.import_sinks.push(sink);
    }

    /// Tells import subscribers that `hashes` became ready. A subscriber that
    /// lags misses notifications rather than growing memory.
    fn notify_imported(&mut self, hashes: &[Hash]) {
        if self.import_sinks.is_empty() {
            return;
        }
        self.import_sinks.retain_mut(|sink| {
            for hash in hashes {
                match sink.try_send(*hash) {
                    Ok(()) => {}
                    Err(err) if err.is_disconnected() => return false,
                    Err(_) => {
                        tracing::debug!(target: "txpool", %hash, "import subscriber is full; notification skipped");
                    }
                }
            }
            true
        });
    }

    // ---- the tag graph ------------------------------------------------------

    fn is_satisfied(&self, tag: &TransactionTag) -> bool {
        self.provider.get(tag).and_then(|h| self.txs.get(h)).is_some_and(|tx| tx.ready)
            || self.recent_block_tags.iter().any(|tags| tags.contains(tag))
    }

    /// Adds `tx` to the indexes as a future transaction. One that was ready (being rebuilt)
    /// starts its time in the future queue now; one that was future keeps its start.
    fn index(&mut self, mut tx: Tx) {
        self.least_rank = None;
        if tx.ready {
            tx.future_since = self.block_count;
        }
        tx.ready = false;
        if let Some(sender) = &tx.sender {
            let usage = self.senders.entry(sender.clone()).or_default();
            usage.total += 1;
            usage.future += 1;
        }
        for tag in &tx.provides {
            self.provider.insert(tag.clone(), tx.hash);
        }
        for tag in &tx.requires {
            self.dependants.entry(tag.clone()).or_default().insert(tx.hash);
        }
        self.future_usage.add(tx.data.len());
        if tx.new_work {
            self.new_work_usage.add(tx.data.len());
        }
        self.txs.insert(tx.hash, tx);
    }

    /// Removes `hash` from the indexes without touching its dependants.
    fn unindex(&mut self, hash: &Hash) -> Option<Tx> {
        self.least_rank = None;
        let tx = self.txs.remove(hash)?;
        for tag in &tx.provides {
            if self.provider.get(tag) == Some(hash) {
                self.provider.remove(tag);
            }
        }
        for tag in &tx.requires {
            if let Some(set) = self.dependants.get_mut(tag) {
                set.remove(hash);
                if set.is_empty() {
                    self.dependants.remove(tag);
                }
            }
        }
        if tx.ready {
            self.ready_usage.sub(tx.data.len());
        } else {
            self.future_usage.sub(tx.data.len());
        }
        if tx.new_work {
            self.new_work_usage.sub(tx.data.len());
        }
        if let Some(sender) = &tx.sender {
            if let Some(usage) = self.senders.get_mut(sender) {
                usage.total = usage.total.saturating_sub(1);
                if !tx.ready {
                    usage.future = usage.future.saturating_sub(1);
                }
                if usage.total == 0 {
                    self.senders.remove(sender);
                }
            }
        }
        Some(tx)
    }

    fn set_ready(&mut self, hash: &Hash, ready: bool) {
        self.least_rank = None;
        let Some(tx) = self.txs.get_mut(hash) else {
            return;
        };
        if tx.ready == ready {
            return;
        }
        tx.ready = ready;
        if !ready {
            tx.future_since = self.block_count;
        }
        let bytes = tx.data.len();
        if let Some(usage) = tx.sender.as_ref().and_then(|sender| self.senders.get_mut(sender)) {
            if ready {
                usage.future = usage.future.saturating_sub(1);
            } else {
                usage.future += 1;
            }
        }
        if ready {
            self.future_usage.sub(bytes);
            self.ready_usage.add(bytes);
        } else {
            self.ready_usage.sub(bytes);
            self.future_usage.add(bytes);
        }
    }

    /// Makes `start` ready if its requirements are met, then everything that
    /// becomes ready because of it. Returns the promoted hashes, `start` first.
    fn promote(&mut self, start: Hash) -> Vec<Hash> {
        let mut promoted = Vec::new();
        let mut queue = VecDeque::from([start]);
        while let Some(hash) = queue.pop_front() {
            let Some(tx) = self.txs.get(&hash) else {
                continue;
            };
            if tx.ready || !tx.requires.iter().all(|tag| self.is_satisfied(tag)) {
                continue;
            }
            let provides = tx.provides.clone();
            self.set_ready(&hash, true);
            promoted.push(hash);
            for tag in &provides {
                if let Some(deps) = self.dependants.get(tag) {
                    queue.extend(deps.iter().copied());
                }
            }
        }
        promoted
    }

    /// After tags stopped being provided, moves the ready transactions that
    /// needed them (transitively) back to future. Returns the demoted hashes.
    fn demote(&mut self, tags: Vec<TransactionTag>) -> Vec<Hash> {
        let mut demoted = Vec::new();
        let mut stack = tags;
        while let Some(tag) = stack.pop() {
            if self.is_satisfied(&tag) {
                continue;
            }
            let deps: Vec<Hash> = match self.dependants.get(&tag) {
                Some(deps) => deps.iter().copied().collect(),
                None => continue,
            };
            for dep in deps {
                let Some(tx) = self.txs.get(&dep) else {
                    continue;
                };
                if !tx.ready {
                    continue;
                }
                stack.extend(tx.provides.iter().cloned());
                self.set_ready(&dep, false);
                demoted.push(dep);
            }
        }
        demoted
    }

    /// Removes `hash`, tells its watchers `status` and demotes what depended on it.
    pub fn remove(&mut self, hash: &Hash, status: TransactionStatus) -> Option<Tx> {
        let tx = self.unindex(hash)?;
        if tx.ready {
            for dep in self.demote(tx.provides.clone()) {
                self.notify(&dep, TransactionStatus::Future);
            }
        }
        self.notify(hash, status);
        Some(tx)
    }

    /// Removes `hash` and tells its watchers `status`, leaving dependants'
    /// readiness stale: only for use right before [`State::rebuild`], which
    /// recomputes it and reports each change once.
    /// Returns whether it was there.
    pub fn remove_before_rebuild(&mut self, hash: &Hash, status: TransactionStatus) -> bool {
        let removed = self.unindex(hash).is_some();
        if removed {
            self.notify(hash, status);
        }
        removed
    }

    /// Which transactions are ready now; pass to [`State::rebuild`].
    pub fn readiness(&self) -> HashMap<Hash, bool> {
        self.txs.iter().map(|(h, tx)| (*h, tx.ready)).collect()
    }

    /// Adds a validated transaction, replacing lower-priority holders of its
    /// tags, and promotes what it unblocks.
    pub fn insert(&mut self, tx: Tx) -> Result<(), Error> {
        let mut usurped = Vec::new();
        for tag in &tx.provides {
            let Some(holder) = self.provider.get(tag).and_then(|h| self.txs.get(h)) else {
                continue;
            };
            if tx.priority <= holder.priority {
                return Err(Error::TooLowPriority { old: holder.priority, new: tx.priority });
            }
            usurped.push(holder.hash);
        }
        usurped.sort();
        usurped.dedup();
        let hash = tx.hash;
        for old in usurped {
            self.remove(&old, TransactionStatus::Usurped(hash));
        }
        self.index(tx);
        let promoted = self.promote(hash);
        if promoted.first() != Some(&hash) {
            self.notify(&hash, TransactionStatus::Future);
        }
        for promoted in &promoted {
            self.notify(promoted, TransactionStatus::Ready);
        }
        self.notify_imported(&promoted);
        Ok(())
    }

    /// Evicts the pool's least transaction other than `keep` (futures first, then the lowest
    /// priority, then the newest). Returns its hash.
    pub fn evict_least(&mut self, keep: &Hash) -> Option<Hash> {
        let least =
            self.txs.values().filter(|tx| tx.hash != *keep).min_by_key(|tx| tx.eviction_rank()).map(|tx| tx.hash)?;
        self.remove(&least, TransactionStatus::Dropped);
        Some(least)
    }

    /// Evicts transactions until the whole pool (ready and future) is within `capacity` and
    /// the future queue within `future`. Future transactions go first (nothing can include
    /// them now), then the lowest priority, then the newest. Bounding ready and future
    /// together means a future transaction promoted when its predecessor lands never pushes
    /// an accepted ready one out. Returns the evicted hashes.
    pub fn enforce_limits(&mut self, capacity: &Limit, future: &Limit) -> Vec<Hash> {
        let mut dropped = Vec::new();
        loop {
            let future_over = self.future_usage.exceeds(future);
            if !future_over && !self.total_usage().exceeds(capacity) {
                break;
            }
            let worst = self
                .txs
                .values()
                .filter(|tx| !(future_over && tx.ready))
                .min_by_key(|tx| tx.eviction_rank())
                .map(|tx| tx.hash);
            let Some(worst) = worst else { break };
            self.remove(&worst, TransactionStatus::Dropped);
            dropped.push(worst);
        }
        dropped
    }

    /// Records a newly imported block: its included transactions' tags stay
    /// satisfied for a while and the transactions leave with `InBlock`.
    pub fn block_imported(&mut self, block: Hash, included: &[Hash]) {
        self.block_count += 1;
        let tags: HashSet<TransactionTag> =
            included.iter().filter_map(|h| self.txs.get(h)).flat_map(|tx| tx.provides.iter().cloned()).collect();
        self.recent_block_tags.push_back(tags);
        while self.recent_block_tags.len() > RECENT_BLOCKS_TAGS {
            self.recent_block_tags.pop_front();
        }

        let mut watched = Vec::new();
        for hash in included {
            if let Some(tx) = self.unindex(hash) {
                // The tags it provided are now provided by the chain, so
                // dependants normally stay ready; demote any that do not.
                if tx.ready {
                    for dep in self.demote(tx.provides.clone()) {
                        self.notify(&dep, TransactionStatus::Future);
                    }
                }
                if self.note_in_block(*hash, block) {
                    watched.push(*hash);
                }
            }
        }
        if !watched.is_empty() {
            self.finality_order.push_back((block, watched));
        }
        while self.finality_order.len() > MAX_FINALITY_WATCHED_BLOCKS {
            let Some((old_block, hashes)) = self.finality_order.pop_front() else {
                break;
            };
            for hash in hashes {
                if self.finality.get(&hash).is_some_and(|(b, _)| *b == old_block) {
                    if let Some((_, senders)) = self.finality.remove(&hash) {
                        for sender in senders {
                            let _ = sender.unbounded_send(TransactionStatus::FinalityTimeout(old_block));
                        }
                    }
                }
            }
        }
    }

    /// Rebuilds the indexes and readiness from the transactions' (possibly
    /// revalidated) tags, then tells watchers whose queue changed since
    /// `before` (from [`State::readiness`]). Conflicts over a tag are won by
    /// the higher priority, then the older transaction.
    pub fn rebuild(&mut self, before: HashMap<Hash, bool>) {
        self.least_rank = None;
        let mut all: Vec<Tx> = self.txs.drain().map(|(_, tx)| tx).collect();
        all.sort_by_key(|tx| tx.insertion);
        self.provider.clear();
        self.dependants.clear();
        self.ready_usage = Usage::default();
        self.future_usage = Usage::default();
        self.new_work_usage = Usage::default();
        self.senders.clear();

        for tx in all {
            let holders: Vec<(Hash, TransactionPriority)> = {
                let mut holders: Vec<_> = tx
                    .provides
                    .iter()
                    .filter_map(|tag| self.provider.get(tag))
                    .filter_map(|h| self.txs.get(h))
                    .map(|held| (held.hash, held.priority))
                    .collect();
                holders.sort();
                holders.dedup();
                holders
            };
            if let Some((winner, _)) = holders.iter().filter(|(_, p)| *p >= tx.priority).max_by_key(|(_, p)| *p) {
                self.notify(&tx.hash, TransactionStatus::Usurped(*winner));
                continue;
            }
            // Nothing is ready during the rebuild, so unindexing needs no demotion.
            for (loser, _) in holders {
                self.unindex(&loser);
                self.notify(&loser, TransactionStatus::Usurped(tx.hash));
            }
            self.index(tx);
        }

        let mut order: Vec<(u64, Hash)> = self.txs.values().map(|tx| (tx.insertion, tx.hash)).collect();
        order.sort();
        for (_, hash) in order {
            self.promote(hash);
        }

        let changed: Vec<(Hash, bool)> = self
            .txs
            .values()
            .filter(|tx| before.get(&tx.hash) != Some(&tx.ready))
            .map(|tx| (tx.hash, tx.ready))
            .collect();
        for (hash, ready) in changed {
            let status = if ready { TransactionStatus::Ready } else { TransactionStatus::Future };
            self.notify(&hash, status);
        }
    }

    /// Ready transactions in an order valid for a block: a transaction comes
    /// after those providing what it requires; among those whose requirements
    /// are met, highest priority first, then oldest first.
    pub fn ready_in_order(&self) -> Vec<ReadyTransaction> {
        let mut unmet: HashMap<Hash, usize> = HashMap::new();
        let mut heap = BinaryHeap::new();
        for tx in self.txs.values().filter(|tx| tx.ready) {
            let waiting = tx
                .requires
                .iter()
                .filter(|tag| self.provider.get(*tag).and_then(|h| self.txs.get(h)).is_some_and(|p| p.ready))
                .count();
            if waiting == 0 {
                heap.push((tx.priority, Reverse(tx.insertion), tx.hash));
            } else {
                unmet.insert(tx.hash, waiting);
            }
        }
        let mut out = Vec::with_capacity(self.ready_usage.count);
        while let Some((_, _, hash)) = heap.pop() {
            let Some(tx) = self.txs.get(&hash) else {
                continue;
            };
            out.push(ReadyTransaction { hash, data: tx.data.clone(), priority: tx.priority, propagate: tx.propagate });
            for tag in &tx.provides {
                let Some(deps) = self.dependants.get(tag) else {
                    continue;
                };
                for dep in deps {
                    let Some(count) = unmet.get_mut(dep) else {
                        continue;
                    };
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        unmet.remove(dep);
                        if let Some(dep_tx) = self.txs.get(dep) {
                            heap.push((dep_tx.priority, Reverse(dep_tx.insertion), *dep));
                        }
                    }
                }
            }
        }
        out
    }
}
