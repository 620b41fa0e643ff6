//! The write path: a commit is in parity-db's write-ahead log, synced to disk, before the call
//! that made it returns.
//!
//! # Why parity-db's own threads are off
//!
//! Left to itself (0.5.7), parity-db queues a commit and returns; a log thread writes it into a
//! buffered log file, and a flush thread syncs that file only once it holds 64 MiB
//! (`MIN_LOG_SIZE_BYTES`). Until then the last commits live in a user-space buffer: a crash
//! loses them, however long ago `commit` returned, and nothing says when they become safe. So a
//! block could be reported final, voted on, and gone after a `kill -9`.
//!
//! With the `instrumentation` feature parity-db starts no threads and lets its owner drive the
//! pipeline (`process_commits` → `flush_logs` → `enact_logs` → `clean_logs`, and
//! `process_reindex`); [`DurableWriter`] drives it:
//!
//! - **on the caller's thread**, under the log lock: queue the commit (readers see it at once),
//!   write it as one log record, then `flush_logs`, which writes that log file out and
//!   `fdatasync`s it. Only then does the write return. One commit is one log file, so each
//!   write costs one sync of a small file.
//! - **on the enactor thread** (`ludus-db-enact`, one per open database): copy logged records
//!   into the tables, move index entries into a grown index (reindex), and every few logs sync
//!   the tables and recycle the logs they came from. None of this is needed for durability: a
//!   crash before it only means the logs are replayed on the next open, as parity-db always
//!   does.
//!
//! # Failures
//!
//! A failed write (a full disk, most often) leaves parity-db's log half written: a later record
//! would be dropped when the log is replayed, because replay stops at the first torn record.
//! So the first failure halts the writer: it and every later write return
//! [`StorageError::Halted`], and nothing more is promised durable. Reopening the database (a
//! restart) replays what was synced and drops the torn record.

use crate::error::StorageError;
use parity_db::{Db, Operation};
use parking_lot::{Condvar, Mutex};
use std::{
    fs::File,
    path::{Path, PathBuf},
    sync::Arc,
    thread::JoinHandle,
};

/// One parity-db write: column and operation.
pub(crate) type DbOp = (u8, Operation<Vec<u8>, Vec<u8>>);

/// parity-db makes `enact_logs` wait for the cleaner once more than this many enacted logs are
/// waiting to be cleaned (`MAX_LOG_FILES` with `sync_data`); we run both on one thread, so we
/// clean before that, or it would wait for ever.
const MAX_UNCLEANED_LOGS: usize = 4;

/// Reindex batches (up to 8192 index entries each) the enactor moves per wake-up. A grown index
/// answers reads and writes while entries move, so reindexing need not keep pace with commits.
const REINDEX_BATCHES_PER_ROUND: usize = 4;

/// Writes commits durably; owns the enactor thread, which it stops on drop.
pub(crate) struct DurableWriter {
    shared: Arc<Shared>,
    enactor: Option<JoinHandle<()>>,
}

/// What the writers and the enactor share.
struct Shared {
    db: Arc<Db>,
    /// The database directory, synced after each log so a freshly created log file's name is
    /// as durable as its content.
    dir: PathBuf,
    /// Held by whoever writes a log record: parity-db numbers records as they are begun and
    /// requires them ended in that order, so our commits and reindex batches take turns.
    log: Mutex<LogState>,
    /// Signalled when a log is synced or the writer stops.
    logged: Condvar,
}

#[derive(Default)]
struct LogState {
    /// Commits synced into their own log file so far.
    synced: u64,
    /// Set by the first failed write (ours or the enactor's); every later write is refused.
    halted: Option<String>,
    /// The database is closing: the enactor finishes what is logged and ends.
    stopping: bool,
}

