//! The runtime as a whole, block by block through `Executive`: a governance change of the
//! validator set reaches Aura, GRANDPA and the bridge; a block full of transfers holds what
//! the native weights promise and executes well within its slot.

use codec::Encode;
use frame_support::{assert_ok, traits::UnfilteredDispatchable};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_consensus_grandpa::{ConsensusLog as GrandpaLog, GRANDPA_ENGINE_ID};
use sp_core::{crypto::Pair, ecdsa, ed25519, sr25519};
use sp_runtime::{generic::Era, traits::Header as _, BuildStorage, Digest, DigestItem};

use crate::{
    genesis_config_presets::{dev_account, dev_session_keys, get_preset, LOCAL_TESTNET},
    *,
};

/// The `local_testnet` preset merged over the default config, as the chain-spec crate does.
pub(crate) fn local_testnet_storage() -> sp_runtime::Storage {
    fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
        match (base, patch) {
            (serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
                for (key, value) in patch {
                    merge(base.entry(key).or_insert(serde_json::Value::Null), value);
                }
            }
            (base, patch) => *base = patch,
        }
    }
    let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
    let patch = get_preset(&LOCAL_TESTNET.into()).unwrap();
    merge(&mut config, serde_json::from_slice(&patch).unwrap());
    serde_json::from_value::<RuntimeGenesisConfig>(config).unwrap().build_storage().unwrap()
}

/// Executes block `number` (slot `number`): header with the Aura pre-digest, the timestamp
/// inherent, then `body`. Returns the finalized header.
fn execute_block(number: BlockNumber, body: impl FnOnce()) -> Header {
    open_block(number);
    body();
    Executive::finalize_block()
}

/// A signed extrinsic from `pair` with `nonce`, as polkadot.js builds it (immortal, no tip).
pub(crate) fn sign(pair: &sr25519::Pair, nonce: Nonce, call: RuntimeCall) -> UncheckedExtrinsic {
    let extension: TxExtension = (
        frame_system::CheckNonZeroSender::new(),
        frame_system::CheckSpecVersion::new(),
        frame_system::CheckTxVersion::new(),
        frame_system::CheckGenesis::new(),
        frame_system::CheckEra::from(Era::Immortal),
        frame_system::CheckNonce::from(nonce),
        frame_system::CheckWeight::new(),
        pallet_transaction_payment::ChargeTransactionPayment::from(0),
    );
    let payload = SignedPayload::new(call.clone(), extension.clone()).expect("the implicit data is available");
    let signature = payload.using_encoded(|bytes| pair.sign(bytes));
    let who = AccountId::from(pair.public());
    UncheckedExtrinsic::new_signed(call, Address::Id(who), signature.into(), extension)
}

/// Starts block `number` (slot `number`) and applies its timestamp inherent.
pub(crate) fn open_block(number: BlockNumber) {
    open_block_with(number, Vec::new());
}

/// [`open_block`] with more pre-runtime digest items after Aura's.
fn open_block_with(number: BlockNumber, more: Vec<DigestItem>) {
    let slot = Slot::from(u64::from(number));
    let mut logs = vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())];
    logs.extend(more);
    let digest = Digest { logs };
    let parent = System::block_hash(number - 1);
    Executive::initialize_block(&Header::new(number, Default::default(), Default::default(), parent, digest));
    let now = u64::from(number) * SLOT_DURATION;
    let timestamp = UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(TimestampCall::set { now }));
    let applied = Executive::apply_extrinsic(timestamp).expect("the timestamp inherent is valid");
    assert!(applied.is_ok(), "the timestamp inherent dispatches: {applied:?}");
}

/// The `proof` of `session.set_keys` for `name`'s development keys, signed for `owner`: the
/// SCALE tuple (aura sr25519, grandpa ed25519, bridge ecdsa) of signatures over
/// `b"POP_" ++ owner.encode()`, what `SessionKeys::create_ownership_proof` produces.
fn set_keys_proof(name: &str, owner: &AccountId) -> Vec<u8> {
    let statement = [&b"POP_"[..], &owner.encode()].concat();
    let seed = format!("//{name}");
    let aura = sr25519::Pair::from_string(&seed, None).unwrap().sign(&statement);
    let grandpa = ed25519::Pair::from_string(&seed, None).unwrap().sign(&statement);
    let bridge = ecdsa::Pair::from_string(&seed, None).unwrap().sign(&statement);
    (aura, grandpa, bridge).encode()
}

fn dispatch(
    call: RuntimeCall,
    origin: RuntimeOrigin,
) -> sp_runtime::DispatchResultWithInfo<frame_support::dispatch::PostDispatchInfo> {
    call.dispatch_bypass_filter(origin)
}

