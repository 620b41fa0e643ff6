//! # Runtime-upgrade pallet
//!
//! Ludus runs its runtime natively, so a runtime upgrade is a node release that carries the
//! next runtime beside the current one (DESIGN.md, decision 1). This pallet is where governance
//! says *when* the next runtime takes over: root schedules `(spec_version, at)` and every node
//! reads the schedule ([`ludus_primitives::scheduled_upgrade_key`]) before it builds or imports
//! a block. From block `at` on, blocks are executed by runtime `spec_version`; a node that does
//! not carry it stops before `at` and tells its operator which runtime to install, instead of
//! forking off.
//!
//! ## Data flow
//!
//! 1. `schedule(spec_version, at)` (root) refuses a version not newer than the running one, a
//!    height less than [`Config::MinNotice`] blocks ahead, and a second schedule while one is
//!    pending; it stores [`Scheduled`] and emits [`Event::Scheduled`].
//! 2. Every block's author announces, in a pre-runtime digest
//!    ([`ludus_primitives::carried_version_digest`]), the newest runtime its release carries.
//!    While a schedule is pending, `on_initialize` notes in [`Ready`] each validator (by its
//!    authority index, [`Config::FindAuthor`]) whose block announced the scheduled runtime.
//! 3. Until block `at`, `cancel` (root) takes the schedule back ([`Event::Cancelled`]).
//! 4. Block `at - 1` decides: unless more than two thirds of the [`Config::AuthorityCount`]
//!    validators are ready, it drops the schedule ([`Event::Abandoned`]) and the chain runs on
//!    with the runtime it has. An upgrade to a runtime that too few validators installed would
//!    stop the chain at `at` (no one else may author or finalize it), and one that no release
//!    carries would stop it for ever; governance schedules again once they are ready.
//! 5. Block `at` is executed by the new runtime: its `on_initialize` finds the schedule due and
//!    naming itself, clears it and emits [`Event::Applied`]. FRAME's executive runs the new
//!    runtime's migrations (`on_runtime_upgrade`) first, as `System::LastRuntimeUpgrade` names
//!    the old version.
//!
//! A runtime asked to execute a block at or past a due schedule that names another version
//! panics in `on_initialize`, so the block is invalid: the old runtime cannot extend the chain
//! past `at`, whatever a node does.
//!
//! The pallet spawns nothing; its one hook reads one value a block, and two more while an
//! upgrade is pending.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

/// The schedule as this pallet stores it: the primitives' type over the runtime's block number.
pub type ScheduledUpgradeOf<T> = ludus_primitives::ScheduledUpgrade<frame_system::pallet_prelude::BlockNumberFor<T>>;

