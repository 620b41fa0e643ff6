//! The relayers: one `ludus-relayer` per validator, attesting deposits from that validator's
//! node and paying L1 gas from its own anvil dev account.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use alloy::primitives::Address;

use crate::{l1::ANVIL_DEV_KEYS, process::ChildProcess, DevnetError};

/// How long a relayer may take until its status endpoint answers.
const RELAYER_STARTUP: Duration = Duration::from_secs(60);

/// Everything relayer `index` is started with; kept so that it restarts the same way.
#[derive(Debug, Clone)]
pub struct RelayerSpec {
    /// Which validator's relayer (0-based).
    pub index: usize,
    /// The `ludus-relayer` binary.
    pub binary: PathBuf,
    /// The L1 RPC URL.
    pub l1_rpc: String,
    /// Its validator's node RPC URL.
    pub ludus_rpc: String,
    /// The Vault.
    pub vault: Address,
    /// The Checkpoints contract.
    pub checkpoints: Address,
    /// Its data directory (cursor, config), kept across restarts.
    pub data_dir: PathBuf,
    /// The status server's port.
    pub status_port: u16,
    /// The Prometheus port.
    pub metrics_port: u16,
    /// Its log file.
    pub log: PathBuf,
}

impl RelayerSpec {
    /// The process name, `relayer <index>`.
    pub fn name(&self) -> String {
        format!("relayer {}", self.index)
    }

    /// `http://127.0.0.1:<status port>/status`.
    pub fn status_url(&self) -> String {
        format!("http://127.0.0.1:{}/status", self.status_port)
    }

    /// The anvil dev key it pays L1 gas with: account `index + 1` (account 0 deploys and
    /// administers the contracts).
    pub fn l1_key(&self) -> &'static str {
        ANVIL_DEV_KEYS[(self.index + 1) % ANVIL_DEV_KEYS.len()]
    }

    /// Starts the relayer and waits until its status endpoint answers.
    pub async fn start(&self) -> Result<ChildProcess, DevnetError> {
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|source| DevnetError::Io { path: self.data_dir.clone(), source })?;
        let mut command = Command::new(&self.binary);
        command
            .args(["--l1-rpc", &self.l1_rpc, "--ludus-rpc", &self.ludus_rpc])
            .args(["--vault", &self.vault.to_string(), "--checkpoints", &self.checkpoints.to_string(), "--attest"])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["--status-addr", &format!("127.0.0.1:{}", self.status_port)])
            .args(["--metrics-addr", &format!("127.0.0.1:{}", self.metrics_port)])
            .env("LUDUS_RELAYER_L1_KEY", self.l1_key());
        let mut relayer = ChildProcess::spawn(self.name(), command, &self.log)?;
        wait_status(&mut relayer, &self.status_url()).await?;
        Ok(relayer)
    }
}

async fn wait_status(relayer: &mut ChildProcess, url: &str) -> Result<(), DevnetError> {
    let client = alloy::transports::http::reqwest::Client::new();
    let deadline = Instant::now() + RELAYER_STARTUP;
    loop {
        relayer.check_started()?;
        if client.get(url).send().await.is_ok_and(|response| response.status().is_success()) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(relayer.timeout(format!("its status at {url}"), RELAYER_STARTUP));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `<data>/relayer-<index>`.
pub fn relayer_data_dir(data_dir: &Path, index: usize) -> PathBuf {
    data_dir.join(format!("relayer-{index}"))
}
