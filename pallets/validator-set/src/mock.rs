//! A runtime with the real pallet-session (and balances for its key deposit) driven by this
//! pallet. The only stand-in is the session handler, which records what Aura would install.

use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use pallet_session::SessionHandler;
use sp_runtime::{
    testing::UintAuthorityId,
    traits::{ConvertInto, OpaqueKeys},
    BuildStorage, KeyTypeId, RuntimeAppPublic,
};

use crate as pallet_validator_set;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Session: pallet_session,
        ValidatorSet: pallet_validator_set,
    }
);

/// Sessions last ten blocks unless governance forces a rotation.
pub const PERIOD: u64 = 10;
/// What registering session keys holds.
pub const KEY_DEPOSIT: u64 = 10;
/// The genesis validators, with session keys `UintAuthorityId(account)`.
pub const GENESIS_VALIDATORS: [u64; 3] = [1, 2, 3];
/// Endowed accounts that start without session keys.
pub const CANDIDATES: [u64; 3] = [4, 5, 6];

parameter_types! {
    /// The authorities the session handler was last told to use, as Aura installs them.
    pub static Authorities: Vec<u64> = Vec::new();
    /// The `changed` flag of every `on_new_session` call, in order.
    pub static ChangedFlags: Vec<bool> = Vec::new();
    pub const SessionPeriod: u64 = PERIOD;
    pub const SessionOffset: u64 = 0;
    pub const KeyDeposit: u64 = KEY_DEPOSIT;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type AccountStore = System;
}

/// Installs the authorities on a changed set, the way pallet-aura's session handler does.
pub struct RecordingSessionHandler;

impl SessionHandler<u64> for RecordingSessionHandler {
    const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];

    fn on_genesis_session<Ks: OpaqueKeys>(validators: &[(u64, Ks)]) {
        Authorities::set(validators.iter().map(|(who, _)| *who).collect());
    }

    fn on_new_session<Ks: OpaqueKeys>(changed: bool, validators: &[(u64, Ks)], _queued: &[(u64, Ks)]) {
        ChangedFlags::mutate(|flags| flags.push(changed));
        if changed {
            Authorities::set(validators.iter().map(|(who, _)| *who).collect());
        }
    }

    fn on_disabled(_validator_index: u32) {}
}

impl pallet_session::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type ValidatorId = u64;
    type ValidatorIdOf = ConvertInto;
    type ShouldEndSession = ValidatorSet;
    type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
    type SessionManager = ValidatorSet;
    type SessionHandler = RecordingSessionHandler;
    type Keys = UintAuthorityId;
    type DisablingStrategy = ();
    type WeightInfo = ();
    type Currency = Balances;
    type KeyDeposit = KeyDeposit;
}

impl pallet_validator_set::Config for Test {
    type MaxValidators = ConstU32<4>;
    type SessionPeriod = SessionPeriod;
    type SessionOffset = SessionOffset;
    type WeightInfo = ();
}

/// Genesis: validators 1, 2, 3 with keys; 4, 5, 6 endowed without keys; block 1 started.
pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: GENESIS_VALIDATORS.iter().chain(CANDIDATES.iter()).map(|who| (*who, 1_000)).collect(),
        dev_accounts: None,
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_session::GenesisConfig::<Test> {
        keys: GENESIS_VALIDATORS.iter().map(|who| (*who, *who, UintAuthorityId(*who))).collect(),
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_validator_set::GenesisConfig::<Test> { validators: GENESIS_VALIDATORS.to_vec() }
        .assimilate_storage(&mut storage)
        .unwrap();
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        ChangedFlags::set(Vec::new());
        run_to_block(1);
    });
    ext
}

/// Run `test` on the genesis state and check the pallet's invariants afterwards.
pub fn with_genesis(test: impl FnOnce()) {
    new_test_ext().execute_with(|| {
        test();
        ValidatorSet::do_try_state().expect("the pallet's invariants hold");
    });
}

/// Finish the current block and run `on_initialize` of the blocks up to `n`; each block
/// starts with no events, as on a real chain.
pub fn run_to_block(n: u64) {
    System::run_to_block_with::<AllPalletsWithSystem>(
        n,
        frame_system::RunToBlockHooks::default().before_initialize(|_| System::reset_events()),
    );
}

/// Register `who`'s session keys (`UintAuthorityId(who)`; the mock keys need no proof).
pub fn register_keys(who: u64) {
    Session::set_keys(RuntimeOrigin::signed(who), UintAuthorityId(who), Vec::new()).unwrap();
}

/// This pallet's events in the current block.
pub fn validator_set_events() -> Vec<pallet_validator_set::Event<Test>> {
    System::read_events_for_pallet::<pallet_validator_set::Event<Test>>()
}
