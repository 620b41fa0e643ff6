//! A runtime of frame-system and this pallet whose `spec_version` a test can change, as a
//! node switching runtimes does.

use codec::{Decode, Encode};
use frame_support::{
    derive_impl, parameter_types,
    traits::{FindAuthor, OnFinalize, OnInitialize},
};
use sp_runtime::{BuildStorage, ConsensusEngineId, Digest, DigestItem};
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
/// The validators; block `n` is authored by validator `n % AUTHORITIES`.
pub const AUTHORITIES: u32 = 4;
/// The engine id of the mock's author digest (the author's index, as Aura's slot gives it).
const AUTHOR_ENGINE_ID: ConsensusEngineId = *b"auth";

parameter_types! {
    /// The `spec_version` of the runtime executing the mock's blocks.
    pub static SpecVersion: u32 = OLD;
    /// The validators whose release carries [`NEW`]; the others' carries only [`OLD`].
    pub static Carriers: Vec<u32> = (0..AUTHORITIES).collect();
    pub const MinNotice: u64 = MIN_NOTICE;
    pub const AuthorityCount: u32 = AUTHORITIES;
    pub const MaxAuthorities: u32 = AUTHORITIES;
}

/// The author index the block's digest names.
pub struct DigestAuthor;

impl FindAuthor<u32> for DigestAuthor {
    fn find_author<'a, I: 'a + IntoIterator<Item = (ConsensusEngineId, &'a [u8])>>(digests: I) -> Option<u32> {
        digests
            .into_iter()
            .find(|(id, _)| *id == AUTHOR_ENGINE_ID)
            .and_then(|(_, mut data)| u32::decode(&mut data).ok())
    }
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
    type FindAuthor = DigestAuthor;
    type AuthorityCount = AuthorityCount;
    type MaxAuthorities = MaxAuthorities;
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

/// Finish the current block and start the blocks up to `n`, each with no events and a digest
/// naming its author (`n % AUTHORITIES`) and the newest runtime the author's release carries.
pub fn run_to_block(n: u64) {
    while System::block_number() < n {
        let number = System::block_number();
        if number > 0 {
            AllPalletsWithSystem::on_finalize(number);
            System::finalize();
        }
        let next = number + 1;
        let author = (next % u64::from(AUTHORITIES)) as u32;
        let carried = if Carriers::get().contains(&author) { NEW } else { OLD };
        let logs = vec![
            DigestItem::PreRuntime(AUTHOR_ENGINE_ID, author.encode()),
            ludus_primitives::carried_version_digest(carried),
        ];
        System::reset_events();
        System::initialize(&next, &System::parent_hash(), &Digest { logs });
        AllPalletsWithSystem::on_initialize(next);
    }
}

/// This pallet's events in the current block.
pub fn upgrade_events() -> Vec<pallet_runtime_upgrade::Event<Test>> {
    System::read_events_for_pallet::<pallet_runtime_upgrade::Event<Test>>()
}
