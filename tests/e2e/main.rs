//! End-to-end tests of `ludus-node`: real node processes, started and stopped the way an
//! operator would, driven over JSON-RPC (HTTP and WebSocket), the CLI and an unmodified
//! polkadot.js client.
//!
//! [`harness`] owns the processes (one tempdir base path and one free RPC port each,
//! stderr captured to `<base>/node.log`). Each module below is one theme; every test
//! starts its own nodes, so tests run in parallel without sharing state.
//!
//! Run with `cargo build -p ludus-node && cargo test -p ludus-e2e`; the polkadot.js test
//! also needs `npm ci --prefix tests/js`. Set `LUDUS_NODE_BIN` to test another binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod crash;
mod dev_chain;
mod harness;
mod polkadot_js;
mod rpc_policy;
mod subscriptions;
mod tx;
