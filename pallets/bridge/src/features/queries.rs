//! Reads for the runtime API and the node's checkpoint signer.

use alloc::vec::Vec;
use ludus_primitives::bridge::{merkle_proof, Checkpoint, Deposit};
use sp_core::{ecdsa, H256};

use crate::*;

/// The most checkpoints [`Pallet::checkpoints_to_sign`] scans in one call, upwards from the
/// lowest unsigned one: the oldest are always offered first, so none is ever skipped, and a
/// key that signed them all and waits for the others costs its signer a bounded scan.
pub const MAX_SIGNING_SCAN: u64 = 1_024;

impl<T: Config> Pallet<T> {
    /// The checkpoint holding withdrawal `id`, if it was checkpointed.
    ///
    /// A withdrawal taken back from an abandoned checkpoint is where
    /// [`RecommittedWithdrawals`] says. Every other one is in the checkpoint that first
    /// committed it: ids are first committed in order and each checkpoint records the first
    /// it commits, so that is the last checkpoint whose first id is at most `id`, a binary
    /// search over checkpoint numbers.
    pub fn checkpoint_of_withdrawal(id: WithdrawalId) -> Option<CheckpointNumber> {
        // Taken back from an abandoned checkpoint: committed again (or waiting to be).
        if let Some(number) = RecommittedWithdrawals::<T>::get(id) {
            return (number != 0).then_some(number);
        }
        let latest = LatestCheckpoint::<T>::get();
        let last = CheckpointWithdrawals::<T>::get(latest)?;
        let new = last.withdrawals.iter().filter(|withdrawal| withdrawal.id >= last.first_id).count();
        let end = last.first_id.saturating_add(new as u64);
        if id == 0 || id >= end {
            return None;
        }
        let (mut low, mut high) = (1, latest);
        while low < high {
            let middle = low + (high - low).div_ceil(2);
            let first = CheckpointWithdrawals::<T>::get(middle).map_or(u64::MAX, |period| period.first_id);
            if first <= id {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        Some(low)
    }

    /// Where withdrawal `id` stands; `None` if there is no such withdrawal.
    pub fn withdrawal_status(id: WithdrawalId) -> Option<WithdrawalStatus> {
        if id == 0 || id >= NextWithdrawalId::<T>::get() {
            return None;
        }
        Some(match Self::checkpoint_of_withdrawal(id) {
            None => WithdrawalStatus::Pending,
            Some(number) if Self::is_signed(number) => WithdrawalStatus::Signed { number },
            Some(number) => WithdrawalStatus::InCheckpoint { number },
        })
    }

    /// Withdrawal `id`, its checkpoint, its leaf and its Merkle proof against the
    /// checkpoint's `withdrawals_root`; `None` until it is checkpointed.
    ///
    /// The leaf is bound to the L1 chain and Vault recorded with the checkpoint, which are
    /// the current [`L1Params`] only until root changes them.
    pub fn withdrawal_proof(id: WithdrawalId) -> Option<WithdrawalProof> {
        let checkpoint = Self::checkpoint_of_withdrawal(id)?;
        let period = CheckpointWithdrawals::<T>::get(checkpoint)?;
        // In id order, but not contiguous when it holds withdrawals committed again.
        let index = period.withdrawals.binary_search_by_key(&id, |withdrawal| withdrawal.id).ok()?;
        let withdrawal = *period.withdrawals.get(index)?;
        let leaves = period.leaves();
        let leaf = *leaves.get(index)?;
        let proof = merkle_proof(&leaves, index).ok()?;
        Some(WithdrawalProof { withdrawal, checkpoint, leaf, proof })
    }

    /// Checkpoint `number` with its signatures ordered by signer address (as
    /// `Checkpoints.submit` demands), once it has enough of them; `None` again once they were
    /// pruned (below [`SignaturesRetainedFrom`]), when an archive node serves them from the
    /// state of an older block.
    pub fn signed_checkpoint(number: CheckpointNumber) -> Option<(Checkpoint, Vec<EthSignature>)> {
        if number < SignaturesRetainedFrom::<T>::get() || !CheckpointTallies::<T>::get(number).signed {
            return None;
        }
        let checkpoint = Checkpoints::<T>::get(number)?;
        let mut signatures: Vec<(u32, EthSignature)> = CheckpointSignatures::<T>::iter_prefix(number).collect();
        // Sets are stored sorted by address, so the index order is the address order.
        signatures.sort_by_key(|(index, _)| *index);
        Some((checkpoint, signatures.into_iter().map(|(_, signature)| signature).collect()))
    }

    /// For the node's signer: the checkpoints `key` should sign and has not, as
    /// `(number, validator index, digest)`, oldest first, from [`LowestUnsignedCheckpoint`]
    /// however old it is (scanning at most [`MAX_SIGNING_SCAN`] checkpoints). Empty while
    /// the L1 parameters are unset: there is no digest to sign.
    pub fn checkpoints_to_sign(key: &ecdsa::Public) -> Vec<(CheckpointNumber, u32, H256)> {
        let Some(params) = L1Params::<T>::get() else {
            return Vec::new();
        };
        let latest = LatestCheckpoint::<T>::get();
        let oldest = LowestUnsignedCheckpoint::<T>::get().max(1);
        let last = latest.min(oldest.saturating_add(MAX_SIGNING_SCAN - 1));
        (oldest..=last)
            .filter(|number| !CheckpointTallies::<T>::get(number).signed)
            .filter_map(|number| {
                let checkpoint = Checkpoints::<T>::get(number)?;
                let set = ValidatorSets::<T>::get(checkpoint.validator_set_id);
                let index = set.iter().position(|validator| validator.key == *key)? as u32;
                if CheckpointSignatures::<T>::contains_key(number, index) {
                    return None;
                }
                Some((number, index, checkpoint.digest(params.chain_id, params.checkpoints_contract)))
            })
            .collect()
    }

    /// Validator set `set_id` (the current set if `None`) as the L1's Checkpoints contract
    /// takes it: its members' Ethereum addresses in ascending order and its hash. `None` if
    /// that set was never installed (a queued set has no id here until it takes over).
    pub fn validator_set(set_id: Option<ValidatorSetId>) -> Option<L1ValidatorSet> {
        let set_id = set_id.unwrap_or_else(CurrentSetId::<T>::get);
        let set = ValidatorSets::<T>::get(set_id);
        if set.is_empty() {
            return None;
        }
        // Sets are stored sorted by address (checked by `do_try_state`).
        Some(L1ValidatorSet {
            set_id,
            validators: set.iter().map(|validator| validator.address).collect(),
            hash: Self::set_hash(set_id, &set),
        })
    }

    /// The lowest deposit nonce not executed yet: every nonce below it is.
    pub fn lowest_unexecuted_nonce() -> u64 {
        LowestUnexecutedNonce::<T>::get()
    }

    /// Where deposit `nonce` stands: executed, with its outcome (minted, or refunded as
    /// which withdrawal) if it is one of the last `DepositOutcomeRetention` nonces below
    /// [`LowestUnexecutedNonce`] or was executed ahead of it, and without for an older one;
    /// pending with the current set's attestations; or `None` when no validator of the
    /// current set attested it (nonce 0, a deposit not seen yet, or one whose attestations
    /// a set change cleared).
    pub fn deposit_status(nonce: u64) -> Option<DepositStatus> {
        if nonce == 0 {
            return None;
        }
        if let Some(outcome) = ExecutedDeposits::<T>::get(nonce) {
            return Some(DepositStatus::Executed { outcome: Some(outcome) });
        }
        if nonce < LowestUnexecutedNonce::<T>::get() {
            return Some(DepositStatus::Executed { outcome: None });
        }
        let set_id = CurrentSetId::<T>::get();
        // At most `MaxValidators` entries: one per validator of the current set.
        let mut attested_by: Vec<u32> = Attestations::<T>::iter_key_prefix((nonce, set_id)).collect();
        if attested_by.is_empty() {
            return None;
        }
        attested_by.sort_unstable();
        let attestations = AttestationTally::<T>::iter_prefix_values((nonce, set_id)).max().unwrap_or_default();
        let set_size = ValidatorSets::<T>::decode_len(set_id).unwrap_or_default() as u32;
        Some(DepositStatus::Pending { set_id, attestations, threshold: threshold(set_size), attested_by })
    }

    /// The L1 chain and contracts every signed digest is bound to; `None` until set.
    pub fn l1_params() -> Option<L1Parameters> {
        L1Params::<T>::get()
    }

    /// The digest a validator of the current set signs to attest `deposit`
    /// ([`Deposit::attestation_digest`] over this chain's genesis and the current
    /// [`L1Params`]), exactly what [`Pallet::check_attestation`] verifies; `None` while the
    /// L1 parameters are unset.
    pub fn deposit_attestation_digest(deposit: &Deposit) -> Option<H256> {
        let params = L1Params::<T>::get()?;
        Some(deposit.attestation_digest(Self::sidechain_genesis(), params.chain_id, params.vault))
    }
}
