//! The chain database against real parity-db files: blocks with real state changes, reopening,
//! reorgs, finality rules, pruning, locking, purging and crash consistency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use codec::{Decode, Encode};
use ludus_primitives::{BlockNumber, Hash, Hashing, Header};
use ludus_storage::{purge, Database, ImportCommit, StorageError};
use sp_runtime::{generic::Digest, traits::Header as _, DigestItem, OpaqueExtrinsic, StateVersion};
use sp_state_machine::{Backend, BackendTransaction, OverlayedChanges};
use sp_trie::{LayoutV1, TrieConfiguration};
use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

/// The full key-value state a test expects at some block.
type State = BTreeMap<Vec<u8>, Vec<u8>>;

/// Storage writes of one block: `None` deletes the key.
type Writes<'a> = [(&'a [u8], Option<&'a [u8]>)];

/// A block built over its parent's state in the database, not yet committed.
struct Built {
    header: Header,
    transaction: BackendTransaction<Hashing>,
    state: State,
}

impl Built {
    fn hash(&self) -> Hash {
        self.header.hash()
    }

    fn commit(self, db: &Database, new_best: bool, finalized: bool) -> (Hash, State) {
        let hash = self.hash();
        db.commit(ImportCommit {
            body: body_of(self.header.number),
            header: self.header,
            justifications: None,
            state: self.transaction,
            new_best,
            finalized,
        })
        .unwrap();
        (hash, self.state)
    }
}

/// A body with one made-up extrinsic naming the block.
fn body_of(number: BlockNumber) -> Vec<OpaqueExtrinsic> {
    vec![OpaqueExtrinsic::try_from_encoded_extrinsic(&number.encode().encode()).unwrap()]
}

/// Builds block `number` on `parent` (hash and expected state) applying `writes`
/// (`None` deletes). `fork` tells apart siblings with the same changes.
fn build(db: &Database, parent: Option<(Hash, &State)>, number: BlockNumber, writes: &Writes, fork: u8) -> Built {
    let (parent_hash, parent_root, mut state) = match parent {
        Some((hash, state)) => (hash, db.header(&hash).unwrap().unwrap().state_root, state.clone()),
        None => (Hash::zero(), sp_trie::empty_trie_root::<LayoutV1<Hashing>>(), State::new()),
    };
    let backend = db.state_at(parent_root).unwrap();
    let mut overlay = OverlayedChanges::<Hashing>::default();
    for (key, value) in writes {
        overlay.set_storage(key.to_vec(), value.map(<[u8]>::to_vec));
        match value {
            Some(value) => state.insert(key.to_vec(), value.to_vec()),
            None => state.remove(*key),
        };
    }
    let changes = overlay.drain_storage_changes(&backend, StateVersion::V1).unwrap();
    assert_eq!(changes.transaction_storage_root, expected_root(&state), "overlay root vs sp-trie");
    let digest = Digest { logs: vec![DigestItem::Other(vec![fork])] };
    let header = Header::new(number, Hash::zero(), changes.transaction_storage_root, parent_hash, digest);
    Built { header, transaction: changes.transaction, state }
}

/// The root sp-trie computes for `state` from scratch.
fn expected_root(state: &State) -> Hash {
    LayoutV1::<Hashing>::trie_root(state.iter().map(|(k, v)| (k.clone(), v.clone())))
}

/// Asserts the database holds exactly `state` at `root`, key by key and root by root.
fn assert_state(db: &Database, root: Hash, state: &State) {
    assert_eq!(root, expected_root(state));
    let backend = db.state_at(root).unwrap();
    for (key, value) in state {
        assert_eq!(backend.storage(key).unwrap().as_ref(), Some(value), "key {key:?}");
    }
    let keys: Vec<_> = backend.keys(Default::default()).unwrap().map(Result::unwrap).collect();
    assert_eq!(keys, state.keys().cloned().collect::<Vec<_>>());
    assert_eq!(backend.storage_root(std::iter::empty(), StateVersion::V1).0, root);
}

fn root_of(db: &Database, hash: &Hash) -> Hash {
    db.header(hash).unwrap().unwrap().state_root
}

/// Genesis with two keys, committed.
fn genesis(db: &Database) -> (Hash, State) {
    let built = build(db, None, 0, &[(b"alice", Some(b"100")), (b"bob", Some(b"50"))], 0);
    let hash = built.hash();
    db.commit_genesis(built.header, built.transaction).unwrap();
    (hash, built.state)
}

