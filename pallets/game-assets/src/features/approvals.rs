//! Operator approvals.

use frame_support::pallet_prelude::*;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Lets `operator` move `owner`'s tokens in the collection until `expires`.
    pub(crate) fn do_approve(
        owner: T::AccountId,
        collection: CollectionId,
        operator: T::AccountId,
        expires: Option<BlockNumberOf<T>>,
    ) -> DispatchResult {
        Self::collection(collection)?;
        if let Some(expires) = expires {
            ensure!(expires >= frame_system::Pallet::<T>::block_number(), Error::<T>::InvalidExpiry);
        }
        let deposit = match Approvals::<T>::get((collection, &owner, &operator)) {
            // Renewing keeps the deposit already held.
            Some(old) => old.deposit,
            None => {
                let deposit = T::ApprovalDeposit::get();
                Self::hold_deposit(&owner, deposit)?;
                deposit
            }
        };
        Approvals::<T>::insert((collection, &owner, &operator), Approval { expires, deposit });
        Self::deposit_event(Event::ApprovalGranted { collection, owner, operator, expires });
        Ok(())
    }

    /// Removes `owner`'s approval of `operator` and releases its deposit.
    pub(crate) fn do_cancel_approval(
        owner: T::AccountId,
        collection: CollectionId,
        operator: T::AccountId,
    ) -> DispatchResult {
        let approval = Approvals::<T>::take((collection, &owner, &operator)).ok_or(Error::<T>::UnknownApproval)?;
        Self::release_deposit(&owner, approval.deposit);
        Self::deposit_event(Event::ApprovalCancelled { collection, owner, operator });
        Ok(())
    }

    /// Fails unless `operator` holds a live approval from `owner` in the collection.
    pub(crate) fn ensure_operator(
        collection: CollectionId,
        owner: &T::AccountId,
        operator: &T::AccountId,
    ) -> DispatchResult {
        let approval = Approvals::<T>::get((collection, owner, operator)).ok_or(Error::<T>::NotApproved)?;
        if let Some(expires) = approval.expires {
            ensure!(frame_system::Pallet::<T>::block_number() <= expires, Error::<T>::ApprovalExpired);
        }
        Ok(())
    }
}
