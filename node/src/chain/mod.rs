//! The chain: blocks and state in the database, and runtime calls at any block.
//!
//! [`Chain`] is the one owner of the database handle. Readers ask it for headers,
//! blocks and state; runtime API calls run natively at a block's state through the
//! [`RuntimeExecutor`]. Writers (block import and authoring) hand it a fully checked
//! [`BlockCommit`]: the block and its state changes go to disk in one write, and the
//! chain then announces the block on its broadcast channels (new best, every import,
//! finalized), which RPC subscriptions and the transaction pool follow.
//!
//! The runtime at a block ([`Chain::runtime_at`]) is the one that executes its children:
//! the parent's own, or the one an on-chain upgrade schedules from the child's height on.
//! Every call at a block runs that runtime.

pub mod pruning;
pub mod runtime_api;
pub mod signatures;

use std::sync::Arc;

use codec::{Decode, Encode};
use ludus_chain_spec::ChainSpec;
pub use ludus_primitives::ChainInfo;
use ludus_primitives::{spec_version_of, Block, BlockNumber, Hash, Hashing, Header, ScheduledUpgrade, SignedBlock};
use ludus_storage::{Database, ImportCommit, StateBackend, StorageError};
use parking_lot::Mutex;
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::{lowest_common_ancestor, CachedHeaderMetadata, HeaderMetadata, HeaderMetadataCache, TreeRoute};
use sp_runtime::{
    traits::{Hash as HashT, Header as HeaderT},
    Digest, Justification, Justifications,
};
use sp_state_machine::{Backend, BackendTransaction, OverlayedChanges};
use sp_version::RuntimeVersion;
use tokio::sync::broadcast;

use crate::executor::{ExecutorError, NativeRuntime, RuntimeExecutor};

/// Why a chain operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The database failed or holds something unexpected.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The block is not in the database.
    #[error("unknown block {0:?}")]
    UnknownBlock(Hash),
    /// A runtime call failed.
    #[error(transparent)]
    Executor(#[from] ExecutorError),
    /// A typed runtime call's arguments or output did not convert between the node's types
    /// and the runtime's.
    #[error("runtime API: {0}")]
    RuntimeApi(sp_api::ApiError),
    /// A runtime call returned bytes that do not decode as its declared output.
    #[error("runtime method `{method}` returned undecodable output: {error}")]
    BadRuntimeOutput {
        /// The method called.
        method: String,
        /// The decoding error.
        error: codec::Error,
    },
    /// Reading state failed.
    #[error("state of block {block:?} is unreadable: {error}")]
    State {
        /// The block whose state was read.
        block: Hash,
        /// What went wrong.
        error: String,
    },
    /// The chain spec could not be turned into genesis state.
    #[error("chain spec: {0}")]
    ChainSpec(#[from] ludus_chain_spec::ChainSpecError),
    /// The genesis storage could not be turned into a state trie.
    #[error("genesis state: {0}")]
    GenesisState(String),
    /// A block past genesis whose header names no runtime (the import checks refuse those).
    #[error("block {0:?} names no runtime spec version in its header")]
    NoSpecVersion(Hash),
    /// The upgrade schedule in a block's state does not decode.
    #[error("the runtime-upgrade schedule in the state of block {block:?} does not decode: {error}")]
    BadSchedule {
        /// The block whose state holds it.
        block: Hash,
        /// The decoding error.
        error: codec::Error,
    },
    /// The database belongs to another chain.
    #[error(
        "the database holds a chain with genesis {stored:?}, but the chain spec gives genesis \
         {expected:?}: use another --base-path, or remove the old chain with `ludus-node purge-chain`"
    )]
    GenesisMismatch {
        /// Genesis hash in the database.
        stored: Hash,
        /// Genesis hash from the chain spec.
        expected: Hash,
    },
}

/// A checked block and its state changes, ready to be written.
pub struct BlockCommit {
    /// The block (header with its seal, extrinsics).
    pub block: Block,
    /// Justifications that finalize it, if any.
    pub justifications: Option<Justifications>,
    /// The trie nodes its execution created (and removed).
    pub state_transaction: BackendTransaction<Hashing>,
    /// Whether the block becomes the new best.
    pub is_new_best: bool,
    /// Whether the block is final as soon as it is written.
    pub finalize: bool,
}

/// Broadcast channels announcing blocks.
struct Events {
    best: broadcast::Sender<Header>,
    imported: broadcast::Sender<Header>,
    finalized: broadcast::Sender<Header>,
}