#[test]
fn blocks_and_state_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Vec::new();
    {
        let db = Database::open(dir.path()).unwrap();
        assert_eq!((db.genesis_hash(), db.best(), db.finalized()), (None, None, None));
        let (g, gs) = genesis(&db);
        assert_eq!(db.genesis_hash(), Some(g));
        assert_eq!(db.best(), Some((0, g)));
        assert_eq!(db.finalized(), Some((0, g)));
        chain.push((g, gs));

        let steps: [&Writes; 3] = [
            &[(b"carol", Some(b"7")), (b"alice", Some(b"93"))],
            &[(b"bob", None), (b"big", Some(&[9u8; 200]))],
            &[(b"alice", None), (b"dave", Some(b"1"))],
        ];
        for (i, writes) in steps.iter().enumerate() {
            let number = i as BlockNumber + 1;
            let (parent, state) = chain.last().unwrap();
            let block = build(&db, Some((*parent, state)), number, writes, 0).commit(&db, true, false);
            chain.push(block);
        }
        assert_eq!(db.best(), Some((3, chain[3].0)));
        assert_eq!(db.finalized(), Some((0, g)), "commit without `finalized` leaves finality alone");
    }

    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.genesis_hash(), Some(chain[0].0));
    assert_eq!(db.best(), Some((3, chain[3].0)));
    for (number, (hash, state)) in chain.iter().enumerate() {
        let number = number as BlockNumber;
        assert_eq!(db.hash_of(number).unwrap(), Some(*hash));
        assert_eq!(db.block_number(hash).unwrap(), Some(number));
        let header = db.header(hash).unwrap().unwrap();
        if number > 0 {
            assert_eq!(header.parent_hash, chain[number as usize - 1].0);
            let body = db.body(hash).unwrap().unwrap();
            assert_eq!(body, body_of(number));
        }
        // Every block's state stays whole: archive by default.
        assert_state(&db, header.state_root, state);
        assert_state_of_block(&db, hash, state);
    }
    assert_eq!(db.hash_of(4).unwrap(), None);
    assert_eq!(db.header(&Hash::repeat_byte(1)).unwrap(), None);
    assert!(matches!(
        db.state_at(Hash::repeat_byte(1)),
        Err(StorageError::StateUnavailable { root }) if root == Hash::repeat_byte(1)
    ));
}

/// The state of block `hash`, found through its header, holds exactly `state`.
fn assert_state_of_block(db: &Database, hash: &Hash, state: &State) {
    assert_eq!(&db_state(db, hash), state);
}

#[test]
fn an_empty_genesis_state_is_readable_and_built_upon() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let built = build(&db, None, 0, &[], 0);
    let genesis = built.hash();
    assert_eq!(built.header.state_root, sp_trie::empty_trie_root::<LayoutV1<Hashing>>());
    db.commit_genesis(built.header, built.transaction).unwrap();

    let backend = db.state_of_block(&genesis).unwrap();
    assert_eq!(backend.storage(b"anything").unwrap(), None);

    let (one, state) = build(&db, Some((genesis, &State::new())), 1, &[(b"k", Some(b"v"))], 0).commit(&db, true, false);
    assert_state(&db, root_of(&db, &one), &state);
    assert_state_of_block(&db, &one, &state);
}

#[test]
fn reorgs_rewrite_the_canonical_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (g, gs) = genesis(&db);
    let (a1, a1s) = build(&db, Some((g, &gs)), 1, &[(b"a", Some(b"1"))], 0).commit(&db, true, false);
    let (a2, _) = build(&db, Some((a1, &a1s)), 2, &[(b"a", Some(b"2"))], 0).commit(&db, true, false);

    // A fork that is not (yet) best changes nothing canonical.
    let (b1, b1s) = build(&db, Some((g, &gs)), 1, &[(b"b", Some(b"1"))], 1).commit(&db, false, false);
    let (b2, b2s) = build(&db, Some((b1, &b1s)), 2, &[(b"b", Some(b"2"))], 1).commit(&db, false, false);
    assert_eq!(db.best(), Some((2, a2)));
    assert_eq!((db.hash_of(1).unwrap(), db.hash_of(2).unwrap()), (Some(a1), Some(a2)));

    // The fork grows longer and becomes best: its ancestors become canonical.
    let (b3, b3s) = build(&db, Some((b2, &b2s)), 3, &[(b"b", Some(b"3"))], 1).commit(&db, true, false);
    assert_eq!(db.best(), Some((3, b3)));
    assert_eq!(
        [db.hash_of(1).unwrap(), db.hash_of(2).unwrap(), db.hash_of(3).unwrap()],
        [Some(b1), Some(b2), Some(b3)]
    );
    assert_state(&db, root_of(&db, &b3), &b3s);

    // Back to a shorter branch: heights above it are no longer canonical.
    let (c2, _) = build(&db, Some((a1, &a1s)), 2, &[(b"c", Some(b"2"))], 2).commit(&db, true, false);
    assert_eq!(db.best(), Some((2, c2)));
    assert_eq!([db.hash_of(1).unwrap(), db.hash_of(2).unwrap()], [Some(a1), Some(c2)]);
    assert_eq!(db.hash_of(3).unwrap(), None);

    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.best(), Some((2, c2)));
    assert_eq!(db.hash_of(3).unwrap(), None);
    // Fork blocks stay readable by hash.
    assert_eq!(db.block_number(&b3).unwrap(), Some(3));
}

