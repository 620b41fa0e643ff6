//! Sequences of bridge calls from twelve accounts, root and none (unsigned) against the real
//! runtime, with every pallet's `try_state` after each call and an unchanged state root after
//! each failed one. See `ludus_fuzz::calls`.
//!
//! Random bytes never make a validator's signature, so an attestation or checkpoint signature
//! of 65 zero bytes is replaced by the real one of the validator at its `validator_index` (the
//! development keys of the local testnet's validators): deposits get minted, withdrawals get
//! checkpointed, and the fuzzer explores what follows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludus_fuzz::calls::run_sequence;
use ludus_runtime::{Runtime, RuntimeCall};
use pallet_bridge::{Call, CurrentSetId, Pallet as Bridge, ValidatorSets};
use sp_core::{ecdsa, Pair, H256};
use std::sync::LazyLock;

/// The development names' bridge keys, any of which may be in the current set.
static BRIDGE_KEYS: LazyLock<Vec<ecdsa::Pair>> = LazyLock::new(|| {
    ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
        .iter()
        .map(|name| ecdsa::Pair::from_string(&format!("//{name}"), None).expect("static seed"))
        .collect()
});

/// Validator `index`'s signature over `digest`, if the index is in the current set and its
/// key is a development key.
fn validator_signature(index: u32, digest: Option<H256>) -> Option<ecdsa::Signature> {
    let digest = digest?;
    let set = ValidatorSets::<Runtime>::get(CurrentSetId::<Runtime>::get());
    let key = set.get(index as usize)?.key;
    let pair = BRIDGE_KEYS.iter().find(|pair| pair.public() == key)?;
    Some(pair.sign_prehashed(digest.as_fixed_bytes()))
}

fn signed(call: Call<Runtime>) -> RuntimeCall {
    let unsigned = ecdsa::Signature::from_raw([0; 65]);
    let call = match call {
        Call::attest_deposit { deposit, validator_index, signature } if signature == unsigned => {
            let digest = Bridge::<Runtime>::deposit_attestation_digest(&deposit);
            let signature = validator_signature(validator_index, digest).unwrap_or(signature);
            Call::attest_deposit { deposit, validator_index, signature }
        }
        Call::submit_checkpoint_signature { number, validator_index, signature } if signature == unsigned => {
            let digest = Bridge::<Runtime>::checkpoint_digest(number);
            let signature = validator_signature(validator_index, digest).unwrap_or(signature);
            Call::submit_checkpoint_signature { number, validator_index, signature }
        }
        other => other,
    };
    RuntimeCall::Bridge(call)
}

fuzz_target!(init: ludus_fuzz::seeds::write_if_asked("bridge_calls"), |data: &[u8]| {
    run_sequence::<Call<Runtime>>(data, signed, None, || {})
});