impl DurableWriter {
    /// Takes over writing to `db`, opened with background threads off, at `dir`.
    pub fn start(db: Arc<Db>, dir: &Path) -> Result<DurableWriter, StorageError> {
        let shared = Arc::new(Shared {
            db,
            dir: dir.to_path_buf(),
            log: Mutex::new(LogState::default()),
            logged: Condvar::new(),
        });
        let enactor = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("ludus-db-enact".into())
                .spawn(move || shared.run_enactor())
                .map_err(|source| StorageError::Io { path: dir.to_path_buf(), source })?
        };
        Ok(DurableWriter { shared, enactor: Some(enactor) })
    }

    /// Commits `ops` atomically and returns once they are synced to disk: after a crash from
    /// here on, the database reopens with them.
    pub fn commit(&self, ops: Vec<DbOp>) -> Result<(), StorageError> {
        let shared = &*self.shared;
        let mut log = shared.log.lock();
        if let Some(cause) = &log.halted {
            return Err(StorageError::Halted { cause: cause.clone() });
        }
        let written = (|| {
            shared.db.commit_changes(ops)?;
            shared.db.process_commits()?;
            shared.db.flush_logs()?;
            sync_dir(&shared.dir)
        })();
        match written {
            Ok(()) => {
                log.synced += 1;
                shared.logged.notify_one();
                Ok(())
            }
            Err(error) => {
                let cause = error.to_string();
                tracing::error!(
                    target: "storage",
                    "Database write failed, no more writes until the node restarts: {cause}"
                );
                log.halted = Some(cause);
                Err(error)
            }
        }
    }
}

impl Drop for DurableWriter {
    fn drop(&mut self) {
        self.shared.log.lock().stopping = true;
        self.shared.logged.notify_one();
        if let Some(enactor) = self.enactor.take() {
            if enactor.join().is_err() {
                tracing::error!(target: "storage", "The database enactor thread panicked");
            }
        }
    }
}

impl Shared {
    /// The enactor thread: copies synced logs into the tables until the writer stops, leaving
    /// the rest to parity-db's own shutdown. A failure halts the writer.
    fn run_enactor(&self) {
        let mut tables = TableWriter { db: &self.db, enacted: 0, uncleaned: 0 };
        if let Err(error) = self.enact_until_stopped(&mut tables) {
            let cause = error.to_string();
            tracing::error!(target: "storage", "Writing logged commits into the database tables failed: {cause}");
            self.log.lock().halted.get_or_insert(cause);
        }
    }

    fn enact_until_stopped(&self, tables: &mut TableWriter) -> Result<(), StorageError> {
        loop {
            let synced = {
                let mut log = self.log.lock();
                while log.synced == tables.enacted && !log.stopping {
                    self.logged.wait(&mut log);
                }
                if log.stopping && log.synced == tables.enacted {
                    return Ok(());
                }
                log.synced
            };
            tables.enact_through(synced)?;
            for _ in 0..REINDEX_BATCHES_PER_ROUND {
                // Under the log lock, so no commit's log can come between the batch's and the
                // enactment that follows: each `enact_logs` takes exactly the next log file.
                let log = self.log.lock();
                tables.enact_through(log.synced)?;
                self.db.process_reindex()?;
                self.db.flush_logs()?;
                tables.enact_reindex_batch()?;
            }
        }
    }
}

/// The enactor's progress through the synced logs.
struct TableWriter<'a> {
    db: &'a Db,
    /// Commit logs enacted so far (the count `LogState::synced` runs ahead of).
    enacted: u64,
    /// Logs enacted (or possibly enacted) since the tables were last synced.
    uncleaned: usize,
}

impl TableWriter<'_> {
    /// Enacts commit logs until `synced` of them are in the tables.
    fn enact_through(&mut self, synced: u64) -> Result<(), StorageError> {
        while self.enacted < synced {
            // parity-db's public `enact_logs` enacts exactly one log file, if one is waiting.
            self.db.enact_logs()?;
            self.enacted += 1;
            self.count_enacted()?;
        }
        Ok(())
    }

    /// Enacts the log a reindex batch may just have written (a no-op when there was none).
    fn enact_reindex_batch(&mut self) -> Result<(), StorageError> {
        self.db.enact_logs()?;
        self.count_enacted()
    }

    /// Syncs the tables and recycles the enacted logs once enough of them wait.
    fn count_enacted(&mut self) -> Result<(), StorageError> {
        self.uncleaned += 1;
        if self.uncleaned >= MAX_UNCLEANED_LOGS {
            self.db.clean_logs()?;
            self.uncleaned = 0;
        }
        Ok(())
    }
}

/// Syncs directory `dir`, making the names of files created in it durable.
fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(|source| StorageError::Io { path: dir.to_path_buf(), source })
}
