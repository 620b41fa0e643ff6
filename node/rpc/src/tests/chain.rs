//! `chain_*` methods and head subscriptions.

use super::*;

/// The header JSON Substrate sends (`sp_runtime::generic::Header`'s serde, as in
/// the `chain_getHeader` examples of the Substrate docs): hex block number,
/// camelCase roots, digest logs as SCALE hex.
fn expected_header(h: &ludus_primitives::Header) -> Value {
    json!({
        "parentHash": format!("{:?}", h.parent_hash),
        "number": format!("0x{:x}", h.number),
        "stateRoot": format!("{:?}", h.state_root),
        "extrinsicsRoot": format!("{:?}", h.extrinsics_root),
        "digest": { "logs": h.digest.logs.iter().map(|l| hex(&codec::Encode::encode(l))).collect::<Vec<_>>() },
    })
}

/// Pins sp-runtime's header serde to the literal JSON Substrate nodes send.
#[test]
fn header_serde_is_substrates() {
    use sp_runtime::traits::Header as _;
    let header = ludus_primitives::Header::new(
        26,
        ludus_primitives::Hash::repeat_byte(0x11),
        ludus_primitives::Hash::repeat_byte(0x22),
        ludus_primitives::Hash::repeat_byte(0x33),
        sp_runtime::generic::Digest { logs: vec![sp_runtime::generic::DigestItem::PreRuntime(*b"aura", vec![1, 2])] },
    );
    let r = |b: &str| format!("0x{}", b.repeat(32));
    assert_eq!(
        serde_json::to_value(&header).unwrap(),
        json!({
            "parentHash": r("33"),
            "number": "0x1a",
            "stateRoot": r("22"),
            "extrinsicsRoot": r("11"),
            "digest": { "logs": ["0x0661757261080102"] },
        })
    );
}

#[tokio::test]
async fn headers_and_blocks_have_substrate_json_shape() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis();
    let b1 = h.chain.import(&[], true);
    let b2 = h.chain.import(&[], true);

    // Best header by default; the digest carries the `aura` pre-runtime item.
    let best = h.call("chain_getHeader", json!([])).await.unwrap();
    assert_eq!(best, expected_header(&b2.block.header));
    assert_eq!(best["number"], "0x2");
    assert_eq!(best["digest"]["logs"], json!(["0x0661757261080102"]));
    assert_eq!(best["parentHash"], format!("{:?}", b1.block.header.hash()));

    let by_hash = h.http_call("chain_getHeader", json!([b1.block.header.hash()])).await.unwrap();
    assert_eq!(by_hash, expected_header(&b1.block.header));

    // Blocks: header, extrinsics as hex of their SCALE encoding, justifications as
    // [[engine id bytes, data bytes]], exactly as Substrate's `SignedBlock` serde.
    let block = h.call("chain_getBlock", json!([b1.block.header.hash()])).await.unwrap();
    assert_eq!(
        block,
        json!({
            "block": { "header": expected_header(&b1.block.header), "extrinsics": ["0x0c040506"] },
            "justifications": [[[70, 82, 78, 75], [7, 8, 9]]],
        })
    );
    let genesis_json = h.call("chain_getBlock", json!([genesis.block.header.hash()])).await.unwrap();
    assert_eq!(genesis_json["justifications"], Value::Null);
    assert_eq!(genesis_json["block"]["extrinsics"], json!([]));
    assert_eq!(h.call("chain_getBlock", json!([])).await.unwrap()["block"]["header"]["number"], "0x2");

    // Unknown blocks are `null`, not errors, as in Substrate.
    let unknown = format!("{:?}", ludus_primitives::Hash::repeat_byte(9));
    assert_eq!(h.call("chain_getHeader", json!([unknown])).await.unwrap(), Value::Null);
    assert_eq!(h.call("chain_getBlock", json!([unknown])).await.unwrap(), Value::Null);
}

