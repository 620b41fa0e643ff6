//! The bridge end to end with real processes: how long a deposit takes from L1 finality to
//! being credited on Ludus, how long a withdrawal takes from its burn to being claimable and
//! paid on the L1, how many of each the bridge carries per second, and what the L1 gas of a
//! withdrawal comes to once a checkpoint's cost is shared among its withdrawals.
//!
//! Run (the node and relayer binaries of the same profile first, the bench profile being
//! `release`-like):
//!
//! ```text
//! cargo build --release -p ludus-node -p ludus-relayer
//! cargo bench -p ludus-devnet --bench bridge                      # 1 validator
//! cargo bench -p ludus-devnet --bench bridge -- --validators 4    # 4 validators, 4 relayers
//! ```
//!
//! The devnet finds `ludus-node` and `ludus-relayer` in `target/release` (beside the bench
//! executable's `deps/`); `LUDUS_NODE_BIN` and `LUDUS_RELAYER_BIN` point to others (debug
//! builds, say). It also needs what every devnet needs: `npm ci --prefix contracts` and
//! forge's build of the contracts (`./scripts/devnet.sh` does both). Options after `--`:
//! `--validators N` (1 to 4, default 1), `--samples N` (latency samples per direction, default
//! 20), `--deposits K` (default 200), `--withdrawals K` (default 60), `--keep` (keep the devnet's
//! data directory with its logs). Progress goes to stderr, the table to stdout. A run with the
//! defaults takes about four minutes.
//!
//! The devnet is the one `ludus-devnet` starts: anvil with a block a second and `finalized`
//! four blocks behind the head, Ludus with a block a second and a checkpoint every ten blocks,
//! one relayer per validator polling both chains every second. The phases, each after the last:
//!
//! 1. **Deposit latency.** `Vault.depositETH` from anvil's dev account 5, one every two L1
//!    blocks, each to one of Alice … Ferdie (funding phase 2). For each: its L1 block `B`; the
//!    moment the L1's `finalized` tag reaches `B` (polled every 50 ms) and the Ludus best block
//!    then; the first Ludus best block in which `ludus_bridge_depositStatus` says it was
//!    executed (minted), and when that block was seen. Reported: finalized → credited in ms
//!    and in Ludus blocks (the issue's goal: at most 2), and sent → credited.
//! 2. **Withdrawal latency.** Signed `Bridge::withdraw` extrinsics (ETH, asset 1) from Alice …
//!    Ferdie over `author_submitExtrinsic`, each to a fresh L1 address, the next once the last
//!    is burnt and two seconds have passed. Burn: the first best block in which
//!    `ludus_bridge_withdrawalStatus(id)` answers; claimable: `Checkpoints.latestCheckpoint()`
//!    reaches the withdrawal's checkpoint; paid: `Vault.isClaimed(id)`, the recipient's balance
//!    checked to be the amount less the fee. The issue's goal for burn → claimable: one
//!    checkpoint interval (10 Ludus blocks) plus finality plus one L1 block.
//! 3. **Throughput.** `--deposits` deposits sent back to back (one sender, nonces counted here),
//!    then the rate at which `ludus_bridge_lowestUnexecutedNonce` passes them; `--withdrawals`
//!    withdrawals from Alice … Ferdie submitted back to back, then the rate at which the
//!    Vault's `Claimed` events for them appear. A deposit queue that stands still for a minute
//!    fails the run, naming the deposit it waits for and its attestations.
//! 4. **Gas.** The relayers' `/status` `gasSpent.byAction` (summed over relayers) before and
//!    after the withdrawal throughput run, divided by the withdrawals paid; and the same from
//!    the L1 itself: every receipt of the relayers' accounts in the run's blocks, reverted
//!    transactions included (a relayer that loses a claim race to another spends gas its
//!    status does not count).
//!
//! Latencies are medians and 90th percentiles (nearest rank) over the samples. Each moment is
//! when this process saw the state, polling every 50 ms, so each is late by up to one poll plus
//! an RPC round trip. Every process shares this machine: with four validators the nodes, the
//! relayers, anvil and this bench compete for the same cores.

