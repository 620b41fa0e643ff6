//! `ludus-node`: the Ludus sidechain node.
//!
//! The node is assembled in one place, [`service`], from components that know nothing
//! of each other's insides:
//!
//! - [`executor`]: runs the natively linked runtime inside `sp_state_machine::Ext`.
//! - [`chain`]: blocks and state in parity-db (`ludus-storage`), runtime calls at any block,
//!   and broadcast channels announcing new best, imported and finalized blocks.
//! - [`consensus`]: Aura-style slots and seals.
//! - [`import`]: every check a block passes before it is written.
//! - [`authoring`]: building, sealing and writing our own blocks (the slot worker task).
//! - [`keystore`]: validator keys on disk.
//! - [`metrics`]: Prometheus metrics (Substrate's names) and their `/metrics` endpoint.
//! - [`offchain`]: offchain workers, run for each finalized block on validators.
//! - `ludus-txpool`, `ludus-rpc`: the transaction pool and the JSON-RPC server, wired to
//!   the chain by [`rpc_backend`].
//!
//! Tasks the running node spawns (all in [`service`]): the slot worker (authoring), the
//! pool maintainer (follows imported and finalized blocks), the offchain worker (validators,
//! on finality), the RPC server, the idle reporter (one log line every few seconds with best and finalized),
//! and, unless `--no-prometheus`, the [`metrics`] updater and its HTTP endpoint.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod authoring;
pub mod chain;
pub mod cli;
pub mod command;
pub mod consensus;
pub mod executor;
pub mod import;
pub mod keystore;
pub mod metrics;
pub mod offchain;
pub mod rpc_backend;
pub mod service;
pub mod test_utils;
pub mod txpool;