/// The node's view of the chain; cheap to share behind an `Arc`.
pub struct Chain {
    db: Database,
    executor: RuntimeExecutor,
    genesis_hash: Hash,
    /// Serialises writers so that "is this the new best?" and the write agree.
    write_lock: Mutex<()>,
    events: Events,
    /// Hash, number and parent of recent blocks, and the ancestor links tree routes found.
    /// Entries may outlive a pruned fork: a hash's metadata never changes, and the cache is
    /// bounded (LRU).
    header_metadata: HeaderMetadataCache<Block>,
    /// Called with every block written, before it is announced (finality notes the
    /// authority-set changes a header schedules). A broadcast channel can drop entries
    /// under load; this cannot.
    import_hook: std::sync::OnceLock<ImportHook>,
    /// [`Chain::runtime_at`] of recent blocks (a block's runtime never changes).
    runtime_at: Mutex<schnellru::LruMap<Hash, u32>>,
    /// Recent signers' sr25519 keys, decompressed, for batch verification.
    public_keys: signatures::PublicKeys,
}

/// See [`Chain::set_import_hook`].
pub type ImportHook = Box<dyn Fn(&Header) + Send + Sync>;

/// The version of this release's runtime (`ludus-runtime`). Every runtime a node carries shares
/// its state and extrinsics-root versions (`Runtimes::new` checks), so those come from here.
pub fn native_version() -> RuntimeVersion {
    ludus_runtime::VERSION
}

/// Blocks whose runtime [`Chain::runtime_at`] remembers.
const RUNTIME_AT_CACHE: u32 = 1024;

