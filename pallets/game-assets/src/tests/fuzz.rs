//! A property-based fuzzer: random sequences of calls from several accounts, with the
//! invariants checked after every step and every failed call shown to change nothing. The
//! calls come from a proptest state machine, so a failing sequence shrinks to a short one.

use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use sp_runtime::traits::Dispatchable;

use super::*;

/// Sequences per run and the longest sequence: about as many calls (some 4,000) as the test
/// suite can afford. Raise them locally to fuzz harder.
const CASES: u32 = 8;
const MAX_STEPS: usize = 1_000;

/// One step: maybe let time pass, then one signed call.
#[derive(Clone, Debug)]
struct Step {
    /// Blocks to move on before the call; about one step in ten moves time (approvals,
    /// listings and trades expire).
    advance: Option<u64>,
    who: AccountId,
    call: Call<Test>,
}

fn account() -> impl Strategy<Value = AccountId> {
    prop::sample::select(ENDOWED.to_vec())
}

/// Ids and amounts are drawn from small ranges so that calls hit what earlier calls made.
fn small() -> impl Strategy<Value = u32> {
    0..4u32
}

fn amount() -> impl Strategy<Value = TokenAmount> {
    0..12u128
}

fn lud(below: u128) -> impl Strategy<Value = Balance> {
    0..below
}

fn items() -> impl Strategy<Value = Vec<(TokenId, TokenAmount)>> {
    prop::collection::vec((small(), amount()), 0..3)
}

/// A trade side: its items and LUD (in hundreds).
fn side() -> impl Strategy<Value = (Vec<TradeItem>, Balance)> {
    let item =
        (small(), small(), amount()).prop_map(|(collection, token, amount)| TradeItem { collection, token, amount });
    (prop::collection::vec(item, 0..3), 0..3u128)
}

fn trade_side<S: frame_support::traits::Get<u32>>((items, lud): (Vec<TradeItem>, Balance)) -> TradeSide<Balance, S> {
    TradeSide { items: bounded(items), lud: lud * 100 }
}

fn mints() -> impl Strategy<Value = Vec<(TokenId, AccountId, TokenAmount)>> {
    prop::collection::vec((small(), account(), amount()), 0..3)
}

fn bounded<T, S: frame_support::traits::Get<u32>>(items: Vec<T>) -> BoundedVec<T, S> {
    BoundedVec::truncate_from(items)
}

/// The second byte of an attribute key (`k0` to `k5`).
fn attribute_key() -> impl Strategy<Value = u8> {
    0..6u8
}

