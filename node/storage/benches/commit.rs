//! What a durable write costs: block commits and finalizations on a real database.
//!
//! Run: `cargo bench -p ludus-storage --bench commit` (env `LUDUS_BENCH_BLOCKS`, default 300,
//! and `LUDUS_BENCH_WRITES`, storage writes per block, default 200). Each block sets
//! that many keys over its parent's state and is committed as best; every block is then
//! finalized by `Database::finalize`, as GRANDPA does. Prints the mean, median and 99th
//! percentile of both, in µs. A commit of a block not final yet returns once it is written to
//! the write-ahead log; a finalization once that log is synced, so its figure includes one
//! `fdatasync` of the log (and one of its directory).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use codec::Encode;
use ludus_primitives::{Hash, Hashing, Header};
use ludus_storage::{Database, ImportCommit};
use sp_runtime::{generic::Digest, traits::Header as _, StateVersion};
use sp_state_machine::OverlayedChanges;
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn summary(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = times.iter().map(|d| micros(*d)).sum::<f64>() / times.len() as f64;
    let median = micros(times[times.len() / 2]);
    let p99 = micros(times[times.len() * 99 / 100]);
    println!("{what:>10}: mean {mean:>8.0} µs, median {median:>8.0} µs, p99 {p99:>8.0} µs ({} calls)", times.len());
}

fn main() {
    let blocks = env_or("LUDUS_BENCH_BLOCKS", 300) as u32;
    let writes = env_or("LUDUS_BENCH_WRITES", 200) as u32;
    // On the target directory's disk, not a RAM-backed /tmp: syncing is what is measured.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = Database::open(dir.path()).unwrap();

    let empty = sp_trie::empty_trie_root::<sp_trie::LayoutV1<Hashing>>();
    let mut parent = (Hash::zero(), empty);
    let (mut commits, mut finalizations) = (Vec::new(), Vec::new());
    for number in 0..=blocks {
        let backend = db.state_at(parent.1).unwrap();
        let mut overlay = OverlayedChanges::<Hashing>::default();
        for i in 0..writes {
            overlay.set_storage((number * writes + i).encode(), Some(number.encode()));
        }
        let changes = overlay.drain_storage_changes(&backend, StateVersion::V1).unwrap();
        let header = Header::new(number, Hash::zero(), changes.transaction_storage_root, parent.0, Digest::default());
        let hash = header.hash();
        let started = Instant::now();
        if number == 0 {
            db.commit_genesis(header, changes.transaction).unwrap();
        } else {
            db.commit(ImportCommit {
                header,
                body: Vec::new(),
                justifications: None,
                state: changes.transaction,
                new_best: true,
                finalized: false,
            })
            .unwrap();
            commits.push(started.elapsed());
            let started = Instant::now();
            db.finalize(&hash, None).unwrap();
            finalizations.push(started.elapsed());
        }
        parent = (hash, changes.transaction_storage_root);
    }
    println!("{blocks} blocks of {writes} storage writes each:");
    summary("commit", commits);
    summary("finalize", finalizations);
}
