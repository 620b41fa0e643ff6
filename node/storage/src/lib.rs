//! The node's persistent chain database (DESIGN.md, decision 2).
//!
//! # What it owns
//!
//! One [parity-db](parity_db) database under the node's base path holding:
//!
//! - **state**: Substrate-layout trie nodes keyed by their blake2-256 hash, reference counted
//!   so that every block's trie shares unchanged nodes with its parent's;
//! - **blocks**: headers, bodies and justifications by block hash;
//! - **the canonical chain**: number → hash along the best chain;
//! - **metadata**: genesis hash, best and finalized blocks, state-pruning progress and the
//!   schema version (a database in another format is refused, never misread).
//!
//! It spawns one thread per open database, `ludus-db-enact` (see below), and knows nothing of
//! execution, consensus or the network.
//!
//! # How data flows
//!
//! Block import executes a block over [`Database::state_at`] of its parent's state root, drains
//! the overlay (`OverlayedChanges::drain_storage_changes(..).transaction`) and hands the header,
//! body, justifications and that transaction to [`Database::commit`] as an [`ImportCommit`].
//! Everything a block changes — its state nodes, its header and body, the canonical number →
//! hash entries (including a reorg's rewrite), best and finalized — goes into **one** parity-db
//! commit, so a crash at any moment leaves either the whole block or none of it. Commits are
//! applied in order, and every write returns only once it is in parity-db's write-ahead log
//! (the private `writer` module), so a crash of the process keeps it; a write that finalizes
//! returns only once that log is synced, with every write before it, so finality is never
//! reported, voted on or served that a crash or power loss could take back. (A block not final
//! yet is synced with the next write that is.) The `ludus-db-enact` thread copies logged commits into
//! parity-db's tables afterwards; a crash before it does only means the log is replayed on the
//! next open. While the disk is nearly full (below [`Database::reserve_disk_space`]) writes are
//! refused with [`StorageError::DiskFull`] and go ahead again once there is room; after a write
//! that failed anyway the database refuses writes ([`StorageError::Halted`]) until it has
//! reopened itself, which a write at least a second later does.
//!
//! GRANDPA calls [`Database::finalize`]; RPC and sync read through the getters. Node operators
//! running a pruned node call [`Database::prune_state`] with a height below which states may
//! go; by default (archive) nothing is ever pruned. The private `state` module documents the
//! reference-counting scheme behind pruning.
//!
//! All writes are serialised by one lock; reads go straight to parity-db and never wait on it.
//! States read through a shared trie cache (Substrate's `SharedTrieCache`): trie nodes by hash
//! and values by state root and key, so the nodes and values a pool check, a block import and
//! an RPC call read again are not fetched and decoded again.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod check;
mod error;
mod schema;
mod state;
mod writer;

pub use check::CheckReport;
pub use error::StorageError;
pub use schema::SCHEMA_VERSION;
pub use state::{StateBackend, StateStore};
pub use writer::DEFAULT_RESERVED_DISK_BYTES;

use codec::{Decode, DecodeAll, Encode};
use ludus_primitives::{BlockNumber, Hash, Hashing, Header};
use parity_db::Operation;
use parking_lot::RwLock;
use schema::{col, meta, number_key, parse_journal_key};
use sp_runtime::{Justification, Justifications, OpaqueExtrinsic};
use sp_state_machine::{BackendTransaction, TrieBackendBuilder};
use sp_trie::cache::{CacheSize, SharedTrieCache};
use state::{dereference_ops, StateChange, StateJournal};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
};
use writer::{DbOp, Durability, DurableWriter, ReopenableDb};

/// Everything one imported block writes, committed atomically by [`Database::commit`].
pub struct ImportCommit {
    /// The block's final (sealed) header. Its hash is the block hash.
    pub header: Header,
    /// The block's extrinsics.
    pub body: Vec<OpaqueExtrinsic>,
    /// Justifications that came with the block, if any.
    pub justifications: Option<Justifications>,
    /// The block's state change against its parent's state:
    /// `OverlayedChanges::drain_storage_changes(..).transaction`.
    pub state: BackendTransaction<Hashing>,
    /// Whether fork choice made this block the new best (writes number → hash for it and any
    /// ancestors a reorg brings onto the canonical chain).
    pub new_best: bool,
    /// Whether the block is final on import (e.g. it came with a GRANDPA justification, or a
    /// single-authority dev chain). A finalized block is always made best: nothing else can
    /// descend from it yet.
    pub finalized: bool,
}

