//! A hostile RPC client against a real node: storage subscriptions by the thousand,
//! parameters built to be expensive to parse, idle connections held open. The node must
//! refuse what is over its limits with a clear error, keep authoring a block per slot, and
//! keep serving everyone else.

use std::{
    net::{Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};

use jsonrpsee::{
    core::{
        client::{ClientT, Subscription, SubscriptionClientT},
        params::ArrayParams,
        ClientError,
    },
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use serde_json::{json, Value};

use crate::harness::{http_post_from, Node};

/// Keys one storage subscription may watch, connections' and the server's share (the
/// node's defaults).
const KEYS_PER_SUBSCRIPTION: usize = 1000;
const KEYS_PER_CONNECTION: usize = 5000;
const KEYS_ON_SERVER: usize = 20_000;
/// Longest SS58 address.
const MAX_SS58_CHARS: usize = 50;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

async fn connect(url: &str) -> Result<WsClient, ClientError> {
    WsClientBuilder::default().build(url).await
}

fn code(error: &ClientError) -> i32 {
    match error {
        ClientError::Call(e) => e.code(),
        other => panic!("expected a JSON-RPC error, got {other}"),
    }
}

/// `n` distinct storage keys (none of them set), different for each `tag`.
fn keys(tag: u32, n: usize) -> Vec<String> {
    (0..n as u32).map(|i| format!("0x{:08x}{:08x}{}", tag, i, "ab".repeat(24))).collect()
}

async fn watch(client: &WsClient, keys: &[String]) -> Result<Subscription<Value>, ClientError> {
    let mut params = ArrayParams::new();
    params.insert(keys).expect("keys serialize");
    client.subscribe("state_subscribeStorage", params, "state_unsubscribeStorage").await
}

/// Connects, retrying for a while if the address is at its limit: a connection the client
/// has just seen closed (the harness's HTTP polls) may hold its place a moment longer.
async fn connect_admitted(url: &str) -> WsClient {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match connect(url).await {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => panic!("cannot connect to {url}: {e}"),
        }
    }
}

/// POSTs a JSON-RPC `body` from local address `source` (another loopback address stands for
/// another client); returns the HTTP status and body.
async fn post_from(source: Ipv4Addr, addr: SocketAddr, body: &str) -> (u16, String) {
    let response = http_post_from(Some(source.into()), addr, body.as_bytes().to_vec()).await.expect("HTTP request");
    (response.status, response.body)
}

#[test]
fn storage_subscriptions_over_the_limits_are_refused_and_authoring_goes_on() {
    let node = Node::start(&["--dev", "--rpc-methods", "safe"]);
    let url = node.ws_url();
    let start_best = node.best_number();
    let started = Instant::now();

    runtime().block_on(async {
        // Just over the per-subscription limit is a bad parameter.
        let client = connect(&url).await.unwrap();
        let err = watch(&client, &keys(0, KEYS_PER_SUBSCRIPTION + 1)).await.unwrap_err();
        assert_eq!(code(&err), -32602, "{err}");

        // Fill the server: each connection up to its share, the last subscription of each
        // connection refused with "too many subscriptions".
        let connections = KEYS_ON_SERVER / KEYS_PER_CONNECTION;
        let per_connection = KEYS_PER_CONNECTION / KEYS_PER_SUBSCRIPTION;
        let mut clients = vec![client];
        let mut subscriptions = Vec::new();
        for c in 0..connections {
            if c > 0 {
                clients.push(connect(&url).await.unwrap());
            }
            let client = &clients[c];
            for s in 0..per_connection {
                let mut subscription = watch(client, &keys((c * per_connection + s) as u32 + 1, KEYS_PER_SUBSCRIPTION))
                    .await
                    .unwrap_or_else(|e| panic!("subscription {s} of connection {c}: {e}"));
                let first = subscription.next().await.expect("first notification").expect("decodes");
                assert_eq!(first["changes"].as_array().map(Vec::len), Some(KEYS_PER_SUBSCRIPTION));
                subscriptions.push(subscription);
            }
            let err = watch(client, &keys(9000, 1)).await.unwrap_err();
            assert_eq!(code(&err), -32006, "connection {c}: {err}");
        }
        // The server watches all it will: a new connection is told the server is busy.
        let late = connect(&url).await.unwrap();
        let err = watch(&late, &keys(9001, 1)).await.unwrap_err();
        assert_eq!(code(&err), -32009, "{err}");
        assert!(err.to_string().contains("limit"), "{err}");

        // With the node watching all it will, authoring keeps to its slots: a block a
        // second, with a wide margin for a slow machine (the attack this guards against
        // left 12 of 30 slots, and 3 with four connections).
        let (window, before) = (Duration::from_secs(10), best_number(&late).await);
        tokio::time::sleep(window).await;
        let authored = best_number(&late).await - before;
        assert!(authored >= window.as_secs() / 2, "{authored} blocks in {window:?} while watching the most keys");

        // Closing connections frees what they watched.
        drop(subscriptions);
        drop(clients);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match watch(&late, &keys(9002, KEYS_PER_SUBSCRIPTION)).await {
                Ok(_) => break,
                Err(e) if code(&e) == -32009 && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(e) => panic!("after the other connections closed: {e}"),
            }
        }
    });

    // Authoring went on throughout.
    let elapsed = started.elapsed().as_secs();
    let best = node.best_number();
    assert!(best >= start_best + elapsed / 2, "{} blocks in {elapsed} s", best - start_best);
}

