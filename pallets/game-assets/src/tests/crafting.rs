//! Crafting: recipes by admins, atomic crafts, retirement.

use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::UnfilteredDispatchable};

use super::*;

fn items(list: &[(TokenId, TokenAmount)]) -> BoundedVec<(TokenId, TokenAmount), <Test as Config>::MaxTradeItems> {
    list.to_vec().try_into().unwrap()
}

#[test]
fn a_player_crafts_atomically_and_pays_the_fee() {
    run_test(|| {
        let c = new_collection();
        let ore = minted(c, 1_000, ALICE, 10);
        let wood = minted(c, 1_000, ALICE, 3);
        let sword = new_token(c, 2);
        assert_ok!(GameAssets::create_recipe(
            signed(STUDIO),
            c,
            items(&[(ore, 4), (wood, 1)]),
            items(&[(sword, 1)]),
            25
        ));
        assert_eq!(last_event(), Event::RecipeCreated { collection: c, recipe: 0 });
        assert_eq!(deposit_of(STUDIO), COLLECTION_DEPOSIT + 3 * TOKEN_DEPOSIT + RECORD_DEPOSIT);
        let (alice, studio) = (free(ALICE), free(STUDIO));
        assert_ok!(GameAssets::craft(signed(ALICE), c, 0));
        assert_eq!(last_event(), Event::Crafted { collection: c, recipe: 0, who: ALICE });
        assert_eq!(GameAssets::balance_of(c, ore, &ALICE), 6);
        assert_eq!(GameAssets::balance_of(c, wood, &ALICE), 2);
        assert_eq!(GameAssets::balance_of(c, sword, &ALICE), 1);
        assert_eq!(Tokens::<Test>::get(c, ore).unwrap().supply, 6);
        assert_eq!((free(ALICE), free(STUDIO)), (alice - 25, studio + 25));
    });
}

#[test]
fn a_craft_is_charged_for_its_recipe_not_the_largest_one() {
    run_test(|| {
        let c = new_collection();
        let ore = minted(c, 1_000, ALICE, 10);
        let sword = new_token(c, 2);
        assert_ok!(GameAssets::create_recipe(signed(STUDIO), c, items(&[(ore, 2)]), items(&[(sword, 1)]), 0));
        let call = crate::Call::<Test>::craft { collection: c, recipe: 0 };
        let info = call.get_dispatch_info();
        let declared = info.call_weight;
        let max = <<Test as Config>::MaxTradeItems as frame_support::traits::Get<u32>>::get();
        assert_eq!(declared, <Test as Config>::WeightInfo::craft(max));
        let post = call.dispatch_bypass_filter(signed(ALICE)).unwrap();
        assert_eq!(post.actual_weight, Some(<Test as Config>::WeightInfo::craft(1)));
        assert!(post.calc_actual_weight(&info).all_lt(declared), "the rest is refunded");
    });
}

#[test]
fn a_failed_craft_leaves_nothing_changed() {
    run_test(|| {
        let c = new_collection();
        let ore = minted(c, 1_000, ALICE, 10);
        let sword = new_token(c, 1);
        assert_ok!(GameAssets::create_recipe(signed(STUDIO), c, items(&[(ore, 4)]), items(&[(sword, 1)]), 0));
        assert_ok!(GameAssets::craft(signed(ALICE), c, 0));
        // The ore burn succeeds, then the sword's cap is hit: the burn is undone.
        assert_noop!(GameAssets::craft(signed(ALICE), c, 0), Error::<Test>::MaxSupplyExceeded);
        assert_eq!(GameAssets::balance_of(c, ore, &ALICE), 6);
        // Missing inputs.
        let potion = new_token(c, 100);
        assert_ok!(GameAssets::create_recipe(
            signed(STUDIO),
            c,
            items(&[(ore, 4), (ore, 4)]),
            items(&[(potion, 1)]),
            0
        ));
        assert_noop!(GameAssets::craft(signed(ALICE), c, 1), Error::<Test>::InsufficientBalance);
        // A fee the crafter cannot pay, after burning and minting.
        assert_ok!(GameAssets::create_recipe(
            signed(STUDIO),
            c,
            items(&[(ore, 1)]),
            items(&[(potion, 1)]),
            INITIAL_BALANCE * 2
        ));
        let root = state_root();
        assert!(GameAssets::craft(signed(ALICE), c, 2).is_err());
        assert_eq!(state_root(), root);
    });
}

