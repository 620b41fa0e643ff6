//! The `genesis` section of a chain spec and how it becomes genesis storage.
//!
//! Two forms, as in Substrate's sc-chain-spec:
//! - `{"runtimeGenesis": {"patch": {…}}}`: a JSON patch over the runtime's default
//!   `RuntimeGenesisConfig` (or, rarely, `{"config": {…}}`, the whole config). Building it
//!   merges the patch into the default config, deserializes the result into the runtime's
//!   `RuntimeGenesisConfig` and runs FRAME's genesis build natively.
//! - `{"raw": {"top": {"0xkey": "0xvalue"}, "childrenDefault": {}}}`: the storage itself,
//!   written by `to_json(raw = true)`.
//!
//! Unlike Substrate, `runtimeGenesis` carries no Wasm `code`: Ludus links its runtime into the
//! node (DESIGN.md, "Native runtime").

use std::{
    collections::BTreeMap,
    panic::{catch_unwind, AssertUnwindSafe},
};

use ludus_runtime::RuntimeGenesisConfig;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sp_core::storage::{well_known_keys, ChildInfo, Storage, StorageChild, StorageMap};
use sp_runtime::BuildStorage;

use crate::error::{path_string, ChainSpecError};

/// The genesis state a chain spec describes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Genesis {
    /// The runtime's genesis config, as a patch over its defaults or in full.
    RuntimeGenesis(RuntimeGenesis),
    /// The genesis storage itself, hex-encoded.
    Raw(RawGenesis),
}

/// The runtime genesis config in JSON, as the runtime's `RuntimeGenesisConfig` (de)serializes
/// it (camelCase pallet names, SS58 accounts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RuntimeGenesisFields")]
pub enum RuntimeGenesis {
    /// A patch over the runtime's default config: objects merge key by key, a `null` removes
    /// the key, any other value replaces what was there.
    Patch(Map<String, Value>),
    /// The complete config; nothing is taken from the runtime's defaults.
    Config(Map<String, Value>),
}

/// What a `runtimeGenesis` object may hold, before checking that it makes sense.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeGenesisFields {
    #[serde(default)]
    code: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    patch: Option<Value>,
    #[serde(default)]
    config: Option<Value>,
}

impl TryFrom<RuntimeGenesisFields> for RuntimeGenesis {
    type Error = String;

    fn try_from(fields: RuntimeGenesisFields) -> Result<Self, String> {
        if fields.code.is_some() {
            return Err("`code` is not accepted: Ludus runs its runtime natively (linked into \
                        ludus-node) and has no Wasm code; remove `code` from the chain spec"
                .into());
        }
        let object = |name: &str, value: Value| match value {
            Value::Object(map) => Ok(map),
            other => Err(format!(
                "`{name}` must be a JSON object of pallet names to their genesis settings, not \
                 {other}"
            )),
        };
        match (fields.patch, fields.config) {
            (Some(patch), None) => object("patch", patch).map(Self::Patch),
            (None, Some(config)) => object("config", config).map(Self::Config),
            (Some(_), Some(_)) => Err("give either `patch` or `config`, not both".into()),
            (None, None) => Err("expected `patch` (a JSON patch over the runtime's default \
                                 genesis config) or `config`"
                .into()),
        }
    }
}

/// Genesis storage as hex strings, as Substrate's raw chain specs hold it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawGenesis {
    /// The main trie: `0x`-prefixed hex key to `0x`-prefixed hex value.
    pub top: BTreeMap<String, String>,
    /// Default child tries by their (unprefixed) storage key, each like `top`.
    #[serde(default)]
    pub children_default: BTreeMap<String, BTreeMap<String, String>>,
}

impl RawGenesis {
    /// The raw form of `storage`.
    pub fn from_storage(storage: &Storage) -> Self {
        let hex_map = |map: &StorageMap| map.iter().map(|(key, value)| (to_hex(key), to_hex(value))).collect();
        Self {
            top: hex_map(&storage.top),
            children_default: storage
                .children_default
                .iter()
                .map(|(key, child)| (to_hex(key), hex_map(&child.data)))
                .collect(),
        }
    }

    /// Decodes the hex into storage, naming the first key or value that is not valid hex.
    pub fn to_storage(&self) -> Result<Storage, ChainSpecError> {
        let top = decode_map(&self.top, "genesis.raw.top")?;
        if top.contains_key(well_known_keys::CODE) {
            return Err(ChainSpecError::field(
                format!("genesis.raw.top.{}", to_hex(well_known_keys::CODE)),
                "a `:code` entry is not accepted: Ludus runs its runtime natively (linked into \
                 ludus-node) and has no Wasm code; this raw spec is for another chain",
            ));
        }
        let mut children_default = BTreeMap::new();
        for (child_key, entries) in &self.children_default {
            let child_field = format!("genesis.raw.childrenDefault.{child_key}");
            let storage_key = decode_hex(child_key).map_err(|problem| ChainSpecError::field(&child_field, problem))?;
            let data = decode_map(entries, &child_field)?;
            let child_info = ChildInfo::new_default(&storage_key);
            if children_default.insert(storage_key, StorageChild { data, child_info }).is_some() {
                return Err(duplicate_key(&child_field));
            }
        }
        Ok(Storage { top, children_default: children_default.into_iter().collect() })
    }
}

