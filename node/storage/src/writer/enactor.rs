//! The enactor thread (`ludus-db-enact`): copies synced log files into parity-db's tables, syncs
//! the tables and recycles the files. Durability does not wait for it; memory and the log files
//! do. It never takes the log lock for longer than reading a counter, so writers never wait on
//! its table syncs.

use super::LogShared;
use crate::error::StorageError;
use parity_db::Db;

/// parity-db makes `enact_logs` wait for the cleaner once more than this many enacted logs are
/// waiting to be cleaned (`MAX_LOG_FILES` with `sync_data`); we run both on one thread, so we
/// clean before that, or it would wait for ever.
const MAX_UNCLEANED_LOGS: usize = 4;

/// Log files a sync may close: its commit records', then perhaps a reindex batch's.
const LOG_FILES_PER_SYNC: usize = 2;

impl LogShared {
    /// The enactor thread: enacts synced log files until the writer stops, leaving the rest to
    /// parity-db's own shutdown. A failure halts the writer.
    pub(super) fn run_enactor(&self, db: &Db) {
        let mut tables = TableWriter { db, enacted: 0, uncleaned: 0 };
        if let Err(error) = self.enact_until_stopped(&mut tables) {
            let cause = error.to_string();
            tracing::error!(target: "storage", "Writing logged commits into the database tables failed: {cause}");
            self.state.lock().halted.get_or_insert(cause);
            self.enacted.notify_all();
        }
    }

    fn enact_until_stopped(&self, tables: &mut TableWriter) -> Result<(), StorageError> {
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
            self.state.lock().enacted = tables.enacted;
            self.enacted.notify_all();
        }
    }
}

/// The enactor's progress through the synced log files.
struct TableWriter<'a> {
    db: &'a Db,
    /// Syncs whose log files are enacted (the count `LogState::synced` runs ahead of).
    enacted: u64,
    /// Log files enacted (or possibly enacted) since the tables were last synced.
    uncleaned: usize,
}

impl TableWriter<'_> {
    /// Enacts the log files of syncs until `synced` of them are in the tables.
    fn enact_through(&mut self, synced: u64) -> Result<(), StorageError> {
        while self.enacted < synced {
            // parity-db's public `enact_logs` enacts exactly one log file, if one is waiting, so
            // asking once per file a sync may have closed takes them all (and asking for a
            // reindex file that was not written does nothing).
            for _ in 0..LOG_FILES_PER_SYNC {
                self.db.enact_logs()?;
                self.uncleaned += 1;
                if self.uncleaned >= MAX_UNCLEANED_LOGS {
                    self.db.clean_logs()?;
                    self.uncleaned = 0;
                }
            }
            self.enacted += 1;
        }
        Ok(())
    }
}
