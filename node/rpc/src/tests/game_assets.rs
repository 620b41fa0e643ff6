//! `ludus_gameAssets_*`: JSON shapes, the arguments the runtime receives, null cases, errors.

use super::*;
use crate::tests::fake::*;
use codec::{DecodeAll, Encode};
use ludus_primitives::{AccountId, Hash};
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};

fn ss58(account: &AccountId) -> String {
    account.to_ss58check_with_version(Ss58AddressFormat::custom(42))
}

/// The game-asset runtime calls the fake received since the last look.
fn take_calls(h: &Harness) -> Vec<RecordedCall> {
    std::mem::take(&mut *h.chain.game_calls.lock().unwrap())
}

/// The only runtime call since the last look: its block, and its arguments decoded as `T`.
fn only_call<T: DecodeAll + std::fmt::Debug>(h: &Harness, method: &str) -> (Hash, T) {
    let calls = take_calls(h);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (at, name, args) = &calls[0];
    assert_eq!(name, method);
    (*at, T::decode_all(&mut &args[..]).expect("arguments decode as the runtime API's tuple"))
}

fn best(h: &Harness) -> Hash {
    h.chain.info_best_header().hash()
}

#[tokio::test]
async fn balances_pages_with_start_and_limit() {
    let h = Harness::start().await;
    let rich = ss58(&RICH);

    // Defaults: from token 0, 100 per page, at best; u128 amounts as decimal strings.
    let page = h.call("ludus_gameAssets_balances", json!([GAME_COLLECTION, rich])).await.unwrap();
    assert_eq!(
        page,
        json!({
            "balances": [
                {"token": 0, "amount": "5"},
                {"token": 1, "amount": "1"},
                {"token": 3, "amount": u128::MAX.to_string()},
                {"token": 4, "amount": "2"},
                {"token": 9, "amount": "1"},
            ],
            "next": null,
        })
    );
    let (at, args) = only_call::<(u32, AccountId, u32, u32)>(&h, "GameAssetsApi_balances");
    assert_eq!((at, args), (best(&h), (GAME_COLLECTION, RICH, 0, 100)));

    // Explicit nulls are the defaults too.
    h.call("ludus_gameAssets_balances", json!([GAME_COLLECTION, rich, null, null])).await.unwrap();
    assert_eq!(
        only_call::<(u32, AccountId, u32, u32)>(&h, "GameAssetsApi_balances").1,
        (GAME_COLLECTION, RICH, 0, 100)
    );

    // A client walks the pages by `next`.
    let page = h.call("ludus_gameAssets_balances", json!([GAME_COLLECTION, rich, 1, 2])).await.unwrap();
    assert_eq!(
        page,
        json!({"balances": [{"token": 1, "amount": "1"}, {"token": 3, "amount": u128::MAX.to_string()}], "next": 4})
    );
    assert_eq!(only_call::<(u32, AccountId, u32, u32)>(&h, "GameAssetsApi_balances").1, (GAME_COLLECTION, RICH, 1, 2));
    let page = h.call("ludus_gameAssets_balances", json!([GAME_COLLECTION, rich, 4, 2])).await.unwrap();
    assert_eq!(page, json!({"balances": [{"token": 4, "amount": "2"}, {"token": 9, "amount": "1"}], "next": null}));
    take_calls(&h);

    // The largest page the pallet serves is accepted; one more is refused before the runtime runs.
    let at = h.chain.genesis().block.header.hash();
    h.call("ludus_gameAssets_balances", json!([GAME_COLLECTION, rich, 0, 1000, at])).await.unwrap();
    assert_eq!(
        only_call::<(u32, AccountId, u32, u32)>(&h, "GameAssetsApi_balances"),
        (at, (GAME_COLLECTION, RICH, 0, 1000))
    );
    let (code, message, _) = h.call_err("ludus_gameAssets_balances", json!([GAME_COLLECTION, rich, 0, 1001])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("1000"), "{message}");
    assert!(take_calls(&h).is_empty());

    // Someone holding nothing gets an empty last page.
    let nobody = ss58(&AccountId::new([9; 32]));
    let page = h.call("ludus_gameAssets_balances", json!([GAME_COLLECTION, nobody])).await.unwrap();
    assert_eq!(page, json!({"balances": [], "next": null}));
}

#[tokio::test]
async fn balances_rejects_bad_accounts_and_numbers() {
    let h = Harness::start().await;
    let (code, message, _) = h.call_err("ludus_gameAssets_balances", json!([GAME_COLLECTION, "hello"])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("not an SS58 address"), "{message}");

    // The right key under another network's prefix is refused, naming the prefixes.
    let polkadot = RICH.to_ss58check_with_version(Ss58AddressFormat::custom(0));
    let (code, message, _) = h.call_err("ludus_gameAssets_balances", json!([GAME_COLLECTION, polkadot])).await;
    assert_eq!(code, -32602);
    assert!(message.contains("prefix 0") && message.contains("42"), "{message}");

    for bad in [json!([-1, ss58(&RICH)]), json!([GAME_COLLECTION, ss58(&RICH), -1]), json!([4_294_967_296u64])] {
        let (code, _, _) = h.call_err("ludus_gameAssets_balances", bad.clone()).await;
        assert_eq!(code, -32602, "{bad}");
    }
    assert!(take_calls(&h).is_empty(), "bad parameters never reach the runtime");
}

