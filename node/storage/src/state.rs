//! State trie nodes: reading them for a `TrieBackend`, turning a block's `BackendTransaction`
//! into ref-count operations, and the per-block journal that pruning replays.
//!
//! # Reference counting
//!
//! The state column is a parity-db `ref_counted` column keyed by the node's blake2-256 hash.
//! parity-db counts as follows (read from its `column.rs`): `Set` of a missing key stores the
//! value with count 1, `Set` of a present key only increments the count (the value is a
//! preimage, so it cannot differ), `Reference` increments a present key and is skipped for a
//! missing one, `Dereference` decrements and deletes at zero. Operations in one commit are
//! planned in order and see each other.
//!
//! A block's transaction is a diff against its parent's trie: nodes with a positive count were
//! added, nodes with a negative count dropped. Committing a block applies only the additions;
//! the drops are written to the block's journal. Every trie ever committed therefore stays
//! readable (archive) until pruning applies the journals:
//!
//! - for a finalized canonical block `k`, its drops (which kills block `k - 1`'s trie while
//!   leaving `k`'s and later tries whole, since those only ever added to the counts);
//! - for a block that lost to finality (not canonical at a finalized height), its additions
//!   (undoing it entirely; it never applied its drops).

use crate::writer::ReopenableDb;
use crate::{
    error::StorageError,
    schema::{col, journal_key},
};
use codec::{Decode, Encode};
use ludus_primitives::{BlockNumber, Hash, Hashing};
use parity_db::Operation;
use sp_state_machine::{BackendTransaction, TrieBackend, TrieBackendStorage};
use sp_trie::DBValue;
use std::{collections::HashMap, sync::Arc};

/// The state of one block: a trie backend reading nodes from the database.
pub type StateBackend = TrieBackend<StateStore, Hashing>;

/// Trie-node storage over the state column, for [`sp_state_machine::TrieBackend`].
///
/// Cheap to clone (it shares the database handle). It is the storage itself, not an
/// `Arc<StateStore>`, because sp-state-machine implements `TrieBackendStorage` for `&T` and
/// `Arc<dyn Storage>` only, and the orphan rule forbids us adding `Arc<StateStore>`.
#[derive(Clone)]
pub struct StateStore {
    db: Arc<ReopenableDb>,
}

impl StateStore {
    pub(crate) fn new(db: Arc<ReopenableDb>) -> Self {
        StateStore { db }
    }
}

impl TrieBackendStorage<Hashing> for StateStore {
    /// Nodes are keyed by hash alone: identical subtrees at different positions share one entry
    /// (and one reference count), so the prefix is not needed.
    fn get(&self, key: &Hash, _prefix: hash_db::Prefix) -> Result<Option<DBValue>, String> {
        let read = || self.db.current()?.get(col::STATE, key.as_bytes()).map_err(StorageError::from);
        read().map_err(|e| format!("reading state trie node {key:?}: {e}"))
    }
}

/// The trie nodes one block's state change added and dropped, as (hash, count) pairs.
///
/// Stored per block until pruning applies it (see the module docs).
#[derive(Debug, Default, Clone, PartialEq, Eq, Encode, Decode)]
pub(crate) struct StateJournal {
    /// Nodes whose count the commit incremented, and by how much.
    pub inserted: Vec<(Hash, u32)>,
    /// Nodes of the parent's trie this block's trie no longer holds, and how many times.
    pub removed: Vec<(Hash, u32)>,
}

/// A block's state change, ready to write.
pub(crate) struct StateChange {
    /// New nodes with their encoding and how many references the block adds.
    pub inserted: Vec<(Hash, DBValue, u32)>,
    /// Journal of this change, to be stored under the block.
    pub journal: StateJournal,
}

impl StateChange {
    /// Nets a `BackendTransaction` per node hash.
    ///
    /// Transaction keys are `prefix ++ hash` (a `PrefixedMemoryDB`) or the bare hash (a
    /// `MemoryDB` keyed by hash); either way the hash is the last 32 bytes. The same node may
    /// appear under several prefixes, added at one position and dropped at another: only the
    /// net count per hash matters in a hash-keyed store.
    pub(crate) fn from_transaction(mut transaction: BackendTransaction<Hashing>) -> Result<Self, StorageError> {
        let mut net: HashMap<Hash, (Option<DBValue>, i64)> = HashMap::new();
        for (key, (value, rc)) in transaction.drain() {
            if rc == 0 {
                continue;
            }
            let Some(hash_start) = key.len().checked_sub(Hash::len_bytes()) else {
                return Err(StorageError::MalformedTransaction(format!(
                    "key {} is shorter than a hash",
                    hex_short(&key)
                )));
            };
            let hash = Hash::from_slice(&key[hash_start..]);
            let entry = net.entry(hash).or_insert((None, 0));
            if rc > 0 {
                entry.0 = Some(value);
            }
            entry.1 += i64::from(rc);
        }

        let mut change = StateChange { inserted: Vec::new(), journal: StateJournal::default() };
        for (hash, (value, rc)) in net {
            let count = u32::try_from(rc.unsigned_abs())
                .map_err(|_| StorageError::MalformedTransaction(format!("node {hash:?} has count {rc}")))?;
            if rc > 0 {
                let value = value.ok_or_else(|| {
                    StorageError::MalformedTransaction(format!("node {hash:?} is added without its encoding"))
                })?;
                change.journal.inserted.push((hash, count));
                change.inserted.push((hash, value, count));
            } else if rc < 0 {
                change.journal.removed.push((hash, count));
            }
        }
        // Sorted journals make the stored bytes deterministic, which eases debugging.
        change.journal.inserted.sort_unstable();
        change.journal.removed.sort_unstable();
        Ok(change)
    }

    /// The database operations that store this change for block `(number, hash)`.
    pub(crate) fn into_ops(
        self,
        number: BlockNumber,
        hash: &Hash,
    ) -> impl Iterator<Item = (u8, Operation<Vec<u8>, Vec<u8>>)> {
        let journal = (col::STATE_JOURNAL, Operation::Set(journal_key(number, hash), self.journal.encode()));
        self.inserted
            .into_iter()
            .flat_map(|(node, value, count)| {
                // `Set` stores the node or counts one more reference to it; `Reference` adds the
                // rest without copying the value again.
                std::iter::once((col::STATE, Operation::Set(node.as_bytes().to_vec(), value)))
                    .chain((1..count).map(move |_| (col::STATE, Operation::Reference(node.as_bytes().to_vec()))))
            })
            .chain(std::iter::once(journal))
    }
}

/// `count` dereferences of each node: what pruning writes.
pub(crate) fn dereference_ops(nodes: &[(Hash, u32)]) -> impl Iterator<Item = (u8, Operation<Vec<u8>, Vec<u8>>)> + '_ {
    nodes.iter().flat_map(|(node, count)| {
        (0..*count).map(move |_| (col::STATE, Operation::Dereference(node.as_bytes().to_vec())))
    })
}

/// The first bytes of `bytes` in hex, for error messages about adversarial-sized keys.
fn hex_short(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > 16 {
        format!("0x{shown}…")
    } else {
        format!("0x{shown}")
    }
}