use std::{
    collections::BTreeMap,
    error::Error,
    time::{Duration, Instant},
};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{BlockId, BlockNumberOrTag, Filter},
    sol_types::SolEvent,
};
use ludus_devnet::{
    contracts::{Checkpoints, Vault},
    l1::{parse_key, parse_url, ANVIL_DEV_KEYS},
    ludus::NodeRpc,
    Devnet, DevnetConfig,
};
use ludus_node::test_utils::{pair, sign};
use ludus_primitives::{AccountId, Hash};
use ludus_runtime::{Runtime, RuntimeCall};
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, Pair};

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Bridged ETH on Ludus (the dev presets register it as asset 1).
const ETH_ASSET: u32 = 1;
/// One ETH in wei.
const ETH: u128 = 1_000_000_000_000_000_000;
/// Each latency-phase deposit: it also funds the withdrawals.
const FUNDING_DEPOSIT: u128 = ETH;
/// Each throughput-phase deposit.
const THROUGHPUT_DEPOSIT: u128 = ETH / 100;
/// Each withdrawal, and the fee it leaves to the relayer that claims it.
const WITHDRAWAL: u128 = ETH / 100;
const WITHDRAWAL_FEE: u128 = ETH / 10_000;
/// The Ludus accounts that receive deposits and burn withdrawals (endowed with LUD in the dev
/// and local presets, so they pay their fees).
const USERS: [&str; 6] = ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];
/// anvil's dev account that deposits (the deployer is 0, relayers 1 to 4).
const DEPOSITOR_KEY: usize = 5;
/// The L1 fee caps of the deposits: far above what anvil's base fee reaches here.
const MAX_FEE_PER_GAS: u128 = 50_000_000_000;
const PRIORITY_FEE_PER_GAS: u128 = 1_000_000_000;
/// How often the bench looks at both chains.
const POLL: Duration = Duration::from_millis(50);
/// Between two latency samples: two L1 (and Ludus) blocks, so that samples do not queue
/// behind each other.
const SAMPLE_SPACING: Duration = Duration::from_secs(2);
/// How long any phase may take before the bench gives up on it.
const PHASE_TIMEOUT: Duration = Duration::from_secs(240);
/// How long the deposit queue may stand still before the bench calls it stuck: longer than a
/// relayer's re-attestation interval (12 s) several times over.
const STALL: Duration = Duration::from_secs(60);

const USAGE: &str = "use --validators N, --samples N, --deposits K, --withdrawals K, --keep";

/// What to run, from the command line after `--`.
#[derive(Debug)]
struct Options {
    validators: usize,
    samples: usize,
    deposits: usize,
    withdrawals: usize,
    keep: bool,
}

impl Options {
    fn parse() -> BenchResult<Options> {
        let mut options = Options { validators: 1, samples: 20, deposits: 200, withdrawals: 60, keep: false };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> BenchResult<usize> {
                let value = args.next().ok_or_else(|| format!("{name} needs a number"))?;
                Ok(value.parse().map_err(|_| format!("{name} {value}: not a number"))?)
            };
            match arg.as_str() {
                "--validators" => options.validators = number("--validators")?,
                "--samples" => options.samples = number("--samples")?.max(1),
                "--deposits" => options.deposits = number("--deposits")?.max(1),
                "--withdrawals" => options.withdrawals = number("--withdrawals")?.max(1),
                "--keep" => options.keep = true,
                // cargo bench passes `--bench` to every bench binary.
                "--bench" => {}
                other => return Err(format!("unknown argument {other}: {USAGE}").into()),
            }
        }
        Ok(options)
    }
}

