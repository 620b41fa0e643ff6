//! The weight of an empty signed extrinsic (`ExtrinsicBaseWeight`).
//!
//! GENERATED FILE, do not edit by hand: produced by `src/weights_gen` (native, release build).
//! Measured as Substrate's `benchmark overhead` does, natively: (a block of signed empty
//! `system.remark`s from distinct signers - an empty block) / extrinsics. It includes
//! decoding, the sr25519 signature check, all eight transaction extensions (among them
//! the fee withdrawal and refund of `ChargeTransactionPayment`), the event and the
//! extrinsic's share of the state root; the remark itself is left in (conservative).
//! Median 94_413 ns per extrinsic, written x2. Cross-check: a signed
//! `transfer_keep_alive` measured the same way costs 112_266 ns all-in (unmultiplied).
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
    /// An empty signed extrinsic: median 94_413 ns x2.
    pub const ExtrinsicBaseWeight: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(188_826), 0);
}

#[cfg(test)]
mod test_weights {
    use frame_support::weights::constants;

    /// Checks that the weight exists and is sane.
    #[test]
    fn sane() {
        let w = super::ExtrinsicBaseWeight::get();
        assert!(w.ref_time() >= 10 * constants::WEIGHT_REF_TIME_PER_MICROS, "weight should be at least 10 us");
        assert!(w.ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS, "weight should be at most 1 ms");
    }
}
