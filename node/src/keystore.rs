//! The validator keystore (DESIGN.md, decision 7).
//!
//! Keys live in files under `<base>/chains/<id>/keystore`, one per key, in Substrate's
//! layout (file name = hex key type + hex public key, content = the secret URI as JSON),
//! so `ludus-node key insert` and Substrate tooling read the same files. Development keys
//! (`--alice` …) are added in memory only and never written to disk.
//!
//! Bridge keys sign deposit attestations for the validator's relayer
//! ([`bridge_keys_in_set`], [`sign_bridge_digest`]) without ever leaving the keystore.

use std::{collections::HashMap, path::Path, sync::Arc};

use ludus_primitives::bridge::eth_address;
use sc_keystore::LocalKeystore;
use sp_core::{
    crypto::{key_types, KeyTypeId},
    ecdsa, ed25519, sr25519, ByteArray, H160, H256,
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
    Ok(Arc::new(SigningKeystore::new(keystore)))
}

/// A [`LocalKeystore`] that derives the keys a validator signs with every slot (Aura's sr25519
/// and GRANDPA's ed25519) once, not at every signature.
///
/// `LocalKeystore` keeps each key as its secret URI and derives the pair again for every
/// signature: a file read and, for a mnemonic (the development keys' `//Alice` too), BIP-39's
/// 2,048 rounds of PBKDF2-HMAC-SHA512, about a millisecond — more than the rest of a GRANDPA
/// vote. A node signs two votes a round and seals a block a slot. Here a derived pair is kept
/// (in memory only, as the keystore's own in-memory keys are) and used while the keystore
/// still holds its key: every signature still asks the keystore whether it does, so a key
/// file removed stops the signing it did, as before. Every other key type and request goes
/// to the `LocalKeystore` unchanged.
pub struct SigningKeystore {
    inner: LocalKeystore,
    aura: parking_lot::Mutex<HashMap<sr25519::Public, sr25519::Pair>>,
    grandpa: parking_lot::Mutex<HashMap<ed25519::Public, ed25519::Pair>>,
}

impl SigningKeystore {
    /// `inner`, with no pair derived yet.
    pub fn new(inner: LocalKeystore) -> Self {
        Self { inner, aura: Default::default(), grandpa: Default::default() }
    }

    /// `msg` signed with the pair of `public` (a key of `key_type`) from `cache`, derived by
    /// `derive` the first time; `None` when the keystore does not hold the key (any more).
    fn sign_derived_once<P: sp_core::Pair>(
        &self,
        key_type: KeyTypeId,
        public: &P::Public,
        msg: &[u8],
        cache: &parking_lot::Mutex<HashMap<P::Public, P>>,
        derive: impl FnOnce() -> sc_keystore::Result<Option<P>>,
    ) -> Result<Option<P::Signature>, sp_keystore::Error>
    where
        P::Public: std::hash::Hash,
    {
        if !self.inner.has_keys(&[(public.to_raw_vec(), key_type)]) {
            return Ok(None);
        }
        if let Some(pair) = cache.lock().get(public) {
            return Ok(Some(pair.sign(msg)));
        }
        let Some(pair) = derive().map_err(|e| sp_keystore::Error::Other(e.to_string()))? else { return Ok(None) };
        let signature = pair.sign(msg);
        cache.lock().insert(public.clone(), pair);
        Ok(Some(signature))
    }
}

impl Keystore for SigningKeystore {
    fn sr25519_public_keys(&self, key_type: KeyTypeId) -> Vec<sr25519::Public> {
        self.inner.sr25519_public_keys(key_type)
    }

    fn sr25519_generate_new(
        &self,
        key_type: KeyTypeId,
        seed: Option<&str>,
    ) -> Result<sr25519::Public, sp_keystore::Error> {
        self.inner.sr25519_generate_new(key_type, seed)
    }

    fn sr25519_sign(
        &self,
        key_type: KeyTypeId,
        public: &sr25519::Public,
        msg: &[u8],
    ) -> Result<Option<sr25519::Signature>, sp_keystore::Error> {
        if key_type != key_types::AURA {
            return self.inner.sr25519_sign(key_type, public, msg);
        }
        self.sign_derived_once(key_type, public, msg, &self.aura, || {
            Ok(self.inner.key_pair::<sp_consensus_aura::sr25519::AuthorityPair>(&(*public).into())?.map(Into::into))
        })
    }

    fn sr25519_vrf_sign(
        &self,
        key_type: KeyTypeId,
        public: &sr25519::Public,
        data: &sr25519::vrf::VrfSignData,
    ) -> Result<Option<sr25519::vrf::VrfSignature>, sp_keystore::Error> {
        self.inner.sr25519_vrf_sign(key_type, public, data)
    }