#[test]
fn finality_only_moves_forward_along_the_canonical_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (g, gs) = genesis(&db);
    let (a1, a1s) = build(&db, Some((g, &gs)), 1, &[(b"a", Some(b"1"))], 0).commit(&db, true, false);
    let (a2, a2s) = build(&db, Some((a1, &a1s)), 2, &[(b"a", Some(b"2"))], 0).commit(&db, true, false);
    let (b1, b1s) = build(&db, Some((g, &gs)), 1, &[(b"b", Some(b"1"))], 1).commit(&db, false, false);
    let (b2, b2s) = build(&db, Some((b1, &b1s)), 2, &[(b"b", Some(b"2"))], 1).commit(&db, false, false);

    let unknown = Hash::repeat_byte(7);
    assert!(matches!(db.finalize(&unknown, None), Err(StorageError::UnknownBlock(h)) if h == unknown));
    assert!(matches!(db.finalize(&b1, None), Err(StorageError::NotCanonical { number: 1, .. })));

    let justification = (*b"FRNK", vec![1, 2, 3]);
    db.finalize(&a2, Some(justification.clone())).unwrap();
    assert_eq!(db.finalized(), Some((2, a2)));
    assert_eq!(db.justifications(&a2).unwrap().unwrap().get(*b"FRNK"), Some(&vec![1, 2, 3]));
    assert!(matches!(db.finalize(&a1, None), Err(StorageError::FinalizeBackwards { number: 1, finalized: 2 })));
    // Finalizing the finalized block again is harmless and keeps the first justification.
    db.finalize(&a2, Some((*b"FRNK", vec![9]))).unwrap();
    assert_eq!(db.justifications(&a2).unwrap().unwrap().get(*b"FRNK"), Some(&vec![1, 2, 3]));

    // Blocks that conflict with finality are refused whole.
    let late = build(&db, Some((b1, &b1s)), 2, &[(b"b", Some(b"late"))], 2);
    let late_hash = late.hash();
    assert!(matches!(
        db.commit(ImportCommit {
            header: late.header,
            body: vec![],
            justifications: None,
            state: late.transaction,
            new_best: false,
            finalized: false,
        }),
        Err(StorageError::BelowFinalized { number: 2, finalized: 2, .. })
    ));
    assert_eq!(db.header(&late_hash).unwrap(), None);
    let b3 = build(&db, Some((b2, &b2s)), 3, &[(b"b", Some(b"3"))], 1);
    let b3_hash = b3.hash();
    assert!(matches!(
        db.commit(ImportCommit {
            header: b3.header,
            body: vec![],
            justifications: None,
            state: b3.transaction,
            new_best: true,
            finalized: false,
        }),
        Err(StorageError::RevertsFinalized { finalized: 2, finalized_hash, .. }) if finalized_hash == a2
    ));
    assert_eq!(db.header(&b3_hash).unwrap(), None);
    assert_eq!(db.best(), Some((2, a2)));
    assert_eq!(db.hash_of(1).unwrap(), Some(a1), "a refused reorg rewrites nothing");

    // Above the finalized block, forks compete freely.
    let (x3, x3s) = build(&db, Some((a2, &a2s)), 3, &[(b"x", Some(b"3"))], 5).commit(&db, false, false);
    let (_y3, _) = build(&db, Some((a2, &a2s)), 3, &[(b"y", Some(b"3"))], 6).commit(&db, true, false);
    let (b4, _) = build(&db, Some((x3, &x3s)), 4, &[(b"x", Some(b"4"))], 5).commit(&db, true, false);
    assert_eq!(db.best(), Some((4, b4)));
    assert_eq!(db.hash_of(3).unwrap(), Some(x3));

    // Import with a justification: finalized at once, stored, and made best.
    let built = build(&db, Some((b4, &db_state(&db, &b4))), 5, &[(b"z", Some(b"5"))], 0);
    let b5 = built.hash();
    let justifications = sp_runtime::Justifications::from(justification);
    db.commit(ImportCommit {
        header: built.header,
        body: vec![],
        justifications: Some(justifications.clone()),
        state: built.transaction,
        new_best: false,
        finalized: true,
    })
    .unwrap();
    assert_eq!(db.finalized(), Some((5, b5)));
    assert_eq!(db.best(), Some((5, b5)));
    assert_eq!(db.justifications(&b5).unwrap(), Some(justifications));

    // Refusals: the same block twice, a second genesis, an unknown parent, no genesis.
    let again = build(&db, Some((b4, &db_state(&db, &b4))), 5, &[(b"z", Some(b"5"))], 0);
    assert!(matches!(
        db.commit(ImportCommit {
            header: again.header,
            body: vec![],
            justifications: None,
            state: again.transaction,
            new_best: true,
            finalized: false,
        }),
        Err(StorageError::AlreadyImported { number: 5, .. })
    ));
    let other_genesis = build(&db, None, 0, &[(b"other", Some(b"chain"))], 0);
    assert!(matches!(
        db.commit_genesis(other_genesis.header, other_genesis.transaction),
        Err(StorageError::GenesisExists { existing, .. }) if existing == g
    ));
    let mut orphan = build(&db, Some((b5, &db_state(&db, &b5))), 6, &[], 0);
    orphan.header.parent_hash = unknown;
    assert!(matches!(
        db.commit(ImportCommit {
            header: orphan.header,
            body: vec![],
            justifications: None,
            state: orphan.transaction,
            new_best: true,
            finalized: false,
        }),
        Err(StorageError::UnknownParent { number: 6, parent, .. }) if parent == unknown
    ));

    let empty_dir = tempfile::tempdir().unwrap();
    let empty = Database::open(empty_dir.path()).unwrap();
    let block = build(&empty, None, 1, &[], 0);
    assert!(matches!(
        empty.commit(ImportCommit {
            header: block.header,
            body: vec![],
            justifications: None,
            state: block.transaction,
            new_best: true,
            finalized: false,
        }),
        Err(StorageError::NoGenesis)
    ));

    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.finalized(), Some((5, b5)));
}

