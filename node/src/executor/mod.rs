//! Native execution of the runtime (DESIGN.md, decision 1).
//!
//! Every runtime API call, by name (`state_call`) or typed (`crate::chain::runtime_api`), goes
//! through [`RuntimeExecutor::call_in`]: the generated
//! `ludus_runtime::apis::api::dispatch(method, args)` runs inside an `sp_state_machine::Ext`
//! over the caller's state backend and overlay, in an overlay transaction that is
//! committed on success and rolled back on failure. A runtime panic (a bad block, bad
//! input to an API) is caught and returned as [`ExecutorError::Panicked`]; nothing of
//! the failed call stays in the overlay.
//!
//! What Wasm gave Substrate for free, the executor provides itself:
//!
//! - **A stack of its own.** Every call runs with at least [`RUNTIME_STACK_BYTES`] of stack
//!   (on a fresh segment if the calling thread has less left), enough for the deepest input
//!   [`crate::executor::decode`] lets through; arguments that nest deeper are refused before dispatch
//!   ([`ExecutorError::BadInput`]).
//! - **No side effects by default.** [`RuntimeExecutor::call`] registers no keystore, offchain
//!   or pool extension, so a call from RPC (`state_call`) cannot generate keys or write
//!   anything outside its overlay; the callers that must sign (`author_rotateKeys`, offchain
//!   workers) add [`RuntimeExecutor::keystore_extension`] explicitly.

pub mod decode;
pub mod runtimes;

use std::{
    cell::Cell,
    panic::{self, AssertUnwindSafe},
    sync::{Arc, Once},
};

use ludus_primitives::Hashing;
use sp_core::traits::{ReadRuntimeVersion, ReadRuntimeVersionExt};
use sp_externalities::Extensions;
use sp_keystore::{KeystoreExt, KeystorePtr};
use sp_state_machine::{Backend, Ext, OverlayedChanges};

pub use runtimes::{NativeRuntime, Runtimes};

/// Why a runtime call failed.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The runtime has no such API method.
    #[error("the runtime has no method `{0}`")]
    UnknownMethod(String),
    /// The runtime panicked; the message is the panic's.
    #[error("runtime panicked in `{method}`: {message}")]
    Panicked {
        /// The method that was called.
        method: String,
        /// The panic message.
        message: String,
    },
    /// The arguments hold an extrinsic, call or block that is malformed or nests too deep;
    /// the runtime was not called.
    #[error("bad input to `{method}`: {error}")]
    BadInput {
        /// The method that was called.
        method: String,
        /// What is wrong with the input.
        error: crate::executor::decode::DecodeError,
    },
    /// The overlay refused to enter or leave runtime mode (a bug in the caller).
    #[error("state overlay misuse: {0}")]
    Overlay(String),
    /// The chain runs a runtime this release does not link.
    #[error(
        "the chain runs runtime {spec_version} here, which this release does not carry (it carries {carried}): \
         install a ludus-node release that carries runtime {spec_version}"
    )]
    NotCarried {
        /// The runtime the chain runs.
        spec_version: u32,
        /// The runtimes this release carries.
        carried: String,
    },
}

thread_local! {
    /// Set while this thread runs the runtime, so the panic hook stays quiet for the
    /// panics we catch and report as errors.
    static IN_RUNTIME: Cell<bool> = const { Cell::new(false) };
}

/// Installs a panic hook that logs runtime panics at debug level instead of printing
/// them, and leaves every other panic to the default hook.
fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_RUNTIME.with(Cell::get) {
                tracing::debug!(target: "executor", "runtime panic: {info}");
            } else {
                default_hook(info);
            }
        }));
    });
}

/// Answers `sp_io::misc::runtime_version`: there is no Wasm code to read, so any code
/// handed to it (a `set_code` upgrade) is refused, which makes such upgrades fail
/// cleanly. Runtime upgrades ship as node releases. Public so that harnesses running the
/// runtime outside the executor (the fuzzers) answer as the node does.
pub struct NoWasmRuntimeVersion;