/// Every call of the pallet; mint and buy twice as often as the others.
fn call() -> impl Strategy<Value = Call<Test>> {
    prop_oneof![
        1 => (prop::bool::weighted(0.75), any::<bool>(), 0..=10_000u16, account()).prop_map(
            |(transferable, burnable_by_holder, bps, beneficiary)| Call::create_collection {
                policy: CollectionPolicy { transferable, burnable_by_holder },
                royalty: Some(Royalty { bps, beneficiary }),
            }
        ),
        1 => small().prop_map(|collection| Call::destroy_collection { collection }),
        1 => (small(), account(), 0..8u8)
            .prop_map(|(collection, who, roles)| Call::set_roles { collection, who, roles: Roles(roles) }),
        1 => (small(), 0..8usize).prop_map(|(collection, uri)| Call::set_collection_metadata {
            collection,
            name: bytes(b"n"),
            uri: bytes(&vec![7; uri]),
        }),
        1 => (small(), amount()).prop_map(|(collection, max)| Call::create_token { collection, max_supply: max * 3 }),
        1 => (small(), small()).prop_map(|(collection, token)| Call::destroy_token { collection, token }),
        2 => (small(), small(), account(), amount())
            .prop_map(|(collection, token, to, amount)| Call::mint { collection, token, to, amount }),
        1 => (small(), mints()).prop_map(|(collection, mints)| Call::batch_mint { collection, mints: bounded(mints) }),
        1 => (small(), small(), amount()).prop_map(|(collection, token, amount)| Call::burn { collection, token, amount }),
        1 => (small(), small(), account(), amount())
            .prop_map(|(collection, token, to, amount)| Call::transfer { collection, token, to, amount }),
        1 => (small(), mints()).prop_map(|(collection, transfers)| Call::batch_transfer {
            collection,
            transfers: bounded(transfers),
        }),
        1 => (small(), small(), account(), account(), amount()).prop_map(|(collection, token, from, to, amount)| {
            Call::transfer_from { collection, token, from, to, amount }
        }),
        1 => (small(), prop::option::of(small()), attribute_key(), 0..5usize).prop_map(
            |(collection, token, key, value)| Call::set_attribute {
                collection,
                token,
                key: bytes(&[b'k', key]),
                value: bytes(&vec![1; value]),
            }
        ),
        1 => (small(), prop::option::of(small()), attribute_key())
            .prop_map(|(collection, token, key)| Call::clear_attribute { collection, token, key: bytes(&[b'k', key]) }),
        1 => (small(), account(), prop::option::of(0..30u64))
            .prop_map(|(collection, operator, expires)| Call::approve { collection, operator, expires }),
        1 => (small(), account()).prop_map(|(collection, operator)| Call::cancel_approval { collection, operator }),
        1 => (
            small(),
            prop_oneof![
                Just(FreezeTarget::Collection),
                small().prop_map(FreezeTarget::Token),
                (small(), account()).prop_map(|(token, who)| FreezeTarget::Holding(token, who)),
            ],
            prop::bool::weighted(1.0 / 3.0),
        )
            .prop_map(|(collection, target, frozen)| Call::set_frozen { collection, target, frozen }),
        1 => (small(), small(), amount(), lud(1_000)).prop_map(|(collection, token, amount, unit_price)| Call::list {
            collection,
            token,
            amount,
            unit_price,
        }),
        2 => (small(), 0..8u32, amount(), lud(1_200)).prop_map(|(collection, listing, amount, max_unit_price)| {
            Call::buy { collection, listing, amount, max_unit_price }
        }),
        1 => (small(), 0..8u32).prop_map(|(collection, listing)| Call::cancel_listing { collection, listing }),
        1 => (account(), side(), side(), 0..40u64)
            .prop_map(|(counterparty, give, want, expires)| Call::propose_trade {
                counterparty,
                give: trade_side(give),
                want: trade_side(want),
                expires,
            }),
        1 => (0..8u32).prop_map(|trade| Call::accept_trade { trade }),
        1 => (0..8u32).prop_map(|trade| Call::cancel_trade { trade }),
        1 => (small(), items(), items(), lud(50))
            .prop_map(|(collection, inputs, outputs, fee)| Call::create_recipe {
                collection,
                inputs: bounded(inputs),
                outputs: bounded(outputs),
                fee,
            }),
        1 => (small(), small()).prop_map(|(collection, recipe)| Call::retire_recipe { collection, recipe }),
        1 => (small(), small()).prop_map(|(collection, recipe)| Call::craft { collection, recipe }),
        1 => prop_oneof![
            (small(), lud(1_000)).prop_map(|(collection, amount)| Call::fund_fuel_tank { collection, amount }),
            (small(), lud(1_000)).prop_map(|(collection, amount)| Call::withdraw_fuel { collection, amount }),
            (small(), prop::option::of(account()), lud(1_000))
                .prop_map(|(collection, player, limit)| Call::set_player_fuel_limit { collection, player, limit }),
        ],
    ]
}

/// The generator of call sequences. It keeps no model of the pallet: the pallet's own
/// `try_state` and the unchanged state root of failed calls are the oracle.
struct CallSequences;

impl ReferenceStateMachine for CallSequences {
    type State = ();
    type Transition = Step;

    fn init_state() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn transitions(_: &()) -> BoxedStrategy<Step> {
        (prop::option::weighted(0.1, 1..=5u64), account(), call())
            .prop_map(|(advance, who, call)| Step { advance, who, call })
            .boxed()
    }

    fn apply(state: (), _: &Step) {
        state
    }
}

/// The mock runtime the sequences run on, with what they did.
struct Chain {
    ext: sp_io::TestExternalities,
    succeeded: usize,
    failed: usize,
}

impl StateMachineTest for Chain {
    type SystemUnderTest = Self;
    type Reference = CallSequences;

    fn init_test(_: &()) -> Self {
        let mut ext = new_test_ext();
        ext.execute_with(|| {
            // Start with a populated collection so most calls have something to act on.
            let c = new_collection();
            for _ in 0..3 {
                let t = new_token(c, 1_000);
                for who in [ALICE, BOB, STAFF] {
                    assert_ok!(GameAssets::mint(signed(STUDIO), c, t, who, 50));
                }
            }
            GameAssets::try_state_with(&ENDOWED).expect("the starting state keeps every invariant");
        });
        Chain { ext, succeeded: 0, failed: 0 }
    }

    fn apply(mut chain: Self, _: &(), Step { advance, who, call }: Step) -> Self {
        chain.ext.execute_with(|| {
            if let Some(blocks) = advance {
                System::set_block_number(System::block_number() + blocks);
            }
            let root = state_root();
            match RuntimeCall::GameAssets(call.clone()).dispatch(signed(who)) {
                Ok(_) => chain.succeeded += 1,
                Err(error) => {
                    chain.failed += 1;
                    assert_eq!(state_root(), root, "failed {call:?} by {who} changed state: {error:?}");
                }
            }
            if let Err(error) = GameAssets::try_state_with(&ENDOWED) {
                panic!("{call:?} by {who} broke an invariant: {error:?}");
            }
        });
        chain
    }