/// The whole state of block `hash`, read back from the database.
fn db_state(db: &Database, hash: &Hash) -> State {
    let backend = db.state_of_block(hash).unwrap();
    backend.pairs(Default::default()).unwrap().map(Result::unwrap).collect()
}

#[test]
fn pruning_drops_old_and_stale_states_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (g, gs) = genesis(&db);
    let mut chain = vec![(g, gs)];
    for number in 1..=6u32 {
        let (parent, state) = chain.last().unwrap();
        let value = number.to_le_bytes();
        let key = format!("key{number}");
        // Overwrite one key each block (dropping the old leaf) and add one; `alice` never
        // changes, so genesis nodes stay shared by every block.
        let writes: [(&[u8], Option<&[u8]>); 2] = [(b"counter", Some(&value)), (key.as_bytes(), Some(&value))];
        chain.push(build(&db, Some((*parent, state)), number, &writes, 0).commit(&db, true, false));
    }
    // Stale fork at height 2, and one above the finalized height that must survive.
    let (stale, stale_state) =
        build(&db, Some((chain[1].0, &chain[1].1)), 2, &[(b"fork", Some(b"x"))], 9).commit(&db, false, false);
    let (live_fork, live_state) =
        build(&db, Some((chain[4].0, &chain[4].1)), 5, &[(b"fork", Some(b"y"))], 9).commit(&db, false, false);

    // Nothing finalized beyond genesis: nothing to prune yet.
    let outcome = db.prune_state(3).unwrap();
    assert_eq!(outcome.pruned_below, 0);
    assert_eq!(outcome.canonical_released + outcome.stale_discarded, 1, "only genesis' empty journal");

    db.finalize(&chain[4].0, None).unwrap();
    let outcome = db.prune_state(3).unwrap();
    assert_eq!(outcome.pruned_below, 3);
    assert_eq!((outcome.canonical_released, outcome.stale_discarded), (3, 1));
    assert_eq!(db.pruned_below(), 3);
    // Applying journals twice would corrupt counts; a repeat must do nothing.
    let again = db.prune_state(3).unwrap();
    assert_eq!((again.pruned_below, again.canonical_released, again.stale_discarded), (3, 0, 0));

    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.pruned_below(), 3);
    for (number, (hash, state)) in chain.iter().enumerate() {
        let root = root_of(&db, hash);
        if number < 3 {
            assert!(
                matches!(db.state_at(root), Err(StorageError::StateUnavailable { .. })),
                "state of #{number} should be pruned"
            );
            // Block data stays.
            assert!(db.body(hash).unwrap().is_some());
        } else {
            assert_state(&db, root, state);
        }
    }
    assert!(matches!(db.state_at(root_of(&db, &stale)), Err(StorageError::StateUnavailable { .. })));
    assert_ne!(stale_state, State::new());
    assert_state(&db, root_of(&db, &live_fork), &live_state);

    // Pruning is clamped to finality: asking for more only goes up to the finalized block.
    let outcome = db.prune_state(100).unwrap();
    assert_eq!(outcome.pruned_below, 4);
    // Reopened, because released nodes may still be served from parity-db's in-memory commit
    // queue until its background writer has processed the commit.
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert!(matches!(db.state_at(root_of(&db, &chain[3].0)), Err(StorageError::StateUnavailable { .. })));
    for (hash, state) in &chain[4..] {
        assert_state(&db, root_of(&db, hash), state);
    }
    assert_state(&db, root_of(&db, &live_fork), &live_state);

    // The chain goes on from a pruned database.
    let (tip, tip_state) = chain.last().unwrap();
    let (next, next_state) =
        build(&db, Some((*tip, tip_state)), 7, &[(b"counter", Some(b"7"))], 0).commit(&db, true, true);
    assert_state(&db, root_of(&db, &next), &next_state);
}

#[test]
fn a_second_open_of_the_same_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _db = Database::open(dir.path()).unwrap();
    let err = Database::open(dir.path()).err().expect("second open must fail");
    assert!(matches!(err, StorageError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("--base-path"), "{err}");
}

#[test]
fn a_database_in_another_layout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let options = parity_db::Options::with_columns(dir.path(), 2);
    drop(parity_db::Db::open_or_create(&options).unwrap());
    let err = Database::open(dir.path()).err().expect("foreign layout must be refused");
    assert!(matches!(err, StorageError::IncompatibleLayout { .. }), "{err}");
    assert!(err.to_string().contains("purge-chain"), "{err}");
}

