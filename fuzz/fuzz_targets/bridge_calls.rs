//! Sequences of bridge calls from twelve accounts and root against the real runtime, with
//! every pallet's `try_state` after each call and an unchanged state root after each failed
//! one. See `ludus_fuzz::calls`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludus_fuzz::calls::run_sequence;
use ludus_runtime::{Runtime, RuntimeCall};

fuzz_target!(init: ludus_fuzz::seeds::write_if_asked("bridge_calls"), |data: &[u8]| run_sequence::<pallet_bridge::Call<Runtime>>(data, RuntimeCall::Bridge, || {}));