fn main() {
    let options = match Options::parse() {
        Ok(options) => options,
        Err(error) => {
            eprintln!("bridge bench: {error}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bridge bench: cannot start tokio: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(run(options)) {
        eprintln!("bridge bench failed: {error}");
        std::process::exit(1);
    }
}

async fn run(options: Options) -> BenchResult<()> {
    let dir = tempfile::Builder::new().prefix("ludus-bridge-bench-").tempdir()?;
    let mut config = DevnetConfig::new(dir.path().join("devnet"));
    config.validators = options.validators;
    progress(&format!(
        "starting a devnet of {} validator(s) with node {} and relayer {}",
        options.validators,
        config.node_binary()?.display(),
        config.relayer_binary()?.display()
    ));
    let started = Instant::now();
    let devnet = Devnet::start(config).await?;
    progress(&format!(
        "devnet up in {:.1} s (data in {})",
        started.elapsed().as_secs_f64(),
        devnet.data_dir().display()
    ));

    let outcome = measure(&devnet, &options).await;
    let data_dir = devnet.data_dir().to_owned();
    let killed = devnet.stop().await;
    if !killed.is_empty() {
        progress(&format!("needed SIGKILL: {}", killed.join(", ")));
    }
    // Keep the logs of a failed run: they say why.
    if options.keep || outcome.is_err() {
        let kept = dir.keep();
        progress(&format!("kept the devnet's data and logs in {}", kept.display()));
    }
    let report = outcome.map_err(|e| format!("{e} (devnet logs under {})", data_dir.join("logs").display()))?;
    println!("{}", report.table(&options));
    Ok(())
}

async fn measure(devnet: &Devnet, options: &Options) -> BenchResult<Report> {
    let mut bridge = Bridge::connect(devnet).await?;
    let deposit_latency = bridge.deposit_latency(options.samples).await?;
    let withdrawal_latency = bridge.withdrawal_latency(options.samples).await?;
    let deposit_throughput = bridge.deposit_throughput(options.deposits).await?;
    let (withdrawal_throughput, gas) = bridge.withdrawal_throughput(options.withdrawals).await?;
    Ok(Report { deposit_latency, withdrawal_latency, deposit_throughput, withdrawal_throughput, gas })
}

fn progress(message: &str) {
    eprintln!("[bridge bench] {message}");
}

/// Both chains as a user and an observer see them.
struct Bridge<'a> {
    devnet: &'a Devnet,
    l1: DynProvider,
    vault: Vault::VaultInstance<DynProvider>,
    checkpoints: Checkpoints::CheckpointsInstance<DynProvider>,
    depositor_nonce: u64,
    deposit_gas: u64,
    ludus: NodeRpc,
    genesis: Hash,
    http: alloy::transports::http::reqwest::Client,
}

/// A Ludus best block: its hash (to read state at) and number.
#[derive(Clone, Copy)]
struct Head {
    hash: Hash,
    number: u64,
}

impl<'a> Bridge<'a> {
    async fn connect(devnet: &'a Devnet) -> BenchResult<Bridge<'a>> {
        let signer = parse_key(ANVIL_DEV_KEYS[DEPOSITOR_KEY])?;
        let depositor = signer.address();
        let l1 = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(parse_url(devnet.l1_url())?)
            .erased();
        let vault = Vault::new(devnet.vault(), l1.clone());
        let checkpoints = Checkpoints::new(devnet.checkpoints(), l1.clone());
        let depositor_nonce = l1.get_transaction_count(depositor).pending().await?;
        // Twice the estimate: a deposit's cost varies a little with the Vault's storage.
        let deposit_gas = 2 * vault.depositETH(B256::repeat_byte(1)).value(U256::from(ETH)).estimate_gas().await?;
        let port = devnet.node_rpc_urls()[0].rsplit(':').next().and_then(|p| p.parse().ok()).ok_or("node RPC port")?;
        let ludus = NodeRpc::new(port)?;
        let genesis = Hash::from(devnet.sidechain_genesis().0);
        let http = alloy::transports::http::reqwest::Client::new();
        Ok(Bridge { devnet, l1, vault, checkpoints, depositor_nonce, deposit_gas, ludus, genesis, http })
    }

    // ---- L1 ----

    /// Sends `Vault.depositETH(recipient)` with `wei` without waiting for it to be mined.
    async fn send_deposit(&mut self, recipient: &AccountId, wei: u128) -> BenchResult<B256> {
        let recipient: [u8; 32] = *recipient.as_ref();
        let pending = self
            .vault
            .depositETH(B256::from(recipient))
            .value(U256::from(wei))
            .nonce(self.depositor_nonce)
            .gas(self.deposit_gas)
            .max_fee_per_gas(MAX_FEE_PER_GAS)
            .max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS)
            .send()
            .await?;
        self.depositor_nonce += 1;
        Ok(*pending.tx_hash())
    }

    /// The L1 block and Vault nonce of a mined deposit; `None` while it is not mined.
    async fn deposit_receipt(&self, tx: B256) -> BenchResult<Option<(u64, u64)>> {
        let Some(receipt) = self.l1.get_transaction_receipt(tx).await? else { return Ok(None) };
        if !receipt.status() {
            return Err(format!("deposit {tx} reverted").into());
        }
        let block = receipt.block_number.ok_or("a mined receipt without a block number")?;
        let deposited = receipt.decoded_log::<Vault::Deposited>().ok_or("a deposit without a Deposited log")?;
        Ok(Some((block, deposited.data.nonce)))
    }

    async fn l1_finalized(&self) -> BenchResult<u64> {
        let block = self.l1.get_block_by_number(BlockNumberOrTag::Finalized).await?;
        Ok(block.map(|b| b.header.number).unwrap_or_default())
    }

    async fn l1_latest_checkpoint(&self) -> BenchResult<u64> {
        Ok(self.checkpoints.latestCheckpoint().call().await?)
    }

    /// The relayers' `gasSpent.byAction`, summed: (checkpoint gas, claim gas).
    async fn relayer_gas(&self) -> BenchResult<(u64, u64)> {
        let mut sum = (0, 0);
        for url in self.devnet.relayer_status_urls() {
            let status: Value = serde_json::from_str(&self.http.get(url).send().await?.text().await?)?;
            let gas = |action: &str| status["gasSpent"]["byAction"][action]["gas"].as_u64().unwrap_or_default();
            sum.0 += gas("checkpoint");
            sum.1 += gas("claim");
        }
        Ok(sum)
    }

    /// Gas the relayers' L1 accounts spent in blocks `from..=to`, read from the receipts:
    /// (to the Checkpoints contract, to the Vault, of which reverted, transactions).
    async fn relayer_gas_on_l1(&self, from: u64, to: u64) -> BenchResult<L1Gas> {
        let relayers: Vec<Address> = (0..self.devnet.relayer_status_urls().len())
            .map(|i| parse_key(ANVIL_DEV_KEYS[i + 1]).map(|key| key.address()))
            .collect::<Result<_, _>>()?;
        let mut gas = L1Gas::default();
        for number in from..=to {
            let receipts = self.l1.get_block_receipts(BlockId::number(number)).await?.unwrap_or_default();
            for receipt in receipts.iter().filter(|r| relayers.contains(&r.from)) {
                gas.transactions += 1;
                if !receipt.status() {
                    gas.reverted += receipt.gas_used;
                }
                if receipt.to == Some(self.devnet.checkpoints()) {
                    gas.checkpoint += receipt.gas_used;
                } else if receipt.to == Some(self.devnet.vault()) {
                    gas.vault += receipt.gas_used;
                }
            }
        }
        Ok(gas)
    }

    // ---- Ludus ----

    async fn head(&self) -> BenchResult<Head> {
        let hash: Hash = self.ludus.call("chain_getBlockHash", vec![]).await?;
        let header: Value = self.ludus.call("chain_getHeader", vec![json!(hash)]).await?;
        let number = header["number"].as_str().ok_or("a header without a number")?;
        Ok(Head { hash, number: u64::from_str_radix(number.trim_start_matches("0x"), 16)? })
    }

    /// `Some(minted)` once deposit `nonce` is executed at `at`.
    async fn deposit_executed(&self, nonce: u64, at: Hash) -> BenchResult<Option<bool>> {
        let status: Option<Value> =
            self.ludus.call("ludus_bridge_depositStatus", vec![json!(nonce), json!(at)]).await?;
        Ok(status.filter(|s| s["status"] == "executed").map(|s| s["outcome"] == "minted"))
    }

    /// `ludus_bridge_withdrawalStatus(id)` at `at`: `None` before the burn, else the
    /// withdrawal's checkpoint once it has one.
    async fn withdrawal_status(&self, id: u64, at: Hash) -> BenchResult<Option<Option<u64>>> {
        let status: Option<Value> =
            self.ludus.call("ludus_bridge_withdrawalStatus", vec![json!(id), json!(at)]).await?;
        Ok(status.map(|s| s["checkpoint"].as_u64()))
    }

    async fn lowest_unexecuted_nonce(&self) -> BenchResult<u64> {
        Ok(self.ludus.call("ludus_bridge_lowestUnexecutedNonce", vec![]).await?)
    }

    /// `NextWithdrawalId` at the best block: the id the next burn gets.
    async fn next_withdrawal_id(&self) -> BenchResult<u64> {
        let key = pallet_bridge::NextWithdrawalId::<Runtime>::hashed_key();
        let value: Option<String> = self.ludus.call("state_getStorage", vec![json!(to_hex(&key))]).await?;
        let Some(value) = value else { return Ok(1) };
        let bytes: [u8; 8] =
            hex::decode(value.trim_start_matches("0x"))?.try_into().map_err(|_| "NextWithdrawalId is not a u64")?;
        Ok(u64::from_le_bytes(bytes))
    }

    async fn account_nonce(&self, user: &str) -> BenchResult<u32> {
        Ok(self.ludus.call("system_accountNextIndex", vec![json!(account(user).to_ss58check())]).await?)
    }

    /// Submits `user`'s signed `Bridge::withdraw` of [`WITHDRAWAL`] ETH to `recipient`.
    async fn submit_withdrawal(&self, user: &str, nonce: u32, recipient: Address) -> BenchResult<()> {
        let call = RuntimeCall::Bridge(pallet_bridge::Call::withdraw {
            asset: ETH_ASSET,
            amount: WITHDRAWAL,
            l1_recipient: recipient.into_array(),
            fee: WITHDRAWAL_FEE,
        });
        let extrinsic = sign(call, &pair(user), nonce, self.genesis);
        let _hash: Value = self.ludus.call("author_submitExtrinsic", vec![json!(to_hex(&extrinsic))]).await?;
        Ok(())
    }

    // ---- Phases ----

    async fn deposit_latency(&mut self, samples: usize) -> BenchResult<DepositLatency> {
        progress(&format!("phase 1: {samples} deposits, one every {SAMPLE_SPACING:?}, finalized → credited"));
        let mut deposits: Vec<DepositSample> = Vec::with_capacity(samples);
        let deadline = Instant::now() + PHASE_TIMEOUT;
        let mut next_send = Instant::now();
        loop {
            if deposits.len() < samples && Instant::now() >= next_send {
                let recipient = USERS[deposits.len() % USERS.len()];
                let tx = self.send_deposit(&account(recipient), FUNDING_DEPOSIT).await?;
                deposits.push(DepositSample::new(tx));
                next_send = Instant::now() + SAMPLE_SPACING;
            }
            let finalized = self.l1_finalized().await?;
            let head = self.head().await?;
            let seen = Instant::now();
            for deposit in deposits.iter_mut().filter(|d| d.credited.is_none()) {
                if deposit.mined.is_none() {
                    deposit.mined = self.deposit_receipt(deposit.tx).await?;
                }
                let Some((block, nonce)) = deposit.mined else { continue };
                if deposit.finalized.is_none() && finalized >= block {
                    deposit.finalized = Some((seen, head.number));
                }
                if deposit.finalized.is_some() {
                    match self.deposit_executed(nonce, head.hash).await? {
                        Some(true) => {
                            deposit.credited = Some((seen, head.number));
                            let (latency, blocks) = deposit.finalized_to_credited().unwrap_or_default();
                            progress(&format!(
                                "  deposit {nonce} (L1 block {block}): credited {} ms / {blocks} Ludus block(s) after L1 finality",
                                latency.as_millis()
                            ));
                        }
                        Some(false) => return Err(format!("deposit {nonce} was executed but not minted").into()),
                        None => {}
                    }
                }
            }
            if deposits.len() == samples && deposits.iter().all(|d| d.credited.is_some()) {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("phase 1: deposits not credited within {PHASE_TIMEOUT:?}").into());
            }
            tokio::time::sleep(POLL).await;
        }
        let pairs: Vec<(Duration, u64)> = deposits.iter().filter_map(DepositSample::finalized_to_credited).collect();
        Ok(DepositLatency {
            finalized_to_credited: Stats::of(pairs.iter().map(|(d, _)| d.as_secs_f64() * 1e3)),
            ludus_blocks: Stats::of(pairs.iter().map(|(_, blocks)| *blocks as f64)),
            max_blocks: pairs.iter().map(|(_, blocks)| *blocks).max().unwrap_or_default(),
            sent_to_credited: Stats::of(
                deposits.iter().filter_map(|d| d.credited.map(|(at, _)| (at - d.sent).as_secs_f64())),
            ),
        })
    }

    async fn withdrawal_latency(&mut self, samples: usize) -> BenchResult<WithdrawalLatency> {
        progress(&format!(
            "phase 2: {samples} withdrawals, each after the last is burnt and {SAMPLE_SPACING:?}, burn → claimable → paid"
        ));
        let mut withdrawals: Vec<WithdrawalSample> = Vec::with_capacity(samples);
        let deadline = Instant::now() + PHASE_TIMEOUT;
        let mut next_send = Instant::now();
        loop {
            let last_burnt = withdrawals.last().is_none_or(|w| w.burnt.is_some());
            if withdrawals.len() < samples && last_burnt && Instant::now() >= next_send {
                let user = USERS[withdrawals.len() % USERS.len()];
                let recipient = fresh_l1_address(1, withdrawals.len());
                let id = self.next_withdrawal_id().await?;
                let nonce = self.account_nonce(user).await?;
                self.submit_withdrawal(user, nonce, recipient).await?;
                withdrawals.push(WithdrawalSample::new(id, recipient));
                next_send = Instant::now() + SAMPLE_SPACING;
            }
            let head = self.head().await?;
            let l1_checkpoint = self.l1_latest_checkpoint().await?;
            let seen = Instant::now();
            for w in withdrawals.iter_mut().filter(|w| w.paid.is_none()) {
                if w.burnt.is_none() || w.checkpoint.is_none() {
                    match self.withdrawal_status(w.id, head.hash).await? {
                        None => continue,
                        Some(checkpoint) => {
                            w.burnt.get_or_insert((seen, head.number));
                            w.checkpoint = checkpoint;
                        }
                    }
                }
                let Some(checkpoint) = w.checkpoint else { continue };
                if w.claimable.is_none() && l1_checkpoint >= checkpoint {
                    w.claimable = Some((seen, head.number));
                }
                if w.claimable.is_some() && self.vault.isClaimed(w.id).call().await? {
                    w.paid = Some(seen);
                    let balance = self.l1.get_balance(w.recipient).await?;
                    if balance != U256::from(WITHDRAWAL - WITHDRAWAL_FEE) {
                        return Err(format!(
                            "withdrawal {} paid {balance} wei to {}, not {}: the bench took another burn's id for it",
                            w.id,
                            w.recipient,
                            WITHDRAWAL - WITHDRAWAL_FEE
                        )
                        .into());
                    }
                    let (claimable, blocks, paid) = w.latencies().unwrap_or_default();
                    progress(&format!(
                        "  withdrawal {} (checkpoint {checkpoint}): claimable {:.1} s / {blocks} Ludus blocks after the burn, paid {:.1} s after",
                        w.id,
                        claimable.as_secs_f64(),
                        paid.as_secs_f64()
                    ));
                }
            }
            if withdrawals.len() == samples && withdrawals.iter().all(|w| w.paid.is_some()) {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("phase 2: withdrawals not paid within {PHASE_TIMEOUT:?}").into());
            }
            tokio::time::sleep(POLL).await;
        }
        let latencies: Vec<(Duration, u64, Duration)> =
            withdrawals.iter().filter_map(WithdrawalSample::latencies).collect();
        Ok(WithdrawalLatency {
            burn_to_claimable: Stats::of(latencies.iter().map(|(d, _, _)| d.as_secs_f64())),
            claimable_blocks: Stats::of(latencies.iter().map(|(_, blocks, _)| *blocks as f64)),
            burn_to_paid: Stats::of(latencies.iter().map(|(_, _, d)| d.as_secs_f64())),
        })
    }

    async fn deposit_throughput(&mut self, count: usize) -> BenchResult<Throughput> {
        progress(&format!("phase 3a: {count} deposits back to back"));
        let first_nonce = self.vault.lastDepositNonce().call().await? + 1;
        let last_nonce = first_nonce + count as u64 - 1;
        let start = Instant::now();
        let mut txs = Vec::with_capacity(count);
        for i in 0..count {
            txs.push(self.send_deposit(&account(USERS[i % USERS.len()]), THROUGHPUT_DEPOSIT).await?);
        }
        let sent = start.elapsed();
        progress(&format!("  sent in {:.2} s; waiting for Ludus to credit them", sent.as_secs_f64()));
        let mut timeline = Timeline::new(start);
        let deadline = Instant::now() + PHASE_TIMEOUT;
        let mut progressed = (Instant::now(), 0);
        loop {
            let lowest = self.lowest_unexecuted_nonce().await?;
            let done = lowest.saturating_sub(first_nonce).min(count as u64);
            timeline.record(done);
            if done == count as u64 {
                break;
            }
            if done > progressed.1 {
                progressed = (Instant::now(), done);
            }
            if Instant::now() > deadline || progressed.0.elapsed() > STALL {
                // Say where the queue stands: the deposit it waits for and its attestations.
                let status: Option<Value> =
                    self.ludus.call("ludus_bridge_depositStatus", vec![json!(lowest)]).await.unwrap_or_default();
                return Err(format!(
                    "phase 3a: {done} of {count} deposits credited after {:.0} s, none for {:.0} s; \
                     deposit {lowest} waits: {}",
                    start.elapsed().as_secs_f64(),
                    progressed.0.elapsed().as_secs_f64(),
                    status.unwrap_or(Value::Null)
                )
                .into());
            }
            tokio::time::sleep(POLL).await;
        }
        let (first_block, _) = self.deposit_receipt(txs[0]).await?.ok_or("the first deposit is not mined")?;
        let (last_block, nonce) = self.deposit_receipt(txs[count - 1]).await?.ok_or("the last deposit is not mined")?;
        if nonce != last_nonce {
            return Err(format!("the last deposit got nonce {nonce}, not {last_nonce}: someone else deposited").into());
        }
        progress(&format!("  all credited {:.1} s after the first was sent", start.elapsed().as_secs_f64()));
        Ok(timeline.throughput(count, sent, last_block - first_block + 1))
    }

    async fn withdrawal_throughput(&mut self, count: usize) -> BenchResult<(Throughput, Gas)> {
        progress(&format!("phase 3b: {count} withdrawals back to back from {} accounts", USERS.len()));
        let gas_before = self.relayer_gas().await?;
        let checkpoint_before = self.l1_latest_checkpoint().await?;
        let l1_start = self.l1.get_block_number().await?;
        let first_id = self.next_withdrawal_id().await?;
        let mut nonces = BTreeMap::new();
        for user in USERS {
            nonces.insert(user, self.account_nonce(user).await?);
        }
        let start = Instant::now();
        for i in 0..count {
            let user = USERS[i % USERS.len()];
            let nonce = nonces.get_mut(user).ok_or("a user without a nonce")?;
            self.submit_withdrawal(user, *nonce, fresh_l1_address(2, i)).await?;
            *nonce += 1;
        }
        let sent = start.elapsed();
        progress(&format!("  submitted in {:.2} s; waiting for the L1 to pay them", sent.as_secs_f64()));
        let ids = first_id..first_id + count as u64;
        let claimed = Filter::new()
            .address(self.devnet.vault())
            .event_signature(Vault::Claimed::SIGNATURE_HASH)
            .from_block(l1_start);
        let mut timeline = Timeline::new(start);
        let deadline = Instant::now() + PHASE_TIMEOUT;
        let mut last_reported = 0;
        loop {
            let logs = self.l1.get_logs(&claimed).await?;
            let paid = logs
                .iter()
                .filter_map(|log| log.log_decode::<Vault::Claimed>().ok())
                .filter(|log| ids.contains(&log.inner.data.id))
                .count() as u64;
            timeline.record(paid);
            if paid >= last_reported + 10 || (paid == count as u64 && paid != last_reported) {
                progress(&format!("  {paid} of {count} paid after {:.1} s", start.elapsed().as_secs_f64()));
                last_reported = paid;
            }
            if paid == count as u64 {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("phase 3b: {paid} of {count} withdrawals paid within {PHASE_TIMEOUT:?}").into());
            }
            tokio::time::sleep(POLL).await;
        }
        let l1_end = self.l1.get_block_number().await?;
        // Let the relayers report the receipts of the last claims before reading their gas.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let gas_after = self.relayer_gas().await?;
        let checkpoint_after = self.l1_latest_checkpoint().await?;
        let on_l1 = self.relayer_gas_on_l1(l1_start + 1, l1_end).await?;
        let throughput = timeline.throughput(count, sent, l1_end - l1_start);
        let gas = Gas {
            withdrawals: count as u64,
            checkpoints: checkpoint_after - checkpoint_before,
            checkpoint_gas: gas_after.0 - gas_before.0,
            claim_gas: gas_after.1 - gas_before.1,
            on_l1,
        };
        Ok((throughput, gas))
    }
}

