//! A local 4-validator network under load: signed transfers submitted as fast as the network
//! takes them, for a fixed time; how many get finalized per second, how long each takes from
//! submission to finality, and what each node costs in CPU and memory.
//!
//! Run: `cargo bench -p ludus-node --bench load`. Environment:
//!
//! - `LUDUS_LOAD_SECONDS` (default 60): the load window;
//! - `LUDUS_LOAD_DRAIN` (default 20): seconds after the window in which submitted transfers
//!   may still finalize (they count towards latency, not towards the window's rates);
//! - `LUDUS_LOAD_ACCOUNTS` (default 2000): sender accounts `//bench/<i>`, endowed with 1000 LUD
//!   each in a generated chain spec (`build-spec --chain local` plus these accounts);
//! - `LUDUS_LOAD_MAX_RATE` (default 3000): how many transfers per second of window are
//!   pre-signed; if the network takes them all before the window ends, the report says so;
//! - `LUDUS_LOAD_BATCH` (default 250): transfers per JSON-RPC batch request;
//! - `LUDUS_LOAD_RATE` (default 0 = as fast as the network takes them): a cap on accepted
//!   transfers per second, spread evenly over the four nodes, to find the rate the network
//!   sustains with finality keeping up;
//! - `LUDUS_LOAD_LOGS`: a directory to copy the four nodes' logs into after the run;
//! - `LUDUS_NODE_BIN`: another `ludus-node` binary (the harness's switch).
//!
//! How it works: four `ludus-node --chain <generated spec>` processes (Alice, then Bob, Charlie
//! and Dave booting from Alice) run on this machine through the end-to-end harness. Before the
//! window every sender's transfers (`transfer_keep_alive` to the next bench account, nonces
//! 0, 1, 2, …) are signed, so the window spends no CPU on signing. One submitter thread per
//! node feeds that node's pool with `author_submitExtrinsic` batches, one transfer per sender
//! per batch, so each sender's nonces reach one pool in order. A pool-full answer (1014, 1016,
//! "Immediately Dropped") means "later": the thread backs off briefly and retries that
//! transfer; any other refusal is an error, counted and shown, and ends that sender (its later
//! nonces could never become ready). A watcher thread follows Alice's finalized head and
//! stamps every extrinsic of every newly finalized block, by blake2-256 of its encoding, with
//! the instant it saw the block finalized (polling every 50 ms).
//!
//! What the figures mean:
//!
//! - *finalized within window, per s*: bench transfers whose finality was seen inside the
//!   window, divided by the window. It includes the start-up ramp (the first transfers need a
//!   few slots to be authored and finalized), so it is a slight underestimate;
//! - *steady finalized rate*: transfers in blocks finalized after the first finalized block
//!   carrying bench transfers, up to the last within the window, divided by the time between
//!   those two finalizations: the rate the network sustains once the pipeline is full. This is
//!   the figure set beside the Substrate anchor (~900 balance transfers/s on 6 s blocks);
//! - *latency*: from sending the batch that got a transfer accepted to seeing it finalized,
//!   over all accepted transfers finalized by the end of the drain. Under saturation it is
//!   mostly time spent queued in a full pool, by design of "as fast as the network takes them";
//! - *CPU%*: utime + stime of each node process over the window, divided by the window's wall
//!   time (100% = one core). All four validators and this load generator share this machine's
//!   cores, so the sum is bounded by the core count and each figure is a share, not a ceiling;
//! - *RSS / peak RSS*: `VmRSS` at the end of the window and `VmHWM` (the high-water mark).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

// The e2e harness is shared as a file; most of it is unused here.
#[path = "../../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread,
    time::{Duration, Instant},
};

use harness::{http_post, run_cli, Node};
use ludus_node::test_utils::{pair, transfer};
use ludus_primitives::{AccountId, Hash, LUD};
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, sr25519, Pair};

/// The local testnet's validators, in genesis order, with their dev-key flags.
const VALIDATORS: [(&str, &str); 4] =
    [("alice", "--alice"), ("bob", "--bob"), ("charlie", "--charlie"), ("dave", "--dave")];
