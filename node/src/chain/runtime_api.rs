//! Typed runtime calls (DESIGN.md, decision 1): the chain as [`sp_api::CallApiAt`].
//!
//! `impl_runtime_apis!` generates, beside the by-name `dispatch` that `state_call` uses, a
//! `RuntimeApi` whose methods (`authorities(at)`, `apply_extrinsic(at, xt)`, …) encode their
//! arguments, call [`CallApiAt::call_api_at`] with the method's name and decode the answer.
//! [`Chain`] answers those calls through its [`crate::executor::RuntimeExecutor`] (argument
//! depth checks, caught panics, a stack of its own) over the API instance's own overlay and
//! extensions, so an instance's successive calls build on each other's writes (a block:
//! `initialize_block`, `apply_extrinsic`…, `finalize_block`, then `into_storage_changes`).
//!
//! An instance from [`ProvideRuntimeApi::runtime_api`] starts without extensions: a call can
//! sign or reach offchain storage only after its caller registers the keystore or the
//! offchain extensions on it (`ApiExt::register_extension`).

use ludus_primitives::{Block, Hash};
use ludus_runtime::apis::RuntimeApi;
use ludus_storage::StateBackend;
use sp_api::{ApiError, ApiRef, CallApiAt, CallApiAtParams, ConstructRuntimeApi, ProvideRuntimeApi};
use sp_consensus_aura::{AuraApi, SlotDuration};
use sp_core::traits::CallContext;
use sp_externalities::Extensions;
use sp_state_machine::TrieBackendBuilder;
use sp_version::RuntimeVersion;

use crate::chain::{Chain, ChainError};

/// The generated runtime API over the chain: every API the runtime implements.
pub type NodeRuntimeApi = <RuntimeApi as ConstructRuntimeApi<Block, Chain>>::RuntimeApi;

/// A chain error carried through `sp_api`, which `ChainError::from` unpacks again.
fn api_error(error: ChainError) -> ApiError {
    ApiError::Application(Box::new(error))
}

impl CallApiAt<Block> for Chain {
    type StateBackend = StateBackend;

    fn call_api_at(&self, params: CallApiAtParams<'_, Block>) -> Result<Vec<u8>, ApiError> {
        let spec_version = self.runtime_at(params.at).map_err(api_error)?;
        let state = Chain::state_at(self, params.at).map_err(api_error)?;
        let mut overlay = params.overlayed_changes.borrow_mut();
        let mut extensions = params.extensions.borrow_mut();
        let executor = self.executor();
        let output = match params.recorder {
            // A proof of what the call read (light clients, collators): the same state,
            // recording every trie node it touches.
            Some(recorder) => {
                let recording = TrieBackendBuilder::wrap(&state).with_recorder(recorder.clone()).build();
                executor.call_in(
                    spec_version,
                    &recording,
                    &mut overlay,
                    params.function,
                    &params.arguments,
                    &mut extensions,
                )
            }
            None => executor.call_in(
                spec_version,
                &state,
                &mut overlay,
                params.function,
                &params.arguments,
                &mut extensions,
            ),
        };
        output.map_err(|error| api_error(ChainError::Executor(error)))
    }

    fn runtime_version_at(&self, at: Hash, _call_context: CallContext) -> Result<RuntimeVersion, ApiError> {
        Ok(self.native_runtime_at(at).map_err(api_error)?.version.clone())
    }

    fn state_at(&self, at: Hash) -> Result<StateBackend, ApiError> {
        Chain::state_at(self, at).map_err(api_error)
    }

    fn initialize_extensions(&self, _at: Hash, _extensions: &mut Extensions) -> Result<(), ApiError> {
        // No side effects unless the caller registers them (the executor's rule).
        Ok(())
    }
}

impl ProvideRuntimeApi<Block> for Chain {
    type Api = NodeRuntimeApi;

    fn runtime_api(&self) -> ApiRef<'_, Self::Api> {
        RuntimeApi::construct_runtime_api(self)
    }
}

