//! JSON shapes Substrate uses in RPC parameters and results that no Ludus
//! dependency already provides (they live in `sp-rpc` and `sc-rpc-api`).

use ludus_primitives::Hash;
use serde::{Deserialize, Serialize};
use sp_core::{Bytes, U256};

/// A number given either as a JSON number or as a `0x…` hex string (`sp_rpc::number::NumberOrHex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrHex {
    /// A JSON number.
    Number(u64),
    /// A hex string, up to 256 bits.
    Hex(U256),
}

impl NumberOrHex {
    /// The value as a `u32`, or `None` if it does not fit.
    pub fn to_u32(self) -> Option<u32> {
        match self {
            NumberOrHex::Number(n) => u32::try_from(n).ok(),
            NumberOrHex::Hex(h) => (h <= U256::from(u32::MAX)).then(|| h.low_u32()),
        }
    }
}

impl From<u128> for NumberOrHex {
    /// Numbers JSON can carry exactly stay numbers; larger ones become hex, as Substrate does.
    fn from(n: u128) -> Self {
        match u64::try_from(n) {
            Ok(n) => NumberOrHex::Number(n),
            Err(_) => NumberOrHex::Hex(U256::from(n)),
        }
    }
}

/// One value or a list of them (`sp_rpc::list::ListOrValue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ListOrValue<T> {
    /// A list.
    List(Vec<T>),
    /// A single value.
    Value(T),
}

/// Result of `state_getReadProof` (`sc_rpc_api::state::ReadProof`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadProof {
    /// Block the proof is for.
    pub at: Hash,
    /// Trie nodes.
    pub proof: Vec<Bytes>,
}

/// Result of `rpc_methods`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpcMethodsList {
    /// Every method name the server answers, aliases included, sorted.
    pub methods: Vec<String>,
}
