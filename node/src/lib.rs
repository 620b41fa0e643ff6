//! `ludus-node`: the Ludus sidechain node.
//!
//! The node is assembled in one place, [`service`], from components that know nothing of
//! each other's insides. From the bottom layer up (a module uses only those above it in
//! this list; `layering` tests it):
//!
//! - [`tasks`], [`metrics`], [`keystore`]: the node's essential tasks and how their end
//!   stops it; Prometheus metrics and their endpoint; validator keys on disk.
//! - [`executor`]: runs the natively linked runtimes (the set a release carries,
//!   [`executor::Runtimes`]) inside `sp_state_machine::Ext`, on a
//!   stack of its own and without side effects unless the caller adds them; its
//!   [`executor::decode`] decodes extrinsics, calls and runtime-call arguments from outside
//!   with bounded nesting.
//! - [`chain`]: blocks and state in parity-db (`ludus-storage`), the typed runtime API at any
//!   block ([`chain::runtime_api`], `sp_api::CallApiAt`), ancestry (`HeaderMetadata`),
//!   broadcast channels announcing new best, imported and finalized blocks, and fork pruning
//!   behind finality ([`chain::pruning`]).
//! - [`adapters`]: the edge crates' small traits answered by the chain — the transaction
//!   pool's validator, GRANDPA's chain, the network's settings and the RPC server's backends.
//! - [`consensus`]: Aura slots and seals, block import (every check a block passes before it
//!   is written), block authoring and the slot worker task.
//! - [`offchain`]: offchain workers, run for each finalized block on validators.
//! - [`upgrade`]: runtime upgrades scheduled on chain; a release that lacks the scheduled
//!   runtime warns, and stops before the block it cannot execute.
//! - [`sync`]: block announcements, block sync, transaction and vote gossip over the network.
//! - [`informant`]: what the node is doing, as log lines and metrics.
//! - [`service`], [`cli`], [`command`]: assembly, the command line, and the commands.
//!
//! Tasks the running node spawns are listed in [`service`]; every one is essential.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod adapters;
pub mod chain;
pub mod cli;
pub mod command;
pub mod consensus;
pub mod executor;
pub mod informant;
pub mod keystore;
#[cfg(test)]
mod layering;
pub mod metrics;
pub mod offchain;
pub mod service;
pub mod sync;
pub mod tasks;
pub mod upgrade;
#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;
