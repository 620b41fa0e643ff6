//! Voters wired together through the real `on_gossip` and gossip channels by a small in-test
//! router, over an in-memory header tree standing in for the node's database.

use crate::*;
use codec::{Decode, Encode};
use finality_grandpa::Message;
use futures::StreamExt;
use parking_lot::Mutex;
use sp_consensus_grandpa::{AuthorityId, AuthorityList, ConsensusLog, ScheduledChange, GRANDPA_ENGINE_ID};
use sp_core::{crypto::key_types::GRANDPA, ed25519, Pair};
use sp_keystore::{testing::MemoryKeystore, Keystore};
use sp_runtime::{traits::Header as _, Digest, DigestItem};
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    time::{Duration, Instant},
};

// ------------------------------------------------------------------ the chain (the node's part)

struct TestChain {
    headers: Mutex<HashMap<Hash, Header>>,
    finalized: Mutex<(Hash, BlockNumber)>,
    justifications: Mutex<HashMap<Hash, Vec<u8>>>,
    authorities: AuthorityList,
}

impl TestChain {
    fn new(genesis: &Header, authorities: AuthorityList) -> Arc<Self> {
        Arc::new(Self {
            headers: Mutex::new(HashMap::from([(genesis.hash(), genesis.clone())])),
            finalized: Mutex::new((genesis.hash(), 0)),
            justifications: Mutex::new(HashMap::new()),
            authorities,
        })
    }

    fn insert(&self, header: &Header) {
        self.headers.lock().insert(header.hash(), header.clone());
    }

    fn descends(&self, base: &Hash, header: &Header) -> bool {
        let headers = self.headers.lock();
        let mut current = header.clone();
        loop {
            if current.hash() == *base {
                return true;
            }
            match headers.get(&current.parent_hash) {
                Some(parent) => current = parent.clone(),
                None => return false,
            }
        }
    }

    fn finalized_number(&self) -> BlockNumber {
        self.finalized.lock().1
    }

    fn justification(&self, hash: &Hash) -> Option<Vec<u8>> {
        self.justifications.lock().get(hash).cloned()
    }
}

impl FinalityChain for TestChain {
    fn header(&self, hash: &Hash) -> Result<Option<Header>, ChainAccessError> {
        Ok(self.headers.lock().get(hash).cloned())
    }
    fn finalized(&self) -> (Hash, BlockNumber) {
        *self.finalized.lock()
    }
    fn best(&self) -> Header {
        let finalized = self.finalized().0;
        self.best_descendant_of(&finalized).ok().flatten().expect("finalized block is known")
    }
    fn best_descendant_of(&self, base: &Hash) -> Result<Option<Header>, ChainAccessError> {
        if !self.headers.lock().contains_key(base) {
            return Ok(None);
        }
        let all: Vec<Header> = self.headers.lock().values().cloned().collect();
        Ok(all.into_iter().filter(|h| self.descends(base, h)).max_by_key(|h| (h.number, h.hash())))
    }
    fn finalize(&self, hash: Hash, justification: Vec<u8>) -> Result<(), ChainAccessError> {
        let header = self.header(&hash)?.ok_or_else(|| ChainAccessError::Missing(format!("block {hash:?}")))?;
        *self.finalized.lock() = (hash, header.number);
        self.justifications.lock().insert(hash, justification);
        Ok(())
    }
    fn genesis_authorities(&self) -> Result<AuthorityList, ChainAccessError> {
        Ok(self.authorities.clone())
    }
}

fn genesis() -> Header {
    Header::new(0, Default::default(), Default::default(), Default::default(), Default::default())
}

/// `len` blocks on top of `from` whose headers carry `mark`, so that forks built from one
/// parent with different marks differ.
fn build_fork(from: &Header, len: u32, mark: &[u8]) -> Vec<Header> {
    let mut headers = Vec::new();
    let mut parent = from.clone();
    for _ in 0..len {
        let digest = Digest { logs: vec![DigestItem::Other(mark.to_vec())] };
        let header = Header::new(parent.number + 1, Default::default(), Default::default(), parent.hash(), digest);
        headers.push(header.clone());
        parent = header;
    }
    headers
}

