//! The write path: a commit is in parity-db's write-ahead log before the call that made it
//! returns — written (a crash of the process keeps it) and, when it is to be reported final,
//! synced (a power loss keeps it too).
//!
//! # Why parity-db's own threads are off
//!
//! Left to itself (0.5.7), parity-db queues a commit and returns; a log thread writes it into a
//! log file, and a flush thread syncs that file only once it holds 64 MiB
//! (`MIN_LOG_SIZE_BYTES`). Until then the last commits are in the page cache at best (a power
//! loss takes them) and, for a moment after `commit` returns, not even written (a crash takes
//! them). A failed write surfaces later, on whichever commit comes next. So a block could be
//! reported final, voted on, and gone after a restart.
//!
//! With the `instrumentation` feature parity-db starts no threads and lets its owner drive the
//! pipeline (`process_commits` → `flush_logs` → `enact_logs` → `clean_logs`, and
//! `process_reindex`); [`DurableWriter`] drives it:
//!
//! - **on the caller's thread**, under the log lock: queue the commit (readers see it at once)
//!   and write it as one log record (parity-db hands each record to the kernel at its end). For
//!   a [`Durability::Synced`] write — finality, what RPC and GRANDPA report — then `flush_logs`,
//!   which closes the log file and `fdatasync`s it, records before this one included, and sync
//!   the directory (the file may be new). Only then does the write return. Other writes (a
//!   block not final yet, pruning) are synced with the next synced write, or once
//!   [`MAX_UNSYNCED_WRITES`] or [`MAX_UNSYNCED_AGE`] is reached, so that not every block pays a
//!   sync and the log never grows far.
//!   A synced write also moves a batch of index entries into a grown index (reindex), if one
//!   is under way: parity-db's log takes one writer at a time.
//! - **on the enactor thread** (`ludus-db-enact`): copy synced log files into the tables, and
//!   every few files sync the tables and recycle the files. None of this is needed for
//!   durability: a crash before it only means the logs are replayed on the next open, as
//!   parity-db always does. Writers wait for it only when it falls far behind.
//!
//! # A full disk
//!
//! parity-db grows its tables as sparse files and writes them through memory maps: on a full
//! disk such a write cannot fail, the process gets SIGBUS. So a write is refused
//! ([`StorageError::DiskFull`]) while the disk has less free space than the reserve
//! ([`DEFAULT_RESERVED_DISK_BYTES`] unless set), and no index entries move then (they move
//! with writes); nothing is written, so the next write after space returns simply goes ahead.
//! Only a disk filled by someone else between a sync and its enactment can still bring SIGBUS;
//! what is enacted is synced, so the restart replays it.
//!
//! # Failures
//!
//! A failed write (a full disk, most often) leaves parity-db's log half written and its
//! in-memory overlays out of step with it; a later record would be dropped when the log is
//! replayed, because replay stops at the first torn record. So the first failure halts the
//! writer: it and every later write fail ([`StorageError::Halted`]), nothing more is promised
//! durable. A write asked for at least [`REOPEN_INTERVAL`] after the last attempt reopens
//! parity-db in place ([`ReopenableDb`]): the old instance is closed, the new one replays what
//! was synced and drops the torn record, and writing resumes — once the disk has room again.

mod enactor;

