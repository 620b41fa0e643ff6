//! # Bridge
//!
//! The sidechain end of the Ludus ↔ Ethereum bridge (`/work/shared/DESIGN.md`, "Bridge
//! protocol"). The wire formats are `ludus_primitives::bridge`; this pallet decides when
//! they count.
//!
//! ## What it owns
//!
//! - **Registry** ([`Tokens`], [`AssetTokens`]): governance links an L1 token address to a
//!   fresh asset of [`Config::Assets`] that only this pallet mints and burns, and keeps per
//!   token what is outstanding (minted for deposits and not yet burnt for withdrawals).
//! - **Validators** ([`ValidatorSets`], [`CurrentSetId`], [`QueuedValidators`]): the bridge
//!   validators' secp256k1 keys, sorted by Ethereum address. A new set (from governance or the
//!   runtime's session handler through [`Pallet::do_set_validators`]) is queued and installed
//!   at the start of the next block, right after the checkpoint that commits to it.
//! - **Deposits** ([`Attestations`], [`AttestationTally`], [`ExecutedDeposits`]): validators
//!   attest deposits they saw in the Vault with unsigned transactions (checked in
//!   `ValidateUnsigned`, so they need no funds). Attestations count per identical deposit
//!   hash; when more than two thirds of the current set agree, the amount is minted once,
//!   or, if it cannot be minted, refunded to the depositor as an ordinary withdrawal.
//! - **Withdrawals** ([`PendingWithdrawals`], [`QueuedWithdrawals`], [`NextWithdrawalId`]):
//!   `withdraw` burns at least the token's minimum and records the leaf, which names the
//!   fee the Vault pays whoever claims it on the L1 (a relayer, or the user), in the current
//!   checkpoint period, or queues it for the next one when the period is full.
//! - **Checkpoints** ([`Checkpoints`], [`CheckpointWithdrawals`], [`CheckpointSignatures`],
//!   [`CheckpointTallies`]): when withdrawals wait (at most every `CheckpointInterval`
//!   blocks), whenever the set changes, and otherwise once per `HeartbeatInterval`,
//!   `on_initialize` fixes a checkpoint over the blocks since the last one; validators submit
//!   their EIP-712 signatures as unsigned transactions until more than two thirds signed.
//! - **Circuit breaker** ([`Paused`]): governance pauses deposits and/or withdrawals.
//! - **L1 parameters** ([`L1Params`]): the L1 chain id, Vault and Checkpoints contract every
//!   digest is bound to, from the chain spec or root; until set, the bridge refuses
//!   attestations and checkpoint signatures.
//!
//! ## How data flows
//!
//! L1 `Deposited` log → validator relayers → [`Call::attest_deposit`] → mint. User →
//! [`Call::withdraw`] → burn + leaf → checkpoint fixed in `on_initialize` → validators'
//! [`Call::submit_checkpoint_signature`] (the pallet's offchain worker signs
//! [`Pallet::checkpoints_to_sign`] with the keystore's [`BRIDGE_KEY_TYPE`] keys once their
//! blocks are final) → [`runtime_api::BridgeApi`] gives relayers the signed
//! checkpoint and users their Merkle proofs → L1 `Checkpoints.submit` and `Vault.claim`.
//!
//! Calls in this file check the origin and hand over to `do_*` functions in `features/`.
//! [`Pallet::do_try_state`] checks the invariants and runs after every test. The pallet
//! spawns no tasks; its only offchain code is the `offchain_worker` hook (`features/signer.rs`).

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod weights_gen;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The keystore key type of validators' bridge keys (secp256k1), for the offchain signer.
pub const BRIDGE_KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"brdg");

/// How long (in blocks) an unsigned attestation or checkpoint signature stays in the pool:
/// long enough to survive a few full blocks, short enough that a stale one is soon dropped
/// (it would be re-submitted by the validator's relayer anyway).
pub const UNSIGNED_LONGEVITY: u64 = 64;

/// The `UnknownTransaction::Custom` code of an attestation refused because deposits are
/// paused ([`Error::DepositsPaused`]); it becomes valid once they are unpaused.
///
/// These "not now" refusals are `Unknown`, not `Invalid`: a pool keeps (or refuses without
/// banning) an unknown transaction, and bans an invalid one for half an hour. A validator's
/// attestation is the same bytes every time it is signed (deterministic signatures), so a
/// banned attestation could not be resubmitted once the condition clears, and one validator's
/// missing attestation would hold every later deposit back.
pub const DEPOSITS_PAUSED: u8 = 1;

/// The `UnknownTransaction::Custom` code of a checkpoint signature for a checkpoint this chain
/// has not fixed yet ([`Error::UnknownCheckpoint`]).
pub const UNKNOWN_CHECKPOINT: u8 = 2;

/// The `UnknownTransaction::Custom` code of an attestation or checkpoint signature refused
/// because the L1 parameters are not set ([`Error::L1ParamsUnset`]).
pub const L1_PARAMS_UNSET: u8 = 3;

/// The `UnknownTransaction::Custom` code of an attestation refused because its nonce is
/// beyond the window ([`Error::NonceBeyondWindow`]); it becomes valid as deposits execute.
pub const NONCE_BEYOND_WINDOW: u8 = 4;

