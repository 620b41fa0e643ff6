//! The configuration of each pallet in the runtime.

use frame_support::{
    derive_impl,
    dispatch::DispatchClass,
    parameter_types,
    traits::{AsEnsureOriginWithArg, ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
    weights::{ConstantMultiplier, IdentityFee},
};
use frame_system::{
    limits::{BlockLength, BlockWeights},
    EnsureRoot,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::{ConvertInto, One, OpaqueKeys};
use sp_version::RuntimeVersion;

use super::*;
use crate::weights::{BlockExecutionWeight, ExtrinsicBaseWeight, LudusDbWeight};

parameter_types! {
    pub const BlockHashCount: BlockNumber = 2400;
    pub const Version: RuntimeVersion = VERSION;
    /// `BlockWeights::with_sensible_defaults` with Ludus's natively measured base weights
    /// (`crate::weights`) instead of Substrate's Wasm reference ones: 500 ms per block, 75 % of
    /// it for normal extrinsics, the rest reserved for operational ones, 10 % expected for
    /// `on_initialize`.
    pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
        .base_block(BlockExecutionWeight::get())
        .for_class(DispatchClass::all(), |weights| {
            weights.base_extrinsic = ExtrinsicBaseWeight::get();
        })
        .for_class(DispatchClass::Normal, |weights| {
            weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
        })
        .for_class(DispatchClass::Operational, |weights| {
            weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
            weights.reserved = Some(MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
        })
        .avg_block_initialization(Perbill::from_percent(10))
        .build_or_panic();
    pub RuntimeBlockLength: BlockLength = BlockLength::builder()
        .max_length(5 * 1024 * 1024)
        .modify_max_length_for_class(DispatchClass::Normal, |max| {
            *max = NORMAL_DISPATCH_RATIO * 5 * 1024 * 1024
        })
        .build();
    pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
    type Block = Block;
    type BlockWeights = RuntimeBlockWeights;
    type BlockLength = RuntimeBlockLength;
    type AccountId = AccountId;
    type Nonce = Nonce;
    type Hash = Hash;
    type BlockHashCount = BlockHashCount;
    /// Measured natively: reads go through the overlay over the trie, writes are one batch
    /// per block (see `weights/db.rs`).
    type DbWeight = LudusDbWeight;
    /// Zero: the extensions' cost is measured inside `ExtrinsicBaseWeight`.
    type ExtensionsWeightInfo = crate::weights::extensions::InExtrinsicBase;
    type Version = Version;
    type AccountData = pallet_balances::AccountData<Balance>;
    type SS58Prefix = SS58Prefix;
    type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
    /// Milliseconds since the Unix epoch.
    type Moment = u64;
    type OnTimestampSet = Aura;
    type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
    type WeightInfo = ();
}

/// The most authorities Aura, GRANDPA, the bridge and the validator set accept. One bound for
/// all: a set larger than any handler's limit would be truncated (Aura) or refused (bridge),
/// leaving authoring, finality and checkpoint signing with different sets.
pub type MaxAuthorities = ConstU32<64>;

impl pallet_aura::Config for Runtime {
    type AuthorityId = AuraId;
    type DisabledValidators = ();
    type MaxAuthorities = MaxAuthorities;
    type AllowMultipleBlocksPerSlot = ConstBool<false>;
    type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type MaxAuthorities = MaxAuthorities;
    type MaxNominators = ConstU32<0>;
    type MaxSetIdSessionEntries = ConstU64<0>;
    type KeyOwnerProof = sp_core::Void;
    type EquivocationReportSystem = ();
}

impl pallet_balances::Config for Runtime {
    type MaxLocks = ConstU32<50>;
    type MaxReserves = ConstU32<50>;
    type ReserveIdentifier = [u8; 8];
    type Balance = Balance;
    type RuntimeEvent = RuntimeEvent;
    type DustRemoval = ();
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
    /// Measured natively (see `weights/pallet_balances.rs`).
    type WeightInfo = crate::weights::pallet_balances::LudusWeight<Runtime>;
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type DoneSlashHandler = ();
}

parameter_types! {
    pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    /// A studio's fuel tank pays its players' game-assets calls within their budget; every
    /// other fee is paid by the signer, so wallets need no extra transaction extension.
    type OnChargeTransaction = pallet_game_assets::SponsoredFees<Runtime, FungibleAdapter<Balances, ()>>;
    type OperationalFeeMultiplier = ConstU8<5>;
    /// One unit (10^-12 LUD) per picosecond of weight: a `transfer_keep_alive` weighs about
    /// 307 µs (`crate::weights`), so about 0.0003 LUD, plus its length fee.
    type WeightToFee = IdentityFee<Balance>;
    /// 0.000001 LUD per byte, so large transactions pay for the space they take.
    type LengthToFee = ConstantMultiplier<Balance, ConstU128<1_000_000>>;
    type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
    /// Zero: the fee withdrawal and refund are measured inside `ExtrinsicBaseWeight`.
    type WeightInfo = crate::weights::extensions::InExtrinsicBase;
}

parameter_types! {
    /// Sessions last ten minutes. A governance change of the validator set does not wait for
    /// the boundary: `ValidatorSet` forces the two rotations it needs on the next two blocks.
    pub const SessionPeriod: BlockNumber = 10 * MINUTES;
    pub const SessionOffset: BlockNumber = 0;
    /// Setting session keys holds 1 LUD, so key registrations cannot bloat state for free.
    pub const SessionKeyDeposit: Balance = LUD;
}

impl pallet_session::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type ValidatorId = AccountId;
    type ValidatorIdOf = ConvertInto;
    /// Every `SessionPeriod` blocks, and on the two blocks after a `set_validators`.
    type ShouldEndSession = ValidatorSet;
    /// Estimates ignore the rare forced rotations of a governance change.
    type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
    /// Governance (Sudo) chooses the validators.
    type SessionManager = ValidatorSet;
    type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
    type Keys = SessionKeys;
    type DisablingStrategy = ();
    type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
    type Currency = Balances;
    type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
    type MaxValidators = MaxAuthorities;
    type SessionPeriod = SessionPeriod;
    type SessionOffset = SessionOffset;
    /// Hand-estimated (see the pallet's `weights.rs`).
    type WeightInfo = ();
}

parameter_types! {
    /// Ten blocks (ten seconds) at least between scheduling an upgrade and its height: a floor
    /// for devnets and tests; governance of a network gives its operators hours.
    pub const UpgradeMinNotice: BlockNumber = 10;
}

/// The number of Aura authorities: the validators an upgrade needs more than two thirds of.
pub struct AuthorityCount;

impl frame_support::traits::Get<u32> for AuthorityCount {
    fn get() -> u32 {
        pallet_aura::Authorities::<Runtime>::decode_len().unwrap_or(0) as u32
    }
}

impl pallet_runtime_upgrade::Config for Runtime {
    type MinNotice = UpgradeMinNotice;
    type FindAuthor = Aura;
    type AuthorityCount = AuthorityCount;
    type MaxAuthorities = MaxAuthorities;
    /// Hand-estimated (see the pallet's `weights.rs`).
    type WeightInfo = ();
}

parameter_types! {
    pub const AssetDeposit: Balance = 10 * LUD;
    pub const AssetAccountDeposit: Balance = LUD / 100;
    pub const MetadataDepositBase: Balance = LUD / 10;
    pub const MetadataDepositPerByte: Balance = LUD / 1_000;
    pub const ApprovalDeposit: Balance = LUD / 100;
}

impl pallet_assets::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type Balance = Balance;
    type RemoveItemsLimit = ConstU32<1000>;
    type AssetId = u32;
    type AssetIdParameter = codec::Compact<u32>;
    type ReserveData = ();
    type Currency = Balances;
    /// Bridged tokens are registered by governance only, so no one can pass off an asset
    /// of their own as a bridged L1 token.
    type CreateOrigin = AsEnsureOriginWithArg<frame_system::EnsureNever<AccountId>>;
    type ForceOrigin = EnsureRoot<AccountId>;
    type AssetDeposit = AssetDeposit;
    type AssetAccountDeposit = AssetAccountDeposit;
    type MetadataDepositBase = MetadataDepositBase;
    type MetadataDepositPerByte = MetadataDepositPerByte;
    type ApprovalDeposit = ApprovalDeposit;
    type StringLimit = ConstU32<64>;
    type Freezer = ();
    type Holder = ();
    type Extra = ();
    type CallbackHandle = ();
    type AssetIdAllocator = ();
    type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = ();
}

impl pallet_sudo::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
    pub const GameAssetsPalletId: frame_support::PalletId = frame_support::PalletId(*b"ludus/ga");
    /// A collection holds 1 LUD until destroyed.
    pub const CollectionDeposit: Balance = LUD;
    /// Each token kind holds 0.01 LUD.
    pub const TokenDeposit: Balance = LUD / 100;
    pub const AttributeDepositBase: Balance = LUD / 1_000;
    /// Stored bytes (attributes, metadata) cost 0.00001 LUD each.
    pub const DepositPerByte: Balance = LUD / 100_000;
    pub const GameApprovalDeposit: Balance = LUD / 1_000;
    pub const ListingDeposit: Balance = LUD / 1_000;
    pub const TradeDeposit: Balance = LUD / 1_000;
    pub const RecipeDeposit: Balance = LUD / 100;
    /// Trades expire within a day at most.
    pub const MaxTradeDuration: BlockNumber = 24 * HOURS;
}

