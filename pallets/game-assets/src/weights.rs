//! Weights of the game-assets calls.
//!
//! Each weight is an execution time plus the database reads and writes the call makes (counted
//! from the code, worst case), priced by the runtime's `T::DbWeight`; proof size allows 4 KB
//! plus 600 bytes per item for the records touched.
//!
//! The execution times are *not* yet the output of the frame-benchmarking CLI: the node cannot
//! run `benchmark pallet` yet, and `Benchmarking::run_benchmark` needs a database backend that
//! counts reads and writes, which the in-memory test externalities lack. They come from
//! `tests::fuzz::call_timings`, which times representative calls on the mock (debug build of
//! this crate, optimised dependencies, in-memory storage); calls not timed there are given the
//! figure of the timed call they resemble (same holds, releases and transfers). Debug timings
//! overstate release execution several times over, so the weights are conservative. Replace
//! them with CLI output once the node has `benchmark pallet`; the benchmarks in
//! `benchmarking.rs` cover every call.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// How the figures were obtained.
pub const MEASUREMENT: &str = "execution: debug-build timings of representative calls on the in-memory mock (tests::fuzz::call_timings); DB: reads and writes counted from the code, priced by T::DbWeight; not yet frame-benchmarking CLI output";

/// The weight of each game-assets call.
pub trait WeightInfo {
    fn create_collection() -> Weight;
    fn destroy_collection(a: u32, r: u32) -> Weight;
    fn set_roles() -> Weight;
    fn set_collection_metadata() -> Weight;
    fn create_token() -> Weight;
    fn destroy_token(a: u32) -> Weight;
    fn mint() -> Weight;
    fn batch_mint(n: u32) -> Weight;
    fn burn() -> Weight;
    fn transfer() -> Weight;
    fn batch_transfer(n: u32) -> Weight;
    fn transfer_from() -> Weight;
    fn set_attribute() -> Weight;
    fn clear_attribute() -> Weight;
    fn approve() -> Weight;
    fn cancel_approval() -> Weight;
    fn set_frozen() -> Weight;
    fn list() -> Weight;
    fn buy() -> Weight;
    fn cancel_listing() -> Weight;
    fn propose_trade(n: u32) -> Weight;
    fn accept_trade(n: u32) -> Weight;
    fn cancel_trade(n: u32) -> Weight;
    fn create_recipe() -> Weight;
    fn retire_recipe() -> Weight;
    fn craft(n: u32) -> Weight;
    fn fund_fuel_tank() -> Weight;
    fn withdraw_fuel() -> Weight;
    fn set_player_fuel_limit() -> Weight;
}

