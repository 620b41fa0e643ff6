//! The start-up check: is the database whole enough to run on?
//!
//! A database with a table file deleted, an index file truncated or a disk sector lost opens
//! without complaint: parity-db checks its metadata, not its contents. Left alone, such a node
//! starts, answers `system_health` and then fails later and far from the cause (a runtime
//! panicking on a storage entry that is not there, authoring refusing every slot, an RPC call
//! failing inside parity-db). [`Database::check`] reads, before the node runs, everything it
//! needs to run: the genesis, best and finalized blocks, the canonical chain between the last
//! two, and every node of their states' tries. Whatever is missing or wrong is reported as
//! [`StorageError::Damaged`], whose message says what to do.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    time::{Duration, Instant},
};

use ludus_primitives::{BlockNumber, Hash, Header};
use sp_state_machine::{Backend as _, TrieBackendBuilder};

use crate::{state::StateStore, ChainMeta, Database, StorageError};

/// Most canonical blocks between the finalized and the best block that are walked one by one
/// (normally a handful; GRANDPA stalled for longer leaves more, checked from the best down).
const MAX_UNFINALIZED_WALK: BlockNumber = 4_096;

/// What [`Database::check`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The best block.
    pub best: (BlockNumber, Hash),
    /// The last finalized block.
    pub finalized: (BlockNumber, Hash),
    /// Canonical blocks whose header and body were read, and their links checked.
    pub blocks: u32,
    /// Key-value pairs read from the best and finalized states (every trie node on the way).
    pub state_entries: u64,
    /// How long the check took.
    pub elapsed: Duration,
}

