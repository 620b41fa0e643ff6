//! The game workload: the players of a studio's game-assets collections transfer items, buy
//! on the market (paying the collection's royalty), craft, and receive batch-minted rewards;
//! some play free, their fees paid by the collection's fuel tank.
//!
//! **Shards.** The studio (`//Eve`, endowed by the local spec) runs one collection per shard
//! of at most [`SHARD_PLAYERS`] players, because a collection has at most 32 role holders and
//! each shard's minters hold the issuer role. Sender `i` plays in shard `i % shards`, at place
//! `i / shards` in it, and its role is [`MIX`] at that place:
//!
//! | role      | share | each operation                                           | `kind`             |
//! |-----------|-------|----------------------------------------------------------|--------------------|
//! | trader    | 30 %  | `transfer` of 1 gem to the next bench account            | item transfer      |
//! | buyer     | 20 %  | `buy` of 1 gem from another buyer's listing, 5 % royalty | market buy         |
//! | crafter   | 20 %  | `craft`: 2 ore burned, 1 sword minted, 0.01 LUD fee      | craft              |
//! | sponsored | 20 %  | `transfer` of 1 gem, its fee paid by the fuel tank       | sponsored transfer |
//! | minter    | 10 %  | `batch_mint` of 1 gold to each of 8 players              | batch mint         |
//!
//! The submitters take one extrinsic per sender per batch, so operations are offered in these
//! shares throughout the window.
//!
//! **Setup** (before the window; each step submitted to Alice and waited on until finalized,
//! any failed extrinsic a panic):
//!
//! 1. the studio, in `utility.batch_all` chunks: per shard a collection with a 5 % royalty to
//!    `//Ferdie`, its tokens (gold, gem, ore, sword, all uncapped), the recipe, the issuer role
//!    for the minters, a funded fuel tank with a budget for each sponsored player, and the
//!    starting inventories: `per_sender` gems to traders and buyers, `per_sender + 1` to
//!    sponsored players, `2 * per_sender` ore to crafters;
//! 2. the players: each buyer lists its `per_sender` gems at 0.1 LUD each, and the first
//!    sponsored player of each shard sends one gem, which must emit `FeeSponsored` (so the
//!    `sponsored transfer` label is true).
//!
//! **Why nothing in the window can fail**, however the four pools and the authors interleave
//! senders: every operation uses only what setup created or the sender itself holds, and
//! nothing another sender does takes from it. Traders, sponsored players and crafters spend
//! their own inventories, which last exactly `per_sender` operations (what others send them only
//! adds). Buyers form a ring per shard, each buying from the next one's listing, so each listing
//! has exactly one buyer and holds exactly the units that buyer takes. Minters mint an uncapped
//! token. LUD: a buyer pays at most `per_sender * 0.1` LUD and is paid nearly as much, a crafter
//! `per_sender * 0.01` LUD, out of 1000; a sponsored player's budget covers `per_sender + 1`
//! fees of up to 0.01 LUD (far above a transfer's), and if it ran out the player, who is
//! endowed too, would pay.

use std::{
    collections::HashMap,
    thread,
    time::{Duration, Instant},
};

use frame_system::Phase;
use ludus_node::test_utils::{pair, sign};
use ludus_primitives::{AccountId, Balance, Hash, Nonce, LUD};
use ludus_runtime::{Runtime, RuntimeCall, RuntimeEvent, UtilityCall};
use pallet_game_assets::{
    Call as GameCall, CollectionId, CollectionPolicy, Event as GameEvent, ListingId, RecipeId, Roles, Royalty,
    TokenAmount, TokenId,
};
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use sp_runtime::{traits::Get, BoundedVec};

use crate::{
    harness::Node,
    watch::block_events,
    workload::{parallel_map, Sender, Tx},
};

/// What a player does in the window.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Trader,
    Buyer,
    Crafter,
    Sponsored,
    Minter,
}

use Role::*;

impl Role {
    /// The report's label of this role's operations.
    fn kind(self) -> &'static str {
        match self {
            Trader => "item transfer",
            Buyer => "market buy",
            Crafter => "craft",
            Sponsored => "sponsored transfer",
            Minter => "batch mint",
        }
    }
}

