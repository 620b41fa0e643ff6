//! The pallet's invariants, checked by `try-runtime` and after every test.

use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::{ensure, traits::fungibles::Inspect};
use sp_core::H256;
use sp_runtime::DispatchError;

use frame_support::traits::Get;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Checks every invariant of the pallet's storage.
    ///
    /// # Invariants
    ///
    /// - Registry: [`Tokens`] and [`AssetTokens`] are each other's inverse, [`TokenCount`]
    ///   counts them and is at most `MaxTokens`; for every token, the asset's sidechain
    ///   supply is at most what is `outstanding` (minted for deposits, not yet burnt).
    /// - Deposits: no attestation or tally is left for an executed nonce (a nonce is executed
    ///   once: below [`LowestUnexecutedNonce`] by that rule, above it by its entry in
    ///   [`ExecutedDeposits`], and nothing can count towards it again); every tally equals
    ///   the attestations of that hash, and is below its set's threshold (else the deposit
    ///   would have executed). Every nonce below [`LowestUnexecutedNonce`] is executed and it
    ///   is not; attestations are all of the current set, for nonces in the window above it,
    ///   and [`OpenAttestations`] counts them per validator (at most `MaxOpenAttestations`,
    ///   plus the lowest nonce's).
    /// - Deposit outcomes: [`ExecutedDeposits`] holds nonces from
    ///   `DepositOutcomeRetention` below [`LowestUnexecutedNonce`] to the attestation window
    ///   above it, nothing older; those below it are one run of consecutive nonces ending
    ///   just below it (each nonce it passed keeps its record until it falls out of the
    ///   retention), so at most `DepositOutcomeRetention` of them. Every refund names a
    ///   withdrawal that exists, and no two name the same one.
    /// - Validators: every stored set is non-empty, sorted by strictly ascending address;
    ///   the current set exists unless no set was ever installed; a queued set is non-empty.
    /// - Checkpoints: numbered 1..=[`LatestCheckpoint`] without gaps, each with its
    ///   withdrawals, in id order, whose ids committed for the first time (from its
    ///   `first_id`) are contiguous across checkpoints and the open period (and the queue) up
    ///   to [`NextWithdrawalId`]; those below `first_id` were committed again after their
    ///   checkpoint was abandoned and [`RecommittedWithdrawals`] names this checkpoint for
    ///   them; every withdrawal of an abandoned checkpoint is recorded there as waiting (0)
    ///   or in a later checkpoint, and the waiting ones open the open period, in id order;
    ///   whose root (leaves bound to the L1 chain and Vault recorded with
    ///   them, not the current [`L1Params`]) is the checkpoint's, and whose block ranges are
    ///   contiguous up to [`PeriodStart`]; each tally counts the stored signatures, is at
    ///   most its set's size, and `signed` means it reached the threshold; every checkpoint
    ///   below [`LowestUnsignedCheckpoint`] is signed or abandoned (an abandoned one is
    ///   unsigned) and it is not. Signatures and tallies
    ///   are stored from [`SignaturesRetainedFrom`] on only, which never passes the last
    ///   `CheckpointSignatureRetention` checkpoints below the lowest unsigned one.
    /// - Withdrawal queue: [`QueuedWithdrawals`] holds [`QueuedWithdrawalCount`] entries, the
    ///   ids right after the open period's up to [`NextWithdrawalId`], and is empty unless
    ///   the open period is full.
    /// - Fees: every withdrawal (committed, open or queued) names a fee of at most its
    ///   amount; the Vault refuses any other, so it could never be paid.
    pub fn do_try_state() -> Result<(), DispatchError> {
        Self::check_registry()?;
        Self::check_deposits()?;
        Self::check_validators()?;
        Self::check_checkpoints()
    }

    fn check_registry() -> Result<(), DispatchError> {
        let mut count = 0u32;
        for (token, info) in Tokens::<T>::iter() {
            count = count.saturating_add(1);
            ensure!(AssetTokens::<T>::get(&info.asset) == Some(token), "asset does not map back to its token");
            ensure!(
                T::Assets::total_issuance(info.asset.clone()) <= info.outstanding,
                "sidechain supply exceeds what is outstanding"
            );
        }
        for (asset, token) in AssetTokens::<T>::iter() {
            ensure!(
                Tokens::<T>::get(token).map(|info| info.asset) == Some(asset),
                "token does not map back to its asset"
            );
        }
        ensure!(TokenCount::<T>::get() == count, "TokenCount is not the number of tokens");
        ensure!(count <= T::MaxTokens::get(), "more than MaxTokens tokens");
        Ok(())
    }

    fn check_deposits() -> Result<(), DispatchError> {
        let mut counted: BTreeMap<(u64, ValidatorSetId, H256), u32> = BTreeMap::new();
        for ((nonce, set_id, validator), hash) in Attestations::<T>::iter() {
            ensure!(!ExecutedDeposits::<T>::contains_key(nonce), "attestation left for an executed nonce");
            ensure!(
                (validator as usize) < ValidatorSets::<T>::get(set_id).len(),
                "attestation by a validator outside its set"
            );
            let entry = counted.entry((nonce, set_id, hash)).or_default();
            *entry = entry.saturating_add(1);
        }
        let mut tallies = 0usize;
        for ((nonce, set_id, hash), tally) in AttestationTally::<T>::iter() {
            tallies = tallies.saturating_add(1);
            ensure!(counted.get(&(nonce, set_id, hash)) == Some(&tally), "tally differs from its attestations");
            let set_size = ValidatorSets::<T>::get(set_id).len() as u32;
            ensure!(tally < threshold(set_size), "a tally reached the threshold without executing");
        }
        ensure!(tallies == counted.len(), "attestations without a tally");
        ensure!(!ExecutedDeposits::<T>::contains_key(0), "nonce 0 executed");
        let next_withdrawal = NextWithdrawalId::<T>::get();
        let mut refunds = BTreeSet::new();
        for (_, outcome) in ExecutedDeposits::<T>::iter() {
            if let DepositOutcome::Refunded { withdrawal, .. } = outcome {
                ensure!(withdrawal >= 1 && withdrawal < next_withdrawal, "a refund names no withdrawal");
                ensure!(refunds.insert(withdrawal), "two refunds name the same withdrawal");
            }
        }
        let lowest = LowestUnexecutedNonce::<T>::get();
        ensure!(lowest >= 1, "the lowest unexecuted nonce is 0");
        ensure!(!ExecutedDeposits::<T>::contains_key(lowest), "the lowest unexecuted nonce is executed");
        let window_end = lowest.saturating_add(T::AttestationWindow::get());
        let retention = T::DepositOutcomeRetention::get();
        let retained_from = lowest.saturating_sub(retention);
        let (mut kept, mut oldest_kept) = (0u64, lowest);
        for nonce in ExecutedDeposits::<T>::iter_keys() {
            ensure!(nonce >= retained_from, "an executed deposit's outcome is kept past the retention");
            ensure!(nonce < window_end, "an executed-deposit record beyond the window");
            if nonce < lowest {
                kept = kept.saturating_add(1);
                oldest_kept = oldest_kept.min(nonce);
            }
        }
        // Distinct nonces in `oldest_kept..lowest`, as many as that range holds: no gap.
        ensure!(lowest.saturating_sub(oldest_kept) == kept, "a gap among the kept deposit outcomes");
        ensure!(kept <= retention, "more deposit outcomes kept than the retention");
        let mut open: BTreeMap<u32, u32> = BTreeMap::new();
        for ((nonce, set_id, validator), _) in Attestations::<T>::iter() {
            ensure!(set_id == CurrentSetId::<T>::get(), "an attestation of a former set is left");
            ensure!(nonce >= lowest && nonce < window_end, "an attestation outside the window");
            let entry = open.entry(validator).or_default();
            *entry = entry.saturating_add(1);
        }
        let stored: BTreeMap<u32, u32> = OpenAttestations::<T>::iter().collect();
        ensure!(stored == open, "OpenAttestations does not count each validator's attestations");
        for count in open.values() {
            ensure!(
                *count <= T::MaxOpenAttestations::get().saturating_add(1),
                "a validator holds too many attestations"
            );
        }
        Ok(())
    }

    fn check_validators() -> Result<(), DispatchError> {
        for (_, set) in ValidatorSets::<T>::iter() {
            ensure!(!set.is_empty(), "an empty validator set is stored");
            ensure!(set.windows(2).all(|pair| pair[0].address < pair[1].address), "a set is not sorted by address");
        }
        let current = CurrentSetId::<T>::get();
        ensure!(current == 0 || ValidatorSets::<T>::contains_key(current), "the current set is missing");
        if let Some(queued) = QueuedValidators::<T>::get() {
            ensure!(!queued.is_empty(), "an empty set is queued");
            ensure!(ValidatorSets::<T>::contains_key(current), "a set is queued behind no set");
        }
        Ok(())
    }

    fn check_checkpoints() -> Result<(), DispatchError> {
        let latest = LatestCheckpoint::<T>::get();
        let retained_from = SignaturesRetainedFrom::<T>::get();
        let mut next_id = 1u64;
        let mut next_block = 1u32;
        for number in 1..=latest {
            let checkpoint = Checkpoints::<T>::get(number).ok_or("a checkpoint number is missing")?;
            let period = CheckpointWithdrawals::<T>::get(number).ok_or("a checkpoint's withdrawals are missing")?;
            ensure!(checkpoint.number == number, "a checkpoint is stored under another number");
            ensure!(checkpoint.first_block == next_block, "checkpoint block ranges are not contiguous");
            ensure!(checkpoint.last_block >= checkpoint.first_block, "a checkpoint covers no block");
            next_block = checkpoint.last_block.saturating_add(1);
            ensure!(period.first_id == next_id, "withdrawal ids are not contiguous across checkpoints");
            ensure!(
                period.withdrawals.windows(2).all(|pair| pair[0].id < pair[1].id),
                "a checkpoint's withdrawals are not in id order"
            );
            let abandoned = AbandonedCheckpoints::<T>::contains_key(number);
            if abandoned {
                ensure!(
                    number < LowestUnsignedCheckpoint::<T>::get(),
                    "an abandoned checkpoint is not below the lowest unsigned one"
                );
                ensure!(!CheckpointTallies::<T>::get(number).signed, "an abandoned checkpoint is signed");
            }
            let mut fresh = 0u64;
            for withdrawal in period.withdrawals.iter() {
                ensure!(withdrawal.fee <= withdrawal.amount, "a committed withdrawal's fee is above its amount");
                let recommitted = RecommittedWithdrawals::<T>::get(withdrawal.id);
                if abandoned {
                    // Taken back: now waiting (0) or in a later checkpoint.
                    ensure!(
                        recommitted.is_some_and(|later| later == 0 || later > number),
                        "an abandoned checkpoint's withdrawal was not taken back"
                    );
                } else if withdrawal.id < period.first_id {
                    ensure!(recommitted == Some(number), "a withdrawal committed again is not recorded there");
                } else {
                    ensure!(recommitted.is_none(), "a withdrawal of a live checkpoint is recorded as taken back");
                }
                if withdrawal.id >= period.first_id {
                    ensure!(withdrawal.id == next_id.saturating_add(fresh), "withdrawal ids skip");
                    fresh = fresh.saturating_add(1);
                }
            }
            next_id = next_id.saturating_add(fresh);
            ensure!(
                ludus_primitives::bridge::withdrawals_root(&period.leaves()) == checkpoint.withdrawals_root,
                "a checkpoint's root is not its withdrawals' root"
            );
            let set_size = ValidatorSets::<T>::get(checkpoint.validator_set_id).len() as u32;
            if number < retained_from {
                ensure!(
                    !CheckpointTallies::<T>::contains_key(number)
                        && CheckpointSignatures::<T>::iter_prefix(number).next().is_none(),
                    "a pruned checkpoint's signatures are left"
                );
                continue;
            }
            let tally = CheckpointTallies::<T>::get(number);
            let stored = CheckpointSignatures::<T>::iter_prefix(number).count() as u32;
            ensure!(tally.count == stored, "signature tally differs from the stored signatures");
            ensure!(stored <= set_size, "more signatures than signers");
            ensure!(tally.signed == (stored >= threshold(set_size)), "signed flag disagrees with the threshold");
        }
        ensure!(!Checkpoints::<T>::contains_key(latest.saturating_add(1)), "a checkpoint beyond the latest");
        let lowest_unsigned = LowestUnsignedCheckpoint::<T>::get();
        ensure!(lowest_unsigned >= 1 && lowest_unsigned <= latest.saturating_add(1), "lowest unsigned out of range");
        ensure!(
            retained_from >= 1
                && retained_from <= lowest_unsigned.saturating_sub(T::CheckpointSignatureRetention::get()).max(1),
            "signatures within the retention horizon were pruned"
        );
        ensure!(
            (retained_from..lowest_unsigned).all(|number| {
                CheckpointTallies::<T>::get(number).signed || AbandonedCheckpoints::<T>::contains_key(number)
            }),
            "a checkpoint below the lowest unsigned one is unsigned and not abandoned"
        );
        for (id, number) in RecommittedWithdrawals::<T>::iter() {
            if number != 0 {
                ensure!(
                    !AbandonedCheckpoints::<T>::contains_key(number)
                        && CheckpointWithdrawals::<T>::get(number)
                            .is_some_and(|period| period.withdrawals.iter().any(|withdrawal| withdrawal.id == id)),
                    "a re-commit record names a checkpoint that does not hold the withdrawal"
                );
            }
        }
        for number in AbandonedCheckpoints::<T>::iter_keys() {
            ensure!(number >= 1 && number <= latest, "an abandoned checkpoint does not exist");
        }
        ensure!(!CheckpointTallies::<T>::get(lowest_unsigned).signed, "the lowest unsigned checkpoint is signed");
        let pending = PendingWithdrawals::<T>::get();
        ensure!(
            pending.iter().all(|withdrawal| withdrawal.fee <= withdrawal.amount),
            "an open withdrawal's fee is above its amount"
        );
        // Withdrawals taken back from abandoned checkpoints first, then new ones.
        let waiting =
            pending.iter().take_while(|withdrawal| RecommittedWithdrawals::<T>::get(withdrawal.id) == Some(0)).count();
        let (requeued, new) = pending.split_at(waiting);
        ensure!(
            requeued.windows(2).all(|pair| pair[0].id < pair[1].id)
                && requeued.iter().all(|withdrawal| withdrawal.id < next_id),
            "withdrawals put back are not in id order before the new ones"
        );
        ensure!(
            RecommittedWithdrawals::<T>::iter_values().filter(|number| *number == 0).count() == waiting,
            "a withdrawal put back is not in the open period"
        );
        for (offset, withdrawal) in new.iter().enumerate() {
            ensure!(withdrawal.id == next_id.saturating_add(offset as u64), "pending withdrawal ids skip");
        }
        let queue_head = next_id.saturating_add(new.len() as u64);
        let queued = QueuedWithdrawalCount::<T>::get();
        ensure!(
            queued == 0 || pending.len() as u32 == T::MaxWithdrawalsPerCheckpoint::get(),
            "withdrawals queue behind an open period that has room"
        );
        ensure!(QueuedWithdrawals::<T>::iter_keys().count() as u64 == queued, "QueuedWithdrawalCount is off");
        for id in queue_head..queue_head.saturating_add(queued) {
            let withdrawal = QueuedWithdrawals::<T>::get(id).ok_or("queued withdrawal ids skip")?;
            ensure!(withdrawal.id == id, "a queued withdrawal is stored under another id");
            ensure!(withdrawal.fee <= withdrawal.amount, "a queued withdrawal's fee is above its amount");
        }
        ensure!(
            NextWithdrawalId::<T>::get() == queue_head.saturating_add(queued),
            "NextWithdrawalId is not after the last withdrawal"
        );
        let period_start: u32 = sp_runtime::traits::UniqueSaturatedInto::unique_saturated_into(PeriodStart::<T>::get());
        ensure!(period_start == next_block, "the open period does not follow the last checkpoint");
        Ok(())
    }
}