impl Database {
    /// Checks that the database holds what a node needs to run on it: the genesis block, the
    /// best and finalized blocks where the metadata says and on one canonical chain, their
    /// headers and bodies, and the whole state trie of the best and of the finalized block.
    ///
    /// `Ok(None)` for a database without a genesis yet (nothing to check). A missing or
    /// undecodable entry, a broken link, a missing trie node, or a panic inside parity-db
    /// while reading are all [`StorageError::Damaged`]. Reads only; takes time proportional to
    /// the state's size (every node of one state, read once).
    pub fn check(&self) -> Result<Option<CheckReport>, StorageError> {
        let meta = *self.chain.read();
        if meta.genesis.is_none() {
            return Ok(None);
        }
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.check_chain(meta)));
        let mut report = match outcome {
            Ok(Ok(report)) => report,
            Ok(Err(StorageError::Damaged { what, .. })) => return Err(self.damaged(what)),
            Ok(Err(other)) => return Err(self.damaged(other.to_string())),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("no message");
                return Err(self.damaged(format!("reading it made parity-db panic: {message}")));
            }
        };
        report.elapsed = started.elapsed();
        Ok(Some(report))
    }

    fn damaged(&self, what: impl Into<String>) -> StorageError {
        StorageError::Damaged { path: self.path.clone(), what: what.into() }
    }

    fn check_chain(&self, meta: ChainMeta) -> Result<CheckReport, StorageError> {
        let (Some(genesis), Some(best), Some(finalized)) = (meta.genesis, meta.best, meta.finalized) else {
            return Err(self.damaged("the best or finalized block is missing from the metadata beside a genesis"));
        };
        let genesis_header = self.expect_canonical(0, genesis, "the genesis block")?;
        if !genesis_header.parent_hash.is_zero() {
            return Err(self.damaged(format!("the genesis header {genesis:?} has a parent")));
        }
        if finalized.0 > best.0 {
            return Err(self.damaged(format!("finalized #{} is above best #{}", finalized.0, best.0)));
        }
        let best_header = self.expect_canonical(best.0, best.1, "the best block")?;
        let finalized_header = self.expect_canonical(finalized.0, finalized.1, "the finalized block")?;

        // The canonical chain from the best block down to the finalized one, link by link.
        let mut blocks = 0u32;
        let mut child = best_header.clone();
        let lowest = finalized.0.max(best.0.saturating_sub(MAX_UNFINALIZED_WALK));
        while child.number > lowest {
            let number = child.number - 1;
            let parent = self.expect_canonical(number, child.parent_hash, "an unfinalized canonical block")?;
            blocks += 1;
            child = parent;
        }
        if best.0 - finalized.0 <= MAX_UNFINALIZED_WALK && child.hash() != finalized.1 {
            return Err(self.damaged(format!(
                "the best block #{} does not descend from the finalized block #{} ({:?})",
                best.0, finalized.0, finalized.1
            )));
        }

        let mut state_entries = self.walk_state(&best_header, "best")?;
        if finalized_header.state_root != best_header.state_root {
            state_entries += self.walk_state(&finalized_header, "finalized")?;
        }
        // The best block, those walked below it, and the genesis and finalized ones if apart.
        let blocks = 1 + blocks + u32::from(lowest > 0) + u32::from(finalized.0 < lowest);
        Ok(CheckReport { best, finalized, blocks, state_entries, elapsed: Duration::ZERO })
    }

    /// The header of canonical block `number`, which must be `hash`, with its body.
    fn expect_canonical(&self, number: BlockNumber, hash: Hash, what: &str) -> Result<Header, StorageError> {
        let at = |e: StorageError| self.damaged(format!("{what} #{number} ({hash:?}): {e}"));
        match self.hash_of(number).map_err(at)? {
            Some(canonical) if canonical == hash => {}
            Some(other) => {
                return Err(self.damaged(format!("the canonical chain has {other:?} at #{number}, not {what} {hash:?}")))
            }
            None => return Err(self.damaged(format!("the canonical chain has no block at #{number} ({what})"))),
        }
        let header = self
            .header(&hash)
            .map_err(at)?
            .ok_or_else(|| self.damaged(format!("the header of {what} #{number} ({hash:?}) is missing")))?;
        if header.number != number || header.hash() != hash {
            return Err(self.damaged(format!("the header stored for {what} #{number} ({hash:?}) is another block's")));
        }
        if self.body(&hash).map_err(at)?.is_none() {
            return Err(self.damaged(format!("the body of {what} #{number} ({hash:?}) is missing")));
        }
        Ok(header)
    }

    /// Reads every key-value pair of the state after `header`, so every trie node; returns how
    /// many pairs.
    fn walk_state(&self, header: &Header, which: &str) -> Result<u64, StorageError> {
        let root = header.state_root;
        let backend = TrieBackendBuilder::new(StateStore::new(self.db.clone()), root).build();
        let unreadable =
            |e: String| self.damaged(format!("the state of the {which} block #{} (root {root:?}): {e}", header.number));
        let mut entries = 0u64;
        for pair in backend.pairs(Default::default()).map_err(unreadable)? {
            pair.map_err(unreadable)?;
            entries += 1;
        }
        if entries == 0 {
            return Err(unreadable("no entries at all".into()));
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        schema::{self, col, number_key},
        ImportCommit,
    };
    use codec::Encode;
    use parity_db::{Db, Operation};
    use sp_runtime::{generic::Digest, traits::Header as _, OpaqueExtrinsic, StateVersion};
    use sp_state_machine::OverlayedChanges;
    use std::path::Path;

    /// Commits genesis and blocks #1..=#3 (finalized up to #1), each writing 20 keys.
    fn chain(path: &Path) -> Vec<Header> {
        let db = Database::open(path).unwrap();
        let mut headers: Vec<Header> = Vec::new();
        for number in 0..4u32 {
            let (parent_hash, parent_root) = match headers.last() {
                Some(parent) => (parent.hash(), parent.state_root),
                None => (Hash::zero(), sp_trie::empty_trie_root::<sp_trie::LayoutV1<ludus_primitives::Hashing>>()),
            };
            let backend = db.state_at(parent_root).unwrap();
            let mut overlay = OverlayedChanges::<ludus_primitives::Hashing>::default();
            for key in 0..20u32 {
                overlay.set_storage((number, key).encode(), Some(vec![number as u8; 40]));
            }
            let changes = overlay.drain_storage_changes(&backend, StateVersion::V1).unwrap();
            let header =
                Header::new(number, Hash::zero(), changes.transaction_storage_root, parent_hash, Digest::default());
            let body = vec![OpaqueExtrinsic::try_from_encoded_extrinsic(&number.encode().encode()).unwrap()];
            let commit = ImportCommit {
                header: header.clone(),
                body,
                justifications: None,
                state: changes.transaction,
                new_best: true,
                finalized: number <= 1,
            };
            db.commit(commit).unwrap();
            headers.push(header);
        }
        headers
    }

    /// Applies `op` to `column` behind the `Database`'s back.
    fn poke(path: &Path, column: u8, op: Operation<Vec<u8>, Vec<u8>>) {
        let db = Db::open(&schema::options(path)).unwrap();
        db.commit_changes([(column, op)]).unwrap();
    }

    fn check(path: &Path) -> Result<Option<CheckReport>, StorageError> {
        Database::open(path).unwrap().check()
    }

    fn damaged(path: &Path) -> String {
        match check(path) {
            Err(err @ StorageError::Damaged { .. }) => {
                let message = err.to_string();
                assert!(message.contains("purge-chain"), "says what to do: {message}");
                message
            }
            other => panic!("damage went unnoticed: {other:?}"),
        }
    }

    #[test]
    fn a_whole_database_passes_and_an_empty_one_has_nothing_to_check() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check(dir.path()).unwrap(), None);
        let headers = chain(dir.path());
        let report = check(dir.path()).unwrap().expect("a chain to check");
        assert_eq!(report.best, (3, headers[3].hash()));
        assert_eq!(report.finalized, (1, headers[1].hash()));
        // Every key of block #3's state (80) and of block #1's (40).
        assert_eq!(report.state_entries, 120);
        assert_eq!(report.blocks, 4);
    }

    #[test]
    fn a_missing_state_node_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let headers = chain(dir.path());
        // The finalized state's root node: the best state shares most of its nodes, not this.
        poke(dir.path(), col::STATE, Operation::Dereference(headers[1].state_root.as_bytes().to_vec()));
        let message = damaged(dir.path());
        assert!(message.contains("the state of the finalized block #1"), "{message}");
    }

    /// Which entry to remove: column and key, from the chain's headers.
    type Entry = fn(&[Header]) -> (u8, Vec<u8>);

    #[test]
    fn a_missing_header_body_or_canonical_entry_is_found() {
        let cases: [(&str, Entry, &str); 4] = [
            ("best header", |h| (col::HEADERS, h[3].hash().as_bytes().to_vec()), "the header of the best block #3"),
            (
                "finalized body",
                |h| (col::BODIES, h[1].hash().as_bytes().to_vec()),
                "the body of the finalized block #1",
            ),
            ("genesis in the index", |_| (col::NUMBER_TO_HASH, number_key(0)), "no block at #0"),
            ("a link below best", |_| (col::NUMBER_TO_HASH, number_key(2)), "no block at #2"),
        ];
        for (what, entry, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            let headers = chain(dir.path());
            let (column, key) = entry(&headers);
            poke(dir.path(), column, Operation::Dereference(key));
            let message = damaged(dir.path());
            assert!(message.contains(expected), "{what}: {message}");
        }
    }

    #[test]
    fn a_canonical_entry_naming_another_block_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let headers = chain(dir.path());
        poke(dir.path(), col::NUMBER_TO_HASH, Operation::Set(number_key(2), headers[0].hash().encode()));
        let message = damaged(dir.path());
        assert!(message.contains("at #2, not an unfinalized canonical block"), "{message}");
    }
}
