//! What one client can make the server do: bounded parameters, bounded and shared storage
//! subscriptions, connections per address and idle connections.

use std::net::Ipv4Addr;

use sp_core::crypto::Ss58Codec;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::{
    params::{MAX_SS58_CHARS, MAX_STORAGE_KEY_BYTES},
    WatchLimits,
};

/// POSTs `body` from the local address `source` and returns the HTTP status code.
async fn post_from(source: Ipv4Addr, addr: SocketAddr, body: &str) -> u16 {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    text.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {text:?}"))
}

const HEALTH: &str = r#"{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}"#;

async fn ws_client(addr: SocketAddr) -> Result<WsClient, ClientError> {
    WsClientBuilder::default().build(format!("ws://{addr}")).await
}

fn error_of(result: Result<Value, ClientError>) -> (i32, String) {
    match result {
        Err(ClientError::Call(e)) => (e.code(), e.message().to_owned()),
        other => panic!("expected a call error, got {other:?}"),
    }
}

#[tokio::test]
async fn overlong_addresses_are_refused_before_decoding() {
    let h = Harness::start().await;
    let rich = fake::RICH.to_ss58check();
    // A real address, just under the limit, still works.
    assert!(rich.len() <= MAX_SS58_CHARS);
    assert_eq!(h.call("system_accountNextIndex", json!([rich])).await.unwrap(), json!(5));

    let just_over = "x".repeat(MAX_SS58_CHARS + 1);
    let far_over = "x".repeat(200_000);
    for address in [&just_over, &far_over] {
        for (method, params) in [
            ("system_accountNextIndex", json!([address])),
            ("account_nextIndex", json!([address])),
            ("ludus_gameAssets_balances", json!([fake::GAME_COLLECTION, address])),
        ] {
            let (code, message) = error_of(h.call(method, params).await);
            assert_eq!(code, -32602, "{method}: {message}");
            assert!(message.contains(&format!("at most {MAX_SS58_CHARS}")), "{method}: {message}");
            // The echo of what was sent is short, whatever was sent.
            assert!(message.len() < 300, "{method}: {} characters of message", message.len());
        }
    }
    // Fifty characters that are no address are an ordinary bad address.
    let (code, message) = error_of(h.call("system_accountNextIndex", json!(["x".repeat(MAX_SS58_CHARS)])).await);
    assert_eq!(code, -32602);
    assert!(!message.contains("at most"), "{message}");
}

#[tokio::test]
async fn overlong_keys_and_strings_are_refused() {
    let h = Harness::start().await;
    let longest = hex(&vec![7u8; MAX_STORAGE_KEY_BYTES]);
    let too_long = hex(&vec![7u8; MAX_STORAGE_KEY_BYTES + 1]);
    assert_eq!(h.call("state_getStorage", json!([longest])).await.unwrap(), Value::Null);
    for (method, params) in [
        ("state_getStorage", json!([too_long])),
        ("state_getStorageHash", json!([too_long])),
        ("state_getStorageSize", json!([too_long])),
        ("state_getKeysPaged", json!([too_long, 10])),
        ("state_getKeysPaged", json!([null, 10, too_long])),
        ("state_queryStorageAt", json!([[too_long]])),
        ("state_getReadProof", json!([[too_long]])),
        ("state_call", json!(["x".repeat(10_000), "0x"])),
        ("author_insertKey", json!(["aura", "//Alice".repeat(10_000), hex(&[1; 32])])),
        ("author_insertKey", json!(["aura", "//Alice", hex(&[1; 100])])),
        ("author_hasKey", json!([hex(&[1; 100]), "aura"])),
        ("author_hasSessionKeys", json!([hex(&vec![1; 10_000])])),
    ] {
        let (code, message) = error_of(h.call(method, params).await);
        assert_eq!(code, -32602, "{method}: {message}");
        assert!(message.contains("at most"), "{method}: {message}");
    }
    let err = h
        .ws
        .subscribe::<Value, _>("state_subscribeStorage", to_params(json!([[too_long]])), "state_unsubscribeStorage")
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Call(ref e) if e.code() == -32602), "{err:?}");
}

fn keys(tag: u8, n: usize) -> Vec<String> {
    (0..n as u32).map(|i| hex(&[&[tag][..], &i.to_le_bytes()].concat())).collect()
}

async fn subscribe_keys(client: &WsClient, keys: &[String]) -> Result<Subscription<Value>, ClientError> {
    client.subscribe("state_subscribeStorage", to_params(json!([keys])), "state_unsubscribeStorage").await
}

fn call_code(err: &ClientError) -> i32 {
    match err {
        ClientError::Call(e) => e.code(),
        other => panic!("expected a call error, got {other:?}"),
    }
}

