//! The validator keystore (DESIGN.md, decision 7).
//!
//! Keys live in files under `<base>/chains/<id>/keystore`, one per key, in Substrate's
//! layout (file name = hex key type + hex public key, content = the secret URI as JSON),
//! so `ludus-node key insert` and Substrate tooling read the same files. Development keys
//! (`--alice` …) are added in memory only and never written to disk.
//!
//! Bridge keys sign deposit attestations for the validator's relayer
//! ([`bridge_keys_in_set`], [`sign_bridge_digest`]) without ever leaving the keystore.

use std::{path::Path, sync::Arc};

use ludus_primitives::bridge::eth_address;
use sc_keystore::LocalKeystore;
use sp_core::{
    crypto::{key_types, KeyTypeId},
    ecdsa, H160, H256,
};
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
    /// The keystore failed to sign with a bridge key.
    #[error("the keystore could not sign with bridge key {public:?}: {error}")]
    BridgeSigning {
        /// The key.
        public: ecdsa::Public,
        /// The keystore's error.
        error: sp_keystore::Error,
    },
    /// A bridge key went missing between finding it and signing with it.
    #[error("the keystore no longer holds bridge key {0:?}; insert it again with author_insertKey")]
    BridgeKeyGone(ecdsa::Public),
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

/// A bridge key of this node that belongs to a bridge validator set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetMemberKey {
    /// Its index in the set: its rank by Ethereum address, as the runtime numbers validators.
    pub index: u32,
    /// Its Ethereum address.
    pub address: H160,
    /// The key.
    pub public: ecdsa::Public,
}

/// The bridge keys in `keystore` whose Ethereum address is in `set` (the set's addresses in
/// the runtime's order, strictly ascending), by index.
pub fn bridge_keys_in_set(keystore: &KeystorePtr, set: &[H160]) -> Vec<SetMemberKey> {
    let mut members: Vec<SetMemberKey> = keystore
        .ecdsa_public_keys(BRIDGE)
        .into_iter()
        // A key that is not a curve point has no address and is no member.
        .filter_map(|public| Some((public, eth_address(&public).ok()?)))
        .filter_map(|(public, address)| {
            let index = set.iter().position(|member| *member == address)?;
            Some(SetMemberKey { index: u32::try_from(index).ok()?, address, public })
        })
        .collect();
    members.sort_by_key(|member| member.index);
    members.dedup_by_key(|member| member.index);
    members
}

/// Signs the 32-byte `digest` with bridge key `public` as the runtime verifies bridge
/// signatures (`ecdsa_verify_prehashed`: the digest itself, not its hash).
pub fn sign_bridge_digest(
    keystore: &KeystorePtr,
    public: &ecdsa::Public,
    digest: &H256,
) -> Result<ecdsa::Signature, KeystoreError> {
    keystore
        .ecdsa_sign_prehashed(BRIDGE, public, digest.as_fixed_bytes())
        .map_err(|error| KeystoreError::BridgeSigning { public: *public, error })?
        .ok_or(KeystoreError::BridgeKeyGone(*public))
}

#[cfg(test)]
mod tests {
    use sp_core::Pair;

    use super::*;

    fn address(seed: &str) -> H160 {
        eth_address(&ecdsa::Pair::from_string(seed, None).unwrap().public()).unwrap()
    }

    #[test]
    fn bridge_keys_are_found_by_address_and_sign_what_the_runtime_verifies() {
        let keystore = open(None).unwrap();
        add_dev_keys(&keystore, "Bob").unwrap();
        let mut set = vec![address("//Alice"), address("//Bob"), address("//Charlie")];
        set.sort();
        let members = bridge_keys_in_set(&keystore, &set);
        let bob = ecdsa::Pair::from_string("//Bob", None).unwrap().public();
        let index = set.iter().position(|a| *a == address("//Bob")).unwrap() as u32;
        assert_eq!(members, vec![SetMemberKey { index, address: address("//Bob"), public: bob }]);
        assert!(bridge_keys_in_set(&keystore, &[address("//Alice")]).is_empty(), "Bob's key is no member");

        let digest = H256::repeat_byte(0x5a);
        let signature = sign_bridge_digest(&keystore, &bob, &digest).unwrap();
        assert!(sp_io::crypto::ecdsa_verify_prehashed(&signature, &digest.0, &bob));
        let alice = ecdsa::Pair::from_string("//Alice", None).unwrap().public();
        assert!(sign_bridge_digest(&keystore, &alice, &digest).is_err(), "a key the keystore does not hold");
    }
}
