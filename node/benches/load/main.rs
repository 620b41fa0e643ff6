//! A local 4-validator network under load: signed extrinsics submitted as fast as the network
//! takes them (or at a set rate), for a fixed time; how many get finalized per second, how long
//! each takes from submission to finality, and what each node costs in CPU and memory. With
//! `LUDUS_LOAD_COMPARE` it runs the same load on another build first and sets the two side by
//! side; every run writes a PNG plot (throughput over time, latency distribution).
//!
//! Run: `cargo bench -p ludus-node --bench load`. Environment:
//!
//! - `LUDUS_LOAD_WORKLOAD` (default `transfers`): `transfers` (balance transfers), `game` (the
//!   game-assets mix: item transfers, batch mints, market buys with royalties, crafting, fuel-tank
//!   sponsored calls; see `game.rs`) or `both` (one after the other, each on a fresh network);
//! - `LUDUS_LOAD_SECONDS` (default 60): the load window;
//! - `LUDUS_LOAD_DRAIN` (default 20): seconds after the window in which submitted extrinsics
//!   may still finalize (they count towards latency, not towards the window's rates);
//! - `LUDUS_LOAD_ACCOUNTS` (default 2000): sender accounts `//bench/<i>`, endowed with 1000 LUD
//!   each in a generated chain spec (`build-spec --chain local` plus these accounts);
//! - `LUDUS_LOAD_MAX_RATE` (default 3000): how many extrinsics per second of window are
//!   pre-signed; if the network takes them all before the window ends, the report says so;
//! - `LUDUS_LOAD_BATCH` (default 250): extrinsics per JSON-RPC batch request;
//! - `LUDUS_LOAD_RATE` (default 0 = as fast as the network takes them): a cap on accepted
//!   extrinsics per second, spread evenly over the four nodes, to find the rate the network
//!   sustains with finality keeping up;
//! - `LUDUS_LOAD_COMPARE`: another `ludus-node` binary (say, the commit before a change, built
//!   with `cargo build --release` and copied aside) to run first, under the same load, as `old`;
//! - `LUDUS_LOAD_PLOT` (default `<cargo target tmp>/ludus-load-<workload>.png`): where the plot
//!   goes;
//! - `LUDUS_LOAD_LOGS`: a directory to copy the four nodes' logs into after each run;
//! - `LUDUS_LOAD_SAMPLE` (default: a 120th of the window, at least 1 s): how often each node's
//!   memory, open file descriptors and database size are sampled for the resources table;
//! - `LUDUS_LOAD_SOAK=1`: a soak: the run also fails if any accepted extrinsic is not finalized
//!   or a node's open file descriptors grew by more than [`FD_GROWTH_LIMIT`] after the warm-up.
//!   Give it a long window at half the sustained rate (README: `LUDUS_LOAD_SECONDS=1800`,
//!   `LUDUS_LOAD_RATE` half of the steady rate a saturating run reports);
//! - `LUDUS_NODE_BIN`: the `ludus-node` binary measured as `new` (default: the one cargo built).
//!
//! How it works: four `ludus-node --chain <generated spec>` processes (Alice, then Bob, Charlie
//! and Dave booting from Alice) run on this machine through the end-to-end harness. Before the
//! window every sender's extrinsics (nonces 0, 1, 2, …) are signed, so the window spends no CPU
//! on signing. One submitter thread per node feeds that node's pool with
//! `author_submitExtrinsic` batches, one extrinsic per sender per batch, so each sender's nonces
//! reach one pool in order. A pool-full answer (1014, 1016, "Immediately Dropped") means
//! "later": the thread backs off briefly and retries that extrinsic; any other refusal is an
//! error, counted and shown, and ends that sender (its later nonces could never become ready).
//! A watcher thread follows Alice's finalized head and stamps every extrinsic of every newly
//! finalized block, by blake2-256 of its encoding, with the instant it saw the block finalized
//! (polling every 50 ms), and reads the block's events to tell which of them failed.
//!
//! What the figures mean:
//!
//! - *finalized within window, per s*: bench extrinsics whose finality was seen inside the
//!   window, divided by the window. It includes the start-up ramp (the first ones need a few
//!   slots to be authored and finalized), so it is a slight underestimate;
//! - *steady finalized rate*: extrinsics in blocks finalized after the first finalized block
//!   carrying bench extrinsics, up to the last within the window, divided by the time between
//!   those two finalizations: the rate the network sustains once the pipeline is full. This is
//!   the figure set beside the Substrate anchor (~900 balance transfers/s on 6 s blocks);
//! - *failed in dispatch*: finalized extrinsics whose call failed (`System::ExtrinsicFailed`);
//!   they are not counted as finalized operations, and any makes the run fail;
//! - *latency*: from sending the batch that got an extrinsic accepted to seeing it finalized,
//!   over all accepted extrinsics finalized by the end of the drain. Under saturation it is
//!   mostly time spent queued in a full pool, by design of "as fast as the network takes them";
//! - *CPU%*: utime + stime of each node process over the window, divided by the window's wall
//!   time (100% = one core). All four validators and this load generator share this machine's
//!   cores, so the sum is bounded by the core count and each figure is a share, not a ceiling;
//!   *network CPU per finalized op* is the four nodes' CPU time over the window divided by the
//!   operations finalized within it;
//! - *RSS / peak RSS*: `VmRSS` at the end of the window and `VmHWM` (the high-water mark).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

