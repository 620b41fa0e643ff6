//! The committed seed corpora (`fuzz/corpus/<target>`), as code: real extrinsics, gossip
//! messages and call sequences. A target started with `LUDUS_FUZZ_WRITE_SEEDS=<dir>` writes
//! its seeds there and exits (`scripts/fuzz.sh --write-seeds` regenerates them all). Two
//! corpora are not written here: `chain_spec` holds `chain-spec/specs/*.json` and the raw dev
//! spec (`ludus-node build-spec --chain dev --raw`), and `grandpa_gossip`, whose inputs are
//! `arbitrary` encodings of signed steps, holds the sixteen largest inputs of a merged
//! 20-minute run.

use codec::Encode;
use ludus_runtime::{genesis_config_presets::dev_account, Runtime, RuntimeCall};
use std::path::Path;

/// Writes `target`'s seeds and exits, when asked to by `LUDUS_FUZZ_WRITE_SEEDS`.
pub fn write_if_asked(target: &str) {
    let Some(dir) = std::env::var_os("LUDUS_FUZZ_WRITE_SEEDS") else { return };
    let dir = Path::new(&dir).join(target);
    std::fs::create_dir_all(&dir).expect("the seed directory can be created");
    let seeds = match target {
        "extrinsic" => extrinsics(),
        "sync_messages" => sync_messages(),
        "game_assets_calls" => game_assets_calls(),
        "bridge_calls" => bridge_calls(),
        "validator_set_calls" => validator_set_calls(),
        _ => Vec::new(),
    };
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).expect("the seed can be written");
    }
    std::process::exit(0);
}

