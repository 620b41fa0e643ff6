//! Coverage-guided fuzzing of what Ludus takes from outside (cargo-fuzz, libFuzzer; run by
//! `scripts/fuzz.sh`). Each target in `fuzz_targets/` feeds one entry point and must never
//! panic:
//!
//! | target | input | into |
//! |---|---|---|
//! | `extrinsic` | bytes, or a call Alice signs | `executor::decode::decode_extrinsic`, then `Executive::validate_transaction` and `apply_extrinsic` on the dev genesis |
//! | `chain_spec` | JSON | `ChainSpec::from_json_bytes` (and back through `to_json`) |
//! | `grandpa_gossip` | bytes, or votes and commits signed by the set | `Grandpa::on_gossip`, `import_justification` of a fresh observer or voter |
//! | `sync_messages` | bytes, or hash-linked headers | the sync wire messages, the pool's format check, `sync::check_response` |
//! | `block_import` | a mutated real block, raw or re-sealed by Alice | `BlockImporter::import` on a dev chain |
//! | `rpc` | a method and its params | the node's whole RPC module, unsafe methods included |
//! | `*_calls` | call sequences of one pallet | the real runtime; `try_state` after every call, unchanged state root after a failed one |
//!
//! This library holds what they share: the development chain's genesis state, opened blocks,
//! and running runtime code the way the node does (on a stack big enough for the deepest input
//! the decoder accepts, every change rolled back afterwards so one input cannot influence the
//! next). Seeds are written by [`seeds`]; crashes found and fixed are kept in
//! `fuzz/regressions/<target>/`, each with a unit test in the crate it was fixed in.

use codec::Encode;
use frame_support::storage::{with_transaction, TransactionOutcome};
use ludus_runtime::{
    BlockNumber, Executive, Header, Runtime, RuntimeCall, System, TimestampCall, UncheckedExtrinsic, SLOT_DURATION,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::traits::ReadRuntimeVersionExt;
use sp_runtime::{traits::Header as _, Digest, DigestItem, DispatchError};
use std::cell::RefCell;

thread_local! {
    /// The development chain's genesis state, built once per process.
    static DEV_STATE: RefCell<sp_io::TestExternalities> = RefCell::new(dev_externalities());
}

fn dev_externalities() -> sp_io::TestExternalities {
    let spec = ludus_chain_spec::ChainSpec::dev().expect("the dev chain spec is built in");
    let storage = spec.build_storage().expect("the dev genesis builds");
    externalities(storage)
}

/// Externalities over `storage` with the extensions the node's executor registers.
pub fn externalities(storage: sp_runtime::Storage) -> sp_io::TestExternalities {
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.extensions = node_extensions();
    ext
}

/// The extensions the node's executor registers for a runtime call.
pub fn node_extensions() -> sp_externalities::Extensions {
    let mut extensions = sp_externalities::Extensions::default();
    // A `set_code` call asks for the new code's version; the node refuses every code.
    extensions.register(ReadRuntimeVersionExt::new(ludus_node::executor::NoWasmRuntimeVersion));
    extensions
}

/// Runs `f` against the development chain's genesis state; whatever `f` writes is discarded.
pub fn with_dev_state<R>(f: impl FnOnce() -> R) -> R {
    DEV_STATE.with(|state| state.borrow_mut().execute_with(|| rolled_back(|| on_runtime_stack(f))))
}

/// Runs `f` in a storage layer that is discarded afterwards, as the node discards the state of
/// a runtime call that only answers a question (`validate_transaction`).
pub fn rolled_back<R>(f: impl FnOnce() -> R) -> R {
    match with_transaction(|| TransactionOutcome::Rollback(Ok::<R, DispatchError>(f()))) {
        Ok(value) => value,
        Err(error) => panic!("the storage transaction could not open: {error:?}"),
    }
}

/// Runs `f` with at least the stack the node gives the runtime.
pub fn on_runtime_stack<R>(f: impl FnOnce() -> R) -> R {
    let bytes = ludus_node::executor::RUNTIME_STACK_BYTES;
    stacker::maybe_grow(bytes, bytes, f)
}

/// Starts block `number` (slot `number`) and applies its timestamp inherent, as an author does.
pub fn open_block(number: BlockNumber) {
    let slot = Slot::from(u64::from(number));
    let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
    let parent = System::block_hash(number - 1);
    Executive::initialize_block(&Header::new(number, Default::default(), Default::default(), parent, digest));
    let now = u64::from(number) * SLOT_DURATION;
    let timestamp = UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(TimestampCall::set { now }));
    let applied = Executive::apply_extrinsic(timestamp).expect("the timestamp inherent is valid");
    assert!(applied.is_ok(), "the timestamp inherent dispatches: {applied:?}");
}

/// Every pallet's `try_state` invariants; panics naming the broken one.
pub fn assert_try_state() {
    assert_try_state_except(None);
}

/// [`assert_try_state`] but for pallet `skipped` (by its name in the runtime), whose invariants
/// the caller checks itself, more thoroughly: each pallet's check walks all its storage.
pub fn assert_try_state_except(skipped: Option<&str>) {
    use frame_support::traits::{PalletsInfoAccess, TryState, TryStateSelect};
    let now = System::block_number();
    let select = match skipped {
        None => TryStateSelect::All,
        Some(skipped) => TryStateSelect::Only(
            ludus_runtime::AllPalletsWithSystem::infos()
                .into_iter()
                .filter(|info| info.name != skipped)
                .map(|info| info.name.as_bytes().to_vec())
                .collect(),
        ),
    };
    if let Err(error) = <ludus_runtime::AllPalletsWithSystem as TryState<BlockNumber>>::try_state(now, select) {
        panic!("try_state failed at block {now}: {error:?}");
    }
}

/// The genesis hash the dev chain's transactions are signed for.
pub fn genesis_hash() -> ludus_runtime::Hash {
    frame_system::BlockHash::<Runtime>::get(0)
}

pub mod calls;
pub mod grandpa;
pub mod seeds;