    fn sr25519_vrf_pre_output(
        &self,
        key_type: KeyTypeId,
        public: &sr25519::Public,
        input: &sr25519::vrf::VrfInput,
    ) -> Result<Option<sr25519::vrf::VrfPreOutput>, sp_keystore::Error> {
        self.inner.sr25519_vrf_pre_output(key_type, public, input)
    }

    fn ed25519_public_keys(&self, key_type: KeyTypeId) -> Vec<ed25519::Public> {
        self.inner.ed25519_public_keys(key_type)
    }

    fn ed25519_generate_new(
        &self,
        key_type: KeyTypeId,
        seed: Option<&str>,
    ) -> Result<ed25519::Public, sp_keystore::Error> {
        self.inner.ed25519_generate_new(key_type, seed)
    }

    fn ed25519_sign(
        &self,
        key_type: KeyTypeId,
        public: &ed25519::Public,
        msg: &[u8],
    ) -> Result<Option<ed25519::Signature>, sp_keystore::Error> {
        if key_type != key_types::GRANDPA {
            return self.inner.ed25519_sign(key_type, public, msg);
        }
        self.sign_derived_once(key_type, public, msg, &self.grandpa, || {
            Ok(self.inner.key_pair::<sp_consensus_grandpa::AuthorityPair>(&(*public).into())?.map(Into::into))
        })
    }

    fn ecdsa_public_keys(&self, key_type: KeyTypeId) -> Vec<ecdsa::Public> {
        self.inner.ecdsa_public_keys(key_type)
    }

    fn ecdsa_generate_new(&self, key_type: KeyTypeId, seed: Option<&str>) -> Result<ecdsa::Public, sp_keystore::Error> {
        self.inner.ecdsa_generate_new(key_type, seed)
    }

    fn ecdsa_sign(
        &self,
        key_type: KeyTypeId,
        public: &ecdsa::Public,
        msg: &[u8],
    ) -> Result<Option<ecdsa::Signature>, sp_keystore::Error> {
        self.inner.ecdsa_sign(key_type, public, msg)
    }

    fn ecdsa_sign_prehashed(
        &self,
        key_type: KeyTypeId,
        public: &ecdsa::Public,
        msg: &[u8; 32],
    ) -> Result<Option<ecdsa::Signature>, sp_keystore::Error> {
        self.inner.ecdsa_sign_prehashed(key_type, public, msg)
    }

    fn insert(&self, key_type: KeyTypeId, suri: &str, public: &[u8]) -> Result<(), ()> {
        self.inner.insert(key_type, suri, public)
    }

    fn keys(&self, key_type: KeyTypeId) -> Result<Vec<Vec<u8>>, sp_keystore::Error> {
        self.inner.keys(key_type)
    }

    fn has_keys(&self, public_keys: &[(Vec<u8>, KeyTypeId)]) -> bool {
        self.inner.has_keys(public_keys)
    }
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

    #[test]
    fn validator_keys_sign_from_a_pair_derived_once_while_the_keystore_holds_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let keystore = open(Some(dir.path())).unwrap();
        let aura = keystore.sr25519_generate_new(key_types::AURA, None).unwrap();
        let grandpa = keystore.ed25519_generate_new(key_types::GRANDPA, None).unwrap();
        let other = keystore.sr25519_generate_new(key_types::BABE, None).unwrap();
        for message in [&b"slot 1"[..], b"slot 2"] {
            let signature = keystore.sr25519_sign(key_types::AURA, &aura, message).unwrap().unwrap();
            assert!(sr25519::Pair::verify(&signature, message, &aura));
            let signature = keystore.ed25519_sign(key_types::GRANDPA, &grandpa, message).unwrap().unwrap();
            assert!(ed25519::Pair::verify(&signature, message, &grandpa));
            let signature = keystore.sr25519_sign(key_types::BABE, &other, message).unwrap().unwrap();
            assert!(sr25519::Pair::verify(&signature, message, &other), "other key types sign as before");
        }
        assert_eq!(keystore.sr25519_sign(key_types::AURA, &other, b"x").unwrap(), None, "not an Aura key here");
        let stranger = sr25519::Pair::from_string("//Stranger", None).unwrap().public();
        assert_eq!(keystore.sr25519_sign(key_types::AURA, &stranger, b"x").unwrap(), None);

        // The operator removes the key files: the pairs derived before sign no more.
        for file in std::fs::read_dir(dir.path()).unwrap() {
            std::fs::remove_file(file.unwrap().path()).unwrap();
        }
        assert_eq!(keystore.sr25519_sign(key_types::AURA, &aura, b"slot 3").unwrap(), None);
        assert_eq!(keystore.ed25519_sign(key_types::GRANDPA, &grandpa, b"slot 3").unwrap(), None);
    }
}
