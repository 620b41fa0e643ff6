//! Which RPC methods are served where: unsafe methods (key rotation and insertion, bridge
//! attestations signed with the node's key) on a localhost-only server, never on an
//! `--rpc-external` one unless explicitly asked for.

use serde_json::json;

use crate::harness::Node;

/// Aura key type, as `author_insertKey` takes it.
const AURA: &str = "aura";
/// //Eve's sr25519 public key.
const EVE_PUBLIC: &str = "0xe659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e";

#[test]
fn unsafe_methods_are_served_on_localhost() {
    let node = Node::dev();
    let keys = node.rpc("author_rotateKeys", json!([]));
    let keys = keys.as_str().unwrap_or_else(|| panic!("author_rotateKeys returned {keys}"));
    assert!(keys.starts_with("0x") && keys.len() > 2 + 64, "session keys {keys}");
    assert_eq!(node.rpc("author_hasSessionKeys", json!([keys])), json!(true), "rotated keys are not in the keystore");

    assert_eq!(node.rpc("author_hasKey", json!([EVE_PUBLIC, AURA])), json!(false));
    node.rpc("author_insertKey", json!([AURA, "//Eve", EVE_PUBLIC]));
    assert_eq!(node.rpc("author_hasKey", json!([EVE_PUBLIC, AURA])), json!(true), "inserted key not found");
}

#[test]
fn rpc_external_refuses_unsafe_methods_unless_told_otherwise() {
    // One node at a time: each is dropped (killed) at the end of its block.
    {
        // Listens on 0.0.0.0; we connect over loopback.
        let external = Node::start(&["--dev", "--rpc-external"]);
        let error = external.try_rpc("author_rotateKeys", json!([])).expect_err("rotateKeys on an external server");
        assert_eq!(error.code, -32601, "author_rotateKeys: {error}");
        assert!(error.message.contains("unsafe"), "author_rotateKeys: {error}");
        let error = external.try_rpc("author_insertKey", json!([AURA, "//Eve", EVE_PUBLIC])).expect_err("insertKey");
        assert_eq!(error.code, -32601, "author_insertKey: {error}");
        // Signing a deposit attestation with the node's bridge key is a key use too.
        let deposit = json!({
            "nonce": 1,
            "token": format!("0x{}", "00".repeat(20)),
            "depositor": format!("0x{}", "11".repeat(20)),
            "recipient": format!("0x{}", "22".repeat(32)),
            "amount": "1000000000",
        });
        let error = external.try_rpc("ludus_bridge_attestDeposit", json!([deposit])).expect_err("attestDeposit");
        assert_eq!(error.code, -32601, "ludus_bridge_attestDeposit: {error}");
        assert!(external.rpc("ludus_bridge_depositStatus", json!([1])).is_null(), "the bridge reads stay served");
        // Safe methods are unaffected.
        assert!(external.rpc("chain_getBlockHash", json!([0])).is_string());
    }
    {
        let explicit = Node::start(&["--dev", "--rpc-external", "--rpc-methods", "unsafe"]);
        assert!(
            explicit.rpc("author_rotateKeys", json!([])).is_string(),
            "--rpc-methods unsafe must serve unsafe methods"
        );
    }
    {
        let safe_local = Node::start(&["--dev", "--rpc-methods", "safe"]);
        let error = safe_local.try_rpc("author_rotateKeys", json!([])).expect_err("rotateKeys with --rpc-methods safe");
        assert_eq!(error.code, -32601, "--rpc-methods safe: {error}");
    }
}