fn grandpa_change(header: &Header) -> Option<Vec<sp_consensus_grandpa::AuthorityId>> {
    header.digest.logs().iter().find_map(|item| {
        match item.consensus_try_to::<GrandpaLog<BlockNumber>>(&GRANDPA_ENGINE_ID) {
            Some(GrandpaLog::ScheduledChange(change)) => {
                assert_eq!(change.delay, 0, "session changes take effect once the block is final");
                Some(change.next_authorities.into_iter().map(|(id, _)| id).collect())
            }
            _ => None,
        }
    })
}

fn aura_change(header: &Header) -> bool {
    header.digest.logs().iter().any(|item| {
        matches!(
            item.consensus_try_to::<sp_consensus_aura::ConsensusLog<sp_consensus_aura::sr25519::AuthorityId>>(
                &AURA_ENGINE_ID
            ),
            Some(sp_consensus_aura::ConsensusLog::AuthoritiesChange(_))
        )
    })
}

#[test]
fn sudo_set_validators_hands_eve_authoring_finality_and_the_bridge() {
    sp_io::TestExternalities::new(local_testnet_storage()).execute_with(|| {
        let eve = dev_account("Eve");
        let alice = dev_account("Alice");
        let eve_keys = dev_session_keys("Eve");
        assert_eq!(pallet_validator_set::Validators::<Runtime>::get().len(), 4);
        assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);

        execute_block(1, || {});
        // A proof signed for another account is refused: it must name the signer.
        let wrong = RuntimeCall::Session(pallet_session::Call::set_keys {
            keys: eve_keys.clone(),
            proof: set_keys_proof("Eve", &alice),
        });
        assert!(dispatch(wrong, RuntimeOrigin::signed(eve.clone())).is_err());

        let set_keys = RuntimeCall::Session(pallet_session::Call::set_keys {
            keys: eve_keys.clone(),
            proof: set_keys_proof("Eve", &eve),
        });
        assert_ok!(dispatch(set_keys, RuntimeOrigin::signed(eve.clone())));

        let n = 2;
        execute_block(n, || {
            let call = RuntimeCall::ValidatorSet(pallet_validator_set::Call::set_validators { new: vec![eve.clone()] });
            let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) });
            assert_ok!(dispatch(sudo, RuntimeOrigin::signed(alice.clone())));
            assert!(System::events().iter().any(|record| record.event
                == RuntimeEvent::ValidatorSet(pallet_validator_set::Event::NewValidatorsQueued {
                    validators: vec![eve.clone()]
                })));
        });

        let planned = execute_block(n + 1, || {});
        assert_eq!(Session::current_index(), 1);
        assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4, "block n + 2 is authored by the old set");
        assert_eq!(grandpa_change(&planned), None);
        assert!(!aura_change(&planned));

        let enacted = execute_block(n + 2, || {});
        assert_eq!(Session::current_index(), 2);
        assert_eq!(Session::validators(), vec![eve.clone()]);
        assert_eq!(
            pallet_aura::Authorities::<Runtime>::get().into_inner(),
            vec![eve_keys.aura.clone()],
            "block n + 3 is Eve's"
        );
        assert!(aura_change(&enacted));
        assert_eq!(grandpa_change(&enacted), Some(vec![eve_keys.grandpa.clone()]));
        assert_eq!(Grandpa::grandpa_authorities(), vec![(eve_keys.grandpa.clone(), 1)]);
        // The bridge fixes a checkpoint committing to Eve's set in the same block (its hook
        // runs after Session's) and installs the set as set 1.
        assert_eq!(pallet_bridge::CurrentSetId::<Runtime>::get(), 1);
        assert_eq!(
            pallet_bridge::ValidatorSets::<Runtime>::get(1).iter().map(|v| v.key).collect::<Vec<_>>(),
            vec![ecdsa::Public::from(eve_keys.bridge.clone())],
        );
        assert!(System::events().iter().any(|record| record.event
            == RuntimeEvent::ValidatorSet(pallet_validator_set::Event::ValidatorsEnacted {
                session: 2,
                validators: vec![eve.clone()]
            })));

        // Eve authors slot n + 3 (her index in a set of one); no further forced rotation.
        let next = execute_block(n + 3, || {});
        assert_eq!(Session::current_index(), 2);
        assert_eq!(grandpa_change(&next), None);
    });
}

