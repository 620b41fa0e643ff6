//! Weights of the bridge calls and of checkpoint fixing, measured by the native benchmark
//! harness.
//!
//! GENERATED FILE, do not edit by hand. Produced by `src/weights_gen` (the frame-benchmarking v2
//! benchmarks in `benchmarking.rs`, run natively against the mock runtime on an in-memory trie
//! backend that counts reads and writes like the CLI's benchmarking database), with:
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p pallet-bridge --features runtime-benchmarks \
//!     weights_gen::driver::generate_weights -- --ignored --nocapture
//! ```
//!
//! - machine: AMD EPYC, 2 cores, linux/x86_64
//! - date: 2026-12-04
//! - steps: 10, repeats: 100, release build, analysis: min_squares_iqr
//!
//! Execution time is the fitted extrinsic time in picoseconds (base, plus a slope per component),
//! without storage-root time; it includes the secp256k1 verification of the unsigned calls once
//! (at dispatch; the pool's check in `ValidateUnsigned` is not part of block execution). Reads
//! and writes are distinct non-whitelisted keys touched, priced by the database weight. Proof
//! size is the recorded trie proof on the mock's small trie.
//!
//! Component ranges are the mock's (`MaxValidators` 8, `AttestationWindow` 8,
//! `MaxWithdrawalsPerCheckpoint` 5); the linear slopes carry the figures to the runtime's
//! bounds. `attest_deposit`, `withdraw` and `submit_checkpoint_signature` take no argument, so
//! their components (`v` validators, `n` nonces, `p` withdrawals in the open period) are fixed
//! at the configured maximum: `SubstrateWeight<T>` reads `T`'s constants, `()` uses the Ludus
//! runtime's (64 validators, window 256,
//! 1024 withdrawals per checkpoint).

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// How the figures were obtained.
pub const MEASUREMENT: &str = "native frame-benchmarking v2 run (src/weights_gen), AMD EPYC, 2 cores, linux/x86_64, 2026-12-04, steps 10, repeats 100, release";

/// The Ludus runtime's `MaxValidators`, at which `()` weighs the calls that depend on it.
pub const RUNTIME_MAX_VALIDATORS: u32 = 64;
/// The Ludus runtime's `AttestationWindow`, at which `()` weighs `attest_deposit`.
pub const RUNTIME_ATTESTATION_WINDOW: u32 = 256;
/// The Ludus runtime's `MaxWithdrawalsPerCheckpoint`: `()` weighs `withdraw` and refunds
/// joining a period one short of it.
pub const RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT: u32 = 1024;

/// Weight functions of the pallet.
pub trait WeightInfo {
    /// `register_token` (creates an asset).
    fn register_token() -> Weight;
    /// `deregister_token`.
    fn deregister_token() -> Weight;
    /// `set_validators` with `n` keys.
    fn set_validators(n: u32) -> Weight;
    /// `attest_deposit` at the threshold: clears the nonce's attestations, tries the mint, refunds, and moves the lowest unexecuted nonce across the window, dropping the outcome each step pushes out of the retention.
    fn attest_deposit() -> Weight;
    /// `withdraw` into a period one short of full.
    fn withdraw() -> Weight;
    /// `submit_checkpoint_signature`, the one that completes the threshold.
    fn submit_checkpoint_signature() -> Weight;
    /// `set_paused`.
    fn set_paused() -> Weight;
    /// `set_l1_params`.
    fn set_l1_params() -> Weight;
    /// `set_min_withdrawal`.
    fn set_min_withdrawal() -> Weight;
    /// Fixing a checkpoint with `w` withdrawals in `on_initialize` (and installing a queued set).
    fn fix_checkpoint(w: u32) -> Weight;
}

/// Weights for a runtime whose database costs `T::DbWeight`, at `T`'s bounds.
pub struct SubstrateWeight<T>(PhantomData<T>);

