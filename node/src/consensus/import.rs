//! Block import: every check of DESIGN.md decision 3, then one atomic write.
//!
//! A block from outside (a peer, a file, a test) is checked in order: not already
//! known, parent known, number follows the parent and lies above the finalized height,
//! spec version is ours, the Aura slot is after the parent's and not in the future, the
//! seal is the slot author's, the extrinsics root matches, every extrinsic decodes within
//! the nesting limit (`crate::executor::decode`), the inherents are acceptable,
//! and executing it on the parent state gives the header's state root. Only then is it
//! written, block and state together. A refused block leaves nothing behind. A block whose
//! author already sealed another for the same slot is imported, and the equivocation logged
//! with both headers ([`super::equivocation`]).

use std::sync::Arc;

use codec::{Decode, Encode};
use ludus_primitives::{spec_version_of, Block, BlockNumber, Hash, Header};
use parking_lot::Mutex;
use sp_api::{ApiExt, Core, ProvideRuntimeApi};
use sp_block_builder::BlockBuilder;
use sp_consensus_aura::{AuraApi, Slot};
use sp_inherents::InherentData;
use sp_runtime::{traits::Header as HeaderT, Justifications};

use crate::{
    chain::{extrinsics_root, BlockCommit, Chain, ChainError},
    consensus::{self, equivocation::SlotClaims, SealError},
    executor::decode::{decode_extrinsic, DecodeError},
    executor::ExecutorError,
};

/// How far ahead of the local clock a block's slot may be (clock drift between validators).
pub const MAX_FUTURE_SLOTS: u64 = 2;

/// Why a block was refused. Each reason is distinct so peers can be judged by it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The parent is not in the database.
    #[error("unknown parent {0:?}")]
    UnknownParent(Hash),
    /// The number does not follow the parent's.
    #[error("block number {number} does not follow its parent's {parent}")]
    BadNumber {
        /// The block's number.
        number: BlockNumber,
        /// The parent's number.
        parent: BlockNumber,
    },
    /// The block would fork below the finalized block.
    #[error("block #{number} is not above the finalized block #{finalized}")]
    BelowFinalized {
        /// The block's number.
        number: BlockNumber,
        /// The finalized number.
        finalized: BlockNumber,
    },
    /// The parent is above the finalized height but on a fork that does not contain it.
    #[error("block #{number} is on a fork that does not contain the finalized block #{finalized}")]
    NotOnFinalizedChain {
        /// The block's number.
        number: BlockNumber,
        /// The finalized number.
        finalized: BlockNumber,
    },
    /// The header names no spec version, or another than the chain runs at its height.
    #[error("block announces runtime spec version {found:?}, but the chain runs runtime {expected} there")]
    WrongSpecVersion {
        /// The announced version.
        found: Option<u32>,
        /// The runtime at the parent (`Chain::runtime_at`).
        expected: u32,
    },
    /// The chain runs, at this block's height, a runtime this release does not carry.
    #[error(
        "block #{number} is executed by runtime {spec_version}, which this release does not carry (it carries \
         {carried}): install a ludus-node release that carries runtime {spec_version}"
    )]
    UnsupportedSpecVersion {
        /// The block's number.
        number: BlockNumber,
        /// The runtime that executes it.
        spec_version: u32,
        /// The runtimes this release carries.
        carried: String,
    },
    /// The slot digest or the seal is missing or wrong.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The slot does not come after the parent's.
    #[error("slot {slot} is not after the parent's slot {parent_slot}")]
    SlotNotIncreasing {
        /// The block's slot.
        slot: u64,
        /// The parent's slot.
        parent_slot: u64,
    },
    /// The slot is ahead of the local clock.
    #[error("slot {slot} is in the future (now {now})")]
    SlotInFuture {
        /// The block's slot.
        slot: u64,
        /// The current slot by the local clock.
        now: u64,
    },
    /// The parent's state names no authorities.
    #[error("no Aura authorities at the parent block")]
    NoAuthorities,
    /// The extrinsics root in the header does not match the body.
    #[error("extrinsics root mismatch: header has {header:?}, body gives {computed:?}")]
    ExtrinsicsRoot {
        /// The header's root.
        header: Hash,
        /// The root of the body.
        computed: Hash,
    },
    /// The runtime refused the inherents (e.g. a timestamp too far ahead).
    #[error("inherents refused: {0}")]
    Inherents(String),
    /// The state root after execution does not match the header.
    #[error("state root mismatch: the header says {header:?}, execution gives {computed:?}")]
    StateRoot {
        /// The header's root.
        header: Hash,
        /// The root of the state the block's execution produces.
        computed: Hash,
    },
    /// An extrinsic of the block does not decode, or its calls nest deeper than the limit
    /// (an honest author includes only what its pool accepted).
    #[error("extrinsic {index} of the block is malformed: {error}")]
    MalformedExtrinsic {
        /// Its position in the block.
        index: usize,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// The runtime refused the block (an invalid extrinsic, a failed check).
    #[error("block execution failed: {0}")]
    Execution(ExecutorError),
    /// Reading or writing the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl From<sp_api::ApiError> for ImportError {
    fn from(error: sp_api::ApiError) -> Self {
        ImportError::Chain(error.into())
    }
}