// The e2e harness is shared as a file; most of it is unused here.
#[path = "../../../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

mod game;
mod network;
mod plot;
mod procfs;
mod soak;
mod submit;
mod watch;
mod workload;

use std::{
    collections::{BTreeMap, HashMap},
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread,
    time::{Duration, Instant},
};

use ludus_node::test_utils::pair;
use ludus_primitives::{AccountId, Hash};
use sp_core::Pair;

use crate::{
    submit::{submit, SubmitStats},
    watch::{watch, Finalized},
    workload::{parallel_map, Sender},
};

/// The local testnet's slot length.
const SLOT_MS: u64 = 1_000;

fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// How many more file descriptors than after the warm-up a node may hold at the end of a soak:
/// connections come and go (RPC clients, peers), a leak grows with time.
const FD_GROWTH_LIMIT: u64 = 64;

/// How long the network may take to finalize its first blocks (release build, loaded machine).
const NETWORK_START: Duration = Duration::from_secs(120);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Workload {
    Transfers,
    Game,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Transfers => "transfers",
            Workload::Game => "game",
        }
    }
}

struct Config {
    workloads: Vec<Workload>,
    accounts: usize,
    window: Duration,
    drain: Duration,
    max_rate: usize,
    batch: usize,
    /// Accepted extrinsics per second over all nodes; `None` = no cap.
    rate: Option<f64>,
    /// The build measured as `old`, before the one measured as `new`.
    compare: Option<PathBuf>,
    /// How often resources are sampled.
    sample: Duration,
    /// Whether this is a soak (stricter pass criteria).
    soak: bool,
}