type Seeds = Vec<(&'static str, Vec<u8>)>;

fn remark() -> RuntimeCall {
    RuntimeCall::System(frame_system::Call::remark { remark: b"ludus".to_vec() })
}

fn extrinsics() -> Seeds {
    use ludus_node::test_utils::{bare_extrinsic, pair, sign, transfer, Wrapper};
    let genesis = crate::with_dev_state(crate::genesis_hash);
    let alice = pair("//Alice");
    let timestamp = RuntimeCall::Timestamp(ludus_runtime::TimestampCall::set { now: 1_000 });
    let batch = RuntimeCall::Utility(ludus_runtime::UtilityCall::batch_all { calls: vec![remark(), remark()] });
    let collection = RuntimeCall::GameAssets(pallet_game_assets::Call::create_collection {
        policy: Default::default(),
        royalty: None,
    });
    let raw = |bytes: Vec<u8>| [vec![0u8], bytes].concat();
    let applied = |bytes: Vec<u8>| [vec![2u8], bytes].concat();
    let by_alice = |call: RuntimeCall| [vec![3u8], call.encode()].concat();
    vec![
        ("transfer", raw(transfer(&alice, dev_account("Bob"), 1_000, 0, genesis))),
        ("transfer-applied", applied(transfer(&alice, dev_account("Bob"), 1_000, 0, genesis))),
        ("remark", raw(sign(remark(), &alice, 0, genesis))),
        ("bare-timestamp", raw(bare_extrinsic(&timestamp.encode()))),
        ("nested-sudo", raw(sign(Wrapper::Sudo.wrap(Wrapper::Batch.wrap(remark())), &alice, 0, genesis))),
        ("call-batch", by_alice(batch)),
        ("call-create-collection", by_alice(collection)),
    ]
}

fn sync_messages() -> Seeds {
    use ludus_node::sync::messages::*;
    use ludus_primitives::{Hash, Header};
    use sp_runtime::traits::Header as _;
    let header =
        |number, parent| Header::new(number, Default::default(), Default::default(), parent, Default::default());
    let genesis = header(0, Hash::zero());
    let one = header(1, genesis.hash());
    let block = |h: &Header| BlockData { header: h.clone(), body: vec![], justification: Some(vec![1, 2, 3]) };
    let status = Status {
        genesis: Hash::repeat_byte(1),
        best_number: 1,
        best_hash: Hash::repeat_byte(2),
        finalized_number: 0,
        finalized_hash: Hash::repeat_byte(1),
        role: Role::Authority,
    };
    let tagged = |kind: u8, bytes: Vec<u8>| [vec![kind], bytes].concat();
    let genesis_hash = crate::with_dev_state(crate::genesis_hash);
    let transfer = ludus_node::test_utils::transfer(
        &ludus_node::test_utils::pair("//Alice"),
        dev_account("Bob"),
        1,
        0,
        genesis_hash,
    );
    vec![
        ("status", tagged(0, status.encode())),
        (
            "request",
            tagged(1, BlockRequest { from: From::Number(1), direction: Direction::Ascending, max: 128 }.encode()),
        ),
        ("announce", tagged(2, BlockAnnounce { header: one.clone(), body: vec![] }.encode())),
        ("response", tagged(3, BlockResponse { blocks: vec![block(&genesis), block(&one)] }.encode())),
        ("transactions", tagged(4, Transactions { extrinsics: vec![transfer] }.encode())),
        ("linked", vec![5; 64]),
    ]
}

/// A step of `ludus_fuzz::calls`: origin (account index, 12 root, 15 none), new block or not.
fn step<C: Encode>(origin: u8, new_block: bool, call: C) -> Vec<u8> {
    [vec![origin | if new_block { 0x10 } else { 0 }], call.encode()].concat()
}

fn game_assets_calls() -> Seeds {
    use pallet_game_assets::{Call, CollectionPolicy, Royalty};
    type C = Call<Runtime>;
    let bob = dev_account("Bob");
    let create = C::create_collection {
        policy: CollectionPolicy::default(),
        royalty: Some(Royalty { bps: 500, beneficiary: dev_account("Ferdie") }),
    };
    let token = C::create_token { collection: 0, max_supply: 1_000 };
    let mint = C::mint { collection: 0, token: 0, to: bob.clone(), amount: 10 };
    let sequence = [
        step(0, false, create.clone()),
        step(0, false, token.clone()),
        step(0, false, mint.clone()),
        step(1, false, C::transfer { collection: 0, token: 0, to: dev_account("Charlie"), amount: 3 }),
        step(1, true, C::list { collection: 0, token: 0, amount: 2, unit_price: 100 }),
        step(2, false, C::buy { collection: 0, listing: 0, amount: 1, max_unit_price: 100 }),
        step(0, false, C::fund_fuel_tank { collection: 0, amount: 1_000_000 }),
        step(1, true, C::burn { collection: 0, token: 0, amount: 1 }),
    ]
    .concat();
    let recipe = [
        step(0, false, create),
        step(0, false, token),
        step(0, false, mint),
        step(
            0,
            false,
            C::create_recipe {
                collection: 0,
                inputs: vec![(0, 2)].try_into().unwrap_or_default(),
                outputs: vec![(0, 1)].try_into().unwrap_or_default(),
                fee: 10,
            },
        ),
        step(1, false, C::craft { collection: 0, recipe: 0 }),
    ]
    .concat();
    vec![("market", sequence), ("crafting", recipe)]
}

fn bridge_calls() -> Seeds {
    use ludus_primitives::bridge::Deposit;
    use pallet_bridge::Call;
    type C = Call<Runtime>;
    // ETH to Alice, attested by three of the four validators (the harness signs a zero
    // signature), then withdrawn and checkpointed.
    let deposit = Deposit {
        nonce: 1,
        token: [0; 20],
        depositor: [9; 20],
        recipient: dev_account("Alice").into(),
        amount: 1_000_000_000_000_000_000,
    };
    let attest = |validator_index| C::attest_deposit {
        deposit: deposit.clone(),
        validator_index,
        signature: sp_core::ecdsa::Signature::from_raw([0; 65]),
    };
    let round_trip = [
        step(15, false, attest(0)),
        step(15, false, attest(1)),
        step(15, false, attest(2)),
        step(0, true, C::withdraw { asset: 1, amount: 500_000_000_000_000_000, l1_recipient: [1; 20], fee: 0 }),
        step(
            15,
            true,
            C::submit_checkpoint_signature {
                number: 1,
                validator_index: 0,
                signature: sp_core::ecdsa::Signature::from_raw([0; 65]),
            },
        ),
        step(
            15,
            false,
            C::submit_checkpoint_signature {
                number: 1,
                validator_index: 1,
                signature: sp_core::ecdsa::Signature::from_raw([0; 65]),
            },
        ),
        step(
            15,
            true,
            C::submit_checkpoint_signature {
                number: 1,
                validator_index: 2,
                signature: sp_core::ecdsa::Signature::from_raw([0; 65]),
            },
        ),
    ]
    .concat();
    vec![
        ("round-trip", round_trip),
        (
            "governance",
            [
                step(12, false, C::set_paused { deposits: true, withdrawals: false }),
                step(12, true, C::set_min_withdrawal { token: [0; 20], min_withdrawal: 5 }),
                step(12, false, C::register_token { token: [7; 20], asset: 9, min_balance: 1 }),
                step(0, false, C::withdraw { asset: 1, amount: 1_000_000_000, l1_recipient: [1; 20], fee: 0 }),
                step(12, true, C::deregister_token { token: [7; 20] }),
                step(12, false, C::abandon_checkpoints { up_to: 1 }),
            ]
            .concat(),
        ),
    ]
}

fn validator_set_calls() -> Seeds {
    // `SetCall` in the target: variant 0 validator-set, 1 session.
    let set = |names: &[&str]| {
        let call = pallet_validator_set::Call::<Runtime>::set_validators {
            new: names.iter().map(|name| dev_account(name)).collect(),
        };
        [vec![0u8], call.encode()].concat()
    };
    let keys = pallet_session::Call::<Runtime>::set_keys {
        keys: ludus_runtime::genesis_config_presets::dev_session_keys("Eve"),
        proof: vec![],
    };
    let session = [vec![1u8], keys.encode()].concat();
    let step =
        |origin: u8, new_block: bool, call: Vec<u8>| [vec![origin | if new_block { 0x10 } else { 0 }], call].concat();
    vec![(
        "rotate",
        [
            step(4, false, session),
            step(12, false, set(&["Alice", "Bob", "Eve"])),
            step(12, true, set(&["Alice", "Bob"])),
            step(12, true, set(&["Alice", "Alice"])),
            step(12, true, set(&[])),
        ]
        .concat(),
    )]
}
