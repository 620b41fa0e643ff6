//! The relayer's settings: command-line flags, each also read from a `LUDUS_RELAYER_*`
//! environment variable, over a TOML file (`--config`), over defaults.
//!
//! The L1 key that pays gas is never a flag or a TOML value (both end up in shell history,
//! process lists and backups): it comes from `LUDUS_RELAYER_L1_KEY` or from a file named by
//! `--l1-key-file`. The validator's bridge key never reaches the relayer at all: with
//! `--attest` the relayer asks its own node to sign (`ludus_bridge_attestDeposit`, an unsafe
//! RPC method the node serves on localhost only), and the key stays in the node's keystore.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::primitives::Address;
use clap::Parser;
use serde::Deserialize;

/// The environment variable holding the L1 private key (hex) that pays the relayer's gas.
pub const L1_KEY_ENV: &str = "LUDUS_RELAYER_L1_KEY";

/// `ludus-relayer`: carries the Ludus bridge's messages between the L1 and the sidechain.
///
/// Every relayer, without keys of its own on Ludus, posts signed checkpoints to the L1 in
/// order, installs validator sets after a handoff, proves equivocations, and claims finished
/// withdrawals for their users (executing delayed claims when due). A validator's relayer
/// (`--attest`) also reads the Vault's deposits up to the L1's finalized block and has its
/// node attest them.
#[derive(Debug, Parser)]
#[command(name = "ludus-relayer", version, about, long_about)]
pub struct Cli {
    /// A TOML file with any of the settings below (snake_case keys, e.g. `l1_rpc = "http://…"`);
    /// flags and LUDUS_RELAYER_* environment variables override it.
    #[arg(long, short = 'c', value_name = "FILE", env = "LUDUS_RELAYER_CONFIG")]
    pub config: Option<PathBuf>,
    /// The L1's JSON-RPC endpoint (HTTP), e.g. `http://127.0.0.1:8545`.
    #[arg(long, value_name = "URL", env = "LUDUS_RELAYER_L1_RPC")]
    pub l1_rpc: Option<String>,
    /// The Ludus node's JSON-RPC endpoint (HTTP), e.g. `http://127.0.0.1:9944`. With
    /// `--attest` it must be this validator's own node, reached on localhost.
    #[arg(long, value_name = "URL", env = "LUDUS_RELAYER_LUDUS_RPC")]
    pub ludus_rpc: Option<String>,
    /// The address of the bridge's Vault contract on the L1.
    #[arg(long, value_name = "ADDRESS", env = "LUDUS_RELAYER_VAULT")]
    pub vault: Option<Address>,
    /// The address of the bridge's Checkpoints contract on the L1.
    #[arg(long, value_name = "ADDRESS", env = "LUDUS_RELAYER_CHECKPOINTS")]
    pub checkpoints: Option<Address>,
    /// A file holding the hex private key of the L1 account that pays for checkpoints and
    /// claims (or set LUDUS_RELAYER_L1_KEY). Without one the relayer only watches and attests.
    #[arg(long, value_name = "FILE", env = "LUDUS_RELAYER_L1_KEY_FILE")]
    pub l1_key_file: Option<PathBuf>,
    /// Attest deposits as this node's validator: the node signs with the bridge key in its
    /// keystore. Only attestations of the current validator set count on Ludus.
    #[arg(long, env = "LUDUS_RELAYER_ATTEST")]
    pub attest: bool,
    /// Treat an L1 block as final this many blocks below the head, for L1s without a
    /// `finalized` block (0: use the L1's `finalized` block, the default).
    #[arg(long, value_name = "BLOCKS", env = "LUDUS_RELAYER_CONFIRMATIONS")]
    pub confirmations: Option<u64>,
    /// Do not post checkpoints or install validator sets.
    #[arg(long, env = "LUDUS_RELAYER_NO_CHECKPOINTS")]
    pub no_checkpoints: bool,
    /// Do not claim withdrawals for their users.
    #[arg(long, env = "LUDUS_RELAYER_NO_CLAIMS")]
    pub no_claims: bool,
    /// Claim only withdrawals whose fee (paid to the claimer, in the token's smallest unit) is
    /// at least this much; others wait for their user or another relayer.
    #[arg(long, value_name = "AMOUNT", env = "LUDUS_RELAYER_MIN_FEE")]
    pub min_fee: Option<u128>,
    /// Where the relayer keeps its cursor (`cursor.json`); losing it only costs a rescan.
    #[arg(long, short = 'd', value_name = "PATH", env = "LUDUS_RELAYER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where to serve the JSON status API (`/status`, `/deposits/…`, `/withdrawals/…`).
    #[arg(long, value_name = "ADDR", env = "LUDUS_RELAYER_STATUS_ADDR")]
    pub status_addr: Option<SocketAddr>,
    /// Where to serve Prometheus metrics (`/metrics`).
    #[arg(long, value_name = "ADDR", env = "LUDUS_RELAYER_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// How often to look at both chains, in milliseconds.
    #[arg(long, value_name = "MS", env = "LUDUS_RELAYER_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// Log filter, e.g. `info,ludus_relayer=debug` (also read from RUST_LOG).
    #[arg(long, short = 'l', value_name = "FILTER")]
    pub log: Option<String>,
}

