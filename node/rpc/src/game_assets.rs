//! `ludus_gameAssets_*`: reads of game assets (pallet-game-assets) for game clients.
//!
//! Each method SCALE-encodes its arguments as the runtime API's argument tuple, runs the
//! matching `GameAssetsApi_*` function of the runtime through [`ChainBackend::call`] on the
//! state of `at` (the best block by default), decodes the answer into the pallet's own
//! types and renders it as JSON a game client can use without a SCALE codec:
//!
//! - ids and counts (`u32`) are JSON numbers;
//! - token amounts and LUD balances (`u128`) are decimal strings, since JSON numbers lose
//!   precision above 2^53;
//! - accounts are SS58 strings with prefix 42, in parameters and in answers;
//! - byte strings (names, URIs, attribute keys and values) are [`ByteString`]s: `0x…` hex,
//!   plus a `utf8` field when the bytes are valid UTF-8.
//!
//! Errors follow `state_*`: an unknown block or a failing runtime call is 4003
//! (`Client error: UnknownBlock: …`); a parameter that cannot be used is -32602.

use std::sync::Arc;

use codec::{Decode, DecodeAll, Encode};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::ErrorObjectOwned};
use ludus_primitives::{AccountId, Balance, Hash};
use pallet_game_assets::types::{BalancesPage, CollectionDetails, CollectionId, TokenAmount, TokenDetails, TokenId};
use serde::{Deserialize, Serialize};
use sp_core::{
    crypto::{Ss58AddressFormat, Ss58Codec},
    Bytes,
};

use crate::{
    backend::{BackendError, ChainBackend},
    error, params,
};

pub use pallet_game_assets::runtime_api::MAX_PAGE_SIZE;

/// Balances one `ludus_gameAssets_balances` page holds when the client gives no limit.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Longest attribute key `ludus_gameAssets_attribute` accepts, in bytes. The runtime's own
/// limit is far lower (no longer key can exist); this only keeps large blobs out of the runtime.
pub const MAX_ATTRIBUTE_KEY_BYTES: usize = 1024;
/// The SS58 prefix of Ludus addresses (Substrate's generic prefix).
pub const SS58_PREFIX: u16 = 42;

/// Game-asset reads for clients (`pallet_game_assets::runtime_api::GameAssetsApi`).
#[rpc(server)]
pub trait GameAssetsApi {
    /// `account`'s balances in `collection` from token `start` (0) on, at most `limit`
    /// (100, at most [`MAX_PAGE_SIZE`]), at `at` (or best).
    #[method(name = "ludus_gameAssets_balances", blocking)]
    fn balances(
        &self,
        collection: CollectionId,
        account: String,
        start: Option<TokenId>,
        limit: Option<u32>,
        at: Option<Hash>,
    ) -> RpcResult<BalancesPageJson>;

    /// One token's supply, cap, frozen flag and deposit, `null` if it does not exist.
    #[method(name = "ludus_gameAssets_token", blocking)]
    fn token(&self, collection: CollectionId, token: TokenId, at: Option<Hash>) -> RpcResult<Option<TokenJson>>;

    /// A collection's owner, policy, royalty, counts, deposit and metadata, `null` if it does not exist.
    #[method(name = "ludus_gameAssets_collection", blocking)]
    fn collection(&self, collection: CollectionId, at: Option<Hash>) -> RpcResult<Option<CollectionJson>>;

    /// Every attribute of the collection (`token` absent or `null`) or of one token.
    #[method(name = "ludus_gameAssets_attributes", blocking)]
    fn attributes(
        &self,
        collection: CollectionId,
        token: Option<TokenId>,
        at: Option<Hash>,
    ) -> RpcResult<Vec<AttributeJson>>;

    /// The value of the attribute `key` (hex) of the collection (`token` `null`) or of one
    /// token, `null` if it is not set.
    #[method(name = "ludus_gameAssets_attribute", blocking)]
    fn attribute(
        &self,
        collection: CollectionId,
        token: Option<TokenId>,
        key: Bytes,
        at: Option<Hash>,
    ) -> RpcResult<Option<ByteString>>;
}

/// Bytes as `0x…` hex, with their UTF-8 reading when they have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteString {
    /// The bytes, `0x…`.
    pub hex: Bytes,
    /// The bytes as text; absent when they are not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utf8: Option<String>,
}

impl From<Vec<u8>> for ByteString {
    fn from(bytes: Vec<u8>) -> Self {
        let utf8 = String::from_utf8(bytes.clone()).ok();
        Self { hex: Bytes(bytes), utf8 }
    }
}

/// One token amount of a [`BalancesPageJson`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBalanceJson {
    /// The token.
    pub token: TokenId,
    /// Units held.
    #[serde(with = "decimal")]
    pub amount: TokenAmount,
}