/// The chain database. Share it with `Arc`; all methods take `&self`.
pub struct Database {
    db: Arc<ReopenableDb>,
    /// Every write goes through it, and is in the write-ahead log (synced, when it finalizes)
    /// when it returns.
    writer: DurableWriter,
    path: PathBuf,
    /// Trie nodes and values read recently, shared by every state handed out; `None` when
    /// disabled. Nodes are keyed by their hash and values by (state root, key), so entries
    /// never go stale: a block's state never changes.
    trie_cache: Option<SharedTrieCache<Hashing>>,
    /// The metadata column, cached; the write lock is held for a whole write so that the cache
    /// and the disk move together and writers never interleave.
    chain: RwLock<ChainMeta>,
}

/// The cached metadata column.
#[derive(Debug, Clone, Copy, Default)]
struct ChainMeta {
    genesis: Option<Hash>,
    best: Option<(BlockNumber, Hash)>,
    finalized: Option<(BlockNumber, Hash)>,
    pruned_below: BlockNumber,
}

impl ChainMeta {
    /// Reads the metadata column.
    fn load(db: &ReopenableDb) -> Result<ChainMeta, StorageError> {
        let chain = ChainMeta {
            genesis: read_decoded(db, col::META, meta::GENESIS, "meta genesis")?,
            best: read_decoded(db, col::META, meta::BEST, "meta best")?,
            finalized: read_decoded(db, col::META, meta::FINALIZED, "meta finalized")?,
            pruned_below: read_decoded(db, col::META, meta::PRUNED_BELOW, "meta pruned_below")?.unwrap_or(0),
        };
        if chain.genesis.is_some() && (chain.best.is_none() || chain.finalized.is_none()) {
            return Err(StorageError::corrupt("meta best/finalized", "missing beside a genesis hash"));
        }
        Ok(chain)
    }
}

/// What one [`Database::prune_state`] call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneOutcome {
    /// States of canonical blocks below this height are now gone (0: none pruned yet).
    pub pruned_below: BlockNumber,
    /// Canonical blocks whose predecessor's state was released by this call.
    pub canonical_released: usize,
    /// Blocks off the finalized chain whose own state was released by this call.
    pub stale_discarded: usize,
}

/// The shared trie cache's default size: the state a block touches (accounts, pallets'
/// storage) many times over, and little beside parity-db's own memory.
pub const DEFAULT_TRIE_CACHE_BYTES: usize = 64 * 1024 * 1024;

impl Database {
    /// Opens the database at `path`, creating it (and the directory) if missing.
    ///
    /// Refuses a database held open by another process, one written in another format and one
    /// whose metadata does not decode.
    pub fn open(path: impl AsRef<Path>) -> Result<Database, StorageError> {
        Self::open_with_trie_cache(path, DEFAULT_TRIE_CACHE_BYTES)
    }

    /// Like [`Database::open`], with a shared trie cache of `cache_bytes` (0: none).
    pub fn open_with_trie_cache(path: impl AsRef<Path>, cache_bytes: usize) -> Result<Database, StorageError> {
        let path = path.as_ref().to_path_buf();
        let db = ReopenableDb::open(&path).map_err(|e| match e {
            parity_db::Error::Locked(_) => StorageError::Locked { path: path.clone() },
            parity_db::Error::InvalidConfiguration(reason) => {
                StorageError::IncompatibleLayout { path: path.clone(), reason }
            }
            parity_db::Error::IncompatibleColumnConfig { id, reason } => {
                StorageError::IncompatibleLayout { path: path.clone(), reason: format!("column {id}: {reason}") }
            }
            other => other.into(),
        })?;
        let db = Arc::new(db);
        let writer = DurableWriter::start(db.clone(), &path)?;

        let genesis: Option<Hash> = read_decoded(&db, col::META, meta::GENESIS, "meta genesis")?;
        match read_decoded::<u32>(&db, col::META, meta::SCHEMA, "meta schema_version")? {
            Some(SCHEMA_VERSION) => {}
            Some(found) => return Err(StorageError::SchemaMismatch { path, found, expected: SCHEMA_VERSION }),
            None if genesis.is_some() => {
                return Err(StorageError::SchemaMismatch { path, found: 0, expected: SCHEMA_VERSION })
            }
            // A fresh database: stamp it before anything else is written.
            None => writer.commit(
                vec![(col::META, Operation::Set(meta::SCHEMA.to_vec(), SCHEMA_VERSION.encode()))],
                Durability::Synced,
            )?,
        }

        let chain = ChainMeta::load(&db)?;
        match chain.best {
            Some((number, hash)) => tracing::info!(
                target: "storage",
                "Opened chain database at {}: best #{number} ({hash:?}), finalized #{}",
                path.display(),
                chain.finalized.map_or(0, |(n, _)| n),
            ),
            None => {
                tracing::info!(target: "storage", "Opened empty chain database at {}", path.display())
            }
        }
        let trie_cache = (cache_bytes > 0).then(|| SharedTrieCache::new(CacheSize::new(cache_bytes), None));
        Ok(Database { db, writer, path, trie_cache, chain: RwLock::new(chain) })
    }

