//! A state backend the frame-benchmarking host functions can drive natively.
//!
//! `frame_benchmarking::benchmarking::{commit_db, wipe_db, read_write_count, …}` end up in
//! `sp_state_machine::Backend` methods whose default bodies are `unimplemented!()`, which is
//! why benchmarks cannot be *measured* in `sp_io::TestExternalities`. [`BenchmarkingBackend`]
//! implements them the way sc-client-db's `BenchmarkingState` does, over an in-memory trie:
//!
//! - `commit` writes the overlay's trie nodes into the database and moves the root, so the
//!   benchmarked call reads committed state from the trie (the worst case: no overlay cache);
//! - `wipe` goes back to the genesis database and root;
//! - every key read from, or committed to, the backend is tracked; a key counts once as a read
//!   and once as a write however often it is touched (repeats are reported separately), and
//!   whitelisted keys are not counted;
//! - a trie recorder, reset at each commit and wipe, gives the proof size of what was read.

use core::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use sp_core::{
    storage::{ChildInfo, TrackedStorageKey},
    H256,
};
use sp_runtime::{traits::BlakeTwo256, StateVersion, Storage};
use sp_state_machine::{
    Backend, BackendTransaction, ChildStorageCollection, IterArgs, StorageCollection, StorageIterator, StorageKey,
    StorageValue, TrieBackend, TrieBackendBuilder, UsageInfo,
};
use sp_trie::{recorder::Recorder, MerkleValue, PrefixedMemoryDB};

type H = BlakeTwo256;
type Db = PrefixedMemoryDB<H>;
type Trie = TrieBackend<Db, H>;

/// How one key was used since the last reset: (reads, writes, whitelisted).
#[derive(Clone, Copy, Default, Debug)]
struct Usage {
    reads: u32,
    writes: u32,
    whitelisted: bool,
}

/// Keys are tracked per trie: `None` is the main trie, `Some(k)` the child trie with storage key `k`.
type Tracker = BTreeMap<(Option<Vec<u8>>, Vec<u8>), Usage>;

/// An in-memory trie database with genesis reset and read/write tracking; see the module docs.
pub struct BenchmarkingBackend {
    /// The database and root `wipe` returns to.
    genesis: (Db, H256),
    /// The committed database and its root; `trie` is rebuilt from them on every commit and wipe.
    db: RefCell<Db>,
    root: Cell<H256>,
    /// The trie the benchmarked code reads through, recording into `recorder`.
    trie: RefCell<Trie>,
    recorder: Recorder<H>,
    tracker: RefCell<Tracker>,
    whitelist: RefCell<Vec<TrackedStorageKey>>,
}

impl core::fmt::Debug for BenchmarkingBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BenchmarkingBackend(root {:?})", self.root.get())
    }
}

impl BenchmarkingBackend {
    /// A backend whose genesis (and current) state is `genesis`, laid out with `state_version`.
    pub fn new(genesis: Storage, state_version: StateVersion) -> Self {
        let empty = sp_state_machine::new_in_mem::<H>();
        let children = genesis
            .children_default
            .values()
            .map(|child| (&child.child_info, child.data.iter().map(|(k, v)| (k.as_slice(), Some(v.as_slice())))));
        let (root, transaction) = empty.full_storage_root(
            genesis.top.iter().map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
            children,
            state_version,
        );
        let mut db = empty.into_storage();
        db.consolidate(transaction);
        let recorder = Recorder::default();
        let trie = Self::build(&db, root, &recorder);
        Self {
            genesis: (db.clone(), root),
            db: RefCell::new(db),
            root: Cell::new(root),
            trie: RefCell::new(trie),
            recorder,
            tracker: RefCell::new(Tracker::new()),
            whitelist: RefCell::new(Vec::new()),
        }
    }

    /// The root of the committed state.
    pub fn root(&self) -> H256 {
        self.root.get()
    }

    fn build(db: &Db, root: H256, recorder: &Recorder<H>) -> Trie {
        recorder.reset();
        TrieBackendBuilder::new(db.clone(), root).with_recorder(recorder.clone()).build()
    }