#[test]
fn purge_removes_the_database_but_nothing_else() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("db");
    let genesis_hash = {
        let db = Database::open(&path).unwrap();
        genesis(&db);
        let files: Vec<_> = std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()).collect();
        let err = purge(&path).expect_err("never purge a live db");
        assert!(matches!(err, StorageError::InUse { .. }), "{err}");
        assert!(err.to_string().contains("stop that node first"), "{err}");
        for file in &files {
            assert!(file.exists(), "a refused purge removed {}", file.display());
        }
        // The holder did not notice.
        assert_eq!(db.best().map(|(number, _)| number), Some(0));
        db.genesis_hash().unwrap()
    };
    // Closed, the database is intact: it opens with its chain.
    assert_eq!(Database::open(&path).unwrap().genesis_hash(), Some(genesis_hash));
    purge(&path).unwrap();
    assert!(!path.exists());
    purge(&path).unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(db.genesis_hash(), None);
    drop(db);

    let not_a_db = root.path().join("home");
    std::fs::create_dir(&not_a_db).unwrap();
    std::fs::write(not_a_db.join("precious.txt"), b"keep").unwrap();
    assert!(matches!(purge(&not_a_db), Err(StorageError::NotADatabase { .. })));
    assert!(not_a_db.join("precious.txt").exists());
}

/// What the crash child prints once it has opened the database (libtest may put its own
/// text before it on the same line).
const CHILD_READY: &str = "crash-child-ready";

/// Where the crash child finds its database.
const CRASH_DB_ENV: &str = "LUDUS_STORAGE_CRASH_DB";

/// Run by `a_killed_writer_leaves_whole_blocks_only` in a child process: commits blocks,
/// finalizes and prunes forever until killed.
#[test]
#[ignore = "child process of a_killed_writer_leaves_whole_blocks_only"]
fn crash_child() {
    let path = std::env::var(CRASH_DB_ENV).expect("run by a_killed_writer_leaves_whole_blocks_only");
    let db = Database::open(&path).unwrap();
    let (mut number, mut hash) = db.best().unwrap();
    let mut state = db_state(&db, &hash);
    println!("{CHILD_READY}");
    loop {
        number += 1;
        let counter = number.encode();
        let filler = vec![number as u8; 300];
        let fresh = format!("key{number}");
        let old = format!("key{}", number.saturating_sub(3));
        let writes: [(&[u8], Option<&[u8]>); 3] =
            [(b"counter", Some(&counter)), (fresh.as_bytes(), Some(&filler)), (old.as_bytes(), None)];
        let finalized = number % 4 == 0;
        (hash, state) = build(&db, Some((hash, &state)), number, &writes, 0).commit(&db, true, finalized);
        if number % 8 == 0 {
            db.prune_state(number - 4).unwrap();
        }
    }
}

