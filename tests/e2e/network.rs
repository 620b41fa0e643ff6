//! Validators as a network: `--chain local` with four validator processes on loopback,
//! connected by libp2p, authoring in turn and finalizing with GRANDPA; validators killed and
//! restarted; a full node syncing from genesis; a governance change of the validator set.

use std::{
    thread,
    time::{Duration, Instant},
};

use codec::Encode;
use ludus_node::test_utils::{pair, sign};
use ludus_primitives::AccountId;
use ludus_runtime::{genesis_config_presets::dev_session_keys, RuntimeCall};
use serde_json::json;
use sp_core::{ecdsa, ed25519, sr25519, Pair};

use crate::{
    harness::Node,
    tx::{account, to_hex, transfer_hex},
};

/// The local testnet's validators, in genesis order.
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// Generous bounds for a debug build on two shared cores.
const START: Duration = Duration::from_secs(60);
const PROGRESS: Duration = Duration::from_secs(90);

/// Starts a `--chain local` node with `args`, bootstrapping from `boot` if given.
pub fn local_node(args: &[&str], boot: Option<&Node>) -> Node {
    let mut all = vec!["--chain", "local"];
    all.extend_from_slice(args);
    let addr;
    if let Some(boot) = boot {
        addr = boot.multiaddr();
        all.extend_from_slice(&["--bootnodes", &addr]);
    }
    Node::start(&all)
}

/// The four local validators, each with its dev keys, all booting from Alice.
pub fn local_network() -> Vec<Node> {
    let alice = local_node(&["--alice", "--name", "alice"], None);
    let mut nodes = vec![alice];
    for name in &VALIDATORS[1..] {
        let flag = format!("--{name}");
        let node = local_node(&[&flag, "--name", name], Some(&nodes[0]));
        nodes.push(node);
    }
    nodes
}

/// Waits until every running node in `nodes` has finalized `n`.
pub(crate) fn wait_all_finalized(nodes: &[&Node], n: u64, timeout: Duration) {
    for node in nodes {
        node.wait_for_finalized(n, timeout);
    }
}

/// How many blocks `node` says it authored.
pub(crate) fn authored(node: &Node) -> usize {
    node.log_lines_with("Authored #").len()
}

/// Whether any log shows an equivocation.
pub(crate) fn assert_no_equivocation(nodes: &[&Node]) {
    for node in nodes {
        let lines = node.log_lines_with("quivocation");
        assert!(lines.is_empty(), "equivocation reported: {lines:?}");
    }
}