impl Chain {
    /// The Aura slot duration at block `at`: how long the slot worker waits between slots and
    /// how import reads a header's slot against the clock.
    pub fn slot_duration(&self, at: Hash) -> Result<SlotDuration, ChainError> {
        Ok(self.runtime_api().slot_duration(at)?)
    }
}

impl From<ApiError> for ChainError {
    /// The chain's own errors come back as they were raised; the rest (arguments or output
    /// that do not convert between node and runtime types) stay `sp_api`'s.
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Application(inner) => match inner.downcast::<ChainError>() {
                Ok(chain) => *chain,
                Err(other) => ChainError::RuntimeApi(ApiError::Application(other)),
            },
            other => ChainError::RuntimeApi(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        consensus::authoring::{build_block, seal_block},
        consensus::import::BlockImporter,
        executor::ExecutorError,
        test_utils::{dev_chain, pair, transfer, Wrapper},
    };
    use codec::{Decode, Encode};
    use ludus_primitives::{now_ms, AccountId, LUD};
    use sp_api::Core;
    use sp_consensus_aura::sr25519::AuthorityId;
    use sp_consensus_grandpa::GrandpaApi;
    use sp_core::Pair;
    use sp_runtime::{traits::Header as HeaderT, transaction_validity::TransactionSource, OpaqueExtrinsic};
    use sp_transaction_pool::runtime_api::TaggedTransactionQueue;
    use std::{
        sync::Arc,
        time::{Duration, Instant},
    };

    #[test]
    fn the_typed_and_the_by_name_paths_give_the_same_answers() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        let api = chain.runtime_api();

        let by_name: Vec<AuthorityId> = chain.call_decoded(genesis, "AuraApi_authorities", &[]).unwrap();
        assert_eq!(api.authorities(genesis).unwrap(), by_name);
        assert_eq!(by_name, vec![AuthorityId::from(pair("//Alice").public())]);

        let by_name: SlotDuration = chain.call_decoded(genesis, "AuraApi_slot_duration", &[]).unwrap();
        assert_eq!(chain.slot_duration(genesis).unwrap(), by_name);

        let by_name: RuntimeVersion = chain.call_decoded(genesis, "Core_version", &[]).unwrap();
        assert_eq!(api.version(genesis).unwrap(), by_name);
        assert_eq!(chain.runtime_version(genesis).unwrap(), crate::chain::native_version());

        let by_name: sp_consensus_grandpa::AuthorityList =
            chain.call_decoded(genesis, "GrandpaApi_grandpa_authorities", &[]).unwrap();
        assert_eq!(api.grandpa_authorities(genesis).unwrap(), by_name);

