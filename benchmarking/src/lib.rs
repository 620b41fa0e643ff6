//! The native frame-benchmarking harness shared by the pallets and the runtime.
//!
//! Ludus executes its runtime natively, so frame-benchmarking-cli (which needs a Wasm executor)
//! is of no use: it would measure the wrong thing. This crate does what its `benchmark pallet`
//! command does, in-process, for any type implementing [`frame_benchmarking::Benchmarking`]
//! (the `Pallet<T>` of a pallet with frame-benchmarking v2 benchmarks):
//!
//! 1. [`BenchmarkingBackend`] holds a genesis in an in-memory trie and gives the
//!    frame-benchmarking host functions (`commit_db`, `wipe_db`, read/write counts, proof size)
//!    real implementations;
//! 2. [`measure`] runs each `#[benchmark]` through the generated `Benchmarking::run_benchmark`
//!    inside an `Ext` over that backend ([`run_once`]), stepping each component over its range
//!    with the others at their maximum ([`points`]), `repeats` times per point;
//! 3. [`fit`] fits base + slope per component to the extrinsic time, the reads, the writes and
//!    the proof size (`Analysis::min_squares_iqr`, as the CLI does).
//!
//! What is benchmarked, and how the figures become a `weights.rs`, stays with each harness
//! (`pallets/game-assets/src/weights_gen`, `pallets/bridge/src/weights_gen`,
//! `runtime/src/weights_gen`); this crate also holds what they share to write their files
//! ([`regenerate_weights`], [`call_docs`], [`weight_body`], [`table`], [`group`], [`machine`],
//! [`today`], [`env_u32`], [`write_generated`]).
//!
//! Nothing here runs in a node: the crate is std-only and a dev-dependency of the harnesses,
//! which are compiled only for tests with their crate's `runtime-benchmarks` feature.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod backend;

use std::path::Path;

pub use backend::{BenchmarkingBackend, RawIter};
use frame_benchmarking::{Analysis, BenchmarkParameter, BenchmarkResult, BenchmarkSelector, Benchmarking};
use sp_core::storage::TrackedStorageKey;
use sp_runtime::{traits::BlakeTwo256, StateVersion, Storage};
use sp_state_machine::{Ext, OverlayedChanges};

/// What can go wrong while measuring.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A benchmark's name is not UTF-8.
    #[error("benchmark name {0:?} is not UTF-8: rename the `#[benchmark]` function")]
    NameNotUtf8(Vec<u8>),
    /// The overlay refused to enter the runtime (a bug in the harness, not in the benchmark).
    #[error("the overlay was already inside a runtime call: report this as a harness bug")]
    OverlayInRuntime,
    /// A benchmark returned an error.
    #[error(
        "benchmark {name} at {components:?} failed: {reason}; run the pallet's benchmark tests \
         (`cargo test --features runtime-benchmarks`) to see why"
    )]
    Benchmark {
        /// The benchmark.
        name: String,
        /// The component values it ran at.
        components: Vec<(BenchmarkParameter, u32)>,
        /// What frame-benchmarking reported.
        reason: String,
    },
    /// Neither regression could fit the results.
    #[error(
        "fitting the {selector} failed: {reason}; take more samples (raise LUDUS_BENCH_STEPS or LUDUS_BENCH_REPEATS)"
    )]
    Analysis {
        /// The fitted quantity ("extrinsic time", "reads", "writes", "proof size").
        selector: &'static str,
        /// What frame-benchmarking's analysis reported.
        reason: String,
    },
}

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

impl Measured {
    /// Whether any fitted slope mentions component `index` (an unused one is written `_c`).
    pub fn uses_component(&self, index: usize) -> bool {
        [&self.time, &self.reads, &self.writes, &self.proof]
            .iter()
            .any(|f| f.slopes.get(index).copied().unwrap_or(0) > 0)
    }
}

/// Context for a generated file's header; `S` is the harness's sampling settings.
#[derive(Clone, Debug)]
pub struct Provenance<S = Settings> {
    /// What the figures were measured on.
    pub machine: String,
    /// When.
    pub date: String,
    /// Sampling.
    pub settings: S,
}

