//! What the fuzz targets share: the development chain's genesis state, opened blocks, and
//! running runtime code the way the node does (on a stack big enough for the deepest input
//! the decoder accepts, every change rolled back afterwards so one input cannot influence
//! the next).

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
    // A `set_code` call asks for the new code's version; the node refuses every code.
    ext.register_extension(ReadRuntimeVersionExt::new(ludus_node::executor::NoWasmRuntimeVersion));
    ext
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
    use frame_support::traits::{TryState, TryStateSelect};
    let now = System::block_number();
    if let Err(error) =
        <ludus_runtime::AllPalletsWithSystem as TryState<BlockNumber>>::try_state(now, TryStateSelect::All)
    {
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