impl Config {
    fn from_env() -> Config {
        let workloads = match std::env::var("LUDUS_LOAD_WORKLOAD").as_deref() {
            Err(_) | Ok("transfers") => vec![Workload::Transfers],
            Ok("game") => vec![Workload::Game],
            Ok("both") => vec![Workload::Transfers, Workload::Game],
            Ok(other) => panic!("LUDUS_LOAD_WORKLOAD={other}: expected transfers, game or both"),
        };
        Config {
            workloads,
            accounts: env_or("LUDUS_LOAD_ACCOUNTS", 2000).max(2),
            window: Duration::from_secs(env_or("LUDUS_LOAD_SECONDS", 60).max(1) as u64),
            drain: Duration::from_secs(env_or("LUDUS_LOAD_DRAIN", 20) as u64),
            max_rate: env_or("LUDUS_LOAD_MAX_RATE", 3000).max(1),
            batch: env_or("LUDUS_LOAD_BATCH", 250).max(1),
            rate: Some(env_or("LUDUS_LOAD_RATE", 0)).filter(|r| *r > 0).map(|r| r as f64),
            compare: std::env::var_os("LUDUS_LOAD_COMPARE").map(PathBuf::from),
            sample: Duration::from_secs(
                env_or("LUDUS_LOAD_SAMPLE", env_or("LUDUS_LOAD_SECONDS", 60) / 120).max(1) as u64,
            ),
            soak: std::env::var("LUDUS_LOAD_SOAK").is_ok_and(|v| v == "1"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics.

fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn secs(d: Option<Duration>) -> String {
    d.map_or_else(|| "n/a".to_owned(), |d| format!("{:.2} s", d.as_secs_f64()))
}

/// One run's figures: what the report, the comparison and the plot are made of.
struct Run {
    label: String,
    window: Duration,
    accepted: usize,
    finalized_in_window: usize,
    /// (rate, first block, last block, span).
    steady: Option<(f64, u64, u64, Duration)>,
    /// Latencies of the accepted extrinsics finalized (and successful) by the end of the drain,
    /// sorted.
    latencies: Vec<Duration>,
    /// Accepted extrinsics finalized but failed in dispatch, by kind.
    failed: BTreeMap<&'static str, usize>,
    /// Finalized bench operations per 1 s bin since the window's start, through the drain.
    per_second: Vec<f64>,
    refused: u64,
    /// The four nodes' CPU time over the window.
    network_cpu: Option<Duration>,
    /// Slots of the window without a finalized block, of how many.
    slots_missed: (u64, u64),
    /// The most blocks finality trailed the best block by during the window.
    max_lag: Option<u64>,
    /// Why a soak failed, if it did.
    soak_failures: Vec<String>,
}

impl Run {
    fn finalized(&self) -> usize {
        self.latencies.len()
    }

    fn unfinalized(&self) -> usize {
        self.accepted - self.finalized() - self.failed.values().sum::<usize>()
    }

    /// Network CPU per operation finalized within the window, in ms.
    fn cpu_per_op_ms(&self) -> Option<f64> {
        let cpu = self.network_cpu?;
        (self.finalized_in_window > 0).then(|| cpu.as_secs_f64() * 1e3 / self.finalized_in_window as f64)
    }
}

fn main() {
    let config = Config::from_env();
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let pairs = parallel_map(config.accounts, |i| pair(&format!("//bench/{i}")));
    let accounts: Vec<AccountId> = pairs.iter().map(|p| AccountId::from(p.public())).collect();
    let new_binary = harness::node_binary();

    let mut failed = false;
    for &workload in &config.workloads {
        let mut runs = Vec::new();
        let mut builds = Vec::new();
        if let Some(old) = &config.compare {
            builds.push(("old", old.clone()));
        }
        builds.push((if config.compare.is_some() { "new" } else { "this build" }, new_binary.clone()));
        for (label, binary) in builds {
            println!(
                "\nludus load bench ({}, {label}: {}): 4 validators (--chain local + {} bench accounts) on one \
                 machine with {cores} cores",
                workload.name(),
                binary.display(),
                config.accounts
            );
            // The harness starts whatever `LUDUS_NODE_BIN` names; nothing else runs yet.
            std::env::set_var("LUDUS_NODE_BIN", &binary);
            let run = run(&config, workload, label, &pairs, &accounts, cores);
            failed |= run.finalized() == 0 || run.refused > 0 || !run.failed.is_empty() || !run.soak_failures.is_empty();
            runs.push(run);
        }
        if runs.len() == 2 {
            compare(&runs[0], &runs[1]);
        }
        let path = std::env::var_os("LUDUS_LOAD_PLOT").map(PathBuf::from).unwrap_or_else(|| {
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ludus-load-{}.png", workload.name()))
        });
        let path = if config.workloads.len() > 1 && std::env::var_os("LUDUS_LOAD_PLOT").is_some() {
            path.with_file_name(format!(
                "{}-{}.png",
                path.file_stem().and_then(|s| s.to_str()).unwrap_or("ludus-load"),
                workload.name()
            ))
        } else {
            path
        };
        let title = format!(
            "Ludus, 4 validators on one {cores}-core machine: {} ({})",
            workload.name(),
            config.rate.map_or_else(|| "as fast as the pools take them".to_owned(), |r| format!("{r:.0}/s offered"))
        );
        let series: Vec<plot::Series> = runs
            .iter()
            .map(|r| plot::Series {
                label: r.label.clone(),
                per_second: r.per_second.clone(),
                window: r.window,
                latencies: r.latencies.clone(),
            })
            .collect();
        match plot::write_png(&path, &title, &series) {
            Ok(()) => println!("\nplot: {}", path.display()),
            Err(e) => {
                eprintln!("could not write the plot {}: {e}", path.display());
                failed = true;
            }
        }
    }
    // A run in which nothing finalized, the pools refused extrinsics or operations failed
    // measured nothing worth reading: say so in the exit status too (CI runs the bench in a
    // short mode).
    if failed {
        eprintln!("load bench failed: a run finalized nothing, had refusals or failed operations (see above)");
        std::process::exit(1);
    }
}

/// Both runs' headline figures side by side, with new / old.
fn compare(old: &Run, new: &Run) {
    let ratio = |o: Option<f64>, n: Option<f64>| match (o, n) {
        (Some(o), Some(n)) if o > 0.0 => format!("x{:.2}", n / o),
        _ => "n/a".to_owned(),
    };
    let f = |v: Option<f64>, unit: &str| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}{unit}"));
    let steady = |r: &Run| r.steady.map(|(rate, ..)| rate);
    let p = |r: &Run, q: f64| percentile(&r.latencies, q).map(|d| d.as_secs_f64());
    println!("\n== old vs new, same load, same machine, one after the other ==");
    println!("{:<40} {:>12} {:>12} {:>10}", "", old.label, new.label, "new/old");
    let rows: [(&str, Option<f64>, Option<f64>, &str); 8] = [
        ("steady finalized rate (per s)", steady(old), steady(new), ""),
        (
            "finalized within the window (per s)",
            Some(old.finalized_in_window as f64 / old.window.as_secs_f64()),
            Some(new.finalized_in_window as f64 / new.window.as_secs_f64()),
            "",
        ),
        ("latency p50", p(old, 50.0), p(new, 50.0), " s"),
        ("latency p99", p(old, 99.0), p(new, 99.0), " s"),
        ("network CPU per finalized op", old.cpu_per_op_ms(), new.cpu_per_op_ms(), " ms"),
        ("accepted, not finalized after drain", Some(old.unfinalized() as f64), Some(new.unfinalized() as f64), ""),
        ("slots without a finalized block", Some(old.slots_missed.0 as f64), Some(new.slots_missed.0 as f64), ""),
        ("finality lag, max (blocks)", old.max_lag.map(|l| l as f64), new.max_lag.map(|l| l as f64), ""),
    ];
    for (name, o, n, unit) in rows {
        println!("{:<40} {:>12} {:>12} {:>10}", name, f(o, unit), f(n, unit), ratio(o, n));
    }
}

/// Starts a fresh network on the current `LUDUS_NODE_BIN`, loads it with `workload` for the
/// window, and reports.
fn run(
    config: &Config,
    workload: Workload,
    label: &str,
    pairs: &[sp_core::sr25519::Pair],
    accounts: &[AccountId],
    cores: usize,
) -> Run {
    let spec = network::bench_spec(accounts);
    let nodes = network::start_network(spec.path());
    println!("network started; waiting for finality on every node …");
    for (_, node) in &nodes {
        node.wait_for_finalized(2, NETWORK_START);
    }
    let genesis_hex = nodes[0].1.genesis_hash();
    let genesis = Hash::from_slice(&hex::decode(genesis_hex.trim_start_matches("0x")).expect("genesis hash is hex"));

    // At a capped rate, only what the window can take is signed (with a margin): a soak's
    // window is long.
    let per_second = config.rate.map_or(config.max_rate, |r| config.max_rate.min((r * 1.05).ceil() as usize + 1));
    let total = per_second as u64 * config.window.as_secs();
    let per_sender = u32::try_from(total.div_ceil(config.accounts as u64)).expect("nonces fit u32");
    let signing = Instant::now();
    let senders = match workload {
        Workload::Transfers => workload::transfers(pairs, accounts, per_sender, genesis),
        Workload::Game => game::prepare(&nodes, pairs, accounts, per_sender, genesis),
    };
    println!(
        "prepared {} extrinsics ({per_sender} per sender) in {:.1} s",
        senders.iter().map(|s| s.queue.len()).sum::<usize>(),
        signing.elapsed().as_secs_f64()
    );

    // Sender i goes to node i mod 4, so all of one sender's nonces reach the same pool in order.
    let mut per_node: Vec<Vec<Sender>> = (0..nodes.len()).map(|_| Vec::new()).collect();
    for (i, sender) in senders.into_iter().enumerate() {
        per_node[i % nodes.len()].push(sender);
    }
    let addrs: Vec<SocketAddr> = nodes.iter().map(|(_, n)| n.rpc_addr()).collect();
    let pids: Vec<u32> = nodes.iter().map(|(_, n)| n.pid().expect("every node runs")).collect();

    let stop_submit = Arc::new(AtomicBool::new(false));
    let stop_watch = Arc::new(AtomicBool::new(false));
    let watch_from = nodes[0].1.finalized_number();
    let watcher = {
        let stop = stop_watch.clone();
        let addr = addrs[0];
        thread::spawn(move || watch(addr, watch_from, &stop))
    };

    let stop_sample = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop_sample.clone();
        let dbs: Vec<PathBuf> = nodes.iter().map(|(_, n)| n.base_path().join("chains")).collect();
        let (pids, period) = (pids.clone(), config.sample);
        thread::spawn(move || soak::sample(pids, dbs, period, &stop))
    };
    let cpu_before: Vec<Option<u64>> = pids.iter().map(|&p| procfs::cpu_ticks(p)).collect();
    let own_before = procfs::cpu_ticks(std::process::id());
    let machine_before = procfs::machine_busy_ticks();
    let chain_before = (nodes[0].1.best_number(), nodes[0].1.finalized_number());
    let start = Instant::now();
    let start_slot = unix_ms() / SLOT_MS + 1;
    let submitters: Vec<_> = per_node
        .into_iter()
        .zip(&addrs)
        .map(|(senders, &addr)| {
            let stop = stop_submit.clone();
            let (batch, rate) = (config.batch, config.rate.map(|r| r / addrs.len() as f64));
            thread::spawn(move || submit(addr, senders, batch, rate, start, &stop))
        })
        .collect();
    match config.rate {
        Some(rate) => println!("submitting at most {rate:.0} per s for {} s …", config.window.as_secs()),
        None => println!("submitting as fast as the pools take them for {} s …", config.window.as_secs()),
    }
    thread::sleep(config.window);
    stop_submit.store(true, Ordering::Relaxed);
    let end = Instant::now();
    let end_slot = unix_ms() / SLOT_MS;
    let window = end - start;
    let cpu_after: Vec<Option<u64>> = pids.iter().map(|&p| procfs::cpu_ticks(p)).collect();
    let own_after = procfs::cpu_ticks(std::process::id());
    let machine_after = procfs::machine_busy_ticks();
    let chain_after = (nodes[0].1.best_number(), nodes[0].1.finalized_number());
    let memory: Vec<Option<(u64, u64)>> = pids.iter().map(|&p| procfs::memory_kib(p)).collect();
    stop_sample.store(true, Ordering::Relaxed);
    let samples = sampler.join().expect("the sampler panicked");
    let stats: Vec<SubmitStats> = submitters.into_iter().map(|h| h.join().expect("a submitter panicked")).collect();

    println!("window over; draining for {} s …", config.drain.as_secs());
    thread::sleep(config.drain);
    stop_watch.store(true, Ordering::Relaxed);
    let watched = watcher.join().expect("the watcher panicked");
    let (blocks, watch_errors) = (&watched.blocks, &watched.errors);

    // -- Join submissions with finalizations.
    let submitted: HashMap<[u8; 32], (Instant, &'static str)> =
        stats.iter().flat_map(|s| s.accepted.iter().map(|(h, at, kind)| (*h, (*at, *kind)))).collect();
    // Every finalized extrinsic: when it was seen final, and whether its dispatch failed.
    let mut finalized_at: HashMap<[u8; 32], (Instant, bool)> = HashMap::new();
    for block in blocks {
        for (i, hash) in block.extrinsics.iter().enumerate() {
            let failed = block.failed.contains(&(i as u32));
            finalized_at.entry(*hash).or_insert((block.at, failed));
        }
    }
    let mut latencies = Vec::new();
    let mut failed: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    for (hash, (sent, kind)) in &submitted {
        match finalized_at.get(hash) {
            Some((_, true)) => *failed.entry(kind).or_default() += 1,
            Some((at, false)) => {
                let latency = at.saturating_duration_since(*sent);
                latencies.push(latency);
                by_kind.entry(kind).or_default().push(latency);
            }
            None => {}
        }
    }
    latencies.sort();
    by_kind.values_mut().for_each(|l| l.sort());
    let in_window = |at: Instant| at >= start && at <= end;
    let finalized_in_window =
        submitted.keys().filter(|h| finalized_at.get(*h).is_some_and(|(at, failed)| !failed && in_window(*at))).count();

    let bench_count = |block: &Finalized| block.extrinsics.iter().filter(|h| submitted.contains_key(*h)).count();
    let window_blocks: Vec<(&Finalized, usize)> =
        blocks.iter().filter(|b| in_window(b.at)).map(|b| (b, bench_count(b))).collect();
    let bench_in_window_blocks: usize = window_blocks.iter().map(|(_, n)| n).sum();
    let max_per_block = window_blocks.iter().map(|(_, n)| *n).max().unwrap_or(0);

    // Throughput over time: bench operations by the 1 s bin in which they were seen final.
    let bins = (window + config.drain).as_secs() as usize + 1;
    let mut per_second = vec![0.0; bins];
    for block in blocks {
        if block.at < start {
            continue;
        }
        let bin = (block.at - start).as_secs() as usize;
        if let Some(slot) = per_second.get_mut(bin) {
            *slot += block
                .extrinsics
                .iter()
                .enumerate()
                .filter(|(i, h)| submitted.contains_key(*h) && !block.failed.contains(&(*i as u32)))
                .count() as f64;
        }
    }

    // Overload: did every slot of the window get a block that was finalized, and how far did
    // finality trail the best block?
    let window_slots = end_slot.saturating_sub(start_slot) + 1;
    let slot_blocks: Vec<&Finalized> =
        blocks.iter().filter(|b| b.slot.is_some_and(|s| (start_slot..=end_slot).contains(&s))).collect();
    let slots_missed = window_slots.saturating_sub(slot_blocks.len() as u64);
    let empty_slot_blocks = slot_blocks.iter().filter(|b| bench_count(b) == 0).count();
    let mut lags: Vec<u64> = watched.lag.iter().filter(|(at, _)| in_window(*at)).map(|(_, lag)| *lag).collect();
    lags.sort();
    let max_lag = lags.last().copied();

    // Steady state: from the first finalization that carried bench extrinsics to the last one
    // in the window; the first one's extrinsics accrued before it, so they are left out.
    let carrying: Vec<&(&Finalized, usize)> = window_blocks.iter().filter(|(_, n)| *n > 0).collect();
    let steady = match (carrying.first(), carrying.last()) {
        (Some((first, _)), Some((last, _))) if last.at > first.at => {
            let count: usize = carrying.iter().filter(|(b, _)| b.at > first.at).map(|(_, n)| n).sum();
            let span = last.at - first.at;
            Some((count as f64 / span.as_secs_f64(), first.number, last.number, span))
        }
        _ => None,
    };

    // -- Report.
    let w = window.as_secs_f64();
    let accepted = submitted.len();
    let pool_full: u64 = stats.iter().map(|s| s.pool_full).sum();
    let requests: u64 = stats.iter().map(|s| s.requests).sum();
    let request_time: Duration = stats.iter().map(|s| s.request_time).sum();
    let mut errors: HashMap<(i64, String), u64> = HashMap::new();
    for s in &stats {
        for (key, n) in &s.errors {
            *errors.entry(key.clone()).or_default() += n;
        }
    }
    let transport: Vec<&String> = stats.iter().flat_map(|s| &s.transport_errors).collect();
    let finalized_total = latencies.len();
    let failed_total: usize = failed.values().sum();

    println!();
    println!(
        "== Ludus load ({}, {label}): 4 validators, 1 s slots, {:.0} s window + {} s drain ==",
        workload.name(),
        w,
        config.drain.as_secs()
    );
    println!(
        "senders {} | batches of <= {} over 4 submitter threads (one per node) | RPC requests {} (mean round trip {:.1} ms)",
        config.accounts,
        config.batch,
        requests,
        if requests > 0 { request_time.as_secs_f64() * 1e3 / requests as f64 } else { 0.0 }
    );
    println!();
    println!("{:<44} {:>10} {:>10}", "extrinsics", "count", "per s");
    println!("{:<44} {:>10} {:>10.1}", "accepted by the pools (window)", accepted, accepted as f64 / w);
    println!(
        "{:<44} {:>10} {:>10.1}",
        "finalized within the window",
        finalized_in_window,
        finalized_in_window as f64 / w
    );
    match steady {
        Some((rate, first, last, span)) => println!(
            "{:<44} {:>10} {:>10.1}",
            format!("steady finalized rate (#{first}..#{last}, {:.1} s)", span.as_secs_f64()),
            "",
            rate
        ),
        None => println!("{:<44} {:>10} {:>10}", "steady finalized rate", "", "n/a"),
    }
    println!("{:<44} {:>10}", "finalized by the end of the drain", finalized_total);
    println!("{:<44} {:>10}", "finalized, failed in dispatch", failed_total);
    println!("{:<44} {:>10}", "accepted, not finalized by then", accepted - finalized_total - failed_total);
    println!("{:<44} {:>10}", "pool-full answers (retried)", pool_full);
    println!("{:<44} {:>10}", "refused (errors)", errors.values().sum::<u64>());
    println!();
    println!(
        "latency submission -> finalized: p50 {}  p99 {}  max {}  (n = {})",
        secs(percentile(&latencies, 50.0)),
        secs(percentile(&latencies, 99.0)),
        secs(latencies.last().copied()),
        finalized_total
    );
    if by_kind.len() > 1 || !failed.is_empty() {
        println!();
        println!("{:<20} {:>10} {:>10} {:>10} {:>10} {:>8}", "operation", "finalized", "per s", "p50", "p99", "failed");
        let kinds: std::collections::BTreeSet<&str> = by_kind.keys().chain(failed.keys()).copied().collect();
        for kind in kinds {
            let l = by_kind.get(kind).map(Vec::as_slice).unwrap_or_default();
            println!(
                "{:<20} {:>10} {:>10.1} {:>10} {:>10} {:>8}",
                kind,
                l.len(),
                l.len() as f64 / (w + config.drain.as_secs_f64()),
                secs(percentile(l, 50.0)),
                secs(percentile(l, 99.0)),
                failed.get(kind).copied().unwrap_or(0)
            );
        }
    }
    println!(
        "blocks finalized in the window: {}  avg {:.1} bench extrinsics/block  max {}",
        window_blocks.len(),
        if window_blocks.is_empty() { 0.0 } else { bench_in_window_blocks as f64 / window_blocks.len() as f64 },
        max_per_block
    );
    println!(
        "slots in the window: {window_slots}; without a finalized block: {slots_missed}; finalized blocks of them \
         with no bench extrinsic: {empty_slot_blocks}; finality lag behind best: median {} max {} blocks",
        lags.get(lags.len() / 2).map_or("n/a".to_owned(), u64::to_string),
        max_lag.map_or("n/a".to_owned(), |l| l.to_string()),
    );
    println!();
    println!("{:<10} {:>8} {:>8} {:>10} {:>14}", "process", "pid", "CPU%", "RSS MiB", "peak RSS MiB");
    let hz = procfs::clock_ticks_per_second();
    let cpu = |before: Option<u64>, after: Option<u64>| match (before, after) {
        (Some(b), Some(a)) => format!("{:.0}", (a.saturating_sub(b)) as f64 / hz / w * 100.0),
        _ => "n/a".to_owned(),
    };
    for (i, (name, _)) in nodes.iter().enumerate() {
        let (rss, peak) = memory[i].map_or(("n/a".to_owned(), "n/a".to_owned()), |(rss, hwm)| {
            (format!("{:.0}", rss as f64 / 1024.0), format!("{:.0}", hwm as f64 / 1024.0))
        });
        println!("{:<10} {:>8} {:>8} {:>10} {:>14}", name, pids[i], cpu(cpu_before[i], cpu_after[i]), rss, peak);
    }
    let own_memory = procfs::memory_kib(std::process::id());
    println!(
        "{:<10} {:>8} {:>8} {:>10} {:>14}",
        "loadgen",
        std::process::id(),
        cpu(own_before, own_after),
        own_memory.map_or("n/a".to_owned(), |(rss, _)| format!("{:.0}", rss as f64 / 1024.0)),
        own_memory.map_or("n/a".to_owned(), |(_, hwm)| format!("{:.0}", hwm as f64 / 1024.0)),
    );
    let network_ticks: Option<u64> =
        cpu_before.iter().zip(&cpu_after).map(|(b, a)| Some(a.as_ref()?.saturating_sub(*b.as_ref()?))).sum();
    let network_cpu = network_ticks.map(|t| Duration::from_secs_f64(t as f64 / hz));
    // Whatever else ran on the machine (builds, other tests) took cores from the network.
    let own = match (own_before, own_after) {
        (Some(b), Some(a)) => Some(a.saturating_sub(b)),
        _ => None,
    };
    let others = match (machine_before, machine_after, network_ticks, own) {
        (Some(b), Some(a), Some(n), Some(o)) => {
            format!("{:.0}", a.saturating_sub(b).saturating_sub(n + o) as f64 / hz / w * 100.0)
        }
        _ => "n/a".to_owned(),
    };
    println!("{:<10} {:>8} {:>8}", "others", "", others);
    println!("(CPU% = one core; {cores} cores shared by all of the above; `others` = the rest of the machine)");
    if let (Some(cpu), true) = (network_cpu, finalized_in_window > 0) {
        println!(
            "network CPU per operation finalized within the window: {:.3} ms",
            cpu.as_secs_f64() * 1e3 / finalized_in_window as f64
        );
    }
    let blocks_in_window = chain_after.0.saturating_sub(chain_before.0);
    let soak_failures = resources(&nodes, &samples, blocks_in_window, config);
    println!(
        "chain on alice during the window: best #{} -> #{}, finalized #{} -> #{} ({} slots)",
        chain_before.0,
        chain_after.0,
        chain_before.1,
        chain_after.1,
        window.as_secs()
    );
    println!();
    let headline = steady.map_or_else(|| "n/a".to_owned(), |(rate, ..)| format!("~{rate:.0}"));
    println!(
        "Ludus:            {headline} finalized {}/s on 1 s blocks, 4 validators on one {cores}-core machine",
        workload.name()
    );
    if workload == Workload::Transfers {
        println!("Substrate anchor: ~900 transfers/s on 6 s blocks");
    }

    // -- Anything that makes the figures suspect.
    if let Some(at) = stats.iter().filter_map(|s| s.exhausted_at).min() {
        println!(
            "\nWARNING: pre-signed extrinsics ran out {:.1} s into the window; the network took more than \
             LUDUS_LOAD_MAX_RATE={} per s: raise it",
            at.saturating_duration_since(start).as_secs_f64(),
            config.max_rate
        );
    }
    let refused: u64 = errors.values().sum();
    if !errors.is_empty() {
        println!("\nrefusals (senders dropped: {}):", stats.iter().map(|s| s.senders_dropped).sum::<u64>());
        let mut errors: Vec<_> = errors.into_iter().collect();
        errors.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        for ((code, message), n) in errors.iter().take(10) {
            println!("  {n:>8} x {code}: {message}");
        }
    }
    if !transport.is_empty() {
        println!("\n{} failed RPC requests (retried), first: {}", transport.len(), transport[0]);
    }
    if !watch_errors.is_empty() {
        println!("\n{} watcher errors, first: {}", watch_errors.len(), watch_errors[0]);
    }
    if let Some(dir) = std::env::var_os("LUDUS_LOAD_LOGS") {
        let dir = Path::new(&dir).join(format!("{}-{label}", workload.name()));
        std::fs::create_dir_all(&dir).expect("create the LUDUS_LOAD_LOGS directory");
        for (name, node) in &nodes {
            std::fs::write(dir.join(format!("{name}.log")), node.log()).expect("copy a node log");
        }
        println!("\nnode logs copied to {}", dir.display());
    }
    if finalized_total == 0 {
        for (name, node) in &nodes {
            println!("\n---- {name}: last log lines ----\n{}", node.log_tail(15));
        }
    }
    Run {
        label: label.to_owned(),
        window,
        accepted,
        finalized_in_window,
        steady,
        latencies,
        failed,
        per_second,
        refused,
        network_cpu,
        slots_missed: (slots_missed, window_slots),
        max_lag,
        soak_failures: if config.soak {
            let mut failures = soak_failures;
            let lost = accepted - finalized_total - failed_total;
            if lost > 0 {
                failures.push(format!("{lost} accepted extrinsics were not finalized"));
            }
            for failure in &failures {
                println!("SOAK FAILED: {failure}");
            }
            failures
        } else {
            Vec::new()
        },
    }
}

/// Prints each node's memory, file descriptors and database size over the window, with their
/// trend after the warm-up; returns what fails a soak.
fn resources(
    nodes: &[(&str, harness::Node)],
    samples: &[Vec<soak::Sample>],
    blocks: u64,
    config: &Config,
) -> Vec<String> {
    println!();
    println!(
        "resources over the window (sampled every {} s; trends after the first fifth, per minute; {blocks} blocks; \
         heap = RssAnon, RSS also holds the database files mapped into memory):",
        config.sample.as_secs()
    );
    println!(
        "{:<10} {:>14} {:>10} {:>14} {:>12} {:>9} {:>16} {:>16}",
        "process", "heap MiB", "heap/min", "RSS MiB", "open fds", "fds/min", "database MiB", "per 1,000 blocks"
    );
    let mut failures = Vec::new();
    for ((name, _), series) in nodes.iter().zip(samples) {
        let Some(trend) = soak::trend(series) else {
            println!("{name:<10} (no samples)");
            continue;
        };
        let slope = |s: Option<f64>, unit: &str| s.map_or("n/a".to_owned(), |s| format!("{s:+.2}{unit}"));
        let per_1000 = if blocks > 0 {
            format!("{:.2} MiB", (trend.disk_mib.1 - trend.disk_mib.0) / blocks as f64 * 1000.0)
        } else {
            "n/a".to_owned()
        };
        println!(
            "{:<10} {:>14} {:>10} {:>14} {:>12} {:>9} {:>16} {:>16}",
            name,
            format!("{:.0} -> {:.0}", trend.anon_mib.0, trend.anon_mib.1),
            slope(trend.anon_slope, ""),
            format!("{:.0} -> {:.0}", trend.rss_mib.0, trend.rss_mib.1),
            format!("{} -> {}", trend.fds.0, trend.fds.1),
            slope(trend.fd_slope, ""),
            format!("{:.1} -> {:.1}", trend.disk_mib.0, trend.disk_mib.1),
            per_1000,
        );
        if trend.fds.1 > trend.fds.0 + FD_GROWTH_LIMIT {
            failures.push(format!(
                "{name}'s open file descriptors grew from {} to {} after the warm-up",
                trend.fds.0, trend.fds.1
            ));
        }
    }
    failures
}
