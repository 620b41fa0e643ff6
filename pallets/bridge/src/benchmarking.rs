//! Benchmarks of every call and of checkpoint fixing (frame-benchmarking v2), each in its
//! worst case.
//!
//! Validators' signatures are real: the benchmarks derive secp256k1 keys from fixed seeds and
//! sign the digests the pallet checks, so the measured time includes the verification. Setup
//! code unwraps: a failure there means the benchmark itself is wrong, and the benchmark test
//! suite run against the mock (`cargo test --features runtime-benchmarks`) catches it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungibles::Mutate, Get, Hooks};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use ludus_primitives::bridge::{Checkpoint, Deposit, Withdrawal};
use sp_core::{ecdsa, Pair as _, H160, H256};
use sp_runtime::traits::Saturating;

use crate::*;

/// The L1 token every benchmark bridges.
const TOKEN: L1Token = [0x70; 20];
/// The asset it becomes.
const ASSET: u32 = 7_000;
/// The asset's minimum balance.
const MIN_BALANCE: u128 = 10;

/// The benchmark validator `i`'s key pair.
fn pair(i: u32) -> ecdsa::Pair {
    let mut seed = [0x5eu8; 32];
    seed[..4].copy_from_slice(&i.to_le_bytes());
    ecdsa::Pair::from_seed(&seed)
}

/// Installs `size` benchmark validators as the current set and returns their pairs in set
/// order (validator index `i` is `pairs[i]`).
fn install_set<T: Config>(size: u32) -> Vec<ecdsa::Pair> {
    let pairs: Vec<_> = (0..size).map(pair).collect();
    let list = Pallet::<T>::validator_list(pairs.iter().map(|p| p.public()).collect()).unwrap();
    let ordered = list.iter().map(|v| pairs.iter().find(|p| p.public() == v.key).unwrap().clone()).collect();
    ValidatorSets::<T>::insert(CurrentSetId::<T>::get(), list);
    ordered
}

fn l1_params() -> L1Parameters {
    L1Parameters { chain_id: 1, vault: H160::repeat_byte(0xaa), checkpoints_contract: H160::repeat_byte(0xcc) }
}

/// Registers [`TOKEN`] as [`ASSET`].
fn register<T: Config>() -> AssetIdOf<T>
where
    AssetIdOf<T>: From<u32>,
{
    let asset: AssetIdOf<T> = ASSET.into();
    Pallet::<T>::do_register_token(TOKEN, asset.clone(), MIN_BALANCE).unwrap();
    asset
}

/// Puts `p` withdrawals in the open period: a withdrawal joining it rewrites the list, so the
/// worst case is one short of its capacity.
fn fill_period<T: Config>(p: u32) {
    for _ in 0..p {
        Pallet::<T>::enqueue_withdrawal(TOKEN, [0x11; 20], 1).unwrap();
    }
}

