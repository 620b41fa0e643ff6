//! Native block import, measured: blocks of N signed `transfer_keep_alive` between
//! distinct accounts, imported on one core.
//!
//! Run: `cargo bench -p ludus-node --bench import` (env `LUDUS_BENCH_TRANSFERS`, default
//! 2000, and `LUDUS_BENCH_ROUNDS`, default 3). Each round starts from a fresh database
//! whose genesis endows 2N accounts, builds one block of N transfers (sender i pays
//! recipient i), then on fresh databases measures:
//!
//! - `import`: the whole of `BlockImporter::import` (every consensus check, inherent
//!   check, execution, state root, one atomic parity-db write) — the headline figure;
//! - `pooled`: the same import on a node whose pool validated the N transfers first (not
//!   timed), so their signature checks are remembered: what a validator pays for a peer's
//!   block of transactions it already holds;
//! - `batched`: the import as the node's import queue runs it for a block of transactions
//!   its pool never saw: their sr25519 signatures verified together first
//!   (`Chain::preverify_signatures`, timed), then the import finds them verified;
//! - `signatures`: the N sr25519 checks alone, on the host;
//! - `decode`: the N depth-limited decodes the node makes of every extrinsic from outside
//!   (`ludus_node::executor::decode`; import makes three: its own check, and the executor's checks of
//!   `check_inherents`' and `execute_block`'s arguments);
//! - `execution`: initialize + apply the N extrinsics, minus the signature checks;
//! - `state root`: finalize_block (the runtime's storage root) + draining the trie changes;
//! - `commit`: writing block and state to parity-db.
//!
//! Figures are printed as µs per transfer and transfers per second.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use codec::{Decode, Encode};
use ludus_chain_spec::ChainSpec;
use ludus_node::{
    chain::{native_version, BlockCommit, Chain},
    consensus,
    consensus::authoring::{build_block, seal_block, Candidate},
    consensus::import::BlockImporter,
    test_utils::{dev_chain_from, pair, transfer},
};
use ludus_primitives::{AccountId, Block, LUD};
use sp_api::ProvideRuntimeApi;
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use sp_runtime::{generic::Preamble, traits::Header as _, transaction_validity::TransactionSource};
use sp_state_machine::OverlayedChanges;
use sp_transaction_pool::runtime_api::TaggedTransactionQueue;

/// The node's allocator (`node/src/main.rs`), so that import is measured as the node runs it:
/// glibc's malloc made the same import about a tenth slower.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The dev spec with `senders` endowed too.
fn bench_spec(senders: &[sr25519::Pair]) -> ChainSpec {
    let dev = ChainSpec::dev().unwrap().to_json(false).unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&dev).unwrap();
    let balances = spec["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"]
        .as_array_mut()
        .expect("the dev patch endows accounts");
    for sender in senders {
        balances.push(serde_json::json!([AccountId::from(sender.public()).to_ss58check(), 1_000 * LUD as u64]));
    }
    ChainSpec::from_json_bytes(&serde_json::to_vec(&spec).unwrap()).unwrap()
}

struct Round {
    import: Duration,
    /// Import on a node whose pool has validated the block's transactions (their signature
    /// checks are remembered), as when a validator imports a peer's block.
    pooled: Duration,
    /// Batch verification of the signatures, then import, on a fresh node.
    batched: Duration,
    signatures: Duration,
    decode: Duration,
    apply: Duration,
    root: Duration,
    commit: Duration,
}

fn fresh(spec: &ChainSpec) -> (tempfile::TempDir, Arc<Chain>, sp_keystore::KeystorePtr) {
    let dir = tempfile::tempdir().unwrap();
    let (chain, keystore) = dev_chain_from(dir.path(), spec);
    (dir, chain, keystore)
}

fn build(spec: &ChainSpec, senders: &[sr25519::Pair], recipients: &[AccountId]) -> Block {
    let (_dir, chain, keystore) = fresh(spec);
    let genesis = chain.genesis_hash();
    let txs: Vec<Vec<u8>> = senders
        .iter()
        .zip(recipients)
        .map(|(sender, recipient)| transfer(sender, recipient.clone(), LUD, 0, genesis))
        .collect();
    let parent = chain.expect_header(genesis).unwrap();
    let slot = consensus::slot_at(ludus_primitives::now_ms(), 1_000);
    let candidates =
        txs.into_iter().map(|bytes| Candidate { hash: ludus_txpool::tx_hash(&bytes), bytes: Arc::new(bytes) });
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut built = build_block(&chain, &parent, slot, *slot * 1_000, candidates, deadline).unwrap();
    if built.included.len() < senders.len() {
        eprintln!(
            "the block is full at {} of {} transfers (the runtime's block weight limit)",
            built.included.len(),
            senders.len()
        );
    }
    let alice: sp_consensus_aura::sr25519::AuthorityId = pair("//Alice").public().into();
    seal_block(&keystore, &alice, &mut built.block).unwrap();
    built.block
}