#[test]
fn craft_errors() {
    run_test(|| {
        let c = new_collection();
        let ore = minted(c, 1_000, ALICE, 10);
        let sword = new_token(c, 10);
        assert_noop!(GameAssets::craft(signed(ALICE), c, 0), Error::<Test>::UnknownRecipe);
        assert_noop!(GameAssets::craft(signed(ALICE), c + 1, 0), Error::<Test>::UnknownCollection);
        assert_ok!(GameAssets::create_recipe(signed(STUDIO), c, items(&[(ore, 1)]), items(&[(sword, 1)]), 0));
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Holding(ore, ALICE), true));
        assert_noop!(GameAssets::craft(signed(ALICE), c, 0), Error::<Test>::Frozen);
        assert_ok!(GameAssets::set_frozen(signed(STUDIO), c, FreezeTarget::Holding(ore, ALICE), false));
        // Crafting burns inputs even where holders may not burn or transfer (soulbound items).
        let soulbound = new_collection_with(CollectionPolicy { transferable: false, burnable_by_holder: false }, None);
        let shard = minted(soulbound, 10, ALICE, 2);
        let relic = new_token(soulbound, 1);
        assert_ok!(GameAssets::create_recipe(signed(STUDIO), soulbound, items(&[(shard, 2)]), items(&[(relic, 1)]), 0));
        assert_ok!(GameAssets::craft(signed(ALICE), soulbound, 0));
        assert_eq!(GameAssets::balance_of(soulbound, relic, &ALICE), 1);
    });
}

#[test]
fn recipe_management_is_for_admins() {
    run_test(|| {
        let c = new_collection();
        let ore = new_token(c, 10);
        let sword = new_token(c, 10);
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ISSUER | Roles::FREEZER));
        assert_noop!(
            GameAssets::create_recipe(signed(STAFF), c, items(&[(ore, 1)]), items(&[(sword, 1)]), 0),
            Error::<Test>::NoPermission
        );
        assert_noop!(
            GameAssets::create_recipe(signed(STUDIO), c + 1, items(&[(ore, 1)]), items(&[(sword, 1)]), 0),
            Error::<Test>::UnknownCollection
        );
        assert_noop!(
            GameAssets::create_recipe(signed(STUDIO), c, items(&[(ore, 1)]), items(&[]), 0),
            Error::<Test>::EmptyRecipe
        );
        assert_noop!(
            GameAssets::create_recipe(signed(STUDIO), c, items(&[(ore, 0)]), items(&[(sword, 1)]), 0),
            Error::<Test>::ZeroAmount
        );
        assert_noop!(
            GameAssets::create_recipe(signed(STUDIO), c, items(&[(ore, 1)]), items(&[(9, 1)]), 0),
            Error::<Test>::UnknownToken
        );
        assert_ok!(GameAssets::set_roles(signed(STUDIO), c, STAFF, Roles::ADMIN));
        assert_ok!(GameAssets::create_recipe(signed(STAFF), c, items(&[(ore, 1)]), items(&[(sword, 1)]), 0));
        assert_eq!(deposit_of(STAFF), RECORD_DEPOSIT);
        assert_noop!(GameAssets::retire_recipe(signed(ALICE), c, 0), Error::<Test>::NoPermission);
        assert_noop!(GameAssets::retire_recipe(signed(STUDIO), c, 1), Error::<Test>::UnknownRecipe);
        assert_noop!(GameAssets::retire_recipe(signed(STUDIO), c + 1, 0), Error::<Test>::UnknownCollection);
        // Retired by the owner, the deposit goes back to the admin who paid it.
        assert_ok!(GameAssets::retire_recipe(signed(STUDIO), c, 0));
        assert_eq!(last_event(), Event::RecipeRetired { collection: c, recipe: 0 });
        assert_eq!(deposit_of(STAFF), 0);
        assert_noop!(GameAssets::craft(signed(ALICE), c, 0), Error::<Test>::UnknownRecipe);
    });
}
