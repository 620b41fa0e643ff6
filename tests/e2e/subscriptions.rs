//! WebSocket subscriptions as wallets use them: watching a transaction until finalized,
//! and following new heads.

use std::time::Duration;

use jsonrpsee::{
    core::client::{ClientT, Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use serde_json::{json, Value};

use crate::{
    harness::{block_number, Node},
    tx::{transfer_hex, LUD},
};

/// Longest wait for any one notification.
const NOTIFICATION_TIMEOUT: Duration = Duration::from_secs(10);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

async fn connect(node: &Node) -> WsClient {
    WsClientBuilder::default()
        .build(node.ws_url())
        .await
        .unwrap_or_else(|e| panic!("WebSocket connection to {}: {e}", node.ws_url()))
}

/// The next notification, or a panic naming `what` after [`NOTIFICATION_TIMEOUT`].
async fn next(subscription: &mut Subscription<Value>, what: &str) -> Value {
    match tokio::time::timeout(NOTIFICATION_TIMEOUT, subscription.next()).await {
        Ok(Some(Ok(value))) => value,
        Ok(Some(Err(e))) => panic!("{what}: undecodable notification: {e}"),
        Ok(None) => panic!("{what}: the subscription ended"),
        Err(_) => panic!("{what}: no notification within {NOTIFICATION_TIMEOUT:?}"),
    }
}

#[test]
fn watched_transfer_goes_ready_in_block_finalized() {
    let node = Node::dev();
    let genesis = node.genesis_hash();
    let transfer = transfer_hex("//Alice", "//Dave", 7 * LUD, 0, &genesis);

    let (in_block, finalized, statuses) = runtime().block_on(async {
        let client = connect(&node).await;
        let mut watch: Subscription<Value> = client
            .subscribe("author_submitAndWatchExtrinsic", rpc_params![transfer.clone()], "author_unwatchExtrinsic")
            .await
            .unwrap_or_else(|e| panic!("author_submitAndWatchExtrinsic: {e}"));
        let mut statuses = Vec::new();
        loop {
            let status = next(&mut watch, "transaction status").await;
            statuses.push(status.clone());
            if let Some(finalized) = status.get("finalized") {
                let in_block = statuses.iter().find_map(|s| s.get("inBlock").cloned());
                break (in_block, finalized.clone(), statuses);
            }
            let known = status == json!("ready") || status == json!("broadcast") || status.get("inBlock").is_some();
            assert!(known, "unexpected status {status} after {statuses:?}");
        }
    });

    assert_eq!(statuses.first(), Some(&json!("ready")), "first status: {statuses:?}");
    let in_block = in_block.unwrap_or_else(|| panic!("no inBlock before finalized: {statuses:?}"));
    assert_eq!(in_block, finalized, "finalized a different block than it was included in: {statuses:?}");
    let block = node.rpc("chain_getBlock", json!([finalized]));
    let extrinsics = block["block"]["extrinsics"].as_array().unwrap_or_else(|| panic!("chain_getBlock: {block}"));
    assert!(extrinsics.contains(&json!(transfer)), "block {finalized} lacks the transfer");
    let included_at = block_number(&block["block"]["header"]["number"]);
    assert!(node.finalized_number() >= included_at);
}

#[test]
fn new_heads_arrive_one_after_another() {
    let node = Node::dev();
    let headers = runtime().block_on(async {
        let client = connect(&node).await;
        let mut heads: Subscription<Value> = client
            .subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads")
            .await
            .unwrap_or_else(|e| panic!("chain_subscribeNewHeads: {e}"));
        let mut headers = Vec::new();
        for i in 0..4 {
            headers.push(next(&mut heads, &format!("new head {i}")).await);
        }
        // The same client still serves plain calls while subscribed.
        let health: Value = client.request("system_health", rpc_params![]).await.expect("system_health over ws");
        assert_eq!(health["peers"], json!(0));
        headers
    });

    // The first notification is the current best; each later one is its child.
    for pair in headers.windows(2) {
        let (parent, child) = (&pair[0], &pair[1]);
        let parent_number = block_number(&parent["number"]);
        assert_eq!(block_number(&child["number"]), parent_number + 1, "heads not consecutive: {headers:?}");
        let parent_hash = node.block_hash(parent_number).expect("announced block exists");
        assert_eq!(
            child["parentHash"],
            json!(parent_hash),
            "head #{} does not extend #{parent_number}",
            parent_number + 1
        );
    }
}

#[test]
fn a_watched_transaction_pushed_out_of_a_full_pool_hears_dropped() {
    // A pool of one: Alice's transfer with a nonce gap waits in it as a future transaction,
    // then Bob's includable transfer needs the room.
    let node = Node::start(&["--dev", "--pool-limit", "1"]);
    let genesis = node.genesis_hash();
    let waiting = transfer_hex("//Alice", "//Dave", LUD, 5, &genesis);
    let ready = transfer_hex("//Bob", "//Dave", LUD, 0, &genesis);

    let statuses = runtime().block_on(async {
        let client = connect(&node).await;
        let mut watch: Subscription<Value> = client
            .subscribe("author_submitAndWatchExtrinsic", rpc_params![waiting], "author_unwatchExtrinsic")
            .await
            .unwrap_or_else(|e| panic!("author_submitAndWatchExtrinsic: {e}"));
        let first = next(&mut watch, "the waiting transfer's first status").await;
        let accepted: Result<Value, _> = client.request("author_submitExtrinsic", rpc_params![ready]).await;
        accepted.unwrap_or_else(|e| panic!("a full pool refused an includable transfer over a future one: {e}"));
        let second = next(&mut watch, "the waiting transfer's status after eviction").await;
        // `dropped` is final: nothing follows it.
        let after = tokio::time::timeout(Duration::from_secs(2), watch.next()).await;
        assert!(matches!(after, Err(_) | Ok(None)), "a status after `dropped`: {after:?}");
        vec![first, second]
    });
    assert_eq!(statuses, vec![json!("future"), json!("dropped")]);
    // Operators see it too: the pool's counters reach /metrics within a refresh.
    let addr = node.prometheus_addr().expect("a dev node serves metrics");
    node.wait_for("the eviction counted in /metrics", Duration::from_secs(10), || {
        let body = crate::metrics::scrape(addr).body;
        crate::metrics::sample(&body, r#"ludus_txpool_turned_away_total{reason="evicted"}"#).filter(|n| *n == 1.0)
    });
}

#[test]
fn one_account_cannot_lock_others_out_of_the_pool() {
    // Alice fills her share of the future queue with transfers behind a nonce gap (her nonce
    // is 0; these start at 5), which would otherwise wait, paying nothing, for ever.
    let node = Node::dev();
    let genesis = node.genesis_hash();
    const SENDER_FUTURE_LIMIT: u32 = 16;
    for nonce in 5..5 + SENDER_FUTURE_LIMIT {
        let xt = transfer_hex("//Alice", "//Dave", LUD, nonce, &genesis);
        node.rpc("author_submitExtrinsic", json!([xt]));
    }
    let one_more = transfer_hex("//Alice", "//Dave", LUD, 5 + SENDER_FUTURE_LIMIT, &genesis);
    let refused = node.try_rpc("author_submitExtrinsic", json!([one_more])).expect_err("past her share");
    assert_eq!(refused.code, 1016, "{refused:?}");
    assert!(refused.message.contains("16 future transactions"), "the message says why: {refused:?}");
    assert!(refused.message.contains("missing nonces"), "and what to do: {refused:?}");

    // Everyone else still gets in, and through.
    let bob = transfer_hex("//Bob", "//Dave", LUD, 0, &genesis);
    node.rpc("author_submitExtrinsic", json!([bob.clone()]));
    let included = node.wait_for("Bob's transfer in a finalized block", Duration::from_secs(20), || {
        let pending = node.rpc("author_pendingExtrinsics", json!([]));
        if pending.as_array().is_some_and(|p| p.contains(&json!(bob))) {
            return None;
        }
        // Included in one of the last few finalized blocks.
        let mut hash = node.rpc("chain_getFinalizedHead", json!([]));
        for _ in 0..10 {
            let block = node.rpc("chain_getBlock", json!([hash]));
            if block["block"]["extrinsics"].as_array().is_some_and(|xts| xts.contains(&json!(bob))) {
                return Some(hash);
            }
            hash = block["block"]["header"]["parentHash"].clone();
        }
        None
    });
    assert!(included.is_string(), "{included}");
    // Alice herself is not locked out: her next nonce is ready, not future.
    let alice = transfer_hex("//Alice", "//Dave", LUD, 0, &genesis);
    node.rpc("author_submitExtrinsic", json!([alice]));
    let pending = node.rpc("author_pendingExtrinsics", json!([]));
    assert!(pending.as_array().is_some_and(|p| p.len() <= SENDER_FUTURE_LIMIT as usize + 1), "{pending}");
    // Operators see the refusal.
    let addr = node.prometheus_addr().expect("a dev node serves metrics");
    node.wait_for("the refusal counted in /metrics", Duration::from_secs(10), || {
        let body = crate::metrics::scrape(addr).body;
        crate::metrics::sample(&body, r#"ludus_txpool_turned_away_total{reason="sender"}"#).filter(|n| *n == 1.0)
    });
}