    /// After a failed write, reopens parity-db when it is time to try again (see the private
    /// `writer` module) and reloads the metadata, which the failed write may or may not have
    /// changed on disk; an error while writes stay halted.
    fn reopen_if_halted(&self, chain: &mut ChainMeta) -> Result<(), StorageError> {
        if self.writer.reopen_if_halted()? {
            *chain = ChainMeta::load(&self.db)?;
            tracing::info!(
                target: "storage",
                "Chain database reopened: best #{}, finalized #{}",
                chain.best.map_or(0, |(n, _)| n),
                chain.finalized.map_or(0, |(n, _)| n),
            );
        }
        Ok(())
    }

    /// Writes nothing while the disk holding the database has less than `bytes` free
    /// ([`DEFAULT_RESERVED_DISK_BYTES`] until set; 0: write until the disk refuses): each write
    /// fails with [`StorageError::DiskFull`] instead, and the first after space returns goes
    /// ahead. parity-db writes its tables through memory maps, where a full disk is SIGBUS,
    /// not an error.
    pub fn reserve_disk_space(&self, bytes: u64) {
        self.writer.reserve_disk_space(bytes);
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The genesis block's hash, once the genesis is committed.
    pub fn genesis_hash(&self) -> Option<Hash> {
        self.chain.read().genesis
    }

    /// The best block, once the genesis is committed.
    pub fn best(&self) -> Option<(BlockNumber, Hash)> {
        self.chain.read().best
    }

    /// The last finalized block, once the genesis is committed.
    pub fn finalized(&self) -> Option<(BlockNumber, Hash)> {
        self.chain.read().finalized
    }

    /// States of canonical blocks below this height were pruned (0: none).
    pub fn pruned_below(&self) -> BlockNumber {
        self.chain.read().pruned_below
    }

    /// The header of block `hash`, if known.
    pub fn header(&self, hash: &Hash) -> Result<Option<Header>, StorageError> {
        read_decoded(&self.db, col::HEADERS, hash.as_bytes(), || format!("header {hash:?}"))
    }

    /// The extrinsics of block `hash`, if known.
    pub fn body(&self, hash: &Hash) -> Result<Option<Vec<OpaqueExtrinsic>>, StorageError> {
        read_decoded(&self.db, col::BODIES, hash.as_bytes(), || format!("body {hash:?}"))
    }

    /// The justifications stored for block `hash`, if any.
    pub fn justifications(&self, hash: &Hash) -> Result<Option<Justifications>, StorageError> {
        read_decoded(&self.db, col::JUSTIFICATIONS, hash.as_bytes(), || format!("justifications {hash:?}"))
    }

    /// The hash of the canonical (best-chain) block at `number`, if the chain is that long.
    pub fn hash_of(&self, number: BlockNumber) -> Result<Option<Hash>, StorageError> {
        read_decoded(&self.db, col::NUMBER_TO_HASH, &number_key(number), || format!("number→hash #{number}"))
    }

    /// The number of block `hash`, if known.
    pub fn block_number(&self, hash: &Hash) -> Result<Option<BlockNumber>, StorageError> {
        Ok(self.header(hash)?.map(|header| header.number))
    }

    /// The state whose trie root is `state_root`.
    ///
    /// The empty trie's root always works. A root whose nodes are not stored (pruned, or never
    /// committed) is refused here rather than failing on the first read.
    pub fn state_at(&self, state_root: Hash) -> Result<StateBackend, StorageError> {
        let empty = sp_trie::empty_trie_root::<sp_trie::LayoutV1<Hashing>>();
        if state_root != empty && self.db.current()?.get(col::STATE, state_root.as_bytes())?.is_none() {
            return Err(StorageError::StateUnavailable { root: state_root });
        }
        // An untrusted local cache: its size is bounded, whoever asks for the state (RPC too).
        let cache = self.trie_cache.as_ref().map(SharedTrieCache::local_cache_untrusted);
        Ok(TrieBackendBuilder::new(StateStore::new(self.db.clone()), state_root).with_optional_cache(cache).build())
    }

    /// The state after block `hash` (its header's state root).
    pub fn state_of_block(&self, hash: &Hash) -> Result<StateBackend, StorageError> {
        let header = self.header(hash)?.ok_or(StorageError::UnknownBlock(*hash))?;
        self.state_at(header.state_root)
    }

    /// Commits the genesis block: empty body, its state built from nothing.
    ///
    /// Sets the genesis hash and makes the block best and finalized.
    pub fn commit_genesis(&self, header: Header, state: BackendTransaction<Hashing>) -> Result<(), StorageError> {
        self.commit(ImportCommit {
            header,
            body: Vec::new(),
            justifications: None,
            state,
            new_best: true,
            finalized: true,
        })
    }

    /// Commits one block atomically: state nodes, header, body, justifications and, as the
    /// commit asks, the canonical chain and best/finalized pointers.
    ///
    /// A block numbered 0 is the genesis: it is always best and finalized and may be committed
    /// once. Any other block needs its parent in the database and a number above the finalized
    /// one; to become best it must descend from the finalized block.
    pub fn commit(&self, commit: ImportCommit) -> Result<(), StorageError> {
        let mut chain = self.chain.write();
        self.reopen_if_halted(&mut chain)?;
        let hash = commit.header.hash();
        let number = commit.header.number;

        if self.db.current()?.get(col::HEADERS, hash.as_bytes())?.is_some() {
            return Err(StorageError::AlreadyImported { number, hash });
        }

        let mut ops: Vec<DbOp> = Vec::new();
        let mut next = *chain;
        let make_best = commit.new_best || commit.finalized || number == 0;

        if number == 0 {
            if let Some(existing) = chain.genesis {
                return Err(StorageError::GenesisExists { existing, offered: hash });
            }
            next.genesis = Some(hash);
            next.best = Some((0, hash));
            next.finalized = Some((0, hash));
            ops.push((col::META, Operation::Set(meta::GENESIS.to_vec(), hash.encode())));
            ops.push((col::META, Operation::Set(meta::FINALIZED.to_vec(), (0u32, hash).encode())));
        } else {
            let (Some((finalized, finalized_hash)), Some((best_number, _))) = (chain.finalized, chain.best) else {
                return Err(StorageError::NoGenesis);
            };
            let parent_hash = commit.header.parent_hash;
            let parent =
                self.header(&parent_hash)?.ok_or(StorageError::UnknownParent { number, hash, parent: parent_hash })?;
            if parent.number.checked_add(1) != Some(number) {
                return Err(StorageError::BadNumber { hash, number, parent_number: parent.number });
            }
            if number <= finalized {
                return Err(StorageError::BelowFinalized { number, hash, finalized });
            }
            if make_best {
                self.canonical_head_ops(
                    Some(&parent),
                    number,
                    hash,
                    (finalized, finalized_hash),
                    best_number,
                    &mut ops,
                )?;
                next.best = Some((number, hash));
                if commit.finalized {
                    next.finalized = Some((number, hash));
                    ops.push((col::META, Operation::Set(meta::FINALIZED.to_vec(), (number, hash).encode())));
                }
            }
        }

        if make_best {
            ops.push((col::NUMBER_TO_HASH, Operation::Set(number_key(number), hash.encode())));
            ops.push((col::META, Operation::Set(meta::BEST.to_vec(), (number, hash).encode())));
        }
        ops.push((col::HEADERS, Operation::Set(hash.as_bytes().to_vec(), commit.header.encode())));
        ops.push((col::BODIES, Operation::Set(hash.as_bytes().to_vec(), commit.body.encode())));
        if let Some(justifications) = &commit.justifications {
            ops.push((col::JUSTIFICATIONS, Operation::Set(hash.as_bytes().to_vec(), justifications.encode())));
        }
        let change = StateChange::from_transaction(commit.state)?;
        let (added, dropped) = (change.inserted.len(), change.journal.removed.len());
        ops.extend(change.into_ops(number, &hash));
        // Finality is reported as soon as this returns: it must survive a power loss. A block
        // not final yet is synced with the next write that is (GRANDPA's finalizing it, at the
        // latest), so that not every block pays a sync.
        let durability = if next.finalized != chain.finalized { Durability::Synced } else { Durability::Logged };

        self.writer.commit(ops, durability)?;
        *chain = next;
        tracing::debug!(
            target: "storage",
            "Committed #{number} ({hash:?}): {added} trie nodes added, {dropped} dropped, best={make_best}, finalized={}",
            commit.finalized || number == 0,
        );
        Ok(())
    }

    /// The index writes that make block `(number, hash)` the head of the canonical chain
    /// (besides its own number → hash entry): its non-canonical ancestors from `parent` back
    /// become canonical, and heights above it that a reorg to a shorter chain leaves stop
    /// being canonical.
    fn canonical_head_ops(
        &self,
        parent: Option<&Header>,
        number: BlockNumber,
        hash: Hash,
        finalized: (BlockNumber, Hash),
        best_number: BlockNumber,
        ops: &mut Vec<DbOp>,
    ) -> Result<(), StorageError> {
        if let Some(parent) = parent {
            self.canonicalize_ancestors(parent, finalized, hash, ops)?;
        }
        for stale in number.saturating_add(1)..=best_number {
            ops.push((col::NUMBER_TO_HASH, Operation::Dereference(number_key(stale))));
        }
        Ok(())
    }

    /// Writes number → hash for the ancestors of a new best block that are not yet canonical,
    /// walking back from `parent` until the canonical chain is met.
    fn canonicalize_ancestors(
        &self,
        parent: &Header,
        (finalized, finalized_hash): (BlockNumber, Hash),
        new_best: Hash,
        ops: &mut Vec<DbOp>,
    ) -> Result<(), StorageError> {
        let mut number = parent.number;
        let mut hash = parent.hash();
        let mut parent_hash = parent.parent_hash;
        while self.hash_of(number)? != Some(hash) {
            // Replacing the canonical block at or below the finalized height would revert
            // finality; the walk stops there at the latest because genesis is final.
            if number <= finalized {
                return Err(StorageError::RevertsFinalized { hash: new_best, finalized, finalized_hash });
            }
            ops.push((col::NUMBER_TO_HASH, Operation::Set(number_key(number), hash.encode())));
            let ancestor = self.header(&parent_hash)?.ok_or_else(|| {
                StorageError::corrupt(format!("header {parent_hash:?}"), "missing but a child is stored")
            })?;
            number = ancestor.number;
            hash = parent_hash;
            parent_hash = ancestor.parent_hash;
        }
        Ok(())
    }

    /// Marks canonical block `hash` finalized and stores `justification` with it.
    ///
    /// Finalizing the already-finalized block again only adds the justification. A
    /// justification from an engine that already has one for this block is ignored: the
    /// stored one is just as valid.
    pub fn finalize(&self, hash: &Hash, justification: Option<Justification>) -> Result<(), StorageError> {
        let mut chain = self.chain.write();
        self.reopen_if_halted(&mut chain)?;
        let header = self.header(hash)?.ok_or(StorageError::UnknownBlock(*hash))?;
        let number = header.number;
        if self.hash_of(number)? != Some(*hash) {
            return Err(StorageError::NotCanonical { number, hash: *hash });
        }
        let finalized = chain.finalized.map_or(0, |(n, _)| n);
        if number < finalized {
            return Err(StorageError::FinalizeBackwards { number, finalized });
        }

        let mut ops: Vec<DbOp> = vec![(col::META, Operation::Set(meta::FINALIZED.to_vec(), (number, *hash).encode()))];
        if let Some(justification) = justification {
            let mut all = self.justifications(hash)?.unwrap_or_default();
            if all.append(justification) {
                ops.push((col::JUSTIFICATIONS, Operation::Set(hash.as_bytes().to_vec(), all.encode())));
            }
        }
        self.writer.commit(ops, Durability::Synced)?;
        chain.finalized = Some((number, *hash));
        tracing::debug!(target: "storage", "Finalized #{number} ({hash:?})");
        Ok(())
    }

    /// Releases the states of blocks below `below` (clamped to the finalized height): after it,
    /// the state of every canonical block at or above that height is readable and the states
    /// of canonical blocks below it are gone. Blocks at finalized heights that are off the
    /// canonical chain lose their state too. Headers, bodies and justifications stay.
    ///
    /// Each block's journal is applied once, in its own atomic commit together with its
    /// removal, so an interrupted call leaves a consistent database and a repeated one does
    /// nothing twice.
    pub fn prune_state(&self, below: BlockNumber) -> Result<PruneOutcome, StorageError> {
        let mut chain = self.chain.write();
        self.reopen_if_halted(&mut chain)?;
        let Some((finalized, _)) = chain.finalized else {
            return Ok(PruneOutcome::default());
        };
        let target = below.min(finalized);
        let mut outcome = PruneOutcome { pruned_below: chain.pruned_below, ..PruneOutcome::default() };

        for (key, number, hash) in self.journal_range(0, target)? {
            let journal: StateJournal =
                read_decoded(&self.db, col::STATE_JOURNAL, &key, || format!("state journal #{number} {hash:?}"))?
                    .unwrap_or_default();
            let canonical = self.hash_of(number)? == Some(hash);
            let mut ops: Vec<DbOp> = if canonical {
                // This block's drops are the nodes only its parent's trie held.
                dereference_ops(&journal.removed).collect()
            } else {
                // A block that lost to finality: undo everything it added.
                dereference_ops(&journal.inserted).collect()
            };
            ops.push((col::STATE_JOURNAL, Operation::Dereference(key)));
            if canonical && number > chain.pruned_below {
                ops.push((col::META, Operation::Set(meta::PRUNED_BELOW.to_vec(), number.encode())));
            }
            self.writer.commit(ops, Durability::Logged)?;
            if canonical {
                chain.pruned_below = chain.pruned_below.max(number);
                outcome.canonical_released += 1;
            } else {
                outcome.stale_discarded += 1;
            }
        }
        outcome.pruned_below = chain.pruned_below;
        if outcome.canonical_released + outcome.stale_discarded > 0 {
            tracing::info!(
                target: "storage",
                "Pruned state below #{}: {} canonical and {} stale blocks released",
                outcome.pruned_below, outcome.canonical_released, outcome.stale_discarded,
            );
        }
        Ok(outcome)
    }

    /// Every stored block above height `number` whose state is still journaled (all blocks,
    /// canonical or not, unless `prune_state` released them), lowest first. Fork choice uses
    /// it to find the leaves of forks that are not the best chain.
    pub fn blocks_above(&self, number: BlockNumber) -> Result<Vec<(BlockNumber, Hash)>, StorageError> {
        let blocks = self.journal_range(number.saturating_add(1), BlockNumber::MAX)?;
        Ok(blocks.into_iter().map(|(_, number, hash)| (number, hash)).collect())
    }

    /// The state journal's entries from height `from` through `through`, lowest first: key,
    /// number and hash. Collected before returning, so callers may commit while they walk
    /// them (the iterator must not run across our own commits).
    fn journal_range(
        &self,
        from: BlockNumber,
        through: BlockNumber,
    ) -> Result<Vec<(Vec<u8>, BlockNumber, Hash)>, StorageError> {
        let mut entries = Vec::new();
        let db = self.db.current()?;
        let mut iter = db.iter(col::STATE_JOURNAL)?;
        iter.seek(&number_key(from))?;
        while let Some((key, _)) = iter.next()? {
            let (number, hash) = parse_journal_key(&key)
                .ok_or_else(|| StorageError::corrupt("state journal key", format!("{} bytes", key.len())))?;
            if number > through {
                break;
            }
            entries.push((key, number, hash));
        }
        Ok(entries)
    }

    /// Makes the stored block `hash` the best block: the canonical chain is rewritten to run
    /// through it (a reorg), heights above it stop being canonical. Refused if that would
    /// replace a finalized block. Finality uses it when it finalizes a block off the best chain.
    pub fn set_best(&self, hash: &Hash) -> Result<(), StorageError> {
        let mut chain = self.chain.write();
        self.reopen_if_halted(&mut chain)?;
        let header = self.header(hash)?.ok_or(StorageError::UnknownBlock(*hash))?;
        let (Some((finalized, finalized_hash)), Some((best_number, _))) = (chain.finalized, chain.best) else {
            return Err(StorageError::NoGenesis);
        };
        let number = header.number;
        let mut ops: Vec<DbOp> = Vec::new();
        let parent = if number <= finalized {
            if self.hash_of(number)? != Some(*hash) {
                return Err(StorageError::RevertsFinalized { hash: *hash, finalized, finalized_hash });
            }
            None
        } else {
            Some(self.header(&header.parent_hash)?.ok_or_else(|| {
                StorageError::corrupt(format!("header {:?}", header.parent_hash), "missing but a child is stored")
            })?)
        };
        self.canonical_head_ops(parent.as_ref(), number, *hash, (finalized, finalized_hash), best_number, &mut ops)?;
        ops.push((col::NUMBER_TO_HASH, Operation::Set(number_key(number), hash.encode())));
        ops.push((col::META, Operation::Set(meta::BEST.to_vec(), (number, *hash).encode())));
        self.writer.commit(ops, Durability::Logged)?;
        chain.best = Some((number, *hash));
        Ok(())
    }

    /// Deletes the blocks that finality abandoned: every block at or below `up_to` (clamped
    /// to the finalized height) that is not canonical loses its header, body, justifications
    /// and the state it added. Returns how many blocks went. Each block goes in its own
    /// atomic commit, with the progress mark, so an interrupted call is resumed by the next.
    ///
    /// Callers stay some blocks behind finality: an import that checked its parent just
    /// before finality moved may still be executing on that parent's state.
    pub fn prune_forks(&self, up_to: BlockNumber) -> Result<usize, StorageError> {
        let mut chain = self.chain.write();
        self.reopen_if_halted(&mut chain)?;
        let Some((finalized, _)) = chain.finalized else { return Ok(0) };
        let finalized = finalized.min(up_to);
        let done: BlockNumber =
            read_decoded(&self.db, col::META, meta::FORKS_PRUNED_TO, "meta forks_pruned_to")?.unwrap_or(0);
        if done >= finalized {
            return Ok(0);
        }
        let mut due = Vec::new();
        for (key, number, hash) in self.journal_range(done.saturating_add(1), finalized)? {
            if self.hash_of(number)? != Some(hash) {
                due.push((key, number, hash));
            }
        }
        let pruned = due.len();
        for (key, number, hash) in due {
            let journal: StateJournal =
                read_decoded(&self.db, col::STATE_JOURNAL, &key, || format!("state journal #{number} {hash:?}"))?
                    .unwrap_or_default();
            let mut ops: Vec<DbOp> = dereference_ops(&journal.inserted).collect();
            ops.push((col::STATE_JOURNAL, Operation::Dereference(key)));
            for column in [col::HEADERS, col::BODIES, col::JUSTIFICATIONS] {
                ops.push((column, Operation::Dereference(hash.as_bytes().to_vec())));
            }
            ops.push((col::META, Operation::Set(meta::FORKS_PRUNED_TO.to_vec(), number.saturating_sub(1).encode())));
            self.writer.commit(ops, Durability::Logged)?;
        }
        self.writer.commit(
            vec![(col::META, Operation::Set(meta::FORKS_PRUNED_TO.to_vec(), finalized.encode()))],
            Durability::Logged,
        )?;
        drop(chain);
        if pruned > 0 {
            tracing::info!(target: "storage", "Pruned {pruned} blocks of abandoned forks at or below #{finalized}");
        }
        Ok(pruned)
    }
}

/// Removes the database at `path` (for `purge-chain`). A missing directory is not an error.
///
/// Fails with [`StorageError::InUse`] while a node (or a [`Database`] in this process) has the
/// database open, leaving every file in place.
pub fn purge(path: impl AsRef<Path>) -> Result<(), StorageError> {
    let path = path.as_ref();
    if !path.exists() {
        return Ok(());
    }
    // A wrong --base-path must not cost the operator an unrelated directory.
    if !path.join("metadata").is_file() {
        return Err(StorageError::NotADatabase { path: path.to_path_buf() });
    }
    // Opening takes parity-db's lock: refuse to delete files from under a running node.
    match Database::open(path) {
        Ok(db) => drop(db),
        Err(StorageError::Locked { path }) => return Err(StorageError::InUse { path }),
        // Any other failure (another format, corruption) is what purging is for.
        Err(_) => {}
    }
    std::fs::remove_dir_all(path).map_err(|source| StorageError::Io { path: path.to_path_buf(), source })?;
    tracing::info!(target: "storage", "Removed chain database at {}", path.display());
    Ok(())
}

/// Reads and decodes `key` of `column`, naming the entry `what` if it does not decode.
///
/// Refuses trailing bytes: an entry is exactly one value, or it is corrupt.
fn read_decoded<T: Decode>(
    db: &ReopenableDb,
    column: u8,
    key: &[u8],
    what: impl Describe,
) -> Result<Option<T>, StorageError> {
    match db.current()?.get(column, key)? {
        None => Ok(None),
        Some(bytes) => T::decode_all(&mut &bytes[..]).map(Some).map_err(|e| StorageError::corrupt(what.describe(), e)),
    }
}

/// An entry's name for error messages, built only when an error needs it.
trait Describe {
    fn describe(self) -> String;
}

impl Describe for &str {
    fn describe(self) -> String {
        self.to_string()
    }
}

impl<F: FnOnce() -> String> Describe for F {
    fn describe(self) -> String {
        self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parity_db::Db;

    /// Writes `value` under `key` of `column` behind the `Database`'s back.
    fn poke(path: &Path, column: u8, key: &[u8], value: Vec<u8>) {
        let db = Db::open(&schema::options(path)).unwrap();
        db.commit_changes([(column, Operation::Set(key.to_vec(), value))]).unwrap();
    }

    #[test]
    fn a_database_of_another_schema_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Database::open(dir.path()).unwrap());
        poke(dir.path(), col::META, meta::SCHEMA, (SCHEMA_VERSION + 1).encode());
        let err = Database::open(dir.path()).err().expect("another schema must be refused");
        assert!(
            matches!(err, StorageError::SchemaMismatch { found, expected, .. }
                if found == SCHEMA_VERSION + 1 && expected == SCHEMA_VERSION),
            "{err}"
        );
        assert!(err.to_string().contains("purge-chain"), "{err}");
    }

