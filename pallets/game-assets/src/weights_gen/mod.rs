//! The native benchmark harness that produces `weights.rs`.
//!
//! Ludus runs its runtime natively, so frame-benchmarking-cli (which needs a Wasm executor) is
//! of no use. This module does what its `benchmark pallet` command does, in-process:
//!
//! 1. [`backend::BenchmarkingBackend`] holds the mock's genesis in an in-memory trie and gives the
//!    frame-benchmarking host functions (`commit_db`, `wipe_db`, read/write counts, proof size)
//!    real implementations;
//! 2. [`measure`] runs each `#[benchmark]` through the pallet's generated
//!    `Benchmarking::run_benchmark` inside an `Ext` over that backend, stepping each component
//!    over its range (the others at their maximum), `repeats` times per point;
//! 3. `Analysis::min_squares_iqr` fits base + slope per component to the extrinsic time, the
//!    reads, the writes and the proof size, and [`render`] writes them out in the shape of the
//!    hand-written file (`WeightInfo`, `SubstrateWeight<T>`, `()`).
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

mod backend;

#[cfg(feature = "runtime-benchmarks")]
mod driver {
    use super::backend::BenchmarkingBackend;
    use crate::mock::{genesis_storage, AllPalletsWithSystem, Test};
    use frame_benchmarking::{Analysis, BenchmarkParameter, BenchmarkResult, BenchmarkSelector, Benchmarking as _};
    use frame_support::traits::WhitelistedStorageKeys;
    use sp_runtime::{traits::BlakeTwo256, StateVersion};
    use sp_state_machine::{Ext, OverlayedChanges};
    use std::fmt::Write as _;

    /// How densely to sample each benchmark.
    #[derive(Clone, Copy, Debug)]
    pub struct Settings {
        /// Points per component range (duplicates on short ranges are run once).
        pub steps: u32,
        /// Runs per point.
        pub repeats: u32,
    }

    /// A fitted quantity: a base plus one slope per component (same order as the benchmark's).
    #[derive(Clone, Debug)]
    pub struct Fit {
        /// At all components zero. Picoseconds for time, a count for reads/writes, bytes for proof.
        pub base: u128,
        /// Per unit of each component.
        pub slopes: Vec<u128>,
        /// The smallest value observed (what the CLI prints as "minimum execution time").
        pub minimum: u128,
    }

    /// One benchmark's measurements, fitted.
    #[derive(Clone, Debug)]
    pub struct Measured {
        /// The benchmark (= call) name.
        pub name: String,
        /// Component names with their ranges.
        pub components: Vec<(String, u32, u32)>,
        /// Extrinsic time in picoseconds.
        pub time: Fit,
        /// Distinct non-whitelisted keys read.
        pub reads: Fit,
        /// Distinct non-whitelisted keys written.
        pub writes: Fit,
        /// Recorded proof size in bytes.
        pub proof: Fit,
        /// Storage prefixes read and written at the components' maximum: (prefix, reads, writes).
        pub keys: Vec<(Vec<u8>, u32, u32)>,
        /// How many runs the fit is over.
        pub samples: usize,
    }

    /// Runs one benchmark once at the given component values, on a fresh genesis.
    fn run_once(
        backend: &BenchmarkingBackend,
        name: &str,
        components: &[(BenchmarkParameter, u32)],
        verify: bool,
    ) -> Result<Vec<BenchmarkResult>, String> {
        let whitelist = <AllPalletsWithSystem as WhitelistedStorageKeys>::whitelisted_storage_keys();
        let mut overlay = OverlayedChanges::<BlakeTwo256>::default();
        // As `StateMachine::execute` does around a runtime call; `commit_db`/`wipe_db` re-enter.
        overlay.enter_runtime().map_err(|_| "overlay already in runtime".to_string())?;
        let mut ext = Ext::new(&mut overlay, backend, None);
        sp_externalities::set_and_run_with_externalities(&mut ext, || {
            crate::Pallet::<Test>::run_benchmark(name.as_bytes(), components, &whitelist, verify, 1)
        })
        .map_err(|e| format!("benchmark {name} at {components:?} failed: {e:?}"))
    }

    /// The component values the CLI would pick: each component stepped over its range while the
    /// others sit at their maximum.
    fn points(components: &[(BenchmarkParameter, u32, u32)], steps: u32) -> Vec<Vec<(BenchmarkParameter, u32)>> {
        if components.is_empty() {
            return vec![Vec::new()];
        }
        let mut points = Vec::new();
        for (i, (_, low, high)) in components.iter().enumerate() {
            let step = f64::from(high - low) / f64::from(steps.max(2) - 1);
            for s in 0..steps.max(2) {
                let value = ((f64::from(*low) + step * f64::from(s)) as u32).clamp(*low, *high);
                let point: Vec<_> =
                    components.iter().enumerate().map(|(j, (p, _, h))| (*p, if i == j { value } else { *h })).collect();
                if !points.contains(&point) {
                    points.push(point);
                }
            }
        }
        points
    }

