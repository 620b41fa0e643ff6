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
use ludus_primitives::{AccountId, BlockNumber, Hash, Header, Nonce, SignedBlock};
use serde::{Deserialize, Serialize};

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
    /// Networking.
    pub network: std::sync::Arc<dyn NetworkBackend>,
}