    #[test]
    fn undecodable_entries_are_reported_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        drop(Database::open(dir.path()).unwrap());
        let hash = Hash::repeat_byte(3);
        poke(dir.path(), col::HEADERS, hash.as_bytes(), vec![1, 2, 3]);
        // A valid hash followed by a stray byte: `decode_all` refuses what `decode` would take.
        poke(dir.path(), col::NUMBER_TO_HASH, &number_key(5), [hash.encode(), vec![0]].concat());
        let db = Database::open(dir.path()).unwrap();
        assert!(matches!(db.header(&hash), Err(StorageError::Corrupt { .. })));
        assert!(matches!(db.hash_of(5), Err(StorageError::Corrupt { .. })));
        drop(db);

        poke(dir.path(), col::META, meta::BEST, vec![0xff]);
        let err = Database::open(dir.path()).err().expect("corrupt metadata must be refused");
        assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn a_transaction_is_netted_per_node_hash_across_prefixes() {
        use hash_db::HashDB;
        let mut transaction = BackendTransaction::<Hashing>::default();
        // One node added at two positions of the trie: two references to one entry.
        let twice = transaction.insert((b"a", None), b"shared node");
        transaction.insert((b"b", None), b"shared node");
        // One node moved from one position to another: no change at all.
        let moved = transaction.insert((b"c", None), b"moved node");
        transaction.remove(&moved, (b"d", None));
        // One node dropped.
        let dropped = Hash::repeat_byte(9);
        transaction.remove(&dropped, (b"e", Some(1)));

        let change = StateChange::from_transaction(transaction).unwrap();
        assert_eq!(
            change.inserted.iter().map(|(h, v, n)| (*h, v.clone(), *n)).collect::<Vec<_>>(),
            vec![(twice, b"shared node".to_vec(), 2)]
        );
        assert_eq!(change.journal.inserted, vec![(twice, 2)]);
        assert_eq!(change.journal.removed, vec![(dropped, 1)]);
    }
}
