//! Building real signed transactions and dev chains, for tests, benchmarks and tools.
//!
//! Nothing here is a stand-in: transactions are signed with sr25519 dev keys exactly as
//! polkadot.js signs them (immortal era, the eight transaction extensions), and chains
//! are real databases with the dev genesis.

use std::sync::Arc;

use codec::Encode;
use ludus_chain_spec::ChainSpec;
use ludus_primitives::{AccountId, Balance, Hash, Nonce};
use ludus_runtime::{Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic, VERSION};
use sp_core::{sr25519, Pair};
use sp_keystore::KeystorePtr;
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};

use crate::{chain::Chain, executor::RuntimeExecutor, keystore};

/// The transaction extensions for a transaction from an account with `nonce`.
pub fn tx_extension(nonce: Nonce) -> TxExtension {
    (
        frame_system::CheckNonZeroSender::<Runtime>::new(),
        frame_system::CheckSpecVersion::<Runtime>::new(),
        frame_system::CheckTxVersion::<Runtime>::new(),
        frame_system::CheckGenesis::<Runtime>::new(),
        frame_system::CheckEra::<Runtime>::from(Era::Immortal),
        frame_system::CheckNonce::<Runtime>::from(nonce),
        frame_system::CheckWeight::<Runtime>::new(),
        pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
    )
}

/// `call` signed by `signer` with `nonce`, for the chain with `genesis`, SCALE-encoded.
pub fn sign(call: RuntimeCall, signer: &sr25519::Pair, nonce: Nonce, genesis: Hash) -> Vec<u8> {
    let implicit = ((), VERSION.spec_version, VERSION.transaction_version, genesis, genesis, (), (), ());
    let payload = SignedPayload::from_raw(call, tx_extension(nonce), implicit);
    let signature = payload.using_encoded(|bytes| signer.sign(bytes));
    let (call, extension, _) = payload.deconstruct();
    let account = AccountId::from(signer.public());
    UncheckedExtrinsic::new_signed(call, MultiAddress::Id(account), MultiSignature::Sr25519(signature), extension)
        .encode()
}

/// A signed `Balances::transfer_keep_alive` of `amount` to `dest`.
pub fn transfer(signer: &sr25519::Pair, dest: AccountId, amount: Balance, nonce: Nonce, genesis: Hash) -> Vec<u8> {
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(dest),
        value: amount,
    });
    sign(call, signer, nonce, genesis)
}

/// The sr25519 pair of a dev name or any secret URI (`//Alice`, `//bench/7`).
pub fn pair(suri: &str) -> sr25519::Pair {
    sr25519::Pair::from_string(suri, None).unwrap_or_else(|_| panic!("{suri} is a valid secret URI"))
}

/// A dev chain in `dir`, with Alice's keys in an in-memory keystore.
pub fn dev_chain(dir: &std::path::Path) -> (Arc<Chain>, KeystorePtr) {
    let spec = ChainSpec::dev().unwrap_or_else(|e| panic!("dev spec: {e}"));
    dev_chain_from(dir, &spec)
}

/// A chain of `spec` in `dir`, with Alice's keys in an in-memory keystore.
pub fn dev_chain_from(dir: &std::path::Path, spec: &ChainSpec) -> (Arc<Chain>, KeystorePtr) {
    let keystore = keystore::open(None).unwrap_or_else(|e| panic!("in-memory keystore: {e}"));
    keystore::add_dev_keys(&keystore, "Alice").unwrap_or_else(|e| panic!("dev keys: {e}"));
    let db = ludus_storage::Database::open(dir).unwrap_or_else(|e| panic!("database: {e}"));
    let chain =
        Chain::open(db, RuntimeExecutor::new(Some(keystore.clone())), spec).unwrap_or_else(|e| panic!("chain: {e}"));
    (chain, keystore)
}