impl Chain {
    /// Opens the chain in `db`, writing the genesis block of `spec` if the database is new
    /// and refusing a database that belongs to another chain.
    pub fn open(db: Database, executor: RuntimeExecutor, spec: &ChainSpec) -> Result<Arc<Self>, ChainError> {
        let storage = spec.build_storage()?;
        let (genesis_header, transaction) = genesis_block(&db, storage, &executor.runtimes().genesis().version)?;
        let expected = genesis_header.hash();
        match db.genesis_hash() {
            Some(stored) if stored != expected => return Err(ChainError::GenesisMismatch { stored, expected }),
            Some(_) => {}
            None => {
                db.commit_genesis(genesis_header, transaction)?;
            }
        }
        let (best, _) = broadcast::channel(256);
        let (imported, _) = broadcast::channel(256);
        let (finalized, _) = broadcast::channel(256);
        Ok(Arc::new(Self {
            db,
            executor,
            genesis_hash: expected,
            write_lock: Mutex::new(()),
            events: Events { best, imported, finalized },
            header_metadata: HeaderMetadataCache::default(),
            import_hook: std::sync::OnceLock::new(),
            runtime_at: Mutex::new(schnellru::LruMap::new(schnellru::ByLength::new(RUNTIME_AT_CACHE))),
            public_keys: signatures::PublicKeys::default(),
        }))
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// The executor, for callers that run several calls over one overlay (block building).
    pub fn executor(&self) -> &RuntimeExecutor {
        &self.executor
    }

    /// Genesis, best and finalized.
    pub fn info(&self) -> ChainInfo {
        let genesis = (0, self.genesis_hash);
        let (best_number, best_hash) = self.db.best().unwrap_or(genesis);
        let (finalized_number, finalized_hash) = self.db.finalized().unwrap_or(genesis);
        ChainInfo { genesis_hash: self.genesis_hash, best_hash, best_number, finalized_hash, finalized_number }
    }

    /// The header of block `hash`.
    pub fn header(&self, hash: Hash) -> Result<Option<Header>, ChainError> {
        Ok(self.db.header(&hash)?)
    }

    /// The header of block `hash`, or [`ChainError::UnknownBlock`].
    pub fn expect_header(&self, hash: Hash) -> Result<Header, ChainError> {
        self.header(hash)?.ok_or(ChainError::UnknownBlock(hash))
    }

    /// The block `hash` with its justifications.
    pub fn block(&self, hash: Hash) -> Result<Option<SignedBlock>, ChainError> {
        let Some(header) = self.db.header(&hash)? else { return Ok(None) };
        let extrinsics = self.db.body(&hash)?.unwrap_or_default();
        let justifications = self.db.justifications(&hash)?;
        Ok(Some(SignedBlock { block: Block { header, extrinsics }, justifications }))
    }

    /// The hash of the canonical block at `number`.
    pub fn hash(&self, number: BlockNumber) -> Result<Option<Hash>, ChainError> {
        Ok(self.db.hash_of(number)?)
    }

    /// The state after block `hash`.
    pub fn state_at(&self, hash: Hash) -> Result<StateBackend, ChainError> {
        let header = self.expect_header(hash)?;
        Ok(self.db.state_at(*header.state_root())?)
    }

    /// The `spec_version` of the runtime at block `hash`: the one that executes its children,
    /// and every runtime call at it. That is the runtime an upgrade scheduled in `hash`'s
    /// state names once it is due for the next block, and otherwise the runtime that executed
    /// `hash` (as its header says; genesis: the one chains start on).
    pub fn runtime_at(&self, hash: Hash) -> Result<u32, ChainError> {
        if let Some(spec_version) = self.runtime_at.lock().get(&hash) {
            return Ok(*spec_version);
        }
        let header = self.expect_header(hash)?;
        let spec_version = match self.scheduled_upgrade(hash)? {
            Some(upgrade) if upgrade.is_due_after(*header.number()) => upgrade.spec_version,
            _ if *header.number() == 0 => self.executor.runtimes().genesis().version.spec_version,
            _ => spec_version_of(&header).ok_or(ChainError::NoSpecVersion(hash))?,
        };
        self.runtime_at.lock().insert(hash, spec_version);
        Ok(spec_version)
    }

    /// The runtime at block `hash` ([`Chain::runtime_at`]), or
    /// [`ExecutorError::NotCarried`] if this release lacks it.
    pub fn native_runtime_at(&self, hash: Hash) -> Result<&NativeRuntime, ChainError> {
        let spec_version = self.runtime_at(hash)?;
        let runtimes = self.executor.runtimes();
        Ok(runtimes
            .get(spec_version)
            .ok_or_else(|| ExecutorError::NotCarried { spec_version, carried: runtimes.describe() })?)
    }

    /// The runtime upgrade pending in the state of block `hash`, if any.
    pub fn scheduled_upgrade(&self, hash: Hash) -> Result<Option<ScheduledUpgrade>, ChainError> {
        let Some(raw) = self.storage(hash, &ludus_primitives::scheduled_upgrade_key())? else { return Ok(None) };
        ScheduledUpgrade::decode(&mut &raw[..])
            .map(Some)
            .map_err(|error| ChainError::BadSchedule { block: hash, error })
    }

    /// Runs runtime API `method` at block `hash` without side effects: the state is left
    /// untouched and no keystore, offchain storage or pool is reachable (what RPC may call).
    pub fn call_at(&self, hash: Hash, method: &str, args: &[u8]) -> Result<Vec<u8>, ChainError> {
        self.call_at_with(hash, method, args, sp_externalities::Extensions::new())
    }

    /// Runs runtime API `method` at block `hash` with `extensions` (the keystore, for the
    /// node's own calls that sign); the state is left untouched.
    pub fn call_at_with(
        &self,
        hash: Hash,
        method: &str,
        args: &[u8],
        extensions: sp_externalities::Extensions,
    ) -> Result<Vec<u8>, ChainError> {
        let spec_version = self.runtime_at(hash)?;
        let state = self.state_at(hash)?;
        let mut overlay = OverlayedChanges::default();
        Ok(self.executor.call_with(spec_version, &state, &mut overlay, method, args, extensions)?)
    }

    /// Runs `method` at `hash` and decodes its output as `T`.
    pub fn call_decoded<T: Decode>(&self, hash: Hash, method: &str, args: &[u8]) -> Result<T, ChainError> {
        let output = self.call_at(hash, method, args)?;
        T::decode(&mut &output[..]).map_err(|error| ChainError::BadRuntimeOutput { method: method.to_owned(), error })
    }

    /// The runtime version at `hash`.
    pub fn runtime_version(&self, hash: Hash) -> Result<RuntimeVersion, ChainError> {
        Ok(self.runtime_api().version(hash)?)
    }

    /// Reads one storage value at block `hash`.
    pub fn storage(&self, hash: Hash, key: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
        self.state_at(hash)?.storage(key).map_err(|error| ChainError::State { block: hash, error: error.to_string() })
    }

    /// Writes a checked block, then announces it. Returns whether it became the best block.
    pub fn commit(&self, commit: BlockCommit) -> Result<bool, ChainError> {
        let guard = self.write_lock.lock();
        let header = commit.block.header.clone();
        let best = self.info();
        // Longest chain wins; the finalized block is always on it because only
        // descendants of it are imported.
        let is_new_best = commit.is_new_best || *header.number() > best.best_number;
        let finalize = commit.finalize;
        self.db.commit(ImportCommit {
            header: commit.block.header,
            body: commit.block.extrinsics,
            justifications: commit.justifications,
            state: commit.state_transaction,
            new_best: is_new_best || finalize,
            finalized: finalize,
        })?;
        // The hook (GRANDPA) takes its own lock and, elsewhere, calls `finalize` while holding
        // it: calling it under ours would invert the order and could deadlock.
        drop(guard);
        if let Some(hook) = self.import_hook.get() {
            hook(&header);
        }
        let _ = self.events.imported.send(header.clone());
        if is_new_best {
            let _ = self.events.best.send(header.clone());
        }
        if finalize {
            let _ = self.events.finalized.send(header);
        }
        Ok(is_new_best)
    }

    /// Marks block `hash` (and its ancestors) final. A block off the best chain is first made
    /// part of it: fork choice is the longest chain *containing the finalized block*, so the
    /// best block moves to the longest descendant of `hash`.
    pub fn finalize(&self, hash: Hash, justification: Option<Justification>) -> Result<(), ChainError> {
        let _guard = self.write_lock.lock();
        let header = self.expect_header(hash)?;
        if self.db.hash_of(*header.number())? != Some(hash) {
            let best = self.best_descendant_of(hash)?.unwrap_or_else(|| header.clone());
            self.db.set_best(&best.hash())?;
            tracing::info!(target: "chain", "Reorg to #{} ({:?}): finality chose its fork", best.number(), best.hash());
            let _ = self.events.best.send(best);
        }
        self.db.finalize(&hash, justification)?;
        let _ = self.events.finalized.send(header);
        Ok(())
    }

    /// Whether block `hash` is `ancestor` or descends from it: their lowest common ancestor
    /// is `ancestor`. Unknown blocks are [`ChainError::UnknownBlock`].
    pub fn is_descendant(&self, ancestor: Hash, hash: Hash) -> Result<bool, ChainError> {
        let (older, newer) = (self.header_metadata(ancestor)?, self.header_metadata(hash)?);
        if newer.number < older.number {
            return Ok(false);
        }
        // Both on the canonical chain: the number → hash index answers without a walk.
        if self.db.hash_of(newer.number)? == Some(hash) && self.db.hash_of(older.number)? == Some(ancestor) {
            return Ok(true);
        }
        Ok(lowest_common_ancestor(self, ancestor, hash)?.hash == ancestor)
    }

    /// The route from block `from` to block `to`: the blocks leaving the chain (newest first)
    /// down to their common ancestor, and those joining it (oldest first, `to` last).
    pub fn tree_route(&self, from: Hash, to: Hash) -> Result<TreeRoute<Block>, ChainError> {
        sp_blockchain::tree_route(self, from, to)
    }

    /// The longest block that is `base` or descends from it (the best block when it does),
    /// `None` if `base` is unknown.
    pub fn best_descendant_of(&self, base: Hash) -> Result<Option<Header>, ChainError> {
        let Some(base_header) = self.header(base)? else { return Ok(None) };
        let info = self.info();
        if self.is_descendant(base, info.best_hash)? {
            return self.header(info.best_hash);
        }
        // Highest first: the first descendant found is the longest.
        for (_, hash) in self.db.blocks_above(*base_header.number())?.into_iter().rev() {
            if self.is_descendant(base, hash)? {
                return self.header(hash);
            }
        }
        Ok(Some(base_header))
    }

    /// Sets the function called with the header of every block written from now on (once;
    /// a second call is ignored and returns false).
    pub fn set_import_hook(&self, hook: ImportHook) -> bool {
        self.import_hook.set(hook).is_ok()
    }

    /// Headers of every block that becomes the new best.
    pub fn subscribe_best(&self) -> broadcast::Receiver<Header> {
        self.events.best.subscribe()
    }

    /// Headers of every imported block.
    pub fn subscribe_imported(&self) -> broadcast::Receiver<Header> {
        self.events.imported.subscribe()
    }

    /// Headers of every newly finalized block.
    pub fn subscribe_finalized(&self) -> broadcast::Receiver<Header> {
        self.events.finalized.subscribe()
    }

    /// The database, for read-only access by the RPC backend (keys, proofs).
    pub fn database(&self) -> &Database {
        &self.db
    }
}

impl HeaderMetadata<Block> for Chain {
    type Error = ChainError;