// FRAME's pallet macros expand to `expect` calls on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
    use frame_support::{pallet_prelude::*, traits::FindAuthor};
    use frame_system::pallet_prelude::*;
    use sp_runtime::traits::{One, Saturating};

    use super::{ScheduledUpgradeOf, WeightInfo};

    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: frame_system::Config {
        /// The fewest blocks between scheduling an upgrade and the block it starts at. Operators
        /// need the time to install the release; this is a floor, and governance should give
        /// far more (hours) on a network whose validators are run by different people.
        /// At least two: block `at - 1` decides whether the upgrade goes ahead, and it must
        /// come after the block that scheduled it.
        #[pallet::constant]
        type MinNotice: Get<BlockNumberFor<Self>>;

        /// The authority index of the current block's author (Aura's).
        type FindAuthor: FindAuthor<u32>;

        /// How many validators there are now (Aura's authorities).
        type AuthorityCount: Get<u32>;

        /// The most validators there can be: the bound of [`Ready`].
        #[pallet::constant]
        type MaxAuthorities: Get<u32>;

        /// Weights of the pallet's calls and hook.
        type WeightInfo: WeightInfo;
    }

    /// The pending upgrade, if any. Its key is fixed
    /// ([`ludus_primitives::scheduled_upgrade_key`]): the node reads it raw.
    #[pallet::storage]
    pub type Scheduled<T: Config> = StorageValue<_, ScheduledUpgradeOf<T>, OptionQuery>;

    /// The authority indices, ascending, of the validators whose blocks announced, since the
    /// pending upgrade was scheduled, that their release carries its runtime.
    #[pallet::storage]
    pub type Ready<T: Config> = StorageValue<_, BoundedVec<u32, T::MaxAuthorities>, ValueQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// Runtime `spec_version` will execute blocks from `at` on.
        Scheduled {
            /// The runtime that takes over.
            spec_version: u32,
            /// The first block it executes.
            at: BlockNumberFor<T>,
        },
        /// Governance took back the upgrade to `spec_version` at `at`.
        Cancelled {
            /// The runtime that was to take over.
            spec_version: u32,
            /// The block it was to start at.
            at: BlockNumberFor<T>,
        },
        /// Runtime `spec_version` executes blocks from this one on.
        Applied {
            /// The runtime now running.
            spec_version: u32,
        },
        /// The upgrade to `spec_version` at `at` was dropped: only `ready` of the `authorities`
        /// validators announced that they carry it, not more than two thirds.
        Abandoned {
            /// The runtime that was to take over.
            spec_version: u32,
            /// The block it was to start at.
            at: BlockNumberFor<T>,
            /// Validators that announced it.
            ready: u32,
            /// Validators in all.
            authorities: u32,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The version is not newer than the running runtime's; an upgrade only goes forward.
        NotNewer,
        /// The height is less than `MinNotice` blocks ahead; give operators time to install.
        TooSoon,
        /// An upgrade is already scheduled; cancel it first to schedule another.
        AlreadyScheduled,
        /// No upgrade is scheduled.
        NothingScheduled,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            let Some(scheduled) = Scheduled::<T>::get() else { return T::DbWeight::get().reads(1) };
            if now < scheduled.at {
                Self::note_author(&scheduled);
                if now.saturating_add(One::one()) == scheduled.at {
                    Self::decide(&scheduled);
                }
                return T::WeightInfo::note_author();
            }
            let running = T::Version::get().spec_version;
            // The node picks the runtime from the same schedule; a block that reaches here with
            // another runtime was built or imported against the rule, and must not be valid.
            assert_eq!(
                running, scheduled.spec_version,
                "block {now:?} must be executed by runtime {} (scheduled at {:?}); this is runtime {running}",
                scheduled.spec_version, scheduled.at,
            );
            Scheduled::<T>::kill();
            Ready::<T>::kill();
            Self::deposit_event(Event::Applied { spec_version: running });
            T::WeightInfo::apply()
        }

        fn integrity_test() {
            assert!(T::MinNotice::get() >= 2u32.into(), "MinNotice must be at least two blocks");
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state(now)
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Schedule runtime `spec_version` to execute blocks from `at` on.
        ///
        /// Origin: root (Sudo in the Ludus runtime). Refuses a `spec_version` not greater than
        /// the running runtime's ([`Error::NotNewer`]), an `at` less than
        /// [`Config::MinNotice`] blocks after this one ([`Error::TooSoon`]) and a second
        /// schedule while one is pending ([`Error::AlreadyScheduled`]). Emits
        /// [`Event::Scheduled`]. Nodes that do not carry `spec_version` warn from now on and
        /// stop before `at`.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::schedule())]
        pub fn schedule(origin: OriginFor<T>, spec_version: u32, at: BlockNumberFor<T>) -> DispatchResult {
            ensure_root(origin)?;
            ensure!(spec_version > T::Version::get().spec_version, Error::<T>::NotNewer);
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(at >= now.saturating_add(T::MinNotice::get()), Error::<T>::TooSoon);
            ensure!(!Scheduled::<T>::exists(), Error::<T>::AlreadyScheduled);
            Scheduled::<T>::put(ScheduledUpgradeOf::<T> { spec_version, at });
            Ready::<T>::kill();
            Self::deposit_event(Event::Scheduled { spec_version, at });
            Ok(())
        }

        /// Take back the pending upgrade.
        ///
        /// Origin: root. Possible until the block before the upgrade's: the block at `at` is
        /// already the new runtime's. Emits [`Event::Cancelled`]; nodes that stopped for want
        /// of the new runtime can be started again with the release they had.
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::cancel())]
        pub fn cancel(origin: OriginFor<T>) -> DispatchResult {
            ensure_root(origin)?;
            let scheduled = Scheduled::<T>::take().ok_or(Error::<T>::NothingScheduled)?;
            Ready::<T>::kill();
            Self::deposit_event(Event::Cancelled { spec_version: scheduled.spec_version, at: scheduled.at });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Notes this block's author in [`Ready`] if its block announces carrying the runtime
        /// `scheduled` names.
        fn note_author(scheduled: &ScheduledUpgradeOf<T>) {
            let digest = frame_system::Pallet::<T>::digest();
            let carries = ludus_primitives::carried_version_of(&digest) >= Some(scheduled.spec_version);
            let pre_runtime = digest.logs.iter().filter_map(|item| item.as_pre_runtime());
            let Some(author) = T::FindAuthor::find_author(pre_runtime) else { return };
            if !carries {
                return;
            }
            Ready::<T>::mutate(|ready| {
                if let Err(at) = ready.binary_search(&author) {
                    // A full list holds every index there can be; nothing is lost.
                    let _ = ready.try_insert(at, author);
                }
            });
        }

        /// In the block before the upgrade: drops it unless more than two thirds of the
        /// validators are ready.
        fn decide(scheduled: &ScheduledUpgradeOf<T>) {
            let authorities = T::AuthorityCount::get();
            let ready = Ready::<T>::decode_len().unwrap_or(0) as u32;
            if u64::from(ready) * 3 > u64::from(authorities) * 2 {
                return;
            }
            Scheduled::<T>::kill();
            Ready::<T>::kill();
            Self::deposit_event(Event::Abandoned {
                spec_version: scheduled.spec_version,
                at: scheduled.at,
                ready,
                authorities,
            });
        }

        /// # Invariants
        ///
        /// - A pending upgrade names a runtime newer than the running one.
        /// - A pending upgrade starts after the current block: the block at `at` clears it.
        /// - [`Ready`] is ascending without repeats, and empty with no upgrade pending.
        #[cfg(any(test, feature = "try-runtime"))]
        pub fn do_try_state(now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            let ready = Ready::<T>::get();
            ensure!(ready.windows(2).all(|pair| pair[0] < pair[1]), "Ready is not ascending");
            ensure!(ready.is_empty() || Scheduled::<T>::exists(), "validators are ready for no upgrade");
            if let Some(scheduled) = Scheduled::<T>::get() {
                ensure!(
                    scheduled.spec_version > T::Version::get().spec_version,
                    "a pending upgrade names a runtime not newer than the running one"
                );
                ensure!(scheduled.at >= now.saturating_add(One::one()), "a due upgrade was not applied");
            }
            Ok(())
        }
    }
}
