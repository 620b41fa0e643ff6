//! The native benchmark harness that produces `src/weights/`.
//!
//! Ludus executes its runtime natively, so frame-benchmarking-cli (a Wasm executor) measures
//! the wrong thing. This module measures, in-process and in a release build:
//!
//! 1. **`pallet_balances` calls**: the pallet's own frame-benchmarking v2 benchmarks, run
//!    through the generated `Benchmarking::run_benchmark` against `ludus_runtime::Runtime` over
//!    [`ludus_benchmarking::BenchmarkingBackend`] (an in-memory trie that counts reads and writes
//!    like the CLI's benchmarking database), fitted with `Analysis::min_squares_iqr`: the
//!    `ludus-benchmarking` harness `pallets/game-assets/src/weights_gen` uses too.
//! 2. **Block and extrinsic base weights**: real blocks built with [`crate::Executive`] over the
//!    `local_testnet` genesis plus [`FILLER_ACCOUNTS`] accounts: an empty block (initialize,
//!    timestamp inherent, finalize with the state root) and blocks of [`BLOCK_TXS`] signed
//!    empty `system.remark`s from distinct signers. The extrinsic base is
//!    `(remark block - empty block) / BLOCK_TXS`: decoding, the sr25519 signature check (the
//!    runtime verifies natively inside `apply_extrinsic`), all eight transaction extensions
//!    (nonce, weight, fee withdrawal and refund), the event, and its share of the state root.
//!    The remark itself is left in (it does nothing; conservative). Blocks of
//!    `transfer_keep_alive`s are timed the same way as a cross-check of base + call weight.
//! 3. **Database weights**: cold reads of random `System::Account` keys through a
//!    `TrieBackend` over a trie of [`FILLER_ACCOUNTS`] accounts, and writes as the cost per
//!    changed key of the block-end state root plus committing its trie nodes, in batches of
//!    [`WRITE_BATCH`] keys (the node writes once per block, through an overlay).
//!
//! Every time figure written is the measured median (or fitted base) times
//! [`SAFETY_MULTIPLIER`]. Regenerate with:
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p ludus-runtime --features runtime-benchmarks \
//!     weights_gen::generate_weights -- --ignored --nocapture
//! ```
//!
//! `LUDUS_BENCH_STEPS`, `LUDUS_BENCH_REPEATS` (pallet benchmarks, default 10 and 50) and
//! `LUDUS_BENCH_ROUNDS` (blocks and database, default 15) override the sampling. Without
//! `LUDUS_BENCH_WRITE=1` the figures are printed and `src/weights/` is left alone.

use std::{fmt::Write as _, time::Instant};

use codec::Encode;
use frame_support::traits::WhitelistedStorageKeys;
use ludus_benchmarking::{env_u32, group, machine, today, weight_body, write_generated, Measured};
use sp_core::{crypto::Pair as _, sr25519};
use sp_runtime::{
    traits::{BlakeTwo256, Header as _},
    StateVersion,
};
use sp_state_machine::{Backend as _, TrieBackendBuilder};

use crate::{
    tests::{open_block, sign},
    *,
};

/// Every time figure written to `src/weights/` is the measurement times this. Covers a
/// slower validator machine, a cold parity-db page cache and the other node tasks (network,
/// GRANDPA, RPC) competing for the core during import.
pub const SAFETY_MULTIPLIER: u64 = 2;
/// Accounts in the state the blocks and the database are measured on.
pub const FILLER_ACCOUNTS: u32 = 100_000;
/// Extrinsics per measured block: a block Substrate's stock weights still admit, so the harness
/// runs whatever the current weights are.
pub const BLOCK_TXS: u32 = 500;
/// Keys changed per measured state-root computation.
pub const WRITE_BATCH: u32 = 1_000;

/// Sampling.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Points per component range of a pallet benchmark.
    pub steps: u32,
    /// Runs per point of a pallet benchmark.
    pub repeats: u32,
    /// Timed blocks (of each kind) and database batches.
    pub rounds: u32,
    /// Accounts in the measured state.
    pub accounts: u32,
    /// Extrinsics per measured block.
    pub block_txs: u32,
}