impl pallet_game_assets::Config for Runtime {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type PalletId = GameAssetsPalletId;
    type CollectionDeposit = CollectionDeposit;
    type TokenDeposit = TokenDeposit;
    type AttributeDepositBase = AttributeDepositBase;
    type DepositPerByte = DepositPerByte;
    type ApprovalDeposit = GameApprovalDeposit;
    type ListingDeposit = ListingDeposit;
    type TradeDeposit = TradeDeposit;
    type RecipeDeposit = RecipeDeposit;
    type StringLimit = ConstU32<128>;
    type KeyLimit = ConstU32<32>;
    type ValueLimit = ConstU32<256>;
    type MaxAttributes = ConstU32<64>;
    type MaxRoleHolders = ConstU32<32>;
    type MaxBatch = ConstU32<64>;
    type MaxTradeItems = ConstU32<16>;
    type MaxTradeDuration = MaxTradeDuration;
    type WeightInfo = pallet_game_assets::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
    pub const BridgePalletId: frame_support::PalletId = frame_support::PalletId(*b"ludus/br");
    /// A withdrawal is in a checkpoint at most 10 blocks (10 s) after its burn, so it becomes
    /// claimable on the L1 soon after it is final. Each checkpoint is one L1 transaction for
    /// a relayer: at one withdrawal a second that is 8,640 a day.
    pub const CheckpointInterval: BlockNumber = 10;
    /// With nothing to commit, one checkpoint an hour: an idle day costs the L1 24.
    pub const CheckpointHeartbeat: BlockNumber = crate::HOURS;
    /// Attestations are taken for the 256 deposit nonces above the lowest unexecuted one:
    /// more than the deposits in flight between the L1's finalized block and execution.
    pub const AttestationWindow: u64 = 256;
    /// A validator may hold 64 attestations open: with 64 validators, at most 4,160
    /// attestations (and as many tallies) are stored at once, whatever one key sends.
    pub const MaxOpenAttestations: u32 = 64;
    /// Signatures of the last 1,024 signed checkpoints stay on chain for relayers to post:
    /// 42 days of an idle bridge (one an hour), almost 3 hours at the busiest (one every 10
    /// blocks). Relayers post a checkpoint seconds after it is signed, and any relayer may,
    /// so all of them falling that far behind is an outage an archive node then recovers
    /// from. At 64 validators this keeps at most 1,024 × 43 signatures (about 5 MB).
    pub const CheckpointSignatureRetention: u64 = 1_024;
    /// What came of the last 4,096 deposits (minted, or refunded as which withdrawal) stays
    /// on chain for `ludus_bridge_depositStatus`: a user finds their deposit's outcome until
    /// 4,096 later deposits executed. A record (key and value) is under 60 bytes, so about
    /// 240 KB at most; an older deposit's outcome is in its event.
    pub const DepositOutcomeRetention: u64 = 4_096;
    /// Unsigned bridge transactions (attestations, signatures) go before ordinary ones.
    pub const BridgeUnsignedPriority: sp_runtime::transaction_validity::TransactionPriority =
        sp_runtime::transaction_validity::TransactionPriority::MAX / 2;
}