async fn best_number(client: &WsClient) -> u64 {
    let header: Value = client.request("chain_getHeader", rpc_params![]).await.expect("chain_getHeader");
    crate::harness::block_number(&header["number"])
}

#[test]
fn overlong_addresses_are_answered_at_once_with_an_error() {
    let node = Node::start(&["--dev", "--rpc-methods", "safe"]);
    let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    assert_eq!(node.rpc("system_accountNextIndex", json!([alice])), json!(0));
    for address in ["x".repeat(MAX_SS58_CHARS + 1), "x".repeat(200_000)] {
        for (method, params) in
            [("system_accountNextIndex", json!([address])), ("ludus_gameAssets_balances", json!([0, address]))]
        {
            let started = Instant::now();
            let error = node.try_rpc(method, params).expect_err("an overlong address");
            // Decoding 200,000 characters took 13 s of CPU; refusing them takes microseconds.
            // The bound is generous for a slow machine; the error is what matters.
            assert!(started.elapsed() < Duration::from_secs(5), "{method} took {:?}", started.elapsed());
            assert_eq!(error.code, -32602, "{method}: {error}");
            assert!(error.message.contains(&format!("at most {MAX_SS58_CHARS}")), "{method}: {error}");
        }
    }
    // The node is as responsive as before.
    assert_eq!(node.rpc("system_accountNextIndex", json!([alice])), json!(0));
}

