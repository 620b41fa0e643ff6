//! Sponsored fees: an `OnChargeTransaction` wrapper that lets a collection's fuel tank pay its
//! players' fees.
//!
//! The runtime sets
//! `type OnChargeTransaction = SponsoredFees<Runtime, FungibleAdapter<Balances, DealWithFees>>;`
//! in `pallet_transaction_payment::Config`. For a signed game-assets call on a collection whose
//! tank covers the fee within the signer's budget ([`Pallet::sponsor_for`]), and with no tip,
//! the inner adapter charges the tank account instead of the signer; the refund after dispatch
//! goes back to the tank and the player's budget is charged the final fee. Every other
//! transaction goes to the inner adapter unchanged, so wallets need no new extension.
//!
//! Tips are never sponsored: a player who tips pays the whole fee, so no one can drain a tank by
//! bidding up priority.

use core::marker::PhantomData;

use codec::{Decode, Encode};
use frame_support::traits::IsSubType;
use pallet_transaction_payment::{OnChargeTransaction, TxCreditHold};
use sp_runtime::{
    traits::{DispatchInfoOf, PostDispatchInfoOf, Saturating, Zero},
    transaction_validity::TransactionValidityError,
};

use crate::{BalanceOf, Call, CollectionId, Config, Pallet};

/// Pays sponsored fees from fuel tanks and delegates everything else to `Inner`.
pub struct SponsoredFees<T, Inner>(PhantomData<(T, Inner)>);

/// Who paid a sponsored fee, carried from before dispatch to after it.
#[derive(Clone, Encode, Decode, PartialEq, Eq, Debug)]
pub struct Sponsorship<AccountId, Balance> {
    /// The collection whose tank paid.
    pub collection: CollectionId,
    /// The tank account.
    pub tank: AccountId,
    /// The fee charged before dispatch (already counted against the player's budget).
    pub charged: Balance,
}

/// The liquidity info of [`SponsoredFees`]: the sponsorship, if any, and the inner adapter's.
pub type SponsoredLiquidity<T, Inner> = (
    Option<Sponsorship<<T as frame_system::Config>::AccountId, BalanceOf<T>>>,
    <Inner as OnChargeTransaction<T>>::LiquidityInfo,
);

impl<T, Inner> SponsoredFees<T, Inner>
where
    T: Config + pallet_transaction_payment::Config,
    T::RuntimeCall: IsSubType<Call<T>>,
{
    /// The tank that pays `fee` for `who`'s `call`, if the tank and the budget both cover it.
    fn sponsor(
        who: &T::AccountId,
        call: &T::RuntimeCall,
        fee: BalanceOf<T>,
        tip: BalanceOf<T>,
    ) -> Option<(CollectionId, T::AccountId)> {
        if !tip.is_zero() {
            return None;
        }
        let inner_call = call.is_sub_type()?;
        let collection = inner_call.sponsored_collection()?;
        let (tank, remaining) = Pallet::<T>::sponsor_for(who, inner_call)?;
        (fee <= remaining).then_some((collection, tank))
    }
}

impl<T, Inner> TxCreditHold<T> for SponsoredFees<T, Inner>
where
    T: Config + pallet_transaction_payment::Config,
    Inner: TxCreditHold<T>,
{
    type Credit = Inner::Credit;
}

impl<T, Inner> OnChargeTransaction<T> for SponsoredFees<T, Inner>
where
    T: Config + pallet_transaction_payment::Config,
    T::RuntimeCall: IsSubType<Call<T>>,
    Inner: OnChargeTransaction<T, Balance = BalanceOf<T>> + TxCreditHold<T>,
{
    type Balance = BalanceOf<T>;
    type LiquidityInfo = SponsoredLiquidity<T, Inner>;

    fn withdraw_fee(
        who: &T::AccountId,
        call: &T::RuntimeCall,
        dispatch_info: &DispatchInfoOf<T::RuntimeCall>,
        fee_with_tip: Self::Balance,
        tip: Self::Balance,
    ) -> Result<Self::LiquidityInfo, TransactionValidityError> {
        if let Some((collection, tank)) = Self::sponsor(who, call, fee_with_tip, tip) {
            if let Ok(inner) = Inner::withdraw_fee(&tank, call, dispatch_info, fee_with_tip, tip) {
                // Counted now so that a second transaction in the same block sees the budget
                // already used; corrected after dispatch.
                Pallet::<T>::charge_player_fuel(collection, who, fee_with_tip);
                let sponsorship = Sponsorship { collection, tank, charged: fee_with_tip };
                return Ok((Some(sponsorship), inner));
            }
        }
        Inner::withdraw_fee(who, call, dispatch_info, fee_with_tip, tip).map(|inner| (None, inner))
    }

    fn can_withdraw_fee(
        who: &T::AccountId,
        call: &T::RuntimeCall,
        dispatch_info: &DispatchInfoOf<T::RuntimeCall>,
        fee_with_tip: Self::Balance,
        tip: Self::Balance,
    ) -> Result<(), TransactionValidityError> {
        if let Some((_, tank)) = Self::sponsor(who, call, fee_with_tip, tip) {
            if Inner::can_withdraw_fee(&tank, call, dispatch_info, fee_with_tip, tip).is_ok() {
                return Ok(());
            }
        }
        Inner::can_withdraw_fee(who, call, dispatch_info, fee_with_tip, tip)
    }

    fn correct_and_deposit_fee(
        who: &T::AccountId,
        dispatch_info: &DispatchInfoOf<T::RuntimeCall>,
        post_info: &PostDispatchInfoOf<T::RuntimeCall>,
        corrected_fee_with_tip: Self::Balance,
        tip: Self::Balance,
        (sponsorship, inner): Self::LiquidityInfo,
    ) -> Result<(), TransactionValidityError> {
        match sponsorship {
            Some(Sponsorship { collection, tank, charged }) => {
                Inner::correct_and_deposit_fee(&tank, dispatch_info, post_info, corrected_fee_with_tip, tip, inner)?;
                Pallet::<T>::refund_player_fuel(collection, who, charged.saturating_sub(corrected_fee_with_tip));
                Pallet::<T>::note_sponsored_fee(collection, who, corrected_fee_with_tip);
                Ok(())
            }
            None => Inner::correct_and_deposit_fee(who, dispatch_info, post_info, corrected_fee_with_tip, tip, inner),
        }
    }

    #[cfg(feature = "runtime-benchmarks")]
    fn endow_account(who: &T::AccountId, amount: Self::Balance) {
        Inner::endow_account(who, amount)
    }

    #[cfg(feature = "runtime-benchmarks")]
    fn minimum_balance() -> Self::Balance {
        Inner::minimum_balance()
    }
}
