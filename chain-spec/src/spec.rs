//! The chain spec document: its fields, JSON form, built-in specs and checks.

use std::{collections::BTreeMap, io::Read, path::Path};

use ludus_primitives::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use ludus_runtime::genesis_config_presets::{get_preset, DEVELOPMENT, LOCAL_TESTNET};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sp_core::storage::Storage;

use crate::{
    error::{path_string, ChainSpecError},
    genesis::{Genesis, RawGenesis, RuntimeGenesis},
};

/// The largest chain spec file [`ChainSpec::from_file`] reads. Ludus specs carry no Wasm, so
/// even a raw spec of a large genesis stays far below this; the bound keeps a wrong path
/// (a disk image, `/dev/zero`) from eating memory.
pub const MAX_SPEC_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The libp2p protocol id of Ludus networks.
pub const PROTOCOL_ID: &str = "ludus";

/// Longest accepted `name`; it is shown to users, not parsed.
const MAX_NAME_LEN: usize = 256;
/// Longest accepted `id`, `protocolId` and `forkId`.
const MAX_ID_LEN: usize = 64;
/// Longest accepted boot node address.
const MAX_BOOT_NODE_LEN: usize = 1024;

/// What kind of network a chain spec describes; clients (polkadot.js) change their behaviour
/// on it. Serialized as Substrate does: `"Development"`, `"Local"`, `"Live"` or
/// `{"Custom": "…"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainType {
    /// A single-node development chain.
    Development,
    /// A local test network of several nodes.
    Local,
    /// A public network. Substrate's default when a spec does not say.
    #[default]
    Live,
    /// Anything else, by name.
    Custom(String),
}

impl ChainType {
    /// The name clients show: `Development`, `Local`, `Live` or the custom name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Development => "Development",
            Self::Local => "Local",
            Self::Live => "Live",
            Self::Custom(name) => name,
        }
    }
}

/// A Ludus chain spec, in Substrate's chain spec JSON format.
///
/// A value of this type read by [`ChainSpec::from_json_bytes`], [`ChainSpec::from_file`] or
/// [`crate::load`] has passed every check, including building its genesis storage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainSpec {
    name: String,
    id: String,
    #[serde(default)]
    chain_type: ChainType,
    boot_nodes: Vec<String>,
    // Substrate's shape (URL, verbosity); Ludus has no telemetry yet, so this is only carried.
    telemetry_endpoints: Option<Vec<(String, u8)>>,
    protocol_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fork_id: Option<String>,
    properties: Option<Map<String, Value>>,
    // Substrate still accepts this long-dead field (always `null`) from old specs.
    #[serde(default, skip_serializing)]
    consensus_engine: (),
    #[serde(default)]
    code_substitutes: BTreeMap<String, String>,
    genesis: Genesis,
}

impl ChainSpec {
    /// The single-validator development chain (Alice), from the runtime's `development` preset.
    pub fn dev() -> Result<Self, ChainSpecError> {
        Self::from_runtime_preset("Development", "dev", ChainType::Development, DEVELOPMENT)
    }

    /// The four-validator local test network (Alice, Bob, Charlie, Dave), from the runtime's
    /// `local_testnet` preset.
    pub fn local() -> Result<Self, ChainSpecError> {
        Self::from_runtime_preset("Local Testnet", "local_testnet", ChainType::Local, LOCAL_TESTNET)
    }

    fn from_runtime_preset(name: &str, id: &str, chain_type: ChainType, preset: &str) -> Result<Self, ChainSpecError> {
        let bytes = get_preset(&preset.to_owned()).ok_or_else(|| ChainSpecError::MissingPreset(preset.into()))?;
        let patch = match serde_json::from_slice(&bytes) {
            Ok(Value::Object(patch)) => patch,
            _ => return Err(ChainSpecError::MissingPreset(preset.into())),
        };
        Ok(Self {
            name: name.into(),
            id: id.into(),
            chain_type,
            boot_nodes: Vec::new(),
            telemetry_endpoints: None,
            protocol_id: Some(PROTOCOL_ID.into()),
            fork_id: None,
            properties: Some(default_properties()),
            consensus_engine: (),
            code_substitutes: BTreeMap::new(),
            genesis: Genesis::RuntimeGenesis(RuntimeGenesis::Patch(patch)),
        })
    }

