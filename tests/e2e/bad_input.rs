//! Adversarial RPC input against one running dev node: every malformed request gets the
//! JSON-RPC error a client can act on, and the node keeps serving and authoring.

use std::time::Duration;

use codec::Encode;
use jsonrpsee::{core::client::SubscriptionClientT, rpc_params, ws_client::WsClientBuilder};
use ludus_node::test_utils::{bare_extrinsic, nested_call, nested_call_bytes, pair, sign, Wrapper};
use serde_json::{json, Value};
use sp_runtime::transaction_validity::TransactionSource;

use crate::{
    harness::{http_post, Node, RpcError},
    tx::{self, account, to_hex, transfer_hex, LUD},
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

    // JSON nested 100,000 deep (200 KB): skipped over iteratively or stopped by serde_json's
    // recursion limit, never recursed into.
    let arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let objects = format!("[{}1{}]", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    for params in [arrays, objects] {
        let nested = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":{params}}}"#);
        let (_, error) = raw_error(&node, nested.as_bytes());
        assert!(error["code"] == -32700 || error["code"] == -32602, "deeply nested JSON: {error}");
    }

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

/// A `0x…` bare extrinsic whose call is `system.remark` inside `levels` of `wrapper`.
fn deep_extrinsic(wrapper: Wrapper, levels: usize) -> String {
    to_hex(&bare_extrinsic(&nested_call_bytes(wrapper, levels)))
}

/// `state_call` of `method` with `args`: the error it must give.
fn state_call_error(node: &Node, method: &str, args: &[u8]) -> RpcError {
    node.try_rpc("state_call", json!([method, to_hex(args)])).expect_err(method)
}

#[test]
fn calls_nested_too_deep_are_refused_through_every_entry_point_and_the_node_lives_on() {
    let node = Node::start(&["--dev", "--rpc-methods", "safe"]);
    let genesis = node.genesis_hash();
    // Just over the limit (257 levels), a thousand (2 KB: once a remote kill switch) and a
    // million levels (2-3 MB), for each kind of call that holds a call.
    for wrapper in Wrapper::ALL {
        for levels in [257, 1_000, 1_000_000] {
            let xt = deep_extrinsic(wrapper, levels);
            let what = format!("{wrapper:?} × {levels}");
            let error = node.try_rpc("author_submitExtrinsic", json!([xt])).expect_err(&what);
            assert_eq!(error.code, 1010, "{what}: {error}");
            assert!(reason(&error).contains("nest deeper than 256 levels"), "{what}: {}", reason(&error));
            for method in ["payment_queryInfo", "payment_queryFeeDetails"] {
                let error = node.try_rpc(method, json!([xt])).expect_err(method);
                assert!(reason(&error).contains("nest deeper than 256 levels"), "{method} {what}: {}", reason(&error));
            }
        }
        let xt = bare_extrinsic(&nested_call_bytes(wrapper, 5_000));
        let mut validate = TransactionSource::External.encode();
        validate.extend_from_slice(&xt);
        validate.extend_from_slice(&tx::hash(&genesis).encode());
        let call = [nested_call_bytes(wrapper, 5_000), 0u32.encode()].concat();
        for (method, args) in [
            ("TaggedTransactionQueue_validate_transaction", validate),
            ("BlockBuilder_apply_extrinsic", xt.clone()),
            ("TransactionPaymentCallApi_query_call_info", call),
        ] {
            let error = state_call_error(&node, method, &args);
            assert!(reason(&error).contains("nest deeper than 256 levels"), "{method}: {}", reason(&error));
        }
    }

    // The same through a WebSocket watch.
    let watched = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let client = WsClientBuilder::default().build(node.ws_url()).await.expect("WebSocket connection");
        let params = rpc_params![deep_extrinsic(Wrapper::Batch, 2_000)];
        client
            .subscribe::<Value, _>("author_submitAndWatchExtrinsic", params, "author_unwatchExtrinsic")
            .await
            .map(|_| ())
    });
    let error = watched.expect_err("a watch of a too-deep extrinsic is refused");
    assert!(error.to_string().contains("nest deeper than 256 levels"), "{error}");

    // Just under the limit is an ordinary transaction: Alice's 255-deep batch is included,
    // every level dispatched on the node's own threads.
    let deepest = sign(nested_call(Wrapper::Batch, 255), &pair("//Alice"), 0, tx::hash(&genesis));
    node.rpc("author_submitExtrinsic", json!([to_hex(&deepest)]));
    let alice_ss58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    node.wait_for("Alice's deep batch to be included", Duration::from_secs(20), || {
        let pending = node.rpc("author_pendingExtrinsics", json!([]));
        (pending == json!([]) && node.rpc("system_accountNextIndex", json!([alice_ss58])) == json!(1)).then_some(())
    });

    assert_alive(&node);
}

#[test]
fn state_call_cannot_write_to_the_keystore() {
    let node = Node::start(&["--dev", "--rpc-methods", "safe"]);
    let keystore = node.base_path().join("chains").join("dev").join("keystore");
    assert!(keystore.is_dir(), "the node keeps its keystore at {}", keystore.display());
    let files = || std::fs::read_dir(&keystore).map(|dir| dir.count()).unwrap_or(0);
    let before = files();

    // One HTTP batch of key generations, half of them with a seed the caller would know.
    let args = |i: usize| {
        let seed = (i % 2 == 0).then(|| format!("//attacker/{i}").into_bytes());
        to_hex(&(Vec::<u8>::new(), seed).encode())
    };
    let batch: Vec<Value> = (0..200)
        .map(|i| {
            json!({ "jsonrpc": "2.0", "id": i, "method": "state_call",
                    "params": ["SessionKeys_generate_session_keys", args(i)] })
        })
        .collect();
    let response = http_post(node.rpc_addr(), Value::Array(batch).to_string().as_bytes()).expect("batch").json();
    let answers = response.as_array().unwrap_or_else(|| panic!("not a batch answer: {response}"));
    assert_eq!(answers.len(), 200);
    assert!(answers.iter().all(|a| a.get("error").is_some()), "a key was generated: {response}");
    assert_eq!(files(), before, "no key file was written");

    // The unsafe method stays refused on a safe node.
    let refused = node.try_rpc("author_rotateKeys", json!([])).expect_err("unsafe method on a safe node");
    assert_eq!(refused.code, -32601, "{refused}");
    assert_eq!(files(), before);
    assert_alive(&node);
}