/// Block-level figures, medians in nanoseconds (before the safety multiplier).
#[derive(Clone, Debug)]
pub struct Overhead {
    /// An empty block: initialize, timestamp inherent, finalize.
    pub empty_block: u64,
    /// Per signed empty remark, over the empty block.
    pub extrinsic_base: u64,
    /// Per signed `transfer_keep_alive`, over the empty block.
    pub transfer_all_in: u64,
}

/// Database figures, medians in nanoseconds (before the safety multiplier).
#[derive(Clone, Debug)]
pub struct Db {
    /// One cold read of an account key.
    pub read: u64,
    /// One changed key's share of the state root and trie-node commit.
    pub write: u64,
}

fn median(mut samples: Vec<u64>) -> u64 {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// State

fn account_info(free: Balance) -> Vec<u8> {
    frame_system::AccountInfo {
        nonce: 0 as Nonce,
        consumers: 0,
        providers: 1,
        sufficients: 0,
        data: pallet_balances::AccountData::<Balance> { free, ..Default::default() },
    }
    .encode()
}

/// The signers of the measured blocks: sr25519 keys from fixed seeds, so runs are comparable.
fn signers(n: u32) -> Vec<sr25519::Pair> {
    (0..n).map(|i| sr25519::Pair::from_seed(&sp_io::hashing::blake2_256(&(b"ludus-bench", i).encode()))).collect()
}

/// `local_testnet` genesis plus `filler` funded accounts and the funded `signers`.
fn bench_storage(filler: u32, signers: &[sr25519::Pair]) -> sp_runtime::Storage {
    let mut storage = crate::tests::local_testnet_storage();
    for i in 0..filler {
        let who = AccountId::from(sp_io::hashing::blake2_256(&(b"ludus-filler", i).encode()));
        storage.top.insert(frame_system::Account::<Runtime>::hashed_key_for(&who), account_info(LUD));
    }
    for pair in signers {
        let who = AccountId::from(pair.public());
        storage.top.insert(frame_system::Account::<Runtime>::hashed_key_for(&who), account_info(1_000_000 * LUD));
    }
    storage
}

// ---------------------------------------------------------------------------------------------
// Blocks

/// What a measured block holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Empty,
    Remarks,
    Transfers,
}

/// Builds and signs `body`'s extrinsics, one per signer (outside the timed part).
fn body_extrinsics(body: Body, signers: &[sr25519::Pair]) -> Vec<UncheckedExtrinsic> {
    let call = |i: usize| match body {
        Body::Empty => None,
        Body::Remarks => Some(RuntimeCall::System(SystemCall::remark { remark: Vec::new() })),
        Body::Transfers => {
            let to = signers[(i + 1) % signers.len()].public();
            Some(RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: Address::Id(to.into()), value: LUD }))
        }
    };
    signers
        .iter()
        .enumerate()
        .filter_map(|(i, pair)| {
            let nonce = System::account_nonce(AccountId::from(pair.public()));
            call(i).map(|call| sign(pair, nonce, call))
        })
        .collect()
}