/// What import did with a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Written; `is_new_best` tells whether it heads the chain now.
    Imported {
        /// The block's hash.
        hash: Hash,
        /// The block's number.
        number: BlockNumber,
        /// Whether it became the best block.
        is_new_best: bool,
    },
    /// Already in the database; nothing was done.
    AlreadyInChain(Hash),
}

/// Checks and writes blocks into the chain.
pub struct BlockImporter {
    chain: Arc<Chain>,
    /// Who sealed what for recent slots, to catch an author sealing two blocks in one.
    claims: Mutex<SlotClaims>,
}

impl BlockImporter {
    /// An importer for `chain`.
    pub fn new(chain: Arc<Chain>) -> Self {
        Self { chain, claims: Mutex::new(SlotClaims::default()) }
    }

    /// Checks `block` fully and writes it. `now_ms` is the local clock (for the future-slot
    /// and inherent checks).
    pub fn import(
        &self,
        block: Block,
        justifications: Option<Justifications>,
        now_ms: u64,
    ) -> Result<ImportOutcome, ImportError> {
        let hash = block.header.hash();
        if self.chain.header(hash)?.is_some() {
            return Ok(ImportOutcome::AlreadyInChain(hash));
        }
        let parent_hash = *block.header.parent_hash();
        let parent = self.chain.header(parent_hash)?.ok_or(ImportError::UnknownParent(parent_hash))?;
        let number = *block.header.number();
        if number != parent.number() + 1 {
            return Err(ImportError::BadNumber { number, parent: *parent.number() });
        }
        let info = self.chain.info();
        let finalized = info.finalized_number;
        if number <= finalized {
            return Err(ImportError::BelowFinalized { number, finalized });
        }
        if !self.chain.is_descendant(info.finalized_hash, parent_hash)? {
            return Err(ImportError::NotOnFinalizedChain { number, finalized });
        }
        // The runtime at the parent executes this block; the header must say so, and this
        // release must carry it.
        let expected = self.chain.runtime_at(parent_hash)?;
        let found = spec_version_of(&block.header);
        if found != Some(expected) {
            return Err(ImportError::WrongSpecVersion { found, expected });
        }
        let runtimes = self.chain.executor().runtimes();
        if !runtimes.carries(expected) {
            return Err(ImportError::UnsupportedSpecVersion {
                number,
                spec_version: expected,
                carried: runtimes.describe(),
            });
        }

        let (unsealed, signature) = consensus::take_seal(block.header.clone())?;
        let slot = consensus::slot_of(&unsealed)?;
        let parent_slot = parent_slot(&parent)?;
        if slot <= parent_slot {
            return Err(ImportError::SlotNotIncreasing { slot: *slot, parent_slot: *parent_slot });
        }
        let slot_duration = self.slot_duration(parent_hash)?;
        let now = consensus::slot_at(now_ms, slot_duration);
        if *slot > *now + MAX_FUTURE_SLOTS {
            return Err(ImportError::SlotInFuture { slot: *slot, now: *now });
        }
        let authorities = self.chain.runtime_api().authorities(parent_hash)?;
        let author = consensus::slot_author(slot, &authorities).ok_or(ImportError::NoAuthorities)?;
        consensus::check_seal(&unsealed, &signature, author)?;
        // A second block sealed for this slot is still imported (as a fork; fork choice and
        // finality decide between them), but the offence is logged with its proof.
        if let Some(equivocation) = self.claims.lock().note(slot, author, &block.header, now) {
            tracing::warn!(target: "import", "{equivocation}");
        }

        let computed = extrinsics_root(&block);
        if computed != *block.header.extrinsics_root() {
            return Err(ImportError::ExtrinsicsRoot { header: *block.header.extrinsics_root(), computed });
        }

        // The runtime decodes a block's extrinsics without a depth limit: prove it safe first.
        for (index, extrinsic) in block.extrinsics.iter().enumerate() {
            decode_extrinsic(&extrinsic.encode()).map_err(|error| ImportError::MalformedExtrinsic { index, error })?;
        }

        let unsealed_block = Block { header: unsealed, extrinsics: block.extrinsics.clone() };
        self.check_inherents(parent_hash, &unsealed_block, now_ms)?;
        let state_transaction = self.execute(parent_hash, &unsealed_block)?;

        let transactions = block.extrinsics.len();
        let is_new_best = self.chain.commit(BlockCommit {
            block,
            justifications,
            state_transaction,
            is_new_best: false,
            finalize: false,
        })?;
        tracing::info!(
            target: "import",
            "Imported #{number} ({}) {transactions} extrinsics{}",
            ludus_primitives::short(&hash),
            if is_new_best { ", new best" } else { "" },
        );
        Ok(ImportOutcome::Imported { hash, number, is_new_best })
    }

