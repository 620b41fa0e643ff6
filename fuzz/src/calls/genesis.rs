//! The state the call sequences start from: the local testnet's genesis as a trie, built once
//! per process and only read (every input writes to its own overlay), with an index of its keys.
//!
//! `try_state` walks every storage map after every call that changed something. Over a plain
//! trie backend each step of such a walk past a key the overlay holds (anything a call created)
//! seeks the trie from its root, because the backend's iterator only continues from the key it
//! returned last; that was 42 % of the time of a game-assets input. The index answers "next key
//! after" from a sorted set of the same keys; reads and state roots still go to the trie, read
//! through a trie cache as the node reads its state.

use sp_core::storage::{ChildInfo, StateVersion};
use sp_runtime::traits::BlakeTwo256;
use sp_state_machine::{
    Backend, BackendTransaction, InMemoryBackend, IterArgs, StorageIterator, StorageKey, StorageValue, TrieBackend,
    TrieBackendBuilder, UsageInfo,
};
use sp_trie::{
    cache::{CacheSize, LocalTrieCache, SharedTrieCache},
    MerkleValue, PrefixedMemoryDB,
};
use std::{collections::BTreeSet, ops::Bound};

type Hash = <BlakeTwo256 as sp_core::Hasher>::Out;
type Trie = TrieBackend<PrefixedMemoryDB<BlakeTwo256>, BlakeTwo256, LocalTrieCache<BlakeTwo256>>;
type Error = <Trie as Backend<BlakeTwo256>>::Error;

/// Bytes of trie nodes and values kept between inputs: the genesis trie and what the last inputs
/// touched, a few hundred KiB.
const TRIE_CACHE_BYTES: usize = 16 << 20;

/// The genesis trie and the sorted set of its top-level keys.
#[derive(Debug)]
pub struct GenesisBackend {
    trie: Trie,
    keys: BTreeSet<StorageKey>,
}

impl GenesisBackend {
    pub fn new(storage: sp_runtime::Storage) -> Self {
        assert!(storage.children_default.is_empty(), "the genesis has no child tries");
        let keys: BTreeSet<StorageKey> = storage.top.keys().cloned().collect();
        let trie: InMemoryBackend<BlakeTwo256> = (storage, StateVersion::V1).into();
        let cache = SharedTrieCache::new(CacheSize::new(TRIE_CACHE_BYTES), None);
        let trie = TrieBackendBuilder::new(trie.backend_storage().clone(), *trie.root())
            .with_cache(cache.local_cache_untrusted())
            .build();
        // The trie's own walk, once: the index must hold exactly its keys, in its order (both
        // sort keys bytewise), for `next_storage_key` to answer as the trie would.
        let walked: Vec<StorageKey> = trie
            .keys(IterArgs::default())
            .expect("the genesis trie iterates")
            .collect::<Result<_, _>>()
            .expect("the genesis trie is complete");
        assert!(walked.iter().eq(keys.iter()), "the key index differs from the genesis trie");
        Self { trie, keys }
    }
}

/// The trie's iterator, answering for [`GenesisBackend`] (used by prefix removals).
pub struct GenesisIter(<Trie as Backend<BlakeTwo256>>::RawIter);

impl StorageIterator<BlakeTwo256> for GenesisIter {
    type Backend = GenesisBackend;
    type Error = Error;

    fn next_key(&mut self, backend: &GenesisBackend) -> Option<Result<StorageKey, Error>> {
        self.0.next_key(&backend.trie)
    }

    fn next_pair(&mut self, backend: &GenesisBackend) -> Option<Result<(StorageKey, StorageValue), Error>> {
        self.0.next_pair(&backend.trie)
    }

    fn was_complete(&self) -> bool {
        self.0.was_complete()
    }
}

impl Backend<BlakeTwo256> for GenesisBackend {
    type Error = Error;
    type TrieBackendStorage = PrefixedMemoryDB<BlakeTwo256>;
    type RawIter = GenesisIter;

    fn storage(&self, key: &[u8]) -> Result<Option<StorageValue>, Error> {
        self.trie.storage(key)
    }

    fn storage_hash(&self, key: &[u8]) -> Result<Option<Hash>, Error> {
        self.trie.storage_hash(key)
    }

    fn closest_merkle_value(&self, key: &[u8]) -> Result<Option<MerkleValue<Hash>>, Error> {
        self.trie.closest_merkle_value(key)
    }

    fn child_closest_merkle_value(
        &self,
        child_info: &ChildInfo,
        key: &[u8],
    ) -> Result<Option<MerkleValue<Hash>>, Error> {
        self.trie.child_closest_merkle_value(child_info, key)
    }

    fn child_storage(&self, child_info: &ChildInfo, key: &[u8]) -> Result<Option<StorageValue>, Error> {
        self.trie.child_storage(child_info, key)
    }

    fn child_storage_hash(&self, child_info: &ChildInfo, key: &[u8]) -> Result<Option<Hash>, Error> {
        self.trie.child_storage_hash(child_info, key)
    }

    fn next_storage_key(&self, key: &[u8]) -> Result<Option<StorageKey>, Error> {
        Ok(self.keys.range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded)).next().cloned())
    }

    fn next_child_storage_key(&self, child_info: &ChildInfo, key: &[u8]) -> Result<Option<StorageKey>, Error> {
        self.trie.next_child_storage_key(child_info, key)
    }

    fn storage_root<'a>(
        &self,
        delta: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
        state_version: StateVersion,
    ) -> (Hash, BackendTransaction<BlakeTwo256>) {
        self.trie.storage_root(delta, state_version)
    }

    fn child_storage_root<'a>(
        &self,
        child_info: &ChildInfo,
        delta: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
        state_version: StateVersion,
    ) -> (Hash, bool, BackendTransaction<BlakeTwo256>) {
        self.trie.child_storage_root(child_info, delta, state_version)
    }

    fn raw_iter(&self, args: IterArgs) -> Result<GenesisIter, Error> {
        self.trie.raw_iter(args).map(GenesisIter)
    }

    fn register_overlay_stats(&self, stats: &sp_state_machine::StateMachineStats) {
        self.trie.register_overlay_stats(stats)
    }

    fn usage_info(&self) -> UsageInfo {
        self.trie.usage_info()
    }
}
