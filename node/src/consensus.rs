//! Aura-style slots (DESIGN.md, decision 3): who may author a slot, and seals.
//!
//! Time is cut into slots of the runtime's slot duration. The authority for slot `s` is
//! `authorities[s % n]`, with the authorities read from the parent block's state. An
//! author announces its slot in an Aura pre-runtime digest (the same bytes Substrate's
//! Aura uses, so clients recognise it) and seals the header with its sr25519 key over
//! the hash of the header without the seal.

use codec::{Decode, Encode};
use ludus_primitives::{Hash, Header};
use sp_consensus_aura::{sr25519::AuthorityId, Slot, AURA_ENGINE_ID};
use sp_core::{crypto::ByteArray, sr25519};
use sp_runtime::{
    traits::{Header as HeaderT, Verify},
    DigestItem,
};

/// Why a header's consensus data is unacceptable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// No Aura pre-runtime digest, or more than one.
    #[error("header has no single Aura slot digest")]
    MissingSlot,
    /// The last digest item is not an Aura seal.
    #[error("header is not sealed (the last digest item must be the Aura seal)")]
    MissingSeal,
    /// The seal does not decode as an sr25519 signature.
    #[error("seal is not an sr25519 signature")]
    MalformedSeal,
    /// The seal's signature is not the expected author's.
    #[error("bad seal: not signed by the slot's author {author}")]
    BadSignature {
        /// The expected author.
        author: String,
    },
}

/// The slot a header claims, from its Aura pre-runtime digest.
pub fn slot_of(header: &Header) -> Result<Slot, SealError> {
    let mut slots = header.digest().logs().iter().filter_map(|item| match item {
        DigestItem::PreRuntime(id, data) if *id == AURA_ENGINE_ID => Some(Slot::decode(&mut &data[..]).ok()),
        _ => None,
    });
    match (slots.next(), slots.next()) {
        (Some(Some(slot)), None) => Ok(slot),
        _ => Err(SealError::MissingSlot),
    }
}

/// The pre-runtime digest announcing `slot`.
pub fn slot_digest(slot: Slot) -> DigestItem {
    DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())
}

/// The authority expected to author `slot`, or `None` with no authorities.
pub fn slot_author(slot: Slot, authorities: &[AuthorityId]) -> Option<&AuthorityId> {
    if authorities.is_empty() {
        return None;
    }
    let index = *slot % authorities.len() as u64;
    authorities.get(index as usize)
}

/// Removes the seal from a sealed header, returning the unsealed header and the signature.
pub fn take_seal(mut header: Header) -> Result<(Header, sr25519::Signature), SealError> {
    let seal = header.digest_mut().pop().ok_or(SealError::MissingSeal)?;
    let signature = match seal {
        DigestItem::Seal(id, data) if id == AURA_ENGINE_ID => {
            sr25519::Signature::decode(&mut &data[..]).map_err(|_| SealError::MalformedSeal)?
        }
        _ => return Err(SealError::MissingSeal),
    };
    Ok((header, signature))
}

/// Checks that `unsealed` (a header without its seal) was signed by `author`.
pub fn check_seal(unsealed: &Header, signature: &sr25519::Signature, author: &AuthorityId) -> Result<(), SealError> {
    let pre_hash: Hash = unsealed.hash();
    let public = sr25519::Public::from_slice(author.as_slice()).map_err(|_| SealError::MalformedSeal)?;
    if signature.verify(pre_hash.as_ref(), &public) {
        Ok(())
    } else {
        Err(SealError::BadSignature { author: author.to_string() })
    }
}

/// The seal item carrying `signature`.
pub fn seal_item(signature: &sr25519::Signature) -> DigestItem {
    DigestItem::Seal(AURA_ENGINE_ID, signature.encode())
}

/// The slot that contains `timestamp_ms`.
pub fn slot_at(timestamp_ms: u64, slot_duration_ms: u64) -> Slot {
    Slot::from(timestamp_ms / slot_duration_ms.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::Pair;

    fn header() -> Header {
        let mut header = Header::new(1, Hash::zero(), Hash::zero(), Hash::repeat_byte(1), Default::default());
        header.digest_mut().push(slot_digest(Slot::from(42)));
        header
    }

    #[test]
    fn a_seal_verifies_only_for_its_author() {
        let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
        let bob = sr25519::Pair::from_string("//Bob", None).unwrap();
        let unsealed = header();
        let signature = alice.sign(unsealed.hash().as_ref());
        let mut sealed = unsealed.clone();
        sealed.digest_mut().push(seal_item(&signature));

        let (taken, signature) = take_seal(sealed).unwrap();
        assert_eq!(taken, unsealed);
        assert_eq!(slot_of(&taken).unwrap(), Slot::from(42));
        assert!(check_seal(&taken, &signature, &alice.public().into()).is_ok());
        assert!(matches!(check_seal(&taken, &signature, &bob.public().into()), Err(SealError::BadSignature { .. })));
    }

    #[test]
    fn authors_rotate_by_slot() {
        let keys: Vec<AuthorityId> = ["//Alice", "//Bob", "//Charlie"]
            .iter()
            .map(|s| sr25519::Pair::from_string(s, None).unwrap().public().into())
            .collect();
        assert_eq!(slot_author(Slot::from(4), &keys), Some(&keys[1]));
        assert_eq!(slot_author(Slot::from(4), &[]), None);
        assert_eq!(take_seal(header()), Err(SealError::MissingSeal));
    }
}