/// Result of `ludus_gameAssets_balances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancesPageJson {
    /// Balances in ascending token order.
    pub balances: Vec<TokenBalanceJson>,
    /// The `start` of the next page, `null` on the last page.
    pub next: Option<TokenId>,
}

impl From<BalancesPage> for BalancesPageJson {
    fn from(page: BalancesPage) -> Self {
        Self {
            balances: page.balances.into_iter().map(|(token, amount)| TokenBalanceJson { token, amount }).collect(),
            next: page.next,
        }
    }
}

/// Result of `ludus_gameAssets_token` (the pallet's `TokenDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenJson {
    /// The cap on `supply` (1 for a non-fungible token).
    #[serde(with = "decimal")]
    pub max_supply: TokenAmount,
    /// Units in existence.
    #[serde(with = "decimal")]
    pub supply: TokenAmount,
    /// Whether movements of the token are frozen.
    pub frozen: bool,
    /// How many attributes the token carries.
    pub attributes: u32,
    /// Who paid `deposit`.
    #[serde(with = "ss58")]
    pub depositor: AccountId,
    /// LUD held from `depositor` for the token.
    #[serde(with = "decimal")]
    pub deposit: Balance,
}

impl From<TokenDetails<AccountId, Balance>> for TokenJson {
    fn from(t: TokenDetails<AccountId, Balance>) -> Self {
        Self {
            max_supply: t.max_supply,
            supply: t.supply,
            frozen: t.frozen,
            attributes: t.attributes,
            depositor: t.depositor,
            deposit: t.deposit,
        }
    }
}

/// What holders may do with a collection's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyJson {
    /// `false`: tokens are soulbound.
    pub transferable: bool,
    /// Whether holders may burn their own tokens.
    pub burnable_by_holder: bool,
}

/// A collection's royalty on market sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoyaltyJson {
    /// Basis points of the sale price.
    pub bps: u16,
    /// Who receives the royalty.
    #[serde(with = "ss58")]
    pub beneficiary: AccountId,
}

/// A collection's name and URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionMetadataJson {
    /// Human-readable name.
    pub name: ByteString,
    /// Where off-chain data lives.
    pub uri: ByteString,
}

/// Result of `ludus_gameAssets_collection` (the pallet's `CollectionDetails` and metadata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionJson {
    /// The studio account that owns the collection.
    #[serde(with = "ss58")]
    pub owner: AccountId,
    /// LUD held from the owner for the collection.
    #[serde(with = "decimal")]
    pub deposit: Balance,
    /// What holders may do with the tokens.
    pub policy: PolicyJson,
    /// The royalty on market sales, `null` if none.
    pub royalty: Option<RoyaltyJson>,
    /// Whether every movement of the collection's tokens is frozen.
    pub frozen: bool,
    /// The id the next created token receives.
    pub next_token_id: TokenId,
    /// How many tokens exist.
    pub tokens: u32,
    /// How many collection-level attributes exist.
    pub attributes: u32,
    /// How many accounts other than the owner hold a role.
    pub role_holders: u32,
    /// The id the next recipe receives.
    pub next_recipe_id: u32,
    /// How many recipes exist.
    pub recipes: u32,
    /// Name and URI, `null` if not set.
    pub metadata: Option<CollectionMetadataJson>,
}

impl CollectionJson {
    fn new(c: CollectionDetails<AccountId, Balance>, metadata: Option<(Vec<u8>, Vec<u8>)>) -> Self {
        Self {
            owner: c.owner,
            deposit: c.deposit,
            policy: PolicyJson { transferable: c.policy.transferable, burnable_by_holder: c.policy.burnable_by_holder },
            royalty: c.royalty.map(|r| RoyaltyJson { bps: r.bps, beneficiary: r.beneficiary }),
            frozen: c.frozen,
            next_token_id: c.next_token_id,
            tokens: c.tokens,
            attributes: c.attributes,
            role_holders: c.role_holders,
            next_recipe_id: c.next_recipe_id,
            recipes: c.recipes,
            metadata: metadata.map(|(name, uri)| CollectionMetadataJson { name: name.into(), uri: uri.into() }),
        }
    }
}

/// One entry of `ludus_gameAssets_attributes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeJson {
    /// The attribute's key.
    pub key: ByteString,
    /// Its value.
    pub value: ByteString,
}

/// Parses an SS58 address, which must carry Ludus' prefix 42.
pub fn parse_account(address: &str) -> Result<AccountId, ErrorObjectOwned> {
    // Base58 decoding is quadratic in the input's length: refuse what cannot be an address first.
    params::ss58_address(address)?;
    let shown = params::shown(address);
    let (account, format) = AccountId::from_ss58check_with_version(address).map_err(|e| {
        error::invalid_params(format!(
            "`{shown}` is not an SS58 address ({e}): send the account as SS58 with prefix {SS58_PREFIX}"
        ))
    })?;
    let prefix = u16::from(format);
    if prefix != SS58_PREFIX {
        // The key would be the same, but an address of another network is most likely a mistake.
        return Err(error::invalid_params(format!(
            "`{shown}` is an SS58 address with prefix {prefix}: re-encode it with Ludus' prefix {SS58_PREFIX}"
        )));
    }
    Ok(account)
}

