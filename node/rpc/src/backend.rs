//! What the RPC server needs from the node, as small traits the node implements.
//!
//! The server never reaches into the node's internals: every method it serves is
//! answered through one of these traits. They are synchronous because the
//! node's storage and executor are; the server calls them on blocking threads
//! (`tokio::task::spawn_blocking`), never on the async reactor.
//!
//! Implementations must never panic on bad input: the RPC layer passes through
//! keys, hashes and extrinsic bytes exactly as an untrusted client sent them.

use futures::stream::BoxStream;
use ludus_primitives::{bridge::Deposit, AccountId, BlockNumber, Hash, Header, Nonce, SignedBlock};
use serde::{Deserialize, Serialize};
use sp_core::H160;

/// Why the node could not answer a query. The RPC layer turns it into the
/// Substrate error code of the namespace that asked (e.g. 4003 for `state_*`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The block is not known to the node (never imported, or its state pruned).
    /// Rendered like Substrate's `sp_blockchain::Error::UnknownBlock`, which
    /// polkadot.js and subxt match on.
    #[error("UnknownBlock: {0}")]
    UnknownBlock(String),
    /// The runtime call failed (panicked, trapped, or the API is missing).
    #[error("Execution failed: {0}")]
    Execution(String),
    /// Anything else (database error, keystore I/O, …); the message is shown to the client.
    #[error("{0}")]
    Other(String),
}

pub use ludus_primitives::ChainInfo;

/// Read access to blocks and state, and streams of new heads.
pub trait ChainBackend: Send + Sync + 'static {
    /// The current best and finalized heads and the genesis hash.
    fn info(&self) -> ChainInfo;

    /// Hash of the block at `number` on the canonical (best) chain, `None` past the head.
    fn hash(&self, number: BlockNumber) -> Result<Option<Hash>, BackendError>;

    /// Header of the block `hash`, `None` if the block is unknown.
    fn header(&self, hash: Hash) -> Result<Option<Header>, BackendError>;

    /// Header, body and justifications of the block `hash`, `None` if the block is unknown.
    fn block(&self, hash: Hash) -> Result<Option<SignedBlock>, BackendError>;

    /// Runs the runtime API function `method` (e.g. `"Core_version"`,
    /// `"Metadata_metadata"`, `"TransactionPaymentApi_query_info"`) on the state of
    /// block `at` with the SCALE-encoded `args`, and returns its SCALE-encoded
    /// output. Changes the call makes to state are discarded. An unknown `at`
    /// is [`BackendError::UnknownBlock`]; a failing call is [`BackendError::Execution`].
    fn call(&self, at: Hash, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError>;

    /// The value stored under `key` in the state of block `at`, `None` if absent.
    fn storage(&self, at: Hash, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError>;

    /// Up to `count` keys starting with `prefix` in the state of block `at`, in
    /// ascending order, strictly after `start_key` when it is given. The RPC layer
    /// caps `count` at 1000 before calling.
    fn storage_keys_paged(
        &self,
        at: Hash,
        prefix: &[u8],
        count: u32,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>, BackendError>;

    /// A storage proof (the trie nodes, each SCALE-free raw bytes) of the values
    /// of `keys` in the state of block `at`, as `state_getReadProof` returns.
    fn read_proof(&self, at: Hash, keys: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, BackendError>;

    /// Headers of blocks as they become the new best block (in order, a reorg
    /// sends the new head). Lagging receivers skip what they missed.
    fn subscribe_best(&self) -> tokio::sync::broadcast::Receiver<Header>;

    /// Headers of every block imported, best or not.
    fn subscribe_imported(&self) -> tokio::sync::broadcast::Receiver<Header>;

    /// Headers of blocks as they are finalized.
    fn subscribe_finalized(&self) -> tokio::sync::broadcast::Receiver<Header>;
}

/// Life cycle of a watched transaction, serialized exactly like Substrate's
/// `sc_transaction_pool_api::TransactionStatus`; the pool owns the type.
pub use ludus_txpool::TransactionStatus;

/// A pool rejection, already in Substrate's author error vocabulary: `code` is one
/// of 1010–1016/1018–1021 (invalid, unknown validity, banned, already imported,
/// too low priority, cycle, dropped, …) or 1002 (verification failed), with
/// Substrate's `message` and `data` so wallets show the usual text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct PoolError {
    /// JSON-RPC error code.
    pub code: i32,
    /// JSON-RPC error message (e.g. `"Invalid Transaction"`).
    pub message: String,
    /// JSON-RPC error data (e.g. `"Inability to pay some fees (e.g. account balance too low)"`).
    pub data: Option<String>,
}

/// The transaction pool.
pub trait PoolBackend: Send + Sync + 'static {
    /// Validates and adds the SCALE-encoded extrinsic `xt` to the pool; returns its hash.
    fn submit(&self, xt: Vec<u8>) -> Result<Hash, PoolError>;

    /// [`PoolBackend::submit`] for each of `xts`, in order, one answer each, as if submitted
    /// one after another; the node validates them together (one runtime call, one batch
    /// signature verification). A JSON-RPC batch of submissions comes here.
    fn submit_many(&self, xts: Vec<Vec<u8>>) -> Vec<Result<Hash, PoolError>> {
        xts.into_iter().map(|xt| self.submit(xt)).collect()
    }

    /// Like [`PoolBackend::submit`], then streams the transaction's status changes. The
    /// stream should end after a final status (finalized, usurped, dropped, invalid,
    /// finality timeout).
    fn submit_and_watch(&self, xt: Vec<u8>) -> Result<BoxStream<'static, TransactionStatus>, PoolError>;

    /// All extrinsics in the pool (ready and future), SCALE-encoded.
    fn pending(&self) -> Vec<Vec<u8>>;

    /// Next nonce of an account: the runtime's nonce at best, advanced past the
    /// account's transactions in the pool (as `system_accountNextIndex` returns).
    fn account_next_index(&self, account: AccountId) -> Result<Nonce, BackendError>;
}

/// The node's keystore. Only reachable through unsafe RPC methods.
pub trait KeystoreBackend: Send + Sync + 'static {
    /// Derives the key pair from `suri` for `key_type` (e.g. `*b"aura"`) and stores it
    /// under `public`; errors if the derived public key is not `public`.
    fn insert_key(&self, key_type: [u8; 4], suri: &str, public: &[u8]) -> Result<(), BackendError>;

    /// Whether the private key of `public` of type `key_type` is in the keystore.
    fn has_key(&self, public: &[u8], key_type: [u8; 4]) -> bool;

    /// Generates new session keys (via the runtime's `SessionKeys_generate_session_keys`)
    /// and returns their SCALE-encoded public keys, as `author_rotateKeys` returns.
    fn rotate_keys(&self) -> Result<Vec<u8>, BackendError>;

    /// Whether the keystore holds every private key of the SCALE-encoded
    /// `session_keys`. [`BackendError::Other`] when they do not decode (answered as
    /// Substrate's "Session keys are not encoded correctly"); other variants when
    /// the runtime call decoding them fails.
    fn has_session_keys(&self, session_keys: &[u8]) -> Result<bool, BackendError>;
}

