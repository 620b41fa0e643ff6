//! A bad chain spec is refused with a message that names what is wrong and where.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ludus_chain_spec::ChainSpec;
use serde_json::{json, Value};

fn dev_json() -> Value {
    serde_json::from_str(&ChainSpec::dev().unwrap().to_json(false).unwrap()).unwrap()
}

fn raw_dev_json() -> Value {
    serde_json::from_str(&ChainSpec::dev().unwrap().to_json(true).unwrap()).unwrap()
}

/// The error message for loading `json`; panics if it loads.
fn refusal(json: &Value) -> String {
    refusal_of_bytes(json.to_string().as_bytes())
}

fn refusal_of_bytes(bytes: &[u8]) -> String {
    match ChainSpec::from_json_bytes(bytes) {
        Ok(_) => panic!("the spec was accepted"),
        Err(error) => error.to_string(),
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
}

#[test]
fn invalid_json_reports_line_and_column() {
    let message = refusal_of_bytes(b"{\n  \"name\": \"Development\",\n  \"id\": dev\n}");
    assert_mentions(&message, &["line 3", "column"]);
}

#[test]
fn trailing_content_is_refused() {
    let mut bytes = dev_json().to_string().into_bytes();
    bytes.extend_from_slice(b" {}");
    assert_mentions(&refusal_of_bytes(&bytes), &["trailing"]);
}

#[test]
fn unknown_top_level_field_is_named() {
    let mut json = dev_json();
    json["bootnodes"] = json!([]);
    assert_mentions(&refusal(&json), &["unknown field `bootnodes`"]);
}

#[test]
fn missing_required_field_is_named() {
    let mut json = dev_json();
    json.as_object_mut().unwrap().remove("bootNodes");
    assert_mentions(&refusal(&json), &["missing field `bootNodes`"]);
}

#[test]
fn unknown_pallet_in_patch_is_named() {
    let mut json = dev_json();
    json["genesis"]["runtimeGenesis"]["patch"]["nonexistent"] = json!({});
    assert_mentions(&refusal(&json), &["genesis.runtimeGenesis.patch", "unknown field `nonexistent`"]);
}

#[test]
fn wrong_type_deep_in_patch_names_the_path() {
    let mut json = dev_json();
    json["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"][0][1] = json!("lots");
    assert_mentions(&refusal(&json), &["genesis.runtimeGenesis.patch.balances.balances[0][1]", "invalid type"]);
}

#[test]
fn patch_that_is_not_an_object_is_refused() {
    let mut json = dev_json();
    json["genesis"]["runtimeGenesis"]["patch"] = json!([1, 2]);
    assert_mentions(&refusal(&json), &["genesis.runtimeGenesis", "`patch` must be a JSON object"]);
}

#[test]
fn genesis_build_panic_becomes_an_error() {
    // Two validators with the same session keys: pallet-session's genesis build panics on it.
    let mut json = dev_json();
    let keys = json["genesis"]["runtimeGenesis"]["patch"]["session"]["keys"].as_array().unwrap().clone();
    let mut doubled = keys.clone();
    let mut second = keys[0].clone();
    let bob = serde_json::to_value(ludus_runtime::genesis_config_presets::dev_account("Bob")).unwrap();
    second[0] = bob.clone();
    second[1] = bob;
    doubled.push(second);
    json["genesis"]["runtimeGenesis"]["patch"]["session"]["keys"] = Value::Array(doubled);
    assert_mentions(&refusal(&json), &["building the genesis state failed"]);
}

#[test]
fn code_in_runtime_genesis_is_refused() {
    let mut json = dev_json();
    json["genesis"]["runtimeGenesis"]["code"] = json!("0x0061736d");
    assert_mentions(&refusal(&json), &["genesis.runtimeGenesis", "`code`", "natively"]);
}

#[test]
fn code_in_raw_genesis_is_refused() {
    let mut json = raw_dev_json();
    json["genesis"]["raw"]["top"]["0x3a636f6465"] = json!("0x0061736d");
    assert_mentions(&refusal(&json), &["0x3a636f6465", "natively"]);
}

#[test]
fn raw_bad_hex_names_the_key() {
    let mut json = raw_dev_json();
    json["genesis"]["raw"]["top"]["0xzz12"] = json!("0x00");
    assert_mentions(&refusal(&json), &["genesis.raw.top.0xzz12", "key"]);

    let mut json = raw_dev_json();
    json["genesis"]["raw"]["top"]["0x1234"] = json!("nothex");
    assert_mentions(&refusal(&json), &["genesis.raw.top.0x1234", "value"]);
}

#[test]
fn raw_keys_differing_only_in_case_are_refused() {
    let mut json = raw_dev_json();
    json["genesis"]["raw"]["top"]["0xabcd"] = json!("0x01");
    json["genesis"]["raw"]["top"]["0xABCD"] = json!("0x02");
    assert_mentions(&refusal(&json), &["twice"]);
}

#[test]
fn empty_id_and_name_are_refused() {
    let mut json = dev_json();
    json["id"] = json!("");
    assert_mentions(&refusal(&json), &["`id`", "empty"]);

    let mut json = dev_json();
    json["name"] = json!("  ");
    assert_mentions(&refusal(&json), &["`name`", "empty"]);
}

#[test]
fn id_that_could_escape_the_data_directory_is_refused() {
    let mut json = dev_json();
    json["id"] = json!("../../etc");
    assert_mentions(&refusal(&json), &["`id`"]);
}

#[test]
fn bad_boot_node_is_named() {
    let mut json = dev_json();
    json["bootNodes"] =
        json!(["/ip4/10.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp", "10.0.0.2:30333"]);
    assert_mentions(&refusal(&json), &["bootNodes[1]", "10.0.0.2:30333", "/p2p/"]);

    json["bootNodes"] = json!(["/ip4/10.0.0.2/tcp/30333"]);
    assert_mentions(&refusal(&json), &["bootNodes[0]"]);
}

#[test]
fn properties_must_be_an_object() {
    let mut json = dev_json();
    json["properties"] = json!("LUD");
    assert_mentions(&refusal(&json), &["properties", "invalid type"]);
}

#[test]
fn token_decimals_must_be_a_number() {
    let mut json = dev_json();
    json["properties"]["tokenDecimals"] = json!("12");
    assert_mentions(&refusal(&json), &["properties.tokenDecimals", "number"]);
}

#[test]
fn code_substitutes_are_refused() {
    let mut json = dev_json();
    json["codeSubstitutes"] = json!({"100": "0x0061736d"});
    assert_mentions(&refusal(&json), &["codeSubstitutes.100", "natively"]);
}

#[test]
fn unsupported_genesis_form_is_named() {
    let mut json = dev_json();
    json["genesis"] = json!({"stateRootHash": "0x00"});
    assert_mentions(&refusal(&json), &["genesis", "unknown variant `stateRootHash`"]);
}

#[test]
fn file_errors_name_the_file() {
    let mut json = dev_json();
    json["id"] = json!("");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, json.to_string()).unwrap();
    let message = ChainSpec::from_file(&path).unwrap_err().to_string();
    assert_mentions(&message, &["broken.json", "`id`"]);
}
