//! A runtime with System, Balances, Assets (the bridged fungibles) and this pallet, with four
//! real secp256k1 dev keys (`//Alice` … `//Dave`) as the genesis bridge validators.

use frame_support::{
    derive_impl, parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, Hooks},
    PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use sp_core::{ecdsa, Pair, H160, H256};
use sp_runtime::{AccountId32, BuildStorage};

use crate as pallet_bridge;

/// Accounts are 32 bytes, as in the Ludus runtime (deposits name them by their bytes).
pub type AccountId = AccountId32;
/// LUD.
pub type Balance = u128;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Assets: pallet_assets,
        Bridge: pallet_bridge,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountId = AccountId;
    type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
    type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = Balance;
    type ExistentialDeposit = ConstU128<1>;
    type AccountStore = System;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
    type Balance = Balance;
    type Currency = Balances;
    type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
    type ForceOrigin = EnsureRoot<AccountId>;
}

/// The genesis L1 chain id.
pub const L1_CHAIN_ID: u64 = 31_337;
/// `CheckpointInterval`.
pub const INTERVAL: u64 = 10;
/// The heartbeat the schedule tests set ([`HeartbeatBlocks`]); by default the heartbeat is
/// [`INTERVAL`], so other tests see a checkpoint every interval as before.
pub const HEARTBEAT: u64 = 30;
/// `AttestationWindow`.
pub const WINDOW: u64 = 8;
/// `MaxOpenAttestations`.
pub const MAX_OPEN: u32 = 3;
/// `MaxWithdrawalsPerCheckpoint`.
pub const MAX_WITHDRAWALS: u32 = 5;
/// `CheckpointSignatureRetention`: small, so a test prunes after a few checkpoints.
pub const RETENTION: u64 = 4;
/// `DepositOutcomeRetention`: above the window, as the runtime's, so the benchmark's lowest
/// nonce passing a whole window drops that many old records; small, so a test sees outcomes
/// dropped after a few deposits.
pub const OUTCOME_RETENTION: u64 = 10;

parameter_types! {
    /// `HeartbeatInterval`; a test may set the runtime's.
    pub static HeartbeatBlocks: u64 = INTERVAL;
    /// `CheckpointInterval`; a test may set the runtime's.
    pub static IntervalBlocks: u64 = INTERVAL;
    /// `MaxWithdrawalsPerCheckpoint`; a test may set the runtime's.
    pub static WithdrawalsPerCheckpoint: u32 = MAX_WITHDRAWALS;
    pub const BridgePalletId: PalletId = PalletId(*b"ludus/br");
    /// The genesis Vault address.
    pub VaultAddress: H160 = H160::repeat_byte(0xaa);
    /// The genesis Checkpoints contract address.
    pub CheckpointsAddress: H160 = H160::repeat_byte(0xcc);
}

impl pallet_bridge::Config for Test {
    type Assets = Assets;
    type PalletId = BridgePalletId;
    type CheckpointInterval = IntervalBlocks;
    type HeartbeatInterval = HeartbeatBlocks;
    type MaxValidators = ConstU32<8>;
    type MaxWithdrawalsPerCheckpoint = WithdrawalsPerCheckpoint;
    type MaxTokens = ConstU32<2>;
    type AttestationWindow = ConstU64<WINDOW>;
    type MaxOpenAttestations = ConstU32<MAX_OPEN>;
    type CheckpointSignatureRetention = ConstU64<RETENTION>;
    type DepositOutcomeRetention = ConstU64<OUTCOME_RETENTION>;
    type UnsignedPriority = ConstU64<{ 1 << 20 }>;
    type WeightInfo = ();
}

/// The extrinsic of the mock's blocks, which the offchain worker builds.
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
    RuntimeCall: From<LocalCall>,
{
    type Extrinsic = Extrinsic;
    type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateBare<LocalCall> for Test
where
    RuntimeCall: From<LocalCall>,
{
    fn create_bare(call: RuntimeCall) -> Extrinsic {
        Extrinsic::new_bare(call)
    }
}

/// The genesis L1 parameters.
pub fn l1_params() -> pallet_bridge::L1Parameters {
    pallet_bridge::L1Parameters {
        chain_id: L1_CHAIN_ID,
        vault: VaultAddress::get(),
        checkpoints_contract: CheckpointsAddress::get(),
    }
}

/// The dev seeds of the genesis validators.
pub const VALIDATOR_SEEDS: [&str; 4] = ["//Alice", "//Bob", "//Charlie", "//Dave"];

/// The ecdsa pair of a dev seed.
pub fn pair(seed: &str) -> ecdsa::Pair {
    ecdsa::Pair::from_string(seed, None).expect("dev seeds are valid")
}

/// The genesis validators' pairs, in set order (ascending Ethereum address), so position
/// `i` is validator index `i`.
pub fn validators() -> Vec<ecdsa::Pair> {
    let mut pairs: Vec<_> = VALIDATOR_SEEDS.iter().map(|seed| pair(seed)).collect();
    pairs.sort_by_key(|pair| ludus_primitives::bridge::eth_address(&pair.public()).expect("valid key"));
    pairs
}

/// Genesis with the four dev validators as set 0 and [`l1_params`], at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
    new_test_ext_with(Some(l1_params()))
}

/// Genesis with the four dev validators as set 0 and the given L1 parameters, at block 1.
pub fn new_test_ext_with(l1_params: Option<pallet_bridge::L1Parameters>) -> sp_io::TestExternalities {
    new_test_ext_with_tokens(l1_params, Vec::new())
}

/// Genesis with the four dev validators as set 0, the given L1 parameters and `tokens`
/// (L1 token, asset, min balance) bridged from genesis, at block 1.
pub fn new_test_ext_with_tokens(
    l1_params: Option<pallet_bridge::L1Parameters>,
    tokens: Vec<(sp_core::H160, u32, u128)>,
) -> sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    pallet_bridge::GenesisConfig::<Test> {
        validators: VALIDATOR_SEEDS.iter().map(|seed| pair(seed).public()).collect(),
        l1_params,
        tokens,
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    ext
}

/// Runs `test` on a fresh genesis, then checks the pallet's invariants.
pub fn run_test(test: impl FnOnce()) {
    new_test_ext().execute_with(|| {
        test();
        Bridge::do_try_state().expect("invariants hold");
    });
}

/// A recognisable hash for block `number`, as if it had been produced.
pub fn hash_of_block(number: u64) -> H256 {
    H256::from_low_u64_be(0xb10c_0000 + number)
}

/// Finishes the current block and runs blocks up to and including `target`'s
/// `on_initialize`, the way the executive would.
pub fn run_to_block(target: u64) {
    while System::block_number() < target {
        let now = System::block_number();
        Bridge::on_finalize(now);
        System::finalize();
        let next = now + 1;
        System::initialize(&next, &hash_of_block(now), &Default::default());
        Bridge::on_initialize(next);
    }
}