impl ReadRuntimeVersion for NoWasmRuntimeVersion {
    fn read_runtime_version(
        &self,
        _wasm_code: &[u8],
        _ext: &mut dyn sp_externalities::Externalities,
    ) -> Result<Vec<u8>, String> {
        Err("ludus runs its runtime natively; on-chain code upgrades are not supported".into())
    }
}

/// Stack every runtime call is given. The deepest input the decoding limits accept (a
/// 255-deep `utility.batch`: validated, priced and dispatched in a block) needs 3.2 MiB in
/// an unoptimised build (`executor::tests::the_deepest_accepted_input_needs_a_small_part_of_the_runtime_stack`
/// measures it), so this leaves a tenfold margin. It is virtual memory: only the pages a
/// call touches are ever used.
pub const RUNTIME_STACK_BYTES: usize = 32 * 1024 * 1024;

/// Stack of a thread that runs runtime calls without switching stacks: the runtime's own
/// plus room for the thread's frames below it.
pub const RUNTIME_THREAD_STACK_BYTES: usize = RUNTIME_STACK_BYTES + 4 * 1024 * 1024;

/// Calls the natively linked runtimes.
#[derive(Clone, Default)]
pub struct RuntimeExecutor {
    keystore: Option<KeystorePtr>,
    runtimes: Runtimes,
    /// Signatures that verified in any call of this executor: a transaction checked when it
    /// entered the pool is not checked again when its block is built or imported.
    checked_signatures: ludus_primitives::CheckedSignatures,
}

impl RuntimeExecutor {
    /// An executor of this release's runtime; with a keystore, runtime calls may sign (offchain
    /// workers, key generation).
    pub fn new(keystore: Option<KeystorePtr>) -> Self {
        install_quiet_panic_hook();
        Self { keystore, runtimes: Runtimes::default(), checked_signatures: Default::default() }
    }

    /// This executor, carrying `runtimes` instead.
    pub fn with_runtimes(self, runtimes: Runtimes) -> Self {
        Self { runtimes, ..self }
    }

    /// The runtimes this executor carries.
    pub fn runtimes(&self) -> &Runtimes {
        &self.runtimes
    }

    /// The signatures this executor's calls have verified.
    pub fn checked_signatures(&self) -> &ludus_primitives::CheckedSignatures {
        &self.checked_signatures
    }

    /// The node's keystore as an extension, for the calls that may sign (offchain workers,
    /// session key generation for `author_rotateKeys`); empty without a keystore.
    pub fn keystore_extension(&self) -> Extensions {
        let mut extensions = Extensions::new();
        if let Some(keystore) = self.keystore_ext() {
            extensions.register(keystore);
        }
        extensions
    }

    /// The node's keystore as the one extension a typed runtime API instance registers
    /// (`ApiExt::register_extension`) before a call that may sign; `None` without a keystore.
    pub fn keystore_ext(&self) -> Option<KeystoreExt> {
        self.keystore.as_ref().map(|keystore| KeystoreExt(Arc::clone(keystore)))
    }

    /// Runs runtime `spec_version`'s API `method` with SCALE-encoded `args` over `backend` +
    /// `overlay`, without keystore, offchain or pool extensions: the call can change nothing
    /// but `overlay`, and its writes land there only if it returns normally.
    pub fn call<B: Backend<Hashing>>(
        &self,
        spec_version: u32,
        backend: &B,
        overlay: &mut OverlayedChanges<Hashing>,
        method: &str,
        args: &[u8],
    ) -> Result<Vec<u8>, ExecutorError> {
        self.call_with(spec_version, backend, overlay, method, args, Extensions::new())
    }

    /// Like [`RuntimeExecutor::call`], with `extra` extensions (the keystore, offchain
    /// workers' pool and storage).
    pub fn call_with<B: Backend<Hashing>>(
        &self,
        spec_version: u32,
        backend: &B,
        overlay: &mut OverlayedChanges<Hashing>,
        method: &str,
        args: &[u8],
        extra: Extensions,
    ) -> Result<Vec<u8>, ExecutorError> {
        let mut extensions = extra;
        self.call_in(spec_version, backend, overlay, method, args, &mut extensions)
    }

