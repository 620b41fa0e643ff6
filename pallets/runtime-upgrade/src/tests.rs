//! Scheduling, cancelling and applying an upgrade, and the old runtime refusing the new one's
//! blocks.

use frame_support::{assert_noop, assert_ok, traits::Hooks};
use ludus_primitives::ScheduledUpgrade;
use sp_runtime::DispatchError;

use crate::{mock::*, Error, Event, Ready, Scheduled};

fn scheduled() -> Option<ScheduledUpgrade<u64>> {
    Scheduled::<Test>::get()
}

#[test]
fn only_root_may_schedule_or_cancel() {
    with_genesis(|| {
        let at = 1 + MIN_NOTICE;
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::signed(1), NEW, at), DispatchError::BadOrigin);
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::none(), NEW, at), DispatchError::BadOrigin);
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, at));
        assert_noop!(RuntimeUpgrade::cancel(RuntimeOrigin::signed(1)), DispatchError::BadOrigin);
        assert_eq!(scheduled(), Some(ScheduledUpgrade { spec_version: NEW, at }));
    });
}

#[test]
fn a_schedule_names_a_newer_runtime_with_enough_notice_and_only_one_is_pending() {
    with_genesis(|| {
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), OLD, 100), Error::<Test>::NotNewer);
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), OLD - 1, 100), Error::<Test>::NotNewer);
        // One block short of the notice, from block 1.
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, MIN_NOTICE), Error::<Test>::TooSoon);
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 0), Error::<Test>::TooSoon);
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 1 + MIN_NOTICE));
        assert_eq!(upgrade_events(), vec![Event::Scheduled { spec_version: NEW, at: 1 + MIN_NOTICE }]);
        assert_noop!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW + 1, 100), Error::<Test>::AlreadyScheduled);
    });
}

#[test]
fn a_cancelled_upgrade_never_applies_and_another_can_be_scheduled() {
    with_genesis(|| {
        assert_noop!(RuntimeUpgrade::cancel(RuntimeOrigin::root()), Error::<Test>::NothingScheduled);
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 20));
        run_to_block(19);
        assert_ok!(RuntimeUpgrade::cancel(RuntimeOrigin::root()));
        assert_eq!(upgrade_events(), vec![Event::Cancelled { spec_version: NEW, at: 20 }]);
        assert_eq!(scheduled(), None);
        // The old runtime goes on past the height that was scheduled.
        run_to_block(25);
        assert!(upgrade_events().is_empty());
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 25 + MIN_NOTICE));
    });
}

#[test]
fn the_new_runtime_applies_the_upgrade_at_its_height() {
    with_genesis(|| {
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 20));
        run_to_block(19);
        assert_eq!(scheduled().map(|s| s.spec_version), Some(NEW), "still pending the block before");
        // What the node does: block 20 runs on the scheduled runtime.
        SpecVersion::set(NEW);
        run_to_block(20);
        assert_eq!(upgrade_events(), vec![Event::Applied { spec_version: NEW }]);
        assert_eq!(scheduled(), None);
        run_to_block(21);
        assert!(upgrade_events().is_empty(), "applied once");
    });
}

#[test]
#[should_panic(expected = "block 20 must be executed by runtime 101 (scheduled at 20); this is runtime 100")]
fn the_old_runtime_refuses_to_execute_a_block_the_new_one_is_scheduled_for() {
    with_genesis(|| {
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 20));
        run_to_block(19);
        RuntimeUpgrade::on_initialize(20);
    });
}

#[test]
fn validators_announcing_the_runtime_are_noted_once_each_while_an_upgrade_is_pending() {
    with_genesis(|| {
        Carriers::set(vec![1, 3]);
        run_to_block(5);
        assert!(Ready::<Test>::get().is_empty(), "nothing is noted with no upgrade pending");
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 30));
        run_to_block(15);
        assert_eq!(Ready::<Test>::get().into_inner(), vec![1, 3]);
        assert_ok!(RuntimeUpgrade::cancel(RuntimeOrigin::root()));
        assert!(Ready::<Test>::get().is_empty(), "a cancel forgets who was ready");
    });
}

#[test]
fn an_upgrade_two_thirds_of_the_validators_do_not_carry_is_dropped_in_the_block_before_and_the_chain_runs_on() {
    with_genesis(|| {
        // Two of four: not more than two thirds.
        Carriers::set(vec![0, 2]);
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 20));
        run_to_block(18);
        assert!(scheduled().is_some());
        run_to_block(19);
        assert_eq!(
            upgrade_events(),
            vec![Event::Abandoned { spec_version: NEW, at: 20, ready: 2, authorities: AUTHORITIES }]
        );
        assert_eq!(scheduled(), None);
        assert!(Ready::<Test>::get().is_empty());
        // The old runtime executes the height and beyond; governance can schedule again.
        run_to_block(25);
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 25 + MIN_NOTICE));
    });
}

#[test]
fn an_upgrade_three_of_four_validators_carry_goes_ahead() {
    with_genesis(|| {
        Carriers::set(vec![0, 1, 3]);
        assert_ok!(RuntimeUpgrade::schedule(RuntimeOrigin::root(), NEW, 20));
        run_to_block(19);
        assert!(upgrade_events().is_empty());
        assert_eq!(Ready::<Test>::get().into_inner(), vec![0, 1, 3]);
        SpecVersion::set(NEW);
        run_to_block(20);
        assert_eq!(upgrade_events(), vec![Event::Applied { spec_version: NEW }]);
        assert!(Ready::<Test>::get().is_empty());
    });
}

#[test]
fn the_schedule_is_stored_under_the_key_the_node_reads() {
    with_genesis(|| {
        assert_eq!(Scheduled::<Test>::hashed_key(), ludus_primitives::scheduled_upgrade_key());
    });
}
