//! Extrinsics from outside (RPC, gossip): bytes through the node's bounded decoder, then what
//! decodes through the runtime's transaction validation and, if valid, into a block.
//!
//! The first byte picks the mode: even, the rest is an extrinsic as a peer sends it; odd, the
//! rest is a call, which Alice signs, so inputs reach the transaction extensions and dispatch
//! instead of stopping at the signature check. Bit 1 also applies a valid extrinsic in block 1
//! and checks every pallet's invariants after it.
//!
//! Never panics: an extrinsic is accepted or refused with an error, and the decoder never
//! accepts bytes its own encoding would not reproduce (the pool keys transactions by them).
#![no_main]

use codec::Encode;
use libfuzzer_sys::fuzz_target;
use ludus_fuzz::{assert_try_state, genesis_hash, open_block, rolled_back, with_dev_state};
use ludus_node::executor::decode::{decode_all, decode_extrinsic};
use ludus_runtime::{Executive, RuntimeCall};
use sp_runtime::transaction_validity::TransactionSource;
use std::sync::LazyLock;

static ALICE: LazyLock<sp_core::sr25519::Pair> = LazyLock::new(|| ludus_node::test_utils::pair("//Alice"));

fuzz_target!(init: ludus_fuzz::seeds::write_if_asked("extrinsic"), |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let signed_by_alice = mode & 1 == 1;
    let apply = mode & 2 == 2;
    with_dev_state(|| {
        let bytes = if signed_by_alice {
            let Ok(call) = decode_all::<RuntimeCall>(rest) else { return };
            ludus_node::test_utils::sign(call, &ALICE, 0, genesis_hash())
        } else {
            rest.to_vec()
        };
        let Ok(extrinsic) = decode_extrinsic(&bytes) else { return };
        assert_eq!(extrinsic.encode(), bytes, "an accepted encoding is canonical");

        // The node validates on a state it then throws away.
        let validity = rolled_back(|| {
            Executive::validate_transaction(TransactionSource::External, extrinsic.clone(), genesis_hash())
        });
        if validity.is_ok() && apply {
            open_block(1);
            // Refused or failed, never a panic; fees and nonce are charged either way.
            let _ = Executive::apply_extrinsic(extrinsic);
            assert_try_state();
        }
    });
});
