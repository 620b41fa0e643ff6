//! The L1 contracts the devnet deploys: `sol!` bindings generated from `contracts/abi/*.json`
//! (the ABI-only files `contracts/export-abi.sh` writes, checked against each build by
//! `contracts/test.sh`), and their creation bytecode, read at run time from forge's build output
//! `contracts/out/<Name>.sol/<Name>.json`, so a rebuilt contract needs no rebuilt devnet.

use std::path::{Path, PathBuf};

use alloy::primitives::Bytes;

use crate::DevnetError;

alloy::sol!(
    /// The bridge's checkpoint contract: validator sets and signed checkpoints.
    #[sol(rpc)]
    #[derive(Debug)]
    Checkpoints,
    "../contracts/abi/Checkpoints.json"
);
alloy::sol!(
    /// The bridge's vault: deposits, claims, token limits.
    #[sol(rpc)]
    #[derive(Debug)]
    Vault,
    "../contracts/abi/Vault.json"
);
alloy::sol!(
    /// "Ludus Test Token" (TEST): an ERC-20 whose constructor gives each listed holder a million.
    #[sol(rpc)]
    #[derive(Debug)]
    TestToken,
    "../contracts/abi/TestToken.json"
);

/// The creation bytecode of `contract` from forge's build output under `contracts_dir`.
pub fn creation_bytecode(contracts_dir: &Path, contract: &'static str) -> Result<Bytes, DevnetError> {
    let path = artifact_path(contracts_dir, contract);
    let missing = |reason: String| DevnetError::MissingArtifact { contract, path: path.clone(), reason };
    let text = std::fs::read_to_string(&path).map_err(|error| missing(error.to_string()))?;
    let artifact: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| missing(format!("not JSON: {error}")))?;
    let object = artifact["bytecode"]["object"].as_str().ok_or_else(|| missing("no bytecode.object".into()))?;
    let bytes: Bytes = object.parse().map_err(|error| missing(format!("bytecode.object is not hex: {error}")))?;
    if bytes.is_empty() {
        return Err(missing("the bytecode is empty (an abstract contract or an interface?)".into()));
    }
    Ok(bytes)
}

/// `contracts/out/<Name>.sol/<Name>.json`.
pub fn artifact_path(contracts_dir: &Path, contract: &str) -> PathBuf {
    contracts_dir.join("out").join(format!("{contract}.sol")).join(format!("{contract}.json"))
}
