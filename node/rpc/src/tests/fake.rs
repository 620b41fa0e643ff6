//! In-memory stand-ins for the node, for the RPC tests only.

use std::{
    borrow::Cow,
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex,
    },
};

use codec::{Decode, Encode};
use futures::stream::BoxStream;
use ludus_primitives::{AccountId, Block, BlockNumber, Hash, Header, Nonce, SignedBlock};
use pallet_transaction_payment_rpc_runtime_api::{FeeDetails, InclusionFee, RuntimeDispatchInfo};
use sp_runtime::{
    generic::{Digest, DigestItem},
    traits::{BlakeTwo256, Hash as HashT, Header as _},
    Justifications, OpaqueExtrinsic,
};
use sp_version::RuntimeVersion;
use tokio::sync::broadcast;

use crate::backend::*;

/// Storage key holding the fake runtime's `spec_version` (SCALE u32).
pub const SPEC_KEY: &[u8] = b"spec";
/// A fee larger than `u64::MAX`, to check it is rendered as a decimal string.
pub const PARTIAL_FEE: u128 = 1_000_000_000_000_000_000_000;
/// The account whose next nonce is 5, and who holds game assets in [`GAME_COLLECTION`].
pub const RICH: AccountId = AccountId::new([1; 32]);
/// Storage key holding the supply (SCALE u128, 1000 when absent) of token 1 of
/// [`GAME_COLLECTION`], so game-asset answers differ between blocks.
pub const GAME_SUPPLY_KEY: &[u8] = b"game:supply";
/// A collection with metadata, a royalty, tokens 0 and 1 and attributes.
pub const GAME_COLLECTION: u32 = 7;
/// A collection with neither metadata nor royalty.
pub const BARE_COLLECTION: u32 = 8;
/// A collection whose runtime calls trap.
pub const TRAPPING_COLLECTION: u32 = 666;
/// A collection the runtime answers with bytes that do not decode.
pub const GARBLED_COLLECTION: u32 = 999;
/// The owner of [`GAME_COLLECTION`].
pub const STUDIO: AccountId = AccountId::new([7; 32]);
/// The royalty beneficiary of [`GAME_COLLECTION`].
pub const ARTIST: AccountId = AccountId::new([8; 32]);
/// [`RICH`]'s holdings in [`GAME_COLLECTION`], by token.
pub const RICH_HOLDINGS: [(u32, u128); 5] = [(0, 5), (1, 1), (3, u128::MAX), (4, 2), (9, 1)];
/// A LUD deposit above `u64::MAX`.
pub const BIG_DEPOSIT: u128 = 18_446_744_073_709_551_616_000;
/// Storage key whose presence means bridge checkpoint 1 has collected its signatures, so
/// bridge answers differ between blocks.
pub const BRIDGE_SIGNED_KEY: &[u8] = b"bridge:signed";
/// The withdrawal that is burnt but not yet in a checkpoint.
pub const PENDING_WITHDRAWAL: u64 = 4;
/// Storage key whose presence means bridge validator set 1 ([`bridge_validator_set`]) took
/// over from set 0.
pub const BRIDGE_HANDOFF_KEY: &[u8] = b"bridge:handoff";
/// Storage key of the lowest unexecuted deposit nonce (SCALE `u64`); 1 when absent.
pub const BRIDGE_LOWEST_NONCE_KEY: &[u8] = b"bridge:lowestNonce";
/// A withdrawal id / checkpoint number / set id whose bridge runtime calls trap.
pub const TRAPPING_BRIDGE_ID: u64 = 666;
/// A withdrawal id / checkpoint number / set id the runtime answers with bytes that do not decode.
pub const GARBLED_BRIDGE_ID: u64 = 999;

type State = BTreeMap<Vec<u8>, Vec<u8>>;

struct Inner {
    canon: Vec<Hash>,
    blocks: HashMap<Hash, SignedBlock>,
    state: HashMap<Hash, State>,
    best: Hash,
    finalized: Hash,
}

/// A runtime API call the fake received: block, method, SCALE arguments.
pub type RecordedCall = (Hash, String, Vec<u8>);