use crate::{error::StorageError, schema};
use parity_db::{Db, Operation, Options};
use parking_lot::{Condvar, Mutex, RwLock};
use std::{
    fs::File,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

/// One parity-db write: column and operation.
pub(crate) type DbOp = (u8, Operation<Vec<u8>, Vec<u8>>);

/// How many writes may wait for a sync, at most.
pub(crate) const MAX_UNSYNCED_WRITES: u32 = 32;

/// How old the oldest write waiting for a sync may be when another write comes.
pub(crate) const MAX_UNSYNCED_AGE: Duration = Duration::from_secs(2);

/// How many syncs the enactor may fall behind before writers wait for it.
const MAX_ENACTOR_LAG: u64 = 4;

/// How long after a failed write (or a failed reopening) the next write tries to reopen the
/// database. Each attempt closes it for a moment, so not at every slot of a full disk.
pub(crate) const REOPEN_INTERVAL: Duration = Duration::from_secs(1);

/// The free disk space below which nothing is written: room for a block's log and its table
/// growth, and for the index growth a reindex brings, with plenty to spare.
pub const DEFAULT_RESERVED_DISK_BYTES: u64 = 64 * 1024 * 1024;

/// How long a reopening waits for readers to let go of the old instance.
const READERS_GRACE: Duration = Duration::from_secs(5);

/// The open parity-db instance, shared by the database, the states it hands out and the
/// enactor; replaced by a fresh one after a failed write.
pub(crate) struct ReopenableDb {
    options: Options,
    /// `Err` (why) while closed: between closing the old instance and opening the new, or
    /// when the new would not open.
    current: RwLock<Result<Arc<Db>, String>>,
}

impl ReopenableDb {
    /// Opens (creating if missing) the database in `dir`, with parity-db's threads off.
    pub fn open(dir: &Path) -> Result<ReopenableDb, parity_db::Error> {
        let options = schema::options(dir);
        let db = Db::open_or_create(&options)?;
        Ok(ReopenableDb { options, current: RwLock::new(Ok(Arc::new(db))) })
    }

    /// The instance to read now. Hold it only for a read: a reopening waits for it.
    pub fn current(&self) -> Result<Arc<Db>, StorageError> {
        self.current.read().clone().map_err(|cause| StorageError::Closed { cause })
    }

    /// Why the database is closed (empty when it is not).
    fn closed_because(&self) -> String {
        self.current.read().as_ref().err().cloned().unwrap_or_default()
    }
}

/// What a write must survive before it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durability {
    /// A crash of the process and a power loss: the write is reported final, or the reports
    /// and votes of others build on it.
    Synced,
    /// A crash of the process; a power loss may take it (with everything after it), since
    /// nothing final rests on it yet.
    Logged,
}

/// Writes commits durably; owns the enactor thread, which it stops on drop.
pub(crate) struct DurableWriter {
    db: Arc<ReopenableDb>,
    disk: Arc<Disk>,
    state: Mutex<WriterState>,
}

/// The database's directory and the free space kept on its disk.
struct Disk {
    dir: PathBuf,
    /// Bytes; 0: no reserve.
    reserve: AtomicU64,
}

impl Disk {
    /// Refuses to write while the disk has less free space than the reserve.
    fn check_room(&self) -> Result<(), StorageError> {
        let reserve = self.reserve.load(Ordering::Relaxed);
        if reserve == 0 {
            return Ok(());
        }
        let free =
            fs2::available_space(&self.dir).map_err(|source| StorageError::Io { path: self.dir.clone(), source })?;
        if free < reserve {
            return Err(StorageError::DiskFull { path: self.dir.clone(), free, reserve });
        }
        Ok(())
    }
}

struct WriterState {
    /// `None` while parity-db is closed (a reopening failed).
    pipeline: Option<Pipeline>,
    /// When writing last failed or a reopening was last tried, while halted.
    last_attempt: Option<Instant>,
}

/// The writer's hold on one parity-db instance.
struct Pipeline {
    db: Arc<Db>,
    disk: Arc<Disk>,
    log: Arc<LogShared>,
    enactor: Option<JoinHandle<()>>,
}

/// What the writers and the enactor of one instance share.
struct LogShared {
    /// Held by whoever writes a log record (parity-db numbers records as they are begun and
    /// requires them ended in that order), and by the enactor to read and halt.
    state: Mutex<LogState>,
    /// Signalled when a log is synced or the writer stops.
    logged: Condvar,
    /// Signalled when the enactor has enacted a sync's files, or failed.
    enacted: Condvar,
}

