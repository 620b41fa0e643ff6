//! Deposits: validators' attestations, counted per identical deposit, executed once:
//! minted, or refunded to the depositor on the L1 when they cannot be.

use codec::DecodeAll;
use frame_support::{
    ensure,
    storage::with_storage_layer,
    traits::{
        fungibles::{Inspect, Mutate},
        tokens::{DepositConsequence, Provenance},
        Get,
    },
};
use ludus_primitives::bridge::Deposit;
use sp_core::ecdsa;
use sp_runtime::DispatchResult;

use crate::*;

/// What an acceptable attestation was checked against.
pub struct AttestationCheck {
    /// The current set, whose member attests.
    pub set_id: ValidatorSetId,
    /// Its size, for the threshold.
    pub set_size: u32,
}

impl<T: Config> Pallet<T> {
    /// Whether `validator_index` of the current set may attest `deposit` with `signature`.
    ///
    /// Used by `ValidateUnsigned` and again at dispatch: the pool is not the only way in.
    pub fn check_attestation(
        deposit: &Deposit,
        validator_index: u32,
        signature: &ecdsa::Signature,
    ) -> Result<AttestationCheck, Error<T>> {
        let params = L1Params::<T>::get().ok_or(Error::<T>::L1ParamsUnset)?;
        ensure!(!Paused::<T>::get().deposits, Error::<T>::DepositsPaused);
        ensure!(deposit.nonce != 0, Error::<T>::ZeroNonce);
        let lowest = LowestUnexecutedNonce::<T>::get();
        ensure!(
            deposit.nonce >= lowest && !ExecutedDeposits::<T>::contains_key(deposit.nonce),
            Error::<T>::DepositAlreadyExecuted
        );
        // Vault nonces are contiguous: honest relayers attest the deposits in flight, never
        // one far ahead, so a far nonce costs the chain nothing until its turn comes.
        ensure!(deposit.nonce.saturating_sub(lowest) < T::AttestationWindow::get(), Error::<T>::NonceBeyondWindow);
        let set_id = CurrentSetId::<T>::get();
        let set = ValidatorSets::<T>::get(set_id);
        let validator = set.get(validator_index as usize).ok_or(Error::<T>::UnknownValidator)?;
        // One attestation per validator and nonce, whatever it says: a validator cannot back
        // two versions of the same deposit.
        ensure!(
            !Attestations::<T>::contains_key((deposit.nonce, set_id, validator_index)),
            Error::<T>::AlreadyAttested
        );
        // An honest validator attests in nonce order, so it has attested the lowest nonce
        // before any other it holds open: exempting the lowest never lets a cap stall it.
        ensure!(
            deposit.nonce == lowest || OpenAttestations::<T>::get(validator_index) < T::MaxOpenAttestations::get(),
            Error::<T>::TooManyOpenAttestations
        );
        let digest = deposit.attestation_digest(Self::sidechain_genesis(), params.chain_id, params.vault);
        ensure!(
            sp_io::crypto::ecdsa_verify_prehashed(signature, digest.as_fixed_bytes(), &validator.key),
            Error::<T>::BadSignature
        );
        Ok(AttestationCheck { set_id, set_size: set.len() as u32 })
    }

    /// Records the attestation and executes the deposit when its exact hash reached the
    /// threshold of the current set.
    pub(crate) fn do_attest_deposit(
        deposit: Deposit,
        validator_index: u32,
        signature: &ecdsa::Signature,
    ) -> DispatchResult {
        let AttestationCheck { set_id, set_size } = Self::check_attestation(&deposit, validator_index, signature)?;
        let deposit_hash = deposit.deposit_hash();
        Attestations::<T>::insert((deposit.nonce, set_id, validator_index), deposit_hash);
        OpenAttestations::<T>::mutate(validator_index, |open| *open = open.saturating_add(1));
        // Counted per hash: attestations that differ in any field never add up.
        let attestations = AttestationTally::<T>::mutate((deposit.nonce, set_id, deposit_hash), |count| {
            *count = count.saturating_add(1);
            *count
        });
        Self::deposit_event(Event::DepositAttested {
            nonce: deposit.nonce,
            validator: validator_index,
            deposit_hash,
            attestations,
        });
        if attestations >= threshold(set_size) {
            Self::execute_deposit(&deposit);
        }
        Ok(())
    }

