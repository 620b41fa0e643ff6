// A game studio's day on Ludus, from an unmodified polkadot.js client.
//
// Usage: node game.mjs ws://127.0.0.1:9944
//
// The studio (Charlie) creates a collection with a 5 % royalty to Eve, names it, creates
// a currency (gold) and two items (a sword, a shield), mints gold to a player (Dave) and
// the sword to itself, sets an attribute on the sword, lists it and the player buys it
// with the royalty paid; the studio adds a recipe (100 gold → shield) and the player
// crafts; the studio funds the collection's fuel tank and the player's next call is paid
// from it. Each step is checked through storage and events, and the end state through
// the `ludus_gameAssets_*` RPC methods a game client uses. Prints one JSON line;
// exits non-zero with a reason on any failure.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const LUD = 10n ** 12n;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) fail(message);
}

// Sends `tx` and resolves with the block's events for it once finalized.
function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${tx.method.section}.${tx.method.method}`)), 60_000);
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        clearTimeout(timer);
        const detail = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(`${tx.method.section}.${tx.method.method} failed: ${detail ? `${detail.section}.${detail.name}` : dispatchError.toString()}`));
      } else if (status.isFinalized) {
        clearTimeout(timer);
        resolve({ block: status.asFinalized.toHex(), events: events.map((e) => e.event) });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        clearTimeout(timer);
        reject(new Error(`${tx.method.section}.${tx.method.method}: transaction ${status.type}`));
      }
    }).catch(reject);
  });
}

function findEvent(api, events, section, method) {
  const found = events.find((e) => e.section === section && e.method === method);
  check(found, `no ${section}.${method} event`);
  return found;
}

async function free(api, who) {
  return (await api.query.system.account(who)).data.free.toBigInt();
}

async function holding(api, collection, who, token) {
  const value = await api.query.gameAssets.holdings(collection, who, token);
  const h = value.isSome ? value.unwrap() : value;
  return h.amount ? BigInt(h.amount.toString()) : 0n;
}

async function main() {
  await cryptoWaitReady();
  const provider = new WsProvider(url);
  const api = await ApiPromise.create({ provider, throwOnConnect: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const studio = keyring.addFromUri('//Charlie');
  const player = keyring.addFromUri('//Dave');
  const beneficiary = keyring.addFromUri('//Eve');
  const tx = api.tx.gameAssets;
  check(tx && tx.createCollection && tx.craft && tx.fundFuelTank, 'GameAssets calls are not in the metadata');

  // A collection with a 5 % royalty.
  let r = await send(api, tx.createCollection({ transferable: true, burnableByHolder: true }, { bps: 500, beneficiary: beneficiary.address }), studio);
  const collection = findEvent(api, r.events, 'gameAssets', 'CollectionCreated').data[0].toNumber();
  await send(api, tx.setCollectionMetadata(collection, 'Dragon Realm', 'ipfs://dragon-realm'), studio);

  // Gold (a currency), a sword and a shield (unique items): tokens 0, 1, 2.
  r = await send(api, api.tx.utility.batchAll([tx.createToken(collection, 1_000_000), tx.createToken(collection, 1), tx.createToken(collection, 1)]), studio);
  const created = r.events.filter((e) => e.section === 'gameAssets' && e.method === 'TokenCreated').map((e) => e.data[1].toNumber());
  check(created.length === 3, `created ${created.length} tokens, expected 3`);
  const [gold, sword, shield] = created;

  await send(api, api.tx.utility.batchAll([tx.mint(collection, gold, player.address, 500), tx.mint(collection, sword, studio.address, 1)]), studio);
  check((await holding(api, collection, player.address, gold)) === 500n, 'player did not receive 500 gold');
  await send(api, tx.setAttribute(collection, sword, 'level', '7'), studio);
  const attribute = await api.query.gameAssets.attributes(collection, sword, 'level');
  check(attribute.isSome && attribute.unwrap().value.toUtf8() === '7', 'sword attribute level != 7');

  // The studio sells the sword for 100 LUD; the royalty goes to Eve.
  r = await send(api, tx.list(collection, sword, 1, 100n * LUD), studio);
  const listing = findEvent(api, r.events, 'gameAssets', 'Listed').data[1].toNumber();
  const studioBefore = await free(api, studio.address);
  const beneficiaryBefore = await free(api, beneficiary.address);
  r = await send(api, tx.buy(collection, listing, 1, 100n * LUD), player);
  findEvent(api, r.events, 'gameAssets', 'Sold');
  check((await holding(api, collection, player.address, sword)) === 1n, 'player does not hold the sword');
  const royalty = (await free(api, beneficiary.address)) - beneficiaryBefore;
  check(royalty === 5n * LUD, `royalty paid ${royalty}, expected 5 LUD`);
  const proceeds = (await free(api, studio.address)) - studioBefore;
  check(proceeds >= 95n * LUD, `studio received ${proceeds}, expected 95 LUD (plus its listing deposit back)`);

  // Crafting: 100 gold → a shield.
  r = await send(api, tx.createRecipe(collection, [[gold, 100]], [[shield, 1]], 0), studio);
  const recipe = findEvent(api, r.events, 'gameAssets', 'RecipeCreated').data[1].toNumber();
  await send(api, tx.craft(collection, recipe), player);
  check((await holding(api, collection, player.address, gold)) === 400n, 'crafting did not burn 100 gold');
  check((await holding(api, collection, player.address, shield)) === 1n, 'crafting did not mint the shield');

  // Sponsored fees: the studio's fuel tank pays the player's game calls.
  await send(api, api.tx.utility.batchAll([tx.fundFuelTank(collection, 10n * LUD), tx.setPlayerFuelLimit(collection, player.address, LUD)]), studio);
  const playerBefore = await free(api, player.address);
  r = await send(api, tx.transfer(collection, gold, beneficiary.address, 10), player);
  const sponsored = findEvent(api, r.events, 'gameAssets', 'FeeSponsored');
  const playerAfter = await free(api, player.address);
  check(playerAfter === playerBefore, `the player paid ${playerBefore - playerAfter} in fees despite sponsorship`);
  check((await holding(api, collection, beneficiary.address, gold)) === 10n, 'gold transfer did not land');

  // A game client reads the same state through Ludus's own RPC methods.
  const page = await provider.send('ludus_gameAssets_balances', [collection, player.address]);
  const owned = Object.fromEntries(page.balances.map((b) => [b.token, b.amount]));
  check(owned[gold] === '390' && owned[sword] === '1' && owned[shield] === '1', `ludus_gameAssets_balances: ${JSON.stringify(page)}`);
  const level = await provider.send('ludus_gameAssets_attribute', [collection, sword, '0x6c6576656c']);
  check(level && level.utf8 === '7', `ludus_gameAssets_attribute: ${JSON.stringify(level)}`);
  const details = await provider.send('ludus_gameAssets_collection', [collection]);
  check(details && details.metadata && details.metadata.name.utf8 === 'Dragon Realm' && details.royalty.bps === 500, `ludus_gameAssets_collection: ${JSON.stringify(details)}`);

  console.log(JSON.stringify({
    ok: true,
    collection,
    tokens: { gold, sword, shield },
    royalty: royalty.toString(),
    sponsoredFee: sponsored.data[2].toString(),
  }));
  await api.disconnect();
  process.exit(0);
}

main().catch((error) => fail(error.stack ?? String(error)));
