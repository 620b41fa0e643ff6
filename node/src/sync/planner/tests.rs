//! The planner driven by hand-made chains and peers: no database, no network.

use std::{collections::HashSet, time::Duration};

use codec::Encode;
use ludus_primitives::Header;
use sp_runtime::Digest;

use super::*;
use crate::sync::peers::PEER_BACKOFF;

/// A chain we pretend to have: its head and the blocks it holds.
struct FakeChain {
    head: ChainHead,
    known: HashSet<Hash>,
}

impl ChainView for FakeChain {
    fn head(&self) -> ChainHead {
        self.head
    }

    fn has_block(&self, hash: &Hash) -> bool {
        self.known.contains(hash)
    }
}

impl FakeChain {
    /// Genesis plus `blocks`, with the last one best and `#finalized` final.
    fn with(genesis: Hash, blocks: &[BlockData], finalized: BlockNumber) -> Self {
        let mut known: HashSet<Hash> = blocks.iter().map(|b| b.header.hash()).collect();
        known.insert(genesis);
        let (best_number, best_hash) = blocks.last().map_or((0, genesis), |b| (*b.header.number(), b.header.hash()));
        Self { head: ChainHead { best_number, best_hash, finalized_number: finalized }, known }
    }
}

fn genesis() -> Hash {
    Hash::repeat_byte(0xee)
}

/// `count` linked blocks on `parent` (numbered from `parent_number + 1`); `fork` tells
/// branches apart.
fn blocks_on(parent: Hash, parent_number: BlockNumber, count: u32, fork: u8) -> Vec<BlockData> {
    let mut parent = parent;
    (1..=count)
        .map(|i| {
            let header =
                Header::new(parent_number + i, Hash::zero(), Hash::repeat_byte(fork), parent, Digest::default());
            parent = header.hash();
            BlockData { header, body: Vec::new(), justification: None }
        })
        .collect()
}

fn tip(blocks: &[BlockData]) -> (BlockNumber, Hash) {
    let last = blocks.last().unwrap();
    (*last.header.number(), last.header.hash())
}

/// The encoded response of `blocks` in the order given.
fn response(blocks: &[BlockData]) -> Vec<u8> {
    BlockResponse { blocks: blocks.to_vec() }.encode()
}

/// `blocks` highest first, as a descending walk returns them.
fn descending(blocks: &[BlockData]) -> Vec<BlockData> {
    blocks.iter().rev().cloned().collect()
}

fn numbers(action: &Action) -> Vec<BlockNumber> {
    match action {
        Action::Import { blocks, .. } => blocks.iter().map(|b| *b.header.number()).collect(),
        other => panic!("expected an import, got {other:?}"),
    }
}

fn peers_claiming(claims: &[(PeerId, (BlockNumber, Hash))]) -> PeerTable {
    let mut peers = PeerTable::default();
    for (peer, (number, hash)) in claims {
        peers.note_best(*peer, *number, *hash);
    }
    peers
}

#[test]
fn a_fork_is_found_by_walking_back_from_the_peers_head() {
    let common = blocks_on(genesis(), 0, 1, 1);
    let ours = [common.clone(), blocks_on(common[0].header.hash(), 1, 2, 1)].concat();
    let theirs = blocks_on(common[0].header.hash(), 1, 5, 2);
    let chain = FakeChain::with(genesis(), &ours, 0);
    let peer = PeerId::random();
    let peers = peers_claiming(&[(peer, tip(&theirs))]);
    let now = Instant::now();
    let mut planner = Planner::default();

    let (to, first) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(to, peer);
    assert_eq!(
        first,
        BlockRequest { from: messages::From::Hash(tip(&theirs).1), direction: Direction::Descending, max: 6 }
    );
    assert_eq!(planner.next_request(&chain, &peers, now), None, "one request at a time");

    // A partial answer (#6..#4): the walk goes on from #4's parent.
    let top = descending(&theirs[2..]);
    assert_eq!(planner.on_response(&chain, peer, &first, Ok(&response(&top))), Action::Nothing);
    let (_, second) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(
        second,
        BlockRequest { from: messages::From::Hash(theirs[1].header.hash()), direction: Direction::Descending, max: 3 }
    );

    // #3, #2: #2's parent is our #1, so the whole fork imports, lowest first.
    let rest = descending(&theirs[..2]);
    let action = planner.on_response(&chain, peer, &second, Ok(&response(&rest)));
    assert_eq!(numbers(&action), [2, 3, 4, 5, 6]);
    assert_eq!(planner.imports_pending(), 1);
    assert_eq!(planner.next_request(&chain, &peers, now), None, "nothing new while the fork imports");
    planner.on_imported();
    assert!(planner.next_request(&chain, &peers, now).is_some(), "the chain did not change: ask again");
}

