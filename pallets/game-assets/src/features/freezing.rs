//! Freezing and thawing collections, tokens and holdings.

use frame_support::pallet_prelude::*;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Sets the frozen flag of `target` as the freezer `who`.
    pub(crate) fn do_set_frozen(
        who: T::AccountId,
        collection: CollectionId,
        target: FreezeTarget<T::AccountId>,
        frozen: bool,
    ) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::FREEZER)?;
        match &target {
            FreezeTarget::Collection => {
                details.frozen = frozen;
                Collections::<T>::insert(collection, details);
            }
            FreezeTarget::Token(token) => {
                let mut token_details = Self::token(collection, *token)?;
                token_details.frozen = frozen;
                Tokens::<T>::insert(collection, token, token_details);
            }
            FreezeTarget::Holding(token, account) => {
                Holdings::<T>::try_mutate((collection, account, token), |maybe| {
                    let holding = maybe.as_mut().ok_or(Error::<T>::UnknownHolding)?;
                    holding.frozen = frozen;
                    Ok::<_, DispatchError>(())
                })?;
            }
        }
        let event = if frozen { Event::Frozen { collection, target } } else { Event::Thawed { collection, target } };
        Self::deposit_event(event);
        Ok(())
    }
}
