//! End-to-end tests of `ludus-node`: real node processes, started and stopped the way an
//! operator would, driven over JSON-RPC (HTTP and WebSocket), the CLI and an unmodified
//! polkadot.js client.
//!
//! [`harness`] owns the processes (one tempdir base path, one free RPC port and one free
//! Prometheus port each, stderr captured to `<base>/node.log`). Each module below is one
//! theme; every test starts its own nodes, so tests run in parallel without sharing state.
//!
//! Run with `cargo test -p ludus-node --test e2e`; the polkadot.js test
//! also needs `npm ci --prefix tests/js`, and `bridge_l1` (the L1 contracts on anvil) needs
//! `npm ci --prefix contracts`, and `devnet` (the ludus-devnet library) forge's build of the contracts
//! (`bash contracts/test.sh`). Set `LUDUS_NODE_BIN` to test another binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod bridge_handoff;
mod bridge_l1;
mod bridge_relayer;
mod bridge_sidechain;
mod crash;
mod dev_chain;
mod devnet;
mod essential_tasks;
mod faults;
mod harness;
mod metrics;
mod network;
mod polkadot_js;
mod proxy;
mod rpc_abuse;
mod rpc_policy;
mod subscriptions;
mod tx;
mod upgrade;
