//! How pallet-session drives the pallet: when a session ends, which set it plans next, and
//! when a planned set has taken over.

use alloc::vec::Vec;
use frame_support::traits::ValidatorRegistration;
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_session::{PeriodicSessions, SessionManager, ShouldEndSession};

use crate::{Config, Event, NewSetQueued, Pallet, PendingRotation, PlannedFor, SessionIndex, Validators};

impl<T: Config> ShouldEndSession<BlockNumberFor<T>> for Pallet<T> {
    /// The periodic rule, or a forced rotation still due after `set_validators`.
    fn should_end_session(now: BlockNumberFor<T>) -> bool {
        PendingRotation::<T>::get() > 0
            || <PeriodicSessions<T::SessionPeriod, T::SessionOffset> as ShouldEndSession<_>>::should_end_session(now)
    }
}

impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
    /// The queued set if governance changed it since the last call, else `None` (pallet-session
    /// then keeps the current validators).
    fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
        if !NewSetQueued::<T>::take() {
            return None;
        }
        let validators = Validators::<T>::get().into_inner();
        // pallet-session drops validators whose keys are gone by now (`purge_keys` after
        // `set_validators`). If that left no one, keep the current set rather than halt the chain.
        if !validators.iter().any(pallet_session::Pallet::<T>::is_registered) {
            log::warn!(
                target: "runtime::validator-set",
                "no validator of the queued set has session keys any more; keeping the current set"
            );
            return None;
        }
        PlannedFor::<T>::put(new_index);
        Some(validators)
    }

    /// Nothing queued at genesis: pallet-session's genesis keys are the initial set.
    fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
        None
    }

    fn end_session(_end_index: SessionIndex) {}

    /// Counts a forced rotation as done (any rotation moves a planned set along) and reports
    /// a planned set that takes over now.
    fn start_session(start_index: SessionIndex) {
        PendingRotation::<T>::mutate(|pending| *pending = pending.saturating_sub(1));
        if PlannedFor::<T>::get() == Some(start_index) {
            PlannedFor::<T>::kill();
            Pallet::<T>::deposit_event(Event::ValidatorsEnacted {
                session: start_index,
                validators: pallet_session::Validators::<T>::get(),
            });
        }
    }
}
