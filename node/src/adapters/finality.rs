//! The chain as GRANDPA sees it: [`ludus_finality::FinalityChain`] over [`Chain`].
//!
//! The voter itself, its persistence and its messages live in `ludus-finality`; this adapter
//! only answers its questions from the database and writes its decisions back.

use std::sync::Arc;

use ludus_finality::{ChainAccessError, FinalityChain};
use ludus_primitives::{BlockNumber, Hash, Header};
use sp_api::ProvideRuntimeApi;
use sp_consensus_grandpa::GrandpaApi;
use sp_runtime::traits::Header as HeaderT;

use crate::chain::{Chain, ChainError};

/// GRANDPA's view of the node's chain.
pub struct GrandpaChain(pub Arc<Chain>);

impl FinalityChain for GrandpaChain {
    fn header(&self, hash: &Hash) -> Result<Option<Header>, ChainAccessError> {
        self.0.header(*hash).map_err(ChainAccessError::backend)
    }

    fn finalized(&self) -> (Hash, BlockNumber) {
        let info = self.0.info();
        (info.finalized_hash, info.finalized_number)
    }

    fn best(&self) -> Header {
        let info = self.0.info();
        // The best block's header is always stored; genesis stands in if the database fails.
        self.0.header(info.best_hash).ok().flatten().unwrap_or_else(|| {
            Header::new(info.best_number, Hash::zero(), Hash::zero(), Hash::zero(), Default::default())
        })
    }

    fn best_descendant_of(&self, base: &Hash) -> Result<Option<Header>, ChainAccessError> {
        self.0.best_descendant_of(*base).map_err(ChainAccessError::backend)
    }

    fn finalize(&self, hash: Hash, justification: Vec<u8>) -> Result<(), ChainAccessError> {
        self.0
            .finalize(hash, Some((sp_consensus_grandpa::GRANDPA_ENGINE_ID, justification)))
            .map_err(ChainAccessError::backend)
    }

    fn genesis_authorities(&self) -> Result<sp_consensus_grandpa::AuthorityList, ChainAccessError> {
        let genesis = self.0.genesis_hash();
        self.0.runtime_api().grandpa_authorities(genesis).map_err(|e| ChainAccessError::backend(ChainError::from(e)))
    }
}
