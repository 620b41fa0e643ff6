//! Sync scenarios on the simulated network, each with fixed seeds.

use std::time::{Duration, Instant};

use codec::{DecodeAll, Encode};
use ludus_network::{PeerId, Protocol};
use ludus_primitives::{BlockNumber, Hash, Header};
use sp_runtime::{traits::Header as HeaderT, Digest};
use tokio::sync::mpsc;

use super::*;
use crate::sync::{
    messages::{BlockData, BlockRequest, BlockResponse, Direction, Role, Status},
    planner::ASCEND_DISTANCE,
    serve_blocks, SyncEvent,
};

/// Long enough for a loaded 2-core machine; a passing run takes a fraction of it.
const CONVERGENCE: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn competing_forks_converge_on_the_longest() {
    for seed in [1, 2, 3] {
        let router = Router::new(seed);
        router.set_conditions(0.0, Duration::from_millis(20));
        let slots = Slots::new();
        let (a, b, c) = (SimNode::start(&router, 0), SimNode::start(&router, 1), SimNode::start(&router, 2));

        // Apart, A and B author forks of 3 and 5 blocks on genesis.
        let short_tip = a.author_chain(&slots, 3).header.hash();
        let long_tip = b.author_chain(&slots, 5).header.hash();
        router.connect_all();
        converge(&[&a, &b, &c], Some(long_tip), &router, CONVERGENCE).await;
        assert!(a.chain.header(short_tip).unwrap().is_some(), "seed {seed}: A keeps its fork, no longer best");

        // A builds on the chain it switched to; everyone follows.
        let next = a.author(&slots).header.hash();
        converge(&[&a, &b, &c], Some(next), &router, CONVERGENCE).await;
        assert_eq!(a.best().0, 6, "seed {seed}");
        assert!(router.bans().is_empty(), "seed {seed}: honest forks cost nobody a ban: {:?}", router.bans());
        router.shutdown();
    }
}

/// How a lying peer answers block requests; its status always claims block #1000.
#[derive(Debug, Clone, Copy)]
enum Lie {
    /// No blocks at all.
    Empty,
    /// Bytes that are no response.
    Garbage,
    /// Well-formed blocks, but not the ones asked for.
    WrongBlocks,
    /// The honest chain's blocks with their bodies removed (they fail import).
    Tampered,
}