/// Runs benchmark `name` of `B` once at the given component values, on a fresh genesis.
pub fn run_once<B: Benchmarking>(
    backend: &BenchmarkingBackend,
    whitelist: &[TrackedStorageKey],
    name: &str,
    components: &[(BenchmarkParameter, u32)],
    verify: bool,
) -> Result<Vec<BenchmarkResult>, Error> {
    let mut overlay = OverlayedChanges::<BlakeTwo256>::default();
    // As `StateMachine::execute` does around a runtime call; `commit_db`/`wipe_db` re-enter.
    overlay.enter_runtime().map_err(|_| Error::OverlayInRuntime)?;
    let mut ext = Ext::new(&mut overlay, backend, None);
    sp_externalities::set_and_run_with_externalities(&mut ext, || {
        B::run_benchmark(name.as_bytes(), components, whitelist, verify, 1)
    })
    .map_err(|e| Error::Benchmark {
        name: name.to_string(),
        components: components.to_vec(),
        reason: format!("{e:?}"),
    })
}

/// The component values the CLI would pick: each component stepped over its range while the
/// others sit at their maximum.
pub fn points(components: &[(BenchmarkParameter, u32, u32)], steps: u32) -> Vec<Vec<(BenchmarkParameter, u32)>> {
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

/// Fits `selector`'s quantity of `results` to a base plus a slope per component.
#[allow(clippy::ptr_arg)] // frame-benchmarking's `Analysis` takes `&Vec`.
pub fn fit(results: &Vec<BenchmarkResult>, selector: BenchmarkSelector) -> Result<Fit, Error> {
    // The regression fails when there are no more samples than unknowns; the CLI then falls
    // back to median slopes too.
    let analysis = Analysis::min_squares_iqr(results, selector)
        .or_else(|_| Analysis::median_slopes(results, selector))
        .map_err(|e| Error::Analysis { selector: selector_name(selector), reason: e.to_string() })?;
    Ok(Fit { base: analysis.base, slopes: analysis.slopes, minimum: analysis.minimum })
}

/// What `selector` fits, for error messages (`BenchmarkSelector` has no `Debug`).
fn selector_name(selector: BenchmarkSelector) -> &'static str {
    match selector {
        BenchmarkSelector::ExtrinsicTime => "extrinsic time",
        BenchmarkSelector::StorageRootTime => "storage root time",
        BenchmarkSelector::Reads => "reads",
        BenchmarkSelector::Writes => "writes",
        BenchmarkSelector::ProofSize => "proof size",
    }
}

