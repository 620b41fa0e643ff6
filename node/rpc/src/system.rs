//! `system_*`: node identity, chain spec facts, network health, account nonces.

use std::sync::Arc;

use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::ErrorObjectOwned};
use ludus_primitives::{AccountId, Nonce};
use sp_core::crypto::Ss58Codec;

use crate::{
    backend::{Health, NetworkBackend, PeerInfo, PoolBackend, SystemInfo},
    error, params,
};

/// Substrate's system API (`sc_rpc_api::system::SystemApi` and FRAME's
/// `system_accountNextIndex`), the parts Ludus serves.
#[rpc(server)]
pub trait SystemApi {
    /// Node implementation name.
    #[method(name = "system_name")]
    fn system_name(&self) -> RpcResult<String>;

    /// Node version.
    #[method(name = "system_version")]
    fn system_version(&self) -> RpcResult<String>;

    /// Chain name.
    #[method(name = "system_chain")]
    fn system_chain(&self) -> RpcResult<String>;

    /// Chain type (`"Development"`, `"Local"`, `"Live"`, …).
    #[method(name = "system_chainType")]
    fn system_type(&self) -> RpcResult<serde_json::Value>;

    /// Chain spec properties.
    #[method(name = "system_properties")]
    fn system_properties(&self) -> RpcResult<serde_json::Map<String, serde_json::Value>>;

    /// Peers, syncing state.
    #[method(name = "system_health")]
    fn system_health(&self) -> RpcResult<Health>;

    /// Connected peers.
    #[method(name = "system_peers")]
    fn system_peers(&self) -> RpcResult<Vec<PeerInfo>>;

    /// This node's libp2p peer id.
    #[method(name = "system_localPeerId")]
    fn system_local_peer_id(&self) -> RpcResult<String>;

    /// Next nonce of the SS58 account, counting its transactions in the pool.
    #[method(name = "system_accountNextIndex", aliases = ["account_nextIndex"], blocking)]
    fn nonce(&self, account: String) -> RpcResult<Nonce>;
}

/// Serves [`SystemApiServer`].
pub struct System {
    info: SystemInfo,
    network: Arc<dyn NetworkBackend>,
    pool: Arc<dyn PoolBackend>,
}

impl System {
    /// Serves `info`, with health and peers from `network` and nonces from `pool`.
    pub fn new(info: SystemInfo, network: Arc<dyn NetworkBackend>, pool: Arc<dyn PoolBackend>) -> Self {
        Self { info, network, pool }
    }
}

impl SystemApiServer for System {
    fn system_name(&self) -> RpcResult<String> {
        Ok(self.info.name.clone())
    }

    fn system_version(&self) -> RpcResult<String> {
        Ok(self.info.version.clone())
    }

    fn system_chain(&self) -> RpcResult<String> {
        Ok(self.info.chain.clone())
    }

    fn system_type(&self) -> RpcResult<serde_json::Value> {
        Ok(self.info.chain_type.clone())
    }

    fn system_properties(&self) -> RpcResult<serde_json::Map<String, serde_json::Value>> {
        Ok(self.info.properties.clone())
    }

    fn system_health(&self) -> RpcResult<Health> {
        Ok(self.network.health())
    }

    fn system_peers(&self) -> RpcResult<Vec<PeerInfo>> {
        Ok(self.network.peers())
    }

    fn system_local_peer_id(&self) -> RpcResult<String> {
        Ok(self.network.local_peer_id())
    }

    fn nonce(&self, account: String) -> RpcResult<Nonce> {
        // Substrate deserializes the parameter as an `AccountId32`, whose serde is SS58:
        // a bad address is a bad parameter. Base58 decoding is quadratic: bound it first.
        params::ss58_address(&account)?;
        let account = AccountId::from_ss58check(&account)
            .map_err(|e| error::invalid_params(format!("Invalid params: `{account}` is not an SS58 address: {e}")))?;
        self.pool
            .account_next_index(account)
            .map_err(|e| ErrorObjectOwned::owned(error::RUNTIME_ERROR, "Unable to query nonce.", Some(e.to_string())))
    }
}
