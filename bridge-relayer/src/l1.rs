//! The L1 side: alloy's HTTP provider and `sol!` bindings of `Checkpoints` and `Vault`,
//! generated from `contracts/abi/*.json` (which `contracts/test.sh` checks against each build
//! of the contracts), so a contract change the relayer has not followed breaks `cargo build`.
//!
//! Every transaction is simulated first (`eth_call`): a call the contract would refuse is
//! never sent, so relayers racing each other lose no gas, and the refusal comes back decoded
//! (`AlreadyClaimed`, `UnexpectedCheckpointNumber`, …) for the caller to judge. Transactions
//! of one relayer are sent one at a time with nonces it counts itself (re-read from the L1
//! after any failure), so its duties never collide on a nonce.

use std::time::Duration;

use alloy::{
    consensus::Transaction as _,
    contract::{CallBuilder, CallDecoder},
    network::{Ethereum, EthereumWallet},
    primitives::{Address, Bytes, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::BlockNumberOrTag,
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use ludus_rpc::bridge::{CheckpointJson, WithdrawalJson};

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    Vault,
    "../contracts/abi/Vault.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    Checkpoints,
    "../contracts/abi/Checkpoints.json"
);

/// How long one L1 request may take before the L1 counts as down.
pub const L1_CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for a sent transaction's receipt.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// Most blocks one `eth_getLogs` asks for (public endpoints cap ranges; 2,000 is common).
pub const MAX_LOG_RANGE: u64 = 2_000;

/// An L1 request failed.
#[derive(Debug, thiserror::Error)]
pub enum L1Error {
    /// The endpoint did not answer or answered an error.
    #[error("L1 at {url}: {message}")]
    Rpc {
        /// The endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The contract refuses the call (found by simulating it; nothing was sent).
    #[error("{what} refused by the contract: {reason}")]
    Refused {
        /// The action.
        what: String,
        /// The decoded revert reason.
        reason: String,
        /// The raw error, for callers that decode it.
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// The transaction was mined but reverted (another relayer got there between our
    /// simulation and our transaction).
    #[error("{what}: transaction {tx} reverted on chain")]
    Reverted {
        /// The action.
        what: String,
        /// The transaction.
        tx: B256,
        /// What it cost all the same.
        spent: Sent,
    },
    /// The relayer has no L1 key, so it cannot send.
    #[error("no L1 key: set LUDUS_RELAYER_L1_KEY or --l1-key-file to let this relayer send transactions")]
    NoKey,
    /// The L1 key or URL given is unusable.
    #[error("{0}")]
    Config(String),
}

impl L1Error {
    /// A refusal by the contracts (simulated, or reverted on chain): why, and what a reverted
    /// transaction cost. `None` for an endpoint failure.
    pub fn refusal(&self) -> Option<(String, Option<Sent>)> {
        match self {
            L1Error::Refused { reason, .. } => Some((reason.clone(), None)),
            L1Error::Reverted { tx, spent, .. } => Some((format!("reverted on chain in {tx}"), Some(*spent))),
            _ => None,
        }
    }
}

/// A transaction the relayer sent and saw mined.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
    /// Its hash.
    pub tx: B256,
    /// Gas it used.
    pub gas_used: u64,
    /// What it cost, in wei.
    pub wei: u128,
}

/// A deposit as the Vault's `Deposited` log tells it, with where the log is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositLog {
    /// The deposit.
    pub deposit: ludus_primitives::bridge::Deposit,
    /// The L1 transaction.
    pub tx: B256,
    /// The L1 block.
    pub block: u64,
}

/// The L1 contracts, through one provider.
pub struct L1 {
    url: String,
    provider: DynProvider,
    vault: Vault::VaultInstance<DynProvider>,
    checkpoints: Checkpoints::CheckpointsInstance<DynProvider>,
    sender: Option<Address>,
    next_nonce: tokio::sync::Mutex<Option<u64>>,
    confirmations: u64,
}

fn rpc_error(url: &str, error: impl std::fmt::Display) -> L1Error {
    L1Error::Rpc { url: url.into(), message: error.to_string() }
}

/// Runs an L1 request with [`L1_CALL_TIMEOUT`].
async fn timed<T, E: std::fmt::Display>(
    url: &str,
    request: impl std::future::IntoFuture<Output = Result<T, E>>,
) -> Result<T, L1Error> {
    match tokio::time::timeout(L1_CALL_TIMEOUT, request.into_future()).await {
        Ok(answer) => answer.map_err(|e| rpc_error(url, e)),
        Err(_) => Err(rpc_error(url, format!("no answer within {L1_CALL_TIMEOUT:?}"))),
    }
}

/// A readable revert reason: the contract's custom error by name and fields, when known.
fn revert_reason(error: &alloy::contract::Error) -> String {
    if let Some(e) = error.as_decoded_interface_error::<Vault::VaultErrors>() {
        return format!("{e:?}");
    }
    if let Some(e) = error.as_decoded_interface_error::<Checkpoints::CheckpointsErrors>() {
        return format!("{e:?}");
    }
    error.to_string()
}

impl L1 {
    /// Connects to the L1 at `url`, sending (if `key` is given) from that key's account.
    pub fn connect(
        url: &str,
        vault: Address,
        checkpoints: Address,
        key: Option<&str>,
        confirmations: u64,
    ) -> Result<Self, L1Error> {
        let parsed: alloy::transports::http::reqwest::Url =
            url.parse().map_err(|e| L1Error::Config(format!("the L1 RPC URL {url} is invalid: {e}")))?;
        let timeout = |builder: alloy::transports::http::reqwest::ClientBuilder| {
            builder.timeout(L1_CALL_TIMEOUT).build().unwrap_or_default()
        };
        let (provider, sender) = match key {
            Some(key) => {
                let signer: PrivateKeySigner = key.trim().trim_start_matches("0x").parse().map_err(|e| {
                    L1Error::Config(format!("the L1 key is not a hex secp256k1 private key ({e}); check LUDUS_RELAYER_L1_KEY or --l1-key-file"))
                })?;
                let sender = signer.address();
                let provider =
                    ProviderBuilder::new().wallet(EthereumWallet::from(signer)).with_reqwest(parsed, timeout);
                (provider.erased(), Some(sender))
            }
            None => (ProviderBuilder::new().with_reqwest(parsed, timeout).erased(), None),
        };
        Ok(Self {
            url: url.into(),
            vault: Vault::new(vault, provider.clone()),
            checkpoints: Checkpoints::new(checkpoints, provider.clone()),
            provider,
            sender,
            next_nonce: tokio::sync::Mutex::new(None),
            confirmations,
        })
    }

    /// The L1 endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The account paying this relayer's gas, if it has a key.
    pub fn sender(&self) -> Option<Address> {
        self.sender
    }

    /// The L1's chain id.
    pub async fn chain_id(&self) -> Result<u64, L1Error> {
        timed(&self.url, self.provider.get_chain_id()).await
    }

    /// The head and the last final block: the L1's `finalized` block, or the head minus the
    /// configured confirmations.
    pub async fn heads(&self) -> Result<(u64, u64), L1Error> {
        let head = timed(&self.url, self.provider.get_block_number()).await?;
        if self.confirmations > 0 {
            return Ok((head, head.saturating_sub(self.confirmations)));
        }
        let finalized = timed(&self.url, self.provider.get_block_by_number(BlockNumberOrTag::Finalized)).await?;
        Ok((head, finalized.map(|block| block.header.number).unwrap_or(0)))
    }

    /// The Vault's deposits logged in blocks `from..=to`, in nonce order.
    pub async fn deposits(&self, from: u64, to: u64) -> Result<Vec<DepositLog>, L1Error> {
        let mut found = Vec::new();
        let mut start = from;
        while start <= to {
            let end = to.min(start.saturating_add(MAX_LOG_RANGE - 1));
            let logs = timed(&self.url, self.vault.Deposited_filter().from_block(start).to_block(end).query()).await?;
            for (event, log) in logs {
                let amount = u128::try_from(event.amount).map_err(|_| {
                    rpc_error(
                        &self.url,
                        format!("deposit #{} has an amount above 2^128, which the Vault refuses", event.nonce),
                    )
                })?;
                found.push(DepositLog {
                    deposit: ludus_primitives::bridge::Deposit {
                        nonce: event.nonce,
                        token: event.token.into_array(),
                        depositor: event.depositor.into_array(),
                        recipient: event.recipient.0,
                        amount,
                    },
                    tx: log.transaction_hash.unwrap_or_default(),
                    block: log.block_number.unwrap_or(start),
                });
            }
            start = end + 1;
        }
        found.sort_by_key(|log| log.deposit.nonce);
        Ok(found)
    }

    /// The Vault's deposit count: the nonce of its last deposit, at the final block.
    pub async fn last_deposit_nonce(&self, at: u64) -> Result<u64, L1Error> {
        timed(&self.url, self.vault.lastDepositNonce().block(at.into()).call()).await
    }

    /// The number of the last checkpoint the L1 accepted.
    pub async fn latest_checkpoint(&self) -> Result<u64, L1Error> {
        timed(&self.url, self.checkpoints.latestCheckpoint().call()).await
    }

    /// The current set's id and, when a checkpoint committed to a set not installed yet, that
    /// set's hash.
    pub async fn validator_sets(&self) -> Result<(u64, Option<B256>), L1Error> {
        let current = timed(&self.url, self.checkpoints.currentSetId().call()).await?;
        let pending = timed(&self.url, self.checkpoints.handoffPending().call()).await?;
        let hash = if pending { Some(timed(&self.url, self.checkpoints.pendingSetHash().call()).await?) } else { None };
        Ok((current, hash))
    }

    /// Whether the Checkpoints contract is paused (an equivocation was proven, or the guardian).
    pub async fn checkpoints_paused(&self) -> Result<bool, L1Error> {
        timed(&self.url, self.checkpoints.paused().call()).await
    }

    /// Whether withdrawal `id` was claimed (paid, or queued).
    pub async fn is_claimed(&self, id: u64) -> Result<bool, L1Error> {
        timed(&self.url, self.vault.isClaimed(id).call()).await
    }

    /// The queued claim of withdrawal `id` (zero fields if none).
    pub async fn queued_claim(&self, id: u64) -> Result<Vault::QueuedClaim, L1Error> {
        timed(&self.url, self.vault.queuedClaim(id).call()).await
    }

    /// The L1's latest block timestamp (seconds): when a queued claim may be executed.
    pub async fn now(&self) -> Result<u64, L1Error> {
        let block = timed(&self.url, self.provider.get_block_by_number(BlockNumberOrTag::Latest)).await?;
        Ok(block.map(|b| b.header.timestamp).unwrap_or(0))
    }

    /// The checkpoint the L1 accepted as `number`, with its signatures, read back from the
    /// `submit` transaction that logged it; `None` if it was submitted some other way (through
    /// another contract) or is unknown.
    pub async fn submitted_checkpoint(
        &self,
        number: u64,
    ) -> Result<Option<(Checkpoints::Checkpoint, Vec<Bytes>)>, L1Error> {
        let logs = timed(
            &self.url,
            self.checkpoints.CheckpointSubmitted_filter().topic1(U256::from(number)).from_block(0).query(),
        )
        .await?;
        let Some(tx) = logs.first().and_then(|(_, log)| log.transaction_hash) else { return Ok(None) };
        let Some(transaction) = timed(&self.url, self.provider.get_transaction_by_hash(tx)).await? else {
            return Ok(None);
        };
        Ok(Checkpoints::submitCall::abi_decode(transaction.input()).ok().map(|call| (call.cp, call.signatures)))
    }

    /// Simulates `call`, then sends it and waits for its receipt.
    async fn transact<D: CallDecoder + Unpin>(
        &self,
        what: String,
        call: CallBuilder<&DynProvider, D, Ethereum>,
    ) -> Result<Sent, L1Error> {
        let Some(sender) = self.sender else { return Err(L1Error::NoKey) };
        let call = call.from(sender);
        match tokio::time::timeout(L1_CALL_TIMEOUT, call.call_raw()).await {
            Err(_) => return Err(rpc_error(&self.url, format!("no answer within {L1_CALL_TIMEOUT:?}"))),
            Ok(Err(error)) => {
                return match error.as_revert_data() {
                    Some(_) => Err(L1Error::Refused { what, reason: revert_reason(&error), source: Box::new(error) }),
                    None => Err(rpc_error(&self.url, error)),
                };
            }
            Ok(Ok(_)) => {}
        }
        let pending = {
            let mut next_nonce = self.next_nonce.lock().await;
            let nonce = match *next_nonce {
                Some(nonce) => nonce,
                None => timed(&self.url, self.provider.get_transaction_count(sender).pending()).await?,
            };
            match tokio::time::timeout(L1_CALL_TIMEOUT, call.nonce(nonce).send()).await {
                Ok(Ok(pending)) => {
                    *next_nonce = Some(nonce + 1);
                    pending
                }
                Ok(Err(error)) => {
                    *next_nonce = None;
                    return Err(match error.as_revert_data() {
                        Some(_) => L1Error::Refused { what, reason: revert_reason(&error), source: Box::new(error) },
                        None => rpc_error(&self.url, error),
                    });
                }
                Err(_) => {
                    *next_nonce = None;
                    return Err(rpc_error(&self.url, format!("no answer within {L1_CALL_TIMEOUT:?}")));
                }
            }
        };
        let tx = *pending.tx_hash();
        let receipt = pending
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .map_err(|e| rpc_error(&self.url, format!("{what}: no receipt for {tx}: {e}")))?;
        if !receipt.status() {
            let spent =
                Sent { tx, gas_used: receipt.gas_used, wei: receipt.gas_used as u128 * receipt.effective_gas_price };
            return Err(L1Error::Reverted { what, tx, spent });
        }
        Ok(Sent { tx, gas_used: receipt.gas_used, wei: receipt.gas_used as u128 * receipt.effective_gas_price })
    }

    /// Posts a signed checkpoint.
    pub async fn submit_checkpoint(
        &self,
        checkpoint: Checkpoints::Checkpoint,
        signatures: Vec<Bytes>,
    ) -> Result<Sent, L1Error> {
        let what = format!("checkpoint #{}", checkpoint.number);
        self.transact(what, self.checkpoints.submit(checkpoint, signatures)).await
    }

    /// Installs the set the last checkpoint committed to.
    pub async fn install_validator_set(&self, set_id: u64, members: Vec<Address>) -> Result<Sent, L1Error> {
        let what = format!("validator set {set_id}");
        self.transact(what, self.checkpoints.installValidatorSet(set_id, members)).await
    }

    /// Proves that two different checkpoints with one number were both signed.
    pub async fn prove_equivocation(
        &self,
        a: (Checkpoints::Checkpoint, Vec<Bytes>),
        b: (Checkpoints::Checkpoint, Vec<Bytes>),
    ) -> Result<Sent, L1Error> {
        let what = format!("equivocation proof of checkpoint #{}", a.0.number);
        self.transact(what, self.checkpoints.proveEquivocation(a.0, a.1, b.0, b.1)).await
    }

    /// Claims a withdrawal with its Merkle proof.
    pub async fn claim(
        &self,
        withdrawal: Vault::Withdrawal,
        checkpoint: u64,
        proof: Vec<B256>,
    ) -> Result<Sent, L1Error> {
        let what = format!("claim of withdrawal #{}", withdrawal.id);
        self.transact(what, self.vault.claim(withdrawal, checkpoint, proof)).await
    }

    /// Pays a queued claim whose delay has passed.
    pub async fn execute_delayed(&self, id: u64) -> Result<Sent, L1Error> {
        self.transact(format!("delayed claim of withdrawal #{id}"), self.vault.executeDelayed(id)).await
    }
}

/// The contract's form of a checkpoint the node serves.
pub fn checkpoint_from_json(cp: &CheckpointJson) -> Checkpoints::Checkpoint {
    Checkpoints::Checkpoint {
        sidechainGenesis: B256::from(cp.sidechain_genesis.0),
        number: cp.number,
        firstBlock: cp.first_block,
        lastBlock: cp.last_block,
        lastBlockHash: B256::from(cp.last_block_hash.0),
        withdrawalsRoot: B256::from(cp.withdrawals_root.0),
        validatorSetId: cp.validator_set_id,
        nextValidatorSetHash: B256::from(cp.next_validator_set_hash.0),
    }
}

/// The contract's form of a withdrawal the node serves.
pub fn withdrawal_from_json(w: &WithdrawalJson) -> Vault::Withdrawal {
    Vault::Withdrawal {
        id: w.id,
        token: Address::from(w.token.0),
        recipient: Address::from(w.recipient.0),
        amount: U256::from(w.amount),
        fee: U256::from(w.fee),
    }
}