    fn slot_duration(&self, at: Hash) -> Result<u64, ImportError> {
        Ok(self.chain.slot_duration(at)?.as_millis())
    }

    fn check_inherents(&self, parent: Hash, block: &Block, now_ms: u64) -> Result<(), ImportError> {
        let mut data = InherentData::new();
        data.put_data(sp_timestamp::INHERENT_IDENTIFIER, &now_ms).map_err(|e| ImportError::Inherents(e.to_string()))?;
        let result = self.chain.runtime_api().check_inherents(parent, block.clone().into(), data)?;
        if result.ok() {
            return Ok(());
        }
        let errors: Vec<String> = result
            .into_errors()
            .map(|(id, bytes)| format!("{}: {}", String::from_utf8_lossy(&id), hex::encode(bytes)))
            .collect();
        Err(ImportError::Inherents(errors.join(", ")))
    }

    /// Executes the unsealed block on its parent's state and returns the trie changes, once
    /// the root of those changes is the header's state root.
    fn execute(
        &self,
        parent: Hash,
        block: &Block,
    ) -> Result<sp_state_machine::BackendTransaction<ludus_primitives::Hashing>, ImportError> {
        let state = self.chain.state_at(parent)?;
        let api = self.chain.runtime_api();
        let header_root = *block.header.state_root();
        match api.execute_block(parent, block.clone().into()).map_err(ChainError::from) {
            Ok(()) => {}
            Err(ChainError::Executor(error)) => return Err(self.refusal(parent, block, error)),
            Err(other) => return Err(other.into()),
        }
        let changes =
            api.into_storage_changes(&state, parent).map_err(|error| ChainError::State { block: parent, error })?;
        if changes.transaction_storage_root != header_root {
            return Err(ImportError::StateRoot { header: header_root, computed: changes.transaction_storage_root });
        }
        Ok(changes.transaction)
    }

    /// Why the runtime refused `block`. Its `execute_block` checks the state root last and
    /// refuses a wrong one like any other fault, so the block is replayed through the
    /// block-builder APIs, which do not check the root: if everything else the header states
    /// comes out the same and the root of the state changes differs, the state root is what
    /// is wrong. Only refused blocks pay for the replay.
    fn refusal(&self, parent: Hash, block: &Block, error: ExecutorError) -> ImportError {
        match self.replayed_state_root(parent, block) {
            Ok(Some(computed)) if computed != *block.header.state_root() => {
                ImportError::StateRoot { header: *block.header.state_root(), computed }
            }
            _ => ImportError::Execution(error),
        }
    }

    /// The state root of `block` applied extrinsic by extrinsic on `parent`; `None` if an
    /// extrinsic is refused or the header's digest or extrinsics root is not what the
    /// runtime computes (then the block is wrong for another reason).
    fn replayed_state_root(&self, parent: Hash, block: &Block) -> Result<Option<Hash>, ChainError> {
        let state = self.chain.state_at(parent)?;
        let api = self.chain.runtime_api();
        let mut header = block.header.clone();
        header.state_root = Hash::zero();
        header.extrinsics_root = Hash::zero();
        api.initialize_block(parent, &header)?;
        for extrinsic in &block.extrinsics {
            // A dispatch error (`Ok(Err(_))`) is a valid part of a block; a validity error is not.
            if api.apply_extrinsic(parent, extrinsic.clone())?.is_err() {
                return Ok(None);
            }
        }
        let computed = api.finalize_block(parent)?;
        if computed.digest() != block.header.digest() || computed.extrinsics_root() != block.header.extrinsics_root() {
            return Ok(None);
        }
        let changes =
            api.into_storage_changes(&state, parent).map_err(|error| ChainError::State { block: parent, error })?;
        Ok(Some(changes.transaction_storage_root))
    }
}