#[test]
fn a_killed_writer_leaves_whole_blocks_only() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::open(dir.path()).unwrap();
        genesis(&db);
    }
    let exe = std::env::current_exe().unwrap();
    for round in 0..6u64 {
        let mut child = Command::new(&exe)
            .args(["--ignored", "--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CRASH_DB_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let ready = BufReader::new(stdout).lines().map_while(Result::ok).any(|line| line.contains(CHILD_READY));
        assert!(ready, "crash child did not start");
        // Different moments in the commit cycle each round.
        std::thread::sleep(Duration::from_millis(40 + round * 53));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        check_consistent(dir.path());
    }
    let db = Database::open(dir.path()).unwrap();
    assert!(db.best().unwrap().0 > 0, "the children committed nothing that survived");
}

/// Everything a reopened database says agrees: canonical chain, best, finality, state.
fn check_consistent(path: &Path) {
    let db = Database::open(path).unwrap();
    let (best, best_hash) = db.best().unwrap();
    let (finalized, finalized_hash) = db.finalized().unwrap();
    assert!(finalized <= best);
    assert_eq!(db.hash_of(finalized).unwrap(), Some(finalized_hash));
    assert_eq!(db.hash_of(best).unwrap(), Some(best_hash));
    assert_eq!(db.hash_of(best + 1).unwrap(), None);
    let mut parent = None;
    for number in 0..=best {
        let hash = db.hash_of(number).unwrap().unwrap_or_else(|| panic!("no canonical #{number}"));
        let header = db.header(&hash).unwrap().unwrap();
        assert_eq!(header.number, number);
        if let Some(parent) = parent {
            assert_eq!(header.parent_hash, parent);
        }
        assert!(db.body(&hash).unwrap().is_some());
        if number >= db.pruned_below().max(1) {
            let backend = db.state_at(header.state_root).unwrap();
            let counter = backend.storage(b"counter").unwrap().unwrap();
            assert_eq!(u32::decode(&mut &counter[..]).unwrap(), number);
            assert!(backend.storage(format!("key{number}").as_bytes()).unwrap().is_some());
            assert_eq!(backend.storage_root(std::iter::empty(), StateVersion::V1).0, header.state_root);
        }
        parent = Some(hash);
    }
}

#[test]
fn finality_prunes_abandoned_forks_and_keeps_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (g, gs) = genesis(&db);
    let (a1, a1s) = build(&db, Some((g, &gs)), 1, &[(b"a", Some(b"1"))], 0).commit(&db, true, false);
    let (a2, a2s) = build(&db, Some((a1, &a1s)), 2, &[(b"a", Some(b"2"))], 0).commit(&db, true, false);
    // Two forks off genesis and off #1; one reaches above the height that will be final.
    let (b1, b1s) = build(&db, Some((g, &gs)), 1, &[(b"b", Some(b"1"))], 1).commit(&db, false, false);
    let (b2, b2s) = build(&db, Some((b1, &b1s)), 2, &[(b"b", Some(b"2"))], 1).commit(&db, false, false);
    let (b3, _) = build(&db, Some((b2, &b2s)), 3, &[(b"b", Some(b"3"))], 1).commit(&db, false, false);
    let (c2, _) = build(&db, Some((a1, &a1s)), 2, &[(b"c", Some(b"2"))], 2).commit(&db, false, false);
    // b3 is the longest chain here, but it was never made best: fork choice is the caller's.
    assert_eq!(db.blocks_above(1).unwrap().len(), 4, "a2, b2, c2, b3");
    assert_eq!(db.blocks_above(2).unwrap(), vec![(3, b3)]);

    db.finalize(&a2, None).unwrap();
    assert_eq!(db.prune_forks(1).unwrap(), 1, "only b1 is at or below #1");
    assert!(db.header(&b2).unwrap().is_some());
    assert_eq!(db.prune_forks(u32::MAX).unwrap(), 2, "b2 and c2 are at the final height; clamped to it");
    for gone in [b1, b2, c2] {
        assert_eq!(db.header(&gone).unwrap(), None);
        assert_eq!(db.body(&gone).unwrap(), None);
    }
    // b3 is above the final height: it goes once finality passes it.
    assert!(db.header(&b3).unwrap().is_some());
    assert_eq!(db.prune_forks(u32::MAX).unwrap(), 0, "a second call has nothing to do");
    // The canonical chain and its state are whole.
    assert_state(&db, root_of(&db, &a2), &a2s);
    assert_state(&db, root_of(&db, &a1), &a1s);
    let (a3, _) = build(&db, Some((a2, &a2s)), 3, &[(b"a", Some(b"3"))], 0).commit(&db, true, false);
    db.finalize(&a3, None).unwrap();
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.prune_forks(u32::MAX).unwrap(), 1, "b3, after a restart");
    assert_eq!(db.header(&b3).unwrap(), None);
    assert_eq!(db.blocks_above(0).unwrap().iter().map(|(_, h)| *h).collect::<Vec<_>>(), vec![a1, a2, a3]);
}

#[test]
fn set_best_moves_the_canonical_chain_but_never_below_finality() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (g, gs) = genesis(&db);
    let (a1, a1s) = build(&db, Some((g, &gs)), 1, &[(b"a", Some(b"1"))], 0).commit(&db, true, false);
    let (a2, a2s) = build(&db, Some((a1, &a1s)), 2, &[(b"a", Some(b"2"))], 0).commit(&db, true, false);
    let (a3, _) = build(&db, Some((a2, &a2s)), 3, &[(b"a", Some(b"3"))], 0).commit(&db, true, false);
    let (b2, _) = build(&db, Some((a1, &a1s)), 2, &[(b"b", Some(b"2"))], 1).commit(&db, false, false);
    db.set_best(&b2).unwrap();
    assert_eq!(db.best(), Some((2, b2)));
    assert_eq!([db.hash_of(1).unwrap(), db.hash_of(2).unwrap(), db.hash_of(3).unwrap()], [Some(a1), Some(b2), None]);
    db.finalize(&b2, None).unwrap();
    assert!(matches!(db.set_best(&a3), Err(StorageError::RevertsFinalized { .. })));
    assert_eq!(db.best(), Some((2, b2)), "a refused move changes nothing");
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!((db.best(), db.finalized()), (Some((2, b2)), Some((2, b2))));
}

/// Where the abort child finds its database, and which way it finalizes.
const ABORT_DB_ENV: &str = "LUDUS_STORAGE_ABORT_DB";
const ABORT_MODE_ENV: &str = "LUDUS_STORAGE_ABORT_MODE";

/// What the abort child prints, followed by the SCALE hex of the `(number, hash)` it was told
/// is finalized, just before it aborts.
const REPORTED_FINALIZED: &str = "reported-finalized:";

/// What the abort child prints, followed by the SCALE hex of the best block it then imported.
const REPORTED_BEST: &str = "reported-best:";

