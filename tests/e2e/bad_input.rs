//! Adversarial RPC input against one running dev node: every malformed request gets the
//! JSON-RPC error a client can act on, and the node keeps serving and authoring.

use std::time::Duration;

use serde_json::{json, Value};

use crate::{
    harness::{http_post, Node, RpcError},
    tx::{account, transfer_hex, LUD},
};

/// POSTs `body` and returns the JSON-RPC error it must produce.
fn raw_error(node: &Node, body: &[u8]) -> (u16, Value) {
    let response = http_post(node.rpc_addr(), body).unwrap_or_else(|e| panic!("HTTP request failed: {e}"));
    let json = response.json();
    assert!(json.get("error").is_some(), "expected an error, got HTTP {}: {json}", response.status);
    (response.status, json["error"].clone())
}

/// The error text a wallet would show: message and data together.
fn reason(error: &RpcError) -> String {
    format!("{} {}", error.message, error.data.as_ref().map(Value::to_string).unwrap_or_default())
}

/// The node still answers and still authors.
fn assert_alive(node: &Node) {
    let health = node.rpc("system_health", json!([]));
    assert_eq!(health["isSyncing"], json!(false), "system_health: {health}");
    let best = node.best_number();
    node.wait_for_best(best + 1, Duration::from_secs(5));
}

#[test]
fn malformed_requests_get_json_rpc_errors_and_the_node_survives() {
    let node = Node::dev();

    let (_, error) = raw_error(&node, br#"{"jsonrpc":"2.0","id":1,"method":"#);
    assert_eq!(error["code"], -32700, "truncated JSON: {error}");
    let (_, error) = raw_error(&node, b"\xff\xfe not even utf-8 \x00");
    assert_eq!(error["code"], -32700, "binary garbage: {error}");

    let unknown = node.try_rpc("chain_getBlockHashPlease", json!([])).expect_err("no such method");
    assert_eq!(unknown.code, -32601, "unknown method: {unknown}");

    let wrong = node.try_rpc("chain_getBlockHash", json!(["not a number"])).expect_err("string block number");
    assert_eq!(wrong.code, -32602, "wrong params: {wrong}");
    let wrong = node.try_rpc("chain_getHeader", json!([12345])).expect_err("number for a hash");
    assert_eq!(wrong.code, -32602, "wrong params: {wrong}");
    let wrong = node.try_rpc("state_getStorage", json!(["0xzz"])).expect_err("bad hex key");
    assert_eq!(wrong.code, -32602, "bad hex key: {wrong}");

    // A batch mixing good and bad calls answers each on its own.
    let batch = json!([
        { "jsonrpc": "2.0", "id": 1, "method": "system_health", "params": [] },
        { "jsonrpc": "2.0", "id": 2, "method": "no_such_method", "params": [] },
    ]);
    let response = http_post(node.rpc_addr(), batch.to_string().as_bytes()).expect("batch request").json();
    let answers = response.as_array().unwrap_or_else(|| panic!("batch answer is not an array: {response}"));
    assert_eq!(answers.len(), 2, "batch answer: {response}");
    assert!(answers.iter().any(|a| a["id"] == 1 && a.get("result").is_some()), "batch answer: {response}");
    assert!(answers.iter().any(|a| a["id"] == 2 && a["error"]["code"] == -32601), "batch answer: {response}");

    // 20 MiB: over any sane request limit. Refused (or the connection cut), never a crash.
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x{}"]}}"#,
        "ab".repeat(10 * 1024 * 1024)
    );
    match http_post(node.rpc_addr(), huge.as_bytes()) {
        Ok(response) => assert!(
            response.status == 413 || response.body.contains("\"error\""),
            "20 MiB request answered HTTP {} with {}",
            response.status,
            &response.body[..response.body.len().min(300)]
        ),
        Err(e) => eprintln!("20 MiB request: connection closed ({e}), accepted as a refusal"),
    }

    assert_alive(&node);
}