/// The TOML file: the same settings as the flags, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See [`Cli::l1_rpc`].
    pub l1_rpc: Option<String>,
    /// See [`Cli::ludus_rpc`].
    pub ludus_rpc: Option<String>,
    /// See [`Cli::vault`].
    pub vault: Option<Address>,
    /// See [`Cli::checkpoints`].
    pub checkpoints: Option<Address>,
    /// See [`Cli::l1_key_file`].
    pub l1_key_file: Option<PathBuf>,
    /// See [`Cli::attest`].
    pub attest: Option<bool>,
    /// See [`Cli::confirmations`].
    pub confirmations: Option<u64>,
    /// See [`Cli::no_checkpoints`].
    pub checkpoints_enabled: Option<bool>,
    /// See [`Cli::no_claims`].
    pub claims_enabled: Option<bool>,
    /// See [`Cli::min_fee`]: an integer, or a decimal string for amounts TOML's 64-bit
    /// integers cannot hold.
    pub min_fee: Option<Amount>,
    /// See [`Cli::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`Cli::status_addr`].
    pub status_addr: Option<SocketAddr>,
    /// See [`Cli::metrics_addr`].
    pub metrics_addr: Option<SocketAddr>,
    /// See [`Cli::poll_interval_ms`].
    pub poll_interval_ms: Option<u64>,
}

/// A token amount in the TOML file.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    /// Up to 2^63 - 1.
    Integer(u64),
    /// A decimal string, up to 2^128 - 1.
    Decimal(String),
}

impl Amount {
    fn value(&self) -> Result<u128, ConfigError> {
        match self {
            Amount::Integer(value) => Ok(u128::from(*value)),
            Amount::Decimal(text) => text.trim().parse().map_err(|_| ConfigError::Amount { text: text.clone() }),
        }
    }
}

/// Everything the relayer runs with, resolved and checked.
#[derive(Clone)]
pub struct Config {
    /// The L1's JSON-RPC URL.
    pub l1_rpc: String,
    /// The Ludus node's JSON-RPC URL.
    pub ludus_rpc: String,
    /// The Vault contract.
    pub vault: Address,
    /// The Checkpoints contract.
    pub checkpoints: Address,
    /// The hex private key paying L1 gas, if any.
    pub l1_key: Option<String>,
    /// Whether this relayer attests deposits through its node.
    pub attest: bool,
    /// Blocks below the head taken as final; 0 = the L1's `finalized` tag.
    pub confirmations: u64,
    /// Whether this relayer posts checkpoints and validator sets.
    pub post_checkpoints: bool,
    /// Whether this relayer claims withdrawals.
    pub claim: bool,
    /// The smallest fee a claim must pay this relayer.
    pub min_fee: u128,
    /// The cursor's directory.
    pub data_dir: PathBuf,
    /// The status API's address.
    pub status_addr: SocketAddr,
    /// The metrics endpoint's address.
    pub metrics_addr: SocketAddr,
    /// Time between looks at the chains.
    pub poll_interval: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("l1_rpc", &self.l1_rpc)
            .field("ludus_rpc", &self.ludus_rpc)
            .field("vault", &self.vault)
            .field("checkpoints", &self.checkpoints)
            .field("l1_key", &self.l1_key.as_ref().map(|_| "<secret>"))
            .field("attest", &self.attest)
            .field("confirmations", &self.confirmations)
            .field("post_checkpoints", &self.post_checkpoints)
            .field("claim", &self.claim)
            .field("min_fee", &self.min_fee)
            .field("data_dir", &self.data_dir)
            .field("status_addr", &self.status_addr)
            .field("metrics_addr", &self.metrics_addr)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

/// A setting is missing or unreadable; the message says which and how to give it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required setting was given nowhere.
    #[error("no {name} given: pass --{flag}, set {env}, or put `{key} = …` in the --config file")]
    Missing {
        /// What the setting is.
        name: &'static str,
        /// Its flag.
        flag: &'static str,
        /// Its environment variable.
        env: &'static str,
        /// Its TOML key.
        key: &'static str,
    },
    /// The config file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("the config file {path} is invalid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What toml said.
        message: String,
    },
    /// The L1 key file could not be read.
    #[error("cannot read the L1 key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An amount in the file is not a whole number.
    #[error("min_fee = \"{text}\" is not a whole number of the token's smallest unit")]
    Amount {
        /// What the file says.
        text: String,
    },
    /// The poll interval is zero.
    #[error("--poll-interval-ms must be at least 1")]
    ZeroPollInterval,
}

/// The default data directory: `$HOME/.local/share/ludus-relayer`.
fn default_data_dir() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")).join(".local/share/ludus-relayer")
}

fn read_file_config(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse { path: path.into(), message: e.to_string() })
}

