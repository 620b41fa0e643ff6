//! Attributes on collections and tokens.

use frame_support::pallet_prelude::*;
use sp_runtime::traits::Saturating;

use crate::*;

impl<T: Config> Pallet<T> {
    /// Writes an attribute as the admin `who`, who pays (or settles) its deposit.
    pub(crate) fn do_set_attribute(
        who: T::AccountId,
        collection: CollectionId,
        token: Option<TokenId>,
        key: BoundedVec<u8, T::KeyLimit>,
        value: BoundedVec<u8, T::ValueLimit>,
    ) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::ADMIN)?;
        let mut token_details = token.map(|t| Self::token(collection, t)).transpose()?;
        let bytes = BalanceOf::<T>::from((key.len() + value.len()) as u32);
        let deposit = T::AttributeDepositBase::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes));

        match Attributes::<T>::get((collection, token, &key)) {
            // A rewrite moves the deposit to the new writer, so the record names who paid.
            Some(old) => {
                if old.depositor == who {
                    Self::settle_deposit(&who, old.deposit, deposit)?;
                } else {
                    Self::release_deposit(&old.depositor, old.deposit);
                    Self::hold_deposit(&who, deposit)?;
                }
            }
            None => {
                let count = match token_details.as_mut() {
                    Some(t) => &mut t.attributes,
                    None => &mut details.attributes,
                };
                ensure!(*count < T::MaxAttributes::get(), Error::<T>::TooManyAttributes);
                count.saturating_inc();
                Self::hold_deposit(&who, deposit)?;
            }
        }
        Attributes::<T>::insert(
            (collection, token, &key),
            AttributeRecord { value: value.clone(), depositor: who, deposit },
        );
        match (token, token_details) {
            (Some(t), Some(token_details)) => Tokens::<T>::insert(collection, t, token_details),
            _ => Collections::<T>::insert(collection, details),
        }
        Self::deposit_event(Event::AttributeSet { collection, token, key, value });
        Ok(())
    }

    /// Removes an attribute as the admin `who`, releasing its deposit to whoever paid it.
    pub(crate) fn do_clear_attribute(
        who: T::AccountId,
        collection: CollectionId,
        token: Option<TokenId>,
        key: BoundedVec<u8, T::KeyLimit>,
    ) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        Self::ensure_role(&details, collection, &who, Roles::ADMIN)?;
        let record = Attributes::<T>::take((collection, token, &key)).ok_or(Error::<T>::UnknownAttribute)?;
        Self::release_deposit(&record.depositor, record.deposit);
        match token {
            Some(t) => {
                let mut token_details = Self::token(collection, t)?;
                token_details.attributes.saturating_dec();
                Tokens::<T>::insert(collection, t, token_details);
            }
            None => {
                details.attributes.saturating_dec();
                Collections::<T>::insert(collection, details);
            }
        }
        Self::deposit_event(Event::AttributeCleared { collection, token, key });
        Ok(())
    }
}
