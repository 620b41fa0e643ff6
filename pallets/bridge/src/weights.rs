//! Weights of the bridge pallet's calls and hooks.
//!
//! HAND-WRITTEN, NOT BENCHMARKED: conservative figures (storage accesses counted from the
//! code at RocksDb costs, plus generous compute, two ecdsa verifications for the unsigned
//! calls) until a benchmark suite replaces them.

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions of the pallet.
pub trait WeightInfo {
    /// `register_token` (creates an asset).
    fn register_token() -> Weight;
    /// `deregister_token`.
    fn deregister_token() -> Weight;
    /// `set_validators` with `n` keys.
    fn set_validators(n: u32) -> Weight;
    /// `attest_deposit`, including a mint at the threshold and clearing the nonce's attestations.
    fn attest_deposit() -> Weight;
    /// `withdraw`.
    fn withdraw() -> Weight;
    /// `submit_checkpoint_signature`.
    fn submit_checkpoint_signature() -> Weight;
    /// `set_paused`.
    fn set_paused() -> Weight;
    /// `set_l1_params`.
    fn set_l1_params() -> Weight;
    /// `set_min_withdrawal`.
    fn set_min_withdrawal() -> Weight;
    /// Fixing a checkpoint with `w` withdrawals in `on_initialize`.
    fn fix_checkpoint(w: u32) -> Weight;
}

/// Picoseconds of compute for one ecdsa verification (with margin).
const ECDSA_VERIFY: u64 = 100_000_000;

impl WeightInfo for () {
    fn register_token() -> Weight {
        Weight::from_parts(50_000_000, 3_000).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
    }
    fn deregister_token() -> Weight {
        Weight::from_parts(30_000_000, 3_000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
    }
    fn set_validators(n: u32) -> Weight {
        // Deriving each address decompresses a key and hashes it.
        Weight::from_parts(20_000_000, 2_000)
            .saturating_add(Weight::from_parts(60_000_000, 60).saturating_mul(u64::from(n)))
            .saturating_add(RocksDbWeight::get().reads_writes(2, 1))
    }
    fn attest_deposit() -> Weight {
        // Verification at validation and again at dispatch; a mint and clearing at most
        // `MaxValidators` attestations at the threshold (counted as 100 writes).
        Weight::from_parts(2 * ECDSA_VERIFY + 80_000_000, 10_000)
            .saturating_add(RocksDbWeight::get().reads_writes(13, 110))
    }
    fn withdraw() -> Weight {
        Weight::from_parts(60_000_000, 20_000).saturating_add(RocksDbWeight::get().reads_writes(8, 6))
    }
    fn submit_checkpoint_signature() -> Weight {
        Weight::from_parts(2 * ECDSA_VERIFY + 30_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(7, 2))
    }
    fn set_paused() -> Weight {
        Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
    }
    fn set_l1_params() -> Weight {
        Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
    }
    fn set_min_withdrawal() -> Weight {
        Weight::from_parts(10_000_000, 1_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
    }
    fn fix_checkpoint(w: u32) -> Weight {
        // One keccak leaf and about one tree node per withdrawal.
        Weight::from_parts(50_000_000, 5_000)
            .saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(u64::from(w)))
            .saturating_add(RocksDbWeight::get().reads_writes(10, 8))
    }
}
