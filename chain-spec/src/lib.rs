//! Ludus chain specs: which network a node joins and what its genesis state is.
//!
//! A chain spec is a JSON document in Substrate's chain spec format (so operators' tooling
//! and habits carry over): `name`, `id`, `chainType`, `bootNodes`, `telemetryEndpoints`,
//! `protocolId`, `properties`, `codeSubstitutes` and `genesis`. This crate owns that format:
//!
//! - building the built-in specs from the runtime's genesis presets ([`ChainSpec::dev`],
//!   [`ChainSpec::local`]); the same specs are committed as `specs/dev.json` and
//!   `specs/local.json`, and a test keeps the files in step with the runtime;
//! - loading a spec by name or from a file ([`load`], [`ChainSpec::from_file`]) and checking
//!   it: unknown fields, malformed values and a genesis the runtime refuses are errors that
//!   name the offending field;
//! - turning a spec into genesis storage ([`ChainSpec::build_storage`]): the genesis patch is
//!   merged into the runtime's default `RuntimeGenesisConfig` and FRAME's genesis build runs
//!   natively (Ludus links its runtime; there is no Wasm `code`), or a raw spec's hex entries
//!   are decoded;
//! - writing a spec back out, optionally raw ([`ChainSpec::to_json`]).
//!
//! Data flows one way: JSON → [`ChainSpec`] (checked) → `Storage` for the node, which computes
//! the genesis state root and block itself. The crate spawns no tasks and keeps no state.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod genesis;
mod spec;

pub use error::ChainSpecError;
pub use genesis::{Genesis, RawGenesis, RuntimeGenesis};
pub use spec::{ChainSpec, ChainType, MAX_SPEC_FILE_BYTES, PROTOCOL_ID};

/// The chain spec a `--chain` argument names: `dev` (or nothing) for the development chain,
/// `local` for the local test network, anything else as the path of a chain spec JSON file.
///
/// Built-in names win over files of the same name in the working directory, as in Substrate;
/// write `./dev` to load such a file.
pub fn load(chain: &str) -> Result<ChainSpec, ChainSpecError> {
    match chain {
        "" | "dev" => ChainSpec::dev(),
        "local" => ChainSpec::local(),
        path => ChainSpec::from_file(path),
    }
}