/// The roles of a shard's players by place, repeated: 3 traders, 2 buyers, 2 crafters, 2
/// sponsored players and 1 minter in every 10, interleaved.
const MIX: [Role; 10] = [Trader, Buyer, Crafter, Sponsored, Trader, Buyer, Crafter, Sponsored, Trader, Minter];
/// The most players in a shard: its minters hold a role, and a collection has at most 32 role
/// holders besides its owner (the runtime's `MaxRoleHolders`).
const SHARD_PLAYERS: usize = 32 * MIX.len();

/// The tokens each collection creates, in order (so their ids are 0, 1, 2, 3).
const GOLD: TokenId = 0;
const GEM: TokenId = 1;
const ORE: TokenId = 2;
const SWORD: TokenId = 3;
const TOKENS: u32 = 4;
/// The collection's only recipe (recipe ids start at 0 in each collection): 2 ore -> 1 sword.
const RECIPE: RecipeId = 0;
const ORE_PER_CRAFT: TokenAmount = 2;
const CRAFT_FEE: Balance = LUD / 100;
/// Gems are listed at 0.1 LUD each, and 5 % of each sale goes to the royalty beneficiary.
const UNIT_PRICE: Balance = LUD / 10;
const ROYALTY_BPS: u16 = 500;
/// Gold minted by one `batch mint`: one unit to each of this many players.
const MINT_BATCH: usize = 8;
/// A sponsored player's budget per operation: far above a transfer's fee.
const FUEL_PER_OP: Balance = LUD / 100;

/// The studio and the royalty beneficiary: dev accounts the local spec endows with 1M LUD.
const STUDIO: &str = "//Eve";
const ROYALTY_BENEFICIARY: &str = "//Ferdie";
/// Calls per setup extrinsic (`utility.batch_all`): at most 16 `batch_mint`s of 64 entries
/// each, well under a block's weight and length.
const CALLS_PER_SETUP_TX: usize = 16;
/// Entries per setup `batch_mint` (the runtime's `MaxBatch`).
const SETUP_MINT_BATCH: usize = 64;
/// How long one setup step may take to be finalized.
const SETUP_TIMEOUT: Duration = Duration::from_secs(120);
const SETUP_POLL: Duration = Duration::from_millis(200);

/// Who plays what, where: the players split into shards, each shard one collection.
struct Game<'a> {
    accounts: &'a [AccountId],
    per_sender: u32,
    shards: usize,
    /// The collection of shard 0; shard `s` has `first_collection + s`.
    first_collection: CollectionId,
}