#[test]
fn invalid_transactions_are_refused_with_the_reason() {
    let node = Node::dev();
    let genesis = node.genesis_hash();

    let garbage = node.try_rpc("author_submitExtrinsic", json!(["0xdeadbeef"])).expect_err("garbage extrinsic");
    assert!((1001..=1002).contains(&garbage.code), "garbage bytes: {garbage}");
    let not_hex = node.try_rpc("author_submitExtrinsic", json!(["hello"])).expect_err("not hex");
    assert!(not_hex.code == 1001 || not_hex.code == -32602, "not hex: {not_hex}");

    // A real transfer with one byte of its signature flipped.
    let good = transfer_hex("//Alice", "//Bob", LUD, 0, &genesis);
    let mut bytes = hex::decode(&good[2..]).expect("hex");
    let alice = account("//Alice");
    let signer_at =
        bytes.windows(32).position(|w| w == AsRef::<[u8]>::as_ref(&alice)).expect("signer in the extrinsic");
    // Layout: signer (32 bytes), MultiSignature variant byte, then the 64-byte signature.
    bytes[signer_at + 32 + 1 + 10] ^= 0x01;
    let forged = node
        .try_rpc("author_submitExtrinsic", json!([format!("0x{}", hex::encode(&bytes))]))
        .expect_err("bad signature");
    assert_eq!(forged.code, 1010, "bad signature: {forged}");
    assert!(reason(&forged).contains("bad signature"), "bad signature reason: {}", reason(&forged));

    // Signed for another chain: same failure, the signature does not cover this genesis.
    let other_chain = transfer_hex("//Alice", "//Bob", LUD, 0, &format!("0x{}", "11".repeat(32)));
    let error = node.try_rpc("author_submitExtrinsic", json!([other_chain])).expect_err("wrong genesis");
    assert_eq!(error.code, 1010, "transfer signed for another chain: {error}");

    // The pool and the chain refuse a transaction twice.
    let hash = node.rpc("author_submitExtrinsic", json!([good]));
    let expected_hash =
        format!("0x{}", hex::encode(sp_crypto_hashing::blake2_256(&hex::decode(&good[2..]).expect("hex"))));
    assert_eq!(hash, json!(expected_hash), "author_submitExtrinsic returns the transaction hash");
    if let Err(error) = node.try_rpc("author_submitExtrinsic", json!([good])) {
        assert!(error.code == 1013 || error.code == 1010, "resubmitted at once: {error}");
    } else {
        panic!("the same transaction was accepted twice");
    }
    let alice_ss58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    // `system_accountNextIndex` counts the pool too, so also wait for the pool to empty.
    node.wait_for("Alice's transfer to be included", Duration::from_secs(10), || {
        let pending = node.rpc("author_pendingExtrinsics", json!([]));
        let next = node.rpc("system_accountNextIndex", json!([alice_ss58]));
        (pending == json!([]) && next == json!(1)).then_some(())
    });
    // Still pending, a second transaction with the same nonce and tip is not a valid replacement.
    let rival = transfer_hex("//Alice", "//Eve", 3 * LUD, 1, &genesis);
    node.rpc("author_submitExtrinsic", json!([rival]));
    let same_nonce = transfer_hex("//Alice", "//Ferdie", 3 * LUD, 1, &genesis);
    let error = node.try_rpc("author_submitExtrinsic", json!([same_nonce])).expect_err("same nonce, same tip");
    assert!(error.code == 1014 || error.code == 1010, "same nonce while pending: {error}");
    let stale = node.try_rpc("author_submitExtrinsic", json!([good])).expect_err("already included");
    assert!(stale.code == 1010 || stale.code == 1013, "stale nonce: {stale}");
    let why = reason(&stale).to_lowercase();
    assert!(
        why.contains("outdated") || why.contains("stale") || why.contains("already imported"),
        "stale reason: {why}"
    );
    // A fresh signature with the spent nonce is just as stale.
    let reused = transfer_hex("//Alice", "//Charlie", 2 * LUD, 0, &genesis);
    let stale = node.try_rpc("author_submitExtrinsic", json!([reused])).expect_err("nonce 0 again");
    assert_eq!(stale.code, 1010, "nonce 0 after it was used: {stale}");
    assert!(reason(&stale).contains("outdated"), "stale reason: {}", reason(&stale));

    // Amounts Alice does not have.
    let broke = transfer_hex("//Alice", "//Bob", u128::MAX / 2, 2, &genesis);
    let error = node.try_rpc("author_submitExtrinsic", json!([broke])).map(|ok| ok.to_string());
    // Pools only check fees, so the pool may accept it; then the block dispatch fails it, not the node.
    if let Err(error) = error {
        assert!(error.code == 1010, "unpayable transfer: {error}");
    }

    assert_alive(&node);
}