#[tokio::test]
async fn token_details_null_and_block_choice() {
    let h = Harness::start().await;
    let genesis = h.chain.genesis().block.header.hash();
    assert_eq!(
        h.call("ludus_gameAssets_token", json!([GAME_COLLECTION, 0])).await.unwrap(),
        json!({
            "maxSupply": "1",
            "supply": "1",
            "frozen": true,
            "attributes": 1,
            "depositor": ss58(&STUDIO),
            "deposit": "10",
        })
    );
    assert_eq!(only_call::<(u32, u32)>(&h, "GameAssetsApi_token"), (genesis, (GAME_COLLECTION, 0)));

    // Answers follow the block asked for; best by default.
    h.chain.import(&[(GAME_SUPPLY_KEY, Some(&2000u128.encode()))], true);
    let token = h.call("ludus_gameAssets_token", json!([GAME_COLLECTION, 1])).await.unwrap();
    assert_eq!(
        token,
        json!({
            "maxSupply": u128::MAX.to_string(),
            "supply": "2000",
            "frozen": false,
            "attributes": 0,
            "depositor": ss58(&ARTIST),
            "deposit": BIG_DEPOSIT.to_string(),
        })
    );
    let old = h.call("ludus_gameAssets_token", json!([GAME_COLLECTION, 1, genesis])).await.unwrap();
    assert_eq!(old["supply"], json!("1000"));

    for missing in [json!([GAME_COLLECTION, 5]), json!([3, 0])] {
        assert_eq!(h.call("ludus_gameAssets_token", missing).await.unwrap(), Value::Null);
    }
}

#[tokio::test]
async fn runtime_failures_are_state_client_errors() {
    let h = Harness::start().await;
    let (code, message, _) =
        h.call_err("ludus_gameAssets_token", json!([GAME_COLLECTION, 0, Hash::repeat_byte(9)])).await;
    assert_eq!(code, 4003);
    assert!(message.starts_with("Client error: UnknownBlock"), "{message}");

    let (code, message, _) = h.call_err("ludus_gameAssets_collection", json!([TRAPPING_COLLECTION])).await;
    assert_eq!(code, 4003);
    assert!(message.contains("Execution failed: wasm trap"), "{message}");

    // An answer that is not the pallet's type is reported, not misread.
    let (code, message, _) = h.call_err("ludus_gameAssets_token", json!([GARBLED_COLLECTION, 0])).await;
    assert_eq!(code, 4003);
    assert!(message.contains("GameAssetsApi_token returned an undecodable answer"), "{message}");
}

#[tokio::test]
async fn collection_details_with_metadata_from_one_block() {
    let h = Harness::start().await;
    let collection = h.call("ludus_gameAssets_collection", json!([GAME_COLLECTION])).await.unwrap();
    assert_eq!(
        collection,
        json!({
            "owner": ss58(&STUDIO),
            "deposit": BIG_DEPOSIT.to_string(),
            "policy": {"transferable": false, "burnableByHolder": true},
            "royalty": {"bps": 250, "beneficiary": ss58(&ARTIST)},
            "frozen": false,
            "nextTokenId": 2,
            "tokens": 2,
            "attributes": 2,
            "roleHolders": 3,
            "nextRecipeId": 4,
            "recipes": 1,
            // The URI is not valid UTF-8: hex only.
            "metadata": {"name": {"hex": hex(b"Sword Saga"), "utf8": "Sword Saga"}, "uri": {"hex": "0x69706673fe"}},
        })
    );

    // Details and metadata are read at the same block, the one asked for.
    let genesis = h.chain.genesis().block.header.hash();
    h.chain.import(&[], true);
    h.call("ludus_gameAssets_collection", json!([GAME_COLLECTION, genesis])).await.unwrap();
    let calls: Vec<_> = take_calls(&h).into_iter().skip(2).collect();
    let names: Vec<_> = calls.iter().map(|(at, name, args)| (*at, name.as_str(), args.clone())).collect();
    assert_eq!(
        names,
        vec![
            (genesis, "GameAssetsApi_collection", GAME_COLLECTION.encode()),
            (genesis, "GameAssetsApi_collection_metadata", GAME_COLLECTION.encode()),
        ]
    );

    let bare = h.call("ludus_gameAssets_collection", json!([BARE_COLLECTION])).await.unwrap();
    assert_eq!(
        bare,
        json!({
            "owner": ss58(&RICH),
            "deposit": "0",
            "policy": {"transferable": true, "burnableByHolder": true},
            "royalty": null,
            "frozen": true,
            "nextTokenId": 0,
            "tokens": 0,
            "attributes": 0,
            "roleHolders": 0,
            "nextRecipeId": 0,
            "recipes": 0,
            "metadata": null,
        })
    );
    take_calls(&h);

    // A missing collection is null, without asking for its metadata.
    assert_eq!(h.call("ludus_gameAssets_collection", json!([1])).await.unwrap(), Value::Null);
    assert_eq!(only_call::<u32>(&h, "GameAssetsApi_collection").1, 1);
}