    /// Like [`RuntimeExecutor::call_with`], over extensions the caller keeps: a typed runtime
    /// API instance (`crate::chain::runtime_api`) holds one set for all its calls.
    pub fn call_in<B: Backend<Hashing>>(
        &self,
        spec_version: u32,
        backend: &B,
        overlay: &mut OverlayedChanges<Hashing>,
        method: &str,
        args: &[u8],
        extensions: &mut Extensions,
    ) -> Result<Vec<u8>, ExecutorError> {
        let runtime = self
            .runtimes
            .get(spec_version)
            .ok_or_else(|| ExecutorError::NotCarried { spec_version, carried: self.runtimes.describe() })?;
        let dispatch = runtime.dispatch;
        crate::executor::decode::check_runtime_args(method, args)
            .map_err(|error| ExecutorError::BadInput { method: method.to_owned(), error })?;
        extensions.register(ReadRuntimeVersionExt::new(NoWasmRuntimeVersion));
        extensions.register(ludus_primitives::CheckedSignaturesExt(self.checked_signatures.clone()));
        // A thread with enough stack left runs the call in place; any other gets a fresh
        // segment for it, so no caller can be overflowed by what the limits accept.
        stacker::maybe_grow(RUNTIME_STACK_BYTES, RUNTIME_STACK_BYTES, || {
            Self::dispatch(dispatch, backend, overlay, method, args, extensions)
        })
    }