/// A chain in memory. Blocks are built by [`FakeChain::import`].
pub struct FakeChain {
    inner: Mutex<Inner>,
    best_tx: broadcast::Sender<Header>,
    imported_tx: broadcast::Sender<Header>,
    finalized_tx: broadcast::Sender<Header>,
    /// Every `GameAssetsApi_*` call, in order.
    pub game_calls: Mutex<Vec<RecordedCall>>,
    /// Every `BridgeApi_*` call, in order.
    pub bridge_calls: Mutex<Vec<RecordedCall>>,
    /// How many `storage` reads the chain has answered.
    pub storage_reads: AtomicUsize,
    /// How many `Core_version` calls the chain has answered.
    pub version_calls: AtomicUsize,
    /// `Slow` calls running now, and the most that ever ran at once.
    pub slow_running: AtomicUsize,
    pub slow_most: AtomicUsize,
}

fn digest() -> Digest {
    Digest { logs: vec![DigestItem::PreRuntime(*b"aura", vec![1, 2])] }
}

impl FakeChain {
    pub fn new() -> Self {
        let mut state = State::new();
        state.insert(SPEC_KEY.to_vec(), 100u32.encode());
        state.insert(b"balances:alice".to_vec(), b"10".to_vec());
        state.insert(b"balances:bob".to_vec(), b"20".to_vec());
        state.insert(b"balances:carol".to_vec(), b"30".to_vec());
        state.insert(b"other".to_vec(), b"x".to_vec());
        let header = Header::new(
            0,
            Hash::repeat_byte(0xe0),
            BlakeTwo256::hash(&state.encode()),
            Hash::zero(),
            Digest::default(),
        );
        let hash = header.hash();
        let block = SignedBlock { block: Block { header, extrinsics: vec![] }, justifications: None };
        let (best_tx, _) = broadcast::channel(16);
        let (imported_tx, _) = broadcast::channel(16);
        let (finalized_tx, _) = broadcast::channel(16);
        Self {
            inner: Mutex::new(Inner {
                canon: vec![hash],
                blocks: HashMap::from([(hash, block)]),
                state: HashMap::from([(hash, state)]),
                best: hash,
                finalized: hash,
            }),
            best_tx,
            imported_tx,
            finalized_tx,
            game_calls: Mutex::new(Vec::new()),
            bridge_calls: Mutex::new(Vec::new()),
            storage_reads: AtomicUsize::new(0),
            version_calls: AtomicUsize::new(0),
            slow_running: AtomicUsize::new(0),
            slow_most: AtomicUsize::new(0),
        }
    }

    /// Builds a block on the best block applying `changes`; makes it best if `best`.
    pub fn import(&self, changes: &[(&[u8], Option<&[u8]>)], best: bool) -> SignedBlock {
        let mut inner = self.inner.lock().unwrap();
        let parent = inner.blocks[&inner.best].block.header.clone();
        let mut state = inner.state[&parent.hash()].clone();
        for (key, value) in changes {
            match value {
                Some(v) => state.insert(key.to_vec(), v.to_vec()),
                None => state.remove(*key),
            };
        }
        let extrinsics = vec![OpaqueExtrinsic::from_blob(vec![4, 5, 6])];
        let header = Header::new(
            parent.number + 1,
            BlakeTwo256::hash(&extrinsics.encode()),
            // Forks with equal state still get distinct hashes through the root.
            BlakeTwo256::hash(&(&state, best).encode()),
            parent.hash(),
            digest(),
        );
        let hash = header.hash();
        let block = SignedBlock {
            block: Block { header: header.clone(), extrinsics },
            justifications: Some(Justifications::from((*b"FRNK", vec![7, 8, 9]))),
        };
        inner.blocks.insert(hash, block.clone());
        inner.state.insert(hash, state);
        let _ = self.imported_tx.send(header.clone());
        if best {
            inner.best = hash;
            inner.canon.push(hash);
            let _ = self.best_tx.send(header);
        }
        block
    }

    /// Marks the best block finalized.
    pub fn finalize_best(&self) -> Header {
        let mut inner = self.inner.lock().unwrap();
        inner.finalized = inner.best;
        let header = inner.blocks[&inner.best].block.header.clone();
        let _ = self.finalized_tx.send(header.clone());
        header
    }

