//! # Validator-set pallet
//!
//! Governance (root, i.e. Sudo in the Ludus runtime) chooses the validators; pallet-session
//! rotates the chosen set into the session handlers (Aura authoring, GRANDPA voting, the
//! bridge's checkpoint signers) at a session boundary. The pallet spawns nothing and runs no
//! hook of its own: pallet-session drives it through the two traits it implements.
//!
//! ## Data flow
//!
//! 1. `set_validators(new)` (root) checks the list (non-empty, no duplicates, at most
//!    [`Config::MaxValidators`], every account has session keys registered with
//!    pallet-session), stores it in [`Validators`], marks it queued ([`NewSetQueued`]) and
//!    asks for two forced rotations ([`PendingRotation`] = 2).
//! 2. [`pallet_session::ShouldEndSession`]: a session ends on the periodic rule
//!    ([`Config::SessionPeriod`]/[`Config::SessionOffset`], as `PeriodicSessions`) or whenever
//!    a forced rotation is pending.
//! 3. [`pallet_session::SessionManager`]: at the first rotation `new_session(i)` hands the
//!    queued set to pallet-session, which plans it for session `i`; pallet-session only
//!    enacts a planned set one rotation later, hence the second forced rotation. When
//!    session `i` starts, `start_session(i)` emits [`Event::ValidatorsEnacted`].
//!
//! ## Timing
//!
//! `set_validators` dispatched in block `n` during session `s`:
//! - block `n + 1` rotates to session `s + 1` and plans the new set for `s + 2`
//!   (pallet-session emits `NewQueued`);
//! - block `n + 2` rotates to session `s + 2`: pallet-session's `Validators` becomes the new
//!   set, Aura's authorities change during this block, GRANDPA schedules a change with no
//!   delay (enacted when block `n + 2` is finalized) and the bridge installs the new keys;
//! - block `n + 3` is the first block whose author is chosen from the new set (a block's
//!   author is checked against the authorities in its parent's state).
//!
//! The runtime's `EstimateNextSessionRotation` should stay `PeriodicSessions` with the same
//! period: forced rotations are rare governance acts that estimates need not predict.
//!
//! ## Genesis
//!
//! The genesis config holds the initial list, which must be the accounts in
//! pallet-session's genesis `keys` (pallet-session, not this pallet, chooses the genesis set).
//! This pallet must come after pallet-session in the runtime so that the keys are registered
//! when its genesis is checked.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

extern crate alloc;

mod session;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

/// The index of a session, as pallet-session counts them (`sp_staking::SessionIndex`).
pub type SessionIndex = u32;

/// How many rotations a governance change needs: one to plan the set, one to enact it.
pub const ROTATIONS_PER_CHANGE: u32 = 2;