#[derive(Default)]
struct LogState {
    /// Syncs so far. Each closed a log file holding the records written since the one before,
    /// and may have closed a second holding a reindex batch: the enactor's work.
    synced: u64,
    /// Syncs whose files the enactor has enacted.
    enacted: u64,
    /// Records written since the last sync, and when the first of them was.
    unsynced: u32,
    oldest_unsynced: Option<Instant>,
    /// Set by the first failed write (ours or the enactor's); every later write is refused.
    halted: Option<String>,
    /// The instance is closing: the enactor finishes what is logged and ends.
    stopping: bool,
}

impl DurableWriter {
    /// Takes over writing to `db`, whose files are in `dir`.
    pub fn start(db: Arc<ReopenableDb>, dir: &Path) -> Result<DurableWriter, StorageError> {
        let disk = Arc::new(Disk { dir: dir.to_path_buf(), reserve: AtomicU64::new(DEFAULT_RESERVED_DISK_BYTES) });
        let pipeline = Pipeline::start(db.current()?, disk.clone())?;
        let state = WriterState { pipeline: Some(pipeline), last_attempt: None };
        Ok(DurableWriter { db, disk, state: Mutex::new(state) })
    }

    /// Writes nothing while the disk has less than `bytes` free (0: write until it fails).
    pub fn reserve_disk_space(&self, bytes: u64) {
        self.disk.reserve.store(bytes, Ordering::Relaxed);
    }

    /// Commits `ops` atomically and returns once they are as durable as `durability` says:
    /// after a crash (or, `Synced`, a power loss) from here on, the database reopens with them.
    pub fn commit(&self, ops: Vec<DbOp>, durability: Durability) -> Result<(), StorageError> {
        let mut state = self.state.lock();
        let Some(pipeline) = state.pipeline.as_mut() else {
            return Err(StorageError::Halted { cause: self.db.closed_because() });
        };
        let result = pipeline.commit(ops, durability);
        if result.is_err() && pipeline.log.state.lock().halted.is_some() {
            state.last_attempt.get_or_insert_with(Instant::now);
        }
        result
    }

    /// After a failed write, once [`REOPEN_INTERVAL`] has passed since the failure or the last
    /// attempt, closes parity-db and opens it again: `Ok(true)` when it did (the caller
    /// reloads what it cached), `Ok(false)` when no write had failed, `Err` while still halted.
    pub fn reopen_if_halted(&self) -> Result<bool, StorageError> {
        let mut state = self.state.lock();
        let cause = match &state.pipeline {
            Some(pipeline) => match pipeline.log.state.lock().halted.clone() {
                None => return Ok(false),
                Some(cause) => cause,
            },
            None => self.db.closed_because(),
        };
        if state.last_attempt.is_some_and(|at| at.elapsed() < REOPEN_INTERVAL) {
            return Err(StorageError::Halted { cause });
        }
        state.last_attempt = Some(Instant::now());
        // Closing and opening write too: not before there is room, so reads go on meanwhile.
        self.disk.check_room()?;
        tracing::info!(target: "storage", "Reopening the chain database after a failed write ({cause})");

        if let Some(mut pipeline) = state.pipeline.take() {
            pipeline.stop_enactor();
            let db = pipeline.db;
            // Readers hold the instance for one read at a time: they let go within moments.
            *self.db.current.write() = Err(cause.clone());
            let deadline = Instant::now() + READERS_GRACE;
            while Arc::strong_count(&db) > 1 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if Arc::strong_count(&db) > 1 {
                *self.db.current.write() = Ok(db.clone());
                let log = Arc::new(LogShared::halted(cause.clone()));
                state.pipeline = Some(Pipeline { db, disk: self.disk.clone(), log, enactor: None });
                return Err(StorageError::Halted { cause: format!("{cause}; readers kept the database open") });
            }
            // Closing: parity-db flushes what it can and leaves the rest to the replay.
            drop(db);
        }
        match Db::open_or_create(&self.db.options) {
            Ok(db) => {
                let db = Arc::new(db);
                *self.db.current.write() = Ok(db.clone());
                state.pipeline = Some(Pipeline::start(db, self.disk.clone())?);
                state.last_attempt = None;
                tracing::info!(target: "storage", "Reopened the chain database; writing resumes");
                Ok(true)
            }
            Err(error) => {
                tracing::warn!(target: "storage", "The chain database did not reopen, retrying later: {error}");
                let cause = format!("{cause}; reopening failed: {error}");
                *self.db.current.write() = Err(cause.clone());
                Err(StorageError::Halted { cause })
            }
        }
    }
}