/// Measures every benchmark of `B` on `genesis` (state version 1), not counting `whitelist`.
///
/// The repeats run in rounds, each round running every benchmark at every point once, so a
/// burst of load from other processes on this shared machine is spread over all benchmarks
/// and points instead of skewing one of them. The first round also verifies each benchmark's
/// postconditions (verification is not timed).
pub fn measure<B: Benchmarking>(
    genesis: Storage,
    whitelist: &[TrackedStorageKey],
    settings: Settings,
) -> Result<Vec<Measured>, Error> {
    let backend = BenchmarkingBackend::new(genesis, StateVersion::V1);
    let mut plans = Vec::new();
    for meta in B::benchmarks(false) {
        let name = String::from_utf8(meta.name).map_err(|e| Error::NameNotUtf8(e.into_bytes()))?;
        let points = points(&meta.components, settings.steps);
        plans.push((name, meta.components, points, Vec::<BenchmarkResult>::new()));
    }
    for round in 0..settings.repeats.max(1) {
        for (name, _, points, results) in plans.iter_mut() {
            for point in points.iter() {
                results.extend(run_once::<B>(&backend, whitelist, name, point, round == 0)?);
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

/// The body of one generated `WeightInfo` function for `m`, in Substrate's generated shape:
/// the time base and per-component slopes (times `time_multiplier`, the file's safety
/// margin), the database reads and writes through `db` (e.g. `T::DbWeight::get()`; the base
/// counts written with `count_suffix`, e.g. `_u64`), and the proof-size slopes.
pub fn weight_body(m: &Measured, time_multiplier: u128, db: &str, count_suffix: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ =
        writeln!(out, "        Weight::from_parts({}, {})", group(m.time.base * time_multiplier), group(m.proof.base));
    for (i, (c, _, _)) in m.components.iter().enumerate() {
        let slope = m.time.slopes.get(i).copied().unwrap_or(0) * time_multiplier;
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
            let _ = writeln!(out, "            .saturating_add({db}.{kind}({}{count_suffix}))", fit.base);
        }
        for (i, (c, _, _)) in m.components.iter().enumerate() {
            let slope = fit.slopes.get(i).copied().unwrap_or(0);
            if slope > 0 {
                let _ =
                    writeln!(out, "            .saturating_add({db}.{kind}(({slope}_u64).saturating_mul({c}.into())))");
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

/// `Pallet::Item` for a storage prefix of the runtime `P` (`AllPalletsWithSystem`), or the
/// prefix in hex if no pallet of `P` declares it.
pub fn storage_name<P: frame_support::traits::StorageInfoTrait>(prefix: &[u8]) -> String {
    P::storage_info()
        .into_iter()
        .find(|info| info.prefix == prefix)
        .map(|info| {
            format!("{}::{}", String::from_utf8_lossy(&info.pallet_name), String::from_utf8_lossy(&info.storage_name))
        })
        .unwrap_or_else(|| format!("0x{}", prefix.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// The doc comment a generated weight function carries, as the CLI writes it: the storage
/// items it touches (named through `P`), its components' ranges and its minimum time.
pub fn call_docs<P: frame_support::traits::StorageInfoTrait>(m: &Measured) -> String {
    let mut out = String::new();
    for (prefix, r, w) in &m.keys {
        out.push_str(&format!("    /// Storage: `{}` (r:{r} w:{w})\n", storage_name::<P>(prefix)));
    }
    let ranges: Vec<String> = m.components.iter().map(|(c, l, h)| format!("`{c}` in `[{l}, {h}]`")).collect();
    if !ranges.is_empty() {
        out.push_str(&format!("    /// The range of component {}.\n", ranges.join(", ")));
    }
    out.push_str(&format!("    /// Minimum execution time: {} ns; {} samples.\n", group(m.time.minimum), m.samples));
    out
}

/// What a pallet's ignored `generate_weights` test does: measures with `measure` (steps and
/// repeats from `LUDUS_BENCH_STEPS`/`LUDUS_BENCH_REPEATS`, default 10 and 100), prints the
/// table, and with `LUDUS_BENCH_WRITE=1` writes `render`'s text to `<manifest_dir>/src/weights.rs`.
pub fn regenerate_weights(
    manifest_dir: &str,
    measure: impl FnOnce(Settings) -> Result<Vec<Measured>, Error>,
    render: impl FnOnce(&[Measured], &Provenance) -> String,
) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; the figures will be far too high. Use --release.");
    }
    let settings = Settings { steps: env_u32("LUDUS_BENCH_STEPS", 10), repeats: env_u32("LUDUS_BENCH_REPEATS", 100) };
    let measured = measure(settings).map_err(|e| format!("measuring: {e}"))?;
    println!("{}", table(&measured));
    let text = render(&measured, &Provenance { machine: machine(), date: today(), settings });
    if std::env::var("LUDUS_BENCH_WRITE").as_deref() == Ok("1") {
        let path = Path::new(manifest_dir).join("src").join("weights.rs");
        write_generated(&path, &text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The measured figures as a table for the terminal, a line per benchmark.
pub fn table(measured: &[Measured]) -> String {
    let width = measured.iter().map(|m| m.name.len()).max().unwrap_or(0).max(4);
    let mut out = format!(
        "{:<width$} {:>10} {:>12} {:>6} {:>6} {:>7}  slopes (us/unit)\n",
        "call", "base us", "min us", "reads", "writes", "proof"
    );
    for m in measured {
        let slopes: Vec<String> = m
            .components
            .iter()
            .zip(&m.time.slopes)
            .map(|((c, _, _), s)| format!("{c}:{:.2}", *s as f64 / 1e6))
            .collect();
        out.push_str(&format!(
            "{:<width$} {:>10.2} {:>12.2} {:>6} {:>6} {:>7}  {}\n",
            m.name,
            m.time.base as f64 / 1e6,
            m.time.minimum as f64 / 1e3,
            m.reads.base,
            m.writes.base,
            m.proof.base,
            slopes.join(" ")
        ));
    }
    out
}

/// `1234567` as `1_234_567`, as the CLI writes numbers.
pub fn group(n: u128) -> String {
    let digits: Vec<char> = n.to_string().chars().collect();
    let groups: Vec<String> = digits.rchunks(3).rev().map(|chunk| chunk.iter().collect()).collect();
    groups.join("_")
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

/// Today's UTC date as `YYYY-MM-DD` (from `date -u`), or "unknown date".
pub fn today() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown date".into())
}

/// The environment variable `name` as a `u32`, or `default` if it is unset or not a number.
pub fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Writes a generated source file to `path` and formats it with `rustfmt`.
///
/// The workspace's rustfmt.toml (found from the file's directory) sets the layout; a failing
/// `rustfmt` only warns, since the file is written and `cargo fmt` can finish the job.
pub fn write_generated(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)?;
    match std::process::Command::new("rustfmt").arg("--edition").arg("2021").arg(path).status() {
        Ok(status) if status.success() => {}
        other => eprintln!("warning: rustfmt on {} failed ({other:?}); run `cargo fmt`", path.display()),
    }
    println!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: BenchmarkParameter = BenchmarkParameter::a;
    const B: BenchmarkParameter = BenchmarkParameter::b;

    #[test]
    fn weight_bodies_have_substrates_generated_shape() {
        let fit = |base: u128, slope: u128| Fit { base, slopes: vec![slope], minimum: base };
        let m = Measured {
            name: "mint".into(),
            components: vec![("n".into(), 1, 8)],
            time: fit(12_000_000, 1_500),
            reads: fit(2, 1),
            writes: fit(1, 0),
            proof: fit(3_500, 40),
            keys: Vec::new(),
            samples: 10,
        };
        assert_eq!(
            weight_body(&m, 2, "T::DbWeight::get()", "_u64"),
            "        Weight::from_parts(24_000_000, 3_500)\n\
             \x20           .saturating_add(Weight::from_parts(3_000, 0).saturating_mul(n.into()))\n\
             \x20           .saturating_add(T::DbWeight::get().reads(2_u64))\n\
             \x20           .saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))\n\
             \x20           .saturating_add(T::DbWeight::get().writes(1_u64))\n\
             \x20           .saturating_add(Weight::from_parts(0, 40).saturating_mul(n.into()))\n"
        );
        // Without a margin or suffix (the game-assets file's form).
        assert!(weight_body(&m, 1, "db", "")
            .contains("from_parts(12_000_000, 3_500)\n            .saturating_add(Weight::from_parts(1_500, 0)"));
        assert!(weight_body(&m, 1, "db", "").contains(".saturating_add(db.reads(2))"));
    }

    #[test]
    fn points_step_each_component_with_the_others_at_their_maximum() {
        let points = points(&[(A, 0, 10), (B, 1, 3)], 3);
        assert_eq!(
            points,
            vec![
                vec![(A, 0), (B, 3)],
                vec![(A, 5), (B, 3)],
                vec![(A, 10), (B, 3)],
                vec![(A, 10), (B, 1)],
                vec![(A, 10), (B, 2)],
            ],
            "(10, 3) is run once although both components reach it"
        );
    }

    #[test]
    fn points_on_a_short_range_are_not_repeated_and_no_components_is_one_point() {
        assert_eq!(points(&[(A, 0, 1)], 10), vec![vec![(A, 0)], vec![(A, 1)]]);
        assert_eq!(points(&[], 10), vec![Vec::new()]);
    }

    #[test]
    fn group_writes_numbers_as_the_cli_does() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1_000");
        assert_eq!(group(1_234_567), "1_234_567");
    }

    #[test]
    fn env_u32_falls_back_to_the_default_when_unset_or_not_a_number() {
        let name = "LUDUS_BENCHMARKING_TEST_ENV_U32";
        std::env::remove_var(name);
        assert_eq!(env_u32(name, 7), 7);
        std::env::set_var(name, "not a number");
        assert_eq!(env_u32(name, 7), 7);
        std::env::set_var(name, "42");
        assert_eq!(env_u32(name, 7), 42);
    }

    #[test]
    fn uses_component_looks_at_every_fitted_quantity() {
        let flat = Fit { base: 1, slopes: vec![0, 0], minimum: 1 };
        let mut m = Measured {
            name: "x".into(),
            components: vec![("a".into(), 0, 1), ("b".into(), 0, 1)],
            time: flat.clone(),
            reads: flat.clone(),
            writes: flat.clone(),
            proof: flat,
            keys: Vec::new(),
            samples: 1,
        };
        assert!(!m.uses_component(0) && !m.uses_component(1));
        m.proof.slopes[1] = 3;
        assert!(!m.uses_component(0) && m.uses_component(1));
        assert!(!m.uses_component(5), "a component past the slopes is unused");
    }
}
