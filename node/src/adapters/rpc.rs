//! The node's answers to the RPC server (`ludus-rpc`'s backend traits).
//!
//! The RPC crate knows nothing of the node; this module adapts the chain, the pool, the
//! keystore (with the bridge attester that signs with its bridge keys) and sync's view of
//! the network to its small traits, and starts the server with the operator's settings.

use std::{collections::BTreeSet, sync::Arc};

use codec::Encode;
use frame_system_rpc_runtime_api::AccountNonceApi;
use futures::StreamExt;
use ludus_chain_spec::ChainSpec;
use ludus_primitives::{bridge::Deposit, AccountId, BlockNumber, Hash, Header, Nonce, SignedBlock};
use ludus_rpc::backend::{
    AttestError, AttestationResult, BackendError, Backends, BridgeAttesterBackend, ChainBackend, ChainInfo,
    DepositAttestation, KeystoreBackend, PoolBackend, PoolError, SystemInfo, TransactionStatus,
};
use ludus_runtime::{RuntimeCall, UncheckedExtrinsic};
use pallet_bridge::{runtime_api::BridgeApi, types::DepositStatus};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_core::crypto::KeyTypeId;
use sp_keystore::{Keystore, KeystorePtr};
use sp_runtime::{
    generic::Preamble,
    transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError, UnknownTransaction},
    OpaqueExtrinsic,
};
use sp_session::SessionKeys;
use sp_state_machine::{Backend, IterArgs};
use sp_transaction_pool::runtime_api::TaggedTransactionQueue;

use crate::{
    adapters::txpool::{check_format, NodePool},
    chain::{Chain, ChainError},
    executor::decode::DecodeError,
};

fn api_backend_error(error: sp_api::ApiError) -> BackendError {
    backend_error(error.into())
}

fn backend_error(error: ChainError) -> BackendError {
    match error {
        ChainError::UnknownBlock(hash) => BackendError::UnknownBlock(format!("{hash:?}")),
        ChainError::Executor(e) => BackendError::Execution(e.to_string()),
        other => BackendError::Other(other.to_string()),
    }
}

/// The chain as the RPC server sees it.
pub struct ChainRpc(pub Arc<Chain>);

impl ChainBackend for ChainRpc {
    fn info(&self) -> ChainInfo {
        self.0.info()
    }

    fn hash(&self, number: BlockNumber) -> Result<Option<Hash>, BackendError> {
        self.0.hash(number).map_err(backend_error)
    }

    fn header(&self, hash: Hash) -> Result<Option<Header>, BackendError> {
        self.0.header(hash).map_err(backend_error)
    }

    fn block(&self, hash: Hash) -> Result<Option<SignedBlock>, BackendError> {
        self.0.block(hash).map_err(backend_error)
    }

