//! Call sequences against the real runtime, starting from the local testnet's genesis (four
//! validators, twelve endowed development accounts, Alice as sudo).
//!
//! An input is a list of steps, each a header byte and a SCALE-encoded call of one pallet:
//!
//! - bits 0–3 of the header pick the origin: one of [`ACCOUNTS`] signed, root for 12–14,
//!   none (an unsigned transaction's) for 15;
//! - bit 4 ends the block first and starts the next one (hooks run: sessions rotate,
//!   approvals and listings expire);
//! - the call is decoded with the node's depth limit, as calls from outside are.
//!
//! After every call, every pallet's `try_state` must hold, and a call that failed must have
//! left the state root as it was (FRAME runs each call in a storage layer).

use crate::{assert_try_state_except, on_runtime_stack, open_block};
use genesis::GenesisBackend;
use ludus_node::executor::decode::decode_prefix;
use ludus_runtime::{AccountId, Executive, RuntimeCall, RuntimeOrigin};
use sp_runtime::{traits::Dispatchable, StateVersion};
use sp_state_machine::{Ext, OverlayedChanges};
use std::sync::LazyLock;

mod genesis;

/// The development names whose accounts sign the calls (all endowed in genesis; the first
/// four are validators, Alice is sudo).
pub const ACCOUNTS: [&str; 12] =
    ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "Alice", "Bob", "Eve", "Ferdie", "Eve", "Ferdie"];

/// Most steps of one input: longer sequences add little coverage per second.
pub const MAX_STEPS: usize = 64;

static ACCOUNT_IDS: LazyLock<Vec<AccountId>> =
    LazyLock::new(|| ACCOUNTS.iter().map(|name| ludus_runtime::genesis_config_presets::dev_account(name)).collect());

thread_local! {
    /// The local testnet's genesis, built once per process.
    static LOCAL_GENESIS: GenesisBackend = {
        let spec = ludus_chain_spec::ChainSpec::local().expect("the local chain spec is built in");
        GenesisBackend::new(spec.build_storage().expect("the local genesis builds"))
    };
}

/// Runs `f` with externalities over the local genesis and an empty overlay, and the extensions
/// the node's executor registers; whatever `f` writes is discarded.
fn with_local_genesis<R>(f: impl FnOnce() -> R) -> R {
    LOCAL_GENESIS.with(|backend| {
        let mut overlay = OverlayedChanges::default();
        let mut extensions = crate::node_extensions();
        let mut ext = Ext::new(&mut overlay, backend, Some(&mut extensions));
        sp_externalities::set_and_run_with_externalities(&mut ext, f)
    })
}

/// The accounts the calls come from, for invariants that need to be told whose holds to check.
pub fn accounts() -> &'static [AccountId] {
    &ACCOUNT_IDS
}

fn state_root() -> Vec<u8> {
    sp_io::storage::root(StateVersion::V1)
}

/// Runs the steps of `data`, each call a `C` (one pallet's `Call`) that `into_runtime_call`
/// wraps; `extra_checks` runs after each call, beside every pallet's `try_state` but that of
/// pallet `checked` (its name in the runtime), whose invariants `extra_checks` covers.
pub fn run_sequence<C: codec::Decode>(
    data: &[u8],
    into_runtime_call: impl Fn(C) -> RuntimeCall,
    checked: Option<&str>,
    extra_checks: impl Fn(),
) {
    with_local_genesis(|| {
        on_runtime_stack(|| {
            let mut number = 1;
            open_block(number);
            // Whether the state changed since the invariants were last checked. A failed call
            // leaves the state root as it was (asserted), so the invariants that held before it
            // hold after it, and checking them again would only cost time: most fuzzed calls fail.
            let mut unchecked = true;
            let mut rest = data;
            for _ in 0..MAX_STEPS {
                let Some((&header, after)) = rest.split_first() else { break };
                let Ok((call, after)) = decode_prefix::<C>(after) else { break };
                rest = after;
                if header & 0x10 != 0 {
                    Executive::finalize_block();
                    number += 1;
                    open_block(number);
                    unchecked = true;
                }
                let origin = match usize::from(header & 0x0f) {
                    who if who < ACCOUNTS.len() => RuntimeOrigin::signed(ACCOUNT_IDS[who].clone()),
                    15 => RuntimeOrigin::none(),
                    _ => RuntimeOrigin::root(),
                };
                let call = into_runtime_call(call);
                let root = state_root();
                match call.clone().dispatch(origin) {
                    Ok(_) => unchecked = true,
                    Err(error) => assert_eq!(state_root(), root, "failed {call:?} changed state: {error:?}"),
                }
                if unchecked {
                    assert_try_state_except(checked);
                    extra_checks();
                    unchecked = false;
                }
            }
            Executive::finalize_block();
            assert_try_state_except(checked);
            extra_checks();
        })
    });
}
