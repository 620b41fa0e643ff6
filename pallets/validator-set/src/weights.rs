//! Weights of the validator-set pallet's calls.
//!
//! HAND-ESTIMATED, NOT BENCHMARKED: storage accesses counted from the code at RocksDb costs
//! (dearer than the parity-db Ludus uses, so the figures err high), plus generous compute for
//! sorting the list, until a benchmark suite replaces them.

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions of the pallet.
pub trait WeightInfo {
    /// `set_validators` with `n` accounts.
    fn set_validators(n: u32) -> Weight;
}

impl WeightInfo for () {
    /// One `session.NextKeys` read per account (the registration check), three writes
    /// (`Validators`, `NewSetQueued`, `PendingRotation`) and an event; 20 µs base plus 2 µs
    /// per account for decoding, sorting and comparing, 64 bytes of proof per account.
    fn set_validators(n: u32) -> Weight {
        Weight::from_parts(20_000_000, 2_000)
            .saturating_add(Weight::from_parts(2_000_000, 64).saturating_mul(n.into()))
            .saturating_add(RocksDbWeight::get().reads_writes(n.into(), 3))
    }
}