/// A chain of `len` blocks on top of genesis; `change` puts a ScheduledChange in block `.0`.
fn build_chain(from: &Header, len: u32, change: Option<(BlockNumber, AuthorityList)>) -> Vec<Header> {
    let mut headers = Vec::new();
    let mut parent = from.clone();
    for _ in 0..len {
        let number = parent.number + 1;
        let mut digest = Digest::default();
        if let Some((at, next)) = &change {
            if *at == number {
                let log =
                    ConsensusLog::ScheduledChange(ScheduledChange { next_authorities: next.clone(), delay: 0u32 });
                digest.push(DigestItem::Consensus(GRANDPA_ENGINE_ID, log.encode()));
            }
        }
        let header = Header::new(number, Default::default(), Default::default(), parent.hash(), digest);
        headers.push(header.clone());
        parent = header;
    }
    headers
}

fn seed(name: &str, set: u32) -> String {
    format!("//{name}//set{set}")
}

fn authority(name: &str, set: u32) -> AuthorityId {
    AuthorityId::from(ed25519::Pair::from_string(&seed(name, set), None).unwrap().public())
}

fn authorities(names: &[&str], set: u32) -> AuthorityList {
    names.iter().map(|n| (authority(n, set), 1)).collect()
}

const NAMES: [&str; 4] = ["alice", "bob", "charlie", "dave"];

// ------------------------------------------------------------------ the network

type Outgoing = Arc<Mutex<Vec<(u32, Vec<u8>)>>>;

struct Net {
    nodes: Arc<Mutex<BTreeMap<u32, Grandpa<u32>>>>,
    sent: Outgoing,
    /// Each node's side of a partition (side 0 if unnamed): messages reach only its side.
    sides: Arc<Mutex<HashMap<u32, u8>>>,
}