/// Finds the block on `node` (between `from` and its finalized head) whose body holds `xt`;
/// returns its number once it is finalized.
pub(crate) fn wait_included_and_final(node: &Node, xt: &str, from: u64, timeout: Duration) -> u64 {
    let deadline = Instant::now() + timeout;
    let mut next = from;
    loop {
        let finalized = node.finalized_number();
        while next <= finalized {
            let hash = node.block_hash(next).expect("finalized blocks have hashes");
            let block = node.rpc("chain_getBlock", json!([hash]));
            let extrinsics = block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
            if extrinsics.iter().any(|x| x.as_str() == Some(xt)) {
                return next;
            }
            next += 1;
        }
        assert!(Instant::now() < deadline, "{xt} not in a finalized block up to #{finalized} after {timeout:?}");
        thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn four_validators_author_in_turn_finalize_and_carry_transactions() {
    let nodes = local_network();
    let all: Vec<&Node> = nodes.iter().collect();
    wait_all_finalized(&all, 8, START);

    // Every validator authored: Aura gives each a quarter of the slots.
    for (node, name) in nodes.iter().zip(VALIDATORS) {
        assert!(authored(node) >= 1, "{name} authored nothing; log:\n{}", node.log_tail(30));
    }
    // Finality follows the tip within a few slots on every node.
    for node in &nodes {
        let best = node.best_number();
        node.wait_for_finalized(best, Duration::from_secs(20));
    }
    // One chain: the same block at every finalized height.
    let height = nodes.iter().map(Node::finalized_number).min().unwrap();
    let hashes: Vec<_> = nodes.iter().map(|n| n.block_hash(height)).collect();
    assert!(hashes.windows(2).all(|w| w[0] == w[1]), "nodes disagree at #{height}: {hashes:?}");

    // Peers and health tell the truth.
    let peers = nodes[0].rpc("system_peers", json!([]));
    let peers = peers.as_array().unwrap();
    assert_eq!(peers.len(), 3, "{peers:?}");
    let mut ids: Vec<String> = peers.iter().map(|p| p["peerId"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    let mut expected: Vec<String> = nodes[1..].iter().map(Node::peer_id).collect();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(peers.iter().all(|p| p["roles"] == "AUTHORITY"), "{peers:?}");
    let health = nodes[2].rpc("system_health", json!([]));
    assert_eq!(health, json!({ "peers": 3, "isSyncing": false, "shouldHavePeers": true }));
    assert_eq!(nodes[3].rpc("system_localPeerId", json!([])), json!(nodes[3].peer_id()));
    // And so do the metrics (refreshed every second or so).
    let addr = nodes[1].prometheus_addr().unwrap();
    let body = nodes[1].wait_for("peer and GRANDPA metrics", Duration::from_secs(10), || {
        let body = crate::metrics::scrape(addr).body;
        let ready = crate::metrics::sample(&body, "substrate_sub_libp2p_peers_count") == Some(3.0)
            && crate::metrics::sample(&body, "substrate_finality_grandpa_round").is_some_and(|round| round >= 1.0);
        ready.then_some(body)
    });
    assert_eq!(crate::metrics::required(&body, "ludus_finality_grandpa_set_id"), 0.0);
    assert!(crate::metrics::required(&body, "substrate_block_height{status=\"sync_target\"}") >= 1.0);

    // A transaction sent to any one node is included and finalized, whoever authors.
    let genesis = nodes[0].genesis_hash();
    let from = nodes[0].best_number();
    let senders = ["//Alice", "//Bob", "//Charlie", "//Dave"];
    let xts: Vec<String> =
        senders.iter().map(|s| transfer_hex(s, "//Ferdie", 1_000_000_000_000, 0, &genesis)).collect();
    for (node, xt) in nodes.iter().rev().zip(&xts) {
        node.rpc("author_submitExtrinsic", json!([xt]));
    }
    for xt in &xts {
        // Seen final on Alice's node, whichever node took it.
        wait_included_and_final(&nodes[0], xt, from, PROGRESS);
    }
    assert_no_equivocation(&all);
}

#[test]
fn finality_survives_one_down_stops_at_two_and_resumes_after_a_restart() {
    let mut nodes = local_network();
    wait_all_finalized(&nodes.iter().collect::<Vec<_>>(), 3, START);

    // One of four down: three of four is still more than two thirds.
    nodes[3].kill_9();
    let f0 = nodes[0].finalized_number();
    nodes[0].wait_for_finalized(f0 + 4, PROGRESS);

    // Two down: authoring goes on in the live validators' slots, finality stops.
    nodes[2].kill_9();
    thread::sleep(Duration::from_secs(3));
    let (f1, b1) = (nodes[0].finalized_number(), nodes[0].best_number());
    thread::sleep(Duration::from_secs(10));
    let (f2, b2) = (nodes[0].finalized_number(), nodes[0].best_number());
    assert!(f2 <= f1 + 1, "finalized moved from #{f1} to #{f2} with two of four validators down");
    assert!(b2 >= b1 + 3, "authoring stalled: best #{b1} → #{b2}");

    // Charlie comes back with his database: finality resumes and catches up with the tip,
    // which needs Charlie's votes.
    nodes[2].restart();
    let best = nodes[0].best_number();
    nodes[0].wait_for_finalized(best, PROGRESS);
    nodes[2].wait_for_finalized(best, PROGRESS);

    // Dave too: he syncs what he missed and follows.
    nodes[3].restart();
    let finalized = nodes[0].finalized_number();
    nodes[3].wait_for_finalized(finalized, PROGRESS);
    let restarted: Vec<&Node> = nodes.iter().collect();
    assert_no_equivocation(&restarted);
    // Charlie voted again after his restart: with Dave down again, finality needs him.
    nodes[3].kill_9();
    let f3 = nodes[0].finalized_number();
    nodes[0].wait_for_finalized(f3 + 3, PROGRESS);
}

#[test]
fn a_full_node_started_later_syncs_from_genesis_verifies_justifications_and_follows() {
    let nodes = local_network();
    nodes[0].wait_for_finalized(20, PROGRESS);

    let full = local_node(&["--name", "follower"], Some(&nodes[0]));
    let target = nodes[0].finalized_number();
    full.wait_for_finalized(target, PROGRESS);
    // Its finality came from justifications it checked: they are stored with the blocks.
    let justified = (1..=target).filter(|n| {
        let hash = full.block_hash(*n).unwrap();
        !full.rpc("chain_getBlock", json!([hash]))["justifications"].is_null()
    });
    assert!(justified.count() >= 1, "no block up to #{target} carries a justification on the full node");
    assert!(!full.log_lines_with("Syncing").is_empty() || !full.log_lines_with("Imported #").is_empty());

    // Then it follows the tip and its own transactions get in.
    let best = nodes[0].best_number();
    full.wait_for_best(best + 3, PROGRESS);
    let health = full.rpc("system_health", json!([]));
    assert_eq!(health["isSyncing"], json!(false), "{health}");
    assert_eq!(health["peers"].as_u64(), Some(4), "{health}");
    let xt = transfer_hex("//Eve", "//Ferdie", 1_000_000_000_000, 0, &full.genesis_hash());
    let from = full.best_number();
    full.rpc("author_submitExtrinsic", json!([xt]));
    wait_included_and_final(&full, &xt, from, PROGRESS);
    assert_eq!(authored(&full), 0, "a full node never authors");
}

/// `session.set_keys` for a dev name: its keys and the proof that it holds them.
fn set_keys(name: &str, nonce: u32, genesis: &str) -> String {
    let owner: AccountId = account(&format!("//{name}"));
    let statement = [&b"POP_"[..], &owner.encode()].concat();
    let seed = format!("//{name}");
    let proof = (
        sr25519::Pair::from_string(&seed, None).unwrap().sign(&statement),
        ed25519::Pair::from_string(&seed, None).unwrap().sign(&statement),
        ecdsa::Pair::from_string(&seed, None).unwrap().sign(&statement),
    )
        .encode();
    let call = RuntimeCall::Session(pallet_session::Call::set_keys { keys: dev_session_keys(name), proof });
    to_hex(&sign(call, &pair(&seed), nonce, crate::tx::hash(genesis)))
}

#[test]
fn a_validator_set_changed_by_sudo_authors_and_finalizes_after_the_session_boundary() {
    let mut nodes = local_network();
    nodes[0].wait_for_finalized(3, START);
    let eve = local_node(&["--eve", "--name", "eve"], Some(&nodes[0]));
    let genesis = nodes[0].genesis_hash();

    // Eve registers her session keys, then governance swaps Dave for Eve.
    let from = nodes[0].best_number();
    let keys = set_keys("Eve", 0, &genesis);
    eve.rpc("author_submitExtrinsic", json!([keys]));
    wait_included_and_final(&nodes[0], &keys, from, PROGRESS);
    let new_set: Vec<AccountId> = ["//Alice", "//Bob", "//Charlie", "//Eve"].iter().map(|s| account(s)).collect();
    let change = RuntimeCall::ValidatorSet(pallet_validator_set::Call::set_validators { new: new_set });
    let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(change) });
    let alice_nonce = nodes[0].rpc("system_accountNextIndex", json!([account("//Alice").to_string()]));
    let sudo_xt =
        to_hex(&sign(sudo, &pair("//Alice"), alice_nonce.as_u64().unwrap() as u32, crate::tx::hash(&genesis)));
    let from = nodes[0].best_number();
    nodes[1].rpc("author_submitExtrinsic", json!([sudo_xt]));
    let enacted_at = wait_included_and_final(&nodes[0], &sudo_xt, from, PROGRESS) + 2;

    // From two blocks later Eve authors; Dave no longer does.
    eve.wait_for("Eve to author", PROGRESS, || (authored(&eve) >= 1).then_some(()));
    let dave_before = authored(&nodes[3]);
    nodes[0].wait_for_best(enacted_at + 8, PROGRESS);
    assert_eq!(authored(&nodes[3]), dave_before, "Dave authored after leaving the set");

    // Finality under the new set needs Eve's votes: with Charlie and Dave down, only Alice,
    // Bob and Eve are left — three of the new four, two of the old.
    nodes[0].wait_for_finalized(enacted_at, PROGRESS);
    nodes[2].kill_9();
    nodes[3].kill_9();
    let finalized = nodes[0].finalized_number();
    nodes[0].wait_for_finalized(finalized + 3, PROGRESS);
    eve.wait_for_finalized(finalized + 3, PROGRESS);
    assert_no_equivocation(&[&nodes[0], &nodes[1], &eve]);

    // A node that starts now syncs across the change: set 0's justification of the change
    // block, then set 1's beyond it.
    let late = local_node(&["--name", "late"], Some(&nodes[0]));
    let target = nodes[0].finalized_number();
    assert!(target > enacted_at, "finality is past the change block #{enacted_at}");
    late.wait_for_finalized(target, PROGRESS);
    assert_eq!(late.block_hash(target), nodes[0].block_hash(target));
    let enacted = late.log_lines_with("Authority set 1 enacted");
    assert_eq!(enacted.len(), 1, "the late node did not cross to set 1: {enacted:?}");
}

/// A peer that speaks Ludus's protocols from inside the test, to misbehave on purpose.
pub(crate) struct Rogue {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) handle: ludus_network::NetworkHandle,
    events: tokio::sync::mpsc::Receiver<ludus_network::NetworkEvent>,
}

impl Rogue {
    /// A fresh identity that connects to `target` on the chain with `genesis`.
    pub(crate) fn connect(target: &Node, genesis: &str) -> Rogue {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let genesis: [u8; 32] = crate::tx::hash(genesis).to_fixed_bytes();
        let mut config = ludus_network::NetworkConfig::new(genesis, ludus_network::Keypair::generate_ed25519());
        config.listen_addrs = vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()];
        config.boot_nodes = vec![target.multiaddr().parse().unwrap()];
        let (handle, mut events) = runtime.block_on(async { ludus_network::start(config) }).unwrap();
        let target_id: ludus_network::PeerId = target.peer_id().parse().unwrap();
        runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(30), async {
                while let Some(event) = events.recv().await {
                    if matches!(event, ludus_network::NetworkEvent::PeerConnected { peer, .. } if peer == target_id) {
                        return;
                    }
                }
            })
            .await
            .expect("the rogue connects to its target")
        });
        // Let gossipsub exchange subscriptions before anything is published.
        thread::sleep(Duration::from_secs(2));
        Rogue { runtime, handle, events }
    }

    fn id(&self) -> String {
        self.handle.local_peer_id().to_base58()
    }

    /// Waits until `node` logs that it banned this rogue.
    fn wait_banned_by(&self, node: &Node) -> String {
        let id = self.id();
        node.wait_for("the rogue to be banned", Duration::from_secs(30), || {
            node.log_lines_with("Banned peer").into_iter().find(|line| line.contains(&id))
        })
    }

    /// Drains pending events (the network task needs its channel read).
    fn drain(&mut self) {
        while self.events.try_recv().is_ok() {}
    }
}

