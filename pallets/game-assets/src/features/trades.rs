//! Atomic trades between two accounts, with the proposer's side escrowed.

use frame_support::{
    pallet_prelude::*,
    traits::{
        fungible::{Mutate, MutateHold},
        tokens::{Precision, Preservation},
        Defensive,
    },
};
use sp_runtime::traits::{Saturating, Zero};

use crate::*;

impl<T: Config> Pallet<T> {
    /// Escrows `give` from `proposer` and records the trade.
    pub(crate) fn do_propose_trade(
        proposer: T::AccountId,
        counterparty: T::AccountId,
        give: TradeSide<BalanceOf<T>, T::MaxTradeItems>,
        want: TradeSide<BalanceOf<T>, T::MaxTradeItems>,
        expires: BlockNumberOf<T>,
    ) -> Result<TradeId, DispatchError> {
        ensure!(proposer != counterparty, Error::<T>::TradeWithSelf);
        ensure!(
            !(give.items.is_empty() && give.lud.is_zero() && want.items.is_empty() && want.lud.is_zero()),
            Error::<T>::EmptyTrade
        );
        let now = frame_system::Pallet::<T>::block_number();
        ensure!(expires >= now && expires <= now.saturating_add(T::MaxTradeDuration::get()), Error::<T>::InvalidExpiry);
        for item in &give.items {
            Self::ensure_movable(item.collection, item.token)?;
            Self::debit_holding(item.collection, item.token, &proposer, item.amount)?;
        }
        // Fail early on what the counterparty could never deliver.
        for item in &want.items {
            ensure!(item.amount > 0, Error::<T>::ZeroAmount);
            Self::ensure_movable(item.collection, item.token)?;
        }
        if !give.lud.is_zero() {
            T::Currency::hold(&HoldReason::TradeEscrow.into(), &proposer, give.lud)?;
        }
        let deposit = T::TradeDeposit::get();
        Self::hold_deposit(&proposer, deposit)?;
        let trade = NextTradeId::<T>::get();
        NextTradeId::<T>::put(trade.checked_add(1).ok_or(Error::<T>::Overflow)?);
        Trades::<T>::insert(
            trade,
            Trade { proposer: proposer.clone(), counterparty: counterparty.clone(), give, want, expires, deposit },
        );
        Self::deposit_event(Event::TradeProposed { trade, proposer, counterparty, expires });
        Ok(trade)
    }

    /// Moves both sides of a trade, as its counterparty `who`.
    pub(crate) fn do_accept_trade(who: T::AccountId, trade_id: TradeId) -> DispatchResult {
        let trade = Trades::<T>::take(trade_id).ok_or(Error::<T>::UnknownTrade)?;
        ensure!(trade.counterparty == who, Error::<T>::NotCounterparty);
        ensure!(frame_system::Pallet::<T>::block_number() <= trade.expires, Error::<T>::TradeExpired);
        for item in &trade.give.items {
            // The units are already out of the proposer's holding; a freeze since the proposal
            // still stops them.
            Self::ensure_movable(item.collection, item.token)?;
            Self::credit_holding(item.collection, item.token, &who, item.amount)?;
        }
        for item in &trade.want.items {
            Self::do_transfer(item.collection, item.token, &who, &trade.proposer, item.amount)?;
        }
        Self::pay_from_escrow(&trade.proposer, &who, trade.give.lud)?;
        if !trade.want.lud.is_zero() {
            T::Currency::transfer(&who, &trade.proposer, trade.want.lud, Preservation::Preserve)?;
        }
        Self::release_deposit(&trade.proposer, trade.deposit);
        Self::deposit_event(Event::TradeAccepted { trade: trade_id });
        Ok(())
    }

    /// Returns a trade's escrow to its proposer; `who` is the proposer, or anyone after expiry.
    pub(crate) fn do_cancel_trade(who: T::AccountId, trade_id: TradeId) -> DispatchResult {
        let trade = Trades::<T>::take(trade_id).ok_or(Error::<T>::UnknownTrade)?;
        ensure!(
            trade.proposer == who || frame_system::Pallet::<T>::block_number() > trade.expires,
            Error::<T>::NoPermission
        );
        for item in &trade.give.items {
            Self::credit_holding(item.collection, item.token, &trade.proposer, item.amount)?;
        }
        if !trade.give.lud.is_zero() {
            let released = T::Currency::release(
                &HoldReason::TradeEscrow.into(),
                &trade.proposer,
                trade.give.lud,
                Precision::Exact,
            );
            let _ = released.defensive_proof("the escrow was held when the trade was proposed; qed");
        }
        Self::release_deposit(&trade.proposer, trade.deposit);
        Self::deposit_event(Event::TradeCancelled { trade: trade_id });
        Ok(())
    }
}
