//! Aura equivocation: an author sealing two different blocks for one slot.
//!
//! Both blocks may be valid and both may be imported (the second as a fork); nothing in
//! either alone is wrong. [`SlotClaims`] remembers, for each recent slot, the first sealed
//! header each author claimed it with, and reports a second, different one as an
//! [`AuraEquivocation`]: the two headers, seals included, are the proof — anyone holding the
//! author's public key can check that it signed both for the same slot. Each offence (slot,
//! author) is reported once, and memory stays bounded: [`RETAINED_SLOTS`] slots, and at most
//! [`MAX_AUTHORS_PER_SLOT`] authors per slot (one, unless the authority set changed).

use std::collections::BTreeMap;

use codec::Encode;
use ludus_primitives::{short, Header};
use sp_consensus_aura::{sr25519::AuthorityId, Slot};
use sp_runtime::traits::Header as HeaderT;

/// How many slots back claims are remembered (about 17 minutes of one-second slots, as
/// Substrate's `sc-consensus-slots` keeps 1,000 slots of headers).
pub const RETAINED_SLOTS: u64 = 1_000;
/// Authors remembered per slot: the slot's author under each authority set seen.
pub const MAX_AUTHORS_PER_SLOT: usize = 4;

/// Two different headers sealed by one author for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuraEquivocation {
    /// The slot claimed twice.
    pub slot: Slot,
    /// The author that sealed both.
    pub author: AuthorityId,
    /// The header seen first, sealed.
    pub first: Header,
    /// The other header, sealed.
    pub second: Header,
}

impl std::fmt::Display for AuraEquivocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Equivocation by {} in slot {}: #{} ({}) and #{} ({}), both sealed by it; proof (the two sealed headers, SCALE): 0x{} 0x{}",
            self.author,
            *self.slot,
            self.first.number(),
            short(&self.first.hash()),
            self.second.number(),
            short(&self.second.hash()),
            hex::encode(self.first.encode()),
            hex::encode(self.second.encode()),
        )
    }
}

/// One author's first header for a slot, and whether its equivocation was reported.
struct Claim {
    author: AuthorityId,
    header: Header,
    reported: bool,
}

/// The first header each author sealed for each recent slot; see the module docs.
#[derive(Default)]
pub struct SlotClaims {
    by_slot: BTreeMap<u64, Vec<Claim>>,
}

impl SlotClaims {
    /// Notes `header`, sealed by `author` for `slot` (seal already checked), at local slot
    /// `now`. Returns the equivocation if `author` sealed a different header for `slot`
    /// before, the first time only.
    pub fn note(&mut self, slot: Slot, author: &AuthorityId, header: &Header, now: Slot) -> Option<AuraEquivocation> {
        let oldest = (*now).saturating_sub(RETAINED_SLOTS);
        if *slot < oldest {
            return None;
        }
        self.by_slot = self.by_slot.split_off(&oldest);
        let claims = self.by_slot.entry(*slot).or_default();
        match claims.iter_mut().find(|claim| claim.author == *author) {
            Some(claim) if claim.header.hash() == header.hash() || claim.reported => None,
            Some(claim) => {
                claim.reported = true;
                Some(AuraEquivocation {
                    slot,
                    author: author.clone(),
                    first: claim.header.clone(),
                    second: header.clone(),
                })
            }
            None => {
                if claims.len() < MAX_AUTHORS_PER_SLOT {
                    claims.push(Claim { author: author.clone(), header: header.clone(), reported: false });
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sp_core::{crypto::UncheckedFrom, sr25519};

    use super::*;

    fn author(byte: u8) -> AuthorityId {
        AuthorityId::from(sr25519::Public::unchecked_from([byte; 32]))
    }

    fn header(number: u32, salt: u8) -> Header {
        Header::new(number, Default::default(), [salt; 32].into(), Default::default(), Default::default())
    }

    #[test]
    fn a_second_header_from_one_author_in_one_slot_is_reported_once_with_both_headers() {
        let mut claims = SlotClaims::default();
        let (first, second) = (header(5, 1), header(5, 2));
        assert_eq!(claims.note(Slot::from(10), &author(1), &first, Slot::from(10)), None);
        // The same header again (re-announced, re-synced) is no offence.
        assert_eq!(claims.note(Slot::from(10), &author(1), &first, Slot::from(10)), None);
        let found = claims.note(Slot::from(10), &author(1), &second, Slot::from(11)).expect("an equivocation");
        assert!(found.to_string().contains(&hex::encode(second.encode())), "{found}");
        assert_eq!((found.first, found.second), (first, second));
        // Reported once; a third header in that slot adds nothing.
        assert_eq!(claims.note(Slot::from(10), &author(1), &header(5, 3), Slot::from(11)), None);
    }

    #[test]
    fn other_slots_and_other_authors_are_no_equivocation() {
        let mut claims = SlotClaims::default();
        assert_eq!(claims.note(Slot::from(10), &author(1), &header(5, 1), Slot::from(10)), None);
        assert_eq!(claims.note(Slot::from(11), &author(1), &header(5, 2), Slot::from(11)), None);
        // After a set change the slot may belong to another author.
        assert_eq!(claims.note(Slot::from(10), &author(2), &header(5, 3), Slot::from(11)), None);
    }

    #[test]
    fn claims_older_than_the_retained_slots_are_forgotten() {
        let mut claims = SlotClaims::default();
        claims.note(Slot::from(10), &author(1), &header(5, 1), Slot::from(10));
        let later = Slot::from(10 + RETAINED_SLOTS + 1);
        assert_eq!(claims.note(Slot::from(10), &author(1), &header(5, 2), later), None);
        claims.note(Slot::from(*later), &author(1), &header(6, 1), later);
        assert_eq!(claims.by_slot.len(), 1, "old slots pruned");
    }
}
