//! Block authoring: build, seal and write a block in our slots.
//!
//! [`build_block`] runs the runtime's block-builder APIs, typed (`crate::chain::runtime_api`), over
//! the parent state in one API instance: `initialize_block` with the slot and spec-version
//! digests, the inherents (timestamp), then ready transactions from the pool until the
//! block is full or the time budget is spent, then `finalize_block`. Each transaction is
//! applied in its own overlay transaction, so one the runtime refuses leaves no trace.
//! [`seal_block`] signs the header with the slot author's Aura key from the keystore.
//!
//! [`SlotWorker`] is the task that wakes at every slot, checks whether one of our keys
//! is the slot's author, and if so builds, seals and commits a block on the best block.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use codec::Encode;
use ludus_primitives::{carried_version_digest, now_ms, spec_version_digest, Block, Hash, Hashing, Header};
use sp_api::{ApiExt, Core, ProvideRuntimeApi, TransactionOutcome};
use sp_block_builder::BlockBuilder;
use sp_consensus_aura::{sr25519::AuthorityId, AuraApi, Slot};
use sp_consensus_grandpa::GrandpaApi;
use sp_core::{crypto::ByteArray, sr25519};
use sp_inherents::InherentData;
use sp_keystore::KeystorePtr;
use sp_runtime::{
    traits::Header as HeaderT,
    transaction_validity::{InvalidTransaction, TransactionValidityError},
    Digest, Justifications, OpaqueExtrinsic,
};
use sp_state_machine::BackendTransaction;

use crate::{
    chain::{BlockCommit, Chain, ChainError},
    consensus,
    consensus::import::{parent_slot, ImportError},
};

/// Why authoring a block failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthoringError {
    /// The chain could not be read or written.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A consensus check on the parent failed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The runtime refused an inherent, or the block's state changes could not be collected.
    #[error("block building failed: {0}")]
    Runtime(String),
    /// The keystore could not sign with the author's key.
    #[error("cannot sign with aura key {0}: is it in the keystore?")]
    Signing(String),
    /// The keystore could not sign the GRANDPA precommit of a block we finalize alone.
    #[error("cannot sign with grandpa key {0}: is it in the keystore?")]
    FinalitySigning(String),
}

impl From<sp_api::ApiError> for AuthoringError {
    fn from(error: sp_api::ApiError) -> Self {
        AuthoringError::Chain(error.into())
    }
}

/// What a block finalized at once by the sole GRANDPA authority carries, so that nodes
/// following a single-validator chain finalize too: a justification with our one precommit
/// (stored with the block and served to syncing peers) and the same commit for gossip.
#[derive(Debug, Clone)]
pub struct SoleFinality {
    /// SCALE `GrandpaJustification`, stored under `FRNK`.
    pub justification: Vec<u8>,
    /// The GRANDPA gossip message carrying the commit.
    pub gossip: Vec<u8>,
}

/// A built, unsealed block and what it did.
pub struct BuiltBlock {
    /// The block; its header is not yet sealed.
    pub block: Block,
    /// The trie changes of executing it.
    pub state_transaction: BackendTransaction<Hashing>,
    /// Hashes of the pool transactions it includes.
    pub included: Vec<Hash>,
    /// Hashes of pool transactions the runtime refused for good.
    pub invalid: Vec<Hash>,
}

/// What the block builder does with a transaction the runtime applied (or refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Applied: it goes into the block.
    Include,
    /// The block has no room left for it: building stops.
    BlockFull,
    /// Not applicable now (a future nonce, a "not yet"): it stays in the pool.
    NotNow,
    /// Refused for good: the pool drops it.
    Invalid,
}

/// A transaction offered to the block builder.
pub struct Candidate {
    /// Its hash in the pool.
    pub hash: Hash,
    /// Its SCALE encoding.
    pub bytes: Arc<Vec<u8>>,
}