/// An account as SS58 with prefix 42.
pub fn format_account(account: &AccountId) -> String {
    account.to_ss58check_with_version(Ss58AddressFormat::custom(SS58_PREFIX))
}

/// Serde of `u128` as a decimal string.
pub(crate) mod decimal {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde of an account as SS58 with prefix 42.
mod ss58 {
    use ludus_primitives::AccountId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(account: &AccountId, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_account(account))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<AccountId, D::Error> {
        let s = String::deserialize(deserializer)?;
        super::parse_account(&s).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// Serves [`GameAssetsApiServer`] from a [`ChainBackend`].
pub struct GameAssets {
    backend: Arc<dyn ChainBackend>,
}

impl GameAssets {
    /// Serves `backend`.
    pub fn new(backend: Arc<dyn ChainBackend>) -> Self {
        Self { backend }
    }

    fn at(&self, hash: Option<Hash>) -> Hash {
        hash.unwrap_or_else(|| self.backend.info().best_hash)
    }

    /// Runs `GameAssetsApi_<function>(args)` at `at` and decodes its whole output as `T`.
    fn runtime_call<T: Decode>(&self, at: Hash, function: &str, args: impl Encode) -> RpcResult<T> {
        let method = format!("GameAssetsApi_{function}");
        let out = self.backend.call(at, &method, &args.encode()).map_err(error::state_client)?;
        T::decode_all(&mut &out[..]).map_err(|e| {
            error::state_client(BackendError::Other(format!(
                "{method} returned an undecodable answer ({e}): the runtime's pallet-game-assets types differ \
                 from this node's; upgrade the node to match the runtime"
            )))
        })
    }
}

impl GameAssetsApiServer for GameAssets {
    fn balances(
        &self,
        collection: CollectionId,
        account: String,
        start: Option<TokenId>,
        limit: Option<u32>,
        at: Option<Hash>,
    ) -> RpcResult<BalancesPageJson> {
        let who = parse_account(&account)?;
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        // The runtime would silently cap the page; refusing tells the client its page is not what it asked.
        if limit > MAX_PAGE_SIZE {
            return Err(error::invalid_params(format!(
                "limit {limit} is above the most balances one page holds, {MAX_PAGE_SIZE}: page with `next`"
            )));
        }
        let at = self.at(at);
        let page: BalancesPage =
            self.runtime_call(at, "balances", (collection, who, start.unwrap_or_default(), limit))?;
        Ok(page.into())
    }

    fn token(&self, collection: CollectionId, token: TokenId, at: Option<Hash>) -> RpcResult<Option<TokenJson>> {
        let details: Option<TokenDetails<AccountId, Balance>> =
            self.runtime_call(self.at(at), "token", (collection, token))?;
        Ok(details.map(TokenJson::from))
    }

    fn collection(&self, collection: CollectionId, at: Option<Hash>) -> RpcResult<Option<CollectionJson>> {
        // Both reads on one block, even if a new best block arrives between them.
        let at = self.at(at);
        let details: Option<CollectionDetails<AccountId, Balance>> = self.runtime_call(at, "collection", collection)?;
        let Some(details) = details else { return Ok(None) };
        let metadata: Option<(Vec<u8>, Vec<u8>)> = self.runtime_call(at, "collection_metadata", collection)?;
        Ok(Some(CollectionJson::new(details, metadata)))
    }

    fn attributes(
        &self,
        collection: CollectionId,
        token: Option<TokenId>,
        at: Option<Hash>,
    ) -> RpcResult<Vec<AttributeJson>> {
        let attributes: Vec<(Vec<u8>, Vec<u8>)> = self.runtime_call(self.at(at), "attributes", (collection, token))?;
        Ok(attributes.into_iter().map(|(key, value)| AttributeJson { key: key.into(), value: value.into() }).collect())
    }

    fn attribute(
        &self,
        collection: CollectionId,
        token: Option<TokenId>,
        key: Bytes,
        at: Option<Hash>,
    ) -> RpcResult<Option<ByteString>> {
        if key.len() > MAX_ATTRIBUTE_KEY_BYTES {
            return Err(error::invalid_params(format!(
                "attribute key of {} bytes: keys are at most {MAX_ATTRIBUTE_KEY_BYTES} bytes",
                key.len()
            )));
        }
        let value: Option<Vec<u8>> = self.runtime_call(self.at(at), "attribute", (collection, token, key.0))?;
        Ok(value.map(ByteString::from))
    }
}