struct Node {
    id: u32,
    chain: Arc<TestChain>,
    dir: tempfile::TempDir,
    keystore: Option<Arc<MemoryKeystore>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Net {
    fn new() -> Self {
        Self {
            nodes: Arc::new(Mutex::new(BTreeMap::new())),
            sent: Arc::new(Mutex::new(Vec::new())),
            sides: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Splits the network: `side` cannot hear the others, nor they it, until [`Net::heal`].
    fn partition(&self, side: &[u32]) {
        self.sides.lock().extend(side.iter().map(|id| (*id, 1)));
    }

    fn heal(&self) {
        self.sides.lock().clear();
    }

    /// Starts (or restarts) `node` and connects it to everyone.
    fn start(&self, node: &mut Node) -> Grandpa<u32> {
        let config = GrandpaConfig {
            keystore: node.keystore.clone().map(|k| k as KeystorePtr),
            state_dir: node.dir.path().to_path_buf(),
            gossip_duration: Duration::from_millis(50),
            name: format!("node{}", node.id),
        };
        let (grandpa, mut gossip_rx, worker) = Grandpa::<u32>::start(node.chain.clone(), config).unwrap();
        let nodes = self.nodes.clone();
        let sent = self.sent.clone();
        let sides = self.sides.clone();
        let id = node.id;
        let router = tokio::spawn(async move {
            while let Some(bytes) = gossip_rx.next().await {
                sent.lock().push((id, bytes.clone()));
                let side = |node: u32| sides.lock().get(&node).copied().unwrap_or(0);
                let peers: Vec<Grandpa<u32>> = nodes
                    .lock()
                    .iter()
                    .filter(|(peer, _)| **peer != id && side(**peer) == side(id))
                    .map(|(_, g)| g.clone())
                    .collect();
                for peer in peers {
                    peer.on_gossip(&id, &bytes);
                }
            }
        });
        node.tasks = vec![tokio::spawn(worker), router];
        self.nodes.lock().insert(node.id, grandpa.clone());
        grandpa
    }

    fn stop(&self, node: &mut Node) {
        self.nodes.lock().remove(&node.id);
        for task in node.tasks.drain(..) {
            task.abort();
        }
    }
}

fn node(id: u32, keys: &[String], genesis: &Header, authorities: AuthorityList) -> Node {
    let keystore = (!keys.is_empty()).then(|| {
        let keystore = MemoryKeystore::new();
        for key in keys {
            keystore.ed25519_generate_new(GRANDPA, Some(key)).unwrap();
        }
        Arc::new(keystore)
    });
    Node {
        id,
        chain: TestChain::new(genesis, authorities),
        dir: tempfile::tempdir().unwrap(),
        keystore,
        tasks: Vec::new(),
    }
}

fn import(node: &Node, grandpa: Option<&Grandpa<u32>>, headers: &[Header]) {
    for header in headers {
        node.chain.insert(header);
        if let Some(g) = grandpa {
            g.on_block_imported(header);
        }
    }
}

async fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn observer(genesis: &Header, authorities: AuthorityList, headers: &[Header]) -> (Node, Grandpa<u32>) {
    let n = node(99, &[], genesis, authorities);
    import(&n, None, headers);
    let config = GrandpaConfig {
        keystore: None,
        state_dir: n.dir.path().to_path_buf(),
        gossip_duration: Duration::from_millis(50),
        name: "observer".into(),
    };
    let (g, _rx, _worker) = Grandpa::<u32>::start(n.chain.clone(), config).unwrap();
    (n, g)
}

fn resign(j: &mut GrandpaJustification, set_id: u64, names: &[&str], set: u32) {
    for signed in &mut j.commit.precommits {
        let name = names.iter().find(|n| authority(n, set) == signed.id).unwrap();
        let pair = ed25519::Pair::from_string(&seed(name, set), None).unwrap();
        let payload = sp_consensus_grandpa::localized_payload(
            j.round,
            set_id,
            &Message::<Hash, BlockNumber>::Precommit(signed.precommit.clone()),
        );
        signed.signature = pair.sign(&payload).into();
    }
}

// ------------------------------------------------------------------ tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_voters_finalize_the_tip_and_the_justification_verifies() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let headers = build_chain(&genesis, 20, None);
    let net = Net::new();
    let mut nodes: Vec<Node> = (0..4).map(|i| node(i, &[seed(NAMES[i as usize], 0)], &genesis, set0.clone())).collect();
    for n in &mut nodes {
        import(n, None, &headers);
        let g = net.start(n);
        assert!(g.status().voting);
    }
    wait_for("all four to finalize #20", Duration::from_secs(30), || {
        nodes.iter().all(|n| n.chain.finalized_number() == 20)
    })
    .await;
    let tip = headers[19].hash();
    let bytes = nodes[0].chain.justification(&tip).expect("justification stored for the finalized block");

    let (obs, g) = observer(&genesis, set0.clone(), &headers);
    assert_eq!(g.import_justification(tip, 20, &bytes), Ok(()));
    assert_eq!(obs.chain.finalized(), (tip, 20));

    let original = GrandpaJustification::decode(&mut &bytes[..]).unwrap();

    let mut flipped = original.clone();
    let mut sig = flipped.commit.precommits[0].signature.encode();
    sig[5] ^= 1;
    flipped.commit.precommits[0].signature = Decode::decode(&mut &sig[..]).unwrap();
    let (_o, g) = observer(&genesis, set0.clone(), &headers);
    assert!(matches!(g.import_justification(tip, 20, &flipped.encode()), Err(JustificationError::BadSignature(_))));

    let mut thin = original.clone();
    thin.commit.precommits.truncate(2);
    let (_o, g) = observer(&genesis, set0.clone(), &headers);
    assert_eq!(g.import_justification(tip, 20, &thin.encode()), Err(JustificationError::BelowThreshold));

    let mut other_set = original.clone();
    resign(&mut other_set, 1, &NAMES, 0);
    let (o, g) = observer(&genesis, set0.clone(), &headers);
    assert_eq!(
        g.import_justification(tip, 20, &other_set.encode()),
        Err(JustificationError::WrongSetId { expected: 0, signed_for: 1 })
    );
    assert_eq!(
        g.import_justification(headers[18].hash(), 19, &bytes).unwrap_err(),
        JustificationError::TargetMismatch { number: 19, found_number: 20, found_hash: tip }
    );
    assert!(matches!(g.import_justification(tip, 20, b"garbage"), Err(JustificationError::Undecodable(_))));
    assert_eq!(o.chain.finalized_number(), 0, "no rejected justification finalized anything");
    for n in &mut nodes {
        net.stop(n);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_of_four_finalize_two_do_not_and_the_third_back_resumes() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let headers = build_chain(&genesis, 20, None);
    let net = Net::new();
    let mut nodes: Vec<Node> = (0..4).map(|i| node(i, &[seed(NAMES[i as usize], 0)], &genesis, set0.clone())).collect();
    let mut handles = Vec::new();
    for n in nodes.iter_mut().take(3) {
        import(n, None, &headers[..10]);
        handles.push(net.start(n));
    }
    wait_for("three voters to finalize #10", Duration::from_secs(30), || {
        nodes.iter().take(3).all(|n| n.chain.finalized_number() == 10)
    })
    .await;

    net.stop(&mut nodes[2]);
    for (n, g) in nodes.iter().zip(handles.iter()).take(3) {
        import(n, Some(g), &headers[10..]);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(nodes[0].chain.finalized_number(), 10, "two of four voters must not finalize");
    assert_eq!(nodes[1].chain.finalized_number(), 10);

    net.start(&mut nodes[2]);
    wait_for("finality to resume with the third voter back", Duration::from_secs(30), || {
        nodes.iter().take(3).all(|n| n.chain.finalized_number() == 20)
    })
    .await;
    for n in &mut nodes {
        net.stop(n);
    }
}

/// Stage of a vote, for the equivocation check.
fn vote_key(bytes: &[u8]) -> Option<((u64, u64, u8), Vec<u8>)> {
    match GossipMessage::decode(&mut &bytes[..]).ok()? {
        GossipMessage::Vote { round, set_id, message } | GossipMessage::Rebroadcast { round, set_id, message, .. } => {
            let stage = match message.message {
                Message::Prevote(_) => 0,
                Message::Precommit(_) => 1,
                Message::PrimaryPropose(_) => 2,
            };
            Some(((set_id, round, stage), message.encode()))
        }
        _ => None,
    }
}

/// The flake this once was in `a_restarted_voter_never_equivocates_and_catches_up`, made
/// certain: a restarted voter prevoted in round 2 before its stop, restarts in round 2, and
/// a catch-up completes round 3 before its prevote timer fires. Round 2 runs on in the
/// background and prevotes, and completing round 3 forgot the round-2 prevote: without a
/// guard, the second prevote could differ from the first.
#[tokio::test]
async fn no_vote_is_signed_in_a_round_already_completed() {
    let genesis = genesis();
    let headers = build_chain(&genesis, 3, None);
    let n = node(0, &[seed(NAMES[0], 0)], &genesis, authorities(&NAMES, 0));
    import(&n, None, &headers);
    let config = GrandpaConfig {
        keystore: n.keystore.clone().map(|k| k as KeystorePtr),
        state_dir: n.dir.path().to_path_buf(),
        gossip_duration: Duration::from_millis(50),
        name: "restarted".into(),
    };
    // The voter task is not run: the test plays its part.
    let (g, _gossip, _voter) = Grandpa::<u32>::start(n.chain.clone(), config).unwrap();
    let prevote =
        |h: &Header| Message::Prevote(finality_grandpa::Prevote { target_hash: h.hash(), target_number: *h.number() });
    let (first, second) = (prevote(&headers[1]), prevote(&headers[2]));

    assert_eq!(g.shared.note_own_vote(0, 2, first.clone()).unwrap(), Some(first.clone()));
    // Before completion, the noted vote stands in for any other.
    assert_eq!(g.shared.note_own_vote(0, 2, second.clone()).unwrap(), Some(first));
    g.shared.completed(0, 3, (genesis.hash(), 0), &[]).unwrap();
    assert_eq!(g.shared.note_own_vote(0, 2, second.clone()).unwrap(), None, "a vote signed in completed round 2");
    assert_eq!(g.shared.note_own_vote(0, 3, second.clone()).unwrap(), None, "a vote signed in completed round 3");
    assert_eq!(g.shared.note_own_vote(0, 4, second.clone()).unwrap(), Some(second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_voter_never_equivocates_and_catches_up() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let headers = build_chain(&genesis, 60, None);
    let net = Net::new();
    let mut nodes: Vec<Node> = (0..4).map(|i| node(i, &[seed(NAMES[i as usize], 0)], &genesis, set0.clone())).collect();
    let mut handles: Vec<Grandpa<u32>> = Vec::new();
    for n in &mut nodes {
        import(n, None, &headers[..5]);
        handles.push(net.start(n));
    }
    // Blocks keep coming while node 3 is stopped and restarted in the middle of rounds.
    let mut next = 5;
    for cycle in 0..4 {
        for _ in 0..5 {
            for (i, n) in nodes.iter().enumerate() {
                import(n, Some(&handles[i]), &headers[next..next + 1]);
            }
            next += 1;
            tokio::time::sleep(Duration::from_millis(60 + cycle * 20)).await;
        }
        net.stop(&mut nodes[3]);
        // Long enough for the others to move two rounds on: node 3 needs a catch-up.
        tokio::time::sleep(Duration::from_millis(600)).await;
        handles[3] = net.start(&mut nodes[3]);
    }
    let target = next as u32;
    wait_for("the restarted voter to finalize the tip with the others", Duration::from_secs(30), || {
        nodes.iter().all(|n| n.chain.finalized_number() == target)
    })
    .await;
    // More blocks: node 3 keeps voting after its restarts.
    for n in &nodes {
        import(n, None, &headers[next..next + 5]);
    }
    for g in &handles {
        for h in &headers[next..next + 5] {
            g.on_block_imported(h);
        }
    }
    wait_for("all to finalize after the restarts", Duration::from_secs(30), || {
        nodes.iter().all(|n| n.chain.finalized_number() == target + 5)
    })
    .await;

    let mut votes: HashMap<(u64, u64, u8), BTreeSet<Vec<u8>>> = HashMap::new();
    let mut count = 0;
    for (_, bytes) in net.sent.lock().iter().filter(|(from, _)| *from == 3) {
        if let Some((key, vote)) = vote_key(bytes) {
            votes.entry(key).or_default().insert(vote);
            count += 1;
        }
    }
    assert!(count > 10, "node 3 voted ({count} votes)");
    let catch_ups = net
        .sent
        .lock()
        .iter()
        .filter(|(_, b)| matches!(GossipMessage::decode(&mut &b[..]), Ok(GossipMessage::CatchUp { .. })))
        .count();
    assert!(catch_ups > 0, "the voters left running sent node 3 a catch-up");
    for (key, distinct) in &votes {
        assert_eq!(distinct.len(), 1, "node 3 sent two different votes for (set, round, stage) {key:?}");
    }
    for n in &mut nodes {
        net.stop(n);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_garbage_messages_are_rejected() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let headers = build_chain(&genesis, 3, None);
    let (_n, g) = observer(&genesis, set0.clone(), &headers);
    let target = headers[2].hash();
    let prevote = Message::Prevote(finality_grandpa::Prevote { target_hash: target, target_number: 3 });
    let sign = |seed: &str, set_id: u64| {
        let pair = ed25519::Pair::from_string(seed, None).unwrap();
        let signature = pair.sign(&sp_consensus_grandpa::localized_payload(1, set_id, &prevote)).into();
        finality_grandpa::SignedMessage { message: prevote.clone(), signature, id: AuthorityId::from(pair.public()) }
    };
    let vote = |message, set_id| GossipMessage::Vote { round: 1, set_id, message }.encode();

    let honest = sign(&seed("alice", 0), 0);
    assert_eq!(g.on_gossip(&1, &vote(honest.clone(), 0)), GossipVerdict::Accept);
    assert_eq!(g.on_gossip(&1, &vote(honest.clone(), 0)), GossipVerdict::Ignore, "duplicate");

    let outsider = sign("//mallory", 0);
    assert!(matches!(g.on_gossip(&1, &vote(outsider, 0)), GossipVerdict::Reject(_)));

    let mut bad = sign(&seed("bob", 0), 0);
    bad.signature = sign(&seed("bob", 0), 7).signature;
    assert!(matches!(g.on_gossip(&1, &vote(bad, 0)), GossipVerdict::Reject(_)));

    let other_set = sign(&seed("alice", 0), 1);
    assert_eq!(g.on_gossip(&1, &vote(other_set, 1)), GossipVerdict::Ignore, "another set's vote is not an offence");

    assert!(matches!(g.on_gossip(&1, b"\x07garbage"), GossipVerdict::Reject(_)));
    assert!(matches!(g.on_gossip(&1, &[]), GossipVerdict::Reject(_)));
    let mut trailing = vote(honest, 0);
    trailing.push(0);
    assert!(matches!(g.on_gossip(&1, &trailing), GossipVerdict::Reject(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_change_hands_over_at_the_change_block() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let set1 = authorities(&NAMES, 1);
    let headers = build_chain(&genesis, 20, Some((10, set1.clone())));
    let net = Net::new();
    let mut nodes: Vec<Node> = (0..4)
        .map(|i| node(i, &[seed(NAMES[i as usize], 0), seed(NAMES[i as usize], 1)], &genesis, set0.clone()))
        .collect();
    let mut handles = Vec::new();
    for n in &mut nodes {
        import(n, None, &headers);
        handles.push(net.start(n));
    }
    assert!(handles[0].enacts_change(&headers[9]));
    assert!(!handles[0].enacts_change(&headers[8]));
    assert!(!handles[0].enacts_change(&headers[10]));

    wait_for("the new set to finalize #20", Duration::from_secs(40), || {
        nodes.iter().all(|n| n.chain.finalized_number() == 20)
    })
    .await;
    for g in &handles {
        assert_eq!(g.status().set_id, 1);
    }
    let change = headers[9].hash();
    let tip = headers[19].hash();
    let j10 = nodes[0].chain.justification(&change).expect("set 0 finalized exactly the change block");
    let j20 = nodes[0].chain.justification(&tip).unwrap();
    let decoded = GrandpaJustification::decode(&mut &j10[..]).unwrap();
    assert!(decoded.commit.precommits.iter().all(|p| set0.iter().any(|(id, _)| *id == p.id)));

    // An old-set message after the change is ignored, not punished.
    let prevote = Message::Prevote(finality_grandpa::Prevote { target_hash: change, target_number: 10 });
    let pair = ed25519::Pair::from_string(&seed("alice", 0), None).unwrap();
    let old = finality_grandpa::SignedMessage {
        message: prevote.clone(),
        signature: pair.sign(&sp_consensus_grandpa::localized_payload(3, 0, &prevote)).into(),
        id: AuthorityId::from(pair.public()),
    };
    let old = GossipMessage::Vote { round: 3, set_id: 0, message: old }.encode();
    assert_eq!(handles[1].on_gossip(&0, &old), GossipVerdict::Ignore);

    // A node that missed the old set's last commit asks sync for the change block's
    // justification once its chain is a few blocks past it, not before.
    let (_o, g) = observer(&genesis, set0.clone(), &headers[..13]);
    assert_eq!(g.wanted_justification(), None, "best #13 is only three blocks past the change");
    let (obs, g) = observer(&genesis, set0.clone(), &headers);
    assert_eq!(g.wanted_justification(), Some((change, 10)));

    // An observer syncing by justifications must cross the change block first.
    assert_eq!(
        g.import_justification(tip, 20, &j20),
        Err(JustificationError::SkipsSetChange { target: 20, change_at: 10 })
    );
    assert_eq!(g.import_justification(change, 10, &j10), Ok(()));
    assert_eq!(g.status().set_id, 1);
    assert_eq!(g.wanted_justification(), None, "across the change, nothing more is wanted");
    assert_eq!(g.import_justification(tip, 20, &j20), Ok(()));
    assert_eq!(obs.chain.finalized(), (tip, 20));
    for n in &mut nodes {
        net.stop(n);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_for_unknown_blocks_are_held_until_imported() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let headers = build_chain(&genesis, 20, None);
    let net = Net::new();
    let mut nodes: Vec<Node> = (0..4).map(|i| node(i, &[seed(NAMES[i as usize], 0)], &genesis, set0.clone())).collect();
    let mut handles = Vec::new();
    for (i, n) in nodes.iter_mut().enumerate() {
        import(n, None, if i == 3 { &headers[..10] } else { &headers[..] });
        handles.push(net.start(n));
    }
    wait_for("three voters to finalize #20", Duration::from_secs(30), || {
        nodes.iter().take(3).all(|n| n.chain.finalized_number() == 20)
    })
    .await;
    wait_for("node 3 to hold messages for blocks it lacks", Duration::from_secs(10), || {
        handles[3].status().held_messages > 0
    })
    .await;
    assert!(nodes[3].chain.finalized_number() <= 10);
    // Stop everyone else: what node 3 finalizes now comes from the messages it held.
    for n in nodes.iter_mut().take(3) {
        net.stop(n);
    }
    import(&nodes[3], Some(&handles[3]), &headers[10..]);
    wait_for("node 3 to finalize #20 from the held messages", Duration::from_secs(10), || {
        nodes[3].chain.finalized_number() == 20
    })
    .await;
    net.stop(&mut nodes[3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocating_voter_is_detected_and_cannot_split_finality() {
    // Two forks of equal length from genesis; the honest voters hold both.
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let fork_a = build_chain(&genesis, 10, None);
    let fork_b = build_fork(&genesis, 10, b"fork b");
    let net = Net::new();
    let mut honest: Vec<Node> =
        (0..3).map(|i| node(i, &[seed(NAMES[i as usize], 0)], &genesis, set0.clone())).collect();
    let mut handles = Vec::new();
    for n in &mut honest {
        import(n, None, &fork_a);
        import(n, None, &fork_b);
        handles.push(net.start(n));
    }

    // Dave, the fourth authority, prevotes and precommits both forks' tips in every early round.
    let dave = ed25519::Pair::from_string(&seed("dave", 0), None).unwrap();
    let tips = [fork_a[9].hash(), fork_b[9].hash()];
    let byzantine = {
        let handles = handles.clone();
        tokio::spawn(async move {
            loop {
                for round in 1..=20u64 {
                    for tip in tips {
                        let prevote =
                            Message::Prevote(finality_grandpa::Prevote { target_hash: tip, target_number: 10 });
                        let precommit =
                            Message::Precommit(finality_grandpa::Precommit { target_hash: tip, target_number: 10 });
                        for message in [prevote, precommit] {
                            let payload = sp_consensus_grandpa::localized_payload(round, 0, &message);
                            let signed = finality_grandpa::SignedMessage {
                                message,
                                signature: dave.sign(&payload).into(),
                                id: AuthorityId::from(dave.public()),
                            };
                            let bytes = GossipMessage::Vote { round, set_id: 0, message: signed }.encode();
                            for g in &handles {
                                g.on_gossip(&3, &bytes);
                            }
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let deadline = Instant::now() + Duration::from_secs(30);
    while !honest.iter().all(|n| n.chain.finalized_number() == 10) {
        assert!(
            Instant::now() < deadline,
            "the honest voters did not finalize #10: {:?} {:?}",
            honest.iter().map(|n| n.chain.finalized()).collect::<Vec<_>>(),
            handles.iter().map(|g| g.status()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    byzantine.abort();
    // One block, the same on every honest node, whatever Dave signed.
    let finalized: BTreeSet<Hash> = honest.iter().map(|n| n.chain.finalized().0).collect();
    assert_eq!(finalized.len(), 1, "honest voters finalized conflicting blocks: {finalized:?}");
    // And every honest voter saw Dave equivocate.
    for g in &handles {
        assert!(g.status().equivocations > 0, "{:?}", g.status());
    }
    // The justification proves it to anyone: Dave's precommit off the finalized fork is left
    // out, the one on it counts.
    let (hash, number) = honest[0].chain.finalized();
    let bytes = honest[0].chain.justification(&hash).expect("a justification for the finalized block");
    let justification = GrandpaJustification::decode(&mut &bytes[..]).unwrap();
    assert!(justification.commit.precommits.iter().all(|p| p.precommit.target_hash == hash));
    let all: Vec<Header> = fork_a.iter().chain(&fork_b).cloned().collect();
    let (_o, g) = observer(&genesis, set0.clone(), &all);
    assert_eq!(g.import_justification(hash, number, &bytes), Ok(()));
    for n in &mut honest {
        net.stop(n);
    }
}

/// Each side of a healed 2–2 partition prevoted for its own fork, and the longer fork's side
/// never gets the shorter fork from its peers (they reorganised onto the longer one and
/// announce nothing of theirs again). The votes naming the shorter fork then wait for good,
/// no side sees a supermajority of prevotes, and finality stalls: until the blocks those votes
/// wait for are fetched, which is what `wanted_blocks` tells sync to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_partition_votes_for_the_losing_fork_name_the_blocks_sync_must_fetch() {
    let genesis = genesis();
    let set0 = authorities(&NAMES, 0);
    let common = build_chain(&genesis, 4, None);
    let fork_a = build_fork(&common[3], 4, b"fork a");
    let fork_b = build_fork(&common[3], 3, b"fork b");
    let net = Net::new();
    net.partition(&[2, 3]);
    let mut nodes: Vec<Node> = (0..4).map(|i| node(i, &[seed(NAMES[i as usize], 0)], &genesis, set0.clone())).collect();
    let mut handles = Vec::new();
    for (i, n) in nodes.iter_mut().enumerate() {
        import(n, None, &common);
        import(n, None, if i < 2 { &fork_a } else { &fork_b });
        handles.push(net.start(n));
    }
    // Each side prevotes its own tip in round 1 and can go no further with half the votes.
    wait_for("every voter to prevote in round 1", Duration::from_secs(10), || {
        let sent = net.sent.lock();
        (0..4).all(|id| {
            sent.iter().any(|(from, bytes)| *from == id && vote_key(bytes).is_some_and(|(k, _)| k == (0, 1, 0)))
        })
    })
    .await;
    // The heal: the shorter fork's side syncs the longer fork; the longer side learns of nothing.
    for (n, g) in nodes.iter().zip(&handles).skip(2) {
        import(n, Some(g), &fork_a);
    }
    net.heal();
    let fork_b_tip = (fork_b[2].hash(), 7);
    wait_for("the longer side to want the other side's tip", Duration::from_secs(10), || {
        handles[..2].iter().all(|g| g.wanted_blocks(8) == vec![fork_b_tip])
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        nodes.iter().all(|n| n.chain.finalized_number() == 0),
        "nothing can be final while half the prevotes wait: {:?}",
        nodes.iter().map(|n| n.chain.finalized_number()).collect::<Vec<_>>()
    );
    assert_eq!(handles[0].wanted_blocks(0), Vec::new(), "the limit bounds the answer");
    assert!(
        handles[2].wanted_blocks(8).is_empty(),
        "the shorter side has every block: {:?}",
        handles[2].wanted_blocks(8)
    );

    // What sync does with the answer: fetch the wanted tip and its ancestry.
    for (n, g) in nodes.iter().zip(&handles).take(2) {
        import(n, Some(g), &fork_b);
    }
    wait_for("everyone to finalize the longer fork's tip", Duration::from_secs(30), || {
        nodes.iter().all(|n| n.chain.finalized() == (fork_a[3].hash(), 8))
    })
    .await;
    assert!(handles[0].wanted_blocks(8).is_empty());
    for n in &mut nodes {
        net.stop(n);
    }
}
