//! The local L1: anvil from the npm-installed Foundry toolchain, and the bridge contracts
//! deployed on it from anvil's first dev account.
//!
//! **Finality.** anvil answers the `safe` block tag with `latest - slots_in_an_epoch` and
//! `finalized` with `latest - 2 * slots_in_an_epoch` (checked with anvil 1.7.1: at
//! `--slots-in-an-epoch 2`, latest 8 gave safe 6 and finalized 4; at the default 32, finalized
//! stays at genesis for the first 64 blocks). The devnet runs `--slots-in-an-epoch 2`, so the
//! finalized block that relayers read deposits up to trails the head by 4 blocks (4 s at
//! `--block-time 1`): deposits are attested within seconds, and the relayers still meet a
//! finalized tag that lags, as on mainnet.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, Bytes, B256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::SolConstructor,
};

use crate::{
    contracts::{creation_bytecode, Checkpoints, TestToken, Vault},
    process::ChildProcess,
    DevnetError,
};

/// anvil's chain id (its default, and what the runtime's genesis names).
pub const L1_CHAIN_ID: u64 = 31337;
/// Slots per epoch given to anvil: `finalized` is `latest - 2 * this` (see the module docs).
pub const ANVIL_SLOTS_IN_AN_EPOCH: u64 = 2;
/// anvil's block time in seconds.
pub const ANVIL_BLOCK_TIME: u64 = 1;

/// The private keys of anvil's ten dev accounts (from its default mnemonic "test test … junk",
/// printed at its start-up), each with 10,000 ETH. Account 0 deploys and administers the
/// contracts; relayer `i` pays its L1 gas from account `i + 1`.
pub const ANVIL_DEV_KEYS: [&str; 10] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// Where anvil's first dev account deploys `Checkpoints` (nonce 0): the runtime genesis's
/// `ANVIL_CHECKPOINTS`.
pub const EXPECTED_CHECKPOINTS: Address = alloy::primitives::address!("5FbDB2315678afecb367f032d93F642f64180aa3");
/// Where it deploys the `Vault` (nonce 1): the runtime genesis's `ANVIL_VAULT`.
pub const EXPECTED_VAULT: Address = alloy::primitives::address!("e7f1725E7734CE288F8367e1Bb143E90bb3F0512");
/// Where it deploys the test ERC-20 (nonce 2), registered as a bridged asset in the genesis.
pub const EXPECTED_TEST_TOKEN: Address = alloy::primitives::address!("9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");

/// One TEST or one ETH in base units (18 decimals).
const ONE: u128 = 1_000_000_000_000_000_000;
/// Devnet claim limits, the same for ETH and TEST: generous enough that nobody trying the
/// bridge meets them. Daily limit.
const DAILY_LIMIT: u128 = 1_000_000 * ONE;
/// Claims above this wait out the vault's large-claim delay.
const LARGE_CLAIM_THRESHOLD: u128 = 100_000 * ONE;
/// The smallest ETH deposit: 1 gwei.
const MIN_ETH_DEPOSIT: u128 = 1_000_000_000;
/// The smallest TEST deposit: one base unit.
const MIN_TOKEN_DEPOSIT: u128 = 1;

/// How long anvil may take to answer.
const ANVIL_STARTUP: Duration = Duration::from_secs(30);
/// How long one L1 transaction may take to be mined.
const TX_TIMEOUT: Duration = Duration::from_secs(60);

/// The npm-installed Foundry toolchain of `contracts/` (only anvil is run by the devnet).
#[derive(Debug, Clone)]
pub struct Foundry {
    /// `contracts/`.
    pub contracts_dir: PathBuf,
    /// The platform anvil binary.
    pub anvil: PathBuf,
}

impl Foundry {
    /// Finds the platform binaries npm installed under `contracts/node_modules/@foundry-rs`.
    ///
    /// The `node_modules/.bin` shims are not used: they are node scripts that exit 0 even when
    /// the tool fails, and for anvil they would be the process the devnet signals, not anvil.
    pub fn locate(contracts_dir: &Path) -> Result<Foundry, DevnetError> {
        Ok(Foundry { contracts_dir: contracts_dir.to_owned(), anvil: platform_binary(contracts_dir, "anvil")? })
    }
}