    pub fn info_best_header(&self) -> Header {
        let inner = self.inner.lock().unwrap();
        inner.blocks[&inner.best].block.header.clone()
    }

    pub fn finalized_header(&self) -> Header {
        let inner = self.inner.lock().unwrap();
        inner.blocks[&inner.finalized].block.header.clone()
    }

    pub fn genesis(&self) -> SignedBlock {
        let inner = self.inner.lock().unwrap();
        inner.blocks[&inner.canon[0]].clone()
    }

    fn state_at(&self, at: Hash) -> Result<State, BackendError> {
        self.inner.lock().unwrap().state.get(&at).cloned().ok_or_else(|| unknown(at))
    }
}

fn unknown(at: Hash) -> BackendError {
    BackendError::UnknownBlock(format!("Header was not found in the database: {at:?}"))
}

pub fn runtime_version(spec_version: u32) -> RuntimeVersion {
    RuntimeVersion {
        spec_name: "ludus".into(),
        impl_name: "ludus-node".into(),
        authoring_version: 1,
        spec_version,
        impl_version: 2,
        apis: Cow::Owned(vec![([0xdf, 0x6a, 0xcb, 0x68, 0x99, 0x07, 0x60, 0x9b], 5)]),
        transaction_version: 3,
        system_version: 1,
    }
}

impl ChainBackend for FakeChain {
    fn info(&self) -> ChainInfo {
        let inner = self.inner.lock().unwrap();
        ChainInfo {
            genesis_hash: inner.canon[0],
            best_hash: inner.best,
            best_number: inner.blocks[&inner.best].block.header.number,
            finalized_hash: inner.finalized,
            finalized_number: inner.blocks[&inner.finalized].block.header.number,
        }
    }

    fn hash(&self, number: BlockNumber) -> Result<Option<Hash>, BackendError> {
        Ok(self.inner.lock().unwrap().canon.get(number as usize).copied())
    }

    fn header(&self, hash: Hash) -> Result<Option<Header>, BackendError> {
        Ok(self.inner.lock().unwrap().blocks.get(&hash).map(|b| b.block.header.clone()))
    }

    fn block(&self, hash: Hash) -> Result<Option<SignedBlock>, BackendError> {
        Ok(self.inner.lock().unwrap().blocks.get(&hash).cloned())
    }