#[tokio::test]
async fn block_hash_accepts_numbers_hex_lists_and_nothing() {
    let h = Harness::start().await;
    let genesis = format!("{:?}", h.chain.genesis().block.header.hash());
    let b1 = format!("{:?}", h.chain.import(&[], true).block.header.hash());

    assert_eq!(h.call("chain_getBlockHash", json!([])).await.unwrap(), json!(b1));
    assert_eq!(h.call("chain_getBlockHash", json!([null])).await.unwrap(), json!(b1));
    assert_eq!(h.call("chain_getBlockHash", json!([0])).await.unwrap(), json!(genesis));
    assert_eq!(h.call("chain_getBlockHash", json!(["0x1"])).await.unwrap(), json!(b1));
    assert_eq!(h.call("chain_getBlockHash", json!([7])).await.unwrap(), Value::Null);
    assert_eq!(h.call("chain_getBlockHash", json!([[0, "0x01", 5]])).await.unwrap(), json!([genesis, b1, null]));
    // `chain_getHead` is an alias.
    assert_eq!(h.call("chain_getHead", json!([])).await.unwrap(), json!(b1));

    // A number past u32 is Substrate's chain error 3001; a non-number is a bad param.
    let (code, message, _) = h.call_err("chain_getBlockHash", json!([u64::MAX])).await;
    assert_eq!(code, 3001, "{message}");
    assert!(message.contains("u32::MAX"), "{message}");
    let (code, _, _) = h.call_err("chain_getBlockHash", json!(["zebra"])).await;
    assert_eq!(code, -32602);
    let (code, _, _) = h.call_err("chain_getBlockHash", json!([vec![0; 1025]])).await;
    assert_eq!(code, -32602, "too many numbers at once");
}

#[tokio::test]
async fn finalized_head_and_alias() {
    let h = Harness::start().await;
    let genesis = json!(format!("{:?}", h.chain.genesis().block.header.hash()));
    h.chain.import(&[], true);
    assert_eq!(h.call("chain_getFinalizedHead", json!([])).await.unwrap(), genesis);
    let fin = h.chain.finalize_best();
    let fin = json!(format!("{:?}", fin.hash()));
    assert_eq!(h.call("chain_getFinalizedHead", json!([])).await.unwrap(), fin);
    assert_eq!(h.call("chain_getFinalisedHead", json!([])).await.unwrap(), fin);
}

#[tokio::test]
async fn new_heads_subscription_sends_current_head_then_each_best_block() {
    let h = Harness::start().await;
    for (sub, unsub) in [
        ("chain_subscribeNewHeads", "chain_unsubscribeNewHeads"),
        ("chain_subscribeNewHead", "chain_unsubscribeNewHead"),
        ("subscribe_newHead", "unsubscribe_newHead"),
    ] {
        let best = h.chain.info_best_header();
        let mut s = h.subscribe(sub, json!([]), unsub).await;
        assert_eq!(next(&mut s).await, expected_header(&best), "{sub}: first is the current head");
        // A non-best import is not a new head.
        h.chain.import(&[], false);
        let b = h.chain.import(&[], true);
        assert_eq!(next(&mut s).await, expected_header(&b.block.header), "{sub}");
        nothing_more(&mut s).await;
        s.unsubscribe().await.unwrap();
    }
}

#[tokio::test]
async fn all_heads_subscription_includes_non_best_blocks() {
    let h = Harness::start().await;
    let mut s = h.subscribe("chain_subscribeAllHeads", json!([]), "chain_unsubscribeAllHeads").await;
    assert_eq!(next(&mut s).await["number"], "0x0");
    let side = h.chain.import(&[], false);
    let best = h.chain.import(&[], true);
    assert_eq!(next(&mut s).await, expected_header(&side.block.header));
    assert_eq!(next(&mut s).await, expected_header(&best.block.header));
    s.unsubscribe().await.unwrap();
}

#[tokio::test]
async fn finalized_heads_subscription_and_aliases() {
    let h = Harness::start().await;
    for (sub, unsub) in [
        ("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads"),
        ("chain_subscribeFinalisedHeads", "chain_unsubscribeFinalisedHeads"),
    ] {
        let mut s = h.subscribe(sub, json!([]), unsub).await;
        let first = next(&mut s).await;
        assert_eq!(
            first["parentHash"].as_str().map(str::to_owned),
            Some(format!("{:?}", h.chain.finalized_header().parent_hash)),
            "{sub}: first is the current finalized head"
        );
        h.chain.import(&[], true);
        nothing_more(&mut s).await;
        let fin = h.chain.finalize_best();
        assert_eq!(next(&mut s).await, expected_header(&fin), "{sub}");
        s.unsubscribe().await.unwrap();
    }
}

#[tokio::test]
async fn unsubscribed_head_subscriptions_stop_and_the_server_keeps_serving() {
    let h = Harness::start().await;
    let mut subs = Vec::new();
    for _ in 0..5 {
        subs.push(h.subscribe("chain_subscribeNewHeads", json!([]), "chain_unsubscribeNewHeads").await);
    }
    for s in subs {
        s.unsubscribe().await.unwrap();
    }
    // Unsubscribing an unknown id answers `false`, as Substrate does.
    assert_eq!(h.call("chain_unsubscribeNewHeads", json!(["nope"])).await.unwrap(), json!(false));
    h.chain.import(&[], true);
    assert_eq!(h.call("chain_getHeader", json!([])).await.unwrap()["number"], "0x1");
}