/// What became of one bridge key's attestation of a deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationResult {
    /// Signed and accepted by the transaction pool as the extrinsic `tx_hash` (also when the
    /// very same attestation was already waiting there).
    Submitted {
        /// The hash of the unsigned `Bridge::attest_deposit` extrinsic.
        tx_hash: Hash,
    },
    /// This validator already attested the nonce on chain: nothing to do.
    AlreadyAttested,
    /// The deposit's nonce is already executed (minted or refunded): nothing to do.
    Executed,
}

/// One bridge key's part in `ludus_bridge_attestDeposit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositAttestation {
    /// The key's index in the current bridge validator set (its rank by address).
    pub validator_index: u32,
    /// The key's Ethereum address.
    pub address: H160,
    /// What became of its attestation.
    pub result: AttestationResult,
}

/// Why the node could not attest a deposit. Each message says what the operator (or the
/// relayer) can do about it; [`AttestError::is_retryable`] says whether retrying the same
/// deposit later may succeed without anyone acting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestError {
    /// No bridge key of the current set is in this node's keystore.
    #[error(
        "this node's keystore holds no bridge key of validator set {set_id}: insert one with \
         `ludus-node key insert --key-type brdg …` or run the relayer without --attest"
    )]
    NoBridgeKey {
        /// The current bridge validator set.
        set_id: u64,
    },
    /// The bridge has no validator set yet.
    #[error(
        "the bridge has no validator set yet, so nobody can attest deposits: root installs one with \
         `bridge.set_validators` (or the chain spec's bridge genesis lists them)"
    )]
    NoValidatorSet,
    /// The chain is at its genesis block: the runtime records block 0's hash, which every
    /// attestation is bound to, only when it builds block 1.
    #[error(
        "the sidechain has not produced block 1 yet, and attestations are bound to its genesis hash: retry in a block"
    )]
    NoBlockYet,
    /// The L1 parameters (chain id, Vault) the digest is bound to are not set.
    #[error(
        "the bridge's L1 parameters are unset, so there is no digest to sign: root sets them with \
         `bridge.set_l1_params` (or the chain spec's bridge genesis gives `l1Params`); retry then"
    )]
    L1ParamsUnset,
    /// The bridge's circuit breaker holds deposits.
    #[error(
        "deposits are paused on the sidechain (the bridge's circuit breaker): retry once governance unpauses them"
    )]
    DepositsPaused,
    /// The nonce is further above the lowest unexecuted one than the runtime accepts.
    #[error(
        "deposit nonce {nonce} is beyond the attestation window (the lowest unexecuted nonce is {lowest}): \
         retryable; attest the lower nonces first and retry this one once they executed"
    )]
    NonceBeyondWindow {
        /// The deposit's nonce.
        nonce: u64,
        /// The lowest nonce not executed yet.
        lowest: u64,
    },
    /// The validator has as many attestations open as the runtime allows.
    #[error(
        "validator {validator_index} has the most open attestations the runtime allows: retryable once \
         lower deposits executed; attest the lowest unexecuted nonce first"
    )]
    TooManyOpenAttestations {
        /// The validator's index in the current set.
        validator_index: u32,
    },
    /// The runtime refused the attestation for a reason retrying will not fix (a bad
    /// signature, which means the node and runtime disagree on the digest).
    #[error(
        "the runtime refused the attestation of validator {validator_index}: {reason}; this should never \
         happen (the node signs the runtime's own digest): report it with the node's logs"
    )]
    Refused {
        /// The validator's index in the current set.
        validator_index: u32,
        /// What the runtime said.
        reason: String,
    },
    /// Reading the chain or using the keystore failed.
    #[error("{0}")]
    Backend(BackendError),
    /// The transaction pool refused the valid attestation (full, …).
    #[error("the transaction pool refused the attestation: {0}")]
    Pool(PoolError),
}

