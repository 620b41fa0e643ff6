//! Native execution of the runtime (DESIGN.md, decision 1).
//!
//! Every runtime API call goes through [`RuntimeExecutor::call`]: the generated
//! `ludus_runtime::apis::api::dispatch(method, args)` runs inside an `sp_state_machine::Ext`
//! over the caller's state backend and overlay, in an overlay transaction that is
//! committed on success and rolled back on failure. A runtime panic (a bad block, bad
//! input to an API) is caught and returned as [`ExecutorError::Panicked`]; nothing of
//! the failed call stays in the overlay.

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
    /// The overlay refused to enter or leave runtime mode (a bug in the caller).
    #[error("state overlay misuse: {0}")]
    Overlay(String),
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
/// cleanly. Runtime upgrades ship as node releases.
struct NoWasmRuntimeVersion;

impl ReadRuntimeVersion for NoWasmRuntimeVersion {
    fn read_runtime_version(
        &self,
        _wasm_code: &[u8],
        _ext: &mut dyn sp_externalities::Externalities,
    ) -> Result<Vec<u8>, String> {
        Err("ludus runs its runtime natively; on-chain code upgrades are not supported".into())
    }
}

/// Calls the natively linked runtime.
#[derive(Clone, Default)]
pub struct RuntimeExecutor {
    keystore: Option<KeystorePtr>,
}

impl RuntimeExecutor {
    /// An executor; with a keystore, runtime calls may sign (offchain workers, key generation).
    pub fn new(keystore: Option<KeystorePtr>) -> Self {
        install_quiet_panic_hook();
        Self { keystore }
    }

    /// The keystore runtime calls may use.
    pub fn keystore(&self) -> Option<&KeystorePtr> {
        self.keystore.as_ref()
    }

    fn extensions(&self) -> Extensions {
        let mut extensions = Extensions::new();
        extensions.register(ReadRuntimeVersionExt::new(NoWasmRuntimeVersion));
        if let Some(keystore) = &self.keystore {
            extensions.register(KeystoreExt(Arc::clone(keystore)));
        }
        extensions
    }

    /// Runs runtime API `method` with SCALE-encoded `args` over `backend` + `overlay`.
    ///
    /// The call's writes land in `overlay` only if it returns normally.
    pub fn call<B: Backend<Hashing>>(
        &self,
        backend: &B,
        overlay: &mut OverlayedChanges<Hashing>,
        method: &str,
        args: &[u8],
    ) -> Result<Vec<u8>, ExecutorError> {
        self.call_with(backend, overlay, method, args, Extensions::new())
    }

    /// Like [`RuntimeExecutor::call`], with `extra` extensions (offchain workers' pool and
    /// storage) beside the executor's own.
    pub fn call_with<B: Backend<Hashing>>(
        &self,
        backend: &B,
        overlay: &mut OverlayedChanges<Hashing>,
        method: &str,
        args: &[u8],
        extra: Extensions,
    ) -> Result<Vec<u8>, ExecutorError> {
        let mut extensions = self.extensions();
        extensions.merge(extra);
        overlay.start_transaction();
        overlay.enter_runtime().map_err(|_| ExecutorError::Overlay("already in runtime mode".into()))?;
        IN_RUNTIME.with(|flag| flag.set(true));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut ext = Ext::new(&mut *overlay, backend, Some(&mut extensions));
            sp_externalities::set_and_run_with_externalities(&mut ext, || {
                ludus_runtime::apis::api::dispatch(method, args)
            })
        }));
        IN_RUNTIME.with(|flag| flag.set(false));
        // Leaving runtime mode closes any transaction the runtime left open.
        overlay.exit_runtime().map_err(|_| ExecutorError::Overlay("not in runtime mode".into()))?;
        let result = match outcome {
            Ok(Some(output)) => Ok(output),
            Ok(None) => Err(ExecutorError::UnknownMethod(method.to_owned())),
            Err(payload) => {
                Err(ExecutorError::Panicked { method: method.to_owned(), message: panic_message(payload.as_ref()) })
            }
        };
        let closed = if result.is_ok() { overlay.commit_transaction() } else { overlay.rollback_transaction() };
        closed.map_err(|_| ExecutorError::Overlay("no open transaction".into()))?;
        result
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic".to_owned()
    }
}
