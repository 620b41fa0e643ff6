//! `ludus-devnet`: one command to a running Ludus bridge, and the same as a library for
//! end-to-end tests.
//!
//! [`Devnet::start`] brings the whole system up, in this order, each step waiting for the last:
//!
//! 1. **L1**: anvil from the npm-installed Foundry toolchain (`contracts/node_modules`), chain
//!    id 31337, a block a second, `finalized` 4 blocks behind the head ([`l1`] says why).
//! 2. **Ludus**: one `ludus-node` per validator (1 to 4: Alice, Bob, Charlie, Dave, each with
//!    its dev keys). One validator runs the `dev` chain; more run a chain spec cut from the
//!    node's `local` spec, with the others booting from the first. The devnet waits until every
//!    node has finalized block 1, then reads the sidechain's genesis hash and bridge validator
//!    set 0 over RPC.
//! 3. **Contracts**: `Checkpoints`, `Vault` and the test ERC-20 deployed with alloy from anvil's
//!    first dev account (nonces 0, 1, 2, the addresses the runtime's genesis names), ETH and the
//!    token registered in the vault ([`contracts`] holds the bindings; bytecode comes from
//!    forge's `contracts/out`).
//! 4. **Relayers**: one `ludus-relayer` per validator, each on its validator's node, attesting
//!    deposits and paying L1 gas from its own anvil account, until its status endpoint answers.
//!
//! It then writes the endpoints to `<data>/devnet.json` ([`DevnetInfo`]). Every child runs in
//! its own process group with its output in `<data>/logs/<name>.log` ([`process`]); the devnet
//! spawns no tasks: [`Devnet::watch`] polls the children and names the first one that dies,
//! [`Devnet::stop`] stops them (SIGTERM, SIGKILL after a few seconds) and dropping a
//! [`Devnet`] kills them. Binaries are found beside the running executable unless configured
//! ([`DevnetConfig`]).

pub mod config;
pub mod contracts;
mod devnet;
mod error;
pub mod l1;
pub mod ludus;
pub mod process;
pub mod relayer;

/// The alloy the bindings in [`contracts`] are generated for, so that tests can talk to the L1
/// with the same version.
pub use alloy;
pub use config::{DevnetConfig, MAX_VALIDATORS, VALIDATOR_NAMES};
pub use devnet::{Devnet, DevnetInfo, DEVNET_JSON};
pub use error::DevnetError;
pub use process::ChildProcess;