/// The `UnknownTransaction::Custom` code of an attestation refused because its validator has
/// too many open ([`Error::TooManyOpenAttestations`]); it becomes valid as deposits execute.
pub const TOO_MANY_OPEN_ATTESTATIONS: u8 = 5;

/// The most checkpoints whose signatures `on_initialize` prunes in one block: each costs at
/// most `MaxValidators` deletions, and pruning more than the one checkpoint a block can fix
/// drains the backlog left when many checkpoints are signed at once after a stall.
pub const MAX_PRUNED_PER_BLOCK: u64 = 4;

/// The most checkpoints one `abandon_checkpoints` call abandons, which bounds its weight.
pub const MAX_ABANDONED_CHECKPOINTS: u64 = 64;

/// The asset ids of [`Config::Assets`].
pub type AssetIdOf<T> = <<T as Config>::Assets as frame_support::traits::fungibles::Inspect<
    <T as frame_system::Config>::AccountId,
>>::AssetId;

// FRAME's `pallet` macro expands to `expect` calls (metadata, storage prefixes) we do not
// control; the code written in this module itself uses none. `ValidateUnsigned` is
// deprecated in favour of `#[pallet::authorize]`, which needs the runtime's
// `AuthorizeCall` extension; Ludus's runtime does not have it yet, so validators'
// unsigned calls are validated the established way until it does (the macro's deprecation
// check is also what binds a unit value).
#[allow(clippy::expect_used, clippy::let_unit_value, deprecated)]
#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{
        pallet_prelude::*,
        traits::fungibles::{Create, Inspect, Mutate},
        PalletId,
    };
    use frame_system::{offchain::CreateBare, pallet_prelude::*};
    use ludus_primitives::bridge::{Checkpoint, Deposit, Withdrawal};
    use sp_core::{ecdsa, H160, H256};

    /// The pallet's storage layout version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// The runtime must build bare (unsigned) extrinsics of the pallet's calls, which the
    /// offchain worker submits: `CreateTransactionBase` + `CreateBare` for `Call<Self>`.
    #[pallet::config]
    pub trait Config: frame_system::Config + CreateBare<Call<Self>> {
        /// The fungible assets bridged tokens become (pallet-assets in the runtime). Amounts
        /// are `u128`, as on the L1 side of the wire format; asset ids appear in the genesis
        /// config (`tokens`), hence serde.
        type Assets: Inspect<Self::AccountId, Balance = u128, AssetId: MaybeSerializeDeserialize>
            + Mutate<Self::AccountId>
            + Create<Self::AccountId>;

        /// Derives the account that administers the bridged assets.
        #[pallet::constant]
        type PalletId: Get<PalletId>;

        /// The fewest blocks a checkpoint period with withdrawals lasts: a withdrawal is in a
        /// fixed checkpoint at most this long after its burn.
        #[pallet::constant]
        type CheckpointInterval: Get<BlockNumberFor<Self>>;

        /// The longest a period lasts: with nothing to commit, a checkpoint is fixed once per
        /// heartbeat only, so an idle bridge costs the L1 one transaction per heartbeat
        /// (hours) while still showing the sidechain alive. At least `CheckpointInterval`.
        #[pallet::constant]
        type HeartbeatInterval: Get<BlockNumberFor<Self>>;

        /// The largest bridge validator set.
        #[pallet::constant]
        type MaxValidators: Get<u32>;

        /// The most withdrawals one checkpoint period holds; beyond it withdrawals queue
        /// ([`QueuedWithdrawals`]) and each later checkpoint takes this many more.
        #[pallet::constant]
        type MaxWithdrawalsPerCheckpoint: Get<u32>;

        /// The most registered tokens.
        #[pallet::constant]
        type MaxTokens: Get<u32>;

        /// How far above the lowest unexecuted deposit nonce an attestation may be: nonces in
        /// `lowest..lowest + AttestationWindow` are accepted, later ones wait. The Vault's
        /// nonces are contiguous from 1, so honest relayers never need more than the deposits
        /// in flight; a larger nonce can only come from a faulty or hostile validator.
        #[pallet::constant]
        type AttestationWindow: Get<u64>;

        /// The most attestations one validator may have open (not yet executed) at once,
        /// besides one for the lowest unexecuted nonce, which is always accepted so the
        /// queue can never stall on it.
        #[pallet::constant]
        type MaxOpenAttestations: Get<u32>;

        /// How many checkpoints below [`LowestUnsignedCheckpoint`] keep their signatures and
        /// tallies; older ones are pruned (a few per block, [`MAX_PRUNED_PER_BLOCK`]).
        ///
        /// The sidechain cannot see which checkpoints the L1 accepted, and `Checkpoints.submit`
        /// takes them in order only, so a relayer needs the signatures of every checkpoint the
        /// L1 has not taken yet: this is how far behind the relayers may fall before they need
        /// an archive node (which serves `signed_checkpoint` from an older block's state).
        /// Checkpoint headers and their withdrawals, which users' proofs need, are never pruned.
        #[pallet::constant]
        type CheckpointSignatureRetention: Get<CheckpointNumber>;

        /// How many deposit nonces below [`LowestUnexecutedNonce`] keep their outcome in
        /// [`ExecutedDeposits`], so [`Pallet::deposit_status`] tells a user whether the last
        /// deposits were minted or refunded (and as which withdrawal). Each nonce the lowest
        /// unexecuted nonce passes drops the record this many below it, one write, so the
        /// records stay bounded whatever the deposit traffic; an older deposit's outcome is
        /// in its event only.
        #[pallet::constant]
        type DepositOutcomeRetention: Get<u64>;

        /// The pool priority of validators' unsigned attestations and signatures.
        #[pallet::constant]
        type UnsignedPriority: Get<TransactionPriority>;

        /// Weights of the calls.
        type WeightInfo: WeightInfo;
    }

    /// The first block of the first period.
    #[pallet::type_value]
    pub fn FirstBlock<T: Config>() -> BlockNumberFor<T> {
        One::one()
    }

    /// The first deposit nonce the Vault gives.
    #[pallet::type_value]
    pub fn FirstNonce() -> u64 {
        1
    }

    /// The first withdrawal id.
    #[pallet::type_value]
    pub fn FirstWithdrawalId() -> WithdrawalId {
        1
    }

    /// Registered L1 tokens and what crossed the bridge for each.
    #[pallet::storage]
    pub type Tokens<T: Config> = StorageMap<_, Blake2_128Concat, L1Token, TokenInfo<AssetIdOf<T>>>;

    /// The L1 token of each bridged asset (the reverse of [`Tokens`]).
    #[pallet::storage]
    pub type AssetTokens<T: Config> = StorageMap<_, Blake2_128Concat, AssetIdOf<T>, L1Token>;

    /// How many tokens are registered; at most `MaxTokens`.
    #[pallet::storage]
    pub type TokenCount<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Every validator set by id, kept so a checkpoint can still be signed by its set after
    /// the next set took over.
    #[pallet::storage]
    pub type ValidatorSets<T: Config> =
        StorageMap<_, Twox64Concat, ValidatorSetId, ValidatorList<T::MaxValidators>, ValueQuery>;

    /// The set that attests deposits and signs the checkpoints fixed now.
    #[pallet::storage]
    pub type CurrentSetId<T: Config> = StorageValue<_, ValidatorSetId, ValueQuery>;

    /// The next set, installed right after the next checkpoint (which commits to its hash).
    #[pallet::storage]
    pub type QueuedValidators<T: Config> = StorageValue<_, ValidatorList<T::MaxValidators>>;

    /// The deposit hash each validator of a set attested for a nonce not yet executed.
    #[pallet::storage]
    pub type Attestations<T: Config> = StorageNMap<
        _,
        (NMapKey<Twox64Concat, u64>, NMapKey<Twox64Concat, ValidatorSetId>, NMapKey<Twox64Concat, u32>),
        H256,
    >;

    /// How many validators of a set attested each distinct deposit hash of a nonce.
    #[pallet::storage]
    pub type AttestationTally<T: Config> = StorageNMap<
        _,
        (NMapKey<Twox64Concat, u64>, NMapKey<Twox64Concat, ValidatorSetId>, NMapKey<Identity, H256>),
        u32,
        ValueQuery,
    >;

    /// How many attestations each validator of the current set has open (for nonces not yet
    /// executed); at most `MaxOpenAttestations` besides the lowest nonce's. Cleared with
    /// the attestations when the set changes.
    #[pallet::storage]
    pub type OpenAttestations<T: Config> = StorageMap<_, Twox64Concat, u32, u32, ValueQuery>;

    /// What came of the deposits executed ahead of [`LowestUnexecutedNonce`] (attestations
    /// may complete out of order), which marks them executed, and of the last
    /// `DepositOutcomeRetention` nonces below it, kept for [`Pallet::deposit_status`]. As the
    /// lowest unexecuted nonce passes a nonce, the record `DepositOutcomeRetention` below it
    /// is removed, so fewer than `DepositOutcomeRetention + AttestationWindow` are stored.
    /// What came of an older deposit stays in its events (`DepositExecuted`,
    /// `DepositRefunded`, `DepositFailed`).
    #[pallet::storage]
    pub type ExecutedDeposits<T: Config> = StorageMap<_, Twox64Concat, u64, DepositOutcome>;

    /// The lowest deposit nonce not executed yet: every nonce below it is executed, and an
    /// attestation for one is refused as such. Attestations are accepted for
    /// `LowestUnexecutedNonce..+AttestationWindow` only.
    #[pallet::storage]
    pub type LowestUnexecutedNonce<T: Config> = StorageValue<_, u64, ValueQuery, FirstNonce>;

    /// The id the next withdrawal gets.
    #[pallet::storage]
    pub type NextWithdrawalId<T: Config> = StorageValue<_, WithdrawalId, ValueQuery, FirstWithdrawalId>;

    /// The withdrawals of the open period, in id order.
    #[pallet::storage]
    pub type PendingWithdrawals<T: Config> =
        StorageValue<_, BoundedVec<Withdrawal, T::MaxWithdrawalsPerCheckpoint>, ValueQuery>;

    /// Withdrawals burnt while the open period was full, by id: the ids just below
    /// [`NextWithdrawalId`], [`QueuedWithdrawalCount`] of them. Each fixed checkpoint moves
    /// the oldest into the new period, up to `MaxWithdrawalsPerCheckpoint`. Unbounded in
    /// count, but each entry burnt at least its token's minimum withdrawal and paid a fee,
    /// and a checkpoint drains a period's worth every `CheckpointInterval`.
    #[pallet::storage]
    pub type QueuedWithdrawals<T: Config> = StorageMap<_, Twox64Concat, WithdrawalId, Withdrawal>;

    /// How many withdrawals [`QueuedWithdrawals`] holds; non-zero only while the open period
    /// is full.
    #[pallet::storage]
    pub type QueuedWithdrawalCount<T: Config> = StorageValue<_, u64, ValueQuery>;

    /// The first block of the open period.
    #[pallet::storage]
    pub type PeriodStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery, FirstBlock<T>>;

    /// The number of the last fixed checkpoint; 0 before the first.
    #[pallet::storage]
    pub type LatestCheckpoint<T: Config> = StorageValue<_, CheckpointNumber, ValueQuery>;

    /// The lowest checkpoint without enough signatures (or the next to be fixed): signers
    /// work upwards from it, however old it is, so no checkpoint is ever skipped.
    #[pallet::storage]
    pub type LowestUnsignedCheckpoint<T: Config> = StorageValue<_, CheckpointNumber, ValueQuery, FirstNonce>;

    /// Fixed checkpoints by number.
    #[pallet::storage]
    pub type Checkpoints<T: Config> = StorageMap<_, Twox64Concat, CheckpointNumber, Checkpoint>;

    /// The withdrawals of each fixed checkpoint.
    #[pallet::storage]
    pub type CheckpointWithdrawals<T: Config> =
        StorageMap<_, Twox64Concat, CheckpointNumber, PeriodWithdrawals<T::MaxWithdrawalsPerCheckpoint>>;

    /// Validators' signatures of checkpoints, by checkpoint number and index in the signing
    /// set, in the L1's form; from [`SignaturesRetainedFrom`] on only.
    #[pallet::storage]
    pub type CheckpointSignatures<T: Config> =
        StorageDoubleMap<_, Twox64Concat, CheckpointNumber, Twox64Concat, u32, EthSignature>;

    /// How many signatures each checkpoint has, and whether that is enough; from
    /// [`SignaturesRetainedFrom`] on only (every checkpoint below it was signed).
    #[pallet::storage]
    pub type CheckpointTallies<T: Config> = StorageMap<_, Twox64Concat, CheckpointNumber, SignatureTally, ValueQuery>;

    /// The oldest checkpoint whose signatures and tally are kept: older ones were signed and
    /// lie more than `CheckpointSignatureRetention` below [`LowestUnsignedCheckpoint`], so
    /// `on_initialize` pruned them.
    #[pallet::storage]
    pub type SignaturesRetainedFrom<T: Config> = StorageValue<_, CheckpointNumber, ValueQuery, FirstNonce>;

    /// Checkpoints root abandoned (`abandon_checkpoints`): never signed, their set lost, so
    /// they take no signature; all lie below [`LowestUnsignedCheckpoint`]. Their
    /// withdrawals were committed again later ([`RecommittedWithdrawals`]).
    #[pallet::storage]
    pub type AbandonedCheckpoints<T: Config> = StorageMap<_, Twox64Concat, CheckpointNumber, ()>;

    /// Withdrawals taken back from abandoned checkpoints, by id: the checkpoint that commits
    /// them again, or 0 while they wait in the open period for it. A withdrawal not here is
    /// in the checkpoint that first committed it. Written by root calls only.
    #[pallet::storage]
    pub type RecommittedWithdrawals<T: Config> = StorageMap<_, Twox64Concat, WithdrawalId, CheckpointNumber>;

    /// The circuit breaker.
    #[pallet::storage]
    pub type Paused<T: Config> = StorageValue<_, PauseState, ValueQuery>;

    /// Which L1 and which contracts this deployment bridges to. While unset, attestations
    /// and checkpoint signatures are refused ([`Error::L1ParamsUnset`]) and the offchain
    /// worker signs nothing: no digest can be computed without them.
    #[pallet::storage]
    pub type L1Params<T: Config> = StorageValue<_, L1Parameters>;

    /// The genesis validator set (set id 0), L1 parameters and bridged tokens.
    ///
    /// JSON: `{"validators": ["0x02…33-byte compressed key…"], "l1Params": {"chainId": 1,
    /// "vault": "0x…", "checkpointsContract": "0x…"}, "tokens": [["0x…20-byte token…", 1,
    /// 1000000000]]}`; `l1Params` may be `null` (then root must call `set_l1_params` before
    /// the bridge works) and `tokens` empty (then root registers them with `register_token`).
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The bridge keys of the genesis validators; may be empty (then the first
        /// `set_validators` installs set 0 at once).
        pub validators: Vec<ecdsa::Public>,
        /// The L1 this deployment bridges to; `None` leaves the bridge inert until root sets it.
        pub l1_params: Option<L1Parameters>,
        /// L1 tokens bridged from genesis, as `(token, asset, min_balance)`: each is
        /// registered exactly as root's `register_token` does (a new sufficient asset
        /// administered by the pallet), so a development chain bridges out of the box. The
        /// token is an `H160` (an [`L1Token`]) so the chain spec shows it as `0x…` hex.
        /// Optional in JSON: chain specs written before it existed still load.
        #[serde(default)]
        pub tokens: Vec<(H160, AssetIdOf<T>, u128)>,
        #[serde(skip)]
        #[allow(missing_docs)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            if let Some(params) = self.l1_params {
                L1Params::<T>::put(params);
            }
            if !self.validators.is_empty() {
                if let Err(error) = Pallet::<T>::do_set_validators(self.validators.clone()) {
                    panic!("the genesis bridge validators are invalid: {error:?}");
                }
            }
            for (token, asset, min_balance) in &self.tokens {
                if let Err(error) = Pallet::<T>::do_register_token(token.0, asset.clone(), *min_balance) {
                    panic!("the genesis bridged token {token:?} (asset {asset:?}) cannot be registered: {error:?}");
                }
            }
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// Governance linked an L1 token to a new bridged asset.
        TokenRegistered {
            /// The L1 token.
            token: L1Token,
            /// The asset created for it.
            asset: AssetIdOf<T>,
        },
        /// Root set the smallest amount `withdraw` takes of a token.
        MinWithdrawalSet {
            /// The L1 token.
            token: L1Token,
            /// The new minimum.
            min_withdrawal: u128,
        },
        /// Governance removed a token from the registry.
        TokenDeregistered {
            /// The L1 token.
            token: L1Token,
            /// Its former asset.
            asset: AssetIdOf<T>,
        },
        /// A new validator set was queued; it takes over after the next checkpoint.
        ValidatorSetQueued {
            /// The id it will have.
            set_id: ValidatorSetId,
            /// Its size.
            validators: u32,
            /// Its hash under that id, which the next checkpoint commits to (and the L1's
            /// `installValidatorSet` checks); its members: `BridgeApi::validator_set`.
            set_hash: H256,
        },
        /// A validator set took over.
        ValidatorSetChanged {
            /// Its id.
            set_id: ValidatorSetId,
            /// Its size.
            validators: u32,
            /// Its hash, as the handover checkpoint committed to it.
            set_hash: H256,
        },
        /// A validator attested a deposit.
        DepositAttested {
            /// The deposit's nonce.
            nonce: u64,
            /// The validator's index in the current set.
            validator: u32,
            /// The hash the validator attested.
            deposit_hash: H256,
            /// Attestations of that exact hash so far.
            attestations: u32,
        },
        /// A deposit reached the threshold and was minted.
        DepositExecuted {
            /// The deposit's nonce.
            nonce: u64,
            /// The L1 token.
            token: L1Token,
            /// The asset minted.
            asset: AssetIdOf<T>,
            /// Who received it.
            recipient: T::AccountId,
            /// How much.
            amount: u128,
        },
        /// A deposit reached the threshold but could not be minted; its nonce is spent and the
        /// same amount of the same token goes back to the depositor on the L1 as withdrawal
        /// `withdrawal_id` (claimable like any other once checkpointed).
        DepositRefunded {
            /// The deposit's nonce.
            nonce: u64,
            /// The refund's withdrawal id.
            withdrawal_id: WithdrawalId,
            /// Why nothing was minted.
            reason: RefundReason,
            /// The L1 token refunded.
            token: L1Token,
            /// The L1 account that made the deposit and is refunded.
            depositor: L1Address,
            /// How much.
            amount: u128,
        },
        /// A deposit reached the threshold but could neither be minted nor refunded (the
        /// withdrawal ids are exhausted, which never happens in practice); its nonce is spent.
        DepositFailed {
            /// The deposit's nonce.
            nonce: u64,
            /// Why nothing was minted.
            reason: RefundReason,
        },
        /// Someone burnt a bridged asset to withdraw it on the L1.
        Withdrawn {
            /// The withdrawal's id.
            id: WithdrawalId,
            /// Who burnt.
            who: T::AccountId,
            /// The asset burnt.
            asset: AssetIdOf<T>,
            /// The L1 token to be paid.
            token: L1Token,
            /// How much, fee included.
            amount: u128,
            /// The L1 account to be paid (`amount - fee`).
            l1_recipient: L1Address,
            /// Of `amount`, what the Vault pays the account that claims the withdrawal on
            /// the L1.
            fee: u128,
        },
        /// A checkpoint was fixed and awaits the validators' signatures.
        CheckpointFixed {
            /// Its number.
            number: CheckpointNumber,
            /// First block of its period.
            first_block: u32,
            /// Last block of its period.
            last_block: u32,
            /// The root of its withdrawals.
            withdrawals_root: H256,
            /// The id of its first withdrawal committed for the first time (of the next one
            /// when there is none); the ids from it on are contiguous. Withdrawals committed
            /// again after `CheckpointsAbandoned` come before it, with lower ids.
            first_withdrawal_id: WithdrawalId,
            /// How many withdrawals it holds.
            withdrawals: u32,
            /// The validator set that signs it.
            validator_set_id: ValidatorSetId,
        },
        /// A validator signed a checkpoint.
        CheckpointSignatureSubmitted {
            /// The checkpoint.
            number: CheckpointNumber,
            /// The validator's index in the checkpoint's set.
            validator: u32,
            /// Signatures so far.
            signatures: u32,
        },
        /// More than two thirds of its set signed a checkpoint: it can go to the L1.
        CheckpointSigned {
            /// The checkpoint.
            number: CheckpointNumber,
        },
        /// Root abandoned checkpoints `from..=to`, which their lost set never signed; their
        /// withdrawals (same ids) went back to the open period to be committed again.
        CheckpointsAbandoned {
            /// The first abandoned checkpoint (the lowest unsigned one).
            from: CheckpointNumber,
            /// The last abandoned checkpoint.
            to: CheckpointNumber,
            /// How many withdrawals were put back.
            requeued: u32,
        },
        /// Root set the L1 parameters.
        L1ParamsSet {
            /// The new parameters.
            params: L1Parameters,
        },
        /// Governance set the circuit breaker.
        PauseSet {
            /// Whether deposits are paused.
            deposits: bool,
            /// Whether withdrawals are paused.
            withdrawals: bool,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The L1 token is already registered; deregister it first.
        TokenAlreadyRegistered,
        /// The asset id is taken; pick an id no asset uses, the bridge creates the asset.
        AssetAlreadyExists,
        /// `MaxTokens` tokens are registered; deregister one first.
        TooManyTokens,
        /// The L1 token is not registered.
        UnknownToken,
        /// The asset is not a bridged asset.
        UnknownAsset,
        /// Units of the asset still exist on the sidechain; their holders must be able to
        /// withdraw them, so the token stays registered until they did.
        TokenInCirculation,
        /// A validator set needs at least one key.
        EmptyValidatorSet,
        /// More keys than `MaxValidators`.
        TooManyValidators,
        /// A key is not a valid compressed secp256k1 public key.
        InvalidValidatorKey,
        /// The same key (Ethereum address) is in the set twice.
        DuplicateValidator,
        /// Deposits are paused by governance; attest again once they are resumed.
        DepositsPaused,
        /// Withdrawals are paused by governance; try again once they are resumed.
        WithdrawalsPaused,
        /// Deposit nonces start at 1.
        ZeroNonce,
        /// The deposit nonce was already executed.
        DepositAlreadyExecuted,
        /// No validator has that index in the relevant set.
        UnknownValidator,
        /// This validator already attested a deposit with this nonce.
        AlreadyAttested,
        /// The nonce is `AttestationWindow` or more above the lowest unexecuted nonce; attest
        /// it once the deposits before it executed.
        NonceBeyondWindow,
        /// The validator has `MaxOpenAttestations` attestations open; attest this nonce once
        /// some of them executed (the lowest unexecuted nonce is always accepted).
        TooManyOpenAttestations,
        /// The signature is not the validator's over the expected digest.
        BadSignature,
        /// A withdrawal must move something.
        ZeroAmount,
        /// The zero address cannot receive a withdrawal on the L1.
        ZeroRecipient,
        /// The amount is below the token's minimum withdrawal (`Tokens`' `min_withdrawal`);
        /// withdraw at least that much.
        BelowMinimumWithdrawal,
        /// The withdrawal id counter is exhausted.
        WithdrawalIdsExhausted,
        /// No checkpoint has that number.
        UnknownCheckpoint,
        /// The checkpoint already has enough signatures.
        CheckpointAlreadySigned,
        /// This validator already signed this checkpoint.
        AlreadySigned,
        /// The amount does not fit the token's ledger of what is outstanding: more would be
        /// burnt than deposits minted, or more minted than a `u128` supply holds.
        LedgerOverflow,
        /// The L1 parameters (chain id, Vault, Checkpoints contract) are not set, so no
        /// digest can be checked; set `l1Params` in the chain spec or call `set_l1_params`.
        L1ParamsUnset,
        /// The checkpoint was abandoned (`abandon_checkpoints`) and takes no signature.
        CheckpointAbandoned,
        /// More than `MAX_ABANDONED_CHECKPOINTS` checkpoints in one call; abandon fewer.
        TooManyCheckpointsAbandoned,
        /// The checkpoint is the current set's to sign: only a former (lost) set's
        /// checkpoints may be abandoned.
        CheckpointOfCurrentSet,
        /// The withdrawals to put back, with those already waiting to be committed again,
        /// exceed one period (`MaxWithdrawalsPerCheckpoint`); abandon fewer checkpoints now
        /// and the rest after the next checkpoint.
        TooManyRequeuedWithdrawals,
        /// The fee is above the amount: the Vault pays it out of the amount, so name at
        /// most the amount.
        FeeAboveAmount,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            Self::on_block(now)
        }

        /// Signs, with every bridge key in the node's keystore ([`BRIDGE_KEY_TYPE`]), the
        /// checkpoints that key's set still has to sign ([`Pallet::checkpoints_to_sign`])
        /// and whose blocks are final, and submits each signature as an unsigned
        /// [`Call::submit_checkpoint_signature`].
        ///
        /// **Contract with the node:** offchain workers must run only on *finalized* blocks,
        /// and `n` is that finalized block. A checkpoint is signed once its `last_block <= n`,
        /// which under this contract means "once every block it commits to is final": a
        /// validator never signs a `last_block_hash` that could still be reverted. (Run on
        /// best blocks instead, this filter would let a validator sign a fork's checkpoint.)
        ///
        /// Re-signing is bounded by state, not memory: a signature once included on chain
        /// drops the checkpoint from `checkpoints_to_sign`, and until then a resubmission has
        /// the same pool tag `(number, index)` as the first, so the pool refuses the
        /// duplicate. Nothing is written to offchain storage.
        fn offchain_worker(n: BlockNumberFor<T>) {
            Self::sign_checkpoints(n);
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Root: creates asset `asset` (administered by the pallet's account, sufficient,
        /// with `min_balance`) and links it to the L1 `token`, whose minimum withdrawal
        /// starts at `min_balance` (at least 1); `set_min_withdrawal` raises it. Emits
        /// `TokenRegistered`. Weight: `register_token`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::register_token())]
        pub fn register_token(
            origin: OriginFor<T>,
            token: L1Token,
            asset: AssetIdOf<T>,
            min_balance: u128,
        ) -> DispatchResult {
            ensure_root(origin)?;
            Self::do_register_token(token, asset, min_balance)
        }

        /// Root: unlinks `token` from its asset, once no unit of the asset exists. Emits
        /// `TokenDeregistered`. Weight: `deregister_token`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::deregister_token())]
        pub fn deregister_token(origin: OriginFor<T>, token: L1Token) -> DispatchResult {
            ensure_root(origin)?;
            Self::do_deregister_token(token)
        }

        /// Root: queues a new bridge validator set (installed after the next checkpoint, or at
        /// once if there is no set yet). Emits `ValidatorSetQueued` or `ValidatorSetChanged`.
        /// Weight: `set_validators(n)`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::set_validators(keys.len() as u32))]
        pub fn set_validators(
            origin: OriginFor<T>,
            keys: BoundedVec<ecdsa::Public, T::MaxValidators>,
        ) -> DispatchResult {
            ensure_root(origin)?;
            Self::do_set_validators(keys.into_inner())
        }

        /// Unsigned, from a validator of the current set: attests that the Vault emitted
        /// `deposit`; `signature` is the validator's over `deposit.attestation_digest`.
        /// Emits `DepositAttested`, then at the threshold `DepositExecuted`, or
        /// `DepositRefunded` when it cannot be minted. Weight: `attest_deposit`.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::attest_deposit())]
        pub fn attest_deposit(
            origin: OriginFor<T>,
            deposit: Deposit,
            validator_index: u32,
            signature: ecdsa::Signature,
        ) -> DispatchResult {
            ensure_none(origin)?;
            Self::do_attest_deposit(deposit, validator_index, &signature)
        }

        /// Signed: burns `amount` (at least the token's minimum withdrawal) of the bridged
        /// `asset` from the caller, to be paid on the L1 once checkpointed: in the next
        /// checkpoint, or a later one when the open period is full (it queues, it is never
        /// refused for that). The Vault pays `fee` (at most `amount`) to whoever claims the
        /// withdrawal, so a relayer claims it without the user coming back, and
        /// `amount - fee` to `l1_recipient`. Emits `Withdrawn`. Weight: `withdraw`.
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::withdraw())]
        pub fn withdraw(
            origin: OriginFor<T>,
            asset: AssetIdOf<T>,
            amount: u128,
            l1_recipient: L1Address,
            fee: u128,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_withdraw(who, asset, amount, l1_recipient, fee)
        }

        /// Unsigned, from a validator of the checkpoint's set: its signature of checkpoint
        /// `number`'s EIP-712 digest. Emits `CheckpointSignatureSubmitted`, and
        /// `CheckpointSigned` at the threshold. Weight: `submit_checkpoint_signature`.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::submit_checkpoint_signature())]
        pub fn submit_checkpoint_signature(
            origin: OriginFor<T>,
            number: CheckpointNumber,
            validator_index: u32,
            signature: ecdsa::Signature,
        ) -> DispatchResult {
            ensure_none(origin)?;
            Self::do_submit_checkpoint_signature(number, validator_index, &signature)
        }

        /// Root: pauses or resumes deposits and withdrawals. Emits `PauseSet`. Weight:
        /// `set_paused`.
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::set_paused())]
        pub fn set_paused(origin: OriginFor<T>, deposits: bool, withdrawals: bool) -> DispatchResult {
            ensure_root(origin)?;
            Paused::<T>::put(PauseState { deposits, withdrawals });
            Self::deposit_event(Event::PauseSet { deposits, withdrawals });
            Ok(())
        }

        /// Root: sets which L1 chain and contracts the bridge is bound to. Emits
        /// `L1ParamsSet`. Weight: `set_l1_params`.
        ///
        /// Every digest is bound to these, so changing them on a live bridge voids the
        /// attestations and checkpoint signatures gathered so far for anything not yet
        /// executed or signed (they no longer verify, and the L1 would refuse them): pause
        /// the bridge and let pending checkpoints be signed first.
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::set_l1_params())]
        pub fn set_l1_params(origin: OriginFor<T>, params: L1Parameters) -> DispatchResult {
            ensure_root(origin)?;
            L1Params::<T>::put(params);
            Self::deposit_event(Event::L1ParamsSet { params });
            Ok(())
        }

        /// Root: sets the smallest amount of `token` that `withdraw` takes. Emits
        /// `MinWithdrawalSet`. Weight: `set_min_withdrawal`.
        ///
        /// A governance call rather than a registration argument only: what counts as dust
        /// is the L1's claim cost in the token's value, and both move long after a token
        /// is registered (and a token with holders cannot be re-registered). Refunds of
        /// failed deposits are not held to it: they only return what reached the Vault.
        #[pallet::call_index(8)]
        #[pallet::weight(T::WeightInfo::set_min_withdrawal())]
        pub fn set_min_withdrawal(origin: OriginFor<T>, token: L1Token, min_withdrawal: u128) -> DispatchResult {
            ensure_root(origin)?;
            Self::do_set_min_withdrawal(token, min_withdrawal)
        }

        /// Root: abandons the checkpoints from [`LowestUnsignedCheckpoint`] to `up_to`, which
        /// a lost validator set will never sign (more than a third of it is gone), so the new
        /// set's checkpoints are signed and relayed (the L1 installs that set by
        /// `Checkpoints.proposeRecovery`/`executeRecovery` with `nextCheckpoint = up_to + 1`).
        /// Every one must be unsigned and of a set other than the current one, and at most
        /// [`MAX_ABANDONED_CHECKPOINTS`] are abandoned per call. Their withdrawals go back,
        /// with the same ids, to the front of the open period (its newest spill into the
        /// queue) and are committed again by the next checkpoint; the L1 pays an id once,
        /// however often it is committed. The abandoned checkpoints take no more signatures.
        /// Emits `CheckpointsAbandoned`. Weight: from `T::DbWeight`, per abandoned checkpoint
        /// (at most `MAX_ABANDONED_CHECKPOINTS`) and per withdrawal moved (at most one
        /// period's).
        #[pallet::call_index(9)]
        #[pallet::weight(Pallet::<T>::abandon_checkpoints_weight())]
        pub fn abandon_checkpoints(origin: OriginFor<T>, up_to: CheckpointNumber) -> DispatchResult {
            ensure_root(origin)?;
            Self::do_abandon_checkpoints(up_to)
        }
    }

    #[pallet::validate_unsigned]
    impl<T: Config> ValidateUnsigned for Pallet<T> {
        type Call = Call<T>;

        fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
            match call {
                Call::attest_deposit { deposit, validator_index, signature } => {
                    let check = Self::check_attestation(deposit, *validator_index, signature)
                        .map_err(Self::invalid_transaction)?;
                    ValidTransaction::with_tag_prefix("LudusBridgeAttestation")
                        .priority(T::UnsignedPriority::get())
                        .and_provides((deposit.nonce, check.set_id, *validator_index))
                        .longevity(UNSIGNED_LONGEVITY)
                        .propagate(true)
                        .build()
                }
                Call::submit_checkpoint_signature { number, validator_index, signature } => {
                    Self::check_checkpoint_signature(*number, *validator_index, signature)
                        .map_err(Self::invalid_transaction)?;
                    ValidTransaction::with_tag_prefix("LudusBridgeCheckpointSignature")
                        .priority(T::UnsignedPriority::get())
                        .and_provides((*number, *validator_index))
                        .longevity(UNSIGNED_LONGEVITY)
                        .propagate(true)
                        .build()
                }
                _ => InvalidTransaction::Call.into(),
            }
        }
    }

    impl<T: Config> Pallet<T> {
        /// Why the pool refuses an unsigned call, from the error its dispatch would return:
        /// `Invalid` when it never will be valid, `Unknown` when it may be later (see
        /// [`DEPOSITS_PAUSED`] for why those must not be banned).
        fn invalid_transaction(error: Error<T>) -> TransactionValidityError {
            match error {
                Error::BadSignature | Error::UnknownValidator => InvalidTransaction::BadProof.into(),
                Error::DepositAlreadyExecuted
                | Error::AlreadyAttested
                | Error::AlreadySigned
                | Error::CheckpointAlreadySigned
                | Error::CheckpointAbandoned => InvalidTransaction::Stale.into(),
                // Valid again after unpausing, once the checkpoint exists, once root set the L1
                // parameters, or once earlier deposits executed.
                Error::DepositsPaused => UnknownTransaction::Custom(DEPOSITS_PAUSED).into(),
                Error::UnknownCheckpoint => UnknownTransaction::Custom(UNKNOWN_CHECKPOINT).into(),
                Error::L1ParamsUnset => UnknownTransaction::Custom(L1_PARAMS_UNSET).into(),
                Error::NonceBeyondWindow => UnknownTransaction::Custom(NONCE_BEYOND_WINDOW).into(),
                Error::TooManyOpenAttestations => UnknownTransaction::Custom(TOO_MANY_OPEN_ATTESTATIONS).into(),
                _ => InvalidTransaction::Call.into(),
            }
        }
    }
}