    fn header_metadata(&self, hash: Hash) -> Result<CachedHeaderMetadata<Block>, ChainError> {
        if let Some(cached) = self.header_metadata.header_metadata(hash) {
            return Ok(cached);
        }
        let metadata = CachedHeaderMetadata::from(&self.expect_header(hash)?);
        self.header_metadata.insert_header_metadata(hash, metadata.clone());
        Ok(metadata)
    }

    fn insert_header_metadata(&self, hash: Hash, metadata: CachedHeaderMetadata<Block>) {
        self.header_metadata.insert_header_metadata(hash, metadata);
    }

    fn remove_header_metadata(&self, hash: Hash) {
        self.header_metadata.remove_header_metadata(hash);
    }
}

/// Builds the genesis header and trie from genesis storage.
fn genesis_block(
    db: &Database,
    storage: sp_core::storage::Storage,
    version: &RuntimeVersion,
) -> Result<(Header, BackendTransaction<Hashing>), ChainError> {
    let empty = db.state_at(sp_trie::empty_trie_root::<sp_trie::LayoutV1<Hashing>>())?;
    let mut overlay = OverlayedChanges::<Hashing>::default();
    for (key, value) in storage.top {
        overlay.set_storage(key, Some(value));
    }
    let changes = overlay
        .drain_storage_changes(&empty, version.state_version())
        .map_err(|e| ChainError::GenesisState(e.to_string()))?;
    let extrinsics_root = Hashing::ordered_trie_root(Vec::new(), version.extrinsics_root_state_version());
    let header = Header::new(0, extrinsics_root, changes.transaction_storage_root, Hash::zero(), Digest::default());
    Ok((header, changes.transaction))
}

/// Encodes a block's extrinsics as the runtime hashes them for the extrinsics root.
pub fn extrinsics_root(block: &Block) -> Hash {
    Hashing::ordered_trie_root(
        block.extrinsics.iter().map(Encode::encode).collect(),
        native_version().extrinsics_root_state_version(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{consensus, consensus::authoring::commit_empty_block_on, test_utils::dev_chain};

    #[test]
    fn ancestry_follows_forks_and_fork_choice_keeps_the_finalized_block() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain(dir.path());
        let genesis = chain.expect_header(chain.genesis_hash()).unwrap();
        let slot = *consensus::slot_at(ludus_primitives::now_ms(), 1_000) - 20;
        // genesis ← a1 ← a2, and a1 ← b2 ← b3 (the longest, so the best).
        let a1 = commit_empty_block_on(&chain, &keystore, &genesis, slot + 1);
        let a2 = commit_empty_block_on(&chain, &keystore, &a1, slot + 2);
        let b2 = commit_empty_block_on(&chain, &keystore, &a1, slot + 3);
        let b3 = commit_empty_block_on(&chain, &keystore, &b2, slot + 4);
        assert_eq!(chain.info().best_hash, b3.hash());

        assert!(chain.is_descendant(a1.hash(), b3.hash()).unwrap(), "canonical");
        assert!(chain.is_descendant(genesis.hash(), a2.hash()).unwrap(), "off the best chain");
        assert!(chain.is_descendant(a2.hash(), a2.hash()).unwrap(), "a block is its own descendant");
        assert!(!chain.is_descendant(a2.hash(), b3.hash()).unwrap(), "another fork");
        assert!(!chain.is_descendant(b3.hash(), a1.hash()).unwrap(), "an ancestor");
        assert!(matches!(chain.is_descendant(Hash::repeat_byte(9), a1.hash()), Err(ChainError::UnknownBlock(_))));

        assert_eq!(chain.best_descendant_of(a1.hash()).unwrap(), Some(b3.clone()));
        assert_eq!(chain.best_descendant_of(a2.hash()).unwrap(), Some(a2.clone()));
        assert_eq!(chain.best_descendant_of(Hash::repeat_byte(9)).unwrap(), None);

        // Finalizing the shorter fork makes its head the best block.
        chain.finalize(a2.hash(), None).unwrap();
        assert_eq!(chain.info().best_hash, a2.hash());
        let route = chain.tree_route(b3.hash(), a2.hash()).unwrap();
        assert_eq!(route.common_block().hash, a1.hash());
        assert_eq!(route.retracted().iter().map(|b| b.hash).collect::<Vec<_>>(), vec![b3.hash(), b2.hash()]);
        assert_eq!(route.enacted().iter().map(|b| b.hash).collect::<Vec<_>>(), vec![a2.hash()]);
    }
}