impl pallet_bridge::Config for Runtime {
    type Assets = Assets;
    type PalletId = BridgePalletId;
    type CheckpointInterval = CheckpointInterval;
    type HeartbeatInterval = CheckpointHeartbeat;
    type MaxValidators = MaxAuthorities;
    type MaxWithdrawalsPerCheckpoint = ConstU32<1024>;
    type MaxTokens = ConstU32<64>;
    type AttestationWindow = AttestationWindow;
    type MaxOpenAttestations = MaxOpenAttestations;
    type CheckpointSignatureRetention = CheckpointSignatureRetention;
    type DepositOutcomeRetention = DepositOutcomeRetention;
    type UnsignedPriority = BridgeUnsignedPriority;
    /// Measured by the native harness (`pallets/bridge/src/weights_gen`), at this runtime's bounds.
    type WeightInfo = pallet_bridge::weights::SubstrateWeight<Runtime>;
}

/// Offchain workers (the bridge's checkpoint signer) submit bare extrinsics.
impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
    RuntimeCall: From<LocalCall>,
{
    type Extrinsic = UncheckedExtrinsic;
    type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateBare<LocalCall> for Runtime
where
    RuntimeCall: From<LocalCall>,
{
    fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
        UncheckedExtrinsic::new_bare(call)
    }
}

/// The bridge keys in the validators' session keys: the session's validator set is the
/// bridge's, from genesis on and at every session that changes it.
pub struct BridgeValidatorKeys;

impl sp_runtime::BoundToRuntimeAppPublic for BridgeValidatorKeys {
    type Public = bridge_key::Public;
}

impl BridgeValidatorKeys {
    fn install(keys: impl Iterator<Item = bridge_key::Public>) {
        let keys: alloc::vec::Vec<sp_core::ecdsa::Public> = keys.map(Into::into).collect();
        if let Err(error) = Bridge::do_set_validators(keys) {
            log::warn!(target: "runtime::bridge", "the session's bridge keys were refused: {error:?}");
        }
    }
}

impl frame_support::traits::OneSessionHandler<AccountId> for BridgeValidatorKeys {
    type Key = bridge_key::Public;

    fn on_genesis_session<'a, I>(validators: I)
    where
        I: Iterator<Item = (&'a AccountId, bridge_key::Public)> + 'a,
    {
        Self::install(validators.map(|(_, key)| key));
    }

    fn on_new_session<'a, I>(changed: bool, validators: I, _queued: I)
    where
        I: Iterator<Item = (&'a AccountId, bridge_key::Public)> + 'a,
    {
        if changed {
            Self::install(validators.map(|(_, key)| key));
        }
    }

    fn on_disabled(_validator_index: u32) {}
}