/// What each bench account is endowed with.
const ENDOWMENT: u128 = 1_000 * LUD;
/// What each transfer moves: small enough that no sender ever nears the existential deposit.
const AMOUNT: u128 = LUD / 100;
/// Pause after a batch in which a pool said it was full, doubled while whole batches are
/// refused (each refusal still costs the node a validation) up to `MAX_BACKOFF`.
const BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// How often the watcher asks for the finalized head.
const WATCH_POLL: Duration = Duration::from_millis(50);
/// How long the network may take to finalize its first blocks (release build, loaded machine).
const NETWORK_START: Duration = Duration::from_secs(120);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Config {
    accounts: usize,
    window: Duration,
    drain: Duration,
    max_rate: usize,
    batch: usize,
    /// Accepted transfers per second over all nodes; `None` = no cap.
    rate: Option<f64>,
}

impl Config {
    fn from_env() -> Config {
        Config {
            accounts: env_or("LUDUS_LOAD_ACCOUNTS", 2000).max(2),
            window: Duration::from_secs(env_or("LUDUS_LOAD_SECONDS", 60).max(1) as u64),
            drain: Duration::from_secs(env_or("LUDUS_LOAD_DRAIN", 20) as u64),
            max_rate: env_or("LUDUS_LOAD_MAX_RATE", 3000).max(1),
            batch: env_or("LUDUS_LOAD_BATCH", 250).max(1),
            rate: Some(env_or("LUDUS_LOAD_RATE", 0)).filter(|r| *r > 0).map(|r| r as f64),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Chain spec and network.

/// `build-spec --chain local` with every bench account endowed, written to a temporary file.
fn bench_spec(accounts: &[AccountId]) -> tempfile::NamedTempFile {
    let output = run_cli(&["build-spec", "--chain", "local"], Duration::from_secs(60));
    assert!(output.status.success(), "build-spec --chain local failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut spec: Value = serde_json::from_slice(&output.stdout).expect("build-spec prints a JSON chain spec");
    let balances = spec["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"]
        .as_array_mut()
        .expect("the local spec endows accounts at genesis.runtimeGenesis.patch.balances.balances");
    let endowment = u64::try_from(ENDOWMENT).expect("1000 LUD fits a JSON integer");
    for account in accounts {
        balances.push(json!([account.to_ss58check(), endowment]));
    }
    let file = tempfile::Builder::new().prefix("ludus-load-").suffix(".json").tempfile().expect("create a spec file");
    serde_json::to_writer(file.as_file(), &spec).expect("write the spec");
    file
}

/// The four validators on `spec`, Alice first and the others booting from her.
fn start_network(spec: &Path) -> Vec<(&'static str, Node)> {
    let chain = spec.to_str().expect("temp paths are UTF-8");
    let (name, flag) = VALIDATORS[0];
    let alice = Node::start(&["--chain", chain, flag, "--name", name]);
    // The identity line may trail the RPC server's start by a moment.
    alice.wait_for("Alice's network identity", Duration::from_secs(20), || {
        (!alice.log_lines_with("Local node identity is: ").is_empty()).then_some(())
    });
    let boot = alice.multiaddr();
    let mut nodes = vec![(name, alice)];
    for (name, flag) in &VALIDATORS[1..] {
        nodes.push((*name, Node::start(&["--chain", chain, flag, "--name", name, "--bootnodes", &boot])));
    }
    nodes
}

// ---------------------------------------------------------------------------------------------
// Transactions.

/// One pre-signed transfer.
struct Tx {
    hash: [u8; 32],
    hex: String,
}

/// A sender's transfers not yet accepted, lowest nonce first.
struct Sender {
    queue: VecDeque<Tx>,
}

/// Every sender's transfers, `per_sender` of them each, signed on all cores.
fn presign(pairs: &[sr25519::Pair], accounts: &[AccountId], per_sender: u32, genesis: Hash) -> Vec<Sender> {
    let sign_one = |i: usize| {
        let dest = accounts[(i + 1) % accounts.len()].clone();
        let queue = (0..per_sender)
            .map(|nonce| {
                let bytes = transfer(&pairs[i], dest.clone(), AMOUNT, nonce, genesis);
                Tx { hash: sp_crypto_hashing::blake2_256(&bytes), hex: format!("0x{}", hex::encode(&bytes)) }
            })
            .collect();
        Sender { queue }
    };
    parallel_map(pairs.len(), sign_one)
}

/// `f(0..n)` computed on every core, in order.
fn parallel_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = n.div_ceil(threads).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let f = &f;
                scope.spawn(move || (start..(start + chunk).min(n)).map(f).collect::<Vec<T>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a signing thread panicked")).collect()
    })
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC over the harness's one-request-per-connection HTTP client. Batches of a few hundred
// transfers keep the request rate at tens per second, where a fresh loopback connection per
// request costs nothing measurable (the report shows the round-trip times).

fn rpc(addr: SocketAddr, method: &str, params: Value) -> Result<Value, String> {
    let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    let response = http_post(addr, request.to_string().as_bytes()).map_err(|e| format!("{method}: {e}"))?;
    let body: Value = serde_json::from_str(&response.body).map_err(|e| format!("{method}: bad JSON ({e})"))?;
    harness::response_result(method, body).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Submitters.

/// What one submitter thread did.
#[derive(Default)]
struct SubmitStats {
    /// Accepted transfers and the instant their batch was sent.
    accepted: Vec<([u8; 32], Instant)>,
    /// Refusals because the pool was full (each retried).
    pool_full: u64,
    /// Other refusals, by code and message.
    errors: HashMap<(i64, String), u64>,
    /// Senders dropped after a refusal.
    senders_dropped: u64,
    /// Failed HTTP requests (the batch was retried).
    transport_errors: Vec<String>,
    requests: u64,
    request_time: Duration,
    /// When this thread ran out of pre-signed transfers, if it did.
    exhausted_at: Option<Instant>,
}

/// Feeds `addr` with `senders`' transfers until `stop`: each batch holds the next transfer of
/// up to `batch` senders, taken round-robin; with a `rate`, no more are sent than that many per
/// second since `start` have been accepted.
fn submit(
    addr: SocketAddr,
    mut senders: Vec<Sender>,
    batch: usize,
    rate: Option<f64>,
    start: Instant,
    stop: &AtomicBool,
) -> SubmitStats {
    let mut stats = SubmitStats::default();
    let mut cursor = 0;
    let mut backoff = BACKOFF;
    while !stop.load(Ordering::Relaxed) {
        let batch = match rate {
            Some(rate) => {
                let due = (rate * start.elapsed().as_secs_f64()) as usize;
                let budget = due.saturating_sub(stats.accepted.len()).min(batch);
                // About ten requests a second rather than one per transfer.
                let worth_sending = ((rate / 10.0) as usize).clamp(1, batch);
                if budget < worth_sending {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
                budget
            }
            None => batch,
        };
        let mut picked = Vec::with_capacity(batch);
        for step in 0..senders.len() {
            let i = (cursor + step) % senders.len();
            if !senders[i].queue.is_empty() {
                picked.push(i);
                if picked.len() == batch {
                    break;
                }
            }
        }
        let Some(&last) = picked.last() else {
            stats.exhausted_at = Some(Instant::now());
            break;
        };
        cursor = (last + 1) % senders.len();

        let calls: Vec<String> = picked
            .iter()
            .enumerate()
            .map(|(id, &i)| {
                let hex = &senders[i].queue[0].hex;
                format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"author_submitExtrinsic","params":["{hex}"]}}"#)
            })
            .collect();
        let body = format!("[{}]", calls.join(","));
        let sent = Instant::now();
        let response = http_post(addr, body.as_bytes());
        stats.requests += 1;
        stats.request_time += sent.elapsed();
        let answers = match response {
            Ok(r) if r.status == 200 => match serde_json::from_str::<Value>(&r.body) {
                Ok(Value::Array(answers)) => answers,
                _ => {
                    stats.transport_errors.push(format!("not a JSON batch answer: {:.200}", r.body));
                    thread::sleep(BACKOFF);
                    continue;
                }
            },
            Ok(r) => {
                stats.transport_errors.push(format!("HTTP {}: {:.200}", r.status, r.body));
                thread::sleep(BACKOFF);
                continue;
            }
            Err(e) => {
                stats.transport_errors.push(e.to_string());
                thread::sleep(BACKOFF);
                continue;
            }
        };

        let mut full = false;
        let mut any_accepted = false;
        let mut answered = vec![false; picked.len()];
        // A sender without an answer (a truncated batch) is simply retried next round; a second
        // answer to the same id is ignored.
        for answer in answers {
            let Some(id) = answer["id"].as_u64().map(|id| id as usize).filter(|id| *id < picked.len()) else {
                continue;
            };
            if std::mem::replace(&mut answered[id], true) {
                continue;
            }
            let i = picked[id];
            let error = answer.get("error");
            let code = error.and_then(|e| e["code"].as_i64());
            let message = error.and_then(|e| e["message"].as_str()).unwrap_or_default().to_owned();
            let accepted = match error {
                None => answer.get("result").is_some(),
                // 1013: already in the pool (a lost answer to an earlier attempt): accepted.
                Some(_) => code == Some(1013),
            };
            if accepted {
                let tx = senders[i].queue.pop_front().expect("picked senders have a transfer");
                stats.accepted.push((tx.hash, sent));
                any_accepted = true;
            } else if matches!(code, Some(1014 | 1016)) || message.contains("Immediately Dropped") {
                full = true;
                stats.pool_full += 1;
            } else {
                *stats.errors.entry((code.unwrap_or(0), message)).or_default() += 1;
                // Its later nonces could never become ready: stop feeding this sender.
                senders[i].queue.clear();
                stats.senders_dropped += 1;
            }
        }
        if full {
            backoff = if any_accepted { BACKOFF } else { (backoff * 2).min(MAX_BACKOFF) };
            thread::sleep(backoff);
        } else {
            backoff = BACKOFF;
        }
    }
    stats
}

// ---------------------------------------------------------------------------------------------
// Watcher.

/// A block as the watcher saw it finalized.
struct Finalized {
    number: u64,
    at: Instant,
    extrinsics: Vec<[u8; 32]>,
}

/// Follows `addr`'s finalized head from the block after `from` until `stop`, fetching every
/// newly finalized block in order.
fn watch(addr: SocketAddr, from: u64, stop: &AtomicBool) -> (Vec<Finalized>, Vec<String>) {
    let mut blocks = Vec::new();
    let mut errors = Vec::new();
    let mut next = from + 1;
    loop {
        // One last round after `stop`, so nothing finalized before it is missed.
        let last_round = stop.load(Ordering::Relaxed);
        if let Err(e) = watch_round(addr, &mut next, &mut blocks) {
            errors.push(e);
        }
        if last_round {
            return (blocks, errors);
        }
        thread::sleep(WATCH_POLL);
    }
}

fn watch_round(addr: SocketAddr, next: &mut u64, blocks: &mut Vec<Finalized>) -> Result<(), String> {
    let head = rpc(addr, "chain_getFinalizedHead", json!([]))?;
    let header = rpc(addr, "chain_getHeader", json!([head]))?;
    let number = harness::block_number(&header["number"]);
    let at = Instant::now();
    while *next <= number {
        let hash = rpc(addr, "chain_getBlockHash", json!([*next]))?;
        let block = rpc(addr, "chain_getBlock", json!([hash]))?;
        let extrinsics = block["block"]["extrinsics"]
            .as_array()
            .ok_or_else(|| format!("block #{next} has no extrinsics array"))?
            .iter()
            .map(|xt| {
                let hex = xt.as_str().unwrap_or_default().trim_start_matches("0x");
                hex::decode(hex).map(|bytes| sp_crypto_hashing::blake2_256(&bytes))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("block #{next}: extrinsic is not hex ({e})"))?;
        blocks.push(Finalized { number: *next, at, extrinsics });
        *next += 1;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Process figures from /proc.

fn clock_ticks_per_second() -> f64 {
    #[allow(unsafe_code)]
    // SAFETY: sysconf takes a plain integer name and touches no memory of ours.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
    // Fields 14 and 15 of proc(5); the first after ')' is field 3.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Busy clock ticks of the whole machine (all cores, `/proc/stat`), to tell how much of the
/// machine processes outside the bench took during the window.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> =
        stat.lines().next()?.split_whitespace().skip(1).map(|t| t.parse().ok()).collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice].
    let total: u64 = ticks.iter().take(8).sum();
    Some(total - ticks.get(3)? - ticks.get(4)?)
}

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field =
        |name: &str| status.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse::<u64>().ok();
    Some((field("VmRSS:")?, field("VmHWM:")?))
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

fn main() {
    let config = Config::from_env();
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "ludus load bench: 4 validators (--chain local + {} bench accounts) on one machine with {cores} cores",
        config.accounts
    );

    let pairs = parallel_map(config.accounts, |i| pair(&format!("//bench/{i}")));
    let accounts: Vec<AccountId> = pairs.iter().map(|p| AccountId::from(p.public())).collect();
    let spec = bench_spec(&accounts);
    let nodes = start_network(spec.path());
    println!("network started; waiting for finality on every node …");
    for (_, node) in &nodes {
        node.wait_for_finalized(2, NETWORK_START);
    }
    let genesis_hex = nodes[0].1.genesis_hash();
    let genesis = Hash::from_slice(&hex::decode(genesis_hex.trim_start_matches("0x")).expect("genesis hash is hex"));

    let total = config.max_rate as u64 * config.window.as_secs();
    let per_sender = u32::try_from(total.div_ceil(config.accounts as u64)).expect("nonces fit u32");
    let signing = Instant::now();
    let senders = presign(&pairs, &accounts, per_sender, genesis);
    println!(
        "signed {} transfers ({per_sender} per sender) in {:.1} s",
        per_sender as usize * config.accounts,
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

    let cpu_before: Vec<Option<u64>> = pids.iter().map(|&p| cpu_ticks(p)).collect();
    let own_before = cpu_ticks(std::process::id());
    let machine_before = machine_busy_ticks();
    let chain_before = (nodes[0].1.best_number(), nodes[0].1.finalized_number());
    let start = Instant::now();
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
        Some(rate) => println!("submitting at most {rate:.0} transfers/s for {} s …", config.window.as_secs()),
        None => println!("submitting as fast as the pools take them for {} s …", config.window.as_secs()),
    }
    thread::sleep(config.window);
    stop_submit.store(true, Ordering::Relaxed);
    let end = Instant::now();
    let window = end - start;
    let cpu_after: Vec<Option<u64>> = pids.iter().map(|&p| cpu_ticks(p)).collect();
    let own_after = cpu_ticks(std::process::id());
    let machine_after = machine_busy_ticks();
    let chain_after = (nodes[0].1.best_number(), nodes[0].1.finalized_number());
    let memory: Vec<Option<(u64, u64)>> = pids.iter().map(|&p| memory_kib(p)).collect();
    let stats: Vec<SubmitStats> = submitters.into_iter().map(|h| h.join().expect("a submitter panicked")).collect();

    println!("window over; draining for {} s …", config.drain.as_secs());
    thread::sleep(config.drain);
    stop_watch.store(true, Ordering::Relaxed);
    let (blocks, watch_errors) = watcher.join().expect("the watcher panicked");

    // -- Join submissions with finalizations.
    let submitted: HashMap<[u8; 32], Instant> = stats.iter().flat_map(|s| s.accepted.iter().copied()).collect();
    let mut finalized_at: HashMap<[u8; 32], Instant> = HashMap::new();
    for block in &blocks {
        for hash in &block.extrinsics {
            finalized_at.entry(*hash).or_insert(block.at);
        }
    }
    let mut latencies: Vec<Duration> = submitted
        .iter()
        .filter_map(|(hash, sent)| finalized_at.get(hash).map(|at| at.saturating_duration_since(*sent)))
        .collect();
    latencies.sort();
    let in_window = |at: Instant| at >= start && at <= end;
    let finalized_in_window =
        submitted.keys().filter(|h| finalized_at.get(*h).is_some_and(|at| in_window(*at))).count();

    let bench_count = |block: &Finalized| block.extrinsics.iter().filter(|h| submitted.contains_key(*h)).count();
    let window_blocks: Vec<(&Finalized, usize)> =
        blocks.iter().filter(|b| in_window(b.at)).map(|b| (b, bench_count(b))).collect();
    let bench_in_window_blocks: usize = window_blocks.iter().map(|(_, n)| n).sum();
    let max_per_block = window_blocks.iter().map(|(_, n)| *n).max().unwrap_or(0);

    // Steady state: from the first finalization that carried bench transfers to the last one in
    // the window; the first one's transfers accrued before it, so they are left out.
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

    println!();
    println!("== Ludus load: 4 validators, 1 s slots, {:.0} s window + {} s drain ==", w, config.drain.as_secs());
    println!(
        "senders {} | batches of <= {} over 4 submitter threads (one per node) | RPC requests {} (mean round trip {:.1} ms)",
        config.accounts,
        config.batch,
        requests,
        if requests > 0 { request_time.as_secs_f64() * 1e3 / requests as f64 } else { 0.0 }
    );
    println!();
    println!("{:<44} {:>10} {:>10}", "transfers", "count", "per s");
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
    println!("{:<44} {:>10}", "accepted, not finalized by then", accepted - finalized_total);
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
    println!(
        "blocks finalized in the window: {}  avg {:.1} transfers/block  max {}",
        window_blocks.len(),
        if window_blocks.is_empty() { 0.0 } else { bench_in_window_blocks as f64 / window_blocks.len() as f64 },
        max_per_block
    );
    println!();
    println!("{:<10} {:>8} {:>8} {:>10} {:>14}", "process", "pid", "CPU%", "RSS MiB", "peak RSS MiB");
    let hz = clock_ticks_per_second();
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
    let own_memory = memory_kib(std::process::id());
    println!(
        "{:<10} {:>8} {:>8} {:>10} {:>14}",
        "loadgen",
        std::process::id(),
        cpu(own_before, own_after),
        own_memory.map_or("n/a".to_owned(), |(rss, _)| format!("{:.0}", rss as f64 / 1024.0)),
        own_memory.map_or("n/a".to_owned(), |(_, hwm)| format!("{:.0}", hwm as f64 / 1024.0)),
    );
    // Whatever else ran on the machine (builds, other tests) took cores from the network.
    let ours: Option<u64> = cpu_before
        .iter()
        .zip(&cpu_after)
        .chain([(&own_before, &own_after)])
        .map(|(b, a)| Some(a.as_ref()?.saturating_sub(*b.as_ref()?)))
        .sum();
    let others = match (machine_before, machine_after, ours) {
        (Some(b), Some(a), Some(ours)) => {
            format!("{:.0}", a.saturating_sub(b).saturating_sub(ours) as f64 / hz / w * 100.0)
        }
        _ => "n/a".to_owned(),
    };
    println!("{:<10} {:>8} {:>8}", "others", "", others);
    println!("(CPU% = one core; {cores} cores shared by all of the above; `others` = the rest of the machine)");
    println!(
        "chain on alice during the window: best #{} -> #{}, finalized #{} -> #{}",
        chain_before.0, chain_after.0, chain_before.1, chain_after.1
    );
    println!();
    let headline = steady.map_or_else(|| "n/a".to_owned(), |(rate, ..)| format!("~{rate:.0}"));
    println!(
        "Ludus:            {headline} finalized transfers/s on 1 s blocks, 4 validators on one {cores}-core machine"
    );
    println!("Substrate anchor: ~900 transfers/s on 6 s blocks");

    // -- Anything that makes the figures suspect.
    if let Some(at) = stats.iter().filter_map(|s| s.exhausted_at).min() {
        println!(
            "\nWARNING: pre-signed transfers ran out {:.1} s into the window; the network took more than \
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
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).expect("create the LUDUS_LOAD_LOGS directory");
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
    // A run in which nothing finalized or the pools refused transfers measured nothing worth
    // reading: say so in the exit status too (CI runs the bench in a short mode).
    if finalized_total == 0 || refused > 0 {
        eprintln!("load bench failed: {finalized_total} transfers finalized, {refused} refused");
        std::process::exit(1);
    }
}
