//! Substrate's JSON-RPC error codes, so clients that match on them keep working.
//!
//! Codes and messages follow `sc-rpc-api` (`author/error.rs`, `chain/error.rs`,
//! `state/error.rs`, `policy.rs`) and the `payment_*`/`system_accountNextIndex`
//! RPCs of FRAME.

use jsonrpsee::types::{error::ErrorCode, ErrorObject, ErrorObjectOwned};

use crate::backend::{AttestError, BackendError, PoolError};

/// Author: the extrinsic does not decode (`author/error.rs`, `BAD_FORMAT`).
pub const AUTHOR_BAD_FORMAT: i32 = 1001;
/// Author: any other author error (keystore, bad key type, …) (`OTHER_ERR`).
pub const AUTHOR_OTHER: i32 = 1040;
/// Chain: a value the client sent cannot be used (`Error::Other`).
pub const CHAIN_OTHER: i32 = 3001;
/// Chain: the node failed to answer (`Error::Client`).
pub const CHAIN_CLIENT: i32 = 3002;
/// State: `count` above the maximum (`Error::InvalidCount`).
pub const STATE_INVALID_COUNT: i32 = 4002;
/// State: the node failed to answer (`Error::Client`).
pub const STATE_CLIENT: i32 = 4003;
/// `payment_*` and `system_accountNextIndex`: the runtime call failed.
pub const RUNTIME_ERROR: i32 = 1;
/// `payment_*` and `system_accountNextIndex`: input or output did not decode.
pub const DECODE_ERROR: i32 = 2;

/// `ludus_bridge_attestDeposit`: the node cannot attest until its operator acts (no bridge
/// key of the current set in its keystore) or never will (the runtime refused the node's
/// own signature, a bug); retrying the same call does not help.
pub const BRIDGE_ATTEST_REFUSED: i32 = 5001;
/// `ludus_bridge_attestDeposit`: the deposit cannot be attested now but may be later (L1
/// parameters unset, deposits paused, nonce beyond the attestation window, too many open
/// attestations, pool full, node failure): retry the same call later.
pub const BRIDGE_ATTEST_RETRY: i32 = 5002;

/// Substrate's answer to an unsafe method on a server that only serves safe ones.
pub fn unsafe_denied() -> ErrorObjectOwned {
    ErrorObject::owned(ErrorCode::MethodNotFound.code(), "RPC call is unsafe to be called externally", None::<()>)
}

/// `-32602 Invalid params` with a message saying what was wrong.
pub fn invalid_params(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(ErrorCode::InvalidParams.code(), message.into(), None::<()>)
}

/// A backend failure seen from `chain_*`.
pub fn chain_client(e: BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(CHAIN_CLIENT, format!("Client error: {e}"), None::<()>)
}

/// A backend failure seen from `state_*`.
pub fn state_client(e: BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(STATE_CLIENT, format!("Client error: {e}"), None::<()>)
}

/// An author error outside the pool's codes (keystore, key type, session keys).
pub fn author_other(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(AUTHOR_OTHER, message.into(), None::<()>)
}

/// An extrinsic that is not hex or does not decode.
pub fn author_bad_format(reason: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObject::owned(AUTHOR_BAD_FORMAT, format!("Extrinsic has invalid format: {reason}"), None::<()>)
}

/// A pool rejection, passed through with the node's code, message and data.
pub fn pool(e: PoolError) -> ErrorObjectOwned {
    ErrorObject::owned(e.code, e.message, e.data)
}

/// A failure of a blocking task the server spawned (only if it panicked).
pub fn internal(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(ErrorCode::InternalError.code(), message.into(), None::<()>)
}

/// Why `ludus_bridge_attestDeposit` failed: [`BRIDGE_ATTEST_RETRY`] or
/// [`BRIDGE_ATTEST_REFUSED`], the operator's message, and `{"retryable": bool}` as data.
pub fn bridge_attest(e: AttestError) -> ErrorObjectOwned {
    let retryable = e.is_retryable();
    let code = if retryable { BRIDGE_ATTEST_RETRY } else { BRIDGE_ATTEST_REFUSED };
    ErrorObject::owned(code, e.to_string(), Some(serde_json::json!({ "retryable": retryable })))
}
