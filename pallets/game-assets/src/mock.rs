//! A runtime with System, Balances, TransactionPayment (fees through [`SponsoredFees`]) and
//! this pallet, for the tests and the benchmark suite.

use frame_support::{
    derive_impl, parameter_types,
    traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
    weights::IdentityFee,
    PalletId,
};
use pallet_transaction_payment::FungibleAdapter;
use sp_runtime::BuildStorage;

use crate as pallet_game_assets;
use crate::SponsoredFees;

/// Accounts are plain numbers.
pub type AccountId = u64;
/// LUD, as in the Ludus runtime.
pub type Balance = u128;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        TransactionPayment: pallet_transaction_payment,
        GameAssets: pallet_game_assets,
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
    type ExistentialDeposit = ConstU128<{ ED }>;
    type AccountStore = System;
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

#[derive_impl(pallet_transaction_payment::config_preludes::TestDefaultConfig)]
impl pallet_transaction_payment::Config for Test {
    type OnChargeTransaction = SponsoredFees<Test, FungibleAdapter<Balances, ()>>;
    type OperationalFeeMultiplier = ConstU8<5>;
    type WeightToFee = IdentityFee<Balance>;
    type LengthToFee = IdentityFee<Balance>;
}

/// The existential deposit.
pub const ED: Balance = 1;
/// `CollectionDeposit`.
pub const COLLECTION_DEPOSIT: Balance = 100;
/// `TokenDeposit`.
pub const TOKEN_DEPOSIT: Balance = 10;
/// `AttributeDepositBase`.
pub const ATTRIBUTE_DEPOSIT_BASE: Balance = 5;
/// `DepositPerByte`.
pub const DEPOSIT_PER_BYTE: Balance = 1;
/// `ApprovalDeposit`, `ListingDeposit`, `TradeDeposit`, `RecipeDeposit`.
pub const RECORD_DEPOSIT: Balance = 3;
/// `MaxTradeDuration`.
pub const MAX_TRADE_DURATION: u64 = 100;

parameter_types! {
    pub const GameAssetsPalletId: PalletId = PalletId(*b"ludus/ga");
}

impl pallet_game_assets::Config for Test {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type PalletId = GameAssetsPalletId;
    type CollectionDeposit = ConstU128<COLLECTION_DEPOSIT>;
    type TokenDeposit = ConstU128<TOKEN_DEPOSIT>;
    type AttributeDepositBase = ConstU128<ATTRIBUTE_DEPOSIT_BASE>;
    type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
    type ApprovalDeposit = ConstU128<RECORD_DEPOSIT>;
    type ListingDeposit = ConstU128<RECORD_DEPOSIT>;
    type TradeDeposit = ConstU128<RECORD_DEPOSIT>;
    type RecipeDeposit = ConstU128<RECORD_DEPOSIT>;
    type StringLimit = ConstU32<32>;
    type KeyLimit = ConstU32<16>;
    type ValueLimit = ConstU32<32>;
    type MaxAttributes = ConstU32<4>;
    type MaxRoleHolders = ConstU32<3>;
    type MaxBatch = ConstU32<8>;
    type MaxTradeItems = ConstU32<4>;
    type MaxTradeDuration = ConstU64<MAX_TRADE_DURATION>;
    type WeightInfo = ();
}

/// Accounts endowed at genesis.
pub const ENDOWED: [AccountId; 6] = [1, 2, 3, 4, 5, 6];
/// What each endowed account starts with.
pub const INITIAL_BALANCE: Balance = 1_000_000_000_000;

/// The genesis storage: System, and Balances with [`ENDOWED`] accounts.
pub fn genesis_storage() -> sp_runtime::Storage {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: ENDOWED.iter().map(|who| (*who, INITIAL_BALANCE)).collect(),
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    storage
}

/// Genesis with [`ENDOWED`] accounts, at block 1 (events are recorded from then on).
pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut ext = sp_io::TestExternalities::new(genesis_storage());
    ext.execute_with(|| System::set_block_number(1));
    ext
}

/// Runs `test` on a fresh genesis, then checks the pallet's invariants (including that the
/// endowed accounts hold no deposit the state does not record).
pub fn run_test(test: impl FnOnce()) {
    new_test_ext().execute_with(|| {
        test();
        check_state();
    });
}

/// [`crate::Pallet::try_state_with`] over the endowed accounts; panics on a broken invariant.
pub fn check_state() {
    GameAssets::try_state_with(&ENDOWED).expect("invariants hold");
}
