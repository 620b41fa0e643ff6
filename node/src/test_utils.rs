//! Building real signed transactions and dev chains, for tests, benchmarks and tools.
//!
//! Nothing here is a stand-in: transactions are signed with sr25519 dev keys exactly as
//! polkadot.js signs them (immortal era, the eight transaction extensions), and chains
//! are real databases with the dev genesis.

use std::sync::Arc;

use codec::Encode;
use ludus_chain_spec::ChainSpec;
use ludus_primitives::{AccountId, Balance, Hash, Nonce};
use ludus_runtime::{
    Runtime, RuntimeCall, SignedPayload, SudoCall, SystemCall, TxExtension, UncheckedExtrinsic, UtilityCall, VERSION,
};
use sp_core::{sr25519, Pair};
use sp_keystore::KeystorePtr;
use sp_runtime::{generic::Era, MultiAddress};

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
    UncheckedExtrinsic::new_signed(
        call,
        MultiAddress::Id(account),
        ludus_primitives::Signature::from(signature),
        extension,
    )
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

/// A call that holds one call: how calls nest (each wrapper is one level of
/// [`crate::executor::decode::MAX_EXTRINSIC_DEPTH`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// `sudo.sudo(call)`: a `Box`.
    Sudo,
    /// `utility.batch([call])`: a `Vec`.
    Batch,
    /// `utility.as_derivative(0, call)`: a `Box`.
    AsDerivative,
}

impl Wrapper {
    /// Every wrapper.
    pub const ALL: [Wrapper; 3] = [Wrapper::Sudo, Wrapper::Batch, Wrapper::AsDerivative];

    /// `inner` wrapped once.
    pub fn wrap(self, inner: RuntimeCall) -> RuntimeCall {
        match self {
            Wrapper::Sudo => RuntimeCall::Sudo(SudoCall::sudo { call: Box::new(inner) }),
            Wrapper::Batch => RuntimeCall::Utility(UtilityCall::batch { calls: vec![inner] }),
            Wrapper::AsDerivative => {
                RuntimeCall::Utility(UtilityCall::as_derivative { index: 0, call: Box::new(inner) })
            }
        }
    }
}

/// The call at the bottom of nested calls: `system.remark([])`.
pub fn remark() -> RuntimeCall {
    RuntimeCall::System(SystemCall::remark { remark: Vec::new() })
}

/// `system.remark([])` wrapped `levels` times in `wrapper`, as a value (for depths a
/// recursive encode and drop can take: up to a few thousand).
pub fn nested_call(wrapper: Wrapper, levels: usize) -> RuntimeCall {
    (0..levels).fold(remark(), |call, _| wrapper.wrap(call))
}

/// The encoding of `system.remark([])` wrapped `levels` times in `wrapper`, written
/// directly, so that any depth (a million) costs a few bytes per level and no recursion.
pub fn nested_call_bytes(wrapper: Wrapper, levels: usize) -> Vec<u8> {
    let inner = remark().encode();
    let once = wrapper.wrap(remark()).encode();
    let prefix = &once[..once.len() - inner.len()];
    let mut bytes = Vec::with_capacity(prefix.len() * levels + inner.len());
    for _ in 0..levels {
        bytes.extend_from_slice(prefix);
    }
    bytes.extend_from_slice(&inner);
    bytes
}

/// An unsigned (bare) extrinsic of the encoded call `call`, as anyone can send one.
pub fn bare_extrinsic(call: &[u8]) -> Vec<u8> {
    let inner = remark().encode();
    let sample = UncheckedExtrinsic::new_bare(remark()).encode();
    let mut rest = &sample[..];
    let body_len = <codec::Compact<u32> as codec::Decode>::decode(&mut rest).map(|c| c.0).unwrap_or_default();
    let prefix_len = sample.len() - body_len as usize;
    let preamble = &sample[prefix_len..sample.len() - inner.len()];
    let mut body = preamble.to_vec();
    body.extend_from_slice(call);
    let mut bytes = codec::Compact(body.len() as u32).encode();
    bytes.extend_from_slice(&body);
    bytes
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
    dev_chain_carrying(dir, spec, crate::executor::Runtimes::default())
}

/// [`dev_chain_from`] on a node that carries `runtimes`.
pub fn dev_chain_carrying(
    dir: &std::path::Path,
    spec: &ChainSpec,
    runtimes: crate::executor::Runtimes,
) -> (Arc<Chain>, KeystorePtr) {
    let keystore = keystore::open(None).unwrap_or_else(|e| panic!("in-memory keystore: {e}"));
    keystore::add_dev_keys(&keystore, "Alice").unwrap_or_else(|e| panic!("dev keys: {e}"));
    let db = ludus_storage::Database::open(dir).unwrap_or_else(|e| panic!("database: {e}"));
    let executor = RuntimeExecutor::new(Some(keystore.clone())).with_runtimes(runtimes);
    let chain = Chain::open(db, executor, spec).unwrap_or_else(|e| panic!("chain: {e}"));
    (chain, keystore)
}
