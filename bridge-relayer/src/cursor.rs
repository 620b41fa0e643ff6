//! Where the relayer left off, so a restart does not rescan both chains from their start.
//!
//! The cursor is only a saving: every effect is exactly-once because the chains record what
//! is done (executed deposit nonces on Ludus, the L1's latest checkpoint and claimed bitmap).
//! A lost or stale cursor costs a rescan, never a doubled or missing transfer, so it may lag:
//! it is written after progress, atomically (a temporary file, fsync, rename, fsync of the
//! directory), and a torn or unreadable file is reported and replaced by a fresh cursor.

use std::{
    fs::{self, File},
    io::Write,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

/// The file name of the cursor inside the data directory.
pub const CURSOR_FILE: &str = "cursor.json";

/// How far the relayer has looked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cursor {
    /// The L1 block to scan `Deposited` logs from: the block of the lowest deposit not yet
    /// executed on Ludus, or the first block not yet scanned when none is pending.
    pub deposit_scan_from: u64,
    /// The lowest withdrawal id not yet paid on the L1 (nor left to its user).
    pub next_withdrawal: u64,
}

/// The cursor file of one relayer.
#[derive(Debug)]
pub struct CursorStore {
    path: PathBuf,
    last_written: Option<Cursor>,
}

/// The data directory or the cursor file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the relayer's cursor {path}: {source} (check the --data-dir's permissions and free space)")]
pub struct CursorError {
    path: PathBuf,
    source: std::io::Error,
}

impl CursorStore {
    /// Opens (creating the directory) the cursor in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, CursorError> {
        fs::create_dir_all(data_dir).map_err(|source| CursorError { path: data_dir.into(), source })?;
        Ok(Self { path: data_dir.join(CURSOR_FILE), last_written: None })
    }

    /// The saved cursor; `None` when there is none yet, or it is unreadable (logged).
    pub fn load(&mut self) -> Option<Cursor> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(target: "relayer", "Cannot read the cursor {}: {e}; rescanning from the start", self.path.display());
                return None;
            }
        };
        match serde_json::from_str(&text) {
            Ok(cursor) => {
                self.last_written = Some(cursor);
                Some(cursor)
            }
            Err(e) => {
                tracing::warn!(target: "relayer", "The cursor {} is damaged ({e}); rescanning from the start", self.path.display());
                None
            }
        }
    }

    /// Saves `cursor` if it differs from what was last saved.
    pub fn save(&mut self, cursor: Cursor) -> Result<(), CursorError> {
        if self.last_written == Some(cursor) {
            return Ok(());
        }
        let error = |source| CursorError { path: self.path.clone(), source };
        let temporary = self.path.with_extension("json.tmp");
        let mut file = File::create(&temporary).map_err(error)?;
        let text = serde_json::to_vec_pretty(&cursor).map_err(|e| error(std::io::Error::other(e)))?;
        file.write_all(&text).map_err(error)?;
        file.sync_all().map_err(error)?;
        drop(file);
        fs::rename(&temporary, &self.path).map_err(error)?;
        if let Some(dir) = self.path.parent() {
            // The rename is durable only once the directory entry is.
            File::open(dir).and_then(|d| d.sync_all()).map_err(error)?;
        }
        self.last_written = Some(cursor);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_cursor_is_loaded_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = CursorStore::open(&dir.path().join("relayer")).expect("open");
        assert_eq!(store.load(), None);
        let cursor = Cursor { deposit_scan_from: 42, next_withdrawal: 7 };
        store.save(cursor).expect("save");
        assert_eq!(CursorStore::open(&dir.path().join("relayer")).expect("open").load(), Some(cursor));
        assert!(!dir.path().join("relayer/cursor.json.tmp").exists(), "the temporary file is renamed");
    }

    #[test]
    fn a_torn_cursor_means_a_rescan_not_a_crash() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(CURSOR_FILE), b"{\"depositScanFrom\": 4").expect("write");
        let mut store = CursorStore::open(dir.path()).expect("open");
        assert_eq!(store.load(), None);
        store.save(Cursor { deposit_scan_from: 5, next_withdrawal: 1 }).expect("save replaces it");
        assert_eq!(store.load(), Some(Cursor { deposit_scan_from: 5, next_withdrawal: 1 }));
    }
}