#[test]
fn far_behind_it_ascends_and_restarts_from_finality_when_off_the_peers_chain() {
    let theirs = blocks_on(genesis(), 0, 20, 1);
    let peer = PeerId::random();
    let peers = peers_claiming(&[(peer, tip(&theirs))]);
    let now = Instant::now();

    // Our best (#2) is on the peer's chain: one ascending request from #3 does it.
    let chain = FakeChain::with(genesis(), &theirs[..2], 1);
    let mut planner = Planner::default();
    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(request, BlockRequest { from: messages::From::Number(3), direction: Direction::Ascending, max: 128 });
    let action = planner.on_response(&chain, peer, &request, Ok(&response(&theirs[2..])));
    assert_eq!(numbers(&action), (3..=20).collect::<Vec<_>>());

    // Our best (#2) is on a fork of our own after the finalized #1: the answer from #3 does
    // not connect, so the planner asks again from #2, just above finality.
    let ours = [theirs[..1].to_vec(), blocks_on(theirs[0].header.hash(), 1, 1, 9)].concat();
    let chain = FakeChain::with(genesis(), &ours, 1);
    let mut planner = Planner::default();
    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(planner.on_response(&chain, peer, &request, Ok(&response(&theirs[2..]))), Action::Nothing);
    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(request, BlockRequest { from: messages::From::Number(2), direction: Direction::Ascending, max: 128 });
    let action = planner.on_response(&chain, peer, &request, Ok(&response(&theirs[1..])));
    assert_eq!(numbers(&action), (2..=20).collect::<Vec<_>>());

    // Had that answer not connected either, the peer's chain would lack our finalized block.
    let mut planner = Planner::default();
    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    planner.on_response(&chain, peer, &request, Ok(&response(&theirs[2..])));
    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    let elsewhere = blocks_on(Hash::repeat_byte(5), 1, 3, 7);
    assert!(matches!(
        planner.on_response(&chain, peer, &request, Ok(&response(&elsewhere))),
        Action::Ban { reason, .. } if reason.contains("does not contain our finalized block")
    ));
}

#[test]
fn an_empty_answer_drops_the_claim_so_the_liar_no_longer_counts() {
    let ours = blocks_on(genesis(), 0, 3, 1);
    let chain = FakeChain::with(genesis(), &ours, 0);
    let liar = PeerId::random();
    let mut peers = peers_claiming(&[(liar, (1_000, Hash::repeat_byte(0x66)))]);
    let now = Instant::now();
    let mut planner = Planner::default();

    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    let action = planner.on_response(&chain, liar, &request, Ok(&response(&[])));
    let (best_number, best_hash) = tip(&ours);
    assert_eq!(action, Action::DropClaim { peer: liar, best_number, best_hash });

    peers.drop_claim(&liar, best_number, best_hash);
    assert_eq!(peers.highest_claim(), Some(3));
    assert_eq!(planner.next_request(&chain, &peers, now + PEER_BACKOFF), None, "its claim is ours now");
}

#[test]
fn an_answer_to_another_question_or_garbage_bans() {
    let theirs = blocks_on(genesis(), 0, 6, 1);
    let chain = FakeChain::with(genesis(), &[], 0);
    let peer = PeerId::random();
    let peers = peers_claiming(&[(peer, tip(&theirs))]);
    let now = Instant::now();
    let mut planner = Planner::default();

    // Asked for #6 downwards, it sends #1 upwards.
    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(request.direction, Direction::Descending);
    let action = planner.on_response(&chain, peer, &request, Ok(&response(&theirs)));
    assert!(
        matches!(&action, Action::Ban { reason, .. } if reason.contains("does not answer the request")),
        "{action:?}"
    );

    let (_, request) = planner.next_request(&chain, &peers, now).unwrap();
    let action = planner.on_response(&chain, peer, &request, Ok(&[0xff, 0x01, 0x02]));
    assert!(
        matches!(&action, Action::Ban { reason, .. } if reason.contains("undecodable block response")),
        "{action:?}"
    );
}

