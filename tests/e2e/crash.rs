//! Crash safety: `kill -9` at random moments while the node authors, then restart on the
//! same base path. The database must open, keep every block it reported (bar at most the
//! one being written), link every block to its parent, and the node must author on top.

use std::{collections::BTreeMap, thread, time::Duration};

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
/// Blocks a SIGKILL may cost: the one whose commit the kill interrupted.
const MAX_LOST_BLOCKS: u64 = 1;

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