    fn reopen(&self) {
        *self.trie.borrow_mut() = Self::build(&self.db.borrow(), self.root.get(), &self.recorder);
    }

    /// Forget all tracked keys, then mark the whitelist (so its keys are never counted).
    fn reset_tracker(&self) {
        let mut tracker = self.tracker.borrow_mut();
        tracker.clear();
        for key in self.whitelist.borrow().iter() {
            let usage = Usage { whitelisted: true, ..Usage::default() };
            tracker.insert((key.child_trie_key.clone(), key.key.clone()), usage);
        }
    }

    fn track_read(&self, child: Option<&ChildInfo>, key: &[u8]) {
        let child = child.map(|c| c.storage_key().to_vec());
        let mut tracker = self.tracker.borrow_mut();
        let usage = tracker.entry((child, key.to_vec())).or_default();
        usage.reads = usage.reads.saturating_add(1);
    }

    fn track_write(&self, child: Option<Vec<u8>>, key: &[u8]) {
        let mut tracker = self.tracker.borrow_mut();
        let usage = tracker.entry((child, key.to_vec())).or_default();
        usage.writes = usage.writes.saturating_add(1);
    }
}

/// Iterates the current trie, counting each key it yields as read.
pub struct RawIter {
    inner: <Trie as Backend<H>>::RawIter,
    child: Option<ChildInfo>,
}

impl StorageIterator<H> for RawIter {
    type Backend = BenchmarkingBackend;
    type Error = <Trie as Backend<H>>::Error;

    fn next_key(&mut self, backend: &Self::Backend) -> Option<Result<StorageKey, Self::Error>> {
        let next = self.inner.next_key(&backend.trie.borrow());
        if let Some(Ok(key)) = &next {
            backend.track_read(self.child.as_ref(), key);
        }
        next
    }

    fn next_pair(&mut self, backend: &Self::Backend) -> Option<Result<(StorageKey, StorageValue), Self::Error>> {
        let next = self.inner.next_pair(&backend.trie.borrow());
        if let Some(Ok((key, _))) = &next {
            backend.track_read(self.child.as_ref(), key);
        }
        next
    }

    fn was_complete(&self) -> bool {
        self.inner.was_complete()
    }
}

impl Backend<H> for BenchmarkingBackend {
    type Error = <Trie as Backend<H>>::Error;
    type TrieBackendStorage = Db;
    type RawIter = RawIter;

    fn storage(&self, key: &[u8]) -> Result<Option<StorageValue>, Self::Error> {
        self.track_read(None, key);
        self.trie.borrow().storage(key)
    }

    fn storage_hash(&self, key: &[u8]) -> Result<Option<H256>, Self::Error> {
        self.track_read(None, key);
        self.trie.borrow().storage_hash(key)
    }

    fn closest_merkle_value(&self, key: &[u8]) -> Result<Option<MerkleValue<H256>>, Self::Error> {
        self.track_read(None, key);
        self.trie.borrow().closest_merkle_value(key)
    }

    fn child_closest_merkle_value(
        &self,
        child_info: &ChildInfo,
        key: &[u8],
    ) -> Result<Option<MerkleValue<H256>>, Self::Error> {
        self.track_read(Some(child_info), key);
        self.trie.borrow().child_closest_merkle_value(child_info, key)
    }

    fn child_storage(&self, child_info: &ChildInfo, key: &[u8]) -> Result<Option<StorageValue>, Self::Error> {
        self.track_read(Some(child_info), key);
        self.trie.borrow().child_storage(child_info, key)
    }

    fn child_storage_hash(&self, child_info: &ChildInfo, key: &[u8]) -> Result<Option<H256>, Self::Error> {
        self.track_read(Some(child_info), key);
        self.trie.borrow().child_storage_hash(child_info, key)
    }

    fn exists_storage(&self, key: &[u8]) -> Result<bool, Self::Error> {
        self.track_read(None, key);
        self.trie.borrow().exists_storage(key)
    }