/// A block filled with signed `transfer_keep_alive`s until `CheckWeight` refuses one holds as
/// many as the weight arithmetic says (normal-class limit over base + call weight), more than
/// Substrate's stock Wasm weights allowed (755), and, in a release build, executes in well under
/// the 500 ms the block weight stands for.
#[test]
fn a_full_block_of_transfers_fits_the_native_weights_and_the_slot() {
    use frame_support::dispatch::GetDispatchInfo;
    use pallet_balances::WeightInfo as _;
    use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

    let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
    let bob = dev_account("Bob");
    let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: Address::Id(bob), value: LUD / 100 });
    let limits = <Runtime as frame_system::Config>::BlockWeights::get();
    let normal = limits.get(frame_support::dispatch::DispatchClass::Normal);
    let per_transfer = normal.base_extrinsic + <Runtime as pallet_balances::Config>::WeightInfo::transfer_keep_alive();
    let expected = normal.max_total.unwrap().ref_time() / per_transfer.ref_time();

    sp_io::TestExternalities::new(local_testnet_storage()).execute_with(|| {
        execute_block(1, || {});
        // Signed outside the timed part, as the block's author did.
        let xts: Vec<_> = (0..expected + 10).map(|nonce| sign(&alice, nonce as Nonce, call.clone())).collect();
        assert_eq!(
            xts[0].get_dispatch_info().total_weight(),
            per_transfer - normal.base_extrinsic,
            "the extensions add no weight of their own: the extrinsic base holds them"
        );
        let start = std::time::Instant::now();
        open_block(2);
        let mut applied = 0u64;
        for xt in xts {
            match Executive::apply_extrinsic(xt) {
                Ok(result) => {
                    assert_ok!(result);
                    applied += 1;
                }
                Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => break,
                Err(other) => panic!("transfer {applied} refused: {other:?}"),
            }
        }
        Executive::finalize_block();
        let elapsed = start.elapsed();
        println!(
            "{applied} transfer_keep_alive in a block (weight {} us each), executed in {elapsed:?}",
            per_transfer.ref_time() / 1_000_000
        );
        assert!(applied.abs_diff(expected) <= 1, "{applied} transfers fit, the weights say {expected}");
        assert!(applied > 755, "fewer transfers fit than with Substrate's stock weights: {applied}");
        // How long it took is printed, not asserted: speed is the benchmarks' business
        // (`cargo bench -p ludus-node --bench import`), never a test's on a slow machine.
    });
}

/// Executes block 1 scheduling runtime `SPEC_VERSION + 1` for block 12, then blocks 2 to 11,
/// each announcing (or not) that its author carries the new runtime.
fn schedule_and_run_to_11(announce: bool) {
    execute_block(1, || {
        let call = RuntimeCall::RuntimeUpgrade(pallet_runtime_upgrade::Call::schedule {
            spec_version: SPEC_VERSION + 1,
            at: 12,
        });
        assert_ok!(call.dispatch_bypass_filter(RuntimeOrigin::root()));
    });
    let raw = sp_io::storage::get(&ludus_primitives::scheduled_upgrade_key()).expect("the schedule is stored");
    let scheduled = <ludus_primitives::ScheduledUpgrade as codec::Decode>::decode(&mut &raw[..]).unwrap();
    assert_eq!(scheduled, ludus_primitives::ScheduledUpgrade { spec_version: SPEC_VERSION + 1, at: 12 });
    assert!(scheduled.is_due_after(11) && !scheduled.is_due_after(10));
    for number in 2..12 {
        let announcement = announce.then(|| ludus_primitives::carried_version_digest(SPEC_VERSION + 1));
        open_block_with(number, announcement.into_iter().collect());
        Executive::finalize_block();
    }
}

#[test]
fn the_upgrade_schedule_lives_where_the_node_reads_it_and_the_old_runtime_stops_at_its_height() {
    assert_eq!(pallet_runtime_upgrade::Scheduled::<Runtime>::hashed_key(), ludus_primitives::scheduled_upgrade_key());
    sp_io::TestExternalities::new(local_testnet_storage()).execute_with(|| {
        // Blocks 2 to 11 were authored by all four validators (slot % 4), each announcing it.
        schedule_and_run_to_11(true);
        assert_eq!(pallet_runtime_upgrade::Ready::<Runtime>::get().into_inner(), vec![0, 1, 2, 3]);
        assert!(sp_io::storage::get(&ludus_primitives::scheduled_upgrade_key()).is_some(), "the upgrade stands");
        // This runtime is not the one scheduled for block 12.
        let refused = std::panic::catch_unwind(|| open_block(12));
        assert!(refused.is_err(), "the old runtime executed the new runtime's first block");
    });
}

#[test]
fn an_upgrade_the_validators_did_not_announce_is_dropped_before_its_height() {
    sp_io::TestExternalities::new(local_testnet_storage()).execute_with(|| {
        schedule_and_run_to_11(false);
        let dropped = RuntimeEvent::RuntimeUpgrade(pallet_runtime_upgrade::Event::Abandoned {
            spec_version: SPEC_VERSION + 1,
            at: 12,
            ready: 0,
            authorities: 4,
        });
        assert!(System::events().iter().any(|record| record.event == dropped), "block 11 drops the upgrade");
        assert!(sp_io::storage::get(&ludus_primitives::scheduled_upgrade_key()).is_none());
        // The chain runs on with this runtime.
        execute_block(12, || {});
    });
}