impl Cli {
    /// Resolves flags, environment and file into a [`Config`].
    pub fn resolve(self) -> Result<Config, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file_config(path)?,
            None => FileConfig::default(),
        };
        let l1_rpc = self.l1_rpc.or(file.l1_rpc).ok_or(ConfigError::Missing {
            name: "L1 RPC endpoint",
            flag: "l1-rpc",
            env: "LUDUS_RELAYER_L1_RPC",
            key: "l1_rpc",
        })?;
        let ludus_rpc = self.ludus_rpc.or(file.ludus_rpc).ok_or(ConfigError::Missing {
            name: "Ludus RPC endpoint",
            flag: "ludus-rpc",
            env: "LUDUS_RELAYER_LUDUS_RPC",
            key: "ludus_rpc",
        })?;
        let vault = self.vault.or(file.vault).ok_or(ConfigError::Missing {
            name: "Vault address",
            flag: "vault",
            env: "LUDUS_RELAYER_VAULT",
            key: "vault",
        })?;
        let checkpoints = self.checkpoints.or(file.checkpoints).ok_or(ConfigError::Missing {
            name: "Checkpoints address",
            flag: "checkpoints",
            env: "LUDUS_RELAYER_CHECKPOINTS",
            key: "checkpoints",
        })?;
        let l1_key = match std::env::var(L1_KEY_ENV).ok().filter(|key| !key.trim().is_empty()) {
            Some(key) => Some(key.trim().to_owned()),
            None => match self.l1_key_file.or(file.l1_key_file) {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|source| ConfigError::KeyFile { path, source })?
                        .trim()
                        .to_owned(),
                ),
                None => None,
            },
        };
        let poll_interval_ms = self.poll_interval_ms.or(file.poll_interval_ms).unwrap_or(1_000);
        if poll_interval_ms == 0 {
            return Err(ConfigError::ZeroPollInterval);
        }
        Ok(Config {
            l1_rpc,
            ludus_rpc,
            vault,
            checkpoints,
            l1_key,
            attest: self.attest || file.attest.unwrap_or(false),
            confirmations: self.confirmations.or(file.confirmations).unwrap_or(0),
            post_checkpoints: !self.no_checkpoints && file.checkpoints_enabled.unwrap_or(true),
            claim: !self.no_claims && file.claims_enabled.unwrap_or(true),
            min_fee: match (self.min_fee, &file.min_fee) {
                (Some(fee), _) => fee,
                (None, Some(amount)) => amount.value()?,
                (None, None) => 0,
            },
            data_dir: self.data_dir.or(file.data_dir).unwrap_or_else(default_data_dir),
            status_addr: self
                .status_addr
                .or(file.status_addr)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9955))),
            metrics_addr: self
                .metrics_addr
                .or(file.metrics_addr)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9956))),
            poll_interval: Duration::from_millis(poll_interval_ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VAULT: &str = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    const CHECKPOINTS: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("ludus-relayer").chain(args.iter().copied())).expect("valid flags")
    }

    #[test]
    fn flags_override_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("relayer.toml");
        std::fs::write(
            &file,
            format!(
                "l1_rpc = \"http://file:8545\"\nludus_rpc = \"http://file:9944\"\nvault = \"{VAULT}\"\ncheckpoints = \"{CHECKPOINTS}\"\nmin_fee = \"7000000000000000000000\"\nclaims_enabled = false\n"
            ),
        )
        .expect("write config");
        let config = parse(&["--config", file.to_str().expect("utf-8"), "--l1-rpc", "http://flag:8545"])
            .resolve()
            .expect("complete config");
        assert_eq!(config.l1_rpc, "http://flag:8545");
        assert_eq!(config.ludus_rpc, "http://file:9944");
        assert_eq!(config.min_fee, 7_000_000_000_000_000_000_000);
        assert!(!config.claim);
        assert!(config.post_checkpoints);
        assert_eq!(config.confirmations, 0);
        assert_eq!(config.poll_interval, Duration::from_secs(1));
        assert_eq!(config.vault, VAULT.parse::<Address>().expect("address"));
    }

    #[test]
    fn a_missing_setting_names_its_flag_variable_and_key() {
        let error = parse(&["--l1-rpc", "http://x"]).resolve().expect_err("incomplete");
        let message = error.to_string();
        assert!(message.contains("--ludus-rpc") && message.contains("LUDUS_RELAYER_LUDUS_RPC"), "{message}");
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("relayer.toml");
        std::fs::write(&file, "l1_rpcc = \"http://typo\"\n").expect("write config");
        let error = parse(&["--config", file.to_str().expect("utf-8")]).resolve().expect_err("typo");
        assert!(error.to_string().contains("l1_rpcc"), "{error}");
    }

    #[test]
    fn the_key_is_never_printed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = dir.path().join("key");
        std::fs::write(&key, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n")
            .expect("write key");
        let config = parse(&[
            "--l1-rpc",
            "http://x",
            "--ludus-rpc",
            "http://y",
            "--vault",
            VAULT,
            "--checkpoints",
            CHECKPOINTS,
            "--l1-key-file",
            key.to_str().expect("utf-8"),
        ])
        .resolve()
        .expect("complete config");
        assert!(config.l1_key.as_deref().is_some_and(|k| k.starts_with("0xac09")));
        assert!(!format!("{config:?}").contains("ac0974"));
    }
}
