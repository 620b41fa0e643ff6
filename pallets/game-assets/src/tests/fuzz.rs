//! A seeded fuzzer: random sequences of calls from several accounts, with the invariants
//! checked after every step and every failed call shown to change nothing.

use sp_runtime::traits::Dispatchable;

use super::*;

/// SplitMix64: small, seedable and good enough to pick calls.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn account(&mut self) -> AccountId {
        ENDOWED[self.below(ENDOWED.len() as u64) as usize]
    }

    fn small(&mut self) -> u32 {
        self.below(4) as u32
    }

    fn amount(&mut self) -> TokenAmount {
        u128::from(self.below(12))
    }
}

fn random_call(rng: &mut Rng) -> Call<Test> {
    let collection = rng.small();
    let token = rng.small();
    let items = |rng: &mut Rng| -> BoundedVec<(TokenId, TokenAmount), _> {
        (0..rng.below(3)).map(|_| (rng.small(), rng.amount())).collect::<Vec<_>>().try_into().unwrap()
    };
    let side = |rng: &mut Rng| TradeSide {
        items: (0..rng.below(3))
            .map(|_| TradeItem { collection: rng.small(), token: rng.small(), amount: rng.amount() })
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
        lud: u128::from(rng.below(3)) * 100,
    };
    match rng.below(29) {
        0 => Call::create_collection {
            policy: CollectionPolicy { transferable: rng.below(4) != 0, burnable_by_holder: rng.below(2) == 0 },
            royalty: Some(Royalty { bps: rng.below(10_001) as u16, beneficiary: rng.account() }),
        },
        1 => Call::destroy_collection { collection },
        2 => Call::set_roles { collection, who: rng.account(), roles: Roles(rng.below(8) as u8) },
        3 => {
            Call::set_collection_metadata { collection, name: bytes(b"n"), uri: bytes(&vec![7; rng.below(8) as usize]) }
        }
        4 => Call::create_token { collection, max_supply: rng.amount() * 3 },
        5 => Call::destroy_token { collection, token },
        6 | 7 => Call::mint { collection, token, to: rng.account(), amount: rng.amount() },
        8 => Call::batch_mint {
            collection,
            mints: (0..rng.below(3))
                .map(|_| (rng.small(), rng.account(), rng.amount()))
                .collect::<Vec<_>>()
                .try_into()
                .unwrap(),
        },
        9 => Call::burn { collection, token, amount: rng.amount() },
        10 => Call::transfer { collection, token, to: rng.account(), amount: rng.amount() },
        11 => Call::batch_transfer {
            collection,
            transfers: (0..rng.below(3))
                .map(|_| (rng.small(), rng.account(), rng.amount()))
                .collect::<Vec<_>>()
                .try_into()
                .unwrap(),
        },
        12 => Call::transfer_from { collection, token, from: rng.account(), to: rng.account(), amount: rng.amount() },
        13 => Call::set_attribute {
            collection,
            token: (rng.below(2) == 0).then(|| rng.small()),
            key: bytes(&[b'k', rng.below(6) as u8]),
            value: bytes(&vec![1; rng.below(5) as usize]),
        },
        14 => Call::clear_attribute {
            collection,
            token: (rng.below(2) == 0).then(|| rng.small()),
            key: bytes(&[b'k', rng.below(6) as u8]),
        },
        15 => {
            Call::approve { collection, operator: rng.account(), expires: (rng.below(2) == 0).then(|| rng.below(30)) }
        }
        16 => Call::cancel_approval { collection, operator: rng.account() },
        17 => Call::set_frozen {
            collection,
            target: match rng.below(3) {
                0 => FreezeTarget::Collection,
                1 => FreezeTarget::Token(token),
                _ => FreezeTarget::Holding(token, rng.account()),
            },
            frozen: rng.below(3) == 0,
        },
        18 => Call::list { collection, token, amount: rng.amount(), unit_price: u128::from(rng.below(1_000)) },
        19 | 20 => Call::buy {
            collection,
            listing: rng.below(8) as u32,
            amount: rng.amount(),
            max_unit_price: u128::from(rng.below(1_200)),
        },
        21 => Call::cancel_listing { collection, listing: rng.below(8) as u32 },
        22 => Call::propose_trade {
            counterparty: rng.account(),
            give: side(rng),
            want: side(rng),
            expires: rng.below(40),
        },
        23 => Call::accept_trade { trade: rng.below(8) as u32 },
        24 => Call::cancel_trade { trade: rng.below(8) as u32 },
        25 => {
            Call::create_recipe { collection, inputs: items(rng), outputs: items(rng), fee: u128::from(rng.below(50)) }
        }
        26 => Call::retire_recipe { collection, recipe: rng.small() },
        27 => Call::craft { collection, recipe: rng.small() },
        _ => match rng.below(3) {
            0 => Call::fund_fuel_tank { collection, amount: u128::from(rng.below(1_000)) },
            1 => Call::withdraw_fuel { collection, amount: u128::from(rng.below(1_000)) },
            _ => Call::set_player_fuel_limit {
                collection,
                player: (rng.below(2) == 0).then(|| rng.account()),
                limit: u128::from(rng.below(1_000)),
            },
        },
    }
}

fn fuzz(seed: u64, steps: usize) -> (usize, usize) {
    let mut rng = Rng(seed);
    let (mut ok, mut failed) = (0, 0);
    new_test_ext().execute_with(|| {
        // Start with a populated collection so most calls have something to act on.
        let c = new_collection();
        for _ in 0..3 {
            let t = new_token(c, 1_000);
            for who in [ALICE, BOB, STAFF] {
                frame_support::assert_ok!(GameAssets::mint(signed(STUDIO), c, t, who, 50));
            }
        }
        for step in 0..steps {
            if rng.below(10) == 0 {
                System::set_block_number(System::block_number() + 1 + rng.below(5));
            }
            let who = rng.account();
            let call = random_call(&mut rng);
            let root = state_root();
            match RuntimeCall::GameAssets(call.clone()).dispatch(signed(who)) {
                Ok(_) => ok += 1,
                Err(error) => {
                    failed += 1;
                    assert_eq!(state_root(), root, "step {step}: failed {call:?} by {who} changed state: {error:?}");
                }
            }
            if let Err(error) = GameAssets::try_state_with(&ENDOWED) {
                panic!("step {step}: {call:?} by {who} broke an invariant: {error:?}");
            }
        }
    });
    (ok, failed)
}

#[test]
fn random_call_sequences_keep_every_invariant() {
    let mut total_ok = 0;
    for seed in 0..4 {
        let (ok, failed) = fuzz(seed, 1_000);
        total_ok += ok;
        assert!(failed > 0);
    }
    // The fuzzer is only worth its time if a fair share of calls succeed.
    assert!(total_ok > 400, "only {total_ok} calls succeeded");
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
