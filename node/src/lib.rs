//! `ludus-node`: the Ludus sidechain node.
//!
//! The node is assembled in one place, [`service`], from components that know nothing
//! of each other's insides:
//!
//! - [`decode`]: extrinsics, calls and runtime-call arguments from outside, decoded with
//!   bounded nesting.
//! - [`executor`]: runs the natively linked runtime inside `sp_state_machine::Ext`, on a
//!   stack of its own and without side effects unless the caller adds them.
//! - [`chain`]: blocks and state in parity-db (`ludus-storage`), runtime calls at any block,
//!   and broadcast channels announcing new best, imported and finalized blocks.
//! - [`consensus`]: Aura-style slots and seals.
//! - [`import`]: every check a block passes before it is written.
//! - [`authoring`]: building, sealing and writing our own blocks (the slot worker task).
//! - [`finality`]: the chain as GRANDPA (`ludus-finality`) sees it.
//! - [`network`]: networking flags turned into `ludus-network`'s configuration.
//! - [`sync`]: block announcements, block sync, transaction and vote gossip over the
//!   network (one engine task plus an import thread).
//! - [`keystore`]: validator keys on disk.
//! - [`metrics`]: Prometheus metrics (Substrate's names) and their `/metrics` endpoint.
//! - [`offchain`]: offchain workers, run for each finalized block on validators.
//! - `ludus-txpool`, `ludus-rpc`: the transaction pool and the JSON-RPC server, wired to
//!   the chain by [`rpc_backend`].
//!
//! Tasks the running node spawns (all in [`service`]): the slot worker (authoring), the
//! pool maintainer (follows imported and finalized blocks), the offchain worker (validators,
//! on finality), the libp2p swarm, the sync engine and its import thread, the GRANDPA voter
//! (unless the node alone finalizes), the fork pruner (on finality), the RPC server, the idle
//! reporter (one log line every few seconds: peers, sync progress, best and finalized), and,
//! unless `--no-prometheus`, the [`metrics`] updater and its HTTP endpoint.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod authoring;
pub mod chain;
pub mod cli;
pub mod command;
pub mod consensus;
pub mod decode;
pub mod executor;
pub mod finality;
pub mod import;
pub mod keystore;
pub mod metrics;
pub mod network;
pub mod offchain;
pub mod rpc_backend;
pub mod service;
pub mod sync;
#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;
pub mod txpool;