    fn teardown(chain: Self, _: ()) {
        // The fuzzer is only worth its time if a fair share of calls succeed (about one in
        // ten does) and some fail. Judged on long sequences only: a shrunk failing one is
        // short and may be all errors.
        let steps = chain.succeeded + chain.failed;
        if steps >= MAX_STEPS / 2 {
            assert!(chain.failed > 0, "none of {steps} calls failed");
            assert!(chain.succeeded * 20 >= steps, "only {} of {steps} calls succeeded", chain.succeeded);
        }
    }
}

prop_state_machine! {
    // Shrinking removes one step per try, so it needs far more tries than proptest's default
    // of four per case; time-boxed, as each try replays a sequence of up to `MAX_STEPS`.
    #![proptest_config(ProptestConfig {
        cases: CASES,
        max_shrink_iters: 4 * MAX_STEPS as u32,
        max_shrink_time: 5 * 60 * 1000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_call_sequences_keep_every_invariant(sequential 1..MAX_STEPS => Chain);
}

/// Execution time of representative calls on the in-memory mock (no database cost, which
/// `weights.rs` prices separately through `T::DbWeight`); the base figures in `weights.rs`
/// come from here. `cargo test -p pallet-game-assets -- --ignored --nocapture call_timings`.
#[test]
#[ignore = "prints timings; run on demand"]
fn call_timings() {
    use std::time::Instant;
    let time = |name: &str, setup: &dyn Fn() -> (AccountId, Call<Test>)| {
        let mut samples: Vec<u128> = (0..51)
            .map(|_| {
                new_test_ext().execute_with(|| {
                    let (who, call) = setup();
                    let start = Instant::now();
                    let result = RuntimeCall::GameAssets(call).dispatch(signed(who));
                    let elapsed = start.elapsed().as_nanos();
                    assert!(result.is_ok(), "{name}: {result:?}");
                    elapsed
                })
            })
            .collect();
        samples.sort_unstable();
        println!("TIMING {name} {} ns", samples[samples.len() / 2]);
    };
    time("create_collection", &|| {
        (STUDIO, Call::create_collection { policy: CollectionPolicy::default(), royalty: None })
    });
    time("transfer", &|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        (ALICE, Call::transfer { collection: c, token: t, to: BOB, amount: 1 })
    });
    time("mint", &|| {
        let c = new_collection();
        let t = new_token(c, 100);
        (STUDIO, Call::mint { collection: c, token: t, to: BOB, amount: 1 })
    });
    time("buy", &|| {
        let c = new_collection();
        let t = minted(c, 100, ALICE, 10);
        frame_support::assert_ok!(GameAssets::list(signed(ALICE), c, t, 10, 100));
        (BOB, Call::buy { collection: c, listing: 0, amount: 10, max_unit_price: 100 })
    });
    time("craft(4)", &|| {
        let c = new_collection();
        let inputs: Vec<_> = (0..4).map(|_| (minted(c, 100, ALICE, 10), 1)).collect();
        let outputs: Vec<_> = (0..4).map(|_| (new_token(c, 100), 1)).collect();
        frame_support::assert_ok!(GameAssets::create_recipe(
            signed(STUDIO),
            c,
            inputs.try_into().unwrap(),
            outputs.try_into().unwrap(),
            10
        ));
        (ALICE, Call::craft { collection: c, recipe: 0 })
    });
    time("accept_trade(8)", &|| {
        let c = new_collection();
        let item = |who| TradeItem { collection: c, token: minted(c, 100, who, 10), amount: 10 };
        let give = TradeSide { items: (0..4).map(|_| item(ALICE)).collect::<Vec<_>>().try_into().unwrap(), lud: 100 };
        let want = TradeSide { items: (0..4).map(|_| item(BOB)).collect::<Vec<_>>().try_into().unwrap(), lud: 100 };
        frame_support::assert_ok!(GameAssets::propose_trade(signed(ALICE), BOB, give, want, 10));
        (BOB, Call::accept_trade { trade: 0 })
    });
    time("destroy_collection(4, 3)", &|| {
        let c = new_collection();
        for k in [b"a", b"b", b"c", b"d"] {
            frame_support::assert_ok!(GameAssets::set_attribute(signed(STUDIO), c, None, bytes(k), bytes(b"v")));
        }
        for who in [ALICE, BOB, STAFF] {
            frame_support::assert_ok!(GameAssets::set_roles(signed(STUDIO), c, who, Roles::ALL));
        }
        (STUDIO, Call::destroy_collection { collection: c })
    });
}
