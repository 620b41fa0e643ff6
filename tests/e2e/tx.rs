//! Real signed transactions for the dev chain, built with `ludus-node`'s own signing code.

use ludus_node::test_utils::{pair, transfer};
use ludus_primitives::{AccountId, Hash};
use sp_core::Pair;

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