    /// Spends the nonce and mints, or records why not.
    fn execute_deposit(deposit: &Deposit) {
        // Attestations of a spent nonce are dead weight: at most `MaxValidators` of them, all
        // of the current set (a set change clears the others).
        for ((_, validator), _) in Attestations::<T>::drain_prefix((deposit.nonce,)) {
            OpenAttestations::<T>::mutate_exists(validator, |open| {
                *open = open.and_then(|count| count.checked_sub(1)).filter(|count| *count > 0);
            });
        }
        let _ = AttestationTally::<T>::clear_prefix((deposit.nonce,), u32::MAX, None);
        let outcome = Self::mint_deposit(deposit);
        ExecutedDeposits::<T>::insert(deposit.nonce, outcome);
        // The lowest unexecuted nonce moves over the nonces executed ahead of it, at most
        // `AttestationWindow` steps (only nonces inside the window execute). Below it a
        // record only tells what came of a deposit, for the last `DepositOutcomeRetention`
        // nonces: each step drops the one that falls out of them, one write however much
        // history there is. A nonce whose record is gone is still executed by that rule.
        let retention = T::DepositOutcomeRetention::get();
        let mut lowest = LowestUnexecutedNonce::<T>::get();
        while ExecutedDeposits::<T>::contains_key(lowest) {
            if let Some(expired) = lowest.checked_sub(retention).filter(|nonce| *nonce > 0) {
                ExecutedDeposits::<T>::remove(expired);
            }
            lowest = lowest.saturating_add(1);
        }
        LowestUnexecutedNonce::<T>::put(lowest);
    }

    /// Drops every open attestation: they were made by the outgoing set, whose members no
    /// longer count. Returns how many entries were removed (at most `MaxValidators` times
    /// `MaxOpenAttestations + 1`, twice), for the weight.
    pub(crate) fn clear_attestations() -> u32 {
        let attestations = Attestations::<T>::clear(u32::MAX, None).backend;
        let tallies = AttestationTally::<T>::clear(u32::MAX, None).backend;
        let open = OpenAttestations::<T>::clear(u32::MAX, None).backend;
        attestations.saturating_add(tallies).saturating_add(open)
    }

    /// Mints `deposit` to its recipient, or, when it cannot be minted, refunds it: a
    /// withdrawal of the same token and amount to the depositor, in the open period like a
    /// burnt one. The Vault still holds the deposited tokens, so the refund is paid from
    /// them; nothing is minted or burnt for it, so the token's ledger is untouched.
    fn mint_deposit(deposit: &Deposit) -> DepositOutcome {
        let reason = match Self::try_mint(deposit) {
            Ok((asset, recipient)) => {
                Self::deposit_event(Event::DepositExecuted {
                    nonce: deposit.nonce,
                    token: deposit.token,
                    asset,
                    recipient,
                    amount: deposit.amount,
                });
                return DepositOutcome::Minted;
            }
            Err(reason) => reason,
        };
        match Self::enqueue_withdrawal(deposit.token, deposit.depositor, deposit.amount) {
            Ok(withdrawal_id) => {
                Self::deposit_event(Event::DepositRefunded {
                    nonce: deposit.nonce,
                    withdrawal_id,
                    reason,
                    token: deposit.token,
                    depositor: deposit.depositor,
                    amount: deposit.amount,
                });
                DepositOutcome::Refunded { withdrawal: withdrawal_id, reason }
            }
            Err(_) => {
                Self::deposit_event(Event::DepositFailed { nonce: deposit.nonce, reason });
                DepositOutcome::Failed { reason }
            }
        }
    }

    /// Mints `deposit` and records it in its token's ledger; a refusal leaves no write.
    fn try_mint(deposit: &Deposit) -> Result<(AssetIdOf<T>, T::AccountId), RefundReason> {
        let mut info = Tokens::<T>::get(deposit.token).ok_or(RefundReason::UnknownToken)?;
        let recipient =
            T::AccountId::decode_all(&mut &deposit.recipient[..]).map_err(|_| RefundReason::InvalidRecipient)?;
        // What is outstanding never exceeds the asset's supply, so this overflows only with
        // a supply that would overflow too.
        info.outstanding = info.outstanding.checked_add(deposit.amount).ok_or(RefundReason::LedgerOverflow)?;
        let refusal = match T::Assets::can_deposit(info.asset.clone(), &recipient, deposit.amount, Provenance::Minted) {
            DepositConsequence::Success => RefundReason::AssetRefused,
            DepositConsequence::BelowMinimum => RefundReason::BelowMinimum,
            DepositConsequence::Overflow => RefundReason::LedgerOverflow,
            _ => RefundReason::AssetRefused,
        };
        // In its own layer: a refused mint must not leave half its writes behind. A frozen
        // asset passes `can_deposit` and is refused here.
        with_storage_layer(|| T::Assets::mint_into(info.asset.clone(), &recipient, deposit.amount))
            .map_err(|_| refusal)?;
        let asset = info.asset.clone();
        Tokens::<T>::insert(deposit.token, info);
        Ok((asset, recipient))
    }
}