// FRAME's pallet macros expand to `expect` calls on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, traits::ValidatorRegistration};
    use frame_system::pallet_prelude::*;

    use super::{SessionIndex, WeightInfo, ROTATIONS_PER_CHANGE};

    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// The pallet manages pallet-session's validators, which are plain accounts.
    #[pallet::config]
    pub trait Config:
        frame_system::Config + pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
    {
        /// The most validators a set may have. Keep it at or below the session handlers'
        /// limits (Aura's and GRANDPA's `MaxAuthorities`, the bridge's `MaxValidators`):
        /// a larger set would be truncated or refused by them.
        #[pallet::constant]
        type MaxValidators: Get<u32>;

        /// The length of an ordinary session, in blocks.
        #[pallet::constant]
        type SessionPeriod: Get<BlockNumberFor<Self>>;

        /// The block at which the first periodic session ends.
        #[pallet::constant]
        type SessionOffset: Get<BlockNumberFor<Self>>;

        /// Weights of the pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// The validators governance chose last: the active set once the change has been enacted,
    /// the set about to take over while rotations are pending.
    #[pallet::storage]
    pub type Validators<T: Config> = StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

    /// How many forced session rotations are still due (at most [`ROTATIONS_PER_CHANGE`]).
    #[pallet::storage]
    pub type PendingRotation<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Whether [`Validators`] changed since pallet-session last asked for a new set.
    #[pallet::storage]
    pub type NewSetQueued<T: Config> = StorageValue<_, bool, ValueQuery>;

    /// The session for which a set was handed to pallet-session and that has not started yet.
    #[pallet::storage]
    pub type PlannedFor<T: Config> = StorageValue<_, SessionIndex, OptionQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// Governance chose a new validator set; it takes over two session rotations later.
        NewValidatorsQueued {
            /// The new set, in the order given.
            validators: Vec<T::AccountId>,
        },
        /// A governance-chosen set became the active one at the start of `session`.
        ValidatorsEnacted {
            /// The session the set validates from.
            session: SessionIndex,
            /// The active set, as pallet-session enacted it.
            validators: Vec<T::AccountId>,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The validator list is empty; a chain without validators stops. Give at least one.
        NoValidators,
        /// An account appears twice in the list; give each validator once.
        DuplicateValidator,
        /// The list is longer than `MaxValidators`; shorten it.
        TooManyValidators,
        /// An account in the list has no session keys; it must call `session.set_keys` first.
        ValidatorNotRegistered,
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The genesis validators: the accounts of pallet-session's genesis `keys`. May be
        /// empty, then [`Validators`] stays empty until governance sets it.
        pub validators: Vec<T::AccountId>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            if self.validators.is_empty() {
                return;
            }
            match Pallet::<T>::check_validators(self.validators.clone()) {
                Ok(validators) => Validators::<T>::put(validators),
                // A chain spec with a bad validator list must not produce a genesis block.
                Err(error) => panic!("the genesis validator set is invalid: {error:?}"),
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn integrity_test() {
            assert!(!T::SessionPeriod::get().is_zero(), "SessionPeriod must be at least one block");
            assert!(T::MaxValidators::get() > 0, "MaxValidators must allow at least one validator");
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Replace the validator set.
        ///
        /// Origin: root (Sudo in the Ludus runtime). Refuses an empty list, duplicates, more
        /// than `MaxValidators` accounts and accounts without session keys. Stores the set,
        /// emits [`Event::NewValidatorsQueued`] and forces session rotations on the next two
        /// blocks, after which the set is active (see the crate docs for the exact timing).
        /// A second call before the first has been enacted replaces the queued set and
        /// restarts the two rotations. Weight: [`WeightInfo::set_validators`] of the list's
        /// length.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::set_validators(new.len().min(u32::MAX as usize) as u32))]
        pub fn set_validators(origin: OriginFor<T>, new: Vec<T::AccountId>) -> DispatchResult {
            ensure_root(origin)?;
            Self::do_set_validators(new)
        }
    }

    impl<T: Config> Pallet<T> {
        /// Check `new` and queue it for the next two rotations; see [`Call::set_validators`].
        pub fn do_set_validators(new: Vec<T::AccountId>) -> DispatchResult {
            let validators = Self::check_validators(new)?;
            Validators::<T>::put(&validators);
            NewSetQueued::<T>::put(true);
            PendingRotation::<T>::put(ROTATIONS_PER_CHANGE);
            Self::deposit_event(Event::NewValidatorsQueued { validators: validators.into_inner() });
            Ok(())
        }

        /// The checks of [`Call::set_validators`], in the order their errors are documented.
        pub(crate) fn check_validators(
            new: Vec<T::AccountId>,
        ) -> Result<BoundedVec<T::AccountId, T::MaxValidators>, Error<T>> {
            ensure!(!new.is_empty(), Error::<T>::NoValidators);
            let validators =
                BoundedVec::<_, T::MaxValidators>::try_from(new).map_err(|_| Error::<T>::TooManyValidators)?;
            // Sorting a copy keeps the duplicate check O(n log n) and the caller's order intact
            // (the order decides Aura's slot assignment).
            let mut sorted: Vec<&T::AccountId> = validators.iter().collect();
            sorted.sort();
            ensure!(sorted.windows(2).all(|pair| pair[0] != pair[1]), Error::<T>::DuplicateValidator);
            ensure!(
                validators
                    .iter()
                    .all(<pallet_session::Pallet<T> as ValidatorRegistration<T::AccountId>>::is_registered),
                Error::<T>::ValidatorNotRegistered
            );
            Ok(validators)
        }

        /// # Invariants
        ///
        /// - [`Validators`] holds no duplicates.
        /// - [`PendingRotation`] never exceeds [`ROTATIONS_PER_CHANGE`].
        /// - A queued set ([`NewSetQueued`]) always has a forced rotation pending to pick it up.
        #[cfg(any(test, feature = "try-runtime"))]
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let validators = Validators::<T>::get();
            let mut sorted: Vec<&T::AccountId> = validators.iter().collect();
            sorted.sort();
            ensure!(sorted.windows(2).all(|pair| pair[0] != pair[1]), "Validators holds a duplicate");
            let pending = PendingRotation::<T>::get();
            ensure!(pending <= ROTATIONS_PER_CHANGE, "more forced rotations pending than a change needs");
            ensure!(!NewSetQueued::<T>::get() || pending > 0, "a queued set has no rotation to pick it up");
            Ok(())
        }
    }
}
