// An unmodified polkadot.js client against a running ludus-node.
//
// Usage: node transfer.mjs ws://127.0.0.1:9944
//
// Reads metadata and balances, sends a signed transfer with
// author_submitAndWatchExtrinsic (signAndSend with a status callback), waits until it
// is in a block and finalized, checks the recipient's new balance, then sends five
// transfers back to back from one account (nonces from system_accountNextIndex) and
// waits until all five are finalized. Prints one JSON line of results; exits non-zero
// with a reason on any failure.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const TIMEOUT_MS = 60_000;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

function withTimeout(promise, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT_MS)),
  ]);
}

// Resolves with {inBlock, finalized} block hashes once the transfer is finalized.
function sendAndWatch(tx, signer, options = {}) {
  return new Promise((resolve, reject) => {
    let inBlock;
    const seen = [];
    tx.signAndSend(signer, options, ({ status, dispatchError }) => {
      seen.push(status.type);
      if (dispatchError) reject(new Error(`dispatch error: ${dispatchError.toString()}`));
      if (status.isInBlock) inBlock = status.asInBlock.toHex();
      // With instant finality, polkadot.js may fold InBlock into Finalized (it fetches
      // events for InBlock and switches to the newer status); the block's body is checked below.
      if (status.isFinalized) resolve({ inBlock, finalized: status.asFinalized.toHex(), seen, txHash: tx.hash.toHex() });
      if (status.isInvalid || status.isDropped || status.isUsurped) reject(new Error(`transaction ${status.type}`));
    }).catch(reject);
  });
}

async function main() {
  await cryptoWaitReady();
  const api = await withTimeout(ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true }), 'connect');
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const recipient = keyring.addFromUri(`//ludus-e2e/${Date.now()}`);

  const chain = (await api.rpc.system.chain()).toString();
  const metadataVersion = api.runtimeMetadata.version;
  const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
  for (const pallet of ['System', 'Balances', 'Assets', 'Sudo', 'Utility', 'Session']) {
    if (!pallets.includes(pallet)) fail(`metadata lacks pallet ${pallet}`);
  }
  const decimals = api.registry.chainDecimals[0];
  const symbol = api.registry.chainTokens[0];
  if (decimals !== 12 || symbol !== 'LUD') fail(`token is ${symbol}/${decimals}, expected LUD/12`);

  const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
  if (aliceBefore === 0n) fail('Alice has no balance');

  const amount = 12_345n * 10n ** 12n;
  const first = await withTimeout(sendAndWatch(api.tx.balances.transferKeepAlive(recipient.address, amount), alice), 'first transfer');
  const firstBlock = await api.rpc.chain.getBlock(first.finalized);
  if (!firstBlock.block.extrinsics.some((xt) => xt.hash.toHex() === first.txHash)) fail('the finalized block does not contain the transfer');
  const finalizedHead = await api.rpc.chain.getFinalizedHead();
  const finalizedNumber = (await api.rpc.chain.getHeader(finalizedHead)).number.toNumber();
  if (finalizedNumber < firstBlock.block.header.number.toNumber()) fail('finalized head is behind the transfer block');
  const recipientAfter = (await api.query.system.account(recipient.address)).data.free.toBigInt();
  if (recipientAfter !== amount) fail(`recipient has ${recipientAfter}, expected ${amount}`);
  const aliceAfter = (await api.query.system.account(alice.address)).data.free.toBigInt();
  if (!(aliceAfter < aliceBefore - amount)) fail('Alice did not pay the amount plus a fee');

  // Five transfers back to back from one account: each takes the next nonce.
  const small = 10n ** 12n;
  const startNonce = (await api.rpc.system.accountNextIndex(bob.address)).toNumber();
  const watches = [];
  for (let i = 0; i < 5; i++) {
    watches.push(sendAndWatch(api.tx.balances.transferKeepAlive(recipient.address, small), bob, { nonce: startNonce + i }));
  }
  const results = await withTimeout(Promise.all(watches), 'five transfers');
  const endNonce = (await api.rpc.system.accountNextIndex(bob.address)).toNumber();
  if (endNonce !== startNonce + 5) fail(`Bob's nonce went ${startNonce} -> ${endNonce}, expected +5`);
  const recipientFinal = (await api.query.system.account(recipient.address)).data.free.toBigInt();
  if (recipientFinal !== amount + 5n * small) fail(`recipient has ${recipientFinal} after the five transfers`);

  console.log(JSON.stringify({
    ok: true,
    chain,
    metadataVersion,
    firstTransfer: first,
    fiveTransfersFinalizedIn: [...new Set(results.map((r) => r.finalized))].length,
    recipientBalance: recipientFinal.toString(),
  }));
  await api.disconnect();
  process.exit(0);
}

main().catch((error) => fail(error.stack ?? String(error)));