/// Builds a block on `parent` for `slot` at `timestamp_ms`, taking transactions from
/// `candidates` in order until `deadline`.
pub fn build_block(
    chain: &Chain,
    parent: &Header,
    slot: Slot,
    timestamp_ms: u64,
    candidates: impl IntoIterator<Item = Candidate>,
    deadline: Instant,
) -> Result<BuiltBlock, AuthoringError> {
    let parent_hash = parent.hash();
    let state = chain.state_at(parent_hash)?;
    let api = chain.runtime_api();

    // The runtime at the parent executes this block: its own, or one an upgrade schedules. The
    // block also announces the newest runtime this release carries: an upgrade goes ahead only
    // if more than two thirds of the validators announce its runtime (pallet-runtime-upgrade).
    let spec_version = chain.native_runtime_at(parent_hash)?.version.spec_version;
    let carried = chain.executor().runtimes().newest().version.spec_version;
    let digest = Digest {
        logs: vec![consensus::slot_digest(slot), spec_version_digest(spec_version), carried_version_digest(carried)],
    };
    let header = Header::new(parent.number() + 1, Hash::zero(), Hash::zero(), parent_hash, digest);
    api.initialize_block(parent_hash, &header)?;

    let mut inherent_data = InherentData::new();
    inherent_data
        .put_data(sp_timestamp::INHERENT_IDENTIFIER, &timestamp_ms)
        .map_err(|e| AuthoringError::Runtime(e.to_string()))?;
    let inherents = api.inherent_extrinsics(parent_hash, inherent_data)?;

    let mut extrinsics = Vec::new();
    for inherent in inherents {
        match api.apply_extrinsic(parent_hash, inherent.clone())? {
            Ok(Ok(_)) => extrinsics.push(inherent),
            other => return Err(AuthoringError::Runtime(format!("inherent refused: {other:?}"))),
        }
    }

    let mut included = Vec::new();
    let mut invalid = Vec::new();
    for candidate in candidates {
        if Instant::now() >= deadline {
            break;
        }
        let Ok(extrinsic) = OpaqueExtrinsic::try_from_encoded_extrinsic(&candidate.bytes) else {
            invalid.push(candidate.hash);
            continue;
        };
        // Each transaction gets its own layer, so a refused one leaves no trace.
        let verdict = api.execute_in_transaction(|api| {
            let verdict = match api.apply_extrinsic(parent_hash, extrinsic.clone()) {
                // Dispatch errors (Ok(Err(_))) still pay fees and bump the nonce: included.
                Ok(Ok(_)) => Verdict::Include,
                Ok(Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources))) => Verdict::BlockFull,
                Ok(Err(TransactionValidityError::Invalid(InvalidTransaction::Future))) => Verdict::NotNow,
                // "Not now" (an attestation beyond its validator's open limit, say): it stays in
                // the pool for a later block, unbanned; revalidation keeps or drops it.
                Ok(Err(TransactionValidityError::Unknown(_))) => Verdict::NotNow,
                Ok(Err(_)) | Err(_) => Verdict::Invalid,
            };
            if verdict == Verdict::Include {
                TransactionOutcome::Commit(verdict)
            } else {
                TransactionOutcome::Rollback(verdict)
            }
        });
        match verdict {
            Verdict::Include => {
                extrinsics.push(extrinsic);
                included.push(candidate.hash);
            }
            Verdict::BlockFull => break,
            Verdict::NotNow => {}
            Verdict::Invalid => invalid.push(candidate.hash),
        }
    }

    let header = api.finalize_block(parent_hash)?;
    let changes = api
        .into_storage_changes(&state, parent_hash)
        .map_err(|e| AuthoringError::Runtime(format!("collecting state changes: {e}")))?;
    if changes.transaction_storage_root != *header.state_root() {
        return Err(AuthoringError::Runtime("runtime's state root differs from the trie's".into()));
    }
    Ok(BuiltBlock { block: Block { header, extrinsics }, state_transaction: changes.transaction, included, invalid })
}

/// Seals `block` with `author`'s key from `keystore`.
pub fn seal_block(keystore: &KeystorePtr, author: &AuthorityId, block: &mut Block) -> Result<(), AuthoringError> {
    let public =
        sr25519::Public::from_slice(author.as_slice()).map_err(|_| AuthoringError::Signing(author.to_string()))?;
    let pre_hash = block.header.hash();
    let signature = keystore
        .sr25519_sign(sp_core::crypto::key_types::AURA, &public, pre_hash.as_ref())
        .map_err(|e| AuthoringError::Signing(format!("{author}: {e}")))?
        .ok_or_else(|| AuthoringError::Signing(author.to_string()))?;
    block.header.digest_mut().push(consensus::seal_item(&signature));
    Ok(())
}

/// The Aura authority for `slot` at `parent`, if our keystore holds its key.
pub fn our_slot_author(
    chain: &Chain,
    keystore: &KeystorePtr,
    parent: Hash,
    slot: Slot,
) -> Result<Option<AuthorityId>, AuthoringError> {
    let authorities = chain.runtime_api().authorities(parent)?;
    let Some(author) = consensus::slot_author(slot, &authorities) else { return Ok(None) };
    let ours = keystore.has_keys(&[(author.to_raw_vec(), sp_core::crypto::key_types::AURA)]);
    Ok(ours.then(|| author.clone()))
}

