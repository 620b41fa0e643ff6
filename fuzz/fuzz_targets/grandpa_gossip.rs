//! GRANDPA messages from peers into a fresh observer (or voter) over an in-memory chain of
//! nine blocks (a set change in block 4), a three-block fork and one block not yet imported:
//! raw gossip bytes, raw justifications (the sync path), and votes, commits and
//! justifications the harness signs with the set's keys from a fuzzed description, so inputs
//! get past the signature checks into rounds, holding and finalization.
//!
//! Never panics, and never finalizes backwards or off the finalized chain (the chain asserts).
#![no_main]

use arbitrary::Arbitrary;
use codec::Encode;
use finality_grandpa::{Message, Precommit, Prevote, PrimaryPropose, SignedMessage, SignedPrecommit};
use libfuzzer_sys::fuzz_target;
use ludus_finality::{GossipMessage, Grandpa, GrandpaConfig, GrandpaJustification};
use ludus_fuzz::grandpa::{MemoryChain, BLOCKS, KEYS};
use ludus_primitives::{BlockNumber, Hash, Header};
use sp_consensus_grandpa::{AuthorityId, AuthoritySignature};
use sp_core::{crypto::key_types::GRANDPA, Pair};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystorePtr};
use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

#[derive(Arbitrary, Debug)]
enum Step {
    /// Bytes as a peer gossips them.
    Gossip(Vec<u8>),
    /// Bytes as a peer sends a justification for block `block`.
    Justification { block: u8, bytes: Vec<u8> },
    /// A vote signed by `signer`.
    Vote { round: u8, set_id: u8, kind: u8, block: u8, signer: u8, bad_signature: bool, rebroadcast: Option<u64> },
    /// A commit for `block` with precommits by `signers` for the blocks they name.
    Commit { round: u8, set_id: u8, block: u8, precommits: Vec<(u8, u8)>, as_justification: bool },
    /// The node imported the block GRANDPA had not seen.
    ImportMissing,
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Whether the node holds Alice's key (a voter) or none (an observer).
    voter: bool,
    steps: Vec<Step>,
}

fn block(index: u8) -> &'static Header {
    let all = &BLOCKS.all;
    &all[usize::from(index) % all.len()]
}

fn signer(index: u8) -> &'static sp_core::ed25519::Pair {
    &KEYS[usize::from(index) % KEYS.len()]
}

fn sign(
    pair: &sp_core::ed25519::Pair,
    message: &Message<Hash, BlockNumber>,
    round: u64,
    set_id: u64,
    bad: bool,
) -> AuthoritySignature {
    let payload = sp_consensus_grandpa::localized_payload(round, set_id, message);
    let mut signature = pair.sign(&payload);
    if bad {
        signature.0[0] ^= 1;
    }
    signature.into()
}

/// Alice's GRANDPA key, stored as its raw seed: the memory keystore derives a key from its
/// secret URI on every lookup, and `//Alice` means PBKDF2, which costs more than a whole input.
static ALICE_KEYSTORE: LazyLock<KeystorePtr> = LazyLock::new(|| {
    let keystore = MemoryKeystore::new();
    let seed: String = KEYS[0].seed().iter().map(|byte| format!("{byte:02x}")).collect();
    keystore.ed25519_generate_new(GRANDPA, Some(&format!("0x{seed}"))).expect("the memory keystore stores keys");
    Arc::new(keystore)
});

fn run(input: Input) {
    // The voter state is written durably (fsync) at start: on tmpfs that costs nothing.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() };
    let dir = dir.expect("a temporary directory");
    let chain = Arc::new(MemoryChain::new());
    let keystore = input.voter.then(|| ALICE_KEYSTORE.clone());
    let config = GrandpaConfig {
        keystore,
        state_dir: dir.path().to_path_buf(),
        gossip_duration: Duration::from_millis(50),
        name: "fuzz".into(),
    };
    let Ok((grandpa, _gossip, _worker)) = Grandpa::<u8>::start(chain.clone(), config) else {
        panic!("GRANDPA starts on a fresh state directory")
    };
    for step in input.steps.into_iter().take(32) {
        match step {
            Step::Gossip(bytes) => drop(grandpa.on_gossip(&0, &bytes)),
            Step::Justification { block: index, bytes } => {
                let header = block(index);
                let _ = grandpa.import_justification(header.hash(), header.number, &bytes);
            }
            Step::Vote { round, set_id, kind, block: index, signer: who, bad_signature, rebroadcast } => {
                let header = block(index);
                let (round, set_id) = (u64::from(round % 4), u64::from(set_id % 3));
                let (target_hash, target_number) = (header.hash(), header.number);
                let message = match kind % 3 {
                    0 => Message::Prevote(Prevote { target_hash, target_number }),
                    1 => Message::Precommit(Precommit { target_hash, target_number }),
                    _ => Message::PrimaryPropose(PrimaryPropose { target_hash, target_number }),
                };
                let pair = signer(who);
                let signature = sign(pair, &message, round, set_id, bad_signature);
                let message = SignedMessage { message, signature, id: AuthorityId::from(pair.public()) };
                let gossip = match rebroadcast {
                    Some(at) => GossipMessage::Rebroadcast { at, round, set_id, message },
                    None => GossipMessage::Vote { round, set_id, message },
                };
                let _ = grandpa.on_gossip(&1, &gossip.encode());
            }
            Step::Commit { round, set_id, block: index, precommits, as_justification } => {
                let target = block(index);
                let (round, set_id) = (u64::from(round % 4), u64::from(set_id % 3));
                let precommits: Vec<_> = precommits
                    .into_iter()
                    .take(8)
                    .map(|(who, index)| {
                        let header = block(index);
                        let precommit = Precommit { target_hash: header.hash(), target_number: header.number };
                        let pair = signer(who);
                        let signature = sign(pair, &Message::Precommit(precommit.clone()), round, set_id, false);
                        SignedPrecommit { precommit, signature, id: AuthorityId::from(pair.public()) }
                    })
                    .collect();
                let commit =
                    finality_grandpa::Commit { target_hash: target.hash(), target_number: target.number, precommits };
                if as_justification {
                    let votes_ancestries = ancestries(target, &commit.precommits);
                    let justification = GrandpaJustification { round, commit, votes_ancestries };
                    let _ = grandpa.import_justification(target.hash(), target.number, &justification.encode());
                } else {
                    let commit = finality_grandpa::CompactCommit::from(commit);
                    let _ = grandpa.on_gossip(&2, &GossipMessage::Commit { round, set_id, commit }.encode());
                }
            }
            Step::ImportMissing => {
                let Some(missing) = BLOCKS.all.last() else { continue };
                chain.insert(missing);
                grandpa.on_block_imported(missing);
            }
        }
    }
    let _ = grandpa.status();
}

/// The headers between each precommit's target and the commit target, as a justification
/// carries them.
fn ancestries(
    target: &Header,
    precommits: &[SignedPrecommit<Hash, BlockNumber, AuthoritySignature, AuthorityId>],
) -> Vec<Header> {
    let mut headers: Vec<Header> = Vec::new();
    for signed in precommits {
        let mut current = BLOCKS.all.iter().find(|h| h.hash() == signed.precommit.target_hash);
        while let Some(header) = current {
            if header.hash() == target.hash() || header.number <= target.number {
                break;
            }
            if !headers.contains(header) {
                headers.push(header.clone());
            }
            current = BLOCKS.all.iter().find(|h| h.hash() == header.parent_hash);
        }
    }
    headers
}

fuzz_target!(|input: Input| run(input));