    fn fit(results: &Vec<BenchmarkResult>, selector: BenchmarkSelector) -> Result<Fit, String> {
        // The regression fails when there are no more samples than unknowns; the CLI then falls
        // back to median slopes too.
        let analysis = Analysis::min_squares_iqr(results, selector)
            .or_else(|_| Analysis::median_slopes(results, selector))
            .map_err(|e| e.to_string())?;
        Ok(Fit { base: analysis.base, slopes: analysis.slopes, minimum: analysis.minimum })
    }

    /// Measures every benchmark of the pallet.
    ///
    /// The repeats run in rounds, each round running every benchmark at every point once, so a
    /// burst of load from other processes on this shared machine is spread over all benchmarks
    /// and points instead of skewing one of them.
    pub fn measure(settings: Settings) -> Result<Vec<Measured>, String> {
        let backend = BenchmarkingBackend::new(genesis_storage(), StateVersion::V1);
        let mut plans = Vec::new();
        for meta in crate::Pallet::<Test>::benchmarks(false) {
            let name = String::from_utf8(meta.name).map_err(|_| "benchmark name is not UTF-8".to_string())?;
            let points = points(&meta.components, settings.steps);
            plans.push((name, meta.components, points, Vec::<BenchmarkResult>::new()));
        }
        for round in 0..settings.repeats.max(1) {
            for (name, _, points, results) in plans.iter_mut() {
                for point in points.iter() {
                    // The first round verifies the postconditions; verification is not timed.
                    results.extend(run_once(&backend, name, point, round == 0)?);
                }
            }
        }
        let mut all = Vec::new();
        for (name, components, _, results) in plans {
            // Points go from low to high, so the last result is at the components' maximum.
            let keys = results.last().map(|r| r.keys.clone()).unwrap_or_default();
            all.push(Measured {
                components: components.iter().map(|(p, l, h)| (format!("{p:?}"), *l, *h)).collect(),
                time: fit(&results, BenchmarkSelector::ExtrinsicTime)?,
                reads: fit(&results, BenchmarkSelector::Reads)?,
                writes: fit(&results, BenchmarkSelector::Writes)?,
                proof: fit(&results, BenchmarkSelector::ProofSize)?,
                keys: keys.into_iter().map(|(k, r, w, _)| (k, r, w)).collect(),
                samples: results.len(),
                name,
            });
        }
        Ok(all)
    }

    /// `Pallet::Item` for a 32-byte storage prefix, from the mock's storage info.
    fn storage_name(prefix: &[u8]) -> String {
        use frame_support::traits::StorageInfoTrait;
        <AllPalletsWithSystem as StorageInfoTrait>::storage_info()
            .into_iter()
            .find(|info| info.prefix == prefix)
            .map(|info| {
                format!(
                    "{}::{}",
                    String::from_utf8_lossy(&info.pallet_name),
                    String::from_utf8_lossy(&info.storage_name)
                )
            })
            .unwrap_or_else(|| format!("0x{}", prefix.iter().map(|b| format!("{b:02x}")).collect::<String>()))
    }

    /// Context for the generated file's header.
    pub struct Provenance {
        /// What the figures were measured on.
        pub machine: String,
        /// When.
        pub date: String,
        /// Sampling.
        pub settings: Settings,
    }