/// Signs, as the sole GRANDPA authority at `parent`, the commit that finalizes `header`:
/// round = block number (rounds only need to grow), set id from the runtime. `None` if the
/// set is not one key of ours.
pub fn sole_finality(
    chain: &Chain,
    keystore: &KeystorePtr,
    parent: Hash,
    header: &Header,
) -> Result<Option<SoleFinality>, AuthoringError> {
    use sp_consensus_grandpa::AuthoritySignature;
    let Some(id) = sole_finality_key(chain, keystore, parent)? else { return Ok(None) };
    let set_id = chain.runtime_api().current_set_id(parent)?;
    let (target_hash, target_number) = (header.hash(), *header.number());
    let round = u64::from(target_number);
    let precommit = finality_grandpa::Precommit { target_hash, target_number };
    let payload = sp_consensus_grandpa::localized_payload(
        round,
        set_id,
        &finality_grandpa::Message::Precommit(precommit.clone()),
    );
    let public: sp_core::ed25519::Public = id.clone().into();
    let signature: AuthoritySignature = keystore
        .ed25519_sign(sp_core::crypto::key_types::GRANDPA, &public, &payload)
        .map_err(|e| AuthoringError::FinalitySigning(format!("{id}: {e}")))?
        .ok_or_else(|| AuthoringError::FinalitySigning(id.to_string()))?
        .into();
    let commit = finality_grandpa::Commit {
        target_hash,
        target_number,
        precommits: vec![finality_grandpa::SignedPrecommit {
            precommit: precommit.clone(),
            signature: signature.clone(),
            id: id.clone(),
        }],
    };
    let justification =
        sp_consensus_grandpa::GrandpaJustification::<Header> { round, commit, votes_ancestries: vec![] };
    let compact = finality_grandpa::CompactCommit {
        target_hash,
        target_number,
        precommits: vec![precommit],
        auth_data: vec![(signature, id)],
    };
    let gossip = ludus_finality::GossipMessage::Commit { round, set_id, commit: compact };
    Ok(Some(SoleFinality { justification: justification.encode(), gossip: gossip.encode() }))
}

/// The GRANDPA key this node alone finalizes with: the set at `at` is one key, and we hold
/// it (a single-validator chain, e.g. `--dev`).
pub fn sole_finality_key(
    chain: &Chain,
    keystore: &KeystorePtr,
    at: Hash,
) -> Result<Option<sp_consensus_grandpa::AuthorityId>, ChainError> {
    let set = chain.runtime_api().grandpa_authorities(at)?;
    Ok(match set.as_slice() {
        [(id, _)] if keystore.has_keys(&[(id.to_raw_vec(), sp_core::crypto::key_types::GRANDPA)]) => Some(id.clone()),
        _ => None,
    })
}

/// Builds, seals and commits one block in `slot` if we are its author.
/// Returns the committed block and what it included, or `None` if the slot is not ours.
pub fn author_slot(
    chain: &Chain,
    keystore: &KeystorePtr,
    slot: Slot,
    slot_duration: Duration,
    candidates: impl IntoIterator<Item = Candidate>,
) -> Result<Option<(Block, BuiltBlock, Option<SoleFinality>)>, AuthoringError> {
    let info = chain.info();
    let parent = chain.expect_header(info.best_hash)?;
    if slot <= parent_slot(&parent)? {
        return Ok(None);
    }
    let Some(author) = our_slot_author(chain, keystore, info.best_hash, slot)? else { return Ok(None) };
    let timestamp = (*slot).saturating_mul(slot_duration.as_millis() as u64);
    // Half the slot for building, the rest for sealing, writing and propagation.
    // Measured from the slot's start, not from now: the slot worker may have waited for an
    // import first, and a block must still reach the next author before its slot.
    let half_slot_ms = timestamp.saturating_add(slot_duration.as_millis() as u64 / 2);
    let deadline = Instant::now() + Duration::from_millis(half_slot_ms.saturating_sub(now_ms()));
    let mut built = build_block(chain, &parent, slot, timestamp, candidates, deadline)?;
    seal_block(keystore, &author, &mut built.block)?;
    let finality = sole_finality(chain, keystore, info.best_hash, &built.block.header)?;
    let block = built.block.clone();
    let state_transaction = std::mem::take(&mut built.state_transaction);
    chain.commit(BlockCommit {
        block: block.clone(),
        justifications: finality
            .as_ref()
            .map(|f| Justifications::from((sp_consensus_grandpa::GRANDPA_ENGINE_ID, f.justification.clone()))),
        state_transaction,
        is_new_best: true,
        finalize: finality.is_some(),
    })?;
    Ok(Some((block, built, finality)))
}

/// Builds an empty block on `parent` in `slot`, sealed by Alice, and writes it without
/// making it the best block; returns its header. For tests that need forks.
#[cfg(test)]
pub(crate) fn commit_empty_block_on(chain: &Chain, keystore: &KeystorePtr, parent: &Header, slot: u64) -> Header {
    use sp_core::Pair;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut built = build_block(chain, parent, slot.into(), slot * 1_000, Vec::new(), deadline).unwrap();
    let author: AuthorityId = crate::test_utils::pair("//Alice").public().into();
    seal_block(keystore, &author, &mut built.block).unwrap();
    let header = built.block.header.clone();
    let commit = BlockCommit {
        block: built.block,
        justifications: None,
        state_transaction: built.state_transaction,
        is_new_best: false,
        finalize: false,
    };
    chain.commit(commit).unwrap();
    header
}