impl Drop for DurableWriter {
    fn drop(&mut self) {
        if let Some(pipeline) = self.state.get_mut().pipeline.as_mut() {
            pipeline.stop_enactor();
        }
    }
}

impl Pipeline {
    fn start(db: Arc<Db>, disk: Arc<Disk>) -> Result<Pipeline, StorageError> {
        let log = Arc::new(LogShared {
            state: Mutex::new(LogState::default()),
            logged: Condvar::new(),
            enacted: Condvar::new(),
        });
        let enactor = {
            let (db, log) = (db.clone(), log.clone());
            std::thread::Builder::new()
                .name("ludus-db-enact".into())
                .spawn(move || log.run_enactor(&db))
                .map_err(|source| StorageError::Io { path: disk.dir.clone(), source })?
        };
        Ok(Pipeline { db, disk, log, enactor: Some(enactor) })
    }

    fn commit(&mut self, ops: Vec<DbOp>, durability: Durability) -> Result<(), StorageError> {
        let mut log = self.log.state.lock();
        if let Some(cause) = &log.halted {
            return Err(StorageError::Halted { cause: cause.clone() });
        }
        // Refused before anything is written: nothing to undo, nothing halts.
        self.disk.check_room()?;
        let sync = durability == Durability::Synced
            || log.unsynced + 1 >= MAX_UNSYNCED_WRITES
            || log.oldest_unsynced.is_some_and(|at| at.elapsed() >= MAX_UNSYNCED_AGE);
        let written = (|| -> Result<(), StorageError> {
            self.db.commit_changes(ops)?;
            self.db.process_commits()?;
            if sync {
                self.db.flush_logs()?;
                sync_dir(&self.disk.dir)?;
                // Moves one batch of a grown index's entries, if a reindex is under way (and
                // the batch before is enacted): a record of its own, in a log file of its own
                // after this commit's, so that the enactor finds at most two files per sync.
                self.db.process_reindex()?;
                self.db.flush_logs()?;
            }
            Ok(())
        })();
        match written {
            Ok(()) if sync => {
                log.synced += 1;
                log.unsynced = 0;
                log.oldest_unsynced = None;
                self.log.logged.notify_one();
                // Until enacted, the logs hold memory (parity-db's overlays) and disk: writers
                // wait for an enactor that falls behind (a slow disk syncing tables).
                while log.synced - log.enacted > MAX_ENACTOR_LAG && log.halted.is_none() {
                    self.log.enacted.wait(&mut log);
                }
                Ok(())
            }
            Ok(()) => {
                log.unsynced += 1;
                log.oldest_unsynced.get_or_insert_with(Instant::now);
                Ok(())
            }
            Err(error) => {
                let cause = error.to_string();
                tracing::error!(target: "storage", "Database write failed, writes stop until it reopens: {cause}");
                log.halted = Some(cause);
                Err(error)
            }
        }
    }

    /// Lets the enactor finish what is logged, and waits for it.
    fn stop_enactor(&mut self) {
        self.log.state.lock().stopping = true;
        self.log.logged.notify_one();
        if let Some(enactor) = self.enactor.take() {
            if enactor.join().is_err() {
                tracing::error!(target: "storage", "The database enactor thread panicked");
            }
        }
    }
}

impl LogShared {
    /// The log of a pipeline that takes no writes.
    fn halted(cause: String) -> LogShared {
        LogShared {
            state: Mutex::new(LogState { halted: Some(cause), stopping: true, ..LogState::default() }),
            logged: Condvar::new(),
            enacted: Condvar::new(),
        }
    }
}

/// Syncs directory `dir`, making the names of files created in it durable.
fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(|source| StorageError::Io { path: dir.to_path_buf(), source })
}
