//! Genesis presets: `development` (Alice alone) and `local_testnet` (Alice, Bob, Charlie
//! and Dave). Each is a JSON patch over the runtime's default genesis config; chain specs
//! (`chain-spec/`) embed them.

use alloc::{vec, vec::Vec};
use serde_json::{json, Value};
use sp_core::crypto::Pair;
use sp_genesis_builder::PresetId;

use crate::{bridge_key, AccountId, Balance, SessionKeys, LUD};

/// The preset id of the single-validator development chain.
pub const DEVELOPMENT: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// The preset id of the four-validator local network.
pub const LOCAL_TESTNET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;

/// The chain id of a local anvil L1.
pub const ANVIL_CHAIN_ID: u64 = 31337;
/// Where anvil's first dev account deploys the Checkpoints contract (its first transaction).
pub const ANVIL_CHECKPOINTS: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
/// Where anvil's first dev account deploys the Vault (its second transaction).
pub const ANVIL_VAULT: &str = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
/// Where anvil's first dev account deploys the devnet's test ERC-20 (its third transaction,
/// nonce 2).
pub const ANVIL_TEST_TOKEN: &str = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0";

/// The L1 address the Vault and the bridge give ETH.
pub const ETH_TOKEN: &str = "0x0000000000000000000000000000000000000000";
/// The bridged asset (pallet-assets id) of L1 ETH in the development presets.
pub const DEV_ETH_ASSET: u32 = 1;
/// The smallest balance of [`DEV_ETH_ASSET`] an account may hold: 1 gwei (ETH has 18
/// decimals), so dust cannot bloat the sidechain's state.
pub const DEV_ETH_MIN_BALANCE: u128 = 1_000_000_000;
/// The bridged asset of the devnet's test ERC-20 ([`ANVIL_TEST_TOKEN`]) in the development
/// presets.
pub const DEV_TEST_TOKEN_ASSET: u32 = 2;
/// The smallest balance of [`DEV_TEST_TOKEN_ASSET`] an account may hold.
pub const DEV_TEST_TOKEN_MIN_BALANCE: u128 = 1;

/// What each endowed development account starts with: one million LUD.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * LUD;

/// The well-known development names whose keys derive from `//Name`.
pub const DEV_ACCOUNT_NAMES: [&str; 12] = [
    "Alice",
    "Bob",
    "Charlie",
    "Dave",
    "Eve",
    "Ferdie",
    "Alice//stash",
    "Bob//stash",
    "Charlie//stash",
    "Dave//stash",
    "Eve//stash",
    "Ferdie//stash",
];

fn public_from_seed<P: Pair>(seed: &str) -> P::Public {
    // The seeds are the fixed development names above; derivation cannot fail for them.
    P::from_string(&alloc::format!("//{seed}"), None)
        .map(|pair| pair.public())
        .unwrap_or_else(|_| panic!("static development seed //{seed} is valid; qed"))
}

/// The sr25519 account of a development name.
pub fn dev_account(name: &str) -> AccountId {
    AccountId::from(public_from_seed::<sp_core::sr25519::Pair>(name))
}

/// The session keys of a development name: aura (sr25519), grandpa (ed25519), bridge (ecdsa).
pub fn dev_session_keys(name: &str) -> SessionKeys {
    SessionKeys {
        aura: public_from_seed::<sp_core::sr25519::Pair>(name).into(),
        grandpa: public_from_seed::<sp_core::ed25519::Pair>(name).into(),
        bridge: bridge_key::Public::from(public_from_seed::<sp_core::ecdsa::Pair>(name)),
    }
}

/// A genesis patch with `validators` as the session's (and so Aura's, GRANDPA's and the
/// bridge's) authorities and as the governance-managed validator set, `endowed` given [`DEV_ENDOWMENT`] each and `sudo` as the sudo key.
pub fn testnet_genesis(validators: &[&str], endowed: &[AccountId], sudo: AccountId) -> Value {
    let keys: Vec<(AccountId, AccountId, SessionKeys)> =
        validators.iter().map(|name| (dev_account(name), dev_account(name), dev_session_keys(name))).collect();
    json!({
        "balances": {
            "balances": endowed.iter().cloned().map(|account| (account, DEV_ENDOWMENT)).collect::<Vec<_>>(),
        },
        "session": { "keys": keys },
        "validatorSet": {
            "validators": validators.iter().map(|name| dev_account(name)).collect::<Vec<_>>(),
        },
        "sudo": { "key": Some(sudo) },
        // Anvil's chain and the addresses its first deployer account gives the Checkpoints
        // and Vault contracts (nonces 0 and 1), so a local L1 lines up without configuration;
        // ETH and the test ERC-20 it deploys next (nonce 2) are bridged from genesis.
        "bridge": {
            "l1Params": {
                "chainId": ANVIL_CHAIN_ID,
                "vault": ANVIL_VAULT,
                "checkpointsContract": ANVIL_CHECKPOINTS,
            },
            "tokens": [
                (ETH_TOKEN, DEV_ETH_ASSET, DEV_ETH_MIN_BALANCE),
                (ANVIL_TEST_TOKEN, DEV_TEST_TOKEN_ASSET, DEV_TEST_TOKEN_MIN_BALANCE),
            ],
        },
    })
}

fn development() -> Value {
    let endowed: Vec<AccountId> = DEV_ACCOUNT_NAMES.iter().map(|name| dev_account(name)).collect();
    testnet_genesis(&["Alice"], &endowed, dev_account("Alice"))
}

fn local_testnet() -> Value {
    let endowed: Vec<AccountId> = DEV_ACCOUNT_NAMES.iter().map(|name| dev_account(name)).collect();
    testnet_genesis(&["Alice", "Bob", "Charlie", "Dave"], &endowed, dev_account("Alice"))
}

/// The JSON patch of a named preset, or `None` for a name the runtime does not have.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let patch = match id.as_ref() {
        DEVELOPMENT => development(),
        LOCAL_TESTNET => local_testnet(),
        _ => return None,
    };
    serde_json::to_vec(&patch).ok()
}

/// The names of the presets the runtime has.
pub fn preset_names() -> Vec<PresetId> {
    vec![PresetId::from(DEVELOPMENT), PresetId::from(LOCAL_TESTNET)]
}
