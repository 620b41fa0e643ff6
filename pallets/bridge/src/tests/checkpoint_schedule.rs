//! When checkpoints are fixed: an idle bridge once per heartbeat, a withdrawal within one
//! checkpoint interval of its burn, a set change at once; and what that costs the L1 per day.

use frame_support::{assert_ok, traits::Hooks};
use sp_core::H256;

use super::*;

/// The runtime's figures: one block a second (`SLOT_DURATION` 1 s), a checkpoint interval of
/// 10 blocks, a heartbeat of one hour, 1,024 withdrawals per checkpoint.
const RUNTIME_INTERVAL: u64 = 10;
const RUNTIME_HEARTBEAT: u64 = 3_600;
const RUNTIME_MAX_WITHDRAWALS: u32 = 1_024;
const BLOCKS_PER_DAY: u64 = 86_400;

/// `run_to_block` without `System::finalize`, whose storage root over a growing overlay
/// would make a simulated day quadratic: the bridge reads only the number and the hashes.
fn step_to_block(target: u64) {
    while System::block_number() < target {
        let now = System::block_number();
        frame_system::BlockHash::<Test>::insert(now, hash_of_block(now));
        // As frame-system does past `BlockHashCount`; the bridge needs only recent hashes.
        if now > 2 * INTERVAL {
            frame_system::BlockHash::<Test>::remove(now - 2 * INTERVAL);
        }
        System::set_block_number(now + 1);
        System::reset_events();
        Bridge::on_initialize(now + 1);
    }
}

fn withdraw(amount: u128) {
    assert_ok!(Bridge::withdraw(RuntimeOrigin::signed(account(RECIPIENT)), ASSET, amount, L1_RECIPIENT, 0));
}

#[test]
fn an_idle_bridge_fixes_a_checkpoint_once_per_heartbeat() {
    HeartbeatBlocks::set(HEARTBEAT);
    run_test(|| {
        run_to_block(HEARTBEAT);
        assert_eq!(LatestCheckpoint::<Test>::get(), 0, "nothing to commit before the heartbeat");
        run_to_block(HEARTBEAT + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 1);
        let checkpoint = Checkpoints::<Test>::get(1).unwrap();
        assert_eq!((checkpoint.first_block, checkpoint.last_block), (1, HEARTBEAT as u32));
        assert_eq!(checkpoint.withdrawals_root, H256::zero(), "an empty checkpoint commits to no withdrawal");
        run_to_block(2 * HEARTBEAT + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 2);
    });
}

#[test]
fn a_withdrawal_is_checkpointed_within_one_interval_of_its_burn() {
    HeartbeatBlocks::set(HEARTBEAT);
    run_test(|| {
        register();
        deposited(1, 1_000);
        // Long idle, then a withdrawal: the period is already older than the interval, so the
        // next block fixes it.
        run_to_block(HEARTBEAT - 5);
        withdraw(10);
        run_to_block(HEARTBEAT - 4);
        assert_eq!(LatestCheckpoint::<Test>::get(), 1);
        assert_eq!(Bridge::withdrawal_status(1), Some(WithdrawalStatus::InCheckpoint { number: 1 }));
        // A withdrawal right after a checkpoint waits for the interval, not the heartbeat.
        let burnt_in = System::block_number();
        withdraw(10);
        run_to_block(burnt_in + INTERVAL - 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 1);
        run_to_block(burnt_in + INTERVAL);
        assert_eq!(LatestCheckpoint::<Test>::get(), 2);
        assert_eq!(Bridge::withdrawal_status(2), Some(WithdrawalStatus::InCheckpoint { number: 2 }));
    });
}

#[test]
fn a_queued_set_is_committed_to_by_the_next_block() {
    HeartbeatBlocks::set(HEARTBEAT);
    run_test(|| {
        run_to_block(3);
        let three: Vec<_> = validators().into_iter().take(3).map(|pair| pair.public()).collect();
        assert_ok!(Bridge::set_validators(RuntimeOrigin::root(), three.try_into().unwrap()));
        run_to_block(4);
        assert_eq!(LatestCheckpoint::<Test>::get(), 1);
        assert_eq!(CurrentSetId::<Test>::get(), 1);
    });
}

/// Counts the checkpoints fixed over one simulated day at the runtime's block time and
/// parameters: idle, and with one withdrawal every block (a second). The figures go to the
/// L1: each checkpoint is one `Checkpoints.submit`.
#[test]
fn checkpoints_per_day_idle_and_at_one_withdrawal_a_second() {
    IntervalBlocks::set(RUNTIME_INTERVAL);
    HeartbeatBlocks::set(RUNTIME_HEARTBEAT);
    WithdrawalsPerCheckpoint::set(RUNTIME_MAX_WITHDRAWALS);
    // Hour by hour, committing the overlay in between: one overlay over a day of blocks
    // makes every access slower.
    let mut ext = new_test_ext();
    for hour in 1..=24 {
        ext.execute_with(|| step_to_block(1 + hour * RUNTIME_HEARTBEAT));
        ext.commit_all().unwrap();
    }
    ext.execute_with(|| {
        let idle = LatestCheckpoint::<Test>::get();
        assert!(idle <= 24, "an idle day fixed {idle} checkpoints");
        assert_eq!(idle, 24);
        Bridge::do_try_state().unwrap();
    });
    run_test(|| {
        register();
        deposited(1, u128::from(u32::MAX));
        // One hour, block by block; the rules repeat every interval, so a day is 24 of them.
        for block in 2..=1 + RUNTIME_HEARTBEAT {
            step_to_block(block);
            withdraw(1);
        }
        let busy_hour = LatestCheckpoint::<Test>::get();
        assert_eq!(busy_hour, RUNTIME_HEARTBEAT / RUNTIME_INTERVAL);
        println!("checkpoints per day at one withdrawal a second: {}", 24 * busy_hour);
        assert_eq!(24 * busy_hour, BLOCKS_PER_DAY / RUNTIME_INTERVAL);
    });
    IntervalBlocks::set(INTERVAL);
    HeartbeatBlocks::set(HEARTBEAT);
    WithdrawalsPerCheckpoint::set(MAX_WITHDRAWALS);
}
