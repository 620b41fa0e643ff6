//! Batch verification of extrinsic signatures, ahead of the runtime's one-by-one checks.
//!
//! The runtime verifies each extrinsic's signature on its own when it validates or applies
//! it, through the node's [`CheckedSignatures`](ludus_primitives::CheckedSignatures) memory: a signature that verified once in
//! this process is not verified again. sr25519 signatures verified together cost about half
//! as much each (schnorrkel's batch verification: one multi-scalar multiplication for the
//! whole batch; 1.6× faster per signature at 16, 2× at 250). So where many extrinsics
//! arrive at once (a gossiped batch, a block to import), the node first rebuilds each one's
//! signed payload exactly as the runtime will, verifies all their sr25519 signatures in one
//! batch, and notes them in that memory; the runtime's checks then find them there.
//!
//! Nothing is trusted on the way: only signatures the batch proved valid are noted. A batch
//! holding one bad signature proves nothing, so none is noted and the runtime verifies each
//! alone, as it would have anyway (at most one batch's work lost, which a peer sending
//! forgeries pays for with its ban). Extrinsics that are not sr25519-signed, or whose payload
//! cannot be rebuilt (a mortal era whose birth block is unknown, say), are left to the
//! runtime.

use codec::Encode;
use ludus_primitives::{AccountId, Hash, Signature};
use ludus_runtime::{Runtime, RuntimeCall, SignedPayload, TxExtension};
use parking_lot::Mutex;
use schnellru::{ByLength, LruMap};
use sp_runtime::{
    generic::{Digest, Era, Preamble},
    traits::{Header as _, TransactionExtension},
    MultiAddress, MultiSignature,
};
use sp_state_machine::{Ext, OverlayedChanges};

use super::{Chain, ChainError};
use crate::executor::decode::decode_extrinsic;

/// The context Substrate's sr25519 signatures are made in.
const SIGNING_CONTEXT: &[u8] = b"substrate";

/// What one batch verification did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Preverified {
    /// sr25519 signatures verified in the batch.
    pub batched: usize,
    /// Signatures already known to be valid, not verified again.
    pub known: usize,
    /// Whether the batch held: its signatures are now known valid.
    pub valid: bool,
}

/// How many signers' decompressed public keys [`PublicKeys`] keeps (about 200 bytes each).
const PUBLIC_KEYS: u32 = 16_384;

/// The decompressed sr25519 public keys of recent signers. Decompressing a key (a square
/// root in the field) is about a fifth of what verifying its signature in a batch costs,
/// and a game's players sign transaction after transaction with the same key.
pub struct PublicKeys(Mutex<LruMap<AccountId, schnorrkel::PublicKey>>);

impl Default for PublicKeys {
    fn default() -> Self {
        Self(Mutex::new(LruMap::new(ByLength::new(PUBLIC_KEYS))))
    }
}

impl PublicKeys {
    /// `signer`'s key, decompressed; `None` if its bytes are not a valid key.
    fn get(&self, signer: &AccountId) -> Option<schnorrkel::PublicKey> {
        if let Some(key) = self.0.lock().get(signer) {
            return Some(*key);
        }
        let key = schnorrkel::PublicKey::from_bytes(signer.as_ref()).ok()?;
        self.0.lock().insert(signer.clone(), key);
        Some(key)
    }
}

/// One signature to verify, with what the runtime will key it by.
struct Pending {
    signature: Signature,
    message: Vec<u8>,
    signer: AccountId,
}

impl Chain {
    /// Verifies the sr25519 signatures of `extrinsics`, as the runtime will check them on top
    /// of block `parent` (validated for its child, or applied in it), in one batch, and notes
    /// the valid ones in the executor's
    /// [`CheckedSignatures`](ludus_primitives::CheckedSignatures).
    pub fn preverify_signatures<'a>(
        &self,
        parent: Hash,
        extrinsics: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Preverified, ChainError> {
        let header = self.expect_header(parent)?;
        let checked = self.executor().checked_signatures();
        let state = self.state_at(parent)?;
        let mut overlay = OverlayedChanges::default();
        let mut ext = Ext::new(&mut overlay, &state, None);
        let mut outcome = Preverified::default();
        // The payloads need chain state (the genesis hash, a mortal era's birth block): read
        // it as the runtime does when it validates or applies on top of `parent`, with the
        // child block initialized. The changes are thrown away with `overlay`.
        let pending = sp_externalities::set_and_run_with_externalities(&mut ext, || {
            frame_system::Pallet::<Runtime>::initialize(&(header.number() + 1), &parent, &Digest::default());
            let mut pending = Vec::new();
            let mut implicits = Implicits::default();
            for bytes in extrinsics {
                let Some(item) = signed_payload(bytes, &mut implicits) else { continue };
                if checked.is_checked(&item.signature, &item.message, &item.signer) {
                    outcome.known += 1;
                } else {
                    pending.push(item);
                }
            }
            pending
        });
        outcome.batched = pending.len();
        outcome.valid = verify_batch(&pending, &self.public_keys);
        if outcome.valid {
            for item in &pending {
                checked.note_checked(&item.signature, &item.message, &item.signer);
            }
        }
        Ok(outcome)
    }
}

