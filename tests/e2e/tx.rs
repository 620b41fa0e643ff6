//! Real signed transactions for the dev chain, built with `ludus-node`'s own signing code.

use std::net::SocketAddr;

use codec::Decode;
use ludus_node::test_utils::{pair, transfer};
use ludus_primitives::{AccountId, Hash};
use ludus_runtime::Runtime;
use serde_json::json;
use sp_core::Pair;

use crate::harness::rpc_call_at;

/// One LUD (12 decimals).
pub const LUD: u128 = 1_000_000_000_000;

/// The account of a dev secret URI (`//Bob`).
pub fn account(suri: &str) -> AccountId {
    AccountId::from(pair(suri).public())
}

/// Parses a `0x…` block hash from RPC.
pub fn hash(hex_hash: &str) -> Hash {
    let bytes = hex::decode(hex_hash.trim_start_matches("0x")).unwrap_or_else(|e| panic!("{hex_hash} is not hex: {e}"));
    assert_eq!(bytes.len(), 32, "{hex_hash} is not a 32-byte hash");
    Hash::from_slice(&bytes)
}

/// A signed transfer of `amount` from `from` to `to` with `nonce`, for the chain with
/// `genesis`, as the `0x…` hex that `author_submitExtrinsic` takes.
pub fn transfer_hex(from: &str, to: &str, amount: u128, nonce: u32, genesis: &str) -> String {
    to_hex(&transfer(&pair(from), account(to), amount, nonce, hash(genesis)))
}

/// `0x`-prefixed hex.
pub fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// `who`'s balance of pallet-assets asset `asset` (a bridged L1 token) at the best block of the
/// node whose RPC is at `addr`; 0 without an account.
pub fn asset_balance(addr: SocketAddr, asset: u32, who: &str) -> u128 {
    let key = pallet_assets::Account::<Runtime>::hashed_key_for(asset, account(who));
    let value = rpc_call_at(addr, "state_getStorage", json!([to_hex(&key)]))
        .unwrap_or_else(|e| panic!("state_getStorage: {e:?}"));
    let Some(hex_value) = value.as_str() else { return 0 };
    let bytes = hex::decode(hex_value.trim_start_matches("0x")).expect("storage hex");
    pallet_assets::AssetAccount::<u128, u128, (), AccountId>::decode(&mut &bytes[..])
        .map(|account| account.balance)
        .unwrap_or(0)
}
