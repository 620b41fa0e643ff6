//! The native benchmark harness that produces `weights.rs`.
//!
//! Ludus runs its runtime natively, so frame-benchmarking-cli (which needs a Wasm executor) is
//! of no use. The `ludus-benchmarking` crate does what its `benchmark pallet` command does,
//! in-process, and this module points it at the pallet:
//!
//! 1. [`ludus_benchmarking::BenchmarkingBackend`] holds the mock's genesis in an in-memory trie
//!    and gives the frame-benchmarking host functions (`commit_db`, `wipe_db`, read/write counts,
//!    proof size) real implementations;
//! 2. [`ludus_benchmarking::measure`] runs each `#[benchmark]` through the pallet's generated
//!    `Benchmarking::run_benchmark` inside an `Ext` over that backend, stepping each component
//!    over its range (the others at their maximum), `repeats` times per point;
//! 3. `Analysis::min_squares_iqr` fits base + slope per component to the extrinsic time, the
//!    reads, the writes and the proof size, and `driver::render` writes them out in the shape of
//!    the hand-written file (`WeightInfo`, `SubstrateWeight<T>`, `()`).
//!
//! Regenerate (release build; the measuring itself takes a few seconds):
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p pallet-game-assets --features runtime-benchmarks \
//!     weights_gen::driver::generate_weights -- --ignored --nocapture
//! ```
//!
//! `LUDUS_BENCH_STEPS` and `LUDUS_BENCH_REPEATS` override the defaults (10 and 100). Without
//! `LUDUS_BENCH_WRITE=1` the table is printed and `weights.rs` is left alone.

#[cfg(feature = "runtime-benchmarks")]
mod driver {
    use crate::mock::{genesis_storage, AllPalletsWithSystem, Test};
    use frame_support::traits::WhitelistedStorageKeys;
    use ludus_benchmarking::{call_docs, machine, regenerate_weights, weight_body, Measured, Provenance, Settings};
    use std::fmt::Write as _;

    /// Measures every benchmark of the pallet on the mock's genesis (see `ludus_benchmarking::measure`).
    pub fn measure(settings: Settings) -> Result<Vec<Measured>, ludus_benchmarking::Error> {
        let whitelist = <AllPalletsWithSystem as WhitelistedStorageKeys>::whitelisted_storage_keys();
        ludus_benchmarking::measure::<crate::Pallet<Test>>(genesis_storage(), &whitelist, settings)
    }

    fn signature(m: &Measured) -> String {
        let params: Vec<String> = m
            .components
            .iter()
            .enumerate()
            .map(|(i, (c, _, _))| if m.uses_component(i) { format!("{c}: u32") } else { format!("_{c}: u32") })
            .collect();
        format!("fn {}({}) -> Weight", m.name, params.join(", "))
    }

    /// The text of `weights.rs`.
    pub fn render(measured: &[Measured], provenance: &Provenance) -> String {
        let Settings { steps, repeats } = provenance.settings;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"//! Weights of the game-assets calls, measured by the native benchmark harness.
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
//! - machine: {machine}
//! - date: {date}
//! - steps: {steps}, repeats: {repeats}, release build, analysis: min_squares_iqr
//!
//! Execution time is the fitted extrinsic time in picoseconds (base, plus a slope per component),
//! without storage-root time. Reads and writes are distinct non-whitelisted keys touched, priced by
//! `T::DbWeight`. Proof size is the recorded trie proof (measured mode) on the mock's small trie.
//! Component ranges are the mock's (`MaxAttributes` 4, `MaxRoleHolders` 3, `MaxBatch` 8,
//! `MaxTradeItems` 4); larger runtime bounds are covered by the linear slopes.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{{traits::Get, weights::Weight}};

/// How the figures were obtained.
pub const MEASUREMENT: &str = "native frame-benchmarking v2 run (src/weights_gen), {machine}, {date}, steps {steps}, repeats {repeats}, release";

/// The weight of each game-assets call.
pub trait WeightInfo {{
"#,
            machine = provenance.machine,
            date = provenance.date,
        );
        for m in measured {
            let params: Vec<String> = m.components.iter().map(|(c, _, _)| format!("{c}: u32")).collect();
            let _ = writeln!(out, "    fn {}({}) -> Weight;", m.name, params.join(", "));
        }
        out.push_str(
            "}\n\n/// Weights for a runtime whose database costs `T::DbWeight`.\npub struct SubstrateWeight<T>(PhantomData<T>);\n\nimpl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {\n",
        );
        for m in measured {
            out.push_str(&call_docs::<AllPalletsWithSystem>(m));
            let _ = writeln!(out, "    {} {{", signature(m));
            out.push_str(&weight_body(m, 1, "T::DbWeight::get()", ""));
            out.push_str("    }\n");
        }
        out.push_str("}\n\n/// For tests: the same figures priced with RocksDB weights.\nimpl WeightInfo for () {\n");
        for m in measured {
            let _ = writeln!(out, "    {} {{", signature(m));
            out.push_str(&weight_body(m, 1, "frame_support::weights::constants::RocksDbWeight::get()", ""));
            out.push_str("    }\n");
        }
        out.push_str("}\n");
        out
    }

    /// Measures everything and, with `LUDUS_BENCH_WRITE=1`, rewrites `src/weights.rs`.
    #[test]
    #[ignore = "regenerates weights.rs; run in release, see the module docs"]
    fn generate_weights() {
        regenerate_weights(env!("CARGO_MANIFEST_DIR"), measure, render).unwrap();
    }

    /// Every benchmark runs through the harness and yields plausible, CLI-shaped figures.
    #[test]
    fn harness_measures_every_benchmark() {
        let measured = measure(Settings { steps: 2, repeats: 2 }).unwrap();
        let names: Vec<&str> = measured.iter().map(|m| m.name.as_str()).collect();
        for call in ["create_collection", "transfer", "batch_mint", "destroy_collection", "craft"] {
            assert!(names.contains(&call), "{call} missing from {names:?}");
        }
        for m in &measured {
            assert!(m.time.minimum > 0, "{}: no time measured", m.name);
            assert!(m.writes.base > 0 || m.writes.slopes.iter().any(|s| *s > 0), "{}: writes nothing", m.name);
        }
        let transfer = measured.iter().find(|m| m.name == "transfer").unwrap();
        // The holdings of sender and recipient at least: state really is read from the trie.
        assert!(transfer.reads.base >= 2, "transfer reads {}", transfer.reads.base);
        assert!(transfer.proof.base > 0, "transfer records no proof");
        let batch = measured.iter().find(|m| m.name == "batch_mint").unwrap();
        assert!(batch.writes.slopes[0] >= 1, "each mint writes: {:?}", batch.writes);

        let text = render(
            &measured,
            &Provenance { machine: machine(), date: "test".into(), settings: Settings { steps: 2, repeats: 1 } },
        );
        assert!(text.contains("fn destroy_collection(a: u32, r: u32) -> Weight;"));
        assert!(text.contains("impl WeightInfo for () {"));
    }
}
