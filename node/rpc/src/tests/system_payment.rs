//! `system_*`, `payment_*` and `rpc_methods`.

use super::*;
use crate::tests::fake::{PARTIAL_FEE, RICH};
use sp_core::crypto::Ss58Codec;

#[tokio::test]
async fn system_methods_answer_from_system_info_and_network() {
    let h = Harness::start().await;
    assert_eq!(h.call("system_name", json!([])).await.unwrap(), json!("Ludus Node"));
    assert_eq!(h.call("system_version", json!([])).await.unwrap(), json!("0.1.0-test"));
    assert_eq!(h.call("system_chain", json!([])).await.unwrap(), json!("Development"));
    assert_eq!(h.call("system_chainType", json!([])).await.unwrap(), json!("Development"));
    assert_eq!(
        h.call("system_properties", json!([])).await.unwrap(),
        json!({"ss58Format": 42, "tokenDecimals": 12, "tokenSymbol": "LUD"})
    );
    assert_eq!(
        h.call("system_health", json!([])).await.unwrap(),
        json!({"peers": 0, "isSyncing": false, "shouldHavePeers": false})
    );
    assert_eq!(h.call("system_peers", json!([])).await.unwrap(), json!([]));
    assert_eq!(h.call("system_localPeerId", json!([])).await.unwrap(), json!("12D3KooWLocal"));
}

#[tokio::test]
async fn account_next_index_parses_ss58() {
    let h = Harness::start().await;
    let rich = RICH.to_ss58check();
    assert_eq!(h.call("system_accountNextIndex", json!([rich])).await.unwrap(), json!(5));
    assert_eq!(h.call("account_nextIndex", json!([rich])).await.unwrap(), json!(5));
    let other = ludus_primitives::AccountId::new([2; 32]).to_ss58check();
    assert_eq!(h.call("system_accountNextIndex", json!([other])).await.unwrap(), json!(0));

    // A corrupted checksum and a non-address are bad parameters.
    let mut broken = rich.clone().into_bytes();
    let last = broken.len() - 1;
    broken[last] = if broken[last] == b'a' { b'b' } else { b'a' };
    for bad in [String::from_utf8(broken).unwrap(), "hello".to_owned()] {
        let (code, message, _) = h.call_err("system_accountNextIndex", json!([bad])).await;
        assert_eq!(code, -32602, "{bad}: {message}");
    }
}

#[tokio::test]
async fn payment_query_info_has_substrate_json_shape() {
    let h = Harness::start().await;
    // The fake runtime checks it got (extrinsic, encoded length) and answers weight 1000 + len.
    let info = h.call("payment_queryInfo", json!(["0x0c010203"])).await.unwrap();
    // FRAME's `RuntimeDispatchInfo<u128, Weight>` serde (see its own unit tests): the
    // weight keeps `Weight`'s field names, the fee is a decimal string.
    assert_eq!(
        info,
        json!({
            "weight": {"ref_time": 1004, "proof_size": 64},
            "class": "normal",
            "partialFee": PARTIAL_FEE.to_string(),
        })
    );
    let details =
        h.call("payment_queryFeeDetails", json!(["0x0c010203", h.chain.genesis().block.header.hash()])).await.unwrap();
    assert_eq!(
        details,
        json!({"inclusionFee": {"baseFee": 100, "lenFee": "0x10000000000000000", "adjustedWeightFee": 7}})
    );

    let (code, message, _) = h.call_err("payment_queryInfo", json!(["0x0c01"])).await;
    assert_eq!((code, message.as_str()), (2, "Unable to query dispatch info."));
    let (code, message, data) = h.call_err("payment_queryInfo", json!(["0x04ee"])).await;
    assert_eq!((code, message.as_str()), (1, "Unable to query dispatch info."));
    assert_eq!(data, Some(json!("Execution failed: wasm trap: unreachable")));
}

#[tokio::test]
async fn rpc_methods_lists_every_method_and_alias_sorted() {
    let h = Harness::start().await;
    let res = h.call("rpc_methods", json!([])).await.unwrap();
    let methods: Vec<String> = serde_json::from_value(res["methods"].clone()).unwrap();
    let mut sorted = methods.clone();
    sorted.sort();
    assert_eq!(methods, sorted);
    for m in [
        "rpc_methods",
        "chain_getBlockHash",
        "chain_getHead",
        "chain_subscribeNewHead",
        "subscribe_newHead",
        "unsubscribe_newHead",
        "chain_unsubscribeFinalisedHeads",
        "state_getStorageAt",
        "state_subscribeStorage",
        "author_submitAndWatchExtrinsic",
        "author_unwatchExtrinsic",
        "author_insertKey",
        "system_accountNextIndex",
        "payment_queryInfo",
    ] {
        assert!(methods.iter().any(|x| x == m), "{m} missing from {methods:?}");
    }
    // Every listed method is actually served: none answers "method not found".
    for m in &methods {
        if let Err(ClientError::Call(e)) = h.call(m, json!([])).await {
            assert!(e.code() != -32601 || e.message().contains("unsafe"), "{m}: {e:?}");
        }
    }
}