impl Game<'_> {
    fn shard(&self, player: usize) -> usize {
        player % self.shards
    }

    fn role(&self, player: usize) -> Role {
        MIX[(player / self.shards) % MIX.len()]
    }

    fn collection(&self, player: usize) -> CollectionId {
        self.first_collection + self.shard(player) as CollectionId
    }

    /// The players of `shard` with `role`, in index order.
    fn players(&self, shard: usize, role: Role) -> impl Iterator<Item = usize> + '_ {
        (shard..self.accounts.len()).step_by(self.shards).filter(move |&i| self.role(i) == role)
    }

    /// Each buyer's seller: the next buyer of its shard, round the ring.
    fn sellers(&self) -> HashMap<usize, usize> {
        let mut sellers = HashMap::new();
        for shard in 0..self.shards {
            let buyers: Vec<usize> = self.players(shard, Buyer).collect();
            assert!(buyers.len() >= 2, "shard {shard} has fewer than two buyers; raise LUDUS_LOAD_ACCOUNTS");
            for (k, &buyer) in buyers.iter().enumerate() {
                sellers.insert(buyer, buyers[(k + 1) % buyers.len()]);
            }
        }
        sellers
    }

    /// Where a player's gems go: the next bench account (any account may receive them).
    fn friend(&self, player: usize) -> AccountId {
        self.accounts[(player + 1) % self.accounts.len()].clone()
    }

    fn fuel_limit(&self) -> Balance {
        Balance::from(self.per_sender + 1) * FUEL_PER_OP
    }

    /// Setup step 1, the studio's calls: every shard's collection, tokens, recipe, roles, fuel
    /// tank and starting inventories.
    fn studio_calls(&self, beneficiary: &AccountId) -> Vec<RuntimeCall> {
        let per_sender = TokenAmount::from(self.per_sender);
        let mut calls: Vec<GameCall<Runtime>> = Vec::new();
        for shard in 0..self.shards {
            let collection = self.first_collection + shard as CollectionId;
            let royalty = Royalty { bps: ROYALTY_BPS, beneficiary: beneficiary.clone() };
            calls.push(GameCall::create_collection { policy: CollectionPolicy::default(), royalty: Some(royalty) });
            calls.extend((0..TOKENS).map(|_| GameCall::create_token { collection, max_supply: TokenAmount::MAX }));
            calls.push(GameCall::create_recipe {
                collection,
                inputs: bounded(vec![(ORE, ORE_PER_CRAFT)]),
                outputs: bounded(vec![(SWORD, 1)]),
                fee: CRAFT_FEE,
            });
            for minter in self.players(shard, Minter) {
                calls.push(GameCall::set_roles {
                    collection,
                    who: self.accounts[minter].clone(),
                    roles: Roles::ISSUER,
                });
            }
            let sponsored: Vec<usize> = self.players(shard, Sponsored).collect();
            // The tank keeps one LUD beyond the budgets, so paying them never endangers it.
            let tank = self.fuel_limit() * sponsored.len() as Balance + LUD;
            calls.push(GameCall::fund_fuel_tank { collection, amount: tank });
            for &player in &sponsored {
                calls.push(GameCall::set_player_fuel_limit {
                    collection,
                    player: Some(self.accounts[player].clone()),
                    limit: self.fuel_limit(),
                });
            }
            let inventories: Vec<(TokenId, AccountId, TokenAmount)> = (shard..self.accounts.len())
                .step_by(self.shards)
                .filter_map(|player| {
                    let (token, amount) = match self.role(player) {
                        Trader | Buyer => (GEM, per_sender),
                        Sponsored => (GEM, per_sender + 1),
                        Crafter => (ORE, ORE_PER_CRAFT * per_sender),
                        Minter => return None,
                    };
                    Some((token, self.accounts[player].clone(), amount))
                })
                .collect();
            for mints in inventories.chunks(SETUP_MINT_BATCH) {
                calls.push(GameCall::batch_mint { collection, mints: bounded(mints.to_vec()) });
            }
        }
        calls.into_iter().map(RuntimeCall::GameAssets).collect()
    }

    /// Setup step 2, the players' calls (each the player's nonce 0): every buyer lists its gems,
    /// and the first sponsored player of each shard sends one gem (`true`: its fee must be
    /// sponsored).
    fn player_calls(&self) -> Vec<(usize, RuntimeCall, bool)> {
        let mut calls = Vec::new();
        for shard in 0..self.shards {
            let collection = self.first_collection + shard as CollectionId;
            for buyer in self.players(shard, Buyer) {
                let list =
                    GameCall::list { collection, token: GEM, amount: self.per_sender.into(), unit_price: UNIT_PRICE };
                calls.push((buyer, RuntimeCall::GameAssets(list), false));
            }
            let probe = self.players(shard, Sponsored).next().expect("every shard has sponsored players");
            let transfer = GameCall::transfer { collection, token: GEM, to: self.friend(probe), amount: 1 };
            calls.push((probe, RuntimeCall::GameAssets(transfer), true));
        }
        calls
    }

    /// `player`'s `op`-th operation in the window; `listing` is the one it buys from, if a buyer.
    fn operation(&self, player: usize, op: u32, listing: Option<ListingId>) -> RuntimeCall {
        let collection = self.collection(player);
        let call = match self.role(player) {
            Trader | Sponsored => GameCall::transfer { collection, token: GEM, to: self.friend(player), amount: 1 },
            Buyer => GameCall::buy {
                collection,
                listing: listing.expect("every buyer has a seller's listing"),
                amount: 1,
                max_unit_price: UNIT_PRICE,
            },
            Crafter => GameCall::craft { collection, recipe: RECIPE },
            Minter => {
                let first = player + 1 + op as usize * MINT_BATCH;
                let mints = (first..first + MINT_BATCH)
                    .map(|to| (GOLD, self.accounts[to % self.accounts.len()].clone(), 1))
                    .collect();
                GameCall::batch_mint { collection, mints: bounded(mints) }
            }
        };
        RuntimeCall::GameAssets(call)
    }
}

