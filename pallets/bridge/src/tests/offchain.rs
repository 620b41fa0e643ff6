//! The offchain worker: signs checkpoints with the keystore's bridge keys once they are final.

use std::sync::Arc;

use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use parking_lot::RwLock;
use sp_core::offchain::{
    testing::{PoolState, TestOffchainExt, TestTransactionPoolExt},
    OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::{generic::Preamble, traits::Dispatchable};

use super::*;

/// The mock's genesis with a keystore holding the bridge key of `seed`, an offchain worker
/// environment and a transaction pool whose state is returned.
fn offchain_ext(seed: &str, l1_params: Option<L1Parameters>) -> (sp_io::TestExternalities, Arc<RwLock<PoolState>>) {
    let keystore = MemoryKeystore::new();
    keystore.ecdsa_generate_new(BRIDGE_KEY_TYPE, Some(seed)).unwrap();
    let (offchain, _) = TestOffchainExt::new();
    let (pool, pool_state) = TestTransactionPoolExt::new();
    let mut ext = new_test_ext_with(l1_params);
    ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
    ext.register_extension(OffchainDbExt::new(offchain));
    ext.register_extension(TransactionPoolExt::new(pool));
    ext.register_extension(KeystoreExt::new(Arc::new(keystore)));
    (ext, pool_state)
}

/// The calls in the pool, checked to be bare (unsigned) extrinsics.
fn pooled_calls(pool: &RwLock<PoolState>) -> Vec<RuntimeCall> {
    pool.read()
        .transactions
        .iter()
        .map(|bytes| {
            let extrinsic = Extrinsic::decode(&mut &bytes[..]).unwrap();
            assert!(matches!(extrinsic.preamble, Preamble::Bare(_)), "submitted as an unsigned transaction");
            extrinsic.function
        })
        .collect()
}

/// Alice's index in the genesis set.
fn alice_index() -> u32 {
    validators().iter().position(|validator| validator.public() == pair("//Alice").public()).unwrap() as u32
}

#[test]
fn a_validator_signs_a_checkpoint_once_its_blocks_are_final() {
    let (mut ext, pool) = offchain_ext("//Alice", Some(l1_params()));
    ext.execute_with(|| {
        run_to_block(INTERVAL + 1);
        let checkpoint = Checkpoints::<Test>::get(1).unwrap();
        assert_eq!(u64::from(checkpoint.last_block), INTERVAL);

        // Finality has not reached the checkpoint's last block: nothing is signed.
        Bridge::offchain_worker(INTERVAL - 1);
        assert!(pool.read().transactions.is_empty());

        Bridge::offchain_worker(INTERVAL);
        let calls = pooled_calls(&pool);
        assert_eq!(calls.len(), 1);
        let RuntimeCall::Bridge(Call::submit_checkpoint_signature { number, validator_index, signature }) =
            calls[0].clone()
        else {
            panic!("not a checkpoint signature: {:?}", calls[0]);
        };
        assert_eq!((number, validator_index), (1, alice_index()));
        let digest = checkpoint.digest(L1_CHAIN_ID, CheckpointsAddress::get());
        assert!(sp_io::crypto::ecdsa_verify_prehashed(&signature, digest.as_fixed_bytes(), &pair("//Alice").public()));

        // Included the way a block would: the pool's validation, then dispatch.
        let call = Call::<Test>::submit_checkpoint_signature { number, validator_index, signature };
        assert_ok!(validate(&call));
        assert_ok!(calls[0].clone().dispatch(RuntimeOrigin::none()));
        assert_eq!(
            CheckpointSignatures::<Test>::get(1, alice_index()),
            Some(ludus_primitives::bridge::eth_signature(&signature).unwrap())
        );
        assert_eq!(CheckpointTallies::<Test>::get(1).count, 1);

        // Signed on chain: later runs do not sign it again.
        Bridge::offchain_worker(INTERVAL + 1);
        assert_eq!(pool.read().transactions.len(), 1);
        Bridge::do_try_state().unwrap();
    });
}

#[test]
fn a_key_outside_the_set_signs_nothing() {
    let (mut ext, pool) = offchain_ext("//Eve", Some(l1_params()));
    ext.execute_with(|| {
        run_to_block(INTERVAL + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 1);
        Bridge::offchain_worker(INTERVAL + 1);
        assert!(pool.read().transactions.is_empty());
    });
}

#[test]
fn nothing_is_signed_while_the_l1_params_are_unset() {
    let (mut ext, pool) = offchain_ext("//Alice", None);
    ext.execute_with(|| {
        run_to_block(INTERVAL + 1);
        assert_eq!(LatestCheckpoint::<Test>::get(), 0, "no checkpoint is fixed without the L1 parameters");
        Bridge::offchain_worker(INTERVAL + 1);
        assert!(pool.read().transactions.is_empty());

        assert_ok!(Bridge::set_l1_params(RuntimeOrigin::root(), l1_params()));
        run_to_block(INTERVAL + 2);
        assert_eq!(LatestCheckpoint::<Test>::get(), 1);
        Bridge::offchain_worker(INTERVAL + 2);
        assert_eq!(pooled_calls(&pool).len(), 1);
    });
}