/// A scripted peer: answers status with a false claim and block requests with `lie`.
async fn liar(mut events: mpsc::Receiver<SyncEvent<SimId>>, honest: Arc<Chain>, lie: Lie) {
    while let Some(event) = events.recv().await {
        let SyncEvent::Request { protocol, data, respond, .. } = event else { continue };
        let answer = match protocol {
            Protocol::Status => Status {
                genesis: honest.genesis_hash(),
                best_number: 1_000,
                best_hash: Hash::repeat_byte(0x66),
                finalized_number: 0,
                finalized_hash: honest.genesis_hash(),
                role: Role::Authority,
            }
            .encode(),
            Protocol::Blocks => {
                let request = BlockRequest::decode_all(&mut &data[..]).expect("engines send valid requests");
                match lie {
                    Lie::Empty => BlockResponse { blocks: Vec::new() }.encode(),
                    Lie::Garbage => vec![0xde, 0xad, 0xbe, 0xef],
                    Lie::WrongBlocks => {
                        let header = Header::new(77, Hash::zero(), Hash::zero(), Hash::zero(), Digest::default());
                        BlockResponse { blocks: vec![BlockData { header, body: Vec::new(), justification: None }] }
                            .encode()
                    }
                    Lie::Tampered => {
                        let mut response = serve_blocks(&honest, &request);
                        for block in &mut response.blocks {
                            block.body.clear();
                        }
                        response.encode()
                    }
                }
            }
        };
        let _ = respond.send(answer);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_peer_is_banned_or_ignored_and_honest_peers_still_serve() {
    for (seed, lie, ban_reason) in [
        (11, Lie::Empty, None),
        (12, Lie::Garbage, Some("undecodable block response")),
        (13, Lie::WrongBlocks, Some("does not answer the request")),
        (14, Lie::Tampered, Some("failed import")),
    ] {
        let router = Router::new(seed);
        router.set_conditions(0.0, Duration::from_millis(10));
        let slots = Slots::new();
        let (honest, fresh) = (SimNode::start(&router, 0), SimNode::start(&router, 1));
        let honest_tip = honest.author_chain(&slots, 6).header.hash();
        let liar_id = peer_id(9);
        let (inbox, events) = mpsc::channel(64);
        router.register(liar_id, inbox);
        tokio::spawn(liar(events, honest.chain.clone(), lie));
        // The liar first, so its claim is the highest the fresh node knows when it plans.
        router.connect(fresh.peer, liar_id);
        router.connect(honest.peer, liar_id);
        tokio::time::sleep(Duration::from_millis(50)).await;
        router.connect(fresh.peer, honest.peer);

        converge(&[&honest, &fresh], Some(honest_tip), &router, CONVERGENCE).await;
        let asked = |by: PeerId| {
            router.requests().iter().any(|r| r.from == by && r.to == liar_id && r.protocol == Protocol::Blocks)
        };
        let deadline = Instant::now() + CONVERGENCE;
        // The honest node asks the liar for blocks above its own #6, which the tampering
        // liar (serving the honest chain) does not have: an empty answer, no ban.
        let honest_reason = if matches!(lie, Lie::Tampered) { None } else { ban_reason };
        let dealt_with = |by: &SimNode, ban_reason: Option<&str>| match ban_reason {
            Some(reason) => {
                router.bans().iter().any(|ban| ban.by == by.peer && ban.peer == liar_id && ban.reason.contains(reason))
            }
            None => {
                asked(by.peer)
                    && by.shared.peer_table().read().get(&liar_id).is_some_and(|claim| claim.best_number <= by.best().0)
            }
        };
        while !(dealt_with(&fresh, ban_reason) && dealt_with(&honest, honest_reason)) {
            assert!(Instant::now() < deadline, "{lie:?}: liar not dealt with; bans {:?}", router.bans());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(asked(fresh.peer), "{lie:?}: the liar's claim was the highest, so it was asked");
        assert!(!fresh.shared.is_major_syncing(), "{lie:?}: the false claim no longer keeps the node syncing");
        assert_eq!(honest.best().1, honest_tip, "{lie:?}: the honest node's chain is untouched");
        assert!(
            router.bans().iter().all(|ban| ban.peer == liar_id),
            "{lie:?}: only the liar is banned: {:?}",
            router.bans()
        );
        router.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_node_ascends_and_does_not_pull_the_others_back() {
    let router = Router::new(21);
    router.set_conditions(0.0, Duration::from_millis(10));
    let slots = Slots::new();
    let (ahead, behind) = (SimNode::start(&router, 0), SimNode::start(&router, 1));
    let lead = ASCEND_DISTANCE as usize * 3;
    let tip = ahead.author_chain(&slots, lead).header.hash();
    router.connect_all();

    converge(&[&ahead, &behind], Some(tip), &router, CONVERGENCE).await;
    let requests = router.requests();
    let downloads: Vec<BlockRequest> = requests
        .iter()
        .filter(|r| r.from == behind.peer && r.protocol == Protocol::Blocks)
        .map(|r| BlockRequest::decode_all(&mut &r.data[..]).unwrap())
        .collect();
    assert_eq!(downloads.first().map(|r| r.direction), Some(Direction::Ascending), "{downloads:?}");
    assert!(
        !requests.iter().any(|r| r.from == ahead.peer && r.protocol == Protocol::Blocks),
        "the node ahead asks the lagging one for nothing"
    );
    assert_eq!(ahead.best(), (lead as BlockNumber, tip), "the node ahead keeps its chain");
    // Counted when the engine hears the import is done, a moment after the chain shows it.
    eventually(|| behind.shared.imported_from_peers() == lead as u64, "every downloaded block counted").await;
    router.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitioned_groups_author_apart_and_converge_when_healed() {
    for seed in [31, 32] {
        let router = Router::new(seed);
        router.set_conditions(0.0, Duration::from_millis(15));
        let slots = Slots::new();
        let nodes: Vec<SimNode> = (0..4).map(|i| SimNode::start(&router, i)).collect();
        let all: Vec<&SimNode> = nodes.iter().collect();
        router.connect_all();
        router.partition(&[&[nodes[0].peer, nodes[1].peer], &[nodes[2].peer, nodes[3].peer]]);

        // One author a side: the others follow by gossip and sync.
        let mut left_tip = Hash::zero();
        let mut right_tip = Hash::zero();
        for round in 0..4 {
            if round < 3 {
                left_tip = nodes[0].author(&slots).header.hash();
            }
            right_tip = nodes[2].author(&slots).header.hash();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        converge(&all[..2], Some(left_tip), &router, CONVERGENCE).await;
        converge(&all[2..], Some(right_tip), &router, CONVERGENCE).await;
        assert_eq!((nodes[0].best().0, nodes[2].best().0), (3, 4), "seed {seed}: each side built its own chain");

        router.heal();
        converge(&all, Some(right_tip), &router, CONVERGENCE).await;
        let next = nodes[1].author(&slots).header.hash();
        converge(&all, Some(next), &router, CONVERGENCE).await;
        assert!(router.bans().is_empty(), "seed {seed}: {:?}", router.bans());
        router.shutdown();
    }
}

/// After a partition heals, the side on the longer fork never hears of the shorter one again:
/// every peer claims the longer fork, and nobody announces the shorter one's blocks. A
/// GRANDPA vote naming the shorter fork's tip makes the node fetch that fork by hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_a_grandpa_vote_names_is_fetched_though_no_peer_claims_it() {
    let router = Router::new(41);
    router.set_conditions(0.0, Duration::from_millis(15));
    let slots = Slots::new();
    let (longer, shorter) = (SimNode::start_observing(&router, 0), SimNode::start(&router, 1));
    let longer_tip = longer.author_chain(&slots, 4).header.hash();
    let shorter_tip = shorter.author_chain(&slots, 3).header;
    router.connect_all();
    converge(&[&longer, &shorter], Some(longer_tip), &router, CONVERGENCE).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        longer.chain.header(shorter_tip.hash()).unwrap(),
        None,
        "nothing leads the longer side to the other fork"
    );

    // Alice (the dev chain's only GRANDPA voter) prevotes the shorter fork's tip.
    let alice: sp_consensus_grandpa::AuthorityId =
        sp_core::ed25519::Pair::from_string("//Alice", None).expect("a dev seed").public().into();
    let prevote = finality_grandpa::Message::Prevote(finality_grandpa::Prevote {
        target_hash: shorter_tip.hash(),
        target_number: *shorter_tip.number(),
    });
    let signed = sp_consensus_grandpa::sign_message(shorter.keystore.clone(), prevote, alice, 1, 0)
        .expect("the dev keystore signs for Alice");
    let vote = ludus_finality::GossipMessage::Vote { round: 1, set_id: 0, message: signed };
    shorter.network.publish(Topic::Grandpa, vote.encode());

    let grandpa = longer.grandpa.as_ref().expect("an observer");
    eventually(|| longer.chain.header(shorter_tip.hash()).unwrap().is_some(), "the voted fork fetched").await;
    eventually(|| grandpa.status().held_messages == 0, "the vote released once its block arrived").await;
    assert_eq!(longer.best().1, longer_tip, "the fetched fork is shorter: the best block stays");
    assert!(router.bans().is_empty(), "{:?}", router.bans());
    router.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_and_delayed_messages_still_converge() {
    for seed in [41, 42, 43] {
        let router = Router::new(seed);
        router.set_conditions(0.3, Duration::from_millis(40));
        let slots = Slots::new();
        let nodes: Vec<SimNode> = (0..3).map(|i| SimNode::start(&router, i)).collect();
        let all: Vec<&SimNode> = nodes.iter().collect();
        router.connect_all();
        for round in 0..9 {
            nodes[round % 3].author(&slots);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }

        // Whatever was lost, a block on the longest chain any node has pulls everyone there.
        router.set_conditions(0.0, Duration::from_millis(40));
        let leader = nodes.iter().max_by_key(|node| node.best().0).unwrap();
        let tip = leader.author(&slots);
        converge(&all, Some(tip.header.hash()), &router, CONVERGENCE).await;
        assert!(router.dropped() > 0, "seed {seed}: the lossy phase lost messages");
        assert!(!router.verdicts().is_empty(), "seed {seed}: announcements were delivered and judged");
        assert!(router.bans().is_empty(), "seed {seed}: loss and delay are nobody's fault: {:?}", router.bans());
        router.shutdown();
    }
}

/// An announcement makes its sender's best the announced block; while that block imports,
/// the planner must not download it again from the sender (it did, for 8 of 10 blocks).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announced_block_is_imported_once_not_downloaded_again() {
    let router = Router::new(51);
    router.set_conditions(0.0, Duration::from_millis(5));
    let slots = Slots::new();
    let (author, follower) = (SimNode::start(&router, 0), SimNode::start(&router, 1));
    router.connect_all();
    eventually(|| follower.shared.peer_count() == 1, "the status exchange").await;
    let blocks = |router: &Router| router.requests().iter().filter(|r| r.protocol == Protocol::Blocks).count();
    let before = blocks(&router);
    for _ in 0..10 {
        let hash = author.author(&slots).header.hash();
        eventually(|| follower.best().1 == hash, "the announced block imported").await;
    }
    assert_eq!(blocks(&router) - before, 0, "block requests while 10 announced blocks imported");
    assert_eq!(follower.shared.imported_from_peers(), 0, "nothing downloaded");
    router.shutdown();
}
