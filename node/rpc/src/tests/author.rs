//! `author_*`: submission, watching, and the unsafe keystore methods.

use super::*;
use crate::tests::fake::in_block_hash;

/// A well-formed opaque extrinsic: compact length 3, then the body.
const GOOD_XT: &str = "0x0c010203";
/// One the fake pool rejects (body starts with 0xff).
const POOR_XT: &str = "0x04ff";

#[tokio::test]
async fn submit_returns_hash_and_lists_pending() {
    let h = Harness::start().await;
    let expected =
        format!("{:?}", <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(&[0x0c, 1, 2, 3]));
    assert_eq!(h.call("author_submitExtrinsic", json!([GOOD_XT])).await.unwrap(), json!(expected));
    assert_eq!(h.http_call("author_pendingExtrinsics", json!([])).await.unwrap(), json!([GOOD_XT]));
}

#[tokio::test]
async fn malformed_extrinsics_get_bad_format_and_pool_errors_pass_through() {
    let h = Harness::start().await;
    for bad in ["0xzz", "nothex", "0x0c0102", "0x0c01020304", "0x"] {
        let (code, message, _) = h.call_err("author_submitExtrinsic", json!([bad])).await;
        assert_eq!(code, 1001, "{bad}: {message}");
        assert!(message.starts_with("Extrinsic has invalid format: "), "{message}");
    }
    let (code, message, data) = h.call_err("author_submitExtrinsic", json!([POOR_XT])).await;
    assert_eq!((code, message.as_str()), (1010, "Invalid Transaction"));
    assert_eq!(data, Some(json!("Inability to pay some fees (e.g. account balance too low)")));
    // Wrong parameter type.
    let (code, _, _) = h.call_err("author_submitExtrinsic", json!([42])).await;
    assert_eq!(code, -32602);
    assert_eq!(h.call("author_pendingExtrinsics", json!([])).await.unwrap(), json!([]));
}

#[tokio::test]
async fn submissions_in_one_batch_go_to_the_pool_together_and_are_answered_as_single_calls() {
    let calls = [
        ("author_submitExtrinsic", json!([GOOD_XT])),
        ("author_submitExtrinsic", json!([POOR_XT])),
        ("author_submitExtrinsic", json!(["0xzz"])),
        // Not one string: jsonrpsee's own answer, and the run ends.
        ("author_submitExtrinsic", json!([42])),
        ("system_chain", json!([])),
        ("author_submitExtrinsic", json!(["0x0c040506"])),
        ("author_submitExtrinsic", json!(["0x0c070809"])),
        ("author_submitExtrinsic", json!(["0x0c01020304"])),
        ("author_pendingExtrinsics", json!([])),
    ];
    let request = |id: usize, (method, params): &(&str, Value)| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});

    // Each call alone, on a server of its own.
    let single = Harness::start().await;
    let mut expected = Vec::new();
    for (id, call) in calls.iter().enumerate() {
        let (_, body) = raw_post(single.handle.local_addr(), request(id, call).to_string().as_bytes()).await;
        expected.push(serde_json::from_str::<Value>(&body).unwrap());
    }
    assert!(single.pool.batches.lock().unwrap().is_empty());

    let batched = Harness::start().await;
    let batch = Value::Array(calls.iter().enumerate().map(|(id, call)| request(id, call)).collect());
    let (_, body) = raw_post(batched.handle.local_addr(), batch.to_string().as_bytes()).await;
    let answers: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(answers, expected, "the same answers, in the same order");
    // The runs: [good, poor, not hex] (two reach the pool) and [two good, one malformed].
    assert_eq!(*batched.pool.batches.lock().unwrap(), vec![2, 2]);
    // A batch with a single submission runs as jsonrpsee runs it.
    let (_, body) = raw_post(batched.handle.local_addr(), json!([request(0, &calls[0])]).to_string().as_bytes()).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!([expected[0]]));
    assert_eq!(batched.pool.batches.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn submit_and_watch_streams_substrate_transaction_statuses() {
    let h = Harness::start().await;
    let mut s = h.subscribe("author_submitAndWatchExtrinsic", json!([GOOD_XT]), "author_unwatchExtrinsic").await;
    let block = format!("{:?}", in_block_hash());
    assert_eq!(next(&mut s).await, json!("ready"));
    assert_eq!(next(&mut s).await, json!({ "broadcast": ["12D3KooWPeer"] }));
    assert_eq!(next(&mut s).await, json!({ "inBlock": block }));
    assert_eq!(next(&mut s).await, json!({ "finalized": block }));

    // Rejections are errors on the subscribe call itself, with the pool's code.
    for (xt, code) in [(POOR_XT, 1010), ("0x0c", 1001)] {
        let err = h
            .ws
            .subscribe::<Value, _>("author_submitAndWatchExtrinsic", to_params(json!([xt])), "author_unwatchExtrinsic")
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::Call(ref e) if e.code() == code), "{xt}: {err:?}");
    }
}