/// `AccountId` of a dev secret URI.
fn account(suri: &str) -> AccountId {
    AccountId::from(pair(suri).public())
}

/// An L1 address nobody holds, distinct per phase and index: every withdrawal pays a fresh
/// recipient, as in a bridge used by many (each claim pays for creating the account).
fn fresh_l1_address(phase: u8, index: usize) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0xbe;
    bytes[1] = phase;
    bytes[12..].copy_from_slice(&(index as u64).to_be_bytes());
    Address::from(bytes)
}

fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

// ---- Samples ----

struct DepositSample {
    tx: B256,
    sent: Instant,
    /// Its L1 block and Vault nonce.
    mined: Option<(u64, u64)>,
    /// When the L1's finalized tag reached its block, and the Ludus best block then.
    finalized: Option<(Instant, u64)>,
    /// When a Ludus best block first had it executed, and that block's number.
    credited: Option<(Instant, u64)>,
}

impl DepositSample {
    fn new(tx: B256) -> DepositSample {
        DepositSample { tx, sent: Instant::now(), mined: None, finalized: None, credited: None }
    }

    fn finalized_to_credited(&self) -> Option<(Duration, u64)> {
        let ((finalized, at_finality), (credited, at_credit)) = (self.finalized?, self.credited?);
        Some((credited.saturating_duration_since(finalized), at_credit.saturating_sub(at_finality)))
    }
}

