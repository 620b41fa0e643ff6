//! Crash safety: `kill -9` at random moments while the node authors, then restart on the
//! same base path. The database must open, keep every block it reported, link every block to
//! its parent, never take back a block it reported finalized, and the node must author on top.

use std::{
    collections::BTreeMap,
    thread,
    time::{Duration, Instant},
};

use rand::Rng;
use serde_json::json;

use crate::{
    harness::{block_number, Node},
    tx::{transfer_hex, LUD},
};

/// Alice's SS58 address.
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
/// Kill/restart rounds.
const ROUNDS: usize = 5;
/// Blocks a SIGKILL may cost: none the node reported, since every block is synced to disk
/// before it is imported (only one whose commit the kill interrupted, never reported, is lost).
const MAX_LOST_BLOCKS: u64 = 0;
/// Kill/restart rounds of the finality check.
const FINALITY_ROUNDS: usize = 5;

/// Hashes of canonical blocks 0..=best, checking each links to its parent.
fn canonical_chain(node: &Node) -> BTreeMap<u64, String> {
    let best = node.best_number();
    let mut chain = BTreeMap::new();
    let mut parent: Option<String> = None;
    for n in 0..=best {
        let hash = node.block_hash(n).unwrap_or_else(|| panic!("block #{n} of best #{best} is missing"));
        let header = node.header(&hash);
        assert_eq!(block_number(&header["number"]), n, "block {hash} has the wrong number");
        if let Some(parent) = parent {
            assert_eq!(header["parentHash"], json!(parent), "block #{n} does not link to block #{}", n - 1);
        }
        parent = Some(hash.clone());
        chain.insert(n, hash);
    }
    chain
}

#[test]
fn kill_9_at_random_moments_never_corrupts_the_chain() {
    let mut rng = rand::thread_rng();
    let mut node = Node::dev();
    node.wait_for_best(1, Duration::from_secs(5));
    let mut lost_total = 0;

    let genesis = node.genesis_hash();
    for round in 1..=ROUNDS {
        // Blocks with transactions in them, not just empty ones, are being written when the kill lands.
        let nonce = node.rpc("system_accountNextIndex", json!([ALICE]));
        let nonce = u32::try_from(nonce.as_u64().unwrap_or_else(|| panic!("nonce {nonce}"))).expect("small nonce");
        node.rpc("author_submitExtrinsic", json!([transfer_hex("//Alice", "//Bob", LUD, nonce, &genesis)]));
        let delay = Duration::from_millis(rng.gen_range(300..=2500));
        thread::sleep(delay);
        let seen = canonical_chain(&node);
        let last_seen = *seen.keys().next_back().expect("genesis at least");
        node.kill_9();

        node.restart();
        let best = node.best_number();
        assert!(
            best + MAX_LOST_BLOCKS >= last_seen,
            "round {round} (kill after {delay:?}): best #{last_seen} before SIGKILL, #{best} after restart"
        );
        lost_total += last_seen.saturating_sub(best);
        let after = canonical_chain(&node);
        // Blocks it kept are the blocks it had: no silent rewrite of history.
        for (n, hash) in seen.iter().filter(|(n, _)| **n <= best) {
            assert_eq!(after.get(n), Some(hash), "round {round}: block #{n} changed across the crash");
        }
        // And it keeps authoring on top.
        let grown = node.wait_for_best(best.max(last_seen) + 1, Duration::from_secs(5));
        node.wait_for_finalized(grown, Duration::from_secs(5));
    }
    let final_chain = canonical_chain(&node);
    // Transfers from the rounds landed (those still pooled at a kill are gone with the pool).
    let nonce = node.rpc("system_accountNextIndex", json!([ALICE]));
    assert!(nonce.as_u64().is_some_and(|n| n >= 1), "none of Alice's transfers survived: nonce {nonce}");
    eprintln!("crash: {ROUNDS} SIGKILLs, {lost_total} reported block(s) lost, final best #{}", final_chain.len() - 1);
}

/// "Finalized means on disk": the finalized head RPC reported last before each SIGKILL is,
/// after the restart, still finalized (or below the finalized head) with the same hash, and the
/// node finalizes on from it. Before finality waited for the disk, the last blocks reported
/// final could be missing after a kill, and the node went on to finalize others at their height.
#[test]
fn finality_reported_before_kill_9_is_never_lost() {
    let mut rng = rand::thread_rng();
    let mut node = Node::dev();
    node.wait_for_finalized(1, Duration::from_secs(10));

    for round in 1..=FINALITY_ROUNDS {
        // Ask as often as possible, and kill right after the last answer: the newest finality
        // report is the one most likely to be lost.
        let until = Instant::now() + Duration::from_millis(rng.gen_range(500..=2500));
        let mut reported = finalized_head(&node);
        while Instant::now() < until {
            reported = finalized_head(&node);
        }
        node.kill_9();

        node.restart();
        let (number, hash) = reported;
        // What the database held when it opened, before the restarted voter finalized anything
        // (a lone validator would at once finalize again a block whose finality was lost).
        let finalized = finalized_on_open(&node);
        assert!(
            finalized >= number,
            "round {round}: finalized #{number} ({hash}) reported before SIGKILL, #{finalized} on disk after it"
        );
        assert_eq!(
            node.block_hash(number).as_deref(),
            Some(hash.as_str()),
            "round {round}: another block is finalized at #{number} after restart"
        );
        node.wait_for_finalized(finalized + 1, Duration::from_secs(10));
    }
}

/// The finalized number the node's database opened with at its last start, from its log line
/// "Opened chain database at …: best #…, finalized #N".
fn finalized_on_open(node: &Node) -> u64 {
    let lines = node.log_lines_with("Opened chain database");
    let line = lines.last().unwrap_or_else(|| panic!("no database opening in the log:\n{}", node.log_tail(20)));
    let (_, number) = line.rsplit_once("finalized #").unwrap_or_else(|| panic!("no finalized number in {line:?}"));
    number.trim().parse().unwrap_or_else(|_| panic!("finalized number in {line:?}"))
}

/// The finalized head RPC reports now: number and hash.
fn finalized_head(node: &Node) -> (u64, String) {
    let hash = node.rpc("chain_getFinalizedHead", json!([]));
    let hash = hash.as_str().unwrap_or_else(|| panic!("chain_getFinalizedHead returned {hash}")).to_string();
    (block_number(&node.header(&hash)["number"]), hash)
}