impl AttestError {
    /// Whether the same deposit may be attested later without the operator acting.
    pub fn is_retryable(&self) -> bool {
        match self {
            AttestError::NoBlockYet
            | AttestError::L1ParamsUnset
            | AttestError::DepositsPaused
            | AttestError::NonceBeyondWindow { .. }
            | AttestError::TooManyOpenAttestations { .. }
            | AttestError::NoValidatorSet
            | AttestError::Backend(_)
            | AttestError::Pool(_) => true,
            AttestError::NoBridgeKey { .. } | AttestError::Refused { .. } => false,
        }
    }
}

/// Deposit attestations with the validator's own bridge keys, which never leave the node.
/// Only reachable through unsafe RPC methods.
pub trait BridgeAttesterBackend: Send + Sync + 'static {
    /// Signs `deposit` with every bridge key in the node's keystore that belongs to the
    /// current bridge validator set (at the best block), exactly as the runtime checks it, and
    /// submits each as an unsigned `Bridge::attest_deposit` extrinsic to the pool. One entry
    /// per such key, in validator index order; an attestation the chain no longer needs is
    /// [`AttestationResult::AlreadyAttested`] or [`AttestationResult::Executed`], not an error.
    fn attest_deposit(&self, deposit: Deposit) -> Result<Vec<DepositAttestation>, AttestError>;
}

/// A connected peer, serialized like Substrate's `system_peers` entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerInfo {
    /// libp2p peer id (base58).
    pub peer_id: String,
    /// `"FULL"`, `"AUTHORITY"` or `"LIGHT"`.
    pub roles: String,
    /// The peer's best block hash.
    pub best_hash: Hash,
    /// The peer's best block number.
    pub best_number: BlockNumber,
}

/// Node health, serialized like Substrate's `system_health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Number of connected peers.
    pub peers: usize,
    /// Whether the node is catching up with the chain.
    pub is_syncing: bool,
    /// Whether the node is expected to have peers (false for a lone dev node).
    pub should_have_peers: bool,
}

/// The networking side. A node without networking returns no peers and
/// `Health { peers: 0, is_syncing: false, should_have_peers: false }`.
pub trait NetworkBackend: Send + Sync + 'static {
    /// Connected peers.
    fn peers(&self) -> Vec<PeerInfo>;
    /// Current health.
    fn health(&self) -> Health;
    /// This node's libp2p peer id (base58).
    fn local_peer_id(&self) -> String;
}

/// Static facts about the node for `system_*`, fixed at start.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemInfo {
    /// Node implementation name (`system_name`), e.g. `"Ludus Node"`.
    pub name: String,
    /// Node version (`system_version`), e.g. `"0.1.0-abc1234"`.
    pub version: String,
    /// Chain name from the chain spec (`system_chain`), e.g. `"Development"`.
    pub chain: String,
    /// Chain type as Substrate serializes `ChainType` (`system_chainType`):
    /// `"Development"`, `"Local"`, `"Live"` or `{"Custom": "…"}`.
    pub chain_type: serde_json::Value,
    /// Chain spec properties (`system_properties`), e.g. `tokenSymbol`, `tokenDecimals`, `ss58Format`.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Everything the server talks to, shared by all connections.
#[derive(Clone)]
pub struct Backends {
    /// Blocks, state and runtime calls.
    pub chain: std::sync::Arc<dyn ChainBackend>,
    /// Transaction pool.
    pub pool: std::sync::Arc<dyn PoolBackend>,
    /// Keystore (unsafe methods only).
    pub keystore: std::sync::Arc<dyn KeystoreBackend>,
    /// Deposit attestations with the keystore's bridge keys (unsafe methods only).
    pub bridge_attester: std::sync::Arc<dyn BridgeAttesterBackend>,
    /// Networking.
    pub network: std::sync::Arc<dyn NetworkBackend>,
}