/// Sets up the shards' collections on the running network and signs every sender's
/// `per_sender` operations (see the module doc).
pub fn prepare(
    nodes: &[(&'static str, Node)],
    pairs: &[sr25519::Pair],
    accounts: &[AccountId],
    per_sender: u32,
    genesis: Hash,
) -> Vec<Sender> {
    assert!(accounts.len() >= MIX.len(), "the game workload needs LUDUS_LOAD_ACCOUNTS >= {}", MIX.len());
    let node = &nodes[0].1;
    let started = Instant::now();
    let game = Game {
        accounts,
        per_sender,
        shards: accounts.len().div_ceil(SHARD_PLAYERS),
        first_collection: next_collection_id(node),
    };

    // 1. The studio's collections, in nonce order from one account.
    let studio = pair(STUDIO);
    let beneficiary = AccountId::from(pair(ROYALTY_BENEFICIARY).public());
    let studio_nonce = account_next_index(node, &AccountId::from(studio.public()));
    let calls = game.studio_calls(&beneficiary);
    let txs: Vec<Vec<u8>> = calls
        .chunks(CALLS_PER_SETUP_TX)
        .zip(studio_nonce..)
        .map(|(chunk, nonce)| {
            sign(RuntimeCall::Utility(UtilityCall::batch_all { calls: chunk.to_vec() }), &studio, nonce, genesis)
        })
        .collect();
    let events = finalize(node, "the studio's setup", &txs);
    let created: Vec<CollectionId> = events
        .iter()
        .flatten()
        .filter_map(|e| match e {
            RuntimeEvent::GameAssets(GameEvent::CollectionCreated { collection, .. }) => Some(*collection),
            _ => None,
        })
        .collect();
    let expected: Vec<CollectionId> = (0..game.shards).map(|s| game.first_collection + s as CollectionId).collect();
    assert_eq!(created, expected, "the studio's collections got other ids than the calls assumed");

    // 2. The players' listings and the sponsorship probes, once their gems are final.
    let player_calls = game.player_calls();
    let txs: Vec<Vec<u8>> =
        player_calls.iter().map(|(player, call, _)| sign(call.clone(), &pairs[*player], 0, genesis)).collect();
    let events = finalize(node, "the players' setup", &txs);
    let mut listing_of: HashMap<AccountId, ListingId> = HashMap::new();
    for ((player, _, must_be_sponsored), events) in player_calls.iter().zip(&events) {
        for event in events {
            if let RuntimeEvent::GameAssets(GameEvent::Listed { listing, seller, .. }) = event {
                listing_of.insert(seller.clone(), *listing);
            }
        }
        let sponsored = events.iter().any(|e| matches!(e, RuntimeEvent::GameAssets(GameEvent::FeeSponsored { .. })));
        assert!(
            sponsored || !must_be_sponsored,
            "bench account {player}'s transfer was not sponsored by its collection's fuel tank: {events:?}"
        );
    }
    let mut first_nonce: Vec<Nonce> = vec![0; accounts.len()];
    for (player, ..) in &player_calls {
        first_nonce[*player] += 1;
    }
    let sellers = game.sellers();
    println!(
        "game setup: {} collection(s) of <= {SHARD_PLAYERS} players, {} studio calls, {} player calls, {} listings, in \
         {:.1} s",
        game.shards,
        calls.len(),
        player_calls.len(),
        listing_of.len(),
        started.elapsed().as_secs_f64()
    );

    // 3. The window's operations, from each player's next nonce.
    parallel_map(accounts.len(), |player| {
        let listing = sellers.get(&player).map(|seller| {
            *listing_of.get(&accounts[*seller]).unwrap_or_else(|| panic!("bench account {seller} listed nothing"))
        });
        let kind = game.role(player).kind();
        let queue = (0..per_sender)
            .map(|op| {
                let call = game.operation(player, op, listing);
                Tx::new(&sign(call, &pairs[player], first_nonce[player] + op, genesis), kind)
            })
            .collect();
        Sender { queue }
    })
}

fn bounded<T, S: Get<u32>>(items: Vec<T>) -> BoundedVec<T, S> {
    BoundedVec::try_from(items).unwrap_or_else(|_| panic!("more items than the runtime's bound"))
}

/// The id the chain gives the next game-assets collection (`GameAssets::NextCollectionId`).
fn next_collection_id(node: &Node) -> CollectionId {
    let key = [sp_crypto_hashing::twox_128(b"GameAssets"), sp_crypto_hashing::twox_128(b"NextCollectionId")].concat();
    match node.rpc("state_getStorage", json!([format!("0x{}", hex::encode(key))])) {
        Value::Null => 0,
        Value::String(hex) => {
            let bytes = hex::decode(hex.trim_start_matches("0x")).expect("storage is hex");
            u32::from_le_bytes(bytes.try_into().expect("NextCollectionId is a u32"))
        }
        other => panic!("state_getStorage returned {other}"),
    }
}

fn account_next_index(node: &Node, account: &AccountId) -> Nonce {
    let nonce = node.rpc("system_accountNextIndex", json!([account.to_ss58check()]));
    Nonce::try_from(nonce.as_u64().expect("a nonce is a number")).expect("a nonce fits u32")
}

/// Submits `txs` to `node` in order, waits until every one is in a finalized block, and
/// returns the events each emitted; panics, naming `what`, if one failed or they are not all
/// finalized within [`SETUP_TIMEOUT`].
fn finalize(node: &Node, what: &str, txs: &[Vec<u8>]) -> Vec<Vec<RuntimeEvent>> {
    let mut next = node.finalized_number() + 1;
    let mut pending: HashMap<[u8; 32], usize> =
        txs.iter().enumerate().map(|(k, tx)| (sp_crypto_hashing::blake2_256(tx), k)).collect();
    for tx in txs {
        node.rpc("author_submitExtrinsic", json!([format!("0x{}", hex::encode(tx))]));
    }
    let mut events = vec![Vec::new(); txs.len()];
    let deadline = Instant::now() + SETUP_TIMEOUT;
    while !pending.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{what}: {} of {} extrinsics not finalized after {SETUP_TIMEOUT:?}",
            pending.len(),
            txs.len()
        );
        let finalized = node.finalized_number();
        while next <= finalized {
            let hash = node.rpc("chain_getBlockHash", json!([next]));
            let block = node.rpc("chain_getBlock", json!([hash]));
            let extrinsics = block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
            let ours: Vec<(u32, usize)> = extrinsics
                .iter()
                .enumerate()
                .filter_map(|(index, xt)| {
                    let bytes = hex::decode(xt.as_str()?.trim_start_matches("0x")).ok()?;
                    let k = pending.remove(&sp_crypto_hashing::blake2_256(&bytes))?;
                    Some((index as u32, k))
                })
                .collect();
            if !ours.is_empty() {
                let records = block_events(node.rpc_addr(), &hash).unwrap_or_else(|e| panic!("{what}: {e}"));
                for (index, k) in ours {
                    for record in records.iter().filter(|r| r.phase == Phase::ApplyExtrinsic(index)) {
                        if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) =
                            &record.event
                        {
                            panic!("{what}: extrinsic {k} failed in block #{next}: {dispatch_error:?}");
                        }
                        events[k].push(record.event.clone());
                    }
                }
            }
            next += 1;
        }
        thread::sleep(SETUP_POLL);
    }
    events
}