/// A block on `parent` (number `number`) in the current slot, sealed with garbage.
fn badly_sealed_block(parent: ludus_primitives::Hash, number: u32) -> ludus_primitives::Block {
    use ludus_node::consensus::{seal_item, slot_at, slot_digest};
    use ludus_primitives::{spec_version_digest, Block, Header};
    use sp_runtime::{traits::Header as _, Digest};
    let slot = slot_at(ludus_primitives::now_ms(), 1000);
    let digest = Digest { logs: vec![slot_digest(slot), spec_version_digest(ludus_runtime::VERSION.spec_version)] };
    let mut header = Header::new(number, Default::default(), Default::default(), parent, digest);
    header.digest_mut().push(seal_item(&sr25519::Signature::from_raw([7; 64])));
    Block { header, extrinsics: Vec::new() }
}

#[test]
fn peers_sending_garbage_bad_blocks_forged_votes_or_deep_transactions_are_banned_and_the_network_carries_on() {
    let nodes = local_network();
    nodes[0].wait_for_finalized(3, START);
    let genesis = nodes[0].genesis_hash();
    let alice = &nodes[0];

    // Random bytes on the block-sync protocol.
    let mut rogue = Rogue::connect(alice, &genesis);
    let target: ludus_network::PeerId = alice.peer_id().parse().unwrap();
    let garbage: Vec<u8> = (0..200).map(|i| (i * 37 % 251) as u8).collect();
    let answer = rogue.runtime.block_on(rogue.handle.request(target, ludus_network::Protocol::Blocks, garbage));
    assert!(answer.is_err(), "garbage got an answer: {answer:?}");
    let line = rogue.wait_banned_by(alice);
    assert!(line.contains("undecodable block request"), "{line}");
    // Banned means refused: it cannot come back while the ban lasts.
    rogue.drain();
    let redial = rogue.runtime.block_on(async {
        let _ = rogue.handle.dial(alice.multiaddr().parse().unwrap()).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        rogue.handle.peers().await
    });
    assert!(redial.iter().all(|p| p.peer_id != target), "a banned peer reconnected: {redial:?}");

    // A block whose seal is not its slot author's.
    let rogue = Rogue::connect(alice, &genesis);
    let best = alice.rpc("chain_getHeader", json!([]));
    let parent = crate::tx::hash(best["parentHash"].as_str().unwrap());
    let parent_number = crate::harness::block_number(&best["number"]) as u32 - 1;
    let block = badly_sealed_block(parent, parent_number + 1);
    rogue.handle.publish(ludus_network::Topic::BlockAnnounces, ludus_node::sync::announcement(&block));
    let line = rogue.wait_banned_by(alice);
    assert!(line.contains("seal") || line.contains("signature"), "{line}");

    // A GRANDPA prevote in Bob's name, signed by someone else.
    let rogue = Rogue::connect(alice, &genesis);
    let target_hash = crate::tx::hash(alice.block_hash(1).unwrap().as_str());
    let message = finality_grandpa::Message::Prevote(finality_grandpa::Prevote { target_hash, target_number: 1u32 });
    let payload = sp_consensus_grandpa::localized_payload(1, 0, &message);
    let forger = ed25519::Pair::generate().0;
    let vote = finality_grandpa::SignedMessage {
        message,
        signature: forger.sign(&payload).into(),
        id: ed25519::Pair::from_string("//Bob", None).unwrap().public().into(),
    };
    let forged = ludus_finality::GossipMessage::Vote { round: 1, set_id: 0, message: vote };
    rogue.handle.publish(ludus_network::Topic::Grandpa, forged.encode());
    let line = rogue.wait_banned_by(alice);
    assert!(line.contains("bad signature"), "{line}");

    // A transaction whose calls nest a thousand deep (2 KB), gossiped to every validator:
    // once a stack overflow that aborted each node that decoded it. Each rogue's differs by a
    // level: gossip ids are content hashes, and a node drops a message it has seen.
    for (i, node) in nodes.iter().enumerate() {
        let deep = ludus_node::test_utils::bare_extrinsic(&ludus_node::test_utils::nested_call_bytes(
            ludus_node::test_utils::Wrapper::Sudo,
            1_000 + i,
        ));
        let batch = ludus_node::sync::messages::Transactions { extrinsics: vec![deep] }.encode();
        let rogue = Rogue::connect(node, &genesis);
        rogue.handle.publish(ludus_network::Topic::Transactions, batch);
        let line = rogue.wait_banned_by(node);
        assert!(line.contains("nest deeper than 256 levels"), "{line}");
    }

    // The network carries on, and no rogue is among the peers.
    for node in &nodes {
        let finalized = node.finalized_number();
        node.wait_for_finalized(finalized + 3, PROGRESS);
    }
    let peers = alice.rpc("system_peers", json!([]));
    assert_eq!(peers.as_array().unwrap().len(), 3, "{peers}");
}