impl<T: crate::Config> WeightInfo for SubstrateWeight<T> {
    /// Storage: `Assets::Asset` (r:1 w:1)
    /// Storage: `Bridge::Tokens` (r:1 w:1)
    /// Storage: `Bridge::AssetTokens` (r:1 w:1)
    /// Storage: `Bridge::TokenCount` (r:1 w:1)
    /// Minimum execution time: 18_748 ns; 100 samples.
    fn register_token() -> Weight {
        Weight::from_parts(21_912_000, 155)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `Assets::Asset` (r:1 w:0)
    /// Storage: `Bridge::Tokens` (r:1 w:1)
    /// Storage: `Bridge::AssetTokens` (r:0 w:1)
    /// Storage: `Bridge::TokenCount` (r:1 w:1)
    /// Minimum execution time: 13_800 ns; 100 samples.
    fn deregister_token() -> Weight {
        Weight::from_parts(15_624_000, 687)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Storage: `Bridge::QueuedValidators` (r:0 w:1)
    /// Storage: `Bridge::CurrentSetId` (r:1 w:0)
    /// Storage: `Bridge::ValidatorSets` (r:1 w:0)
    /// The range of component `n` in `[1, 8]`.
    /// Minimum execution time: 17_025 ns; 800 samples.
    fn set_validators(n: u32) -> Weight {
        Weight::from_parts(9_872_442, 210)
            .saturating_add(Weight::from_parts(7_287_042, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Storage: `System::BlockHash` (r:1 w:0)
    /// Storage: `Assets::Account` (r:1 w:0)
    /// Storage: `Assets::Asset` (r:1 w:0)
    /// Storage: `Bridge::AttestationTally` (r:3 w:3)
    /// Storage: `Bridge::QueuedWithdrawalCount` (r:1 w:0)
    /// Storage: `Bridge::L1Params` (r:1 w:0)
    /// Storage: `Bridge::OpenAttestations` (r:8 w:8)
    /// Storage: `Bridge::Paused` (r:1 w:0)
    /// Storage: `Bridge::LowestUnexecutedNonce` (r:1 w:1)
    /// Storage: `Bridge::ExecutedDeposits` (r:9 w:9)
    /// Storage: `Bridge::PendingWithdrawals` (r:1 w:1)
    /// Storage: `Bridge::CurrentSetId` (r:1 w:0)
    /// Storage: `Bridge::ValidatorSets` (r:1 w:0)
    /// Storage: `Bridge::Tokens` (r:1 w:0)
    /// Storage: `Bridge::Attestations` (r:9 w:8)
    /// Storage: `Bridge::NextWithdrawalId` (r:1 w:1)
    /// The range of component `v` in `[1, 8]`, `n` in `[1, 8]`, `p` in `[0, 4]`.
    /// Minimum execution time: 126_949 ns; 1900 samples.
    fn attest_deposit() -> Weight {
        let v: u32 = T::MaxValidators::get();
        let n: u32 = u32::try_from(T::AttestationWindow::get()).unwrap_or(u32::MAX);
        let p: u32 = T::MaxWithdrawalsPerCheckpoint::get().saturating_sub(1);
        Weight::from_parts(107_669_742, 1_181)
            .saturating_add(Weight::from_parts(4_829_780, 0).saturating_mul(v.into()))
            .saturating_add(Weight::from_parts(2_692_185, 0).saturating_mul(n.into()))
            .saturating_add(Weight::from_parts(632_682, 0).saturating_mul(p.into()))
            .saturating_add(T::DbWeight::get().reads(14))
            .saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(v.into())))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(4))
            .saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(v.into())))
            .saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 222).saturating_mul(v.into()))
            .saturating_add(Weight::from_parts(0, 33).saturating_mul(n.into()))
            .saturating_add(Weight::from_parts(0, 111).saturating_mul(p.into()))
    }
    /// Storage: `Assets::Account` (r:1 w:1)
    /// Storage: `Assets::Asset` (r:1 w:1)
    /// Storage: `Bridge::QueuedWithdrawalCount` (r:1 w:0)
    /// Storage: `Bridge::Paused` (r:1 w:0)
    /// Storage: `Bridge::PendingWithdrawals` (r:1 w:1)
    /// Storage: `Bridge::Tokens` (r:1 w:1)
    /// Storage: `Bridge::AssetTokens` (r:1 w:0)
    /// Storage: `Bridge::NextWithdrawalId` (r:1 w:1)
    /// The range of component `p` in `[0, 4]`.
    /// Minimum execution time: 36_965 ns; 500 samples.
    fn withdraw() -> Weight {
        let p: u32 = T::MaxWithdrawalsPerCheckpoint::get().saturating_sub(1);
        Weight::from_parts(42_153_632, 971)
            .saturating_add(T::DbWeight::get().reads(8))
            .saturating_add(T::DbWeight::get().writes(5))
            .saturating_add(Weight::from_parts(0, 103).saturating_mul(p.into()))
    }
    /// Storage: `Bridge::Checkpoints` (r:1 w:0)
    /// Storage: `Bridge::L1Params` (r:1 w:0)
    /// Storage: `Bridge::AbandonedCheckpoints` (r:1 w:0)
    /// Storage: `Bridge::CheckpointSignatures` (r:1 w:1)
    /// Storage: `Bridge::CheckpointTallies` (r:1 w:1)
    /// Storage: `Bridge::ValidatorSets` (r:1 w:0)
    /// Storage: `Bridge::LowestUnsignedCheckpoint` (r:1 w:1)
    /// Storage: `Bridge::LatestCheckpoint` (r:1 w:0)
    /// The range of component `v` in `[1, 8]`.
    /// Minimum execution time: 62_843 ns; 800 samples.
    fn submit_checkpoint_signature() -> Weight {
        let v: u32 = T::MaxValidators::get();
        Weight::from_parts(70_967_470, 656)
            .saturating_add(T::DbWeight::get().reads(8))
            .saturating_add(T::DbWeight::get().writes(3))
            .saturating_add(Weight::from_parts(0, 76).saturating_mul(v.into()))
    }
    /// Storage: `Bridge::Paused` (r:0 w:1)
    /// Minimum execution time: 6_159 ns; 100 samples.
    fn set_paused() -> Weight {
        Weight::from_parts(6_750_000, 0).saturating_add(T::DbWeight::get().writes(1))
    }
    /// Storage: `Bridge::L1Params` (r:0 w:1)
    /// Minimum execution time: 6_460 ns; 100 samples.
    fn set_l1_params() -> Weight {
        Weight::from_parts(7_110_000, 0).saturating_add(T::DbWeight::get().writes(1))
    }
    /// Storage: `Bridge::Tokens` (r:1 w:1)
    /// Minimum execution time: 8_793 ns; 100 samples.
    fn set_min_withdrawal() -> Weight {
        Weight::from_parts(9_565_000, 408)
            .saturating_add(T::DbWeight::get().reads(1))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Storage: `System::BlockHash` (r:2 w:0)
    /// Storage: `Bridge::RecommittedWithdrawals` (r:1 w:0)
    /// Storage: `Bridge::QueuedWithdrawalCount` (r:1 w:0)
    /// Storage: `Bridge::QueuedValidators` (r:1 w:1)
    /// Storage: `Bridge::Checkpoints` (r:0 w:1)
    /// Storage: `Bridge::L1Params` (r:1 w:0)
    /// Storage: `Bridge::SignaturesRetainedFrom` (r:1 w:0)
    /// Storage: `Bridge::PeriodStart` (r:1 w:1)
    /// Storage: `Bridge::PendingWithdrawals` (r:1 w:1)
    /// Storage: `Bridge::CurrentSetId` (r:1 w:1)
    /// Storage: `Bridge::ValidatorSets` (r:1 w:1)
    /// Storage: `Bridge::LowestUnsignedCheckpoint` (r:1 w:0)
    /// Storage: `Bridge::LatestCheckpoint` (r:1 w:1)
    /// Storage: `Bridge::CheckpointWithdrawals` (r:0 w:1)
    /// The range of component `w` in `[0, 5]`.
    /// Minimum execution time: 33_089 ns; 600 samples.
    fn fix_checkpoint(w: u32) -> Weight {
        Weight::from_parts(37_633_413, 1_370)
            .saturating_add(Weight::from_parts(63_584, 0).saturating_mul(w.into()))
            .saturating_add(T::DbWeight::get().reads(13))
            .saturating_add(T::DbWeight::get().writes(7))
            .saturating_add(Weight::from_parts(0, 96).saturating_mul(w.into()))
    }
}

