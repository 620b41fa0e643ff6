//! Weights of the game-assets calls, measured by the native benchmark harness.
//!
//! GENERATED FILE, do not edit by hand. Produced by `src/weights_gen` (the frame-benchmarking v2
//! benchmarks in `benchmarking.rs`, run natively against the mock runtime on an in-memory trie
//! backend that counts reads and writes like the CLI's benchmarking database), with:
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p pallet-game-assets --features runtime-benchmarks \
//!     weights_gen::driver::generate_weights -- --ignored --nocapture
//! ```
//!
//! - machine: AMD EPYC, 2 cores, linux/x86_64
//! - date: 2026-11-21
//! - steps: 10, repeats: 100, release build, analysis: min_squares_iqr
//!
//! Execution time is the fitted extrinsic time in picoseconds (base, plus a slope per component),
//! without storage-root time. Reads and writes are distinct non-whitelisted keys touched, priced by
//! `T::DbWeight`. Proof size is the recorded trie proof (measured mode) on the mock's small trie.
//! Component ranges are the mock's (`MaxAttributes` 4, `MaxRoleHolders` 3, `MaxBatch` 8,
//! `MaxTradeItems` 4); larger runtime bounds are covered by the linear slopes.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// How the figures were obtained.
pub const MEASUREMENT: &str = "native frame-benchmarking v2 run (src/weights_gen), AMD EPYC, 2 cores, linux/x86_64, 2026-11-21, steps 10, repeats 100, release";

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
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:0 w:1)
    /// Storage: `GameAssets::NextCollectionId` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 36_595 ns; 100 samples.
    fn create_collection() -> Weight {
        Weight::from_parts(37_867_000, 211)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `System::Account` (r:2 w:2)
    /// Storage: `GameAssets::CollectionRoles` (r:2 w:2)
    /// Storage: `GameAssets::Attributes` (r:5 w:4)
    /// Storage: `GameAssets::CollectionMetadataOf` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:1)
    /// Storage: `GameAssets::FuelTanks` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// The range of component `a` in `[0, 4]`, `r` in `[0, 3]`.
    /// Minimum execution time: 91_968 ns; 800 samples.
    fn destroy_collection(a: u32, r: u32) -> Weight {
        Weight::from_parts(91_331_562, 902)
            .saturating_add(Weight::from_parts(10_539_805, 0).saturating_mul(a.into()))
            .saturating_add(Weight::from_parts(614_841, 0).saturating_mul(r.into()))
            .saturating_add(T::DbWeight::get().reads(7))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(a.into())))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
            .saturating_add(T::DbWeight::get().writes(6))
            .saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(a.into())))
            .saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(r.into())))
            .saturating_add(Weight::from_parts(0, 144).saturating_mul(a.into()))
            .saturating_add(Weight::from_parts(0, 62).saturating_mul(r.into()))
    }
    /// Storage: `GameAssets::CollectionRoles` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:1)
    /// Minimum execution time: 10_135 ns; 100 samples.
    fn set_roles() -> Weight {
        Weight::from_parts(10_746_000, 210)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::CollectionMetadataOf` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 37_386 ns; 100 samples.
    fn set_collection_metadata() -> Weight {
        Weight::from_parts(38_928_000, 414)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:1)
    /// Storage: `GameAssets::Tokens` (r:0 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 37_506 ns; 100 samples.
    fn create_token() -> Weight {
        Weight::from_parts(38_758_000, 414)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Attributes` (r:5 w:4)
    /// Storage: `GameAssets::Collections` (r:1 w:1)
    /// Storage: `GameAssets::Tokens` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// The range of component `a` in `[0, 4]`.
    /// Minimum execution time: 34_022 ns; 500 samples.
    fn destroy_token(a: u32) -> Weight {
        Weight::from_parts(35_331_232, 653)
            .saturating_add(Weight::from_parts(12_529_832, 0).saturating_mul(a.into()))
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(a.into())))
            .saturating_add(T::DbWeight::get().writes(4))
            .saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(a.into())))
            .saturating_add(Weight::from_parts(0, 144).saturating_mul(a.into()))
    }
    /// Storage: `GameAssets::Holdings` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:1)
    /// Minimum execution time: 12_179 ns; 100 samples.
    fn mint() -> Weight {
        Weight::from_parts(13_010_000, 388)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Storage: `GameAssets::Holdings` (r:8 w:8)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:8 w:8)
    /// The range of component `n` in `[1, 8]`.
    /// Minimum execution time: 11_176 ns; 800 samples.
    fn batch_mint(n: u32) -> Weight {
        Weight::from_parts(4_838_688, 321)
            .saturating_add(Weight::from_parts(6_613_996, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(1))
            .saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 88).saturating_mul(n.into()))
    }
    /// Storage: `GameAssets::Holdings` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:1)
    /// Minimum execution time: 12_278 ns; 100 samples.
    fn burn() -> Weight {
        Weight::from_parts(12_840_000, 553)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Storage: `GameAssets::Holdings` (r:2 w:2)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:0)
    /// Minimum execution time: 13_100 ns; 100 samples.
    fn transfer() -> Weight {
        Weight::from_parts(14_011_000, 553)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Storage: `GameAssets::Holdings` (r:16 w:16)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:8 w:0)
    /// The range of component `n` in `[1, 8]`.
    /// Minimum execution time: 12_239 ns; 800 samples.
    fn batch_transfer(n: u32) -> Weight {
        Weight::from_parts(3_247_122, 450)
            .saturating_add(Weight::from_parts(10_015_749, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(1))
            .saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 127).saturating_mul(n.into()))
    }
    /// Storage: `GameAssets::Holdings` (r:2 w:2)
    /// Storage: `GameAssets::Approvals` (r:1 w:0)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:0)
    /// Minimum execution time: 16_936 ns; 100 samples.
    fn transfer_from() -> Weight {
        Weight::from_parts(17_737_000, 700)
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Storage: `System::Account` (r:2 w:2)
    /// Storage: `GameAssets::Attributes` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:2 w:2)
    /// Minimum execution time: 64_406 ns; 100 samples.
    fn set_attribute() -> Weight {
        Weight::from_parts(66_319_000, 1_137)
            .saturating_add(T::DbWeight::get().reads(7))
            .saturating_add(T::DbWeight::get().writes(6))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Attributes` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 34_061 ns; 100 samples.
    fn clear_attribute() -> Weight {
        Weight::from_parts(35_273_000, 847)
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Approvals` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 40_190 ns; 100 samples.
    fn approve() -> Weight {
        Weight::from_parts(41_493_000, 414)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Approvals` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 28_032 ns; 100 samples.
    fn cancel_approval() -> Weight {
        Weight::from_parts(29_304_000, 397)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Storage: `GameAssets::Holdings` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Minimum execution time: 9_955 ns; 100 samples.
    fn set_frozen() -> Weight {
        Weight::from_parts(11_417_000, 408)
            .saturating_add(T::DbWeight::get().reads(2))
            .saturating_add(T::DbWeight::get().writes(1))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Holdings` (r:1 w:1)
    /// Storage: `GameAssets::Listings` (r:0 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:0)
    /// Storage: `GameAssets::NextListingId` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 42_234 ns; 100 samples.
    fn list() -> Weight {
        Weight::from_parts(43_976_000, 757)
            .saturating_add(T::DbWeight::get().reads(6))
            .saturating_add(T::DbWeight::get().writes(5))
    }
    /// Storage: `System::Account` (r:3 w:3)
    /// Storage: `GameAssets::Holdings` (r:1 w:1)
    /// Storage: `GameAssets::Listings` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:1 w:0)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 90_295 ns; 100 samples.
    fn buy() -> Weight {
        Weight::from_parts(93_260_000, 1_274)
            .saturating_add(T::DbWeight::get().reads(8))
            .saturating_add(T::DbWeight::get().writes(6))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Holdings` (r:1 w:1)
    /// Storage: `GameAssets::Listings` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 29_384 ns; 100 samples.
    fn cancel_listing() -> Weight {
        Weight::from_parts(30_245_000, 459)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Holdings` (r:4 w:4)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:8 w:0)
    /// Storage: `GameAssets::Trades` (r:0 w:1)
    /// Storage: `GameAssets::NextTradeId` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// The range of component `n` in `[1, 8]`.
    /// Minimum execution time: 57_907 ns; 800 samples.
    fn propose_trade(n: u32) -> Weight {
        Weight::from_parts(56_628_252, 744)
            .saturating_add(Weight::from_parts(4_307_672, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(5))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(5))
            .saturating_add(Weight::from_parts(0, 122).saturating_mul(n.into()))
    }
    /// Storage: `System::Account` (r:2 w:2)
    /// Storage: `GameAssets::Holdings` (r:12 w:12)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:8 w:0)
    /// Storage: `GameAssets::Trades` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// The range of component `n` in `[1, 8]`.
    /// Minimum execution time: 71_697 ns; 800 samples.
    fn accept_trade(n: u32) -> Weight {
        Weight::from_parts(60_598_170, 1_009)
            .saturating_add(Weight::from_parts(8_353_812, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(3))
            .saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 150).saturating_mul(n.into()))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Holdings` (r:4 w:4)
    /// Storage: `GameAssets::Trades` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// The range of component `n` in `[1, 4]`.
    /// Minimum execution time: 43_365 ns; 400 samples.
    fn cancel_trade(n: u32) -> Weight {
        Weight::from_parts(43_045_570, 644)
            .saturating_add(Weight::from_parts(1_323_116, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(3))
            .saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 24).saturating_mul(n.into()))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:1)
    /// Storage: `GameAssets::Tokens` (r:4 w:0)
    /// Storage: `GameAssets::Recipes` (r:0 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 52_198 ns; 100 samples.
    fn create_recipe() -> Weight {
        Weight::from_parts(54_101_000, 902)
            .saturating_add(T::DbWeight::get().reads(7))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `System::Account` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:1)
    /// Storage: `GameAssets::Recipes` (r:1 w:1)
    /// Storage: `Balances::Holds` (r:1 w:1)
    /// Minimum execution time: 31_517 ns; 100 samples.
    fn retire_recipe() -> Weight {
        Weight::from_parts(32_790_000, 665)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(4))
    }
    /// Storage: `System::Account` (r:2 w:2)
    /// Storage: `GameAssets::Holdings` (r:8 w:8)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::Tokens` (r:8 w:8)
    /// Storage: `GameAssets::Recipes` (r:1 w:0)
    /// The range of component `n` in `[1, 4]`.
    /// Minimum execution time: 54_212 ns; 400 samples.
    fn craft(n: u32) -> Weight {
        Weight::from_parts(44_876_610, 966)
            .saturating_add(Weight::from_parts(10_791_510, 0).saturating_mul(n.into()))
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(n.into())))
            .saturating_add(T::DbWeight::get().writes(2))
            .saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
            .saturating_add(Weight::from_parts(0, 252).saturating_mul(n.into()))
    }
    /// Storage: `System::Account` (r:2 w:2)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::FuelTanks` (r:1 w:1)
    /// Minimum execution time: 45_859 ns; 100 samples.
    fn fund_fuel_tank() -> Weight {
        Weight::from_parts(48_303_000, 351)
            .saturating_add(T::DbWeight::get().reads(4))
            .saturating_add(T::DbWeight::get().writes(3))
    }
    /// Storage: `System::Account` (r:2 w:2)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Minimum execution time: 45_759 ns; 100 samples.
    fn withdraw_fuel() -> Weight {
        Weight::from_parts(47_682_000, 562)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
    /// Storage: `GameAssets::PlayerFuelOf` (r:1 w:1)
    /// Storage: `GameAssets::Collections` (r:1 w:0)
    /// Storage: `GameAssets::FuelTanks` (r:1 w:1)
    /// Minimum execution time: 11_357 ns; 100 samples.
    fn set_player_fuel_limit() -> Weight {
        Weight::from_parts(12_239_000, 210)
            .saturating_add(T::DbWeight::get().reads(3))
            .saturating_add(T::DbWeight::get().writes(2))
    }
}

/// For tests: the same figures priced with RocksDB weights.
impl WeightInfo for () {
    fn create_collection() -> Weight {
        Weight::from_parts(37_867_000, 211)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn destroy_collection(a: u32, r: u32) -> Weight {
        Weight::from_parts(91_331_562, 902)
            .saturating_add(Weight::from_parts(10_539_805, 0).saturating_mul(a.into()))
            .saturating_add(Weight::from_parts(614_841, 0).saturating_mul(r.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(7))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((1_u64).saturating_mul(a.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((1_u64).saturating_mul(r.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(6))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((1_u64).saturating_mul(a.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((1_u64).saturating_mul(r.into())),
            )
            .saturating_add(Weight::from_parts(0, 144).saturating_mul(a.into()))
            .saturating_add(Weight::from_parts(0, 62).saturating_mul(r.into()))
    }
    fn set_roles() -> Weight {
        Weight::from_parts(10_746_000, 210)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(2))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_collection_metadata() -> Weight {
        Weight::from_parts(38_928_000, 414)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn create_token() -> Weight {
        Weight::from_parts(38_758_000, 414)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn destroy_token(a: u32) -> Weight {
        Weight::from_parts(35_331_232, 653)
            .saturating_add(Weight::from_parts(12_529_832, 0).saturating_mul(a.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(5))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((1_u64).saturating_mul(a.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((1_u64).saturating_mul(a.into())),
            )
            .saturating_add(Weight::from_parts(0, 144).saturating_mul(a.into()))
    }
    fn mint() -> Weight {
        Weight::from_parts(13_010_000, 388)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn batch_mint(n: u32) -> Weight {
        Weight::from_parts(4_838_688, 321)
            .saturating_add(Weight::from_parts(6_613_996, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(1))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 88).saturating_mul(n.into()))
    }
    fn burn() -> Weight {
        Weight::from_parts(12_840_000, 553)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn transfer() -> Weight {
        Weight::from_parts(14_011_000, 553)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn batch_transfer(n: u32) -> Weight {
        Weight::from_parts(3_247_122, 450)
            .saturating_add(Weight::from_parts(10_015_749, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(1))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((3_u64).saturating_mul(n.into())),
            )
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 127).saturating_mul(n.into()))
    }
    fn transfer_from() -> Weight {
        Weight::from_parts(17_737_000, 700)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(5))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_attribute() -> Weight {
        Weight::from_parts(66_319_000, 1_137)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(7))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(6))
    }
    fn clear_attribute() -> Weight {
        Weight::from_parts(35_273_000, 847)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(5))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn approve() -> Weight {
        Weight::from_parts(41_493_000, 414)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn cancel_approval() -> Weight {
        Weight::from_parts(29_304_000, 397)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn set_frozen() -> Weight {
        Weight::from_parts(11_417_000, 408)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(2))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(1))
    }
    fn list() -> Weight {
        Weight::from_parts(43_976_000, 757)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(6))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(5))
    }
    fn buy() -> Weight {
        Weight::from_parts(93_260_000, 1_274)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(8))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(6))
    }
    fn cancel_listing() -> Weight {
        Weight::from_parts(30_245_000, 459)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn propose_trade(n: u32) -> Weight {
        Weight::from_parts(56_628_252, 744)
            .saturating_add(Weight::from_parts(4_307_672, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(5))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(5))
            .saturating_add(Weight::from_parts(0, 122).saturating_mul(n.into()))
    }
    fn accept_trade(n: u32) -> Weight {
        Weight::from_parts(60_598_170, 1_009)
            .saturating_add(Weight::from_parts(8_353_812, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((3_u64).saturating_mul(n.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 150).saturating_mul(n.into()))
    }
    fn cancel_trade(n: u32) -> Weight {
        Weight::from_parts(43_045_570, 644)
            .saturating_add(Weight::from_parts(1_323_116, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((1_u64).saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 24).saturating_mul(n.into()))
    }
    fn create_recipe() -> Weight {
        Weight::from_parts(54_101_000, 902)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(7))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn retire_recipe() -> Weight {
        Weight::from_parts(32_790_000, 665)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(4))
    }
    fn craft(n: u32) -> Weight {
        Weight::from_parts(44_876_610, 966)
            .saturating_add(Weight::from_parts(10_791_510, 0).saturating_mul(n.into()))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().reads((4_u64).saturating_mul(n.into())),
            )
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
            .saturating_add(
                frame_support::weights::constants::RocksDbWeight::get().writes((4_u64).saturating_mul(n.into())),
            )
            .saturating_add(Weight::from_parts(0, 252).saturating_mul(n.into()))
    }
    fn fund_fuel_tank() -> Weight {
        Weight::from_parts(48_303_000, 351)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(4))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(3))
    }
    fn withdraw_fuel() -> Weight {
        Weight::from_parts(47_682_000, 562)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
    fn set_player_fuel_limit() -> Weight {
        Weight::from_parts(12_239_000, 210)
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().reads(3))
            .saturating_add(frame_support::weights::constants::RocksDbWeight::get().writes(2))
    }
}