        let xt = transfer(&pair("//Alice"), AccountId::from(pair("//Bob").public()), LUD, 0, genesis);
        let args =
            (TransactionSource::External, OpaqueExtrinsic::try_from_encoded_extrinsic(&xt).unwrap(), genesis).encode();
        let by_name: sp_runtime::transaction_validity::TransactionValidity =
            chain.call_decoded(genesis, "TaggedTransactionQueue_validate_transaction", &args).unwrap();
        let typed = api
            .validate_transaction(
                genesis,
                TransactionSource::External,
                OpaqueExtrinsic::try_from_encoded_extrinsic(&xt).unwrap(),
                genesis,
            )
            .unwrap();
        assert_eq!(typed, by_name);
        assert!(typed.is_ok(), "{typed:?}");
    }

    #[test]
    fn typed_calls_keep_the_executors_checks_and_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();

        // Too deep for the decoding limit: refused before the runtime runs.
        let deep = crate::test_utils::bare_extrinsic(&crate::test_utils::nested_call_bytes(Wrapper::Sudo, 5_000));
        let deep = OpaqueExtrinsic::try_from_encoded_extrinsic(&deep).unwrap();
        let error = chain.runtime_api().validate_transaction(genesis, TransactionSource::External, deep, genesis);
        let error = ChainError::from(error.unwrap_err());
        assert!(matches!(error, ChainError::Executor(ExecutorError::BadInput { .. })), "{error}");

        // An unknown block is the chain's error, not a string.
        let error = ChainError::from(chain.runtime_api().authorities(Hash::repeat_byte(3)).unwrap_err());
        assert!(matches!(error, ChainError::UnknownBlock(_)), "{error}");

        // A runtime panic is caught and typed: a header whose parent is not the state's.
        let bogus =
            ludus_primitives::Header::new(7, Hash::zero(), Hash::zero(), Hash::repeat_byte(1), Default::default());
        let block = ludus_primitives::Block { header: bogus, extrinsics: Vec::new() };
        let error = ChainError::from(chain.runtime_api().execute_block(genesis, block.into()).unwrap_err());
        assert!(matches!(error, ChainError::Executor(ExecutorError::Panicked { .. })), "{error}");
        assert_eq!(chain.info().best_number, 0);
    }

    #[test]
    fn a_typed_instance_signs_only_with_the_keystore_registered_on_it() {
        use sp_api::ApiExt;
        use sp_session::SessionKeys;
        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain(dir.path());
        let genesis = chain.genesis_hash();
        let aura_keys = || sp_keystore::Keystore::keys(&*keystore, sp_core::crypto::key_types::AURA).unwrap();
        let before = aura_keys();

        let refused = chain.runtime_api().generate_session_keys(genesis, Vec::new(), None);
        let refused = ChainError::from(refused.unwrap_err());
        assert!(matches!(refused, ChainError::Executor(ExecutorError::Panicked { .. })), "{refused}");
        assert_eq!(aura_keys(), before, "an instance without extensions added no key");

        let mut api = chain.runtime_api();
        api.register_extension(chain.executor().keystore_ext().unwrap());
        let generated = api.generate_session_keys(genesis, Vec::new(), None).unwrap();
        assert_eq!(aura_keys().len(), before.len() + 1, "the registered keystore received the key");
        let decoded = chain.runtime_api().decode_session_keys(genesis, generated.keys).unwrap().unwrap();
        assert!(sp_keystore::Keystore::has_keys(&*keystore, &decoded));
    }

    #[test]
    fn a_block_built_through_the_typed_api_imports_on_another_node() {
        let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, keystore) = dev_chain(dir_a.path());
        let (b, _) = dev_chain(dir_b.path());
        let genesis = a.expect_header(a.genesis_hash()).unwrap();
        let slot = crate::consensus::slot_at(now_ms(), 1_000);
        let xt = transfer(&pair("//Alice"), AccountId::from(pair("//Bob").public()), LUD, 0, genesis.hash());
        let candidate =
            crate::consensus::authoring::Candidate { hash: ludus_txpool::tx_hash(&xt), bytes: Arc::new(xt) };
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut built = build_block(&a, &genesis, slot, *slot * 1_000, [candidate], deadline).unwrap();
        assert_eq!(built.included.len(), 1);
        seal_block(&keystore, &pair("//Alice").public().into(), &mut built.block).unwrap();

        let hash = built.block.header.hash();
        let outcome = BlockImporter::new(b.clone()).import(built.block.clone(), None, now_ms()).unwrap();
        assert_eq!(outcome, crate::consensus::import::ImportOutcome::Imported { hash, number: 1, is_new_best: true });
        assert_eq!(b.expect_header(hash).unwrap().state_root(), built.block.header.state_root());
        let nonce =
            frame_system::Account::<ludus_runtime::Runtime>::hashed_key_for(AccountId::from(pair("//Alice").public()));
        let account = b.storage(hash, &nonce).unwrap().unwrap();
        let account =
            frame_system::AccountInfo::<u32, pallet_balances::AccountData<u128>>::decode(&mut &account[..]).unwrap();
        assert_eq!(account.nonce, 1, "the transfer was executed on import");
    }
}