#[benchmarks(where AssetIdOf<T>: From<u32>)]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn register_token() {
        let asset: AssetIdOf<T> = ASSET.into();
        #[extrinsic_call]
        _(RawOrigin::Root, TOKEN, asset.clone(), MIN_BALANCE);
        assert_eq!(AssetTokens::<T>::get(asset), Some(TOKEN));
    }

    #[benchmark]
    fn deregister_token() {
        register::<T>();
        #[extrinsic_call]
        _(RawOrigin::Root, TOKEN);
        assert!(!Tokens::<T>::contains_key(TOKEN));
    }

    /// A set of `n` keys queued behind the current one (each key is decompressed and hashed).
    #[benchmark]
    fn set_validators(n: Linear<1, { T::MaxValidators::get() }>) {
        install_set::<T>(1);
        let keys: Vec<_> = (0..n).map(|i| pair(1_000 + i).public()).collect();
        #[extrinsic_call]
        _(RawOrigin::Root, keys.try_into().unwrap());
        assert_eq!(QueuedValidators::<T>::get().map(|set| set.len() as u32), Some(n));
    }

    /// The attestation that reaches the threshold of a set of `v` validators, all of whom
    /// attested already (the threshold less one the same deposit, the others each a different
    /// one), for a deposit that cannot be minted (below the asset's minimum balance), so the
    /// mint is tried and undone and the deposit is refunded into a period one short of full;
    /// then the lowest unexecuted nonce moves over `n` executed nonces, each dropping the
    /// oldest kept outcome (the bridge is past its first `DepositOutcomeRetention` deposits,
    /// whose outcomes are kept). The refund joins a period of `p` withdrawals.
    #[benchmark]
    fn attest_deposit(
        v: Linear<1, { T::MaxValidators::get() }>,
        n: Linear<1, { T::AttestationWindow::get() as u32 }>,
        p: Linear<0, { T::MaxWithdrawalsPerCheckpoint::get() - 1 }>,
    ) {
        register::<T>();
        fill_period::<T>(p);
        L1Params::<T>::put(l1_params());
        let pairs = install_set::<T>(v);
        let set_id = CurrentSetId::<T>::get();
        let retention = T::DepositOutcomeRetention::get();
        let nonce = retention + 1;
        LowestUnexecutedNonce::<T>::put(nonce);
        for kept in 1..nonce {
            ExecutedDeposits::<T>::insert(kept, DepositOutcome::Minted);
        }
        let deposit =
            Deposit { nonce, token: TOKEN, depositor: [0xde; 20], recipient: [0x42; 32], amount: MIN_BALANCE - 1 };
        let hash = deposit.deposit_hash();
        let last = v - 1;
        let agreeing = threshold(v) - 1;
        for index in 0..last {
            let attested = if index < agreeing { hash } else { H256::repeat_byte(index as u8) };
            Attestations::<T>::insert((nonce, set_id, index), attested);
            AttestationTally::<T>::mutate((nonce, set_id, attested), |count| *count += 1);
            OpenAttestations::<T>::insert(index, 1);
        }
        for later in 1..n {
            ExecutedDeposits::<T>::insert(nonce + u64::from(later), DepositOutcome::Minted);
        }
        let digest =
            deposit.attestation_digest(Pallet::<T>::sidechain_genesis(), l1_params().chain_id, l1_params().vault);
        let signature = pairs[last as usize].sign_prehashed(digest.as_fixed_bytes());
        #[extrinsic_call]
        _(RawOrigin::None, deposit, last, signature);
        // Refunded into the period; the outcomes of the last `retention` nonces below the new
        // lowest are kept, every older one was dropped.
        assert_eq!(PendingWithdrawals::<T>::get().len() as u32, p + 1);
        let lowest = nonce + u64::from(n);
        assert_eq!(LowestUnexecutedNonce::<T>::get(), lowest);
        assert_eq!(ExecutedDeposits::<T>::iter_keys().count() as u64, retention);
        assert!((lowest - retention..lowest).all(ExecutedDeposits::<T>::contains_key));
        assert_eq!(Attestations::<T>::iter().count(), 0);
    }

    /// A withdrawal joining a period of `p` withdrawals (at most one short of full: the
    /// largest list rewritten).
    #[benchmark]
    fn withdraw(p: Linear<0, { T::MaxWithdrawalsPerCheckpoint::get() - 1 }>) {
        let asset = register::<T>();
        fill_period::<T>(p);
        let caller: T::AccountId = whitelisted_caller();
        T::Assets::mint_into(asset.clone(), &caller, 1_000 * MIN_BALANCE).unwrap();
        // As if deposited: the ledger holds what is outstanding on the sidechain.
        Tokens::<T>::mutate(TOKEN, |info| info.as_mut().unwrap().outstanding = 1_000 * MIN_BALANCE);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller), asset, MIN_BALANCE, [0x22; 20], 1);
        assert_eq!(PendingWithdrawals::<T>::get().len() as u32, p + 1);
    }

    /// The signature that completes the threshold of a checkpoint of a set of `v` validators.
    #[benchmark]
    fn submit_checkpoint_signature(v: Linear<1, { T::MaxValidators::get() }>) {
        L1Params::<T>::put(l1_params());
        let pairs = install_set::<T>(v);
        let number = LatestCheckpoint::<T>::get() + 1;
        let checkpoint = Checkpoint {
            sidechain_genesis: Pallet::<T>::sidechain_genesis(),
            number,
            first_block: 1,
            last_block: 10,
            last_block_hash: H256::repeat_byte(0xb1),
            withdrawals_root: H256::repeat_byte(0x77),
            validator_set_id: CurrentSetId::<T>::get(),
            next_validator_set_hash: H256::repeat_byte(0x5e),
        };
        Checkpoints::<T>::insert(number, checkpoint);
        LatestCheckpoint::<T>::put(number);
        let last = threshold(v) - 1;
        for index in 0..last {
            CheckpointSignatures::<T>::insert(number, index, [0u8; 65]);
        }
        CheckpointTallies::<T>::insert(number, SignatureTally { count: last, signed: false });
        let digest = Pallet::<T>::checkpoint_digest(number).unwrap();
        let signature = pairs[last as usize].sign_prehashed(digest.as_fixed_bytes());
        #[extrinsic_call]
        _(RawOrigin::None, number, last, signature);
        assert!(CheckpointTallies::<T>::get(number).signed);
    }

    #[benchmark]
    fn set_paused() {
        #[extrinsic_call]
        _(RawOrigin::Root, true, true);
        assert!(Paused::<T>::get().withdrawals);
    }

    #[benchmark]
    fn set_l1_params() {
        #[extrinsic_call]
        _(RawOrigin::Root, l1_params());
        assert_eq!(L1Params::<T>::get(), Some(l1_params()));
    }

    #[benchmark]
    fn set_min_withdrawal() {
        register::<T>();
        #[extrinsic_call]
        _(RawOrigin::Root, TOKEN, 1_000);
        assert_eq!(Tokens::<T>::get(TOKEN).unwrap().min_withdrawal, 1_000);
    }

    /// `on_initialize` fixing a checkpoint over `w` withdrawals (their leaves and Merkle root)
    /// and installing a queued set of `MaxValidators`. The attestations a set change clears
    /// and the queued withdrawals moved into the new period are weighed apart by `on_block`.
    #[benchmark]
    fn fix_checkpoint(w: Linear<0, { T::MaxWithdrawalsPerCheckpoint::get() }>) {
        L1Params::<T>::put(l1_params());
        install_set::<T>(T::MaxValidators::get());
        let next = (0..T::MaxValidators::get()).map(|i| pair(1_000 + i).public()).collect();
        QueuedValidators::<T>::put(Pallet::<T>::validator_list(next).unwrap());
        for i in 0..w {
            let id = NextWithdrawalId::<T>::get();
            let withdrawal = Withdrawal { id, token: TOKEN, recipient: [0x33; 20], amount: 1 + u128::from(i), fee: 1 };
            PendingWithdrawals::<T>::try_mutate(|pending| pending.try_push(withdrawal)).unwrap();
            NextWithdrawalId::<T>::put(id + 1);
        }
        let now: BlockNumberFor<T> = PeriodStart::<T>::get().saturating_add(T::CheckpointInterval::get());
        frame_system::Pallet::<T>::set_block_number(now);
        let number = LatestCheckpoint::<T>::get() + 1;
        #[block]
        {
            Pallet::<T>::on_initialize(now);
        }
        assert_eq!(LatestCheckpoint::<T>::get(), number);
        assert_eq!(CheckpointWithdrawals::<T>::get(number).unwrap().withdrawals.len() as u32, w);
        assert_eq!(PeriodStart::<T>::get(), now);
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