/// Run by `a_block_is_on_disk_once_finality_is_reported` in a child process: imports blocks,
/// finalizes the last one (through `finalize`, or on import in mode `import`), prints what the
/// database then reports finalized and aborts at once, as a crash or `kill -9` would.
#[test]
#[ignore = "child process of a_block_is_on_disk_once_finality_is_reported"]
fn abort_child() {
    let path = std::env::var(ABORT_DB_ENV).expect("run by a_block_is_on_disk_once_finality_is_reported");
    let finalize_on_import = std::env::var(ABORT_MODE_ENV).as_deref() == Ok("import");
    let db = Database::open(&path).unwrap();
    let (mut number, mut hash) = db.best().unwrap();
    let mut state = db_state(&db, &hash);
    for _ in 0..3 {
        number += 1;
        let counter = number.encode();
        let writes: [(&[u8], Option<&[u8]>); 1] = [(b"counter", Some(&counter))];
        (hash, state) = build(&db, Some((hash, &state)), number, &writes, 0).commit(&db, true, finalize_on_import);
    }
    if !finalize_on_import {
        db.finalize(&hash, None).unwrap();
    }
    let reported = db.finalized().unwrap();
    assert_eq!(reported, (number, hash));
    println!("{REPORTED_FINALIZED}{}", hex(&reported.encode()));
    // A block not final yet is not synced at once, but it is written: a crash keeps it.
    let counter = (number + 1).encode();
    let writes: [(&[u8], Option<&[u8]>); 1] = [(b"counter", Some(&counter))];
    let (best, _) = build(&db, Some((hash, &state)), number + 1, &writes, 0).commit(&db, true, false);
    println!("{REPORTED_BEST}{}", hex(&(number + 1, best).encode()));
    std::process::abort();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// "Finalized means on disk": whatever the database reported finalized before the process died
/// is there, with its block and state, when the database is opened again.
#[test]
fn a_block_is_on_disk_once_finality_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::open(dir.path()).unwrap();
        genesis(&db);
    }
    let exe = std::env::current_exe().unwrap();
    for mode in ["finalize", "import", "finalize", "import"] {
        let output = Command::new(&exe)
            .args(["--ignored", "--exact", "abort_child", "--nocapture", "--test-threads=1"])
            .env(ABORT_DB_ENV, dir.path())
            .env(ABORT_MODE_ENV, mode)
            .stderr(Stdio::null())
            .output()
            .unwrap();
        assert!(!output.status.success(), "the abort child must die by abort");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let reported_block = |what: &str| {
            let line = stdout
                .lines()
                .find_map(|line| line.split_once(what).map(|(_, hex)| hex.trim().to_string()))
                .unwrap_or_else(|| panic!("the abort child reported no {what} ({mode}): {stdout}"));
            <(BlockNumber, Hash)>::decode(&mut &unhex(&line)[..]).unwrap()
        };
        let (reported, reported_hash) = reported_block(REPORTED_FINALIZED);
        let (reported_best, reported_best_hash) = reported_block(REPORTED_BEST);

        let db = Database::open(dir.path()).unwrap();
        let (finalized, _) = db.finalized().unwrap();
        assert!(finalized >= reported, "finalized #{reported} ({mode}) was reported, #{finalized} survived the crash");
        assert_eq!(db.hash_of(reported).unwrap(), Some(reported_hash), "another block at #{reported} ({mode})");
        let root = root_of(&db, &reported_hash);
        let counter = db.state_at(root).unwrap().storage(b"counter").unwrap().unwrap();
        assert_eq!(u32::decode(&mut &counter[..]).unwrap(), reported);
        assert_eq!(db.best(), Some((reported_best, reported_best_hash)), "best block lost ({mode})");
    }
}

/// Every synced write closes a log file; the enactor must copy them into the tables and recycle
/// them, or they would pile up (and parity-db would stall waiting for a cleaner).
#[test]
fn synced_logs_are_recycled_not_piled_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (mut hash, mut state) = genesis(&db);
    for number in 1..=200 {
        let counter = number.encode();
        let writes: [(&[u8], Option<&[u8]>); 1] = [(b"counter", Some(&counter))];
        (hash, state) = build(&db, Some((hash, &state)), number, &writes, 0).commit(&db, true, number % 2 == 0);
    }
    let logs = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name().to_string_lossy().starts_with("log"))
        .count();
    // parity-db keeps at most 16 cleaned logs for reuse, beside the few the enactor has not
    // enacted (writers wait when it is 4 syncs behind, each closing up to 2) or cleaned (4).
    assert!(logs <= 16 + 10 + 4, "{logs} log files after 200 writes");
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.finalized(), Some((200, hash)));
    assert_state(&db, root_of(&db, &hash), &state);
}

/// Where the write-failure child finds its database.
const FULL_DB_ENV: &str = "LUDUS_STORAGE_FULL_DB";

/// What the write-failure child prints about each write.
const WRITE_OUTCOME: &str = "write-outcome:";

/// Sets the largest file this process may write (`RLIM_INFINITY`: no limit).
fn limit_file_size(bytes: libc::rlim_t) {
    // SAFETY: plain libc calls with valid arguments. SIGXFSZ ignored, a write past the limit
    // fails with EFBIG, as one on a full disk fails with ENOSPC, instead of killing us.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let limit = libc::rlimit { rlim_cur: bytes, rlim_max: libc::RLIM_INFINITY };
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
}