#[tokio::test]
async fn watched_keys_are_bounded_per_subscription_connection_and_server_and_freed() {
    let limits = WatchLimits { per_subscription: 10, per_connection: 25, total: 40 };
    let h = Harness::with_config(RpcConfig { listen: loopback(), watch_limits: limits, ..RpcConfig::default() }).await;
    let addr = h.handle.local_addr();

    // Per subscription: just at the limit is fine, one more is a bad parameter.
    let mut a1 = subscribe_keys(&h.ws, &keys(1, 10)).await.unwrap();
    let err = subscribe_keys(&h.ws, &keys(1, 11)).await.unwrap_err();
    assert_eq!(call_code(&err), -32602, "{err}");

    // Per connection: 10 + 10 fit in 25, 10 more do not; unsubscribing frees room.
    let a2 = subscribe_keys(&h.ws, &keys(2, 10)).await.unwrap();
    let err = subscribe_keys(&h.ws, &keys(3, 10)).await.unwrap_err();
    assert_eq!(call_code(&err), -32006, "{err}");
    assert!(err.to_string().contains("limit of 25"), "{err}");
    let _a_small = subscribe_keys(&h.ws, &keys(3, 5)).await.unwrap();
    a2.unsubscribe().await.unwrap();
    let _a3 = wait_for_subscription(&h.ws, &keys(3, 10)).await;

    // Server-wide: this connection watches 25; another may add 15 but not 16.
    let b = ws_client(addr).await.unwrap();
    let _b1 = subscribe_keys(&b, &keys(4, 10)).await.unwrap();
    let err = subscribe_keys(&b, &keys(5, 6)).await.unwrap_err();
    assert_eq!(call_code(&err), -32009, "{err}");
    assert!(err.to_string().contains("limit of 40"), "{err}");
    let _b2 = subscribe_keys(&b, &keys(5, 5)).await.unwrap();

    // A closed connection frees what its subscriptions watched.
    drop(b);
    let c = ws_client(addr).await.unwrap();
    let _c1 = wait_for_subscription(&c, &keys(6, 10)).await;

    // The first subscription was never disturbed.
    assert_eq!(next(&mut a1).await["changes"].as_array().unwrap().len(), 10);
}

/// Subscribes once the watcher has released what closed subscriptions held (it does so
/// asynchronously), or panics after a few seconds.
async fn wait_for_subscription(client: &WsClient, keys: &[String]) -> Subscription<Value> {
    for _ in 0..50 {
        match subscribe_keys(client, keys).await {
            Ok(subscription) => return subscription,
            Err(e) if matches!(call_code(&e), -32006 | -32009) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => panic!("{e}"),
        }
    }
    panic!("watched keys were not released");
}

#[tokio::test]
async fn subscriptions_share_one_read_of_their_keys_per_block() {
    let h = Harness::start().await;
    let (alice, bob) = (key_hex(b"balances:alice"), key_hex(b"balances:bob"));
    let mut subscriptions = Vec::new();
    for _ in 0..50 {
        let mut s = h.subscribe("state_subscribeStorage", json!([[alice, bob]]), "state_unsubscribeStorage").await;
        next(&mut s).await;
        subscriptions.push(s);
    }
    let before = h.chain.storage_reads.load(std::sync::atomic::Ordering::SeqCst);
    let blocks = 5;
    for i in 0..blocks {
        let value = format!("{}", 100 + i);
        let block = h.chain.import(&[(b"balances:bob", Some(value.as_bytes()))], true).block.header.hash();
        // Every subscriber sees the change (or a later one, if it was slow).
        for s in &mut subscriptions {
            let notification = next(s).await;
            assert_eq!(notification["changes"], json!([[bob, hex(value.as_bytes())]]));
            assert_eq!(notification["block"], json!(block));
        }
    }
    let reads = h.chain.storage_reads.load(std::sync::atomic::Ordering::SeqCst) - before;
    // Two keys per block, read once for all 50 subscriptions (not 100 reads per block).
    assert!(reads <= 2 * blocks, "{reads} storage reads for {blocks} blocks");
}

fn key_hex(k: &[u8]) -> String {
    hex(k)
}