#[tokio::test]
async fn attributes_of_collection_and_token() {
    let h = Harness::start().await;
    let collection_level = json!([
        {"key": {"hex": hex(b"season"), "utf8": "season"}, "value": {"hex": "0x31", "utf8": "1"}},
        {"key": {"hex": "0xff00"}, "value": {"hex": "0xc328"}},
    ]);
    assert_eq!(h.call("ludus_gameAssets_attributes", json!([GAME_COLLECTION])).await.unwrap(), collection_level);
    assert_eq!(only_call::<(u32, Option<u32>)>(&h, "GameAssetsApi_attributes").1, (GAME_COLLECTION, None));
    assert_eq!(h.call("ludus_gameAssets_attributes", json!([GAME_COLLECTION, null])).await.unwrap(), collection_level);
    take_calls(&h);

    let rarity = json!({"hex": hex("légendaire".as_bytes()), "utf8": "légendaire"});
    assert_eq!(
        h.call("ludus_gameAssets_attributes", json!([GAME_COLLECTION, 0])).await.unwrap(),
        json!([{"key": {"hex": hex(b"rarity"), "utf8": "rarity"}, "value": rarity}])
    );
    assert_eq!(only_call::<(u32, Option<u32>)>(&h, "GameAssetsApi_attributes").1, (GAME_COLLECTION, Some(0)));
    assert_eq!(h.call("ludus_gameAssets_attributes", json!([GAME_COLLECTION, 1])).await.unwrap(), json!([]));
    take_calls(&h);

    // One attribute by hex key; token `null` is the collection level.
    assert_eq!(
        h.call("ludus_gameAssets_attribute", json!([GAME_COLLECTION, null, hex(b"season")])).await.unwrap(),
        json!({"hex": "0x31", "utf8": "1"})
    );
    assert_eq!(
        only_call::<(u32, Option<u32>, Vec<u8>)>(&h, "GameAssetsApi_attribute").1,
        (GAME_COLLECTION, None, b"season".to_vec())
    );
    assert_eq!(
        h.call("ludus_gameAssets_attribute", json!([GAME_COLLECTION, 0, hex(b"rarity")])).await.unwrap(),
        rarity
    );
    assert_eq!(
        only_call::<(u32, Option<u32>, Vec<u8>)>(&h, "GameAssetsApi_attribute").1,
        (GAME_COLLECTION, Some(0), b"rarity".to_vec())
    );
    assert_eq!(
        h.call("ludus_gameAssets_attribute", json!([GAME_COLLECTION, 0, hex(b"season")])).await.unwrap(),
        Value::Null
    );
    take_calls(&h);

    // Bad hex, an oversized key, and a missing key are bad parameters that never reach the runtime.
    for bad in [
        json!([GAME_COLLECTION, null, "0xzz"]),
        json!([GAME_COLLECTION, null, hex(&[b'k'; 1025])]),
        json!([GAME_COLLECTION, "0x31"]),
    ] {
        let (code, _, _) = h.call_err("ludus_gameAssets_attribute", bad.clone()).await;
        assert_eq!(code, -32602, "{bad}");
    }
    assert!(take_calls(&h).is_empty());
    // The longest accepted key still runs (and finds nothing).
    let longest = hex(&[b'k'; 1024]);
    assert_eq!(
        h.call("ludus_gameAssets_attribute", json!([GAME_COLLECTION, null, longest])).await.unwrap(),
        Value::Null
    );
}

#[tokio::test]
async fn game_asset_methods_are_listed_and_served_over_http() {
    let h = Harness::start().await;
    let methods = h.call("rpc_methods", json!([])).await.unwrap();
    let methods: Vec<&str> = methods["methods"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    for name in [
        "ludus_gameAssets_attribute",
        "ludus_gameAssets_attributes",
        "ludus_gameAssets_balances",
        "ludus_gameAssets_collection",
        "ludus_gameAssets_token",
    ] {
        assert!(methods.contains(&name), "{name} missing from {methods:?}");
    }
    let token = h.http_call("ludus_gameAssets_token", json!([GAME_COLLECTION, 0])).await.unwrap();
    assert_eq!(token["depositor"], json!(ss58(&STUDIO)));
}