fn measure(spec: &ChainSpec, block: &Block) -> Round {
    // Whole import on a fresh node.
    let (_dir, chain, _) = fresh(spec);
    let started = Instant::now();
    BlockImporter::new(chain.clone()).import(block.clone(), None, ludus_primitives::now_ms()).unwrap();
    let import = started.elapsed();

    // Import on a node that validated every transaction first, as its pool would have.
    let (_dir3, pooled_chain, _) = fresh(spec);
    let at = pooled_chain.genesis_hash();
    for xt in &block.extrinsics[1..] {
        let api = pooled_chain.runtime_api();
        let validity = api.validate_transaction(at, TransactionSource::External, xt.clone(), at).unwrap();
        assert!(validity.is_ok(), "the pool accepts the block's transfers");
    }
    let started = Instant::now();
    BlockImporter::new(pooled_chain.clone()).import(block.clone(), None, ludus_primitives::now_ms()).unwrap();
    let pooled = started.elapsed();

    // The import queue's path for transactions the pool never saw: one batch verification,
    // then the import.
    let (_dir4, batched_chain, _) = fresh(spec);
    let encoded: Vec<Vec<u8>> = block.extrinsics.iter().map(Encode::encode).collect();
    let started = Instant::now();
    let outcome =
        batched_chain.preverify_signatures(*block.header.parent_hash(), encoded.iter().map(Vec::as_slice)).unwrap();
    BlockImporter::new(batched_chain.clone()).import(block.clone(), None, ludus_primitives::now_ms()).unwrap();
    let batched = started.elapsed();
    assert!(outcome.valid && outcome.batched == block.extrinsics.len() - 1, "{outcome:?}");

    // Signature checks alone, as the runtime does them (payloads over 256 bytes are hashed).
    let genesis = chain.genesis_hash();
    let mut checks = Vec::new();
    for xt in &block.extrinsics {
        let xt = ludus_runtime::UncheckedExtrinsic::decode(&mut &xt.encode()[..]).unwrap();
        if let Preamble::Signed(
            sp_runtime::MultiAddress::Id(who),
            ludus_primitives::Signature(sp_runtime::MultiSignature::Sr25519(sig)),
            ext,
        ) = xt.preamble
        {
            let v = native_version();
            let implicit = ((), v.spec_version, v.transaction_version, genesis, genesis, (), (), ());
            let payload = ludus_runtime::SignedPayload::from_raw(xt.function, ext, implicit);
            let public = sr25519::Public::from_raw(*who.as_ref());
            checks.push((payload.encode(), sig, public));
        }
    }
    let started = Instant::now();
    for (payload, sig, public) in &checks {
        let message = if payload.len() > 256 { sp_io::hashing::blake2_256(payload).to_vec() } else { payload.clone() };
        assert!(sr25519::Pair::verify(sig, &message, public));
    }
    let signatures = started.elapsed();

    let encoded: Vec<Vec<u8>> = block.extrinsics.iter().map(Encode::encode).collect();
    let started = Instant::now();
    for xt in &encoded {
        ludus_node::executor::decode::decode_extrinsic(xt).unwrap();
    }
    let decode = started.elapsed();

    // Phases on another fresh node: apply, state root, commit.
    let (_dir2, chain, _) = fresh(spec);
    let state = chain.state_at(chain.genesis_hash()).unwrap();
    let executor = chain.executor();
    let spec_version = chain.runtime_at(chain.genesis_hash()).unwrap();
    let mut overlay = OverlayedChanges::default();
    let (unsealed, _) = consensus::take_seal(block.header.clone()).unwrap();
    let mut init_header = unsealed.clone();
    init_header.state_root = Default::default();
    init_header.extrinsics_root = Default::default();
    let started = Instant::now();
    executor.call(spec_version, &state, &mut overlay, "Core_initialize_block", &init_header.encode()).unwrap();
    for xt in &block.extrinsics {
        executor.call(spec_version, &state, &mut overlay, "BlockBuilder_apply_extrinsic", &xt.encode()).unwrap();
    }
    let apply = started.elapsed();
    let started = Instant::now();
    let header_bytes = executor.call(spec_version, &state, &mut overlay, "BlockBuilder_finalize_block", &[]).unwrap();
    let changes = overlay.drain_storage_changes(&state, native_version().state_version()).unwrap();
    let root = started.elapsed();
    let header = ludus_primitives::Header::decode(&mut &header_bytes[..]).unwrap();
    assert_eq!(header.state_root(), block.header.state_root(), "phased execution reproduces the block");
    let started = Instant::now();
    chain
        .commit(BlockCommit {
            block: block.clone(),
            justifications: None,
            state_transaction: changes.transaction,
            is_new_best: true,
            finalize: false,
        })
        .unwrap();
    let commit = started.elapsed();
    Round { import, pooled, batched, signatures, decode, apply, root, commit }
}

