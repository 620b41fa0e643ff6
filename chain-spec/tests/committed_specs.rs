//! The committed `specs/*.json` files are what the runtime's presets give now, and they build.
//!
//! Run `LUDUS_BLESS=1 cargo test -p ludus-chain-spec` after changing the runtime's presets to
//! rewrite the files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use ludus_chain_spec::{load, ChainSpec, Genesis, RuntimeGenesis};
use ludus_runtime::genesis_config_presets::{dev_account, DEV_ENDOWMENT};
use serde_json::{json, Value};
use sp_core::storage::Storage;

fn spec_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs").join(file)
}

/// Compares the committed file with `spec`, or rewrites it under `LUDUS_BLESS=1`.
fn check_committed(file: &str, spec: &ChainSpec) {
    let path = spec_path(file);
    let generated = spec.to_json(false).unwrap() + "\n";
    if std::env::var_os("LUDUS_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; run with LUDUS_BLESS=1", path.display()));
    // Compared as JSON values so that map ordering features of serde_json elsewhere in the
    // workspace cannot fail the test; the content is what matters.
    let committed: Value = serde_json::from_str(&committed).unwrap();
    let generated: Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(
        committed,
        generated,
        "{} is out of date with the runtime's presets: run `LUDUS_BLESS=1 cargo test -p \
         ludus-chain-spec` and commit the result",
        path.display()
    );
}

fn assert_same_storage(a: &Storage, b: &Storage) {
    assert_eq!(a.top, b.top);
    assert_eq!(a.children_default, b.children_default);
}

#[test]
fn committed_dev_spec_matches_runtime_preset() {
    check_committed("dev.json", &ChainSpec::dev().unwrap());
}

#[test]
fn committed_local_spec_matches_runtime_preset() {
    check_committed("local.json", &ChainSpec::local().unwrap());
}

#[test]
fn committed_specs_load_and_build() {
    for (file, built_in) in [("dev.json", "dev"), ("local.json", "local")] {
        let from_file = ChainSpec::from_file(spec_path(file)).unwrap();
        let from_name = load(built_in).unwrap();
        assert_eq!(from_file, from_name, "{file}");
        assert!(!from_file.build_storage().unwrap().top.is_empty());
    }
}

#[test]
fn built_in_specs_have_the_documented_identity() {
    let dev = load("").unwrap();
    assert_eq!((dev.name(), dev.id(), dev.chain_type()), ("Development", "dev", "Development"));
    let local = load("local").unwrap();
    assert_eq!((local.name(), local.id(), local.chain_type()), ("Local Testnet", "local_testnet", "Local"));
    for spec in [&dev, &local] {
        assert_eq!(spec.protocol_id(), Some("ludus"));
        assert!(spec.boot_nodes().is_empty());
        assert_eq!(
            Value::Object(spec.properties()),
            json!({"tokenSymbol": "LUD", "tokenDecimals": 12, "ss58Format": 42})
        );
    }
}

#[test]
fn dev_spec_json_has_substrate_layout() {
    let json: Value = serde_json::from_str(&ChainSpec::dev().unwrap().to_json(false).unwrap()).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bootNodes",
            "chainType",
            "codeSubstitutes",
            "genesis",
            "id",
            "name",
            "properties",
            "protocolId",
            "telemetryEndpoints"
        ]
    );
    assert_eq!(json["chainType"], "Development");
    assert_eq!(json["telemetryEndpoints"], Value::Null);
    assert_eq!(json["codeSubstitutes"], json!({}));
    let patch = &json["genesis"]["runtimeGenesis"]["patch"];
    assert!(patch["balances"]["balances"].is_array());
    assert!(json["genesis"]["runtimeGenesis"].get("code").is_none());
}

#[test]
fn raw_dev_round_trip_yields_identical_storage() {
    let dev = ChainSpec::dev().unwrap();
    let storage = dev.build_storage().unwrap();

    let raw_json = dev.to_json(true).unwrap();
    let raw = ChainSpec::from_json_bytes(raw_json.as_bytes()).unwrap();
    assert!(matches!(raw.genesis(), Genesis::Raw(_)));
    assert_eq!((raw.name(), raw.id(), raw.chain_type()), ("Development", "dev", "Development"));
    assert_same_storage(&storage, &raw.build_storage().unwrap());

    // Writing a raw spec again changes nothing, so raw specs can be passed around and re-emitted.
    assert_eq!(raw.to_json(true).unwrap(), raw_json);
    assert_eq!(raw.to_json(false).unwrap(), raw_json);
}

#[test]
fn dev_genesis_endows_alice() {
    let dev = ChainSpec::dev().unwrap();
    let Genesis::RuntimeGenesis(RuntimeGenesis::Patch(patch)) = dev.genesis() else {
        panic!("dev is a patch spec");
    };
    let alice = serde_json::to_value(dev_account("Alice")).unwrap();
    let endowed = patch["balances"]["balances"].as_array().unwrap();
    assert!(endowed.iter().any(|entry| entry[0] == alice && entry[1] == json!(DEV_ENDOWMENT)));

    // Changing the endowment in the patch changes the genesis storage.
    let mut json: Value = serde_json::from_str(&dev.to_json(false).unwrap()).unwrap();
    json["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"][0][1] = json!(DEV_ENDOWMENT * 2);
    let richer = ChainSpec::from_json_bytes(json.to_string().as_bytes()).unwrap();
    assert_ne!(richer.build_storage().unwrap().top, dev.build_storage().unwrap().top);
}

#[test]
fn missing_file_error_names_it() {
    let error = load("/nonexistent/ludus-spec.json").unwrap_err().to_string();
    assert!(error.contains("/nonexistent/ludus-spec.json"), "{error}");
}

#[test]
fn oversized_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(ludus_chain_spec::MAX_SPEC_FILE_BYTES + 1).unwrap();
    let error = ChainSpec::from_file(&path).unwrap_err().to_string();
    assert!(error.contains("larger than"), "{error}");
}

#[test]
fn custom_spec_file_loads_with_boot_nodes() {
    let mut json: Value = serde_json::from_str(&ChainSpec::local().unwrap().to_json(false).unwrap()).unwrap();
    json["name"] = json!("Ludus Staging");
    json["id"] = json!("ludus_staging");
    json["chainType"] = json!({"Custom": "Staging"});
    json["bootNodes"] =
        json!(["/dns/boot-0.ludus.example/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("staging.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();

    let spec = load(path.to_str().unwrap()).unwrap();
    assert_eq!((spec.name(), spec.id(), spec.chain_type()), ("Ludus Staging", "ludus_staging", "Staging"));
    assert_eq!(spec.boot_nodes().len(), 1);
    assert_eq!(serde_json::to_value(spec.chain_kind()).unwrap(), json!({"Custom": "Staging"}));
}
