//! `state_*` methods and subscriptions.

use super::*;
use crate::tests::fake::SPEC_KEY;
use codec::Encode;

fn key(k: &[u8]) -> String {
    hex(k)
}

#[tokio::test]
async fn storage_reads_and_aliases() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();
    let b1 = h.chain.import(&[(b"balances:alice", Some(b"11"))], true).block.header.hash();

    let alice = key(b"balances:alice");
    assert_eq!(h.call("state_getStorage", json!([alice])).await.unwrap(), json!(hex(b"11")));
    assert_eq!(h.call("state_getStorage", json!([alice, genesis])).await.unwrap(), json!(hex(b"10")));
    assert_eq!(h.call("state_getStorageAt", json!([alice, b1])).await.unwrap(), json!(hex(b"11")));
    assert_eq!(h.call("state_getStorage", json!([key(b"missing")])).await.unwrap(), Value::Null);

    let expected_hash = format!("{:?}", <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(b"11"));
    assert_eq!(h.call("state_getStorageHash", json!([alice])).await.unwrap(), json!(expected_hash));
    assert_eq!(h.call("state_getStorageHash", json!([key(b"missing")])).await.unwrap(), Value::Null);
    assert_eq!(h.call("state_getStorageSize", json!([alice])).await.unwrap(), json!(2));
    assert_eq!(h.call("state_getStorageSize", json!([key(b"missing")])).await.unwrap(), Value::Null);

    // Unknown block: Substrate's state client error 4003 naming UnknownBlock.
    let (code, message, _) =
        h.call_err("state_getStorage", json!([alice, ludus_primitives::Hash::repeat_byte(9)])).await;
    assert_eq!(code, 4003);
    assert!(message.starts_with("Client error: UnknownBlock"), "{message}");

    // Bad hex is a bad parameter.
    let (code, _, _) = h.call_err("state_getStorage", json!(["0xzz"])).await;
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn keys_paged_pages_and_caps_count() {
    let h = Harness::start().await;
    let prefix = key(b"balances:");
    let all = h.call("state_getKeysPaged", json!([prefix, 10])).await.unwrap();
    assert_eq!(all, json!([key(b"balances:alice"), key(b"balances:bob"), key(b"balances:carol")]));
    let page = h.call("state_getKeysPaged", json!([prefix, 1, key(b"balances:alice")])).await.unwrap();
    assert_eq!(page, json!([key(b"balances:bob")]));
    let at_alias =
        h.call("state_getKeysPagedAt", json!([prefix, 2, null, h.chain.genesis().block.header.hash()])).await.unwrap();
    assert_eq!(at_alias, json!([key(b"balances:alice"), key(b"balances:bob")]));
    // A null prefix means every key.
    assert_eq!(h.call("state_getKeysPaged", json!([null, 100])).await.unwrap().as_array().unwrap().len(), 5);

    let (code, message, _) = h.call_err("state_getKeysPaged", json!([prefix, 1001])).await;
    assert_eq!(code, 4002);
    assert_eq!(message, "count exceeds maximum value. value: 1001, max: 1000");
    let (code, _, _) = h.call_err("state_getKeysPaged", json!([prefix, -1])).await;
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn runtime_version_metadata_and_call() {
    let h = Harness::start().await;
    let expected = json!({
        "specName": "ludus",
        "implName": "ludus-node",
        "authoringVersion": 1,
        "specVersion": 100,
        "implVersion": 2,
        "apis": [["0xdf6acb689907609b", 5]],
        "transactionVersion": 3,
        "systemVersion": 1,
        "stateVersion": 1,
    });
    assert_eq!(h.call("state_getRuntimeVersion", json!([])).await.unwrap(), expected);
    assert_eq!(h.call("chain_getRuntimeVersion", json!([])).await.unwrap(), expected);

    // Metadata: the bytes inside the runtime's `OpaqueMetadata`, without the length prefix.
    assert_eq!(h.call("state_getMetadata", json!([])).await.unwrap(), json!(hex(b"meta\x0f")));

    assert_eq!(h.call("state_call", json!(["Echo", "0x0102"])).await.unwrap(), json!("0x0102"));
    assert_eq!(
        h.call("state_callAt", json!(["Echo", "0x03", h.chain.genesis().block.header.hash()])).await.unwrap(),
        json!("0x03")
    );
    let (code, message, _) = h.call_err("state_call", json!(["Nope_nope", "0x"])).await;
    assert_eq!(code, 4003);
    assert_eq!(message, "Client error: Execution failed: Exported method Nope_nope is not found");
}

#[tokio::test]
async fn query_storage_at_and_read_proof() {
    let h = Harness::start().await;
    let best = h.chain.import(&[], true).block.header.hash();
    let res = h.call("state_queryStorageAt", json!([[key(b"balances:bob"), key(b"missing")]])).await.unwrap();
    assert_eq!(
        res,
        json!([{ "block": best, "changes": [[key(b"balances:bob"), hex(b"20")], [key(b"missing"), null]] }])
    );
    let proof = h.call("state_getReadProof", json!([[key(b"other")]])).await.unwrap();
    assert_eq!(proof, json!({ "at": best, "proof": [hex(b"otherx")] }));

    let too_many: Vec<String> = (0..1001u32).map(|i| hex(&i.to_le_bytes())).collect();
    let (code, _, _) = h.call_err("state_queryStorageAt", json!([too_many])).await;
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn storage_subscription_sends_values_then_changes() {
    let h = Harness::start().await;
    let (alice, bob) = (key(b"balances:alice"), key(b"balances:bob"));
    let genesis = h.chain.genesis().block.header.hash();
    let mut s =
        h.subscribe("state_subscribeStorage", json!([[alice, bob, key(b"missing")]]), "state_unsubscribeStorage").await;
    assert_eq!(
        next(&mut s).await,
        json!({ "block": genesis, "changes": [[alice, hex(b"10")], [bob, hex(b"20")], [key(b"missing"), null]] })
    );
    // A block changing nothing watched sends nothing.
    h.chain.import(&[(b"other", Some(b"y"))], true);
    nothing_more(&mut s).await;
    let b2 = h.chain.import(&[(b"balances:bob", Some(b"21")), (b"balances:alice", None)], true).block.header.hash();
    assert_eq!(next(&mut s).await, json!({ "block": b2, "changes": [[alice, null], [bob, hex(b"21")]] }));
    s.unsubscribe().await.unwrap();

    // Watching every key is refused with a clear error rather than silently never notifying.
    let err =
        h.ws.subscribe::<Value, _>("state_subscribeStorage", to_params(json!([])), "state_unsubscribeStorage")
            .await
            .unwrap_err();
    assert!(matches!(err, ClientError::Call(ref e) if e.code() == -32602), "{err:?}");
}

#[tokio::test]
async fn runtime_version_subscription_notifies_only_on_change() {
    let h = Harness::start().await;
    for (sub, unsub) in [
        ("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion"),
        ("chain_subscribeRuntimeVersion", "chain_unsubscribeRuntimeVersion"),
    ] {
        let mut s = h.subscribe(sub, json!([]), unsub).await;
        let spec = next(&mut s).await["specVersion"].as_u64().unwrap();
        h.chain.import(&[], true);
        nothing_more(&mut s).await;
        h.chain.import(&[(SPEC_KEY, Some(&(spec as u32 + 1).encode()))], true);
        let v = next(&mut s).await;
        assert_eq!(v["specVersion"], spec + 1, "{sub}");
        assert_eq!(v["specName"], "ludus");
        s.unsubscribe().await.unwrap();
    }
}