/// `contracts/node_modules/@foundry-rs/<tool>-<platform>/bin/<tool>`: npm installs only the
/// platform package that matches this machine (`anvil-linux-amd64`, `anvil-darwin-arm64`, …).
pub fn platform_binary(contracts_dir: &Path, tool: &str) -> Result<PathBuf, DevnetError> {
    let scope = contracts_dir.join("node_modules/@foundry-rs");
    std::fs::read_dir(&scope)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&format!("{tool}-")))
        .map(|entry| entry.path().join("bin").join(tool))
        .find(|path| path.is_file())
        .ok_or(DevnetError::MissingToolchain { what: format!("{tool} binary"), path: scope })
}

/// Starts anvil on `port` and waits until it answers with the expected chain id.
pub async fn start_anvil(foundry: &Foundry, port: u16, log: &Path) -> Result<ChildProcess, DevnetError> {
    let mut command = Command::new(&foundry.anvil);
    command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
    command.args(["--chain-id", &L1_CHAIN_ID.to_string(), "--block-time", &ANVIL_BLOCK_TIME.to_string()]);
    command.args(["--slots-in-an-epoch", &ANVIL_SLOTS_IN_AN_EPOCH.to_string()]);
    let mut anvil = ChildProcess::spawn("anvil", command, log)?;
    let url = l1_url(port);
    let provider = ProviderBuilder::new().connect_http(parse_url(&url)?);
    let deadline = Instant::now() + ANVIL_STARTUP;
    loop {
        anvil.check_started()?;
        if let Ok(chain_id) = provider.get_chain_id().await {
            if chain_id != L1_CHAIN_ID {
                return Err(DevnetError::Rpc {
                    endpoint: url,
                    method: "eth_chainId".into(),
                    reason: format!("answered {chain_id}, not {L1_CHAIN_ID}: is another L1 on port {port}?"),
                });
            }
            return Ok(anvil);
        }
        if Instant::now() >= deadline {
            return Err(anvil.timeout(format!("its RPC at {url}"), ANVIL_STARTUP));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `http://127.0.0.1:<port>`.
pub fn l1_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// What the bridge contracts are deployed from: the sidechain's genesis and its validator set 0.
#[derive(Debug, Clone)]
pub struct SidechainAnchor {
    /// The sidechain's genesis hash.
    pub genesis: B256,
    /// The bridge validator set's id (0 at genesis).
    pub set_id: u64,
    /// The set's Ethereum addresses, ascending.
    pub validators: Vec<Address>,
    /// `validatorSetHash(setId, validators)` as the sidechain computes it.
    pub set_hash: B256,
}

/// Where the contracts landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployment {
    /// The `Checkpoints` contract.
    pub checkpoints: Address,
    /// The `Vault`.
    pub vault: Address,
    /// The test ERC-20 (TEST).
    pub erc20: Address,
}

/// Deploys `Checkpoints`, the `Vault` and the test token from anvil's first dev account (nonces
/// 0, 1, 2, so at the addresses the runtime's genesis names), registers ETH and the token in
/// the vault, and checks that the L1 took the sidechain's validator set as the sidechain hashes
/// it.
pub async fn deploy(contracts_dir: &Path, l1_port: u16, anchor: &SidechainAnchor) -> Result<Deployment, DevnetError> {
    let bytecode = |name| creation_bytecode(contracts_dir, name);
    let (checkpoints_code, vault_code, token_code) =
        (bytecode("Checkpoints")?, bytecode("Vault")?, bytecode("TestToken")?);
    let deployer_key: PrivateKeySigner = parse_key(ANVIL_DEV_KEYS[0])?;
    let deployer = deployer_key.address();
    let holders =
        ANVIL_DEV_KEYS.iter().map(|key| parse_key(key).map(|k| k.address())).collect::<Result<Vec<_>, _>>()?;
    let url = l1_url(l1_port);
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(deployer_key)).connect_http(parse_url(&url)?);

    let nonce = provider.get_transaction_count(deployer).await.map_err(|e| l1_error("read the deployer's nonce", e))?;
    if nonce != 0 {
        return Err(DevnetError::L1 {
            step: "deploy".into(),
            reason: format!(
                "anvil's deployer nonce was {nonce}, not 0: is another L1 already on port {l1_port}? \
                 The contracts must be the deployer's first transactions to land where the Ludus genesis expects them"
            ),
        });
    }

    let checkpoints_args = Checkpoints::constructorCall {
        sidechainGenesis: anchor.genesis,
        firstCheckpoint: 1,
        initialSetId: anchor.set_id,
        initialValidators: anchor.validators.clone(),
        admin: deployer,
    };
    let checkpoints = deploy_one(&provider, "Checkpoints", checkpoints_code, checkpoints_args.abi_encode()).await?;
    expect_address("Checkpoints", checkpoints, EXPECTED_CHECKPOINTS, 0, l1_port)?;
    let vault_args = Vault::constructorCall { checkpoints, admin: deployer, guardian: deployer };
    let vault = deploy_one(&provider, "Vault", vault_code, vault_args.abi_encode()).await?;
    expect_address("Vault", vault, EXPECTED_VAULT, 1, l1_port)?;
    let token_args = TestToken::constructorCall { holders };
    let erc20 = deploy_one(&provider, "TestToken", token_code, token_args.abi_encode()).await?;
    expect_address("TestToken", erc20, EXPECTED_TEST_TOKEN, 2, l1_port)?;

    let vault_contract = Vault::new(vault, &provider);
    for (label, token, min_deposit) in [("ETH", Address::ZERO, MIN_ETH_DEPOSIT), ("TEST", erc20, MIN_TOKEN_DEPOSIT)] {
        let step = format!("Vault.configureToken({label})");
        let pending = vault_contract
            .configureToken(token, true, DAILY_LIMIT, LARGE_CLAIM_THRESHOLD, min_deposit)
            .send()
            .await
            .map_err(|e| l1_error(&step, e))?;
        let receipt = tokio::time::timeout(TX_TIMEOUT, pending.get_receipt())
            .await
            .map_err(|_| l1_error(&step, "not mined in time"))?
            .map_err(|e| l1_error(&step, e))?;
        if !receipt.status() {
            return Err(l1_error(&step, "reverted"));
        }
    }

    let on_l1 = Checkpoints::new(checkpoints, &provider)
        .currentSetHash()
        .call()
        .await
        .map_err(|e| l1_error("read Checkpoints.currentSetHash", e))?;
    if on_l1 != anchor.set_hash {
        return Err(l1_error(
            "check the validator set",
            format!(
                "the L1 hashes set {} to {on_l1}, the sidechain to {}: the two sides disagree on the set's encoding",
                anchor.set_id, anchor.set_hash
            ),
        ));
    }
    Ok(Deployment { checkpoints, vault, erc20 })
}

async fn deploy_one<P: Provider>(
    provider: &P,
    contract: &'static str,
    code: Bytes,
    constructor_args: Vec<u8>,
) -> Result<Address, DevnetError> {
    let step = format!("deploy {contract}");
    let mut input = code.to_vec();
    input.extend_from_slice(&constructor_args);
    let tx = TransactionRequest::default().with_deploy_code(input);
    let pending = provider.send_transaction(tx).await.map_err(|e| l1_error(&step, e))?;
    let receipt = tokio::time::timeout(TX_TIMEOUT, pending.get_receipt())
        .await
        .map_err(|_| l1_error(&step, "not mined in time"))?
        .map_err(|e| l1_error(&step, e))?;
    if !receipt.status() {
        return Err(l1_error(&step, "the constructor reverted"));
    }
    receipt.contract_address.ok_or_else(|| l1_error(&step, "the receipt names no contract address"))
}

fn expect_address(
    contract: &'static str,
    actual: Address,
    expected: Address,
    nonce: u64,
    port: u16,
) -> Result<(), DevnetError> {
    if actual == expected {
        return Ok(());
    }
    Err(DevnetError::UnexpectedAddress {
        contract,
        expected: expected.to_string(),
        actual: actual.to_string(),
        nonce,
        port,
    })
}

/// An anvil dev key as a signer.
pub fn parse_key(key: &str) -> Result<PrivateKeySigner, DevnetError> {
    key.parse().map_err(|e| DevnetError::InvalidConfig(format!("bad private key constant: {e}")))
}

/// A URL alloy can connect to.
pub fn parse_url(url: &str) -> Result<alloy::transports::http::reqwest::Url, DevnetError> {
    url.parse().map_err(|e| DevnetError::InvalidConfig(format!("bad URL {url}: {e}")))
}

fn l1_error(step: &str, error: impl std::fmt::Display) -> DevnetError {
    DevnetError::L1 { step: step.to_owned(), reason: error.to_string() }
}
