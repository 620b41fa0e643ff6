//! The weight of executing an empty block (`BlockExecutionWeight`).
//!
//! GENERATED FILE, do not edit by hand: produced by `src/weights_gen` (native, release build).
//! Measured: real blocks through `Executive` (initialize, timestamp inherent, finalize with
//! the state root) on the `local_testnet` genesis plus the filler accounts; median
//! 222_293 ns, written x2.
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
    weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight},
};

parameter_types! {
    /// Executing an empty block: median 222_293 ns x2.
    pub const BlockExecutionWeight: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(444_586), 0);
}

#[cfg(test)]
mod test_weights {
    use frame_support::weights::constants;

    /// Checks that the weight exists and is sane: native execution of an empty block is far
    /// below Substrate's Wasm reference (431 us) but never free.
    #[test]
    fn sane() {
        let w = super::BlockExecutionWeight::get();
        assert!(w.ref_time() >= 10 * constants::WEIGHT_REF_TIME_PER_MICROS, "weight should be at least 10 us");
        assert!(w.ref_time() <= 50 * constants::WEIGHT_REF_TIME_PER_MILLIS, "weight should be at most 50 ms");
    }
}