/// Times the block-level figures on `rounds` blocks of each kind.
pub fn measure_overhead(settings: Settings) -> Result<Overhead, String> {
    let signers = signers(settings.block_txs);
    let mut ext = sp_io::TestExternalities::new(bench_storage(settings.accounts, &signers));
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    let mut number: BlockNumber = 0;
    for _ in 0..settings.rounds.max(1) {
        for (k, body) in [Body::Empty, Body::Remarks, Body::Transfers].into_iter().enumerate() {
            number += 1;
            let xts = ext.execute_with(|| body_extrinsics(body, &signers));
            let elapsed = ext.execute_with(|| {
                let start = Instant::now();
                open_block(number);
                for xt in xts {
                    match Executive::apply_extrinsic(xt) {
                        Ok(Ok(())) => {}
                        other => return Err(format!("block {number} ({body:?}): an extrinsic failed: {other:?}")),
                    }
                }
                let header = Executive::finalize_block();
                let elapsed = start.elapsed();
                assert_eq!(*header.number(), number);
                Ok(elapsed)
            })?;
            // What the node does after import: the block's changes become the committed state.
            ext.commit_all().map_err(|e| format!("commit of block {number}: {e}"))?;
            times[k].push(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
        }
    }
    let [empty, remarks, transfers] = times;
    let empty = median(empty);
    let per_tx = |block: u64| block.saturating_sub(empty) / u64::from(settings.block_txs.max(1));
    Ok(Overhead {
        empty_block: empty,
        extrinsic_base: per_tx(median(remarks)),
        transfer_all_in: per_tx(median(transfers)),
    })
}

// ---------------------------------------------------------------------------------------------
// Database

/// Times cold account reads and per-key state-root + commit cost on a trie of
/// `settings.accounts` accounts.
pub fn measure_db(settings: Settings) -> Result<Db, String> {
    let keys: Vec<Vec<u8>> = (0..settings.accounts.max(1))
        .map(|i| {
            let who = AccountId::from(sp_io::hashing::blake2_256(&(b"ludus-filler", i).encode()));
            frame_system::Account::<Runtime>::hashed_key_for(&who)
        })
        .collect();
    let empty = sp_state_machine::new_in_mem::<BlakeTwo256>();
    let value = account_info(LUD);
    let (root, transaction) =
        empty.storage_root(keys.iter().map(|k| (k.as_slice(), Some(value.as_slice()))), StateVersion::V1);
    let mut db = empty.into_storage();
    db.consolidate(transaction);

    // A cheap deterministic spread over the keys (no rand dependency).
    let pick = |round: u32, j: u32| {
        let h = sp_io::hashing::twox_64(&(round, j).encode());
        (u64::from_le_bytes(h) % keys.len() as u64) as usize
    };
    let batch = WRITE_BATCH.min(settings.accounts.max(1));
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for round in 0..settings.rounds.max(1) {
        // A fresh backend has no cache: every read walks the trie from the root.
        let backend = TrieBackendBuilder::new(db.clone(), root).build();
        let start = Instant::now();
        for j in 0..batch {
            let found = backend.storage(&keys[pick(round, j)]).map_err(|e| format!("read: {e}"))?;
            if found.is_none() {
                return Err("a filler account is missing from the trie".into());
            }
        }
        reads.push(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX) / u64::from(batch));

        let changed = account_info(2 * LUD + Balance::from(round));
        let delta: Vec<(Vec<u8>, Vec<u8>)> =
            (0..batch).map(|j| (keys[pick(round + 1_000_000, j)].clone(), changed.clone())).collect();
        let mut target = db.clone();
        let backend = TrieBackendBuilder::new(db.clone(), root).build();
        let start = Instant::now();
        let (_, transaction) =
            backend.storage_root(delta.iter().map(|(k, v)| (k.as_slice(), Some(v.as_slice()))), StateVersion::V1);
        target.consolidate(transaction);
        writes.push(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX) / u64::from(batch));
    }
    Ok(Db { read: median(reads), write: median(writes) })
}

// ---------------------------------------------------------------------------------------------
// Pallet benchmarks