/// Run by `a_failed_write_fails_its_caller_halts_writing_and_resumes_when_space_returns`: once
/// one block is in, files may not grow past 1 MiB (as if the disk were full); a block with a
/// 2 MiB value must then fail, and so must a small block right after it. Then the limit goes
/// (space returns) and, a reopening interval later, the small block goes in. Prints each
/// outcome and the finalized number, then aborts.
#[test]
#[ignore = "child process of a_failed_write_fails_its_caller_halts_writing_and_resumes_when_space_returns"]
fn write_failure_child() {
    let path = std::env::var(FULL_DB_ENV).expect("run by a_failed_write_fails_its_caller_…");
    let db = Database::open(&path).unwrap();
    let (_, hash) = db.best().unwrap();
    let state = db_state(&db, &hash);
    let (hash, state) = build(&db, Some((hash, &state)), 1, &[(b"counter", Some(&[1]))], 0).commit(&db, true, true);
    let commit = |writes: &Writes| {
        let built = build(&db, Some((hash, &state)), 2, writes, 0);
        let result = db.commit(ImportCommit {
            body: body_of(2),
            header: built.header,
            justifications: None,
            state: built.transaction,
            new_best: true,
            finalized: true,
        });
        println!("{WRITE_OUTCOME}{}", result.map_or_else(|e| format!("error: {e}"), |()| "ok".into()));
    };

    limit_file_size(1 << 20);
    commit(&[(b"big", Some(&vec![7u8; 2 << 20]))]);
    commit(&[(b"counter", Some(&[2]))]);
    limit_file_size(libc::RLIM_INFINITY);
    std::thread::sleep(Duration::from_millis(1100));
    commit(&[(b"counter", Some(&[2]))]);
    println!("{WRITE_OUTCOME}finalized {:?}", db.finalized().map(|(number, _)| number));
    std::process::abort();
}

/// A write the disk refuses fails in the call that made it (not later, in the background, after
/// its block was reported imported or final); writing then stops, so nothing is reported
/// durable that the torn log would lose; once space returns the database reopens by itself and
/// writes go on, durably.
#[test]
fn a_failed_write_fails_its_caller_halts_writing_and_resumes_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::open(dir.path()).unwrap();
        genesis(&db);
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "write_failure_child", "--nocapture", "--test-threads=1"])
        .env(FULL_DB_ENV, dir.path())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let outcomes: Vec<&str> =
        stdout.lines().filter_map(|line| line.split_once(WRITE_OUTCOME).map(|(_, outcome)| outcome)).collect();
    assert_eq!(outcomes.len(), 4, "the write-failure child did not finish: {stdout}");
    assert!(outcomes[0].starts_with("error: database error"), "the refused write succeeded: {}", outcomes[0]);
    assert!(outcomes[0].contains("free disk space"), "{}", outcomes[0]);
    assert!(
        outcomes[1].starts_with("error: the chain database stopped writing"),
        "a write right after a failed one succeeded: {}",
        outcomes[1]
    );
    assert_eq!(outcomes[2], "ok", "writing did not resume once files could grow again");
    assert_eq!(outcomes[3], "finalized Some(2)");

    // What was written after the reopening is on disk, and the chain goes on.
    check_finalized_chain_of(dir.path(), 2);
    let db = Database::open(dir.path()).unwrap();
    let (_, hash) = db.best().unwrap();
    let state = db_state(&db, &hash);
    build(&db, Some((hash, &state)), 3, &[(b"counter", Some(&[3]))], 0).commit(&db, true, true);
    assert_eq!(db.finalized().unwrap().0, 3);
}

/// The database at `path` reopens with best and finalized block `number`, the chain linked.
fn check_finalized_chain_of(path: &Path, number: BlockNumber) {
    let db = Database::open(path).unwrap();
    assert_eq!(db.best().unwrap().0, number);
    assert_eq!(db.finalized().unwrap().0, number);
    let mut hash = db.best().unwrap().1;
    for n in (0..=number).rev() {
        assert_eq!(db.hash_of(n).unwrap(), Some(hash));
        hash = db.header(&hash).unwrap().unwrap().parent_hash;
    }
}

/// parity-db writes its tables through memory maps, where a full disk is SIGBUS rather than
/// an error: below the reserve nothing is written, the write fails cleanly, and the first one
/// after space returns goes ahead.
#[test]
fn writing_stops_below_the_disk_reserve_and_resumes_above_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let (genesis_hash, state) = genesis(&db);
    // No disk has this much free: the reserve is not met.
    db.reserve_disk_space(u64::MAX);
    let block = build(&db, Some((genesis_hash, &state)), 1, &[(b"counter", Some(&[1]))], 0);
    let refused = db.commit(ImportCommit {
        header: block.header.clone(),
        body: body_of(1),
        justifications: None,
        state: block.transaction.clone(),
        new_best: true,
        finalized: true,
    });
    assert!(matches!(refused, Err(StorageError::DiskFull { .. })), "{refused:?}");
    assert!(refused.unwrap_err().to_string().contains("free disk space"));
    assert_eq!(db.finalized().unwrap().0, 0);
    assert!(db.header(&block.hash()).unwrap().is_none(), "a refused block is not half in");

    // Space returns.
    db.reserve_disk_space(ludus_storage::DEFAULT_RESERVED_DISK_BYTES);
    let (hash, _) = block.commit(&db, true, true);
    assert_eq!(db.finalized(), Some((1, hash)));
}