/// For the Ludus runtime and the tests: the same figures priced with RocksDB weights, at the
/// Ludus runtime's bounds.
impl WeightInfo for () {
    fn register_token() -> Weight {
        Weight::from_parts(21_912_000, 155)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn deregister_token() -> Weight {
        Weight::from_parts(15_624_000, 687)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn set_validators(n: u32) -> Weight {
        Weight::from_parts(9_872_442, 210)
            .saturating_add(Weight::from_parts(7_287_042, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(2))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(1))
    }
    fn attest_deposit() -> Weight {
        let v: u32 = RUNTIME_MAX_VALIDATORS;
        let n: u32 = RUNTIME_ATTESTATION_WINDOW;
        let p: u32 = RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT - 1;
        Weight::from_parts(107_669_742, 1_181)
            .saturating_add(Weight::from_parts(4_829_780, 0).saturating_mul(v.into()))
            .saturating_add(Weight::from_parts(2_692_185, 0).saturating_mul(n.into()))
            .saturating_add(Weight::from_parts(632_682, 0).saturating_mul(p.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(14))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((2_u64).saturating_mul(v.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((2_u64).saturating_mul(v.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((1_u64).saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 222).saturating_mul(v.into()))
            .saturating_add(Weight::from_parts(0, 33).saturating_mul(n.into()))
            .saturating_add(Weight::from_parts(0, 111).saturating_mul(p.into()))
    }
    fn withdraw() -> Weight {
        let p: u32 = RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT - 1;
        Weight::from_parts(42_153_632, 971)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(8))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(5))
            .saturating_add(Weight::from_parts(0, 103).saturating_mul(p.into()))
    }
    fn submit_checkpoint_signature() -> Weight {
        let v: u32 = RUNTIME_MAX_VALIDATORS;
        Weight::from_parts(70_967_470, 656)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(8))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
            .saturating_add(Weight::from_parts(0, 76).saturating_mul(v.into()))
    }
    fn set_paused() -> Weight {
        Weight::from_parts(6_750_000, 0)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(1))
    }
    fn set_l1_params() -> Weight {
        Weight::from_parts(7_110_000, 0)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(1))
    }
    fn set_min_withdrawal() -> Weight {
        Weight::from_parts(9_565_000, 408)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(1))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(1))
    }
    fn fix_checkpoint(w: u32) -> Weight {
        Weight::from_parts(37_633_413, 1_370)
            .saturating_add(Weight::from_parts(63_584, 0).saturating_mul(w.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(13))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(7))
            .saturating_add(Weight::from_parts(0, 96).saturating_mul(w.into()))
    }
}
