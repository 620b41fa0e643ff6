//! The weight of a storage read and write (`LudusDbWeight`).
//!
//! GENERATED FILE, do not edit by hand: produced by `src/weights_gen` (native, release build).
//! Not `ParityDbWeight` (8 us / 50 us): those assume a Wasm runtime paying a database round
//! trip per access and a write per key. Here the runtime reads through the overlay over
//! the trie, and the node writes once per block. Measured on an in-memory trie of
//! 100000 `System::Account` entries: a read is a cold lookup of a random account
//! through a fresh `TrieBackend` (no cache; median 4_747 ns); a write is one changed key's
//! share of the state root plus consolidating its trie nodes, in batches of 1000
//! keys (median 13_169 ns). The parity-db disk commit (about 2 us per transfer in
//! `node/benches/import.rs`) and a cold page cache are not in these figures; the
//! x2 multiplier and the floors (read >= 1 us, write >= 5 us) cover them.
//!
//! - machine: AMD EPYC, 2 cores, linux/x86_64
//! - date: 2026-11-21
//! - sampling: pallet benchmarks steps 10, repeats 50 (min_squares_iqr); blocks and
//!   database: 15 rounds, 500 extrinsics per block, 100000 filler accounts
//! - safety multiplier: x2 on every measured time (median or fitted base)
//!
//! Regenerate:
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p ludus-runtime --features runtime-benchmarks \
//!     weights_gen::generate_weights -- --ignored --nocapture
//! ```

use frame_support::{
    parameter_types,
    weights::{constants::WEIGHT_REF_TIME_PER_NANOS, RuntimeDbWeight},
};

parameter_types! {
    /// Read: median 4_747 ns x2; write: median 13_169 ns x2.
    pub const LudusDbWeight: RuntimeDbWeight = RuntimeDbWeight {
        read: 9_494 * WEIGHT_REF_TIME_PER_NANOS,
        write: 26_338 * WEIGHT_REF_TIME_PER_NANOS,
    };
}

#[cfg(test)]
mod test_db_weights {
    use frame_support::weights::constants;

    /// Checks that the figures exist and are sane.
    #[test]
    fn sane() {
        let w = super::LudusDbWeight::get();
        assert!(w.reads(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS, "a read is at least 1 us");
        assert!(w.writes(1).ref_time() >= 5 * constants::WEIGHT_REF_TIME_PER_MICROS, "a write is at least 5 us");
        assert!(w.reads(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS, "a read is at most 1 ms");
        assert!(w.writes(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS, "a write is at most 1 ms");
    }
}