/// Runs every `pallet_balances` benchmark against the runtime, in rounds (so a burst of load
/// from other processes on this shared machine is spread over all benchmarks).
pub fn measure_balances(settings: Settings) -> Result<Vec<Measured>, String> {
    let whitelist = <AllPalletsWithSystem as WhitelistedStorageKeys>::whitelisted_storage_keys();
    let sampling = ludus_benchmarking::Settings { steps: settings.steps, repeats: settings.repeats };
    ludus_benchmarking::measure::<pallet_balances::Pallet<Runtime>>(
        crate::tests::local_testnet_storage(),
        &whitelist,
        sampling,
    )
    .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// Context for the generated files' headers.
type Provenance = ludus_benchmarking::Provenance<Settings>;

fn header(title: &str, method: &str, p: &Provenance) -> String {
    let Settings { steps, repeats, rounds, accounts, block_txs } = p.settings;
    format!(
        r#"//! {title}
//!
//! GENERATED FILE, do not edit by hand: produced by `src/weights_gen` (native, release build).
//! {method}
//!
//! - machine: {machine}
//! - date: {date}
//! - sampling: pallet benchmarks steps {steps}, repeats {repeats} (min_squares_iqr); blocks and
//!   database: {rounds} rounds, {block_txs} extrinsics per block, {accounts} filler accounts
//! - safety multiplier: x{SAFETY_MULTIPLIER} on every measured time (median or fitted base)
//!
//! Regenerate:
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p ludus-runtime --features runtime-benchmarks \
//!     weights_gen::generate_weights -- --ignored --nocapture
//! ```
"#,
        machine = p.machine,
        date = p.date,
    )
}

/// `block_weights.rs`.
pub fn render_block(o: &Overhead, p: &Provenance) -> String {
    let value = o.empty_block * SAFETY_MULTIPLIER;
    let mut out = header(
        "The weight of executing an empty block (`BlockExecutionWeight`).",
        &format!(
            "Measured: real blocks through `Executive` (initialize, timestamp inherent, finalize with\n\
             //! the state root) on the `local_testnet` genesis plus the filler accounts; median\n\
             //! {} ns, written x{SAFETY_MULTIPLIER}.",
            group(u128::from(o.empty_block))
        ),
        p,
    );
    let _ = write!(
        out,
        r#"
use frame_support::{{
    parameter_types,
    weights::{{constants::WEIGHT_REF_TIME_PER_NANOS, Weight}},
}};

parameter_types! {{
    /// Executing an empty block: median {median} ns x{SAFETY_MULTIPLIER}.
    pub const BlockExecutionWeight: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul({value}), 0);
}}

#[cfg(test)]
mod test_weights {{
    use frame_support::weights::constants;

    /// Checks that the weight exists and is sane: native execution of an empty block is far
    /// below Substrate's Wasm reference (431 us) but never free.
    #[test]
    fn sane() {{
        let w = super::BlockExecutionWeight::get();
        assert!(w.ref_time() >= 10 * constants::WEIGHT_REF_TIME_PER_MICROS, "weight should be at least 10 us");
        assert!(w.ref_time() <= 50 * constants::WEIGHT_REF_TIME_PER_MILLIS, "weight should be at most 50 ms");
    }}
}}
"#,
        median = group(u128::from(o.empty_block)),
        value = group(u128::from(value)),
    );
    out
}

/// `extrinsic_weights.rs`.
pub fn render_extrinsic(o: &Overhead, p: &Provenance) -> String {
    let value = o.extrinsic_base * SAFETY_MULTIPLIER;
    let mut out = header(
        "The weight of an empty signed extrinsic (`ExtrinsicBaseWeight`).",
        &format!(
            "Measured as Substrate's `benchmark overhead` does, natively: (a block of signed empty\n\
             //! `system.remark`s from distinct signers - an empty block) / extrinsics. It includes\n\
             //! decoding, the sr25519 signature check, all eight transaction extensions (among them\n\
             //! the fee withdrawal and refund of `ChargeTransactionPayment`), the event and the\n\
             //! extrinsic's share of the state root; the remark itself is left in (conservative).\n\
             //! Median {} ns per extrinsic, written x{SAFETY_MULTIPLIER}. Cross-check: a signed\n\
             //! `transfer_keep_alive` measured the same way costs {} ns all-in (unmultiplied).",
            group(u128::from(o.extrinsic_base)),
            group(u128::from(o.transfer_all_in)),
        ),
        p,
    );
    let _ = write!(
        out,
        r#"
use frame_support::{{
    parameter_types,
    weights::{{constants::WEIGHT_REF_TIME_PER_NANOS, Weight}},
}};

parameter_types! {{
    /// An empty signed extrinsic: median {median} ns x{SAFETY_MULTIPLIER}.
    pub const ExtrinsicBaseWeight: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul({value}), 0);
}}

#[cfg(test)]
mod test_weights {{
    use frame_support::weights::constants;

    /// Checks that the weight exists and is sane.
    #[test]
    fn sane() {{
        let w = super::ExtrinsicBaseWeight::get();
        assert!(w.ref_time() >= 10 * constants::WEIGHT_REF_TIME_PER_MICROS, "weight should be at least 10 us");
        assert!(w.ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS, "weight should be at most 1 ms");
    }}
}}
"#,
        median = group(u128::from(o.extrinsic_base)),
        value = group(u128::from(value)),
    );
    out
}