/// The data the transaction extensions add to a signed payload without sending it, by the
/// transaction's era: on one state, the rest of it is the same for every transaction (the spec
/// and transaction versions, the genesis hash), and the era picks the birth block whose hash
/// the mortality check adds. Computing it reads two block hashes from the state; a batch of
/// immortal transactions needs it once.
#[derive(Default)]
struct Implicits(Vec<(Era, Implicit)>);

type Implicit = <TxExtension as TransactionExtension<RuntimeCall>>::Implicit;

impl Implicits {
    /// The implicit data of `extension`, as `extension.implicit()` computes it on this state.
    fn of(&mut self, extension: &TxExtension) -> Option<Implicit> {
        let era = extension.4 .0;
        if let Some((_, implicit)) = self.0.iter().find(|(known, _)| *known == era) {
            return Some(implicit.clone());
        }
        let implicit = extension.implicit().ok()?;
        self.0.push((era, implicit.clone()));
        Some(implicit)
    }
}

/// [`Implicits`] relies on this composition: every extension's implicit data but
/// `CheckEra`'s is the same for all transactions on one state. Adding an extension whose
/// implicit data depends on the transaction (`CheckMetadataHash`'s, by its mode) must key
/// `Implicits` by that too; this stops the build until someone looks.
#[allow(dead_code)]
fn implicits_key_by_era_alone(
    extension: TxExtension,
) -> (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    frame_system::CheckNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
    pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
) {
    extension
}

/// The sr25519 signature of `bytes`, with the message it signs (the payload, hashed when
/// longer than 256 bytes, as the runtime verifies it). Runs inside the state's externalities.
fn signed_payload(bytes: &[u8], implicits: &mut Implicits) -> Option<Pending> {
    let extrinsic = decode_extrinsic(bytes).ok()?;
    let Preamble::Signed(MultiAddress::Id(signer), signature, extension) = extrinsic.preamble else { return None };
    if !matches!(signature.0, MultiSignature::Sr25519(_)) {
        return None;
    }
    let implicit = implicits.of(&extension)?;
    let message = SignedPayload::from_raw(extrinsic.function, extension, implicit).using_encoded(<[u8]>::to_vec);
    Some(Pending { signature, message, signer })
}

