//! The market: listings with escrowed units, purchases that pay the royalty.

use frame_support::{
    pallet_prelude::*,
    traits::{fungible::Mutate, tokens::Preservation},
};
use sp_runtime::traits::{CheckedMul, Saturating, Zero};

use crate::*;

impl<T: Config> Pallet<T> {
    /// The royalty on a sale at `price`: `price * bps / 10_000`, rounded down.
    ///
    /// Computed as `(price / 10_000) * bps + (price % 10_000) * bps / 10_000`, which equals the
    /// exact floor and cannot overflow for `bps <= 10_000`. Rounding down favours the seller by
    /// less than one unit (10^-12 LUD).
    pub fn royalty_of(price: BalanceOf<T>, bps: u16) -> BalanceOf<T> {
        let whole = BalanceOf::<T>::from(u32::from(MAX_ROYALTY_BPS));
        let bps = BalanceOf::<T>::from(u32::from(bps.min(MAX_ROYALTY_BPS)));
        (price / whole).saturating_mul(bps).saturating_add((price % whole).saturating_mul(bps) / whole)
    }

    /// Moves `amount` of `seller`'s units into a new listing at `unit_price` each.
    pub(crate) fn do_list(
        seller: T::AccountId,
        collection: CollectionId,
        token: TokenId,
        amount: TokenAmount,
        unit_price: BalanceOf<T>,
    ) -> Result<ListingId, DispatchError> {
        Self::ensure_movable(collection, token)?;
        Self::debit_holding(collection, token, &seller, amount)?;
        let listing = NextListingId::<T>::get();
        NextListingId::<T>::put(listing.checked_add(1).ok_or(Error::<T>::Overflow)?);
        let deposit = T::ListingDeposit::get();
        Self::hold_deposit(&seller, deposit)?;
        Listings::<T>::insert(
            collection,
            listing,
            Listing { seller: seller.clone(), token, amount, unit_price, deposit },
        );
        Self::deposit_event(Event::Listed { collection, listing, seller, token, amount, unit_price });
        Ok(listing)
    }

    /// Buys `amount` units of a listing for `buyer`, paying royalty and seller.
    pub(crate) fn do_buy(
        buyer: T::AccountId,
        collection: CollectionId,
        listing_id: ListingId,
        amount: TokenAmount,
        max_unit_price: BalanceOf<T>,
    ) -> DispatchResult {
        let mut listing = Listings::<T>::get(collection, listing_id).ok_or(Error::<T>::UnknownListing)?;
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        ensure!(amount <= listing.amount, Error::<T>::ExceedsListing);
        ensure!(listing.unit_price <= max_unit_price, Error::<T>::PriceTooHigh);
        Self::ensure_movable(collection, listing.token)?;
        let details = Self::collection(collection)?;

        let units = BalanceOf::<T>::try_from(amount).map_err(|_| Error::<T>::Overflow)?;
        let price = listing.unit_price.checked_mul(&units).ok_or(Error::<T>::Overflow)?;
        let royalty = match &details.royalty {
            Some(royalty) => {
                let cut = Self::royalty_of(price, royalty.bps);
                if !cut.is_zero() {
                    T::Currency::transfer(&buyer, &royalty.beneficiary, cut, Preservation::Preserve)?;
                }
                cut
            }
            None => Zero::zero(),
        };
        let proceeds = price.saturating_sub(royalty);
        if !proceeds.is_zero() {
            T::Currency::transfer(&buyer, &listing.seller, proceeds, Preservation::Preserve)?;
        }
        Self::credit_holding(collection, listing.token, &buyer, amount)?;

        listing.amount = listing.amount.saturating_sub(amount);
        let (seller, token) = (listing.seller.clone(), listing.token);
        if listing.amount == 0 {
            Self::release_deposit(&listing.seller, listing.deposit);
            Listings::<T>::remove(collection, listing_id);
        } else {
            Listings::<T>::insert(collection, listing_id, listing);
        }
        Self::deposit_event(Event::Sold {
            collection,
            listing: listing_id,
            token,
            seller,
            buyer,
            amount,
            price,
            royalty,
        });
        Ok(())
    }

    /// Returns a listing's units and deposit to its seller `who`.
    pub(crate) fn do_cancel_listing(
        who: T::AccountId,
        collection: CollectionId,
        listing_id: ListingId,
    ) -> DispatchResult {
        let listing = Listings::<T>::take(collection, listing_id).ok_or(Error::<T>::UnknownListing)?;
        ensure!(listing.seller == who, Error::<T>::NoPermission);
        Self::credit_holding(collection, listing.token, &who, listing.amount)?;
        Self::release_deposit(&who, listing.deposit);
        Self::deposit_event(Event::ListingCancelled { collection, listing: listing_id });
        Ok(())
    }
}
