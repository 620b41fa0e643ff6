//! The on-disk layout: columns, their options, keys and the schema version.
//!
//! Changing anything here changes the format: bump [`SCHEMA_VERSION`] so that a database in
//! the old format is refused with a clear error instead of being misread.

use ludus_primitives::{BlockNumber, Hash};
use parity_db::{ColumnOptions, Options};
use std::{collections::HashMap, path::Path};

/// The layout version this build reads and writes, stored in the metadata column.
pub const SCHEMA_VERSION: u32 = 1;

/// Column ids.
pub(crate) mod col {
    /// Chain metadata: schema version, genesis, best, finalized, pruning progress.
    pub const META: u8 = 0;
    /// State trie nodes: blake2-256 hash → encoded node, reference counted.
    pub const STATE: u8 = 1;
    /// Block hash → SCALE `Header`.
    pub const HEADERS: u8 = 2;
    /// Block hash → SCALE `Vec<OpaqueExtrinsic>`.
    pub const BODIES: u8 = 3;
    /// Block hash → SCALE `Justifications`.
    pub const JUSTIFICATIONS: u8 = 4;
    /// Big-endian block number → hash of the canonical block at that height.
    pub const NUMBER_TO_HASH: u8 = 5;
    /// Big-endian block number ++ block hash → SCALE `StateJournal`; ordered so pruning walks
    /// it by height.
    pub const STATE_JOURNAL: u8 = 6;
    /// How many columns there are.
    pub const COUNT: u8 = 7;
}

/// Keys of the metadata column.
pub(crate) mod meta {
    /// SCALE `u32`: the schema version.
    pub const SCHEMA: &[u8] = b"schema_version";
    /// SCALE `Hash`: the genesis block's hash.
    pub const GENESIS: &[u8] = b"genesis";
    /// SCALE `(BlockNumber, Hash)`: the best block.
    pub const BEST: &[u8] = b"best";
    /// SCALE `(BlockNumber, Hash)`: the last finalized block.
    pub const FINALIZED: &[u8] = b"finalized";
    /// SCALE `BlockNumber`: states of canonical blocks below this height were pruned.
    pub const PRUNED_BELOW: &[u8] = b"pruned_below";
    /// SCALE `BlockNumber`: blocks off the canonical chain at or below this height are gone.
    /// Absent in databases written before fork pruning, which reads as 0 (nothing pruned yet).
    pub const FORKS_PRUNED_TO: &[u8] = b"forks_pruned_to";
}

/// The parity-db options for a database at `path`.
pub(crate) fn options(path: &Path) -> Options {
    let plain = ColumnOptions::default();
    // Block hashes are blake2-256 output: uniform, so parity-db can skip hashing the key.
    let by_block_hash = ColumnOptions { uniform: true, ..ColumnOptions::default() };
    // As Substrate's parity-db STATE column: the value is the key's preimage, keys are hashes,
    // and identical nodes are shared by counting references.
    let state = ColumnOptions { preimage: true, uniform: true, ref_counted: true, ..ColumnOptions::default() };
    let journal = ColumnOptions { btree_index: true, ..ColumnOptions::default() };

    let mut columns = vec![ColumnOptions::default(); usize::from(col::COUNT)];
    columns[usize::from(col::META)] = plain.clone();
    columns[usize::from(col::STATE)] = state;
    columns[usize::from(col::HEADERS)] = by_block_hash.clone();
    columns[usize::from(col::BODIES)] = by_block_hash.clone();
    columns[usize::from(col::JUSTIFICATIONS)] = by_block_hash;
    columns[usize::from(col::NUMBER_TO_HASH)] = plain;
    columns[usize::from(col::STATE_JOURNAL)] = journal;

    Options {
        path: path.to_path_buf(),
        columns,
        // Both on: a commit is either wholly on disk after a crash or wholly absent, and data
        // is synced before the write-ahead log that carries it is dropped.
        sync_wal: true,
        sync_data: true,
        stats: false,
        salt: None,
        compression_threshold: HashMap::new(),
        // Off: `writer::DurableWriter` drives the commit pipeline itself, so that it knows when
        // a commit is synced (parity-db's own threads sync the log only every 64 MiB).
        with_background_thread: false,
        // Only read by the flush thread, which does not run.
        always_flush: false,
    }
}

/// The number→hash key of `number`: big-endian so keys sort by height.
pub(crate) fn number_key(number: BlockNumber) -> Vec<u8> {
    number.to_be_bytes().to_vec()
}

/// The journal key of block `(number, hash)`: by height first, so pruning walks it in order.
pub(crate) fn journal_key(number: BlockNumber, hash: &Hash) -> Vec<u8> {
    let mut key = Vec::with_capacity(4 + Hash::len_bytes());
    key.extend_from_slice(&number.to_be_bytes());
    key.extend_from_slice(hash.as_bytes());
    key
}

/// The `(number, hash)` a journal key names, if it is well formed.
pub(crate) fn parse_journal_key(key: &[u8]) -> Option<(BlockNumber, Hash)> {
    if key.len() != 4 + Hash::len_bytes() {
        return None;
    }
    let (number, hash) = key.split_at(4);
    Some((BlockNumber::from_be_bytes(number.try_into().ok()?), Hash::from_slice(hash)))
}