    fn weight_body(m: &Measured, db: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "        Weight::from_parts({}, {})", group(m.time.base), group(m.proof.base));
        for (i, (c, _, _)) in m.components.iter().enumerate() {
            let slope = m.time.slopes.get(i).copied().unwrap_or(0);
            if slope > 0 {
                let _ = writeln!(
                    out,
                    "            .saturating_add(Weight::from_parts({}, 0).saturating_mul({c}.into()))",
                    group(slope)
                );
            }
        }
        for (kind, fit) in [("reads", &m.reads), ("writes", &m.writes)] {
            if fit.base > 0 {
                let _ = writeln!(out, "            .saturating_add({db}.{kind}({}))", fit.base);
            }
            for (i, (c, _, _)) in m.components.iter().enumerate() {
                let slope = fit.slopes.get(i).copied().unwrap_or(0);
                if slope > 0 {
                    let _ = writeln!(
                        out,
                        "            .saturating_add({db}.{kind}(({slope}_u64).saturating_mul({c}.into())))"
                    );
                }
            }
        }
        for (i, (c, _, _)) in m.components.iter().enumerate() {
            let slope = m.proof.slopes.get(i).copied().unwrap_or(0);
            if slope > 0 {
                let _ = writeln!(
                    out,
                    "            .saturating_add(Weight::from_parts(0, {}).saturating_mul({c}.into()))",
                    group(slope)
                );
            }
        }
        out
    }

    /// A component is used if any fitted slope mentions it.
    fn used(m: &Measured, i: usize) -> bool {
        [&m.time, &m.reads, &m.writes, &m.proof].iter().any(|f| f.slopes.get(i).copied().unwrap_or(0) > 0)
    }

    fn signature(m: &Measured) -> String {
        let params: Vec<String> = m
            .components
            .iter()
            .enumerate()
            .map(|(i, (c, _, _))| if used(m, i) { format!("{c}: u32") } else { format!("_{c}: u32") })
            .collect();
        format!("fn {}({}) -> Weight", m.name, params.join(", "))
    }

    /// `1234567` as `1_234_567`, as the CLI writes numbers.
    fn group(n: u128) -> String {
        let digits: Vec<char> = n.to_string().chars().collect();
        let groups: Vec<String> = digits.rchunks(3).rev().map(|chunk| chunk.iter().collect()).collect();
        groups.join("_")
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
            for (prefix, r, w) in &m.keys {
                let _ = writeln!(out, "    /// Storage: `{}` (r:{r} w:{w})", storage_name(prefix));
            }
            let ranges: Vec<String> = m.components.iter().map(|(c, l, h)| format!("`{c}` in `[{l}, {h}]`")).collect();
            if !ranges.is_empty() {
                let _ = writeln!(out, "    /// The range of component {}.", ranges.join(", "));
            }
            let _ =
                writeln!(out, "    /// Minimum execution time: {} ns; {} samples.", group(m.time.minimum), m.samples);
            let _ = writeln!(out, "    {} {{", signature(m));
            out.push_str(&weight_body(m, "T::DbWeight::get()"));
            out.push_str("    }\n");
        }
        out.push_str("}\n\n/// For tests: the same figures priced with RocksDB weights.\nimpl WeightInfo for () {\n");
        for m in measured {
            let _ = writeln!(out, "    {} {{", signature(m));
            out.push_str(&weight_body(m, "frame_support::weights::constants::RocksDbWeight::get()"));
            out.push_str("    }\n");
        }
        out.push_str("}\n");
        out
    }

    /// "<cpu model>, <n> cores, <os>/<arch>", best effort.
    pub fn machine() -> String {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.to_string()))
            .and_then(|l| l.split(':').nth(1).map(|s| s.trim().to_string()))
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
        format!("{cpu}, {cores} cores, {}/{}", std::env::consts::OS, std::env::consts::ARCH)
    }

    /// A one-line table of the figures, for the terminal.
    pub fn table(measured: &[Measured]) -> String {
        let mut out = format!(
            "{:<26} {:>10} {:>12} {:>6} {:>6} {:>7}  slopes (us/unit)\n",
            "call", "base us", "min us", "reads", "writes", "proof"
        );
        for m in measured {
            let slopes: Vec<String> = m
                .components
                .iter()
                .zip(&m.time.slopes)
                .map(|((c, _, _), s)| format!("{c}:{:.2}", *s as f64 / 1e6))
                .collect();
            let _ = writeln!(
                out,
                "{:<26} {:>10.2} {:>12.2} {:>6} {:>6} {:>7}  {}",
                m.name,
                m.time.base as f64 / 1e6,
                m.time.minimum as f64 / 1e3,
                m.reads.base,
                m.writes.base,
                m.proof.base,
                slopes.join(" ")
            );
        }
        out
    }

    fn env_u32(name: &str, default: u32) -> u32 {
        std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// Measures everything and, with `LUDUS_BENCH_WRITE=1`, rewrites `src/weights.rs`.
    #[test]
    #[ignore = "regenerates weights.rs; run in release, see the module docs"]
    fn generate_weights() {
        if cfg!(debug_assertions) {
            eprintln!("warning: debug build; the figures will be far too high. Use --release.");
        }
        let settings =
            Settings { steps: env_u32("LUDUS_BENCH_STEPS", 10), repeats: env_u32("LUDUS_BENCH_REPEATS", 100) };
        let measured = measure(settings).unwrap();
        println!("{}", table(&measured));
        let date = std::process::Command::new("date")
            .arg("-u")
            .arg("+%Y-%m-%d")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| "unknown date".into());
        let text = render(&measured, &Provenance { machine: machine(), date, settings });
        if std::env::var("LUDUS_BENCH_WRITE").as_deref() == Ok("1") {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/weights.rs");
            std::fs::write(path, text).unwrap();
            // The workspace's rustfmt.toml (found from the file's directory) sets the layout.
            match std::process::Command::new("rustfmt").args(["--edition", "2021", path]).status() {
                Ok(status) if status.success() => {}
                other => eprintln!("warning: rustfmt on {path} failed ({other:?}); run `cargo fmt`"),
            }
            println!("wrote {path}");
        }
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