#[test]
fn connections_per_address_are_bounded_and_idle_ones_closed() {
    let idle_timeout = 2;
    let node = Node::start(&[
        "--dev",
        "--rpc-methods",
        "safe",
        "--rpc-max-connections-per-ip",
        "3",
        "--rpc-idle-timeout",
        &idle_timeout.to_string(),
    ]);
    let url = node.ws_url();
    let addr = node.rpc_addr();
    let health = r#"{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}"#;

    runtime().block_on(async {
        // One connection keeps a subscription; two stay idle; the fourth is refused.
        let subscribed = connect_admitted(&url).await;
        let mut heads: Subscription<Value> =
            subscribed.subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads").await.unwrap();
        let idle = [connect_admitted(&url).await, connect_admitted(&url).await];
        let refused = connect(&url).await;
        assert!(refused.is_err(), "a fourth connection from one address was accepted");
        let (status, _) = post_from(Ipv4Addr::LOCALHOST, addr, health).await;
        assert_eq!(status, 429, "HTTP from the address at its limit");

        // Another client is served all the while.
        let (status, body) = post_from(Ipv4Addr::new(127, 0, 0, 2), addr, health).await;
        assert_eq!(status, 200, "HTTP from another address: {body}");
        assert!(body.contains("\"result\""), "{body}");

        // The idle connections are closed after the timeout (generous margin); the
        // subscribed one is not.
        let deadline = Instant::now() + Duration::from_secs(idle_timeout + 20);
        while idle.iter().any(WsClient::is_connected) {
            assert!(Instant::now() < deadline, "idle connections still open after {idle_timeout} s");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(subscribed.is_connected(), "a connection with a subscription was closed");
        let head = tokio::time::timeout(Duration::from_secs(10), heads.next()).await;
        assert!(matches!(head, Ok(Some(Ok(_)))), "no new head after the idle ones closed: {head:?}");

        // Their places are free again.
        let again = connect_admitted(&url).await;
        let chain: String = again.request("system_chain", rpc_params![]).await.unwrap();
        assert_eq!(chain, "Development");
    });
    assert!(node.best_number() > 0);
}

/// `Core_execute_block` arguments a node runs whole before refusing, and the block to run
/// them at: a block on the best block of `node` with `transfers` valid transfers from
/// Alice, and no timestamp.
fn costly_block(node: &Node, transfers: u32) -> (String, String) {
    use codec::Encode;
    use sp_runtime::traits::Header as _;
    let genesis = crate::tx::hash(&node.genesis_hash());
    let best = node.rpc("chain_getHeader", json!([]));
    let number = crate::harness::block_number(&best["number"]) as u32;
    let parent_hex = node.block_hash(u64::from(number)).expect("the best block's hash");
    let parent = crate::tx::hash(&parent_hex);
    let bob = crate::tx::account("//Bob");
    let extrinsics = (0..transfers)
        .map(|nonce| {
            let xt = ludus_node::test_utils::transfer(&ludus_node::test_utils::pair("//Alice"), bob.clone(), 1, nonce, genesis);
            sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(&xt).expect("an extrinsic")
        })
        .collect();
    let header = ludus_primitives::Header::new(number + 1, Default::default(), Default::default(), parent, Default::default());
    (crate::tx::to_hex(&ludus_primitives::Block { header, extrinsics }.encode()), parent_hex)
}

#[test]
fn a_flood_of_expensive_calls_waits_its_turn_and_authoring_keeps_its_slots() {
    let node = Node::dev();
    let url = node.ws_url();
    // `state_call` may run any runtime API: executing a block of 100 transfers costs the
    // node a hundred signature checks and transfers before it is refused.
    let (block, at) = costly_block(&node, 100);
    let refusal = node.try_rpc("state_call", json!(["Core_execute_block", &block, &at])).expect_err("no timestamp");
    assert!(refusal.message.contains("Timestamp must be updated"), "the whole block ran: {refusal}");
    let before = node.best_number();
    let window = Duration::from_secs(10);
    let started = Instant::now();
    // 16 connections (under the per-address limit) with 32 calls each always in flight:
    // 512 runtime calls at once, as many as tokio's blocking pool has threads.
    let answered: u32 = runtime().block_on(async {
        let mut callers = Vec::new();
        for _ in 0..16 {
            let client = std::sync::Arc::new(connect_admitted(&url).await);
            for _ in 0..32 {
                let (client, block, at) = (client.clone(), block.clone(), at.clone());
                callers.push(tokio::spawn(async move {
                    let mut answered = 0;
                    while started.elapsed() < window {
                        let outcome: Result<Value, _> =
                            client.request("state_call", rpc_params!["Core_execute_block", &block, &at]).await;
                        answered += u32::from(outcome.is_err_and(|e| matches!(e, ClientError::Call(_))));
                    }
                    answered
                }));
            }
        }
        let mut answered = 0;
        for caller in callers {
            answered += caller.await.expect("caller task");
        }
        answered
    });
    let elapsed = started.elapsed().as_secs();
    assert!(answered > 0, "the flood's calls are answered (with the runtime's refusal), in turn");
    // A block a second, with a wide margin for a slow machine.
    let authored = node.best_number() - before;
    assert!(authored >= elapsed / 2, "{authored} blocks in {elapsed} s under a flood of {answered} calls");
    assert_eq!(node.rpc("system_health", json!([]))["isSyncing"], json!(false));
}