struct WithdrawalSample {
    id: u64,
    recipient: Address,
    /// When a Ludus best block first had the burn, and that block's number.
    burnt: Option<(Instant, u64)>,
    checkpoint: Option<u64>,
    /// When the L1 first had its checkpoint, and the Ludus best block then.
    claimable: Option<(Instant, u64)>,
    paid: Option<Instant>,
}

impl WithdrawalSample {
    fn new(id: u64, recipient: Address) -> WithdrawalSample {
        WithdrawalSample { id, recipient, burnt: None, checkpoint: None, claimable: None, paid: None }
    }

    /// Burn → claimable (time, Ludus blocks) and burn → paid.
    fn latencies(&self) -> Option<(Duration, u64, Duration)> {
        let ((burnt, burn_block), (claimable, claimable_block), paid) = (self.burnt?, self.claimable?, self.paid?);
        Some((claimable - burnt, claimable_block.saturating_sub(burn_block), paid - burnt))
    }
}

/// How many of a batch were done when, from the batch's first send.
struct Timeline {
    start: Instant,
    points: Vec<(Duration, u64)>,
}

impl Timeline {
    fn new(start: Instant) -> Timeline {
        Timeline { start, points: Vec::new() }
    }

    fn record(&mut self, done: u64) {
        if done > self.points.last().map_or(0, |(_, last)| *last) {
            self.points.push((self.start.elapsed(), done));
        }
    }

