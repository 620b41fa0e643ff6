//! A runtime of frame-system and this pallet whose `spec_version` a test can change, as a
//! node switching runtimes does.

use frame_support::{derive_impl, parameter_types};
use sp_runtime::BuildStorage;
use sp_version::RuntimeVersion;

use crate as pallet_runtime_upgrade;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        RuntimeUpgrade: pallet_runtime_upgrade,
    }
);

/// The mock's first runtime.
pub const OLD: u32 = 100;
/// The runtime an upgrade brings.
pub const NEW: u32 = 101;
/// The fewest blocks of notice.
pub const MIN_NOTICE: u64 = 10;

parameter_types! {
    /// The `spec_version` of the runtime executing the mock's blocks.
    pub static SpecVersion: u32 = OLD;
    pub const MinNotice: u64 = MIN_NOTICE;
}

/// The running runtime's version, as `frame_system::Config::Version` gives it.
pub struct Version;

impl frame_support::traits::Get<RuntimeVersion> for Version {
    fn get() -> RuntimeVersion {
        RuntimeVersion { spec_version: SpecVersion::get(), ..Default::default() }
    }
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type Version = Version;
}

impl pallet_runtime_upgrade::Config for Test {
    type MinNotice = MinNotice;
    type WeightInfo = ();
}

/// Run `test` from block 1 of a new chain on runtime [`OLD`], and check the pallet's
/// invariants afterwards.
pub fn with_genesis(test: impl FnOnce()) {
    let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        SpecVersion::set(OLD);
        run_to_block(1);
        test();
        RuntimeUpgrade::do_try_state(System::block_number()).expect("the pallet's invariants hold");
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

/// This pallet's events in the current block.
pub fn upgrade_events() -> Vec<pallet_runtime_upgrade::Event<Test>> {
    System::read_events_for_pallet::<pallet_runtime_upgrade::Event<Test>>()
}