    fn call(&self, at: Hash, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError> {
        self.0.call_at(at, method, args).map_err(backend_error)
    }

    fn storage(&self, at: Hash, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.0.storage(at, key).map_err(backend_error)
    }

    fn storage_keys_paged(
        &self,
        at: Hash,
        prefix: &[u8],
        count: u32,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>, BackendError> {
        let state = self.0.state_at(at).map_err(backend_error)?;
        let mut args = IterArgs::default();
        args.prefix = Some(prefix);
        args.start_at = start_key;
        args.start_at_exclusive = true;
        let keys = state.keys(args).map_err(|e| BackendError::Other(e.to_string()))?;
        let mut out = Vec::new();
        for key in keys.take(count as usize) {
            out.push(key.map_err(|e| BackendError::Other(e.to_string()))?);
        }
        Ok(out)
    }

    fn read_proof(&self, at: Hash, keys: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, BackendError> {
        let state = self.0.state_at(at).map_err(backend_error)?;
        let proof = sp_state_machine::prove_read(state, keys).map_err(|e| BackendError::Other(e.to_string()))?;
        Ok(proof.into_iter_nodes().collect())
    }

    fn subscribe_best(&self) -> tokio::sync::broadcast::Receiver<Header> {
        self.0.subscribe_best()
    }

    fn subscribe_imported(&self) -> tokio::sync::broadcast::Receiver<Header> {
        self.0.subscribe_imported()
    }

    fn subscribe_finalized(&self) -> tokio::sync::broadcast::Receiver<Header> {
        self.0.subscribe_finalized()
    }
}

/// The pool as the RPC server sees it.
pub struct PoolRpc {
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
}

fn pool_error(error: ludus_txpool::Error) -> PoolError {
    PoolError { code: error.rpc_code(), message: error.to_string(), data: None }
}

/// Substrate's answers to an extrinsic that cannot be taken: 1001 for bytes that are no
/// extrinsic, and for calls nested too deep 1010 with `InvalidTransaction::Call`'s text, as a
/// Substrate node answers once its runtime's depth-limited decode refuses them.
fn bad_format(error: DecodeError) -> PoolError {
    match error {
        DecodeError::TooDeep => PoolError {
            code: 1010,
            message: "Invalid Transaction".into(),
            data: Some(format!("Transaction call is not expected: {error}")),
        },
        other => PoolError {
            code: 1001,
            message: "Extrinsic has invalid format".into(),
            data: Some(format!("Extrinsic has invalid format: {other}")),
        },
    }
}

/// The sender and nonce of a signed extrinsic, if it is one.
fn sender_and_nonce(xt: &[u8]) -> Option<(AccountId, Nonce)> {
    let xt = crate::executor::decode::decode_extrinsic(xt).ok()?;
    match xt.preamble {
        Preamble::Signed(sp_runtime::MultiAddress::Id(sender), _, extension) => Some((sender, extension.5 .0)),
        _ => None,
    }
}

impl PoolBackend for PoolRpc {
    fn submit(&self, xt: Vec<u8>) -> Result<Hash, PoolError> {
        check_format(&xt).map_err(bad_format)?;
        let at = self.chain.info().best_hash;
        self.pool.submit(at, TransactionSource::External, xt).map_err(pool_error)
    }

    fn submit_many(&self, xts: Vec<Vec<u8>>) -> Vec<Result<Hash, PoolError>> {
        let formats: Vec<Result<(), PoolError>> = xts.iter().map(|xt| check_format(xt).map_err(bad_format)).collect();
        let well_formed: Vec<Vec<u8>> =
            xts.into_iter().zip(&formats).filter(|(_, format)| format.is_ok()).map(|(xt, _)| xt).collect();
        let at = self.chain.info().best_hash;
        let mut submitted = self.pool.submit_many(at, TransactionSource::External, well_formed, false).into_iter();
        formats
            .into_iter()
            .map(|format| {
                format?;
                let answer =
                    submitted.next().unwrap_or_else(|| Err(ludus_txpool::Error::Validation("no answer".into())));
                answer.map_err(pool_error)
            })
            .collect()
    }

    fn submit_and_watch(
        &self,
        xt: Vec<u8>,
    ) -> Result<futures::stream::BoxStream<'static, TransactionStatus>, PoolError> {
        check_format(&xt).map_err(bad_format)?;
        let at = self.chain.info().best_hash;
        let (_, watcher) = self.pool.submit_and_watch(at, TransactionSource::External, xt).map_err(pool_error)?;
        Ok(watcher.boxed())
    }

    fn pending(&self) -> Vec<Vec<u8>> {
        self.pool.pending()
    }

    fn account_next_index(&self, account: AccountId) -> Result<Nonce, BackendError> {
        let best = self.chain.info().best_hash;
        let mut next = self.chain.runtime_api().account_nonce(best, account.clone()).map_err(api_backend_error)?;
        let pooled: BTreeSet<Nonce> = self
            .pool
            .pending()
            .iter()
            .filter_map(|xt| sender_and_nonce(xt))
            .filter(|(sender, _)| *sender == account)
            .map(|(_, nonce)| nonce)
            .collect();
        while pooled.contains(&next) {
            next = next.saturating_add(1);
        }
        Ok(next)
    }
}

/// The keystore as the RPC server sees it.
pub struct KeystoreRpc {
    chain: Arc<Chain>,
    keystore: KeystorePtr,
}

impl KeystoreBackend for KeystoreRpc {
    fn insert_key(&self, key_type: [u8; 4], suri: &str, public: &[u8]) -> Result<(), BackendError> {
        self.keystore
            .insert(KeyTypeId(key_type), suri, public)
            .map_err(|()| BackendError::Other("the keystore refused the key".into()))
    }

    fn has_key(&self, public: &[u8], key_type: [u8; 4]) -> bool {
        self.keystore.has_keys(&[(public.to_vec(), KeyTypeId(key_type))])
    }

    fn rotate_keys(&self) -> Result<Vec<u8>, BackendError> {
        let best = self.chain.info().best_hash;
        let mut api = self.chain.runtime_api();
        // The one RPC path that may write keys: `author_rotateKeys`, an unsafe method.
        if let Some(keystore) = self.chain.executor().keystore_ext() {
            api.register_extension(keystore);
        }
        let keys = api.generate_session_keys(best, Vec::new(), None).map_err(api_backend_error)?;
        Ok(keys.keys)
    }

    fn has_session_keys(&self, session_keys: &[u8]) -> Result<bool, BackendError> {
        let best = self.chain.info().best_hash;
        let decoded =
            self.chain.runtime_api().decode_session_keys(best, session_keys.to_vec()).map_err(api_backend_error)?;
        let keys = decoded.ok_or_else(|| BackendError::Other("Session keys are not encoded correctly".into()))?;
        Ok(self.keystore.has_keys(&keys))
    }
}

/// `ludus_bridge_attestDeposit`: the validator's bridge keys attest the deposits its relayer
/// saw on the L1, signing in the node so the relayer never holds a key.
///
/// Everything the signature binds (the current set and so the validator index, the chain's
/// genesis, the L1 chain id and Vault) comes from the runtime at the best block through the
/// bridge runtime API, so the node signs exactly the digest `check_attestation` verifies.
/// Each attestation is first validated by the runtime outside the pool: the pool bans an
/// invalid transaction for half an hour, and the same deposit signed again gives the same
/// bytes (RFC 6979), so a retryable refusal (window, pause) must never reach it.
pub struct BridgeAttesterRpc {
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    keystore: KeystorePtr,
}

fn attest_error(error: sp_api::ApiError) -> AttestError {
    AttestError::Backend(api_backend_error(error))
}

impl BridgeAttesterRpc {
    /// What a stale attestation means for the relayer: the nonce is executed, or this
    /// validator's attestation of it is already on chain.
    fn stale(&self, at: Hash, nonce: u64) -> Result<AttestationResult, AttestError> {
        let status = self.chain.runtime_api().deposit_status(at, nonce).map_err(attest_error)?;
        Ok(match status {
            Some(DepositStatus::Executed { .. }) => AttestationResult::Executed,
            _ => AttestationResult::AlreadyAttested,
        })
    }

    /// Validates the attestation `xt` of `deposit` by `validator_index` at `at`, then submits it.
    fn submit(
        &self,
        at: Hash,
        deposit: &Deposit,
        validator_index: u32,
        xt: Vec<u8>,
    ) -> Result<AttestationResult, AttestError> {
        // The source `author_submitExtrinsic` uses; `validate_unsigned` ignores it.
        let source = TransactionSource::External;
        let opaque = OpaqueExtrinsic::try_from_encoded_extrinsic(&xt)
            .map_err(|e| AttestError::Backend(BackendError::Other(format!("attestation does not encode: {e}"))))?;
        let validity = self.chain.runtime_api().validate_transaction(at, source, opaque, at).map_err(attest_error)?;
        // The pallet answers `Unknown` for "not now" (paused, beyond the window, too many
        // open, L1 parameters unset) and `Invalid` for "never"; both carry its code.
        let refusal = match validity {
            Ok(_) => match self.pool.submit(at, source, xt) {
                Ok(tx_hash) | Err(ludus_txpool::Error::AlreadyImported(tx_hash)) => {
                    return Ok(AttestationResult::Submitted { tx_hash })
                }
                // The best block moved on between the two validations.
                Err(ludus_txpool::Error::InvalidTransaction(InvalidTransaction::Stale)) => {
                    return self.stale(self.chain.info().best_hash, deposit.nonce)
                }
                Err(e) => return Err(AttestError::Pool(pool_error(e))),
            },
            Err(TransactionValidityError::Invalid(invalid)) => invalid,
            Err(TransactionValidityError::Unknown(UnknownTransaction::Custom(code))) => {
                InvalidTransaction::Custom(code)
            }
            Err(TransactionValidityError::Unknown(unknown)) => {
                return Err(AttestError::Backend(BackendError::Other(format!(
                    "the runtime cannot tell whether the attestation is valid ({unknown:?}); retry later"
                ))))
            }
        };
        Err(match refusal {
            InvalidTransaction::Stale => return self.stale(at, deposit.nonce),
            InvalidTransaction::Custom(pallet_bridge::DEPOSITS_PAUSED) => AttestError::DepositsPaused,
            InvalidTransaction::Custom(pallet_bridge::L1_PARAMS_UNSET) => AttestError::L1ParamsUnset,
            InvalidTransaction::Custom(pallet_bridge::NONCE_BEYOND_WINDOW) => {
                let lowest = self.chain.runtime_api().lowest_unexecuted_nonce(at).map_err(attest_error)?;
                AttestError::NonceBeyondWindow { nonce: deposit.nonce, lowest }
            }
            InvalidTransaction::Custom(pallet_bridge::TOO_MANY_OPEN_ATTESTATIONS) => {
                AttestError::TooManyOpenAttestations { validator_index }
            }
            other => {
                let reason: &'static str = other.into();
                AttestError::Refused { validator_index, reason: reason.to_owned() }
            }
        })
    }
}

impl BridgeAttesterBackend for BridgeAttesterRpc {
    fn attest_deposit(&self, deposit: Deposit) -> Result<Vec<DepositAttestation>, AttestError> {
        let info = self.chain.info();
        let best = info.best_hash;
        // Until block 1 the runtime's record of block 0's hash (frame-system's `BlockHash`)
        // is a placeholder, so a digest read now would not be the one block 1 checks.
        if info.best_number == 0 {
            return Err(AttestError::NoBlockYet);
        }
        let set = self.chain.runtime_api().validator_set(best, None).map_err(attest_error)?;
        let set = set.ok_or(AttestError::NoValidatorSet)?;
        let members = crate::keystore::bridge_keys_in_set(&self.keystore, &set.validators);
        if members.is_empty() {
            return Err(AttestError::NoBridgeKey { set_id: set.set_id });
        }
        let digest = self.chain.runtime_api().deposit_attestation_digest(best, deposit).map_err(attest_error)?;
        let digest = digest.ok_or(AttestError::L1ParamsUnset)?;
        members
            .into_iter()
            .map(|member| {
                let signature = crate::keystore::sign_bridge_digest(&self.keystore, &member.public, &digest)
                    .map_err(|e| AttestError::Backend(BackendError::Other(e.to_string())))?;
                let call = RuntimeCall::Bridge(pallet_bridge::Call::attest_deposit {
                    deposit,
                    validator_index: member.index,
                    signature,
                });
                let xt = UncheckedExtrinsic::new_bare(call).encode();
                let result = self.submit(best, &deposit, member.index, xt)?;
                tracing::info!(
                    target: "rpc",
                    nonce = deposit.nonce,
                    validator_index = member.index,
                    ?result,
                    "deposit attestation"
                );
                Ok(DepositAttestation { validator_index: member.index, address: member.address, result })
            })
            .collect()
    }
}

/// Starts the RPC server with the operator's settings.
pub async fn start_rpc(
    rpc_config: ludus_rpc::RpcConfig,
    spec: &ChainSpec,
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    keystore: KeystorePtr,
    network: Arc<crate::sync::SyncShared>,
) -> Result<ludus_rpc::RpcHandle, ludus_rpc::RpcError> {
    let system = SystemInfo {
        name: "Ludus Node".into(),
        // `0.1.0-100` or, for a release carrying the next runtime too, `0.1.0-100+101`.
        version: format!("{}-{}", env!("CARGO_PKG_VERSION"), chain.executor().runtimes().describe().replace(", ", "+")),
        chain: spec.name().to_owned(),
        chain_type: serde_json::Value::String(spec.chain_type().to_owned()),
        properties: spec.properties(),
    };
    ludus_rpc::start(rpc_config, backends(chain, pool, keystore, network), system).await
}

/// What the RPC server talks to, over the node's components (also how the RPC fuzzer builds
/// a server module without sockets).
pub fn backends(
    chain: Arc<Chain>,
    pool: Arc<NodePool>,
    keystore: KeystorePtr,
    network: Arc<dyn ludus_rpc::backend::NetworkBackend>,
) -> Backends {
    Backends {
        chain: Arc::new(ChainRpc(chain.clone())),
        pool: Arc::new(PoolRpc { chain: chain.clone(), pool: pool.clone() }),
        keystore: Arc::new(KeystoreRpc { chain: chain.clone(), keystore: keystore.clone() }),
        bridge_attester: Arc::new(BridgeAttesterRpc { chain, pool, keystore }),
        network,
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use ludus_chain_spec::ChainSpec;
    use ludus_primitives::now_ms;
    use ludus_runtime::genesis_config_presets::dev_account;
    use sp_core::Pair;

    use super::*;
    use crate::{
        adapters::txpool::new_pool,
        chain::BlockCommit,
        consensus,
        consensus::authoring::{build_block, seal_block, Candidate},
        test_utils::{dev_chain_from, pair},
    };

    /// Builds, seals and writes the best block on the best block in `slot`, with `xts`.
    fn best_block_with(chain: &Chain, keystore: &KeystorePtr, slot: u64, xts: Vec<Vec<u8>>) {
        let parent = chain.expect_header(chain.info().best_hash).unwrap();
        let candidates =
            xts.into_iter().map(|xt| Candidate { hash: sp_io::hashing::blake2_256(&xt).into(), bytes: Arc::new(xt) });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut built = build_block(chain, &parent, slot.into(), slot * 1_000, candidates, deadline).unwrap();
        let author: sp_consensus_aura::sr25519::AuthorityId = pair("//Alice").public().into();
        seal_block(keystore, &author, &mut built.block).unwrap();
        chain
            .commit(BlockCommit {
                block: built.block,
                justifications: None,
                state_transaction: built.state_transaction,
                is_new_best: true,
                finalize: false,
            })
            .unwrap();
    }

    #[test]
    fn a_validator_of_four_attests_once_and_then_hears_it_already_did() {
        // The local testnet: Alice, Bob, Charlie and Dave; this node holds Alice's keys only,
        // so one attestation of the three needed.
        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain_from(dir.path(), &ChainSpec::local().unwrap());
        let pool = new_pool(chain.clone(), ludus_txpool::Options::default().ready_limit);
        let attester = BridgeAttesterRpc { chain: chain.clone(), pool: pool.clone(), keystore: keystore.clone() };
        let deposit = Deposit {
            nonce: 1,
            token: [0; 20],
            depositor: [0x11; 20],
            recipient: dev_account("Bob").into(),
            amount: 1_000_000_000_000,
        };
        assert_eq!(attester.attest_deposit(deposit), Err(AttestError::NoBlockYet));

        let slot = *consensus::slot_at(now_ms(), 1_000) - 20;
        best_block_with(&chain, &keystore, slot, Vec::new());
        let alice = ludus_primitives::bridge::eth_address(
            &sp_core::ecdsa::Pair::from_string("//Alice", None).unwrap().public(),
        )
        .unwrap();
        let answer = attester.attest_deposit(deposit).unwrap();
        let [DepositAttestation { validator_index, address, result: AttestationResult::Submitted { tx_hash } }] =
            answer[..]
        else {
            panic!("one submitted attestation: {answer:?}");
        };
        assert_eq!(address, alice);
        assert_eq!(pool.pending().len(), 1);
        // Asked again while it waits in the pool: the same signed bytes, the same hash.
        assert_eq!(
            attester.attest_deposit(deposit).unwrap(),
            vec![DepositAttestation { validator_index, address, result: AttestationResult::Submitted { tx_hash } }]
        );

        // Once on chain, the attestation is done, though the deposit waits for two more.
        best_block_with(&chain, &keystore, slot + 1, pool.pending());
        let at = chain.info().best_hash;
        let status = chain.runtime_api().deposit_status(at, 1).unwrap();
        assert_eq!(
            status,
            Some(DepositStatus::Pending {
                set_id: 0,
                attestations: 1,
                threshold: 3,
                attested_by: vec![validator_index]
            })
        );
        assert_eq!(
            attester.attest_deposit(deposit).unwrap(),
            vec![DepositAttestation { validator_index, address, result: AttestationResult::AlreadyAttested }]
        );

        // A node whose keystore holds no bridge key of the set is told how to get one.
        let empty = crate::keystore::open(None).unwrap();
        let keyless = BridgeAttesterRpc { chain, pool, keystore: empty };
        let error = keyless.attest_deposit(deposit).unwrap_err();
        assert_eq!(error, AttestError::NoBridgeKey { set_id: 0 });
        assert!(error.to_string().contains("ludus-node key insert --key-type brdg"), "{error}");
    }
}