    fn call(&self, at: Hash, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError> {
        let state = self.state_at(at)?;
        match method {
            "Core_version" => {
                self.version_calls.fetch_add(1, Ordering::SeqCst);
                let spec = u32::decode(&mut &state[SPEC_KEY][..]).unwrap();
                Ok(runtime_version(spec).encode())
            }
            "Metadata_metadata" => Ok(b"meta\x0f".to_vec().encode()),
            "Echo" => Ok(args.to_vec()),
            // A runtime call that takes a while, counting how many run at once.
            "Slow" => {
                let running = self.slow_running.fetch_add(1, Ordering::SeqCst) + 1;
                self.slow_most.fetch_max(running, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                self.slow_running.fetch_sub(1, Ordering::SeqCst);
                Ok(args.to_vec())
            }
            m if m.starts_with("GameAssetsApi_") => {
                self.game_calls.lock().unwrap().push((at, m.to_owned(), args.to_vec()));
                game_assets_api(&state, m, args)
            }
            m if m.starts_with("BridgeApi_") => {
                self.bridge_calls.lock().unwrap().push((at, m.to_owned(), args.to_vec()));
                bridge_api(&state, m, args)
            }
            "TransactionPaymentApi_query_info" | "TransactionPaymentApi_query_fee_details" => {
                let mut input = args;
                let xt = OpaqueExtrinsic::decode(&mut input).map_err(|e| BackendError::Execution(e.to_string()))?;
                let len = u32::decode(&mut input).map_err(|e| BackendError::Execution(e.to_string()))?;
                assert!(input.is_empty(), "trailing arguments");
                assert_eq!(len as usize, xt.encode().len(), "len is the encoded length");
                if xt.inner() == [0xee] {
                    return Err(BackendError::Execution("wasm trap: unreachable".into()));
                }
                if method.ends_with("query_info") {
                    Ok(RuntimeDispatchInfo::<u128> {
                        weight: sp_weights::Weight::from_parts(1000 + u64::from(len), 64),
                        partial_fee: PARTIAL_FEE,
                        ..Default::default()
                    }
                    .encode())
                } else {
                    Ok(FeeDetails::<u128> {
                        inclusion_fee: Some(InclusionFee {
                            base_fee: 100,
                            len_fee: u128::from(u64::MAX) + 1,
                            adjusted_weight_fee: 7,
                        }),
                        tip: 0,
                    }
                    .encode())
                }
            }
            other => Err(BackendError::Execution(format!("Exported method {other} is not found"))),
        }
    }

    fn storage(&self, at: Hash, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.storage_reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.state_at(at)?.get(key).cloned())
    }

    fn storage_keys_paged(
        &self,
        at: Hash,
        prefix: &[u8],
        count: u32,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>, BackendError> {
        Ok(self
            .state_at(at)?
            .into_keys()
            .filter(|k| k.starts_with(prefix) && start_key.is_none_or(|s| k.as_slice() > s))
            .take(count as usize)
            .collect())
    }

    fn read_proof(&self, at: Hash, keys: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, BackendError> {
        let state = self.state_at(at)?;
        Ok(keys.iter().filter_map(|k| state.get(k).map(|v| [k.clone(), v.clone()].concat())).collect())
    }

    fn subscribe_best(&self) -> broadcast::Receiver<Header> {
        self.best_tx.subscribe()
    }

    fn subscribe_imported(&self) -> broadcast::Receiver<Header> {
        self.imported_tx.subscribe()
    }

    fn subscribe_finalized(&self) -> broadcast::Receiver<Header> {
        self.finalized_tx.subscribe()
    }
}

fn bad_args(e: codec::Error) -> BackendError {
    BackendError::Execution(format!("bad arguments: {e}"))
}

/// Attributes of [`GAME_COLLECTION`] (`None`) and of its token 0.
fn game_attributes(collection: u32, token: Option<u32>) -> Vec<(Vec<u8>, Vec<u8>)> {
    match (collection, token) {
        (GAME_COLLECTION, None) => {
            vec![(b"season".to_vec(), b"1".to_vec()), (vec![0xff, 0x00], vec![0xc3, 0x28])]
        }
        (GAME_COLLECTION, Some(0)) => vec![(b"rarity".to_vec(), "l\u{e9}gendaire".as_bytes().to_vec())],
        _ => vec![],
    }
}

/// Answers `GameAssetsApi_*` as the runtime would, with the pallet's types, decoding the
/// arguments strictly (all of them, nothing left over) to catch encoding mistakes.
fn game_assets_api(state: &State, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError> {
    use codec::DecodeAll;
    use pallet_game_assets::types::*;
    let collection = u32::decode(&mut &args[..]).map_err(bad_args)?;
    if collection == TRAPPING_COLLECTION {
        return Err(BackendError::Execution("wasm trap: unreachable".into()));
    }
    if collection == GARBLED_COLLECTION {
        return Ok(vec![1, 2, 3]);
    }
    Ok(match method {
        "GameAssetsApi_balances" => {
            let (_, who, start, limit) = <(u32, AccountId, u32, u32)>::decode_all(&mut &args[..]).map_err(bad_args)?;
            let held: Vec<(u32, u128)> = if collection == GAME_COLLECTION && who == RICH {
                RICH_HOLDINGS.iter().copied().filter(|(t, _)| *t >= start).collect()
            } else {
                vec![]
            };
            let limit = limit.min(pallet_game_assets::runtime_api::MAX_PAGE_SIZE) as usize;
            let next = held.get(limit).map(|(t, _)| *t);
            BalancesPage { balances: held.into_iter().take(limit).collect(), next }.encode()
        }
        "GameAssetsApi_token" => {
            let (_, token) = <(u32, u32)>::decode_all(&mut &args[..]).map_err(bad_args)?;
            let details = match (collection, token) {
                (GAME_COLLECTION, 0) => Some(TokenDetails::<AccountId, u128> {
                    max_supply: 1,
                    supply: 1,
                    frozen: true,
                    attributes: 1,
                    depositor: STUDIO,
                    deposit: 10,
                }),
                (GAME_COLLECTION, 1) => Some(TokenDetails::<AccountId, u128> {
                    max_supply: u128::MAX,
                    supply: state.get(GAME_SUPPLY_KEY).map_or(1_000, |v| u128::decode(&mut &v[..]).unwrap()),
                    frozen: false,
                    attributes: 0,
                    depositor: ARTIST,
                    deposit: BIG_DEPOSIT,
                }),
                _ => None,
            };
            details.encode()
        }
        "GameAssetsApi_collection" => {
            u32::decode_all(&mut &args[..]).map_err(bad_args)?;
            let details = match collection {
                GAME_COLLECTION => Some(CollectionDetails::<AccountId, u128> {
                    owner: STUDIO,
                    deposit: BIG_DEPOSIT,
                    policy: CollectionPolicy { transferable: false, burnable_by_holder: true },
                    royalty: Some(Royalty { bps: 250, beneficiary: ARTIST }),
                    frozen: false,
                    next_token_id: 2,
                    tokens: 2,
                    attributes: 2,
                    role_holders: 3,
                    next_recipe_id: 4,
                    recipes: 1,
                }),
                BARE_COLLECTION => Some(CollectionDetails::<AccountId, u128> {
                    owner: RICH,
                    deposit: 0,
                    policy: CollectionPolicy::default(),
                    royalty: None,
                    frozen: true,
                    next_token_id: 0,
                    tokens: 0,
                    attributes: 0,
                    role_holders: 0,
                    next_recipe_id: 0,
                    recipes: 0,
                }),
                _ => None,
            };
            details.encode()
        }
        "GameAssetsApi_collection_metadata" => {
            u32::decode_all(&mut &args[..]).map_err(bad_args)?;
            let metadata: Option<(Vec<u8>, Vec<u8>)> =
                (collection == GAME_COLLECTION).then(|| (b"Sword Saga".to_vec(), vec![0x69, 0x70, 0x66, 0x73, 0xfe]));
            metadata.encode()
        }
        "GameAssetsApi_attributes" => {
            let (_, token) = <(u32, Option<u32>)>::decode_all(&mut &args[..]).map_err(bad_args)?;
            game_attributes(collection, token).encode()
        }
        "GameAssetsApi_attribute" => {
            let (_, token, key) = <(u32, Option<u32>, Vec<u8>)>::decode_all(&mut &args[..]).map_err(bad_args)?;
            game_attributes(collection, token).into_iter().find(|(k, _)| *k == key).map(|(_, v)| v).encode()
        }
        other => return Err(BackendError::Execution(format!("Exported method {other} is not found"))),
    })
}

/// Withdrawals 1 to 3, the withdrawals of bridge checkpoint 1: ETH with a relayer's fee, an
/// amount above `u64::MAX` with no fee and `u128::MAX` with a fee just below it.
pub fn checkpointed_withdrawals() -> [ludus_primitives::bridge::Withdrawal; 3] {
    use ludus_primitives::bridge::Withdrawal;
    [
        Withdrawal {
            id: 1,
            token: [0; 20],
            recipient: [0xaa; 20],
            amount: 1_000_000_000_000_000_000,
            fee: 1_000_000_000_000_000,
        },
        Withdrawal { id: 2, token: [0x11; 20], recipient: [0xbb; 20], amount: BIG_DEPOSIT, fee: 0 },
        Withdrawal { id: 3, token: [0x11; 20], recipient: [0xcc; 20], amount: u128::MAX, fee: u128::MAX - 1 },
    ]
}

/// The bridge's L1 parameters: the L1 chain and Vault the leaves of [`bridge_checkpoint`] are
/// bound to, and the Checkpoints contract its signatures are for.
pub fn bridge_l1_params() -> pallet_bridge::types::L1Parameters {
    pallet_bridge::types::L1Parameters {
        chain_id: 31337,
        vault: sp_core::H160::repeat_byte(0x55),
        checkpoints_contract: sp_core::H160::repeat_byte(0x44),
    }
}

/// Withdrawal `w`'s leaf for the Vault of [`bridge_l1_params`].
pub fn bridge_leaf(w: &ludus_primitives::bridge::Withdrawal) -> Hash {
    let params = bridge_l1_params();
    w.leaf(params.chain_id, params.vault)
}

/// Bridge checkpoint 1, committing to [`checkpointed_withdrawals`] with the real Merkle root.
pub fn bridge_checkpoint() -> ludus_primitives::bridge::Checkpoint {
    use ludus_primitives::bridge::{withdrawals_root, Checkpoint};
    let leaves: Vec<Hash> = checkpointed_withdrawals().iter().map(bridge_leaf).collect();
    Checkpoint {
        sidechain_genesis: Hash::repeat_byte(0x01),
        number: 1,
        first_block: 1,
        last_block: 100,
        last_block_hash: Hash::repeat_byte(0x02),
        withdrawals_root: withdrawals_root(&leaves),
        validator_set_id: 0,
        next_validator_set_hash: Hash::repeat_byte(0x03),
    }
}

/// //Alice's and //Bob's signatures of [`bridge_checkpoint`] in L1 form, by ascending address.
pub fn bridge_signatures() -> Vec<[u8; 65]> {
    use ludus_primitives::bridge::{eth_address, eth_signature};
    use sp_core::{ecdsa, Pair};
    let digest = bridge_checkpoint().digest(31337, sp_core::H160::repeat_byte(0x44));
    let mut signed: Vec<_> = ["//Alice", "//Bob"]
        .into_iter()
        .map(|suri| {
            let pair = ecdsa::Pair::from_string(suri, None).unwrap();
            let signature = eth_signature(&pair.sign_prehashed(digest.as_fixed_bytes())).unwrap();
            (eth_address(&pair.public()).unwrap(), signature)
        })
        .collect();
    signed.sort_by_key(|(address, _)| *address);
    signed.into_iter().map(|(_, signature)| signature).collect()
}

/// Bridge validator set `set_id` of the fake: set 0 is //Alice and //Bob, set 1 adds //Charlie.
pub fn bridge_validator_set(set_id: u64) -> pallet_bridge::types::L1ValidatorSet {
    use ludus_primitives::bridge::{eth_address, validator_set_hash};
    use sp_core::{ecdsa, Pair};
    let seeds: &[&str] = if set_id == 0 { &["//Alice", "//Bob"] } else { &["//Alice", "//Bob", "//Charlie"] };
    let mut validators: Vec<_> = seeds
        .iter()
        .map(|suri| eth_address(&ecdsa::Pair::from_string(suri, None).unwrap().public()).unwrap())
        .collect();
    validators.sort();
    let hash = validator_set_hash(set_id, &validators).unwrap();
    pallet_bridge::types::L1ValidatorSet { set_id, validators, hash }
}

/// Answers `BridgeApi_*` as the runtime would, with the pallet's types, decoding the
/// arguments strictly: withdrawals 1 to 3 are in checkpoint 1 (signed once
/// [`BRIDGE_SIGNED_KEY`] is set), [`PENDING_WITHDRAWAL`] is pending, nothing else exists;
/// validator set 0 is current until [`BRIDGE_HANDOFF_KEY`] installs set 1; the lowest
/// unexecuted nonce is under [`BRIDGE_LOWEST_NONCE_KEY`].
fn bridge_api(state: &State, method: &str, args: &[u8]) -> Result<Vec<u8>, BackendError> {
    use codec::DecodeAll;
    use ludus_primitives::bridge::merkle_proof;
    use pallet_bridge::types::WithdrawalStatus;
    let current_set = u64::from(state.contains_key(BRIDGE_HANDOFF_KEY));
    match method {
        "BridgeApi_lowest_unexecuted_nonce" => {
            <()>::decode_all(&mut &args[..]).map_err(bad_args)?;
            let lowest = state.get(BRIDGE_LOWEST_NONCE_KEY).map_or(1, |raw| u64::decode_all(&mut &raw[..]).unwrap());
            return Ok(lowest.encode());
        }
        "BridgeApi_validator_set" => {
            let set_id = <Option<u64>>::decode_all(&mut &args[..]).map_err(bad_args)?.unwrap_or(current_set);
            return match set_id {
                TRAPPING_BRIDGE_ID => Err(BackendError::Execution("wasm trap: unreachable".into())),
                GARBLED_BRIDGE_ID => Ok(vec![1, 2, 3]),
                id => Ok((id <= current_set).then(|| bridge_validator_set(id)).encode()),
            };
        }
        "BridgeApi_l1_params" => {
            <()>::decode_all(&mut &args[..]).map_err(bad_args)?;
            return Ok(Some(bridge_l1_params()).encode());
        }
        _ => {}
    }
    // The other bridge methods take one u64: a withdrawal id, a checkpoint number or a nonce.
    let id = u64::decode_all(&mut &args[..]).map_err(bad_args)?;
    if id == TRAPPING_BRIDGE_ID {
        return Err(BackendError::Execution("wasm trap: unreachable".into()));
    }
    if id == GARBLED_BRIDGE_ID {
        return Ok(vec![1, 2, 3]);
    }
    let signed = state.contains_key(BRIDGE_SIGNED_KEY);
    let withdrawals = checkpointed_withdrawals();
    let index = withdrawals.iter().position(|w| w.id == id);
    Ok(match method {
        "BridgeApi_withdrawal_status" => {
            let status = match (index, id) {
                (Some(_), _) if signed => Some(WithdrawalStatus::Signed { number: 1 }),
                (Some(_), _) => Some(WithdrawalStatus::InCheckpoint { number: 1 }),
                (None, PENDING_WITHDRAWAL) => Some(WithdrawalStatus::Pending),
                (None, _) => None,
            };
            status.encode()
        }
        "BridgeApi_withdrawal_proof" => {
            let leaves: Vec<Hash> = withdrawals.iter().map(bridge_leaf).collect();
            index
                .map(|i| pallet_bridge::types::WithdrawalProof {
                    withdrawal: withdrawals[i],
                    checkpoint: 1,
                    leaf: leaves[i],
                    proof: merkle_proof(&leaves, i).unwrap(),
                })
                .encode()
        }
        "BridgeApi_signed_checkpoint" => {
            (id == 1 && signed).then(|| (bridge_checkpoint(), bridge_signatures())).encode()
        }
        "BridgeApi_deposit_status" => bridge_deposit_status(id, current_set).encode(),
        other => return Err(BackendError::Execution(format!("Exported method {other} is not found"))),
    })
}

/// The fake's deposits: nonce 1 executed long ago (outcome no longer recorded), nonce 2
/// refunded ahead of nonce 1 as withdrawal 4, nonce 3 attested by validator 1 of the current
/// set only; no other nonce is known.
pub fn bridge_deposit_status(nonce: u64, current_set: u64) -> Option<pallet_bridge::types::DepositStatus> {
    use pallet_bridge::types::{DepositOutcome, DepositStatus, RefundReason};
    match nonce {
        1 => Some(DepositStatus::Executed { outcome: None }),
        2 => Some(DepositStatus::Executed {
            outcome: Some(DepositOutcome::Refunded { withdrawal: 4, reason: RefundReason::UnknownToken }),
        }),
        3 => Some(DepositStatus::Pending { set_id: current_set, attestations: 1, threshold: 2, attested_by: vec![1] }),
        _ => None,
    }
}

/// An attester that records the deposits it is given and answers [`FakeAttester::answer`]
/// (by default: validator 0, //Alice's address, submitted as `0x11…11`).
pub struct FakeAttester {
    pub received: Mutex<Vec<ludus_primitives::bridge::Deposit>>,
    pub answer: Mutex<Result<Vec<DepositAttestation>, AttestError>>,
}

/// The transaction hash [`FakeAttester`] answers by default.
pub const ATTESTATION_TX: Hash = Hash::repeat_byte(0x11);

impl Default for FakeAttester {
    fn default() -> Self {
        let address = bridge_validator_set(0).validators[0];
        Self {
            received: Mutex::new(Vec::new()),
            answer: Mutex::new(Ok(vec![DepositAttestation {
                validator_index: 0,
                address,
                result: AttestationResult::Submitted { tx_hash: ATTESTATION_TX },
            }])),
        }
    }
}

impl BridgeAttesterBackend for FakeAttester {
    fn attest_deposit(
        &self,
        deposit: ludus_primitives::bridge::Deposit,
    ) -> Result<Vec<DepositAttestation>, AttestError> {
        self.received.lock().unwrap().push(deposit);
        self.answer.lock().unwrap().clone()
    }
}

/// A pool that accepts everything except extrinsics whose body starts with 0xff.
#[derive(Default)]
pub struct FakePool {
    pending: Mutex<Vec<Vec<u8>>>,
    /// The size of each `submit_many` call.
    pub batches: Mutex<Vec<usize>>,
}

pub fn in_block_hash() -> Hash {
    Hash::repeat_byte(0xbb)
}

impl FakePool {
    fn check(&self, xt: &[u8]) -> Result<Hash, PoolError> {
        let body = OpaqueExtrinsic::decode(&mut &xt[..]).unwrap();
        if body.inner().first() == Some(&0xff) {
            return Err(PoolError {
                code: 1010,
                message: "Invalid Transaction".into(),
                data: Some("Inability to pay some fees (e.g. account balance too low)".into()),
            });
        }
        self.pending.lock().unwrap().push(xt.to_vec());
        Ok(BlakeTwo256::hash(xt))
    }
}

impl PoolBackend for FakePool {
    fn submit(&self, xt: Vec<u8>) -> Result<Hash, PoolError> {
        self.check(&xt)
    }

    fn submit_many(&self, xts: Vec<Vec<u8>>) -> Vec<Result<Hash, PoolError>> {
        self.batches.lock().unwrap().push(xts.len());
        xts.iter().map(|xt| self.check(xt)).collect()
    }

    fn submit_and_watch(&self, xt: Vec<u8>) -> Result<BoxStream<'static, TransactionStatus>, PoolError> {
        self.check(&xt)?;
        Ok(Box::pin(futures::stream::iter([
            TransactionStatus::Ready,
            TransactionStatus::Broadcast(vec!["12D3KooWPeer".into()]),
            TransactionStatus::InBlock(in_block_hash()),
            TransactionStatus::Finalized(in_block_hash()),
        ])))
    }

    fn pending(&self) -> Vec<Vec<u8>> {
        self.pending.lock().unwrap().clone()
    }

    fn account_next_index(&self, account: AccountId) -> Result<Nonce, BackendError> {
        Ok(if account == RICH { 5 } else { 0 })
    }
}

/// Key type, SURI and public key given to `insert_key`.
pub type InsertedKey = ([u8; 4], String, Vec<u8>);

/// A keystore holding whatever was inserted.
#[derive(Default)]
pub struct FakeKeystore {
    pub keys: Mutex<Vec<InsertedKey>>,
}

impl KeystoreBackend for FakeKeystore {
    fn insert_key(&self, key_type: [u8; 4], suri: &str, public: &[u8]) -> Result<(), BackendError> {
        if public.len() != 32 {
            return Err(BackendError::Other("public key must be 32 bytes".into()));
        }
        self.keys.lock().unwrap().push((key_type, suri.to_owned(), public.to_vec()));
        Ok(())
    }

    fn has_key(&self, public: &[u8], key_type: [u8; 4]) -> bool {
        self.keys.lock().unwrap().iter().any(|(t, _, p)| *t == key_type && p == public)
    }

    fn rotate_keys(&self) -> Result<Vec<u8>, BackendError> {
        Ok(vec![0xaa; 64])
    }

    fn has_session_keys(&self, session_keys: &[u8]) -> Result<bool, BackendError> {
        if !session_keys.chunks_exact(32).remainder().is_empty() {
            return Err(BackendError::Other("session keys do not decode".into()));
        }
        Ok(session_keys == [0xaa; 64])
    }
}

/// A node without networking.
pub struct FakeNetwork;

impl NetworkBackend for FakeNetwork {
    fn peers(&self) -> Vec<PeerInfo> {
        vec![]
    }

    fn health(&self) -> Health {
        Health { peers: 0, is_syncing: false, should_have_peers: false }
    }

    fn local_peer_id(&self) -> String {
        "12D3KooWLocal".into()
    }
}

pub fn system_info() -> SystemInfo {
    let serde_json::Value::Object(properties) =
        serde_json::json!({"ss58Format": 42, "tokenDecimals": 12, "tokenSymbol": "LUD"})
    else {
        unreachable!()
    };
    SystemInfo {
        name: "Ludus Node".into(),
        version: "0.1.0-test".into(),
        chain: "Development".into(),
        chain_type: serde_json::json!("Development"),
        properties,
    }
}