    fn exists_child_storage(&self, child_info: &ChildInfo, key: &[u8]) -> Result<bool, Self::Error> {
        self.track_read(Some(child_info), key);
        self.trie.borrow().exists_child_storage(child_info, key)
    }

    fn next_storage_key(&self, key: &[u8]) -> Result<Option<StorageKey>, Self::Error> {
        self.track_read(None, key);
        self.trie.borrow().next_storage_key(key)
    }

    fn next_child_storage_key(&self, child_info: &ChildInfo, key: &[u8]) -> Result<Option<StorageKey>, Self::Error> {
        self.track_read(Some(child_info), key);
        self.trie.borrow().next_child_storage_key(child_info, key)
    }

    fn storage_root<'a>(
        &self,
        delta: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
        state_version: StateVersion,
    ) -> (H256, BackendTransaction<H>) {
        self.trie.borrow().storage_root(delta, state_version)
    }

    fn child_storage_root<'a>(
        &self,
        child_info: &ChildInfo,
        delta: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
        state_version: StateVersion,
    ) -> (H256, bool, BackendTransaction<H>) {
        self.trie.borrow().child_storage_root(child_info, delta, state_version)
    }

    fn raw_iter(&self, args: IterArgs) -> Result<Self::RawIter, Self::Error> {
        let child = args.child_info.clone();
        Ok(RawIter { inner: self.trie.borrow().raw_iter(args)?, child })
    }

    fn register_overlay_stats(&self, stats: &sp_state_machine::StateMachineStats) {
        self.trie.borrow().register_overlay_stats(stats)
    }

    fn usage_info(&self) -> UsageInfo {
        self.trie.borrow().usage_info()
    }

    fn wipe(&self) -> Result<(), Self::Error> {
        *self.db.borrow_mut() = self.genesis.0.clone();
        self.root.set(self.genesis.1);
        self.reopen();
        self.reset_tracker();
        Ok(())
    }

    fn commit(
        &self,
        root: H256,
        transaction: BackendTransaction<H>,
        main_storage_changes: StorageCollection,
        child_storage_changes: ChildStorageCollection,
    ) -> Result<(), Self::Error> {
        self.db.borrow_mut().consolidate(transaction);
        self.root.set(root);
        for (key, _) in &main_storage_changes {
            self.track_write(None, key);
        }
        for (child, changes) in &child_storage_changes {
            for (key, _) in changes {
                self.track_write(Some(child.clone()), key);
            }
        }
        self.reopen();
        Ok(())
    }

    /// (reads, repeat reads, writes, repeat writes) of non-whitelisted keys since the last reset.
    fn read_write_count(&self) -> (u32, u32, u32, u32) {
        let mut counts = (0u32, 0u32, 0u32, 0u32);
        for usage in self.tracker.borrow().values().filter(|u| !u.whitelisted) {
            if usage.reads > 0 {
                counts.0 += 1;
                counts.1 += usage.reads - 1;
            }
            if usage.writes > 0 {
                counts.2 += 1;
                counts.3 += usage.writes - 1;
            }
        }
        counts
    }

    fn reset_read_write_count(&self) {
        self.reset_tracker()
    }

    fn get_whitelist(&self) -> Vec<TrackedStorageKey> {
        self.whitelist.borrow().clone()
    }

    fn set_whitelist(&self, new: Vec<TrackedStorageKey>) {
        *self.whitelist.borrow_mut() = new;
    }

    fn proof_size(&self) -> Option<u32> {
        Some(u32::try_from(self.recorder.estimate_encoded_size()).unwrap_or(u32::MAX))
    }

    /// Per key prefix (the first 32 bytes: pallet and storage item), how many distinct keys
    /// were read and written; what the CLI prints as storage comments.
    fn get_read_and_written_keys(&self) -> Vec<(Vec<u8>, u32, u32, bool)> {
        let mut by_prefix = BTreeMap::<Vec<u8>, (u32, u32)>::new();
        for ((_, key), usage) in self.tracker.borrow().iter().filter(|(_, u)| !u.whitelisted) {
            let entry = by_prefix.entry(key[..key.len().min(32)].to_vec()).or_default();
            entry.0 += usage.reads.min(1);
            entry.1 += usage.writes.min(1);
        }
        by_prefix.into_iter().map(|(prefix, (r, w))| (prefix, r, w, false)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_state_machine::{Ext, OverlayedChanges};

    fn genesis() -> Storage {
        Storage { top: [(b"a".to_vec(), b"1".to_vec()), (b"b".to_vec(), b"2".to_vec())].into(), ..Default::default() }
    }

    /// Runs `f` with `backend` as the externalities, as the harness does.
    fn with_ext<R>(backend: &BenchmarkingBackend, f: impl FnOnce() -> R) -> R {
        let mut overlay = OverlayedChanges::<H>::default();
        overlay.enter_runtime().unwrap();
        let mut ext = Ext::new(&mut overlay, backend, None);
        sp_externalities::set_and_run_with_externalities(&mut ext, f)
    }

    #[test]
    fn commit_then_read_sees_the_write_and_wipe_restores_genesis() {
        let backend = BenchmarkingBackend::new(genesis(), StateVersion::V1);
        let genesis_root = backend.root();
        with_ext(&backend, || {
            sp_io::storage::set(b"a", b"changed");
            sp_io::storage::set(b"c", b"new");
            frame_benchmarking::benchmarking::commit_db();
        });
        // A fresh overlay: only the backend can answer now.
        assert_eq!(backend.storage(b"a").unwrap(), Some(b"changed".to_vec()));
        assert_eq!(backend.storage(b"c").unwrap(), Some(b"new".to_vec()));
        assert_ne!(backend.root(), genesis_root);

        with_ext(&backend, frame_benchmarking::benchmarking::wipe_db);
        assert_eq!(backend.storage(b"a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(backend.storage(b"c").unwrap(), None);
        assert_eq!(backend.root(), genesis_root);
    }

    #[test]
    fn repeated_reads_and_writes_count_once_and_whitelisted_keys_not_at_all() {
        let backend = BenchmarkingBackend::new(genesis(), StateVersion::V1);
        with_ext(&backend, || {
            use frame_benchmarking::benchmarking as b;
            b::set_whitelist(vec![TrackedStorageKey::new(b"b".to_vec())]);
            b::reset_read_write_count();
            // The overlay caches nothing yet, so each get reaches the backend.
            assert_eq!(sp_io::storage::get(b"a").as_deref(), Some(&b"1"[..]));
            assert_eq!(sp_io::storage::get(b"a").as_deref(), Some(&b"1"[..]));
            assert_eq!(sp_io::storage::get(b"b").as_deref(), Some(&b"2"[..]));
            sp_io::storage::set(b"a", b"x");
            sp_io::storage::set(b"b", b"y");
            b::commit_db();
            // "a": one read (plus one repeat) and one write; "b" is whitelisted.
            assert_eq!(b::read_write_count(), (1, 1, 1, 0));
            let keys = b::get_read_and_written_keys();
            assert_eq!(keys, vec![(b"a".to_vec(), 1, 1, false)]);

            b::reset_read_write_count();
            assert_eq!(b::read_write_count(), (0, 0, 0, 0));
        });
    }

    #[test]
    fn proof_size_grows_with_reads_and_resets_on_commit() {
        let backend = BenchmarkingBackend::new(genesis(), StateVersion::V1);
        with_ext(&backend, || {
            use frame_benchmarking::benchmarking as b;
            b::commit_db();
            let before = b::proof_size().unwrap();
            let _ = sp_io::storage::get(b"a");
            let after = b::proof_size().unwrap();
            assert!(after > before, "reading a key records trie nodes: {before} -> {after}");
            b::commit_db();
            assert_eq!(b::proof_size(), Some(before));
        });
    }
}
