//! The validator keystore (DESIGN.md, decision 7).
//!
//! Keys live in files under `<base>/chains/<id>/keystore`, one per key, in Substrate's
//! layout (file name = hex key type + hex public key, content = the secret URI as JSON),
//! so `ludus-node key insert` and Substrate tooling read the same files. Development keys
//! (`--alice` …) are added in memory only and never written to disk.

use std::{path::Path, sync::Arc};

use sc_keystore::LocalKeystore;
use sp_core::crypto::{key_types, KeyTypeId};
use sp_keystore::{Keystore, KeystorePtr};

/// The bridge key type (secp256k1), reserved for the bridge pallet's checkpoint signing.
pub const BRIDGE: KeyTypeId = ludus_runtime::bridge_key::KEY_TYPE;

/// Why the keystore could not be opened or changed.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The keystore directory could not be opened.
    #[error("cannot open keystore at {path}: {error}")]
    Open {
        /// The directory.
        path: String,
        /// The cause.
        error: String,
    },
    /// A development key could not be added.
    #[error("cannot add development key //{name}: {error}")]
    DevKey {
        /// The development name.
        name: String,
        /// The cause.
        error: String,
    },
}

/// Opens (creating if needed) the file keystore at `path`, or an in-memory one.
pub fn open(path: Option<&Path>) -> Result<KeystorePtr, KeystoreError> {
    let keystore = match path {
        Some(path) => LocalKeystore::open(path, None)
            .map_err(|e| KeystoreError::Open { path: path.display().to_string(), error: e.to_string() })?,
        None => LocalKeystore::in_memory(),
    };
    Ok(Arc::new(keystore))
}

/// Adds the development keys of `name` (e.g. "Alice"): aura (sr25519), grandpa (ed25519)
/// and bridge (ecdsa), derived from `//Name`, in memory only.
pub fn add_dev_keys(keystore: &KeystorePtr, name: &str) -> Result<(), KeystoreError> {
    let seed = format!("//{name}");
    let error = |e: sp_keystore::Error| KeystoreError::DevKey { name: name.to_owned(), error: e.to_string() };
    keystore.sr25519_generate_new(key_types::AURA, Some(&seed)).map_err(error)?;
    keystore.ed25519_generate_new(key_types::GRANDPA, Some(&seed)).map_err(error)?;
    keystore.ecdsa_generate_new(BRIDGE, Some(&seed)).map_err(error)?;
    Ok(())
}