    /// Parses and checks a chain spec: the JSON must have exactly the chain spec's fields, each
    /// field must be acceptable and the genesis must build.
    pub fn from_json_bytes(json: &[u8]) -> Result<Self, ChainSpecError> {
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let spec: Self = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| ChainSpecError::Json { field: path_string(error.path()), source: error.into_inner() })?;
        // Trailing garbage after the document means the file is not what its author meant.
        deserializer.end().map_err(|source| ChainSpecError::Json { field: String::new(), source })?;
        spec.check_fields()?;
        spec.build_storage()?;
        Ok(spec)
    }

    /// Reads and checks the chain spec file at `path` (at most [`MAX_SPEC_FILE_BYTES`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ChainSpecError> {
        let path = path.as_ref();
        let read_error = |source| ChainSpecError::Read { path: path.to_owned(), source };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut bytes = Vec::new();
        file.take(MAX_SPEC_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
        if bytes.len() as u64 > MAX_SPEC_FILE_BYTES {
            return Err(ChainSpecError::TooLarge { path: path.to_owned(), limit: MAX_SPEC_FILE_BYTES });
        }
        Self::from_json_bytes(&bytes)
            .map_err(|error| ChainSpecError::InFile { path: path.to_owned(), source: Box::new(error) })
    }

    /// The spec as pretty JSON. With `raw`, the genesis is written as storage
    /// (`{"raw": {"top": …}}`), which a node loads without interpreting a genesis config; a
    /// spec that is already raw is written as it is either way.
    pub fn to_json(&self, raw: bool) -> Result<String, ChainSpecError> {
        let raw_spec;
        let spec = match (&self.genesis, raw) {
            (Genesis::RuntimeGenesis(_), true) => {
                let storage = self.build_storage()?;
                raw_spec = Self { genesis: Genesis::Raw(RawGenesis::from_storage(&storage)), ..self.clone() };
                &raw_spec
            }
            _ => self,
        };
        serde_json::to_string_pretty(spec).map_err(ChainSpecError::Serialize)
    }

    /// The genesis storage: from the raw entries, or by running the runtime's genesis build on
    /// its default config with the patch applied.
    pub fn build_storage(&self) -> Result<Storage, ChainSpecError> {
        self.genesis.build_storage()
    }

    /// The human-readable chain name (`system_chain`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The chain id; the node keeps the chain's data under a directory of this name.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The chain type's name as clients show it: `Development`, `Local`, `Live` or a custom
    /// name.
    pub fn chain_type(&self) -> &str {
        self.chain_type.as_str()
    }

    /// The chain type itself; its JSON form is what `system_chainType` answers.
    pub fn chain_kind(&self) -> &ChainType {
        &self.chain_type
    }

    /// The boot node multiaddrs (`/…/p2p/<peer id>`), checked only for their outline so far.
    pub fn boot_nodes(&self) -> &[String] {
        &self.boot_nodes
    }

    /// The libp2p protocol id, if the spec sets one.
    pub fn protocol_id(&self) -> Option<&str> {
        self.protocol_id.as_deref()
    }

    /// The fork id that keeps this network apart from others with the same genesis, if any.
    pub fn fork_id(&self) -> Option<&str> {
        self.fork_id.as_deref()
    }

    /// The chain properties (`system_properties`): token symbol, decimals, SS58 format. Empty
    /// when the spec has none.
    pub fn properties(&self) -> Map<String, Value> {
        self.properties.clone().unwrap_or_default()
    }

    /// The genesis section.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// Checks every field except the genesis, naming the first bad one.
    fn check_fields(&self) -> Result<(), ChainSpecError> {
        check_name(&self.name)?;
        check_identifier("id", &self.id)?;
        if let Some(protocol_id) = &self.protocol_id {
            check_identifier("protocolId", protocol_id)?;
        }
        if let Some(fork_id) = &self.fork_id {
            check_identifier("forkId", fork_id)?;
        }
        if let ChainType::Custom(name) = &self.chain_type {
            if name.trim().is_empty() || name.len() > MAX_NAME_LEN {
                return Err(ChainSpecError::field(
                    "chainType.Custom",
                    format!("a custom chain type needs a name of 1 to {MAX_NAME_LEN} bytes"),
                ));
            }
        }
        for (index, address) in self.boot_nodes.iter().enumerate() {
            check_boot_node(address)
                .map_err(|problem| ChainSpecError::field(format!("bootNodes[{index}]"), problem))?;
        }
        if let Some(properties) = &self.properties {
            check_properties(properties)?;
        }
        if let Some(block) = self.code_substitutes.keys().next() {
            return Err(ChainSpecError::field(
                format!("codeSubstitutes.{block}"),
                "code substitutes replace Wasm code, and Ludus runs its runtime natively; a \
                 runtime fix ships as a node release, so remove `codeSubstitutes` entries",
            ));
        }
        Ok(())
    }
}

/// The properties of Ludus chains, as polkadot.js reads them.
fn default_properties() -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
    properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
    properties.insert("ss58Format".into(), SS58_PREFIX.into());
    properties
}

