//! The Ludus side: the node's own RPC traits (`ludus_rpc::{bridge, chain}`) as typed
//! jsonrpsee clients over HTTP, so the relayer and the node cannot disagree on a method name
//! or a JSON shape without the build noticing.
//!
//! Everything the relayer relays to the L1 is read at the node's *finalized* block: a signed
//! checkpoint only exists for final blocks, and reading withdrawals there means an L1 claim
//! is never built from a block that could still be reverted.

use std::time::Duration;

use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use ludus_primitives::{bridge::Deposit, Hash};
use ludus_rpc::{
    bridge::{
        BridgeApiClient, DepositAttestationJson, DepositJson, DepositStatusJson, SignedCheckpointJson,
        ValidatorSetJson, WithdrawalProofJson, WithdrawalStatusJson,
    },
    chain::ChainApiClient,
};
use pallet_bridge::types::L1Parameters;

/// How long one call to the node may take before it counts as the node being down.
pub const LUDUS_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A call to the Ludus node failed.
#[derive(Debug, thiserror::Error)]
pub enum LudusError {
    /// The node did not answer, or answered with an error.
    #[error("Ludus node at {url}: {source}")]
    Rpc {
        /// The endpoint.
        url: String,
        /// What jsonrpsee reported.
        source: jsonrpsee::core::ClientError,
    },
    /// The URL is not a usable HTTP endpoint.
    #[error("the Ludus RPC URL {url} is invalid: {message}")]
    Url {
        /// The endpoint.
        url: String,
        /// Why.
        message: String,
    },
    /// The node answered something the relayer cannot use.
    #[error("Ludus node at {url}: {message}")]
    Unexpected {
        /// The endpoint.
        url: String,
        /// What was wrong.
        message: String,
    },
}

/// A client of one Ludus node.
#[derive(Clone, Debug)]
pub struct Ludus {
    url: String,
    client: HttpClient,
}

impl Ludus {
    /// A client of the node at `url` (HTTP).
    pub fn new(url: &str) -> Result<Self, LudusError> {
        let client = HttpClientBuilder::default()
            .request_timeout(LUDUS_CALL_TIMEOUT)
            .build(url)
            .map_err(|e| LudusError::Url { url: url.into(), message: e.to_string() })?;
        Ok(Self { url: url.into(), client })
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn rpc(&self) -> impl FnOnce(jsonrpsee::core::ClientError) -> LudusError + '_ {
        move |source| LudusError::Rpc { url: self.url.clone(), source }
    }

    /// The finalized block's hash and number.
    pub async fn finalized(&self) -> Result<(Hash, u64), LudusError> {
        let hash = ChainApiClient::finalized_head(&self.client).await.map_err(self.rpc())?;
        let header = ChainApiClient::header(&self.client, Some(hash)).await.map_err(self.rpc())?.ok_or_else(|| {
            LudusError::Unexpected {
                url: self.url.clone(),
                message: format!("no header for its finalized block {hash:?}"),
            }
        })?;
        Ok((hash, u64::from(header.number)))
    }

    /// Checkpoint `number` with its signatures, once more than two thirds signed it.
    pub async fn signed_checkpoint(&self, number: u64, at: Hash) -> Result<Option<SignedCheckpointJson>, LudusError> {
        BridgeApiClient::signed_checkpoint(&self.client, number, Some(at)).await.map_err(self.rpc())
    }

    /// Validator set `set_id` (the current one for `None`).
    pub async fn validator_set(&self, set_id: Option<u64>, at: Hash) -> Result<Option<ValidatorSetJson>, LudusError> {
        BridgeApiClient::validator_set(&self.client, set_id, Some(at)).await.map_err(self.rpc())
    }

    /// Where withdrawal `id` stands; `None` if there is no such withdrawal (yet).
    pub async fn withdrawal_status(&self, id: u64, at: Hash) -> Result<Option<WithdrawalStatusJson>, LudusError> {
        BridgeApiClient::withdrawal_status(&self.client, id, Some(at)).await.map_err(self.rpc())
    }

    /// Withdrawal `id` with its checkpoint and Merkle proof, once checkpointed.
    pub async fn withdrawal_proof(&self, id: u64, at: Hash) -> Result<Option<WithdrawalProofJson>, LudusError> {
        BridgeApiClient::withdrawal_proof(&self.client, id, Some(at)).await.map_err(self.rpc())
    }

    /// The lowest deposit nonce not executed yet, at the best block.
    pub async fn lowest_unexecuted_nonce(&self) -> Result<u64, LudusError> {
        BridgeApiClient::lowest_unexecuted_nonce(&self.client, None).await.map_err(self.rpc())
    }

    /// A deposit's state on Ludus at the best block; `None` if no validator of the current
    /// set attested it and it is not executed.
    pub async fn deposit_status(&self, nonce: u64) -> Result<Option<DepositStatusJson>, LudusError> {
        BridgeApiClient::deposit_status(&self.client, nonce, None).await.map_err(self.rpc())
    }

    /// The L1 chain and contracts the sidechain bridges to.
    pub async fn l1_params(&self) -> Result<Option<L1Parameters>, LudusError> {
        BridgeApiClient::l1_params(&self.client, None).await.map_err(self.rpc())
    }

    /// Has this node's validator attest `deposit` (signed in the node, with its keystore).
    pub async fn attest_deposit(&self, deposit: &Deposit) -> Result<Vec<DepositAttestationJson>, LudusError> {
        BridgeApiClient::attest_deposit(&self.client, DepositJson::from(*deposit)).await.map_err(self.rpc())
    }
}