fn per_tx(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn main() {
    // On a thread with the node's runtime-thread stack, as import runs in the node: a thread
    // with less (the main thread's 8 MiB) would switch stacks for every call and decode.
    std::thread::Builder::new()
        .name("bench".into())
        .stack_size(ludus_node::executor::RUNTIME_THREAD_STACK_BYTES)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

fn run() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let transfers = env_or("LUDUS_BENCH_TRANSFERS", 2_000);
    let rounds = env_or("LUDUS_BENCH_ROUNDS", 3);
    eprintln!("deriving {} accounts…", 2 * transfers);
    let senders: Vec<sr25519::Pair> = (0..transfers).map(|i| pair(&format!("//bench/sender/{i}"))).collect();
    let recipients: Vec<AccountId> =
        (0..transfers).map(|i| AccountId::from(pair(&format!("//bench/recipient/{i}")).public())).collect();
    let spec = bench_spec(&senders);
    eprintln!("building a block of {transfers} transfers…");
    let block = build(&spec, &senders, &recipients);
    // What fits in one block (the weight limit may cut N), not counting the timestamp inherent.
    let transfers = block.extrinsics.len() - 1;
    let n = transfers + 1;
    println!("native block import, {transfers} transfer_keep_alive per block, one core, {rounds} rounds");
    println!(
        "{:>6} {:>12} {:>12} {:>13} {:>12} {:>13} {:>12} {:>12} {:>12} {:>14}",
        "round",
        "import µs/tx",
        "pooled µs/tx",
        "batched µs/tx",
        "sigs µs/tx",
        "decode µs/tx",
        "exec µs/tx",
        "root µs/tx",
        "commit µs/tx",
        "import tx/s"
    );
    let mut best: Option<Round> = None;
    for round in 0..rounds {
        let r = measure(&spec, &block);
        let exec = r.apply.saturating_sub(r.signatures);
        println!(
            "{:>6} {:>12.1} {:>12.1} {:>13.1} {:>12.1} {:>13.2} {:>12.1} {:>12.1} {:>12.1} {:>14.0}",
            round + 1,
            per_tx(r.import, transfers),
            per_tx(r.pooled, transfers),
            per_tx(r.batched, transfers),
            per_tx(r.signatures, transfers),
            per_tx(r.decode, n),
            per_tx(exec, n),
            per_tx(r.root, transfers),
            per_tx(r.commit, transfers),
            transfers as f64 / r.import.as_secs_f64(),
        );
        if best.as_ref().is_none_or(|b| r.import < b.import) {
            best = Some(r);
        }
    }
    if let Some(r) = best {
        println!(
            "best: {:.0} transfers/s imported ({:.1} µs/transfer: signatures {:.1}, bounded decode {:.2} (×3 in import), execution {:.1}, state root {:.1}, commit {:.1})",
            transfers as f64 / r.import.as_secs_f64(),
            per_tx(r.import, transfers),
            per_tx(r.signatures, transfers),
            per_tx(r.decode, n),
            per_tx(r.apply.saturating_sub(r.signatures), transfers),
            per_tx(r.root, transfers),
            per_tx(r.commit, transfers),
        );
        println!(
            "import of transfers this node's pool validated: {:.1} µs/transfer = {:.2} signature checks (cold: {:.2})",
            per_tx(r.pooled, transfers),
            r.pooled.as_secs_f64() / r.signatures.as_secs_f64(),
            r.import.as_secs_f64() / r.signatures.as_secs_f64(),
        );
        println!(
            "import of transfers never seen, signatures batch-verified first: {:.1} µs/transfer = {:.2} signature checks",
            per_tx(r.batched, transfers),
            r.batched.as_secs_f64() / r.signatures.as_secs_f64(),
        );
    }
}