/// Runs the node with `args` on a fresh base path and expects it to refuse to start,
/// naming `needle` in its error.
fn assert_refused(args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["--dev", "--base-path", dir.path().to_str().unwrap(), "--rpc-port", "0", "--no-prometheus"];
    all.extend_from_slice(args);
    let output = crate::harness::run_cli(&all, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "started with {args:?}; stderr:\n{stderr}");
    assert!(stderr.contains(needle), "the error for {args:?} does not name `{needle}`:\n{stderr}");
}

#[test]
fn the_node_key_persists_and_bad_network_flags_are_refused_by_name() {
    // The identity is generated once and kept: peers' boot node addresses stay valid.
    let mut node = Node::start(&["--dev"]);
    let id = node.peer_id();
    let key_file = node.base_path().join("chains/dev/network/secret_ed25519");
    let secret = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(hex::decode(secret.trim()).map(|b| b.len()), Ok(32), "a hex ed25519 secret at {}", key_file.display());
    node.stop();
    node.restart();
    let lines = node.log_lines_with("Local node identity is: ");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|line| line.ends_with(&id)), "the peer id changed across a restart: {lines:?}");

    // A boot node without its peer id, a malformed multiaddr, a corrupt key file.
    assert_refused(&["--bootnodes", "/ip4/127.0.0.1/tcp/30333"], "--bootnodes /ip4/127.0.0.1/tcp/30333");
    assert_refused(&["--reserved-nodes", "not-a-multiaddr"], "--reserved-nodes not-a-multiaddr");
    assert_refused(&["--listen-addr", "/ip4/999.0.0.1/tcp/1"], "--listen-addr /ip4/999.0.0.1/tcp/1");
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("node-key");
    std::fs::write(&corrupt, b"not a key").unwrap();
    assert_refused(&["--node-key-file", corrupt.to_str().unwrap()], corrupt.to_str().unwrap());
    assert_eq!(std::fs::read(&corrupt).unwrap(), b"not a key", "a corrupt key file is never overwritten");
}

#[test]
fn a_node_following_a_dev_chain_finalizes_with_its_single_validator() {
    let validator = Node::dev();
    validator.wait_for_finalized(3, START);
    // The dev validator finalizes at once and signs a one-precommit justification for it.
    let hash = validator.block_hash(2).unwrap();
    assert!(!validator.rpc("chain_getBlock", json!([hash]))["justifications"].is_null());

    let addr = validator.multiaddr();
    let follower = Node::start(&["--chain", "dev", "--bootnodes", &addr]);
    // Synced blocks bring their justifications; new ones are finalized by the gossiped commit.
    let target = validator.finalized_number() + 3;
    follower.wait_for_finalized(target, PROGRESS);
    assert_eq!(follower.block_hash(target), validator.block_hash(target));
    let best = follower.best_number();
    let finalized = follower.finalized_number();
    assert!(best <= finalized + 2, "the follower's finality trails: best #{best}, finalized #{finalized}");
}