/// `db.rs`.
pub fn render_db(d: &Db, p: &Provenance) -> String {
    let (read, write) = (d.read * SAFETY_MULTIPLIER, d.write * SAFETY_MULTIPLIER);
    let mut out = header(
        "The weight of a storage read and write (`LudusDbWeight`).",
        &format!(
            "Not `ParityDbWeight` (8 us / 50 us): those assume a Wasm runtime paying a database round\n\
             //! trip per access and a write per key. Here the runtime reads through the overlay over\n\
             //! the trie, and the node writes once per block. Measured on an in-memory trie of\n\
             //! {accounts} `System::Account` entries: a read is a cold lookup of a random account\n\
             //! through a fresh `TrieBackend` (no cache; median {} ns); a write is one changed key's\n\
             //! share of the state root plus consolidating its trie nodes, in batches of {WRITE_BATCH}\n\
             //! keys (median {} ns). The parity-db disk commit (about 2 us per transfer in\n\
             //! `node/benches/import.rs`) and a cold page cache are not in these figures; the\n\
             //! x{SAFETY_MULTIPLIER} multiplier and the floors (read >= 1 us, write >= 5 us) cover them.",
            group(u128::from(d.read)),
            group(u128::from(d.write)),
            accounts = p.settings.accounts,
        ),
        p,
    );
    let _ = write!(
        out,
        r#"
use frame_support::{{
    parameter_types,
    weights::{{constants::WEIGHT_REF_TIME_PER_NANOS, RuntimeDbWeight}},
}};

parameter_types! {{
    /// Read: median {read_median} ns x{SAFETY_MULTIPLIER}; write: median {write_median} ns x{SAFETY_MULTIPLIER}.
    pub const LudusDbWeight: RuntimeDbWeight = RuntimeDbWeight {{
        read: {read} * WEIGHT_REF_TIME_PER_NANOS,
        write: {write} * WEIGHT_REF_TIME_PER_NANOS,
    }};
}}

#[cfg(test)]
mod test_db_weights {{
    use frame_support::weights::constants;

    /// Checks that the figures exist and are sane.
    #[test]
    fn sane() {{
        let w = super::LudusDbWeight::get();
        assert!(w.reads(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS, "a read is at least 1 us");
        assert!(w.writes(1).ref_time() >= 5 * constants::WEIGHT_REF_TIME_PER_MICROS, "a write is at least 5 us");
        assert!(w.reads(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS, "a read is at most 1 ms");
        assert!(w.writes(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS, "a write is at most 1 ms");
    }}
}}
"#,
        read_median = group(u128::from(d.read)),
        write_median = group(u128::from(d.write)),
        read = group(u128::from(read.max(1_000))),
        write = group(u128::from(write.max(5_000))),
    );
    out
}

/// `pallet_balances.rs`.
pub fn render_balances(measured: &[Measured], p: &Provenance) -> String {
    let mut out = header(
        "Weights of the `pallet_balances` calls (`LudusWeight`).",
        "Measured: the pallet's own frame-benchmarking v2 benchmarks (every one its `WeightInfo`\n\
         //! needs, so no call keeps Substrate's figures), run natively against `Runtime` over a\n\
         //! counting in-memory trie backend (`local_testnet` genesis). Time is the fitted extrinsic\n\
         //! time x the safety multiplier; reads and writes are distinct non-whitelisted keys (the\n\
         //! caller's account is whitelisted, as in the CLI), priced by `T::DbWeight` (`db.rs`).\n\
         //! Proof sizes are the recorded ones on that small trie (Ludus sets no proof-size limit).",
        p,
    );
    out.push_str(
        "\n#![allow(unused_parens, unused_imports)]\n\nuse core::marker::PhantomData;\nuse frame_support::{traits::Get, weights::Weight};\n\n/// `pallet_balances` weights measured natively for Ludus.\npub struct LudusWeight<T>(PhantomData<T>);\n\nimpl<T: frame_system::Config> pallet_balances::WeightInfo for LudusWeight<T> {\n",
    );
    for m in measured {
        let ranges: Vec<String> = m.components.iter().map(|(c, l, h)| format!("`{c}` in `[{l}, {h}]`")).collect();
        if !ranges.is_empty() {
            let _ = writeln!(out, "    /// The range of component {}.", ranges.join(", "));
        }
        let _ = writeln!(
            out,
            "    /// Fitted base {} ps, minimum {} ns; {} samples.",
            group(m.time.base),
            group(m.time.minimum),
            m.samples
        );
        let params: Vec<String> = m
            .components
            .iter()
            .enumerate()
            .map(|(i, (c, _, _))| if m.uses_component(i) { format!("{c}: u32") } else { format!("_{c}: u32") })
            .collect();
        let _ = writeln!(out, "    fn {}({}) -> Weight {{", m.name, params.join(", "));
        out.push_str(&weight_body(m, u128::from(SAFETY_MULTIPLIER), "T::DbWeight::get()", "_u64"));
        out.push_str("    }\n");
    }
    out.push_str("}\n");
    out
}

/// Measures everything and, with `LUDUS_BENCH_WRITE=1`, rewrites `src/weights/`.
#[test]
#[ignore = "regenerates src/weights; run in release, see the module docs"]
fn generate_weights() {
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; the figures will be far too high. Use --release.");
    }
    let settings = Settings {
        steps: env_u32("LUDUS_BENCH_STEPS", 10),
        repeats: env_u32("LUDUS_BENCH_REPEATS", 50),
        rounds: env_u32("LUDUS_BENCH_ROUNDS", 15),
        accounts: FILLER_ACCOUNTS,
        block_txs: BLOCK_TXS,
    };
    let db = measure_db(settings).unwrap();
    println!("db: read {} ns, write {} ns (medians)", db.read, db.write);
    let overhead = measure_overhead(settings).unwrap();
    println!("overhead (medians): {overhead:?}");
    let balances = measure_balances(settings).unwrap();
    for m in &balances {
        println!(
            "{:<28} base {:>8.2} us  reads {} writes {}  slopes {:?}",
            m.name,
            m.time.base as f64 / 1e6,
            m.reads.base,
            m.writes.base,
            m.time.slopes
        );
    }
    let provenance = Provenance { machine: machine(), date: today(), settings };
    let files = [
        ("block_weights.rs", render_block(&overhead, &provenance)),
        ("extrinsic_weights.rs", render_extrinsic(&overhead, &provenance)),
        ("db.rs", render_db(&db, &provenance)),
        ("pallet_balances.rs", render_balances(&balances, &provenance)),
    ];
    if std::env::var("LUDUS_BENCH_WRITE").as_deref() == Ok("1") {
        for (name, text) in files {
            let path = format!("{}/src/weights/{name}", env!("CARGO_MANIFEST_DIR"));
            write_generated(std::path::Path::new(&path), &text).unwrap();
        }
    } else {
        for (name, text) in files {
            println!("---- {name}\n{text}");
        }
    }
}

/// Every benchmark of the harness runs once and yields plausible figures: what CI runs.
#[test]
fn harness_runs_every_benchmark_once() {
    let settings = Settings { steps: 2, repeats: 1, rounds: 1, accounts: 1_000, block_txs: 20 };
    let balances = measure_balances(settings).unwrap();
    let names: Vec<&str> = balances.iter().map(|m| m.name.as_str()).collect();
    // Every call of `pallet_balances::WeightInfo` is measured.
    for call in [
        "transfer_allow_death",
        "transfer_keep_alive",
        "force_set_balance_creating",
        "force_set_balance_killing",
        "force_transfer",
        "transfer_all",
        "force_unreserve",
        "upgrade_accounts",
        "force_adjust_total_issuance",
        "burn_allow_death",
        "burn_keep_alive",
    ] {
        assert!(names.contains(&call), "{call} missing from {names:?}");
    }
    let keep_alive = balances.iter().find(|m| m.name == "transfer_keep_alive").unwrap();
    assert!(keep_alive.time.minimum > 0, "no time measured");
    assert!(keep_alive.reads.base >= 1 && keep_alive.writes.base >= 1, "the recipient's account is read and written");

    let overhead = measure_overhead(settings).unwrap();
    assert!(overhead.empty_block > 0);
    assert!(overhead.extrinsic_base > 0, "a signed remark costs something: {overhead:?}");
    let db = measure_db(settings).unwrap();
    assert!(db.read > 0 && db.write > 0, "{db:?}");

    let provenance = Provenance { machine: machine(), date: "test".into(), settings };
    let text = render_balances(&balances, &provenance);
    assert!(text.contains("fn upgrade_accounts(u: u32) -> Weight {"), "{text}");
    assert!(render_db(&db, &provenance).contains("pub const LudusDbWeight"));
}