    fn dispatch<B: Backend<Hashing>>(
        dispatch: runtimes::Dispatch,
        backend: &B,
        overlay: &mut OverlayedChanges<Hashing>,
        method: &str,
        args: &[u8],
        extensions: &mut Extensions,
    ) -> Result<Vec<u8>, ExecutorError> {
        overlay.start_transaction();
        overlay.enter_runtime().map_err(|_| ExecutorError::Overlay("already in runtime mode".into()))?;
        IN_RUNTIME.with(|flag| flag.set(true));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut ext = Ext::new(&mut *overlay, backend, Some(extensions));
            sp_externalities::set_and_run_with_externalities(&mut ext, || dispatch(method, args))
        }));
        IN_RUNTIME.with(|flag| flag.set(false));
        // Leaving runtime mode closes any transaction the runtime left open.
        overlay.exit_runtime().map_err(|_| ExecutorError::Overlay("not in runtime mode".into()))?;
        let result = match outcome {
            Ok(Some(output)) => Ok(output),
            Ok(None) => Err(ExecutorError::UnknownMethod(method.to_owned())),
            Err(payload) => Err(ExecutorError::Panicked {
                method: method.to_owned(),
                message: crate::tasks::panic_message(payload.as_ref()),
            }),
        };
        let closed = if result.is_ok() { overlay.commit_transaction() } else { overlay.rollback_transaction() };
        closed.map_err(|_| ExecutorError::Overlay("no open transaction".into()))?;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        chain::Chain,
        consensus,
        consensus::authoring::{build_block, Candidate},
        executor::decode::{check_runtime_args, DecodeError, MAX_EXTRINSIC_DEPTH},
        test_utils::{bare_extrinsic, dev_chain, nested_call, nested_call_bytes, pair, sign, Wrapper},
    };
    use codec::{Decode, Encode};
    use ludus_primitives::now_ms;
    use sp_runtime::transaction_validity::{TransactionSource, TransactionValidity};
    use std::time::{Duration, Instant};

    /// Levels of `utility.batch` in the deepest extrinsic the limit accepts (each batch is a
    /// `Vec` level; the extrinsic's own encoding takes none).
    const DEEPEST_BATCH: usize = MAX_EXTRINSIC_DEPTH as usize - 1;

    fn validate(chain: &Chain, xt: &[u8]) -> Result<TransactionValidity, crate::chain::ChainError> {
        let at = chain.info().best_hash;
        let mut args = TransactionSource::External.encode();
        args.extend_from_slice(xt);
        at.encode_to(&mut args);
        chain.call_decoded(at, "TaggedTransactionQueue_validate_transaction", &args)
    }

    fn bad_input(error: crate::chain::ChainError) -> DecodeError {
        match error {
            crate::chain::ChainError::Executor(ExecutorError::BadInput { error, .. }) => error,
            other => panic!("expected bad input, got {other}"),
        }
    }

    /// Everything the runtime does with the deepest accepted input: validate it, price it,
    /// and build a block that dispatches all its levels.
    fn run_deepest_input(chain: &Chain) {
        let genesis = chain.genesis_hash();
        let deepest = sign(nested_call(Wrapper::Batch, DEEPEST_BATCH), &pair("//Alice"), 0, genesis);
        assert!(crate::executor::decode::decode_extrinsic(&deepest).is_ok(), "the deepest batch is accepted");
        validate(chain, &deepest).unwrap().expect("a 255-deep batch signed by Alice is a valid transaction");
        let info =
            chain.call_at(genesis, "TransactionPaymentApi_query_info", &[deepest.clone(), 0u32.encode()].concat());
        assert!(info.is_ok(), "query_info: {info:?}");
        let call = nested_call(Wrapper::AsDerivative, DEEPEST_BATCH).encode();
        let info = chain.call_at(genesis, "TransactionPaymentCallApi_query_call_info", &[call, 0u32.encode()].concat());
        assert!(info.is_ok(), "query_call_info: {info:?}");

        let parent = chain.expect_header(genesis).unwrap();
        let slot = consensus::slot_at(now_ms(), 1_000);
        let candidate = Candidate { hash: ludus_txpool::tx_hash(&deepest), bytes: Arc::new(deepest) };
        let deadline = Instant::now() + Duration::from_secs(60);
        let built = build_block(chain, &parent, slot, *slot * 1_000, [candidate], deadline).unwrap();
        assert_eq!(built.included.len(), 1, "the deepest batch is included in a block");
    }

    #[test]
    fn over_deep_arguments_are_refused_before_the_runtime_runs_and_the_rest_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        for wrapper in Wrapper::ALL {
            for levels in [MAX_EXTRINSIC_DEPTH as usize + 1, 5_000, 1_000_000] {
                let xt = bare_extrinsic(&nested_call_bytes(wrapper, levels));
                assert_eq!(bad_input(validate(&chain, &xt).unwrap_err()), DecodeError::TooDeep, "{wrapper:?} {levels}");
                let args = [xt, 0u32.encode()].concat();
                let error = chain.call_at(genesis, "TransactionPaymentApi_query_fee_details", &args).unwrap_err();
                assert_eq!(bad_input(error), DecodeError::TooDeep);
            }
        }
        // The node still serves calls at once, on this (small-stacked) test thread.
        run_deepest_input(&chain);
    }

    /// Bytes of stack `work` touches, run on a fresh thread with a stack larger than the
    /// runtime's (so the executor never switches stacks): the pages of the thread's stack
    /// below the caller's frame that are resident afterwards (Linux `mincore`).
    #[allow(unsafe_code)]
    fn stack_used_by(work: impl FnOnce() + Send) -> usize {
        const THREAD_STACK: usize = 2 * RUNTIME_STACK_BYTES;
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(THREAD_STACK)
                .spawn_scoped(scope, || {
                    let marker = 0u8;
                    let top = std::hint::black_box(&marker) as *const u8 as usize;
                    work();
                    // SAFETY: sysconf has no preconditions.
                    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
                    let top = top & !(page - 1);
                    // Most of the stack below us: the rest holds this frame and the guard.
                    let len = THREAD_STACK / 8 * 7;
                    let start = top - len;
                    let mut resident = vec![0u8; len / page];
                    // SAFETY: [start, top) lies inside this thread's mapped stack (it is below the
                    // current frame and less than the stack's size); `resident` has a byte per page.
                    let status = unsafe { libc::mincore(start as *mut libc::c_void, len, resident.as_mut_ptr()) };
                    assert_eq!(status, 0, "mincore: {}", std::io::Error::last_os_error());
                    resident.iter().filter(|&&flags| flags & 1 == 1).count() * page
                })
                .unwrap()
                .join()
                .unwrap()
        })
    }

    #[test]
    fn the_deepest_accepted_input_needs_a_small_part_of_the_runtime_stack() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let used = stack_used_by(|| run_deepest_input(&chain));
        eprintln!(
            "the deepest accepted input used {} KiB of stack ({:.1}% of RUNTIME_STACK_BYTES)",
            used / 1024,
            used as f64 * 100.0 / RUNTIME_STACK_BYTES as f64
        );
        assert!(used > 64 * 1024, "the measurement saw the work ({used} bytes)");
        assert!(used * 4 <= RUNTIME_STACK_BYTES, "{used} bytes: raise RUNTIME_STACK_BYTES");

        let deepest =
            crate::test_utils::sign(nested_call(Wrapper::Sudo, 255), &pair("//Alice"), 0, chain.genesis_hash());
        let used = stack_used_by(|| assert!(crate::executor::decode::decode_extrinsic(&deepest).is_ok()));
        eprintln!("decoding it used {} KiB of stack", used / 1024);
        assert!(used * 4 <= crate::executor::decode::DECODE_STACK_BYTES, "{used} bytes: raise DECODE_STACK_BYTES");
    }

    #[test]
    fn read_only_calls_cannot_touch_the_keystore() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        let before = sp_keystore::Keystore::keys(&*keystore, sp_core::crypto::key_types::AURA).unwrap();
        let args = (Vec::<u8>::new(), Some(b"//attacker".to_vec())).encode();
        let refused = chain.call_at(genesis, "SessionKeys_generate_session_keys", &args);
        assert!(
            matches!(refused, Err(crate::chain::ChainError::Executor(ExecutorError::Panicked { .. }))),
            "{refused:?}"
        );
        let after = sp_keystore::Keystore::keys(&*keystore, sp_core::crypto::key_types::AURA).unwrap();
        assert_eq!(before, after, "a read-only call added no key");

        // The node's own call, with the keystore, still generates keys.
        let extension = chain.executor().keystore_extension();
        let keys = chain.call_at_with(genesis, "SessionKeys_generate_session_keys", &args, extension).unwrap();
        let keys = sp_session::OpaqueGeneratedSessionKeys::decode(&mut &keys[..]).unwrap();
        assert!(!keys.keys.is_empty());
        let after = sp_keystore::Keystore::keys(&*keystore, sp_core::crypto::key_types::AURA).unwrap();
        assert_eq!(after.len(), before.len() + 1, "the keystore call added a key");
    }

    /// Whether a type reachable from `id` lies on a cycle: the one way an argument's nesting
    /// is chosen by its input instead of its type.
    fn reaches_recursion(registry: &scale_info::PortableRegistry, id: u32) -> bool {
        use scale_info::TypeDef;
        fn children(registry: &scale_info::PortableRegistry, id: u32) -> Vec<u32> {
            let Some(ty) = registry.resolve(id) else { return Vec::new() };
            let mut out: Vec<u32> = ty.type_params.iter().filter_map(|p| p.ty.map(|t| t.id)).collect();
            match &ty.type_def {
                TypeDef::Composite(c) => out.extend(c.fields.iter().map(|f| f.ty.id)),
                TypeDef::Variant(v) => out.extend(v.variants.iter().flat_map(|v| v.fields.iter().map(|f| f.ty.id))),
                TypeDef::Sequence(s) => out.push(s.type_param.id),
                TypeDef::Array(a) => out.push(a.type_param.id),
                TypeDef::Tuple(t) => out.extend(t.fields.iter().map(|f| f.id)),
                TypeDef::Compact(c) => out.push(c.type_param.id),
                TypeDef::Primitive(_) | TypeDef::BitSequence(_) => {}
            }
            out
        }
        // Depth-first with an on-path set: meeting a type already on the path is a cycle.
        fn visit(registry: &scale_info::PortableRegistry, id: u32, path: &mut Vec<u32>, done: &mut Vec<u32>) -> bool {
            if path.contains(&id) {
                return true;
            }
            if done.contains(&id) {
                return false;
            }
            path.push(id);
            let cyclic = children(registry, id).into_iter().any(|child| visit(registry, child, path, done));
            path.pop();
            done.push(id);
            cyclic
        }
        visit(registry, id, &mut Vec::new(), &mut Vec::new())
    }

    #[test]
    fn every_runtime_api_taking_a_call_is_depth_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let bytes = chain.call_at(chain.genesis_hash(), "Metadata_metadata_at_version", &15u32.encode()).unwrap();
        let opaque = Option::<sp_core::OpaqueMetadata>::decode(&mut &bytes[..]).unwrap().unwrap();
        let prefixed = frame_metadata::RuntimeMetadataPrefixed::decode(&mut &opaque[..]).unwrap();
        let frame_metadata::RuntimeMetadata::V15(metadata) = prefixed.1 else { panic!("asked for v15") };
        let mut recursive: Vec<String> = Vec::new();
        let mut checked: Vec<String> = Vec::new();
        for api in &metadata.apis {
            for method in &api.methods {
                let name = format!("{}_{}", api.name, method.name);
                if method.inputs.iter().any(|input| reaches_recursion(&metadata.types, input.ty.id)) {
                    recursive.push(name.clone());
                }
                // Every checked method takes an extrinsic, call or block: no input is none.
                if check_runtime_args(&name, &[]).is_err() {
                    checked.push(name);
                }
            }
        }
        assert!(recursive.len() >= 8, "the known APIs taking calls are found: {recursive:?}");
        assert_eq!(recursive, checked, "runtime APIs whose arguments can nest without bound");
    }

    #[test]
    fn a_signature_is_remembered_only_once_it_verified_and_only_for_its_message() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        let checked = chain.executor().checked_signatures().clone();
        use sp_core::Pair;
        let bob = crate::test_utils::pair("//Bob");
        let honest =
            crate::test_utils::transfer(&crate::test_utils::pair("//Alice"), bob.public().into(), 1, 0, genesis);
        validate(&chain, &honest).unwrap().expect("Alice's transfer is valid");
        assert_eq!(checked.len(), 1, "the verified signature is remembered");
        validate(&chain, &honest).unwrap().expect("and still valid when remembered");
        assert_eq!(checked.len(), 1);

        // Alice's own signature over another message (another nonce) proves nothing.
        let mut xt = ludus_runtime::UncheckedExtrinsic::decode(&mut &honest[..]).unwrap();
        let other =
            crate::test_utils::transfer(&crate::test_utils::pair("//Alice"), bob.public().into(), 1, 1, genesis);
        let other = ludus_runtime::UncheckedExtrinsic::decode(&mut &other[..]).unwrap();
        let (
            sp_runtime::generic::Preamble::Signed(_, honest_signature, _),
            sp_runtime::generic::Preamble::Signed(_, _, other_extension),
        ) = (xt.preamble.clone(), other.preamble)
        else {
            panic!("signed transfers")
        };
        if let sp_runtime::generic::Preamble::Signed(_, signature, extension) = &mut xt.preamble {
            *signature = honest_signature;
            *extension = other_extension;
        }
        let replayed = validate(&chain, &xt.encode()).unwrap();
        assert!(replayed.is_err(), "a remembered signature over another message is refused: {replayed:?}");
        assert_eq!(checked.len(), 1, "a failed check is not remembered");
    }

    #[test]
    fn a_runtime_panic_is_an_error_and_the_next_call_works() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        // Bad input to an API that takes no calls: the runtime's decode panics, we report it.
        let error = chain.call_at(genesis, "AccountNonceApi_account_nonce", &[1, 2]).unwrap_err();
        assert!(matches!(error, crate::chain::ChainError::Executor(ExecutorError::Panicked { .. })), "{error}");
        assert_eq!(chain.runtime_version(genesis).unwrap().spec_version, ludus_runtime::VERSION.spec_version);
    }
}