#[tokio::test]
async fn connections_per_address_are_bounded_and_others_still_served() {
    let h = Harness::with_config(RpcConfig {
        listen: loopback(),
        max_connections_per_ip: 3,
        idle_timeout: None,
        ..RpcConfig::default()
    })
    .await;
    let addr = h.handle.local_addr();
    // The harness holds one WebSocket; two more fit.
    let second = ws_client(addr).await.unwrap();
    let _third = ws_client(addr).await.unwrap();
    let refused = ws_client(addr).await;
    assert!(refused.is_err(), "a fourth connection from one address was accepted");
    assert_eq!(post_from(Ipv4Addr::LOCALHOST, addr, HEALTH).await, 429);
    // Another address is served (127.0.0.2 is loopback too).
    assert_eq!(post_from(Ipv4Addr::new(127, 0, 0, 2), addr, HEALTH).await, 200);
    // The connections admitted keep working, and closing one admits another.
    assert_eq!(h.call("system_chain", json!([])).await.unwrap(), json!("Development"));
    drop(second);
    let mut again = None;
    for _ in 0..50 {
        if let Ok(client) = ws_client(addr).await {
            again = Some(client);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let again = again.expect("a closed connection frees its address's slot");
    assert_eq!(again.request::<Value, _>("system_chain", to_params(json!([]))).await.unwrap(), json!("Development"));
}

#[tokio::test]
async fn idle_connections_are_closed_busy_ones_kept() {
    let timeout = Duration::from_secs(1);
    let h = Harness::with_config(RpcConfig {
        listen: loopback(),
        max_connections_per_ip: 4,
        idle_timeout: Some(timeout),
        ..RpcConfig::default()
    })
    .await;
    let addr = h.handle.local_addr();
    let subscribed = ws_client(addr).await.unwrap();
    let mut heads = subscribed
        .subscribe::<Value, _>("chain_subscribeNewHeads", to_params(json!([])), "chain_unsubscribeNewHeads")
        .await
        .unwrap();
    next(&mut heads).await;
    // A TCP connection that never sends a request.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();

    // Generous: the idle check runs at most a timeout late.
    let closed_within = Duration::from_secs(10);
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(closed_within, silent.read(&mut byte)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "a silent connection stayed open: {read:?}");
    let deadline = tokio::time::Instant::now() + closed_within;
    while h.ws.is_connected() {
        assert!(tokio::time::Instant::now() < deadline, "an idle WebSocket stayed open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The subscribed connection outlived the timeout several times over and still works.
    assert!(subscribed.is_connected());
    h.chain.import(&[], true);
    next(&mut heads).await;
    assert_eq!(
        subscribed.request::<Value, _>("system_chain", to_params(json!([]))).await.unwrap(),
        json!("Development")
    );
    // Closed connections gave their slots back: the address can open its maximum again.
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(ws_client(addr).await.expect("slots of closed idle connections are free again"));
    }
}

#[tokio::test]
async fn runtime_version_subscribers_share_one_runtime_call_per_block() {
    let h = Harness::start().await;
    let mut subscriptions = Vec::new();
    for _ in 0..50 {
        let mut s = h.subscribe("state_subscribeRuntimeVersion", json!([]), "state_unsubscribeRuntimeVersion").await;
        next(&mut s).await;
        subscriptions.push(s);
    }
    let before = h.chain.version_calls.load(std::sync::atomic::Ordering::SeqCst);
    let blocks = 5;
    for i in 0..blocks {
        let spec = codec::Encode::encode(&(200 + i as u32));
        h.chain.import(&[(super::fake::SPEC_KEY, Some(&spec[..]))], true);
        // Every subscriber hears of the new version.
        for s in &mut subscriptions {
            assert_eq!(next(s).await["specVersion"], json!(200 + i));
        }
    }
    let calls = h.chain.version_calls.load(std::sync::atomic::Ordering::SeqCst) - before;
    // One per block for all 50 subscribers (the old code made 50 per block).
    assert!(calls <= blocks, "{calls} Core_version calls for {blocks} blocks");
}

#[tokio::test]
async fn calls_beyond_the_concurrency_limit_wait_their_turn_and_all_are_answered() {
    let config = RpcConfig { listen: super::loopback(), max_concurrent_calls: 3, ..RpcConfig::default() };
    let h = Harness::with_config(config).await;
    let addr = h.handle.local_addr();
    // 8 connections, each with 8 calls in flight over WebSocket, and 4 HTTP batches of 8.
    let mut calls = Vec::new();
    for _ in 0..8 {
        let client = std::sync::Arc::new(ws_client(addr).await.unwrap());
        for i in 0..8u8 {
            let client = client.clone();
            calls.push(tokio::spawn(async move {
                client.request::<String, _>("state_call", jsonrpsee::rpc_params!["Slow", format!("0x{i:02x}")]).await
            }));
        }
    }
    let mut batches = Vec::new();
    for _ in 0..4 {
        let body =
            (0..8).map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"state_call","params":["Slow","0x01"]}}"#));
        let body = format!("[{}]", body.collect::<Vec<_>>().join(","));
        batches.push(tokio::spawn(async move { post_from(Ipv4Addr::LOCALHOST, addr, &body).await }));
    }
    for (i, call) in calls.into_iter().enumerate() {
        assert_eq!(call.await.unwrap().unwrap(), format!("0x{:02x}", i % 8), "every call is answered");
    }
    for batch in batches {
        assert_eq!(batch.await.unwrap(), 200, "every batch is answered");
    }
    let most = h.chain.slow_most.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=3).contains(&most), "{most} calls ran at once with a limit of 3");
}
