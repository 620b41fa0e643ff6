//! Sequences of validator-set calls (and session key changes, which the set depends on) from
//! twelve accounts and root against the real runtime, with every pallet's `try_state` after
//! each call and an unchanged state root after each failed one. See `ludus_fuzz::calls`.
#![no_main]

use codec::{Decode, Encode};
use libfuzzer_sys::fuzz_target;
use ludus_fuzz::calls::run_sequence;
use ludus_runtime::{Runtime, RuntimeCall};

/// Either pallet's call: the set changes only take effect through sessions.
#[derive(Clone, Debug, Encode, Decode)]
enum SetCall {
    ValidatorSet(pallet_validator_set::Call<Runtime>),
    Session(pallet_session::Call<Runtime>),
}

fuzz_target!(init: ludus_fuzz::seeds::write_if_asked("validator_set_calls"), |data: &[u8]| run_sequence::<SetCall>(
    data,
    |call| match call {
        SetCall::ValidatorSet(call) => RuntimeCall::ValidatorSet(call),
        SetCall::Session(call) => RuntimeCall::Session(call),
    },
    None,
    || {}
));