/// Whether every signature of `pending` holds, checked in one batch (true for none).
fn verify_batch(pending: &[Pending], public_keys: &PublicKeys) -> bool {
    let context = schnorrkel::signing_context(SIGNING_CONTEXT);
    let mut transcripts = Vec::with_capacity(pending.len());
    let mut signatures = Vec::with_capacity(pending.len());
    let mut keys = Vec::with_capacity(pending.len());
    for item in pending {
        let MultiSignature::Sr25519(signature) = &item.signature.0 else { return false };
        let (Ok(signature), Some(key)) =
            (schnorrkel::Signature::from_bytes(signature.as_ref()), public_keys.get(&item.signer))
        else {
            return false;
        };
        transcripts.push(context.bytes(&item.message));
        signatures.push(signature);
        keys.push(key);
    }
    pending.is_empty() || schnorrkel::verify_batch(transcripts, &signatures, &keys, false).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::{dev_chain, pair, transfer};
    use sp_api::ProvideRuntimeApi;
    use sp_core::Pair;

    fn transfers(chain: &Chain, count: u32) -> Vec<Vec<u8>> {
        let genesis = chain.genesis_hash();
        let dest = AccountId::from(pair("//Bob").public());
        (0..count).map(|nonce| transfer(&pair("//Alice"), dest.clone(), 1_000, nonce, genesis)).collect()
    }

    #[test]
    fn a_batch_of_valid_signatures_is_noted_as_the_runtime_will_look_them_up() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let txs = transfers(&chain, 20);
        let at = chain.genesis_hash();
        let outcome = chain.preverify_signatures(at, txs.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(outcome, Preverified { batched: 20, known: 0, valid: true });
        assert_eq!(chain.executor().checked_signatures().len(), 20);

        // The runtime's own check finds it: validating adds nothing to the memory.
        assert_eq!(validate(&chain, at, &txs[0]), 20, "the runtime looked up the same key");

        let again = chain.preverify_signatures(at, txs.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(again, Preverified { batched: 0, known: 20, valid: true });
    }

    /// Validates `tx` at `at` through the runtime; returns how many signatures the node
    /// remembers afterwards.
    fn validate(chain: &Chain, at: Hash, tx: &[u8]) -> usize {
        let xt = sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(tx).unwrap();
        let validity = sp_transaction_pool::runtime_api::TaggedTransactionQueue::validate_transaction(
            &*chain.runtime_api(),
            at,
            sp_runtime::transaction_validity::TransactionSource::External,
            xt,
            at,
        )
        .unwrap();
        assert!(validity.is_ok(), "{validity:?}");
        chain.executor().checked_signatures().len()
    }

    #[test]
    fn mortal_transactions_are_checked_against_their_birth_blocks() {
        use crate::{consensus, consensus::authoring::commit_empty_block_on};
        use ludus_runtime::{RuntimeCall, TxExtension, UncheckedExtrinsic, VERSION};
        use sp_runtime::generic::Era;

        let dir = tempfile::tempdir().unwrap();
        let (chain, keystore) = dev_chain(dir.path());
        let mut parent = chain.expect_header(chain.genesis_hash()).unwrap();
        let slot = *consensus::slot_at(ludus_primitives::now_ms(), 1_000) - 10;
        let mut hashes = vec![parent.hash()];
        for n in 1..=3 {
            parent = commit_empty_block_on(&chain, &keystore, &parent, slot + n);
            hashes.push(parent.hash());
        }
        let genesis = chain.genesis_hash();
        let alice = pair("//Alice");
        // Signed at block `birth` for 64 blocks (or immortal): its payload names that block's
        // hash, which only the chain state after it can tell.
        let signed = |nonce: u32, era: Era, birth_hash: Hash| {
            let mut extension: TxExtension = crate::test_utils::tx_extension(nonce);
            extension.4 = frame_system::CheckEra::from(era);
            let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] });
            let implicit = ((), VERSION.spec_version, VERSION.transaction_version, genesis, birth_hash, (), (), ());
            let payload = SignedPayload::from_raw(call, extension, implicit);
            let signature = payload.using_encoded(|bytes| alice.sign(bytes));
            let (call, extension, _) = payload.deconstruct();
            UncheckedExtrinsic::new_signed(
                call,
                MultiAddress::Id(AccountId::from(alice.public())),
                Signature::from(signature),
                extension,
            )
            .encode()
        };
        let born_at_2 = signed(0, Era::mortal(64, 2), hashes[2]);
        let born_at_1 = signed(1, Era::mortal(64, 1), hashes[1]);
        let immortal = signed(2, Era::Immortal, genesis);
        let also_born_at_2 = signed(3, Era::mortal(64, 2), hashes[2]);

        // One batch, three eras: each payload names its own birth block.
        let batch = [&born_at_2, &born_at_1, &immortal, &also_born_at_2];
        let outcome = chain.preverify_signatures(hashes[3], batch.iter().map(|tx| tx.as_slice())).unwrap();
        assert_eq!(outcome, Preverified { batched: 4, known: 0, valid: true });
        assert_eq!(validate(&chain, hashes[3], &born_at_2), 4, "the runtime found the same payload");
    }

    #[test]
    fn public_keys_are_decompressed_once_and_invalid_ones_are_not_kept() {
        let keys = PublicKeys::default();
        let alice = AccountId::from(pair("//Alice").public());
        let key = keys.get(&alice).unwrap();
        assert_eq!(&key.to_bytes()[..], AsRef::<[u8]>::as_ref(&alice));
        assert_eq!(keys.0.lock().len(), 1);
        assert_eq!(keys.get(&alice), Some(key), "from the cache");
        // Not the encoding of a point: no key, nothing kept.
        assert_eq!(keys.get(&AccountId::from([0xff; 32])), None);
        assert_eq!(keys.0.lock().len(), 1);
    }

    #[test]
    fn one_forged_signature_in_a_batch_notes_none() {
        let dir = tempfile::tempdir().unwrap();
        let (chain, _) = dev_chain(dir.path());
        let mut txs = transfers(&chain, 8);
        // Flip a bit of the last transfer's amount: its signature no longer covers its payload.
        let forged = txs.last_mut().unwrap();
        let at_amount = forged.len() - 3;
        forged[at_amount] ^= 1;
        let outcome = chain.preverify_signatures(chain.genesis_hash(), txs.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(outcome, Preverified { batched: 8, known: 0, valid: false });
        assert!(chain.executor().checked_signatures().is_empty(), "nothing unproven is remembered");
    }
}