impl Genesis {
    /// The genesis storage this section describes.
    pub fn build_storage(&self) -> Result<Storage, ChainSpecError> {
        match self {
            Self::Raw(raw) => raw.to_storage(),
            Self::RuntimeGenesis(RuntimeGenesis::Patch(patch)) => {
                let mut config = default_config_json()?;
                json_merge(&mut config, Value::Object(patch.clone()));
                build_runtime_genesis(config, "genesis.runtimeGenesis.patch")
            }
            Self::RuntimeGenesis(RuntimeGenesis::Config(config)) => {
                build_runtime_genesis(Value::Object(config.clone()), "genesis.runtimeGenesis.config")
            }
        }
    }
}

/// The runtime's default `RuntimeGenesisConfig` as JSON: what a patch applies to.
fn default_config_json() -> Result<Value, ChainSpecError> {
    serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|error| {
        ChainSpecError::BuildStorage(format!(
            "the runtime's default genesis config cannot be written as JSON ({error})"
        ))
    })
}

/// Deserializes `config` into the runtime's config and runs the genesis build. `field` is
/// where `config`'s content sits in the chain spec, so errors point into the spec file.
fn build_runtime_genesis(config: Value, field: &str) -> Result<Storage, ChainSpecError> {
    let config: RuntimeGenesisConfig = serde_path_to_error::deserialize(config).map_err(|error| {
        let inner = path_string(error.path());
        let field = if inner.is_empty() { field.to_owned() } else { format!("{field}.{inner}") };
        ChainSpecError::GenesisConfig { field, source: error.into_inner() }
    })?;
    // FRAME's genesis builds assert on content they consider impossible (duplicate session
    // keys, balances below the existential deposit); a chain spec is outside input, so such a
    // panic must become an error, not a crashed node.
    match catch_unwind(AssertUnwindSafe(|| config.build_storage())) {
        Ok(Ok(storage)) => Ok(storage),
        Ok(Err(message)) => Err(ChainSpecError::BuildStorage(message)),
        Err(payload) => Err(ChainSpecError::BuildStorage(format!(
            "the runtime's genesis build panicked: {}",
            panic_message(payload.as_ref())
        ))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "no message".to_owned()
    }
}

/// Merges `patch` into `base` the way sc-chain-spec's `json_patch::merge` does, so a patch
/// means the same to Ludus as to Substrate tooling: objects merge key by key, a `null` in the
/// patch removes the key, anything else replaces the value.
pub(crate) fn json_merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    base.remove(&key);
                } else {
                    json_merge(base.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    array_bytes::bytes2hex("0x", bytes)
}

/// Decodes `0x`-prefixed hex; the prefix is required, as Substrate writes it.
fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| "not 0x-prefixed hex; raw storage keys and values are `0x…`".to_owned())?;
    array_bytes::hex2bytes(digits).map_err(|error| format!("not valid hex ({error:?})"))
}

fn decode_map(entries: &BTreeMap<String, String>, field: &str) -> Result<StorageMap, ChainSpecError> {
    let mut map = StorageMap::new();
    for (key, value) in entries {
        let key_field = format!("{field}.{key}");
        let key_bytes =
            decode_hex(key).map_err(|problem| ChainSpecError::field(&key_field, format!("key {problem}")))?;
        let value_bytes =
            decode_hex(value).map_err(|problem| ChainSpecError::field(&key_field, format!("value {problem}")))?;
        // `0xAB` and `0xab` are different JSON keys but the same storage key; silently keeping
        // one would make the genesis depend on map order.
        if map.insert(key_bytes, value_bytes).is_some() {
            return Err(duplicate_key(&key_field));
        }
    }
    Ok(map)
}

fn duplicate_key(field: &str) -> ChainSpecError {
    ChainSpecError::field(field, "the same storage key appears twice (hex digits differ only in case)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_follows_sc_chain_spec() {
        let mut base = json!({"a": {"name": "x", "value": 1, "gone": {"k": 1}}, "b": [1, 2]});
        json_merge(&mut base, json!({"a": {"value": 2, "gone": null, "new": 3}, "b": [3]}));
        assert_eq!(base, json!({"a": {"name": "x", "value": 2, "new": 3}, "b": [3]}));
    }

    #[test]
    fn raw_hex_must_be_prefixed_and_valid() {
        assert_eq!(decode_hex("0x0aff"), Ok(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0x"), Ok(vec![]));
        assert!(decode_hex("0aff").is_err());
        assert!(decode_hex("0xabc").is_err());
        assert!(decode_hex("0xzz").is_err());
    }
}
