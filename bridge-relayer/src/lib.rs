//! The Ludus bridge relayer (`ludus-relayer`): carries the bridge's messages between the L1
//! (Ethereum: the `Vault` and `Checkpoints` contracts) and the Ludus sidechain.
//!
//! Duties, each a task that looks at both chains every poll interval ([`relayer`]):
//! - [`deposits`]: a validator's relayer (`--attest`) reads the Vault's deposits up to the
//!   L1's final block and has its own node attest them with the bridge key in the node's
//!   keystore (the relayer never holds that key);
//! - [`checkpoints`]: any relayer posts the validators' signed checkpoints in order,
//!   installs validator sets after a handoff and proves equivocations;
//! - [`claims`]: any relayer claims withdrawals on the L1 once checkpointed (collecting the
//!   fee each names) and executes delayed claims when due.
//!
//! The chains say what is done (executed nonces, the L1's latest checkpoint, the claimed
//! bitmap), so every effect is exactly-once however often the relayer is killed, restarted
//! or run twice; the [`cursor`] only saves rescanning. [`status`] answers where each transfer
//! stands over HTTP, [`metrics`] serves Prometheus metrics, both on the GET-only server in
//! [`http`]. [`l1`] and [`ludus`] are the two clients: alloy `sol!` bindings generated from
//! `contracts/abi`, and the node's own RPC traits as jsonrpsee clients.

// Tests state what they expect; a failed expectation is the test failing.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod checkpoints;
pub mod claims;
pub mod config;
pub mod cursor;
pub mod deposits;
pub mod http;
pub mod l1;
pub mod ludus;
pub mod metrics;
pub mod relayer;
pub mod status;
