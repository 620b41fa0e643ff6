//! The extrinsic signature: Substrate's `MultiSignature`, whose successful checks a node may
//! remember.
//!
//! A transaction's signature is checked where it enters a node's pool, again when the node
//! authors a block with it and again when it imports a block holding it: the same bytes, the
//! same answer. [`Signature`] encodes, decodes and describes itself (`TypeInfo`) exactly as
//! `MultiSignature` does, so wallets see no difference; when the node runs the runtime with a
//! [`CheckedSignaturesExt`] registered, a signature that verified once is not verified again.
//!
//! The memory is keyed by blake2-256 of the signature, the signer and the signed message
//! together, so it can only answer "valid" for exactly what verified before in this process:
//! as strong as the signature scheme unless blake2-256 collides.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use sp_runtime::{
    traits::{Lazy, Verify},
    AccountId32, MultiSignature, MultiSigner,
};

/// An extrinsic signature (sr25519, ed25519 or ecdsa): `MultiSignature` on the wire and in
/// metadata.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen)]
pub struct Signature(pub MultiSignature);

impl scale_info::TypeInfo for Signature {
    type Identity = MultiSignature;

    fn type_info() -> scale_info::Type {
        MultiSignature::type_info()
    }
}

impl From<MultiSignature> for Signature {
    fn from(signature: MultiSignature) -> Self {
        Self(signature)
    }
}

impl From<sp_core::sr25519::Signature> for Signature {
    fn from(signature: sp_core::sr25519::Signature) -> Self {
        Self(signature.into())
    }
}

impl From<sp_core::ed25519::Signature> for Signature {
    fn from(signature: sp_core::ed25519::Signature) -> Self {
        Self(signature.into())
    }
}

impl From<sp_core::ecdsa::Signature> for Signature {
    fn from(signature: sp_core::ecdsa::Signature) -> Self {
        Self(signature.into())
    }
}

impl Verify for Signature {
    type Signer = MultiSigner;

    fn verify<L: Lazy<[u8]>>(&self, mut msg: L, signer: &AccountId32) -> bool {
        #[cfg(feature = "std")]
        if let Some(checked) = checked::registered() {
            let key = checked::key(self, msg.get(), signer);
            if checked.contains(&key) {
                return true;
            }
            let valid = self.0.verify(msg.get(), signer);
            if valid {
                checked.insert(key);
            }
            return valid;
        }
        self.0.verify(msg, signer)
    }
}

#[cfg(feature = "std")]
pub use checked::{CheckedSignatures, CheckedSignaturesExt};

#[cfg(feature = "std")]
mod checked {
    use std::sync::Arc;

    use codec::Encode;
    use parking_lot::Mutex;
    use schnellru::{ByLength, LruMap};
    use sp_externalities::ExternalitiesExt;
    use sp_runtime::AccountId32;

    /// How many checked signatures a node remembers: several full blocks' worth.
    const REMEMBERED: u32 = 131_072;

    /// Signatures that verified in this process, shared by every runtime call of a node.
    #[derive(Clone)]
    pub struct CheckedSignatures(Arc<Mutex<LruMap<[u8; 32], ()>>>);

    impl Default for CheckedSignatures {
        fn default() -> Self {
            Self(Arc::new(Mutex::new(LruMap::new(ByLength::new(REMEMBERED)))))
        }
    }

    impl CheckedSignatures {
        pub(super) fn contains(&self, key: &[u8; 32]) -> bool {
            self.0.lock().get(key).is_some()
        }

        pub(super) fn insert(&self, key: [u8; 32]) {
            self.0.lock().insert(key, ());
        }

        /// Whether `signature` by `signer` over `message` verified here before.
        pub fn is_checked(&self, signature: &super::Signature, message: &[u8], signer: &AccountId32) -> bool {
            self.contains(&key(signature, message, signer))
        }

        /// Remembers that `signature` by `signer` over `message` verified: for the node's
        /// batch verification, which checks many signatures at once outside the runtime. Only
        /// ever call it for a signature that was verified.
        pub fn note_checked(&self, signature: &super::Signature, message: &[u8], signer: &AccountId32) {
            self.insert(key(signature, message, signer));
        }

        /// How many signatures are remembered.
        pub fn len(&self) -> usize {
            self.0.lock().len()
        }

        /// Whether none is.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    }

    sp_externalities::decl_extension! {
        /// Registered by the node on its runtime calls: the runtime consults and fills it when
        /// it verifies an extrinsic's signature.
        pub struct CheckedSignaturesExt(CheckedSignatures);
    }

    /// The memory registered on the running runtime call, if any.
    pub(super) fn registered() -> Option<CheckedSignatures> {
        sp_externalities::with_externalities(|mut ext| ext.extension::<CheckedSignaturesExt>().map(|ext| ext.0.clone()))
            .flatten()
    }

    /// What identifies one verification: signature, signer and message together.
    pub(super) fn key(signature: &super::Signature, message: &[u8], signer: &AccountId32) -> [u8; 32] {
        let mut preimage = signature.encode();
        preimage.extend_from_slice(signer.as_ref());
        preimage.extend_from_slice(message);
        sp_crypto_hashing::blake2_256(&preimage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::{sr25519, Pair};

    #[test]
    fn wallets_see_a_multi_signature() {
        assert_eq!(scale_info::meta_type::<Signature>(), scale_info::meta_type::<MultiSignature>());
        let signature = sr25519::Pair::from_string("//Alice", None).unwrap().sign(b"ludus");
        let multi = MultiSignature::from(signature);
        assert_eq!(Signature::from(signature).encode(), multi.encode());
        assert_eq!(Signature::decode(&mut &multi.encode()[..]).unwrap(), Signature(multi));
    }

    #[test]
    fn without_the_extension_it_verifies_as_a_multi_signature() {
        let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
        let signature = Signature::from(alice.sign(b"ludus"));
        let signer = AccountId32::from(alice.public());
        assert!(signature.verify(&b"ludus"[..], &signer));
        assert!(!signature.verify(&b"other"[..], &signer));
    }
}