/// The slot of `parent`; genesis has none and counts as slot 0.
pub fn parent_slot(parent: &Header) -> Result<Slot, ImportError> {
    if *parent.number() == 0 {
        return Ok(Slot::from(0));
    }
    Ok(consensus::slot_of(parent)?)
}

/// Decodes `bytes` as a block, for callers holding raw input.
pub fn decode_block(bytes: &[u8]) -> Result<Block, codec::Error> {
    Block::decode(&mut &bytes[..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        chain::Chain,
        consensus::authoring::{build_block, seal_block, Candidate},
        test_utils::{dev_chain, pair, transfer},
    };
    use ludus_primitives::{now_ms, AccountId, LUD};
    use sp_consensus_aura::sr25519::AuthorityId;
    use sp_core::Pair;
    use sp_keystore::KeystorePtr;
    use std::time::{Duration, Instant};

    struct Node {
        _dir: tempfile::TempDir,
        chain: Arc<Chain>,
        keystore: KeystorePtr,
    }

    fn node() -> Node {
        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain(dir.path());
        Node { _dir: dir, chain, keystore }
    }

    fn alice_authority() -> AuthorityId {
        pair("//Alice").public().into()
    }

    /// Builds and seals a block on `node`'s best with `txs`, without writing it.
    fn author(node: &Node, txs: Vec<Vec<u8>>) -> (Block, Vec<Hash>) {
        let info = node.chain.info();
        let parent = node.chain.expect_header(info.best_hash).unwrap();
        let slot = consensus::slot_at(now_ms(), 1_000);
        let candidates =
            txs.into_iter().map(|bytes| Candidate { hash: ludus_txpool::tx_hash(&bytes), bytes: Arc::new(bytes) });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut built = build_block(&node.chain, &parent, slot, *slot * 1_000, candidates, deadline).unwrap();
        seal_block(&node.keystore, &alice_authority(), &mut built.block).unwrap();
        (built.block, built.included)
    }

    fn reseal(node: &Node, mut block: Block) -> Block {
        block.header.digest_mut().pop();
        seal_block(&node.keystore, &alice_authority(), &mut block).unwrap();
        block
    }

    fn transfers(genesis: Hash, count: u32) -> Vec<Vec<u8>> {
        let alice = pair("//Alice");
        (0..count)
            .map(|nonce| {
                let dest = AccountId::from(pair(&format!("//recipient/{nonce}")).public());
                transfer(&alice, dest, 10 * LUD, nonce, genesis)
            })
            .collect()
    }

    fn assert_unchanged(node: &Node, block: &Block) {
        let info = node.chain.info();
        assert_eq!(info.best_number, 0, "nothing of a refused block is stored");
        assert!(node.chain.header(block.header.hash()).unwrap().is_none());
    }

    #[test]
    fn a_second_fresh_node_imports_the_block_to_the_same_state_root() {
        let a = node();
        let b = node();
        assert_eq!(a.chain.genesis_hash(), b.chain.genesis_hash(), "same spec, same genesis");
        let (block, included) = author(&a, transfers(a.chain.genesis_hash(), 3));
        assert_eq!(included.len(), 3);

        let outcome = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap();
        let hash = block.header.hash();
        assert_eq!(outcome, ImportOutcome::Imported { hash, number: 1, is_new_best: true });
        let stored = b.chain.expect_header(hash).unwrap();
        assert_eq!(stored.state_root(), block.header.state_root());
        assert_eq!(b.chain.info().best_hash, hash);

        // The recipients' balances are readable from the imported state.
        let key = frame_system::Account::<ludus_runtime::Runtime>::hashed_key_for(AccountId::from(
            pair("//recipient/0").public(),
        ));
        let account = b.chain.storage(hash, &key).unwrap().expect("recipient exists");
        let info =
            frame_system::AccountInfo::<u32, pallet_balances::AccountData<u128>>::decode(&mut &account[..]).unwrap();
        assert_eq!(info.data.free, 10 * LUD);

        // Importing it again is a no-op.
        assert_eq!(
            BlockImporter::new(b.chain.clone()).import(block, None, now_ms()).unwrap(),
            ImportOutcome::AlreadyInChain(hash)
        );
    }

    #[test]
    fn a_wrong_state_root_is_refused_and_nothing_is_stored() {
        let a = node();
        let b = node();
        let (mut block, _) = author(&a, transfers(a.chain.genesis_hash(), 1));
        let honest_root = block.header.state_root;
        block.header.state_root = Hash::repeat_byte(7);
        let block = reseal(&a, block);
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        let ImportError::StateRoot { header, computed } = error else { panic!("a state root mismatch: {error}") };
        assert_eq!((header, computed), (Hash::repeat_byte(7), honest_root), "both roots are reported");
        assert_unchanged(&b, &block);
    }

    #[test]
    fn a_bad_seal_is_refused() {
        let a = node();
        let b = node();
        let (mut block, _) = author(&a, Vec::new());
        block.header.digest_mut().pop();
        let bob = pair("//Bob");
        let signature = bob.sign(block.header.hash().as_ref());
        block.header.digest_mut().push(consensus::seal_item(&signature));
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::Seal(SealError::BadSignature { .. })), "{error}");
        assert_unchanged(&b, &block);

        let (mut unsealed, _) = author(&a, Vec::new());
        unsealed.header.digest_mut().pop();
        let error = BlockImporter::new(b.chain.clone()).import(unsealed.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::Seal(SealError::MissingSeal)), "{error}");
    }

    #[test]
    fn an_unknown_parent_is_refused() {
        let a = node();
        let b = node();
        let (mut block, _) = author(&a, Vec::new());
        block.header.parent_hash = Hash::repeat_byte(9);
        let block = reseal(&a, block);
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::UnknownParent(_)), "{error}");
        assert_unchanged(&b, &block);
    }

    #[test]
    fn an_invalid_extrinsic_is_refused() {
        let a = node();
        let b = node();
        let genesis = a.chain.genesis_hash();
        let (mut block, _) = author(&a, transfers(genesis, 1));
        // Swap the transfer for one whose signature is Bob's, not Alice's.
        let honest = transfer(&pair("//Alice"), AccountId::from(pair("//Bob").public()), LUD, 0, genesis);
        let mut xt = ludus_runtime::UncheckedExtrinsic::decode(&mut &honest[..]).unwrap();
        if let sp_runtime::generic::Preamble::Signed(_, signature, _) = &mut xt.preamble {
            *signature = pair("//Bob").sign(b"forged").into();
        }
        let forged = xt.encode();
        block.extrinsics[1] = sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(&forged).unwrap();
        block.header.extrinsics_root = crate::chain::extrinsics_root(&block);
        let block = reseal(&a, block);
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::Execution(_)), "{error}");
        assert_unchanged(&b, &block);
    }

    #[test]
    fn an_extrinsic_nested_too_deep_is_refused_before_the_runtime_sees_it() {
        use crate::test_utils::{bare_extrinsic, nested_call_bytes, Wrapper};
        let a = node();
        let b = node();
        let (mut block, _) = author(&a, transfers(a.chain.genesis_hash(), 1));
        let deep = bare_extrinsic(&nested_call_bytes(Wrapper::Sudo, 100_000));
        block.extrinsics[1] = sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(&deep).unwrap();
        block.header.extrinsics_root = crate::chain::extrinsics_root(&block);
        let block = reseal(&a, block);
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::MalformedExtrinsic { index: 1, error: DecodeError::TooDeep }), "{error}");
        assert_unchanged(&b, &block);
    }

    #[test]
    fn a_body_that_does_not_match_the_extrinsics_root_is_refused() {
        let a = node();
        let b = node();
        let (mut block, _) = author(&a, transfers(a.chain.genesis_hash(), 2));
        block.extrinsics.pop();
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::ExtrinsicsRoot { .. }), "{error}");
        assert_unchanged(&b, &block);
    }

    #[test]
    fn a_block_of_another_spec_version_is_refused() {
        let a = node();
        let b = node();
        let (mut block, _) = author(&a, Vec::new());
        block.header.digest_mut().logs.retain(|item| !matches!(item, sp_runtime::DigestItem::PreRuntime(id, _) if *id == ludus_primitives::SPEC_VERSION_ENGINE_ID));
        block.header.digest_mut().pop();
        block.header.digest_mut().push(ludus_primitives::spec_version_digest(99_999));
        seal_block(&a.keystore, &alice_authority(), &mut block).unwrap();
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms()).unwrap_err();
        assert!(matches!(error, ImportError::WrongSpecVersion { found: Some(99_999), .. }), "{error}");
        assert_unchanged(&b, &block);
    }

    #[test]
    fn a_slot_from_the_future_is_refused() {
        let a = node();
        let b = node();
        let (block, _) = author(&a, Vec::new());
        // The importer's clock is an hour behind the author's.
        let error = BlockImporter::new(b.chain.clone()).import(block.clone(), None, now_ms() - 3_600_000).unwrap_err();
        assert!(matches!(error, ImportError::SlotInFuture { .. }), "{error}");
        assert_unchanged(&b, &block);
    }
}
