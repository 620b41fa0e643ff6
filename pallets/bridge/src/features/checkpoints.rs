//! Checkpoints: fixed when they commit to something (withdrawals, a set change) and at each
//! heartbeat, then signed by their set.

use frame_support::{ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use ludus_primitives::bridge::{eth_signature, withdrawals_root, Checkpoint};
use sp_core::{ecdsa, H256};
use sp_runtime::{
    traits::{One, Saturating, UniqueSaturatedInto},
    DispatchResult,
};

use crate::*;

/// What an acceptable checkpoint signature was checked against.
pub(crate) struct SignatureCheck {
    /// The size of the checkpoint's set, for the threshold.
    set_size: u32,
    /// The signature in the L1's form.
    eth_signature: EthSignature,
}

impl<T: Config> Pallet<T> {
    /// Fixes a checkpoint at the start of block `now` when it has something to commit and
    /// the period is at least `CheckpointInterval` blocks long (withdrawals), at once (a
    /// queued set), or otherwise when the period is `HeartbeatInterval` blocks long. The
    /// period ends with the parent block, whose hash is known by now.
    ///
    /// Each checkpoint is an L1 transaction for a relayer, so an idle bridge fixes one per
    /// heartbeat only (the L1 still sees the sidechain alive), while a withdrawal waits at
    /// most `CheckpointInterval` blocks after its burn.
    pub(crate) fn on_block(now: BlockNumberFor<T>) -> Weight {
        let start = PeriodStart::<T>::get();
        let checked = T::DbWeight::get().reads(4).saturating_add(Self::prune_signatures());
        // No leaf or digest exists without the L1 parameters: the first checkpoint waits for
        // them (and so does a queued set), so the L1 contract, deployed knowing the genesis
        // hash, starts at checkpoint 1 however late they are set.
        if now <= start || !L1Params::<T>::exists() {
            return checked;
        }
        let elapsed = now.saturating_sub(start);
        let due = QueuedValidators::<T>::exists()
            || elapsed >= T::HeartbeatInterval::get()
            || (elapsed >= T::CheckpointInterval::get() && Self::has_pending_withdrawals());
        if !due {
            return checked;
        }
        let (withdrawals, cleared, recommitted) = Self::fix_checkpoint(start, now.saturating_sub(One::one()));
        // Withdrawals that found the period full go into the new one (issue 9, item 8).
        let promoted = Self::promote_queued_withdrawals();
        checked
            .saturating_add(promoted)
            .saturating_add(T::WeightInfo::fix_checkpoint(withdrawals))
            .saturating_add(T::DbWeight::get().writes(cleared.into()))
            // The re-commit records: one read for the first new withdrawal, one read and one
            // write per withdrawal committed again, and the queue's length when none is new.
            .saturating_add(
                T::DbWeight::get().reads_writes(u64::from(recommitted).saturating_add(2), recommitted.into()),
            )
    }

    /// Removes the signatures and tallies of up to [`MAX_PRUNED_PER_BLOCK`] checkpoints more
    /// than `CheckpointSignatureRetention` below the lowest unsigned one; returns the weight.
    ///
    /// Only signed checkpoints lie below the lowest unsigned one, so nothing a signer still
    /// needs goes; the checkpoints and their withdrawals stay for users' proofs.
    fn prune_signatures() -> Weight {
        let from = SignaturesRetainedFrom::<T>::get();
        let horizon = LowestUnsignedCheckpoint::<T>::get().saturating_sub(T::CheckpointSignatureRetention::get());
        let checked = T::DbWeight::get().reads(2);
        if from >= horizon {
            return checked;
        }
        let until = horizon.min(from.saturating_add(MAX_PRUNED_PER_BLOCK));
        let mut removed = 0u64;
        for number in from..until {
            // A checkpoint has at most one signature per member of its set.
            let signatures = CheckpointSignatures::<T>::clear_prefix(number, T::MaxValidators::get(), None);
            CheckpointTallies::<T>::remove(number);
            removed = removed.saturating_add(u64::from(signatures.backend)).saturating_add(1);
        }
        SignaturesRetainedFrom::<T>::put(until);
        checked.saturating_add(T::DbWeight::get().writes(removed.saturating_add(1)))
    }

    /// Whether checkpoint `number` has enough signatures. Below the lowest unsigned one every
    /// checkpoint is signed, whether or not its tally is still stored.
    pub(crate) fn is_signed(number: CheckpointNumber) -> bool {
        number < LowestUnsignedCheckpoint::<T>::get() || CheckpointTallies::<T>::get(number).signed
    }

    /// Whether a withdrawal waits for a checkpoint (one read of a length, not the list).
    fn has_pending_withdrawals() -> bool {
        PendingWithdrawals::<T>::decode_len().unwrap_or(0) > 0
    }

    /// Fixes the checkpoint over blocks `first..=last` with the open period's withdrawals,
    /// then installs a queued set; returns how many withdrawals it holds and how many
    /// attestation entries a set change cleared, and how many of its withdrawals were
    /// committed again (taken back from abandoned checkpoints).
    fn fix_checkpoint(first: BlockNumberFor<T>, last: BlockNumberFor<T>) -> (u32, u32, u32) {
        let set_id = CurrentSetId::<T>::get();
        let current = ValidatorSets::<T>::get(set_id);
        // Nobody could sign it; the period stays open until there is a set.
        if current.is_empty() {
            return (0, 0, 0);
        }
        let queued = QueuedValidators::<T>::take();
        let next_validator_set_hash = match &queued {
            Some(next) => Self::set_hash(set_id.saturating_add(1), next),
            None => Self::set_hash(set_id, &current),
        };
        let withdrawals = PendingWithdrawals::<T>::take();
        let number = LatestCheckpoint::<T>::get().saturating_add(1);
        // Withdrawals taken back from abandoned checkpoints come first (the lowest ids); the
        // rest are committed for the first time, contiguous from `first_id`.
        let mut recommitted = 0u32;
        for withdrawal in withdrawals.iter() {
            if !RecommittedWithdrawals::<T>::contains_key(withdrawal.id) {
                break;
            }
            RecommittedWithdrawals::<T>::insert(withdrawal.id, number);
            recommitted = recommitted.saturating_add(1);
        }
        let first_id = match withdrawals.get(recommitted as usize) {
            Some(withdrawal) => withdrawal.id,
            // None new: the next new one is the queue's head (the next id when it is empty).
            None => NextWithdrawalId::<T>::get().saturating_sub(QueuedWithdrawalCount::<T>::get()),
        };
        // Leaves bind the L1 chain and the Vault (issue 9, item 6). The binding is stored with
        // the withdrawals: root may change the L1 parameters later, this root stays. (`on_block`
        // fixes nothing before the parameters exist, so the default is never used.)
        let binding = L1Params::<T>::get().map(LeafBinding::from).unwrap_or_default();
        let period = PeriodWithdrawals { first_id, withdrawals, binding };
        let checkpoint = Checkpoint {
            sidechain_genesis: Self::sidechain_genesis(),
            number,
            first_block: first.unique_saturated_into(),
            last_block: last.unique_saturated_into(),
            last_block_hash: Self::block_hash(last),
            withdrawals_root: withdrawals_root(&period.leaves()),
            validator_set_id: set_id,
            next_validator_set_hash,
        };
        let count = period.withdrawals.len() as u32;
        Checkpoints::<T>::insert(number, checkpoint);
        CheckpointWithdrawals::<T>::insert(number, period);
        LatestCheckpoint::<T>::put(number);
        PeriodStart::<T>::put(last.saturating_add(One::one()));
        Self::deposit_event(Event::CheckpointFixed {
            number,
            first_block: checkpoint.first_block,
            last_block: checkpoint.last_block,
            withdrawals_root: checkpoint.withdrawals_root,
            first_withdrawal_id: first_id,
            withdrawals: count,
            validator_set_id: set_id,
        });
        let mut cleared = 0;
        if let Some(next) = queued {
            let next_id = set_id.saturating_add(1);
            let size = next.len() as u32;
            ValidatorSets::<T>::insert(next_id, next);
            CurrentSetId::<T>::put(next_id);
            // The outgoing set's attestations no longer count: the new set attests afresh.
            cleared = Self::clear_attestations();
            Self::deposit_event(Event::ValidatorSetChanged {
                set_id: next_id,
                validators: size,
                set_hash: next_validator_set_hash,
            });
        }
        (count, cleared, recommitted)
    }

    /// The EIP-712 digest validators sign for checkpoint `number`; `None` if there is no
    /// such checkpoint or the L1 parameters are unset.
    pub fn checkpoint_digest(number: CheckpointNumber) -> Option<H256> {
        let params = L1Params::<T>::get()?;
        Checkpoints::<T>::get(number).map(|checkpoint| checkpoint.digest(params.chain_id, params.checkpoints_contract))
    }

    /// Whether `validator_index` of checkpoint `number`'s set may add `signature`.
    ///
    /// Used by `ValidateUnsigned` and again at dispatch.
    pub(crate) fn check_checkpoint_signature(
        number: CheckpointNumber,
        validator_index: u32,
        signature: &ecdsa::Signature,
    ) -> Result<SignatureCheck, Error<T>> {
        let params = L1Params::<T>::get().ok_or(Error::<T>::L1ParamsUnset)?;
        let checkpoint = Checkpoints::<T>::get(number).ok_or(Error::<T>::UnknownCheckpoint)?;
        ensure!(!AbandonedCheckpoints::<T>::contains_key(number), Error::<T>::CheckpointAbandoned);
        // Not the tally alone: a pruned checkpoint has none, and must not gather signatures again.
        ensure!(!Self::is_signed(number), Error::<T>::CheckpointAlreadySigned);
        let set = ValidatorSets::<T>::get(checkpoint.validator_set_id);
        let validator = set.get(validator_index as usize).ok_or(Error::<T>::UnknownValidator)?;
        ensure!(!CheckpointSignatures::<T>::contains_key(number, validator_index), Error::<T>::AlreadySigned);
        let digest = checkpoint.digest(params.chain_id, params.checkpoints_contract);
        ensure!(
            sp_io::crypto::ecdsa_verify_prehashed(signature, digest.as_fixed_bytes(), &validator.key),
            Error::<T>::BadSignature
        );
        // Stored as the contract takes it; a high-s twin would be refused on the L1.
        let eth_signature = eth_signature(signature).map_err(|_| Error::<T>::BadSignature)?;
        Ok(SignatureCheck { set_size: set.len() as u32, eth_signature })
    }

    /// Stores the signature; at the threshold the checkpoint is signed.
    pub(crate) fn do_submit_checkpoint_signature(
        number: CheckpointNumber,
        validator_index: u32,
        signature: &ecdsa::Signature,
    ) -> DispatchResult {
        let SignatureCheck { set_size, eth_signature } =
            Self::check_checkpoint_signature(number, validator_index, signature)?;
        CheckpointSignatures::<T>::insert(number, validator_index, eth_signature);
        let tally = CheckpointTallies::<T>::mutate(number, |tally| {
            tally.count = tally.count.saturating_add(1);
            tally.signed = tally.count >= threshold(set_size);
            *tally
        });
        Self::deposit_event(Event::CheckpointSignatureSubmitted {
            number,
            validator: validator_index,
            signatures: tally.count,
        });
        if tally.signed {
            Self::deposit_event(Event::CheckpointSigned { number });
            // Signatures may complete out of order; the lowest unsigned one moves past all
            // signed ones (at most the checkpoints fixed so far).
            let latest = LatestCheckpoint::<T>::get();
            let mut lowest = LowestUnsignedCheckpoint::<T>::get();
            while lowest <= latest && CheckpointTallies::<T>::get(lowest).signed {
                lowest = lowest.saturating_add(1);
            }
            LowestUnsignedCheckpoint::<T>::put(lowest);
        }
        Ok(())
    }
}