/// Weights for a runtime whose database costs `T::DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn create_collection() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    fn destroy_collection(a: u32, r: u32) -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
            .saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(r.into()))
            .saturating_add(T::DbWeight::get().reads(6))
            .saturating_add(T::DbWeight::get().writes(6))
            .saturating_add(T::DbWeight::get().reads(a.into()))
            .saturating_add(T::DbWeight::get().writes(a.into()))
            .saturating_add(T::DbWeight::get().writes(r.into()))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(a.into()))
    }
    fn set_roles() -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn set_collection_metadata() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn create_token() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    fn destroy_token(a: u32) -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
            .saturating_add(T::DbWeight::get().reads(a.into()))
            .saturating_add(T::DbWeight::get().writes(a.into()))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(a.into()))
    }
    fn mint() -> Weight {
        Weight::from_parts(21_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn batch_mint(n: u32) -> Weight {
        Weight::from_parts(5_000_000, 4_000)
            .saturating_add(Weight::from_parts(21_000_000, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(1))
            .saturating_add(T::DbWeight::get().writes(0))
            .saturating_add(T::DbWeight::get().reads(2u64.saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(2u64.saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn burn() -> Weight {
        Weight::from_parts(21_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn transfer() -> Weight {
        Weight::from_parts(22_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn batch_transfer(n: u32) -> Weight {
        Weight::from_parts(5_000_000, 4_000)
            .saturating_add(Weight::from_parts(22_000_000, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(0))
            .saturating_add(T::DbWeight::get().writes(0))
            .saturating_add(T::DbWeight::get().reads(4u64.saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(2u64.saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn transfer_from() -> Weight {
        Weight::from_parts(25_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn set_attribute() -> Weight {
        Weight::from_parts(160_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    fn clear_attribute() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    fn approve() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn cancel_approval() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn set_frozen() -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    fn list() -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(6))
            .saturating_add(T::DbWeight::get().writes(5))
    }
    fn buy() -> Weight {
        Weight::from_parts(250_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(8))
            .saturating_add(T::DbWeight::get().writes(7))
    }
    fn cancel_listing() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    fn propose_trade(n: u32) -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
            .saturating_add(T::DbWeight::get().reads(3u64.saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(1u64.saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn accept_trade(n: u32) -> Weight {
        Weight::from_parts(120_000_000, 4_000)
            .saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(5))
            .saturating_add(T::DbWeight::get().reads(4u64.saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(2u64.saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn cancel_trade(n: u32) -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
            .saturating_add(T::DbWeight::get().reads(1u64.saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(1u64.saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn create_recipe() -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    fn retire_recipe() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    fn craft(n: u32) -> Weight {
        Weight::from_parts(110_000_000, 4_000)
            .saturating_add(Weight::from_parts(15_000_000, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(3))
            .saturating_add(T::DbWeight::get().reads(4u64.saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(4u64.saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn fund_fuel_tank() -> Weight {
        Weight::from_parts(130_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    fn withdraw_fuel() -> Weight {
        Weight::from_parts(130_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    fn set_player_fuel_limit() -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
}

/// For tests: the same figures priced with RocksDB weights.
impl WeightInfo for () {
    fn create_collection() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn destroy_collection(a: u32, r: u32) -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
            .saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(r.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(6))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(6))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(a.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(a.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(r.into()))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(a.into()))
    }
    fn set_roles() -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(2))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_collection_metadata() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn create_token() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn destroy_token(a: u32) -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(a.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(a.into()))
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(a.into()))
    }
    fn mint() -> Weight {
        Weight::from_parts(21_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn batch_mint(n: u32) -> Weight {
        Weight::from_parts(5_000_000, 4_000)
            .saturating_add(Weight::from_parts(21_000_000, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(1))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(0))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads(2u64.saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes(2u64.saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn burn() -> Weight {
        Weight::from_parts(21_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn transfer() -> Weight {
        Weight::from_parts(22_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn batch_transfer(n: u32) -> Weight {
        Weight::from_parts(5_000_000, 4_000)
            .saturating_add(Weight::from_parts(22_000_000, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(0))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(0))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads(4u64.saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes(2u64.saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn transfer_from() -> Weight {
        Weight::from_parts(25_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(5))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_attribute() -> Weight {
        Weight::from_parts(160_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn clear_attribute() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn approve() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn cancel_approval() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(2))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_frozen() -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(1))
    }
    fn list() -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(6))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(5))
    }
    fn buy() -> Weight {
        Weight::from_parts(250_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(8))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(7))
    }
    fn cancel_listing() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn propose_trade(n: u32) -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads(3u64.saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes(1u64.saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn accept_trade(n: u32) -> Weight {
        Weight::from_parts(120_000_000, 4_000)
            .saturating_add(Weight::from_parts(12_000_000, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(5))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(5))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads(4u64.saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes(2u64.saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn cancel_trade(n: u32) -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(Weight::from_parts(8_000_000, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads(1u64.saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes(1u64.saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn create_recipe() -> Weight {
        Weight::from_parts(150_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn retire_recipe() -> Weight {
        Weight::from_parts(140_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn craft(n: u32) -> Weight {
        Weight::from_parts(110_000_000, 4_000)
            .saturating_add(Weight::from_parts(15_000_000, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads(4u64.saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes(4u64.saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 600).saturating_mul(n.into()))
    }
    fn fund_fuel_tank() -> Weight {
        Weight::from_parts(130_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn withdraw_fuel() -> Weight {
        Weight::from_parts(130_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_player_fuel_limit() -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
}
