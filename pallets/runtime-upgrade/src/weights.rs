//! Weights of the runtime-upgrade pallet's calls and hook.
//!
//! HAND-ESTIMATED, NOT BENCHMARKED: storage accesses counted from the code at RocksDb costs
//! (dearer than the parity-db Ludus uses, so the figures err high) plus 10–20 µs of compute.
//! The calls are rare root calls; the hook is one read a block while no upgrade is pending.

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions of the pallet.
pub trait WeightInfo {
    /// `schedule`: reads `Scheduled`, writes it, one event.
    fn schedule() -> Weight;
    /// `cancel`: takes `Scheduled`, one event.
    fn cancel() -> Weight;
    /// `on_initialize` when an upgrade is applied: takes `Scheduled`, one event.
    fn apply() -> Weight;
    /// `on_initialize` while an upgrade is pending: reads `Scheduled`, the digest, Aura's
    /// authorities and `Ready`, writes `Ready`; in the block before the height, may drop the
    /// schedule with an event.
    fn note_author() -> Weight;
}

impl WeightInfo for () {
    fn schedule() -> Weight {
        Weight::from_parts(10_000_000, 1_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
    }

    fn cancel() -> Weight {
        Weight::from_parts(10_000_000, 1_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
    }

    fn apply() -> Weight {
        Weight::from_parts(10_000_000, 1_000).saturating_add(RocksDbWeight::get().reads_writes(1, 2))
    }

    fn note_author() -> Weight {
        Weight::from_parts(20_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(4, 2))
    }
}
