//! What can go wrong while a devnet starts or runs, each with what to do about it.

use std::{path::PathBuf, process::ExitStatus};

/// An error of [`crate::Devnet`]: the message names the component and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The configuration asks for something the devnet cannot do.
    #[error("invalid devnet configuration: {0}")]
    InvalidConfig(String),

    /// A Ludus binary is not where the devnet looks for it.
    #[error("no {name} binary at {path}: build it with `{build}` (or point to one with {flag} / ${env})")]
    MissingBinary {
        /// `ludus-node` or `ludus-relayer`.
        name: &'static str,
        /// Where the devnet looked.
        path: PathBuf,
        /// The cargo command that builds it.
        build: String,
        /// The command-line option that overrides the path.
        flag: &'static str,
        /// The environment variable that overrides the path.
        env: &'static str,
    },

    /// The npm-installed Foundry toolchain or OpenZeppelin is missing from `contracts/node_modules`.
    #[error("no {what} under {path}: run `npm ci --prefix contracts --no-audit --no-fund` (./scripts/devnet.sh does)")]
    MissingToolchain {
        /// What is missing (`anvil binary`, `@openzeppelin/contracts`).
        what: String,
        /// Where it was looked for.
        path: PathBuf,
    },

    /// forge's build output of a contract is missing or unreadable.
    #[error(
        "cannot read the creation bytecode of {contract} from {path} ({reason}): build the contracts with \
         `forge build --offline --use ./solc-wrapper` in contracts/ (./scripts/devnet.sh does)"
    )]
    MissingArtifact {
        /// The contract's name.
        contract: &'static str,
        /// The artifact path (`contracts/out/<Name>.sol/<Name>.json`).
        path: PathBuf,
        /// Why it could not be used.
        reason: String,
    },

    /// The data directory cannot be prepared.
    #[error("data directory {path}: {reason}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// What went wrong and what to do.
        reason: String,
    },

    /// A file the devnet writes or reads failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// A child process could not be started.
    #[error("cannot start {name} ({program}): {source}")]
    Spawn {
        /// The component (`anvil`, `ludus-node 0 (Alice)`, `relayer 1`).
        name: String,
        /// The executable.
        program: PathBuf,
        /// Why the OS refused.
        source: std::io::Error,
    },

    /// A child process ended while the devnet was waiting for it to come up.
    #[error("{name} exited with {status} while starting (log {log}):\n{tail}")]
    ExitedDuringStartup {
        /// The component.
        name: String,
        /// How it ended.
        status: ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        tail: String,
    },

    /// A child process ended while the devnet was running.
    #[error("{name} exited unexpectedly with {status} (log {log}):\n{tail}")]
    ChildExited {
        /// The component.
        name: String,
        /// How it ended.
        status: ExitStatus,
        /// Its log file.
        log: PathBuf,
        /// The last lines of its log.
        tail: String,
    },

    /// Something did not happen in time.
    #[error("{name}: timed out after {seconds} s waiting for {what} (log {log}):\n{tail}")]
    Timeout {
        /// The component.
        name: String,
        /// What the devnet waited for.
        what: String,
        /// How long it waited.
        seconds: u64,
        /// The component's log file.
        log: PathBuf,
        /// The last lines of its log.
        tail: String,
    },

    /// A JSON-RPC call failed or answered something unexpected.
    #[error("{endpoint}: {method} failed: {reason}")]
    Rpc {
        /// The URL called.
        endpoint: String,
        /// The method.
        method: String,
        /// The error or the unexpected answer.
        reason: String,
    },

    /// A chain spec for several validators could not be made.
    #[error("cannot make the chain spec of a {validators}-validator network: {reason}")]
    ChainSpec {
        /// How many validators were asked for.
        validators: usize,
        /// What went wrong.
        reason: String,
    },

    /// A contract deployment or configuration transaction on the L1 failed.
    #[error("L1 {step} failed: {reason}")]
    L1 {
        /// The step (`deploy Checkpoints`, `Vault.configureToken(ETH)`).
        step: String,
        /// The error.
        reason: String,
    },

    /// A contract did not land at the address the runtime's genesis names.
    #[error(
        "{contract} was deployed at {actual}, not at {expected} where the Ludus genesis expects it: \
         anvil's deployer nonce was not {nonce}; is another L1 already on port {port}?"
    )]
    UnexpectedAddress {
        /// The contract.
        contract: &'static str,
        /// The address the genesis names.
        expected: String,
        /// Where it landed.
        actual: String,
        /// The deployer nonce it should have been deployed with.
        nonce: u64,
        /// anvil's port.
        port: u16,
    },

    /// The relayer index is out of range, or relayers are off.
    #[error("no relayer {index}: the devnet runs {count} relayer(s) (relayers are off without `relayers: true`)")]
    NoSuchRelayer {
        /// The index asked for.
        index: usize,
        /// How many relayers the devnet has.
        count: usize,
    },

    /// A signal could not be delivered to a child.
    #[error("cannot signal {name}: {reason}")]
    Signal {
        /// The component.
        name: String,
        /// The OS error.
        reason: String,
    },
}