    /// The whole batch's rate from its first send, and the steady rate from the first done to
    /// the last (what the pipeline sustains once it is full).
    fn throughput(&self, count: usize, sent: Duration, l1_blocks: u64) -> Throughput {
        let first = self.points.first().copied().unwrap_or_default();
        let last = self.points.last().copied().unwrap_or_default();
        let steady_window = last.0.saturating_sub(first.0).as_secs_f64();
        Throughput {
            count,
            sent,
            l1_blocks,
            first_done: first.0,
            all_done: last.0,
            overall_rate: count as f64 / last.0.as_secs_f64().max(f64::EPSILON),
            steady_rate: (steady_window > 0.0).then(|| (last.1 - first.1) as f64 / steady_window),
        }
    }
}

// ---- Report ----

#[derive(Clone, Copy, Default)]
struct Stats {
    median: f64,
    p90: f64,
    max: f64,
    samples: usize,
}

impl Stats {
    /// Median, 90th percentile (nearest rank) and maximum.
    fn of(values: impl Iterator<Item = f64>) -> Stats {
        let mut values: Vec<f64> = values.collect();
        if values.is_empty() {
            return Stats::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let rank = |q: f64| values[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
        Stats { median, p90: rank(0.9), max: values[n - 1], samples: n }
    }

    fn row(&self, what: &str, unit: &str, decimals: usize) -> String {
        format!(
            "| {what:<50} | {:>9.decimals$} | {:>9.decimals$} | {:>9.decimals$} | {unit:<6} | {:>3} |",
            self.median, self.p90, self.max, self.samples
        )
    }
}

struct DepositLatency {
    finalized_to_credited: Stats,
    ludus_blocks: Stats,
    max_blocks: u64,
    sent_to_credited: Stats,
}

struct WithdrawalLatency {
    burn_to_claimable: Stats,
    claimable_blocks: Stats,
    burn_to_paid: Stats,
}

struct Throughput {
    count: usize,
    sent: Duration,
    l1_blocks: u64,
    first_done: Duration,
    all_done: Duration,
    overall_rate: f64,
    steady_rate: Option<f64>,
}

impl Throughput {
    fn rows(&self, what: &str, done: &str) -> String {
        let steady = self.steady_rate.map_or("-".to_owned(), |rate| format!("{rate:.1}/s"));
        format!(
            "| {what:<20} | {:>5} | {:>7.2} s | {:>9} | {:>8.1} s | {:>8.1} s | {:>8.1}/s | {steady:>10} |\n  ({done})",
            self.count,
            self.sent.as_secs_f64(),
            self.l1_blocks,
            self.first_done.as_secs_f64(),
            self.all_done.as_secs_f64(),
            self.overall_rate,
        )
    }
}

#[derive(Default)]
struct L1Gas {
    checkpoint: u64,
    vault: u64,
    reverted: u64,
    transactions: u64,
}

struct Gas {
    withdrawals: u64,
    checkpoints: u64,
    checkpoint_gas: u64,
    claim_gas: u64,
    on_l1: L1Gas,
}

struct Report {
    deposit_latency: DepositLatency,
    withdrawal_latency: WithdrawalLatency,
    deposit_throughput: Throughput,
    withdrawal_throughput: Throughput,
    gas: Gas,
}

impl Report {
    fn table(&self, options: &Options) -> String {
        let d = &self.deposit_latency;
        let w = &self.withdrawal_latency;
        let g = &self.gas;
        let per = |gas: u64, n: u64| gas.checked_div(n).map_or("-".to_owned(), |each| each.to_string());
        let mut out = String::new();
        out += &format!(
            "\nLudus bridge, end to end: {} validator(s) and relayer(s), anvil (1 s blocks, finalized = head - 4), Ludus 1 s blocks, checkpoint every 10 blocks\n\n",
            options.validators
        );
        out += &format!("| {:<50} |    median |       p90 |       max | unit   |   n |\n", "Latency");
        out += &format!("|{}|-----------|-----------|-----------|--------|-----|\n", "-".repeat(52));
        out += &d.finalized_to_credited.row("deposit: L1 finalized -> credited on Ludus", "ms", 0);
        out += "\n";
        out += &d.ludus_blocks.row("deposit: L1 finalized -> credited (goal <= 2)", "blocks", 1);
        out += "\n";
        out += &d.sent_to_credited.row("deposit: sent on L1 -> credited on Ludus", "s", 2);
        out += "\n";
        out += &w.burn_to_claimable.row("withdrawal: burn -> claimable on L1", "s", 2);
        out += "\n";
        out += &w.claimable_blocks.row("withdrawal: burn -> claimable (goal 10+fin.+1 L1)", "blocks", 1);
        out += "\n";
        out += &w.burn_to_paid.row("withdrawal: burn -> paid on L1", "s", 2);
        out += &format!("\n  (deposit: most Ludus blocks after L1 finality: {})\n\n", d.max_blocks);
        out += "| Throughput           |     K |   sent in | L1 blocks | first done |   all done |    overall |     steady |\n";
        out += "|----------------------|-------|-----------|-----------|------------|------------|------------|------------|\n";
        out += &self.deposit_throughput.rows(
            "deposits credited",
            "credited on Ludus per second; L1 blocks: from the first deposit's block to the last's",
        );
        out += "\n";
        out += &self
            .withdrawal_throughput
            .rows("withdrawals paid", "paid on the L1 per second; L1 blocks: of the whole run");
        out += "\n\n";
        out += &format!(
            "L1 gas over the withdrawal throughput run ({} withdrawals paid, {} checkpoint(s) submitted, {} withdrawals per checkpoint)\n",
            g.withdrawals,
            g.checkpoints,
            if g.checkpoints == 0 { "-".to_owned() } else { format!("{:.1}", g.withdrawals as f64 / g.checkpoints as f64) }
        );
        out += &format!(
            "  relayers' /status: checkpoint {} + claim {} gas = {} gas per withdrawal (checkpoint alone: {} per checkpoint, {} per withdrawal; claim: {} per withdrawal)\n",
            g.checkpoint_gas,
            g.claim_gas,
            per(g.checkpoint_gas + g.claim_gas, g.withdrawals),
            per(g.checkpoint_gas, g.checkpoints),
            per(g.checkpoint_gas, g.withdrawals),
            per(g.claim_gas, g.withdrawals),
        );
        out += &format!(
            "  L1 receipts of the relayers' accounts: Checkpoints {} + Vault {} gas = {} gas per withdrawal ({} transactions, {} gas in reverted ones)\n",
            g.on_l1.checkpoint,
            g.on_l1.vault,
            per(g.on_l1.checkpoint + g.on_l1.vault, g.withdrawals),
            g.on_l1.transactions,
            g.on_l1.reverted,
        );
        out
    }
}
