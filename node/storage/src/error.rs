//! The one error type of the chain database.

use ludus_primitives::{BlockNumber, Hash};
use std::path::PathBuf;

/// What can go wrong opening, reading or writing the chain database.
///
/// Messages are written for the operator: each says what happened and, where something can be
/// done about it, what to do.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Another process (or another `Database` in this process) holds the database open.
    #[error("database at {path} is locked by another process: is another ludus-node running with this --base-path?")]
    Locked {
        /// The database directory.
        path: PathBuf,
    },
    /// The database was written by a Ludus version with another on-disk layout.
    #[error("database schema v{found} at {path} is not v{expected}, the version this node reads: purge it with `ludus-node purge-chain`")]
    SchemaMismatch {
        /// The database directory.
        path: PathBuf,
        /// The schema version found on disk (0 when the database has none).
        found: u32,
        /// The schema version this build reads and writes.
        expected: u32,
    },
    /// The parity-db column layout on disk is not ours: another program's database or a Ludus
    /// version from before schema versions were recorded.
    #[error("database at {path} has another column layout ({reason}): is --base-path right? If so, purge it with `ludus-node purge-chain`")]
    IncompatibleLayout {
        /// The database directory.
        path: PathBuf,
        /// parity-db's description of the mismatch.
        reason: String,
    },
    /// parity-db failed (I/O, a background writer error, …).
    #[error("database error: {0}: check free disk space and permissions of the --base-path directory")]
    Db(parity_db::Error),
    /// parity-db found its own files inconsistent: not a disk-space or permission problem.
    #[error("the chain database is damaged (parity-db: {0}): restore it from a backup, or purge it with `ludus-node purge-chain` and let the node resync from its peers")]
    DbCorruption(String),
    /// The start-up check ([`crate::Database::check`]) found something the node needs missing or
    /// wrong.
    #[error("the chain database at {path} is damaged: {what}. Restore it from a backup, or purge it with `ludus-node purge-chain` (same --chain and --base-path) and let the node resync from its peers")]
    Damaged {
        /// The database directory.
        path: PathBuf,
        /// What is missing or wrong.
        what: String,
    },
    /// An earlier write failed, leaving the write-ahead log torn: nothing more is written, so
    /// nothing is reported durable that a restart would lose.
    #[error("the chain database stopped writing after a write failed ({cause}); nothing since was stored: free disk space (or fix the --base-path disk) and it resumes by itself")]
    Halted {
        /// The first failure.
        cause: String,
    },
    /// The disk holding the database has less free space than the reserve: nothing was
    /// written, and writing resumes once there is room.
    #[error("only {} MiB free on the disk of {path}, below the {} MiB kept in reserve: nothing written; free disk space and writing resumes by itself", free >> 20, reserve >> 20)]
    DiskFull {
        /// The database directory.
        path: PathBuf,
        /// Free bytes on its disk.
        free: u64,
        /// The reserve, in bytes.
        reserve: u64,
    },
    /// The database is closed for reopening after a failed write, or did not reopen.
    #[error("the chain database is closed after a failed write ({cause}): free disk space; it reopens by itself at a later write")]
    Closed {
        /// The failure, and the reopening's if it failed.
        cause: String,
    },
    /// `purge` was pointed at a database a running node holds open.
    #[error("refusing to purge the database at {path}: a running ludus-node holds it open; stop that node first, then run purge-chain again")]
    InUse {
        /// The database directory.
        path: PathBuf,
    },
    /// `purge` was pointed at a directory that holds no parity-db database.
    #[error(
        "{path} does not look like a chain database (no parity-db `metadata` file): not removing it, check the path"
    )]
    NotADatabase {
        /// The directory that was to be removed.
        path: PathBuf,
    },
    /// A file-system operation outside parity-db failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The path being worked on.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An entry on disk does not decode: the files were damaged or edited.
    #[error("database entry {what} is corrupt ({reason}): the database is damaged, purge it with `ludus-node purge-chain` and resync")]
    Corrupt {
        /// Which entry (column and key).
        what: String,
        /// Why it was refused.
        reason: String,
    },
    /// A block was asked for that the database does not hold.
    #[error("block {0:?} is not in the database")]
    UnknownBlock(Hash),
    /// A block was committed before its parent.
    #[error("block #{number} ({hash:?}) has parent {parent:?}, which is not in the database: import the parent first")]
    UnknownParent {
        /// The block's number.
        number: BlockNumber,
        /// The block's hash.
        hash: Hash,
        /// The missing parent's hash.
        parent: Hash,
    },
    /// A block's number is not its parent's plus one.
    #[error("block {hash:?} claims number #{number} but its parent is #{parent_number}")]
    BadNumber {
        /// The block's hash.
        hash: Hash,
        /// The number the block claims.
        number: BlockNumber,
        /// The parent's number.
        parent_number: BlockNumber,
    },
    /// The block was committed before; committing it again would count its state twice.
    #[error("block #{number} ({hash:?}) is already in the database")]
    AlreadyImported {
        /// The block's number.
        number: BlockNumber,
        /// The block's hash.
        hash: Hash,
    },
    /// A non-genesis block was committed into an empty database.
    #[error("the database has no genesis block yet: commit the genesis block first")]
    NoGenesis,
    /// A second genesis block (number 0) was committed.
    #[error("the database already has genesis {existing:?}; refusing genesis {offered:?}: use another --base-path for another chain")]
    GenesisExists {
        /// The genesis hash on disk.
        existing: Hash,
        /// The genesis hash offered.
        offered: Hash,
    },
    /// A block at or below the finalized height was committed: it can never become canonical.
    #[error("block #{number} ({hash:?}) is at or below the finalized block #{finalized}: it conflicts with finality")]
    BelowFinalized {
        /// The block's number.
        number: BlockNumber,
        /// The block's hash.
        hash: Hash,
        /// The finalized block's number.
        finalized: BlockNumber,
    },
    /// Making a block best would replace the finalized block on the canonical chain.
    #[error(
        "block {hash:?} does not descend from finalized block #{finalized} ({finalized_hash:?}): it cannot become best"
    )]
    RevertsFinalized {
        /// The block that was to become best.
        hash: Hash,
        /// The finalized block's number.
        finalized: BlockNumber,
        /// The finalized block's hash.
        finalized_hash: Hash,
    },
    /// Only blocks on the canonical (best) chain can be finalized.
    #[error("block #{number} ({hash:?}) is not on the canonical chain: only the best chain can be finalized")]
    NotCanonical {
        /// The block's number.
        number: BlockNumber,
        /// The block's hash.
        hash: Hash,
    },
    /// Finality never goes backwards.
    #[error("cannot finalize #{number}: block #{finalized} is already finalized")]
    FinalizeBackwards {
        /// The number that was to be finalized.
        number: BlockNumber,
        /// The number already finalized.
        finalized: BlockNumber,
    },
    /// The state asked for was pruned or never stored.
    #[error("state with root {root:?} is not in the database: it was pruned or never imported (run with archive pruning to keep all states)")]
    StateUnavailable {
        /// The state root asked for.
        root: Hash,
    },
    /// The state transaction handed to `commit` is not one `drain_storage_changes` produces.
    #[error("malformed state transaction: {0}")]
    MalformedTransaction(String),
}

impl From<parity_db::Error> for StorageError {
    fn from(error: parity_db::Error) -> Self {
        match error {
            parity_db::Error::Corruption(reason) => StorageError::DbCorruption(reason),
            parity_db::Error::InvalidValueData => StorageError::DbCorruption("invalid data in a value table".into()),
            other => StorageError::Db(other),
        }
    }
}

impl StorageError {
    /// A `Corrupt` error for `what`, explained by a decoding failure.
    pub(crate) fn corrupt(what: impl Into<String>, reason: impl ToString) -> Self {
        StorageError::Corrupt { what: what.into(), reason: reason.to_string() }
    }
}
