//! The enactor thread (`ludus-db-enact`): copies synced logs into parity-db's tables, moves
//! index entries into grown indexes, syncs the tables and recycles the logs. Durability does not
//! wait for it; memory and the log files do.

use super::{Disk, LogShared};
use crate::error::StorageError;
use parity_db::Db;

/// parity-db makes `enact_logs` wait for the cleaner once more than this many enacted logs are
/// waiting to be cleaned (`MAX_LOG_FILES` with `sync_data`); we run both on one thread, so we
/// clean before that, or it would wait for ever.
const MAX_UNCLEANED_LOGS: usize = 4;

/// Reindex batches (up to 8192 index entries each) the enactor moves per wake-up. A grown index
/// answers reads and writes while entries move, so reindexing need not keep pace with commits.
const REINDEX_BATCHES_PER_ROUND: usize = 4;

impl LogShared {
    /// The enactor thread: copies synced logs into the tables until the writer stops, leaving
    /// the rest to parity-db's own shutdown. A failure halts the writer.
    pub(super) fn run_enactor(&self, db: &Db, disk: &Disk) {
        let mut tables = TableWriter { db, enacted: 0, uncleaned: 0 };
        if let Err(error) = self.enact_until_stopped(&mut tables, disk) {
            let cause = error.to_string();
            tracing::error!(target: "storage", "Writing logged commits into the database tables failed: {cause}");
            self.state.lock().halted.get_or_insert(cause);
        }
    }

    fn enact_until_stopped(&self, tables: &mut TableWriter, disk: &Disk) -> Result<(), StorageError> {
        loop {
            let synced = {
                let mut log = self.state.lock();
                while log.synced == tables.enacted && !log.stopping {
                    self.logged.wait(&mut log);
                }
                if log.stopping && log.synced == tables.enacted {
                    return Ok(());
                }
                log.synced
            };
            tables.enact_through(synced)?;
            // A reindex fills a new, sparse index: not on a nearly full disk.
            let reindex_batches = if disk.check_room().is_ok() { REINDEX_BATCHES_PER_ROUND } else { 0 };
            for _ in 0..reindex_batches {
                // Under the log lock, so no commit's log can come between the batch's and the
                // enactment that follows: each `enact_logs` takes exactly the next log file.
                let log = self.state.lock();
                tables.enact_through(log.synced)?;
                tables.db.process_reindex()?;
                tables.db.flush_logs()?;
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