#[test]
fn a_fork_below_our_finalized_block_bans() {
    let ours = blocks_on(genesis(), 0, 3, 1);
    let chain = FakeChain::with(genesis(), &ours, 3);
    // A longer chain from genesis that does not contain our finalized #3.
    let theirs = blocks_on(genesis(), 0, 5, 2);
    let peer = PeerId::random();
    let peers = peers_claiming(&[(peer, tip(&theirs))]);
    let mut planner = Planner::default();

    let (_, request) = planner.next_request(&chain, &peers, Instant::now()).unwrap();
    assert_eq!(request.max, 2, "only blocks above our finalized one are asked for");
    let action = planner.on_response(&chain, peer, &request, Ok(&response(&descending(&theirs[3..]))));
    assert!(
        matches!(&action, Action::Ban { reason, .. } if reason.contains("does not contain our finalized block")),
        "{action:?}"
    );
}

#[test]
fn a_peer_that_failed_is_left_alone_for_the_back_off() {
    let theirs = blocks_on(genesis(), 0, 4, 1);
    let chain = FakeChain::with(genesis(), &[], 0);
    let (flaky, lower) = (PeerId::random(), PeerId::random());
    let mut peers = peers_claiming(&[(flaky, tip(&theirs)), (lower, tip(&theirs[..3]))]);
    let now = Instant::now();
    let mut planner = Planner::default();

    let (to, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(to, flaky, "the highest claim goes first");
    assert_eq!(planner.on_response(&chain, flaky, &request, Err("timed out".into())), Action::BackOff { peer: flaky });
    peers.back_off(&flaky, now);

    let (to, _) = planner.next_request(&chain, &peers, now + Duration::from_secs(1)).unwrap();
    assert_eq!(to, lower, "the backed-off peer is skipped");
    planner.on_peer_disconnected(&lower);
    peers.remove(&lower);
    assert_eq!(planner.next_request(&chain, &peers, now + Duration::from_secs(1)), None);
    let (to, _) = planner.next_request(&chain, &peers, now + PEER_BACKOFF).unwrap();
    assert_eq!(to, flaky, "asked again once its back-off is over");
}

/// After a partition: we are on the longer fork, every peer claims it, and a GRANDPA vote
/// names the tip of the shorter one.
struct Healed {
    chain: FakeChain,
    shorter: Vec<BlockData>,
    peers: PeerTable,
    ids: Vec<PeerId>,
}

fn healed() -> Healed {
    let common = blocks_on(genesis(), 0, 2, 1);
    let longer = blocks_on(common[1].header.hash(), 2, 4, 1);
    let shorter = blocks_on(common[1].header.hash(), 2, 3, 2);
    let chain = FakeChain::with(genesis(), &[common, longer.clone()].concat(), 2);
    let mut ids = vec![PeerId::random(), PeerId::random()];
    ids.sort();
    let peers = peers_claiming(&[(ids[0], tip(&longer)), (ids[1], tip(&longer))]);
    Healed { chain, shorter, peers, ids }
}

#[test]
fn a_wanted_block_no_claim_leads_to_is_fetched_by_hash_and_its_fork_imported() {
    let Healed { chain, shorter, peers, ids } = healed();
    let now = Instant::now();
    let mut planner = Planner::default();
    assert_eq!(planner.next_request(&chain, &peers, now), None, "no claim to follow, nothing wanted");

    let (number, hash) = tip(&shorter);
    planner.want(vec![(hash, number)], None);
    let (to, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(to, ids[0]);
    // From the wanted block down to just above our finalized #2.
    assert_eq!(request, BlockRequest { from: messages::From::Hash(hash), direction: Direction::Descending, max: 3 });
    assert_eq!(planner.next_request(&chain, &peers, now), None, "one request at a time");

    // Half the walk, then the rest from the same peer, then the whole fork imports.
    let top = descending(&shorter[1..]);
    assert_eq!(planner.on_response(&chain, to, &request, Ok(&response(&top))), Action::Nothing);
    let (again, second) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(again, to, "the walk goes on with the peer that started it");
    assert_eq!(
        second,
        BlockRequest { from: messages::From::Hash(shorter[0].header.hash()), direction: Direction::Descending, max: 1 }
    );
    let action = planner.on_response(&chain, to, &second, Ok(&response(&shorter[..1])));
    assert_eq!(numbers(&action), [3, 4, 5]);
    planner.on_imported();

    // Known now, or below our finalized block: nothing to fetch.
    let mut known = chain;
    known.known.extend(shorter.iter().map(|b| b.header.hash()));
    assert_eq!(planner.next_request(&known, &peers, now), None);
    planner.want(vec![(Hash::repeat_byte(0x42), 2)], None);
    assert_eq!(planner.next_request(&known, &peers, now), None, "#2 is final: a block there is of no use");
}

#[test]
fn a_peer_without_the_wanted_block_is_not_blamed_and_asked_again_only_later() {
    let Healed { chain, shorter, peers, ids } = healed();
    let now = Instant::now();
    let mut planner = Planner::default();
    let (number, hash) = tip(&shorter);
    planner.want(vec![(hash, number)], None);

    let (first, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(
        planner.on_response(&chain, first, &request, Ok(&response(&[]))),
        Action::Nothing,
        "no ban, no back-off"
    );
    let (second, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!((first, second), (ids[0], ids[1]), "the next peer is asked");
    assert_eq!(
        planner.on_response(&chain, second, &request, Err("timed out".into())),
        Action::BackOff { peer: second }
    );
    assert_eq!(planner.next_request(&chain, &peers, now), None, "every peer was asked");
    let (to, _) = planner.next_request(&chain, &peers, now + WANTED_RETRY).unwrap();
    assert_eq!(to, ids[0], "asked again after the retry delay");

    // A claim to follow comes first, and abandons the wanted block's walk.
    let mut planner = Planner::default();
    planner.want(vec![(hash, number)], None);
    let (to, request) = planner.next_request(&chain, &peers, now).unwrap();
    planner.on_response(&chain, to, &request, Ok(&response(&descending(&shorter[1..]))));
    let ahead = blocks_on(chain.head.best_hash, chain.head.best_number, 1, 1);
    let mut peers = peers;
    peers.note_best(ids[1], tip(&ahead).0, tip(&ahead).1);
    let (to, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(to, ids[1]);
    assert_eq!(request.from, messages::From::Hash(tip(&ahead).1));
}

#[test]
fn a_wanted_block_off_our_finalized_chain_is_dropped_without_a_ban() {
    let Healed { chain, peers, .. } = healed();
    // A fork from genesis, below our finalized #2.
    let stale = blocks_on(genesis(), 0, 4, 3);
    let (number, hash) = tip(&stale);
    let now = Instant::now();
    let mut planner = Planner::default();
    planner.want(vec![(hash, number)], None);
    let (to, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(request.max, 2);
    let action = planner.on_response(&chain, to, &request, Ok(&response(&descending(&stale[2..]))));
    assert_eq!(action, Action::Nothing);
    let (other, _) = planner.next_request(&chain, &peers, now).unwrap();
    assert_ne!(other, to, "that peer is not asked for it again before the retry delay");
}

#[test]
fn a_wanted_justification_is_asked_for_as_one_block_until_a_peer_sends_it_with_one() {
    let Healed { chain, peers, ids, .. } = healed();
    // Our #4 enacts a set change, and the commit finalizing it never reached us.
    let ours = blocks_on(genesis(), 0, 6, 1);
    let chain = FakeChain::with(genesis(), &ours, chain.head.finalized_number);
    let change = ours[3].clone();
    let now = Instant::now();
    let mut planner = Planner::default();
    planner.want(vec![(Hash::repeat_byte(0x42), 5)], Some((change.header.hash(), 4)));

    let (first, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!(first, ids[0]);
    assert_eq!(
        request,
        BlockRequest { from: messages::From::Hash(change.header.hash()), direction: Direction::Descending, max: 1 },
        "the justification comes first, and with its one block"
    );
    // This peer has the block but has not finalized it either: the next peer is asked.
    let action = planner.on_response(&chain, first, &request, Ok(&response(&[change.clone()])));
    assert_eq!(action, Action::Nothing);
    let (second, request) = planner.next_request(&chain, &peers, now).unwrap();
    assert_eq!((second, request.max), (ids[1], 1));
    let justified = BlockData { justification: Some(b"a justification".to_vec()), ..change.clone() };
    let action = planner.on_response(&chain, second, &request, Ok(&response(&[justified.clone()])));
    assert_eq!(action, Action::Import { peer: second, blocks: vec![justified] }, "imported for its justification");
    planner.on_imported();

    // Final by now, or not ours: not asked for.
    let mut finalized = FakeChain::with(genesis(), &ours, 4);
    planner.want(Vec::new(), Some((change.header.hash(), 4)));
    assert_eq!(planner.next_request(&finalized, &peers, now + WANTED_RETRY), None);
    finalized.head.finalized_number = 2;
    finalized.known.remove(&change.header.hash());
    assert_eq!(planner.next_request(&finalized, &peers, now + WANTED_RETRY), None);
}