fn check_name(name: &str) -> Result<(), ChainSpecError> {
    if name.trim().is_empty() {
        return Err(ChainSpecError::field("name", "must not be empty; give the chain a name"));
    }
    if name.len() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(ChainSpecError::field("name", format!("must be at most {MAX_NAME_LEN} bytes of printable text")));
    }
    Ok(())
}

/// Ids end up in directory names (`chains/<id>`) and libp2p protocol names, so they are kept
/// to characters that cannot escape a directory or break a protocol string.
fn check_identifier(field: &str, value: &str) -> Result<(), ChainSpecError> {
    if value.is_empty() {
        return Err(ChainSpecError::field(field, "must not be empty"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if value.len() > MAX_ID_LEN || !value.chars().all(allowed) {
        return Err(ChainSpecError::field(
            field,
            format!("`{value}` must be 1 to {MAX_ID_LEN} characters from A-Z, a-z, 0-9, `_` and `-`"),
        ));
    }
    Ok(())
}

/// Checks the outline of a multiaddr with a peer id: `/proto/value/…/p2p/<peer id>`. Full
/// multiaddr parsing belongs to the networking layer.
fn check_boot_node(address: &str) -> Result<(), String> {
    let expected = "expected a multiaddr ending in /p2p/<peer id>, such as \
                    /ip4/127.0.0.1/tcp/30333/p2p/12D3KooW…";
    if address.len() > MAX_BOOT_NODE_LEN {
        return Err(format!("longer than {MAX_BOOT_NODE_LEN} bytes; {expected}"));
    }
    if !address.starts_with('/') || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{address}` is not a multiaddr; {expected}"));
    }
    let segments: Vec<&str> = address[1..].split('/').collect();
    let peer_id_ok = matches!(
        segments.as_slice(),
        [.., protocol, peer_id] if *protocol == "p2p" && !peer_id.is_empty()
            && peer_id.chars().all(|c| c.is_ascii_alphanumeric())
    );
    if !peer_id_ok || segments.len() < 4 || segments.iter().any(|segment| segment.is_empty()) {
        return Err(format!("`{address}` has no usable /p2p/<peer id>; {expected}"));
    }
    Ok(())
}

/// Checks the properties clients interpret; others are passed through untouched.
fn check_properties(properties: &Map<String, Value>) -> Result<(), ChainSpecError> {
    // polkadot.js accepts a value or, for chains with several tokens, an array of values.
    let each = |value: &Value, check: &dyn Fn(&Value) -> bool| match value {
        Value::Array(values) => !values.is_empty() && values.iter().all(check),
        single => check(single),
    };
    if let Some(decimals) = properties.get("tokenDecimals") {
        let is_decimals = |v: &Value| v.as_u64().is_some_and(|d| d <= u64::from(u8::MAX));
        if !each(decimals, &is_decimals) {
            return Err(ChainSpecError::field(
                "properties.tokenDecimals",
                format!("must be a number from 0 to 255 (e.g. 12), not {decimals}"),
            ));
        }
    }
    if let Some(symbol) = properties.get("tokenSymbol") {
        if !each(symbol, &|v| v.as_str().is_some_and(|s| !s.is_empty())) {
            return Err(ChainSpecError::field(
                "properties.tokenSymbol",
                format!("must be a non-empty string (e.g. \"LUD\"), not {symbol}"),
            ));
        }
    }
    if let Some(format) = properties.get("ss58Format") {
        // SS58 prefixes are 14-bit.
        let is_prefix = matches!(format.as_u64(), Some(prefix) if prefix < 16_384);
        if !is_prefix {
            return Err(ChainSpecError::field(
                "properties.ss58Format",
                format!("must be an SS58 prefix from 0 to 16383 (e.g. 42), not {format}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_node_outline() {
        let good = "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
        assert_eq!(check_boot_node(good), Ok(()));
        assert_eq!(check_boot_node("/dns/boot.ludus.example/tcp/30333/p2p/12D3KooWabc"), Ok(()));
        for bad in [
            "ip4/127.0.0.1/tcp/30333/p2p/12D3KooWabc",
            "/ip4/127.0.0.1/tcp/30333",
            "/ip4/127.0.0.1/tcp/30333/p2p/",
            "/p2p/12D3KooWabc",
            "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWabc/tcp/1",
            "/ip4/127.0.0.1//tcp/30333/p2p/12D3KooWabc",
            "/ip4/127.0.0.1/tcp/30333/p2p/12D3 KooWabc",
        ] {
            assert!(check_boot_node(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn identifiers_cannot_leave_their_directory() {
        assert!(check_identifier("id", "local_testnet").is_ok());
        for bad in ["", "../etc", "a/b", "dev net", "x".repeat(MAX_ID_LEN + 1).as_str()] {
            assert!(check_identifier("id", bad).is_err(), "{bad:?} was accepted");
        }
    }
}
