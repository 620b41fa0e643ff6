//! GRANDPA justifications: built from a commit when our voter finalizes, verified when sync
//! brings one (the pattern of sc-consensus-grandpa's `justification.rs`).

use crate::{
    error::{ChainAccessError, JustificationError},
    wire::Commit,
    FinalityChain,
};
use codec::{DecodeAll, Encode};
use finality_grandpa::{voter_set::VoterSet, Chain, Message};
use ludus_primitives::{BlockNumber, Hash, Header};
use sp_consensus_grandpa::{check_message_signature_with_buffer, AuthorityId, SetId, SignatureResult};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The justification type stored with finalized blocks and served to syncing peers.
pub type GrandpaJustification = sp_consensus_grandpa::GrandpaJustification<Header>;

/// Largest justification we decode (100 voters' precommits are ~15 KiB; the rest is headers).
pub const MAX_JUSTIFICATION: usize = 4 * 1024 * 1024;

/// Builds the justification for `commit`: the commit plus the headers linking every precommit
/// target back to the commit target.
///
/// A commit can hold precommits that do not descend from its target: an equivocator's (GRANDPA
/// counts an equivocating voter for every block, so it keeps both of its precommits). Those are
/// left out; the equivocator's precommit that does descend, if any, still counts. Without this,
/// one validator precommitting two forks in a round stopped every honest voter at finalization.
pub(crate) fn from_commit(
    chain: &dyn FinalityChain,
    round: u64,
    mut commit: Commit,
) -> Result<GrandpaJustification, ChainAccessError> {
    let mut seen = HashSet::new();
    let mut votes_ancestries = Vec::new();
    let mut kept = Vec::with_capacity(commit.precommits.len());
    for signed in std::mem::take(&mut commit.precommits) {
        let mut route = Vec::new();
        let mut current = signed.precommit.target_hash;
        let mut descends = true;
        while current != commit.target_hash {
            let header = chain
                .header(&current)?
                .ok_or_else(|| ChainAccessError::Missing(format!("precommit target ancestor {current:?}")))?;
            // At or below the target's height and still not the target: another branch.
            if header.number <= commit.target_number {
                descends = false;
                break;
            }
            current = header.parent_hash;
            route.push(header);
        }
        if !descends {
            continue;
        }
        for header in route {
            if seen.insert(header.hash()) {
                votes_ancestries.push(header);
            }
        }
        kept.push(signed);
    }
    commit.precommits = kept;
    Ok(GrandpaJustification { round, commit, votes_ancestries })
}

/// Decodes a justification, refusing oversized input.
pub(crate) fn decode(bytes: &[u8]) -> Result<GrandpaJustification, JustificationError> {
    if bytes.len() > MAX_JUSTIFICATION {
        return Err(JustificationError::Undecodable(format!(
            "{} bytes, more than the {MAX_JUSTIFICATION} allowed",
            bytes.len()
        )));
    }
    GrandpaJustification::decode_all(&mut &bytes[..]).map_err(|e| JustificationError::Undecodable(e.to_string()))
}

/// Headers supplied with a justification, as a `Chain` for ancestry queries.
pub(crate) struct AncestryChain {
    headers: HashMap<Hash, Header>,
}

impl AncestryChain {
    fn new(headers: &[Header]) -> Self {
        Self { headers: headers.iter().map(|h| (h.hash(), h.clone())).collect() }
    }
}

impl Chain<Hash, BlockNumber> for AncestryChain {
    fn ancestry(&self, base: Hash, block: Hash) -> Result<Vec<Hash>, finality_grandpa::Error> {
        let mut route = Vec::new();
        let mut current = block;
        // Terminates: every step follows a parent hash to a header keyed by its own hash.
        while current != base {
            let header = self.headers.get(&current).ok_or(finality_grandpa::Error::NotDescendent)?;
            current = header.parent_hash;
            route.push(current);
        }
        route.pop();
        Ok(route)
    }
}

/// The set id under which a signature does verify, if it is close to `expected` (for an error
/// that tells a node behind or ahead of a set change what is going on).
fn signed_for_other_set(
    message: &Message<Hash, BlockNumber>,
    id: &AuthorityId,
    signature: &sp_consensus_grandpa::AuthoritySignature,
    round: u64,
    expected: SetId,
) -> Option<SetId> {
    let mut buf = Vec::new();
    let low = expected.saturating_sub(3);
    (low..=expected.saturating_add(3)).filter(|s| *s != expected).find(|set_id| {
        check_message_signature_with_buffer(message, id, signature, round, *set_id, &mut buf) == SignatureResult::Valid
    })
}

/// Checks a justification for the block it names against the authority set `set_id` / `voters`.
pub(crate) fn verify(
    justification: &GrandpaJustification,
    set_id: SetId,
    voters: &VoterSet<AuthorityId>,
) -> Result<(), JustificationError> {
    let commit = &justification.commit;
    let round = justification.round;
    if commit.precommits.is_empty() {
        return Err(JustificationError::BelowThreshold);
    }
    if commit.precommits.len() > voters.len().get().saturating_mul(2) {
        return Err(JustificationError::NotAVoter("more precommits than twice the voters".into()));
    }

    let mut buf = Vec::new();
    for signed in &commit.precommits {
        if !voters.contains(&signed.id) {
            return Err(JustificationError::NotAVoter(format!("{}", signed.id)));
        }
        let message = Message::Precommit(signed.precommit.clone());
        match check_message_signature_with_buffer(&message, &signed.id, &signed.signature, round, set_id, &mut buf) {
            SignatureResult::Valid => {}
            SignatureResult::OutdatedSet => {
                return Err(JustificationError::WrongSetId { expected: set_id, signed_for: set_id.saturating_sub(1) })
            }
            SignatureResult::Invalid => {
                return Err(match signed_for_other_set(&message, &signed.id, &signed.signature, round, set_id) {
                    Some(signed_for) => JustificationError::WrongSetId { expected: set_id, signed_for },
                    None => JustificationError::BadSignature(format!("{}", signed.id)),
                })
            }
        }
    }

    // Every precommit target must link to the lowest one through the supplied headers, and every
    // supplied header must be used (no padding).
    let ancestry = AncestryChain::new(&justification.votes_ancestries);
    let base = commit
        .precommits
        .iter()
        .min_by_key(|s| s.precommit.target_number)
        .map(|s| s.precommit.target_hash)
        .ok_or(JustificationError::BelowThreshold)?;
    let mut visited = BTreeSet::new();
    for signed in &commit.precommits {
        if signed.precommit.target_hash == base {
            continue;
        }
        let route = ancestry.ancestry(base, signed.precommit.target_hash).map_err(|_| {
            JustificationError::BadAncestry("a precommit target does not link to the lowest precommit target")
        })?;
        visited.insert(signed.precommit.target_hash);
        visited.extend(route);
    }
    let supplied: BTreeSet<Hash> = ancestry.headers.keys().copied().collect();
    if visited != supplied {
        return Err(JustificationError::BadAncestry("headers that no precommit needs"));
    }

    match finality_grandpa::validate_commit(commit, voters, &ancestry) {
        Ok(result) if result.is_valid() => {
            if result.num_duplicated_precommits() > 0 || result.num_invalid_voters() > 0 {
                return Err(JustificationError::NotAVoter("duplicate precommits".into()));
            }
            Ok(())
        }
        _ => Err(JustificationError::BelowThreshold),
    }
}

/// SCALE of a justification, as stored under `GRANDPA_ENGINE_ID`.
pub(crate) fn encode(justification: &GrandpaJustification) -> Vec<u8> {
    justification.encode()
}
