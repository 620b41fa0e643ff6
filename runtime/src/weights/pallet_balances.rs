//! Weights of the `pallet_balances` calls (`LudusWeight`).
//!
//! GENERATED FILE, do not edit by hand: produced by `src/weights_gen` (native, release build).
//! Measured: the pallet's own frame-benchmarking v2 benchmarks (every one its `WeightInfo`
//! needs, so no call keeps Substrate's figures), run natively against `Runtime` over a
//! counting in-memory trie backend (`local_testnet` genesis). Time is the fitted extrinsic
//! time x the safety multiplier; reads and writes are distinct non-whitelisted keys (the
//! caller's account is whitelisted, as in the CLI), priced by `T::DbWeight` (`db.rs`).
//! Proof sizes are the recorded ones on that small trie (Ludus sets no proof-size limit).
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

#![allow(unused_parens, unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// `pallet_balances` weights measured natively for Ludus.
pub struct LudusWeight<T>(PhantomData<T>);

impl<T: frame_system::Config> pallet_balances::WeightInfo for LudusWeight<T> {
    /// Fitted base 52_980_000 ps, minimum 51_127 ns; 50 samples.
    fn transfer_allow_death() -> Weight {
        Weight::from_parts(105_960_000, 0)
            .saturating_add(T::DbWeight::get().reads(1_u64))
            .saturating_add(T::DbWeight::get().writes(1_u64))
    }
    /// Fitted base 41_292_000 ps, minimum 39_519 ns; 50 samples.
    fn transfer_keep_alive() -> Weight {
        Weight::from_parts(82_584_000, 0)
            .saturating_add(T::DbWeight::get().reads(1_u64))
            .saturating_add(T::DbWeight::get().writes(1_u64))
    }
    /// Fitted base 20_281_000 ps, minimum 19_599 ns; 50 samples.
    fn force_set_balance_creating() -> Weight {
        Weight::from_parts(40_562_000, 71)
            .saturating_add(T::DbWeight::get().reads(1_u64))
            .saturating_add(T::DbWeight::get().writes(1_u64))
    }
    /// Fitted base 18_507_000 ps, minimum 17_957 ns; 50 samples.
    fn force_set_balance_killing() -> Weight {
        Weight::from_parts(37_014_000, 269)
            .saturating_add(T::DbWeight::get().reads(1_u64))
            .saturating_add(T::DbWeight::get().writes(1_u64))
    }
    /// Fitted base 49_094_000 ps, minimum 47_582 ns; 50 samples.
    fn force_transfer() -> Weight {
        Weight::from_parts(98_188_000, 166)
            .saturating_add(T::DbWeight::get().reads(2_u64))
            .saturating_add(T::DbWeight::get().writes(2_u64))
    }
    /// Fitted base 48_602_000 ps, minimum 46_790 ns; 50 samples.
    fn transfer_all() -> Weight {
        Weight::from_parts(97_204_000, 0)
            .saturating_add(T::DbWeight::get().reads(1_u64))
            .saturating_add(T::DbWeight::get().writes(1_u64))
    }
    /// Fitted base 16_094_000 ps, minimum 15_363 ns; 50 samples.
    fn force_unreserve() -> Weight {
        Weight::from_parts(32_188_000, 269)
            .saturating_add(T::DbWeight::get().reads(1_u64))
            .saturating_add(T::DbWeight::get().writes(1_u64))
    }
    /// The range of component `u` in `[1, 1000]`.
    /// Fitted base 12_769_000 ps, minimum 12_339 ns; 500 samples.
    fn upgrade_accounts(u: u32) -> Weight {
        Weight::from_parts(25_538_000, 166)
            .saturating_add(Weight::from_parts(23_341_680, 0).saturating_mul(u.into()))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(u.into())))
            .saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(u.into())))
            .saturating_add(Weight::from_parts(0, 129).saturating_mul(u.into()))
    }
    /// Fitted base 19_770_000 ps, minimum 12_258 ns; 50 samples.
    fn force_adjust_total_issuance() -> Weight {
        Weight::from_parts(39_540_000, 0)
    }
    /// Fitted base 38_328_000 ps, minimum 36_384 ns; 50 samples.
    fn burn_allow_death() -> Weight {
        Weight::from_parts(76_656_000, 0)
    }
    /// Fitted base 24_807_000 ps, minimum 24_096 ns; 50 samples.
    fn burn_keep_alive() -> Weight {
        Weight::from_parts(49_614_000, 0)
    }
}