#[test]
fn transaction_status_serde_matches_substrate() {
    use crate::TransactionStatus::*;
    let hash = ludus_primitives::Hash::repeat_byte(1);
    let h = format!("{hash:?}");
    let cases = [
        (Future, json!("future")),
        (Ready, json!("ready")),
        (Broadcast(vec!["a".into()]), json!({ "broadcast": ["a"] })),
        (InBlock(hash), json!({ "inBlock": h })),
        (Retracted(hash), json!({ "retracted": h })),
        (FinalityTimeout(hash), json!({ "finalityTimeout": h })),
        (Finalized(hash), json!({ "finalized": h })),
        (Usurped(hash), json!({ "usurped": h })),
        (Dropped, json!("dropped")),
        (Invalid, json!("invalid")),
    ];
    for (status, expected) in cases {
        assert_eq!(serde_json::to_value(&status).unwrap(), expected);
    }
}

#[tokio::test]
async fn keystore_methods_work_on_loopback_with_auto() {
    let h = Harness::start().await;
    let public = hex(&[7; 32]);
    assert_eq!(h.call("author_hasKey", json!([public, "aura"])).await.unwrap(), json!(false));
    assert_eq!(h.call("author_insertKey", json!(["aura", "//Alice", public])).await.unwrap(), Value::Null);
    assert_eq!(h.keystore.keys.lock().unwrap()[0].1, "//Alice");
    assert_eq!(h.call("author_hasKey", json!([public, "aura"])).await.unwrap(), json!(true));
    assert_eq!(h.call("author_hasKey", json!([public, "gran"])).await.unwrap(), json!(false));
    let keys = h.call("author_rotateKeys", json!([])).await.unwrap();
    assert_eq!(keys, json!(hex(&[0xaa; 64])));
    assert_eq!(h.call("author_hasSessionKeys", json!([keys])).await.unwrap(), json!(true));

    let (code, message, _) = h.call_err("author_insertKey", json!(["toolong", "//Alice", public])).await;
    assert_eq!((code, message.as_str()), (1040, "Invalid key type ID format (should be of length four)"));
    let (code, message, _) = h.call_err("author_hasSessionKeys", json!(["0x0102"])).await;
    assert_eq!((code, message.as_str()), (1040, "Session keys are not encoded correctly"));
}

#[tokio::test]
async fn unsafe_methods_are_denied_when_configured_safe_or_listening_externally() {
    // `Safe` on loopback, and `Auto` decided for a non-loopback address (checked
    // without binding one, so the test needs no external interface).
    assert!(!RpcMethods::Auto.allows_unsafe(&"0.0.0.0:9944".parse().unwrap()));
    assert!(!RpcMethods::Auto.allows_unsafe(&"192.0.2.1:9944".parse().unwrap()));
    assert!(RpcMethods::Auto.allows_unsafe(&"[::1]:9944".parse().unwrap()));
    assert!(RpcMethods::Unsafe.allows_unsafe(&"0.0.0.0:9944".parse().unwrap()));

    let h =
        Harness::with_config(RpcConfig { listen: loopback(), methods: RpcMethods::Safe, ..RpcConfig::default() }).await;
    let public = hex(&[7; 32]);
    for (method, params) in [
        ("author_insertKey", json!(["aura", "//Alice", public])),
        ("author_rotateKeys", json!([])),
        ("author_hasKey", json!([public, "aura"])),
        ("author_hasSessionKeys", json!([public])),
    ] {
        let (code, message, _) = h.call_err(method, params).await;
        assert_eq!((code, message.as_str()), (-32601, "RPC call is unsafe to be called externally"), "{method}");
    }
    assert!(h.keystore.keys.lock().unwrap().is_empty(), "nothing was inserted");
    // Safe methods still answer.
    assert_eq!(h.call("author_pendingExtrinsics", json!([])).await.unwrap(), json!([]));
}
