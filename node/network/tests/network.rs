//! End-to-end tests of the network over real TCP sockets on 127.0.0.1.
//!
//! Every wait is bounded by `tokio::time::timeout`, so a failure fails instead of hanging.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{future::Future, time::Duration};

use ludus_network::{
    start, Keypair, MessageId, Multiaddr, NetworkConfig, NetworkEvent, NetworkHandle, PeerId, Protocol, RequestError,
    Topic, Verdict,
};
use tokio::{sync::mpsc::Receiver, time::timeout};

const GENESIS: [u8; 32] = [7; 32];
const LONG: Duration = Duration::from_secs(30);

struct Node {
    handle: NetworkHandle,
    events: Receiver<NetworkEvent>,
    /// First listen address with `/p2p/<id>`, as a boot node would be given.
    addr: Multiaddr,
}

impl Node {
    fn id(&self) -> PeerId {
        self.handle.local_peer_id()
    }
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn config(genesis: [u8; 32]) -> NetworkConfig {
    let mut config = NetworkConfig::new(genesis, Keypair::generate_ed25519());
    config.listen_addrs = vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()];
    config.ban_duration = Duration::from_secs(2);
    config
}

async fn node(config: NetworkConfig) -> Node {
    init_tracing();
    let (handle, events) = start(config).unwrap();
    let addrs = timeout(LONG, handle.listen_addrs()).await.unwrap();
    let addr = format!("{}/p2p/{}", addrs[0], handle.local_peer_id()).parse().unwrap();
    Node { handle, events, addr }
}

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    timeout(LONG, future).await.unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Waits until `node` reports exactly the peers in `expected` (in any order).
async fn wait_for_peers(node: &NetworkHandle, expected: &[PeerId]) {
    within("peers", async {
        loop {
            let mut peers: Vec<PeerId> = node.peers().await.into_iter().map(|p| p.peer_id).collect();
            peers.sort();
            let mut want = expected.to_vec();
            want.sort();
            if peers == want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
}

/// The next gossip message within `wait`, skipping other events.
async fn next_gossip(
    events: &mut Receiver<NetworkEvent>,
    wait: Duration,
) -> Option<(Topic, PeerId, MessageId, Vec<u8>)> {
    timeout(wait, async {
        loop {
            if let NetworkEvent::Gossip { topic, from, id, data } = events.recv().await? {
                return Some((topic, from, id, data));
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// Gossipsub learns subscriptions right after connecting; give it a moment.
async fn let_subscriptions_settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_found_through_a_boot_node_receive_each_topic_exactly_once() {
    let mut a = node(config(GENESIS)).await;
    let mut b_config = config(GENESIS);
    b_config.boot_nodes = vec![a.addr.clone()];
    let mut b = node(b_config).await;
    let mut c_config = config(GENESIS);
    c_config.boot_nodes = vec![a.addr.clone()];
    let c = node(c_config).await;

    // B and C only know A: they must find each other through Kademlia.
    wait_for_peers(&a.handle, &[b.id(), c.id()]).await;
    wait_for_peers(&b.handle, &[a.id(), c.id()]).await;
    wait_for_peers(&c.handle, &[a.id(), b.id()]).await;
    let_subscriptions_settle().await;

    for topic in Topic::ALL {
        let data = format!("hello on {topic:?}").into_bytes();
        c.handle.publish(topic, data.clone());
        for receiver in [&mut a, &mut b] {
            let (got_topic, from, id, got) = next_gossip(&mut receiver.events, LONG).await.expect("gossip delivered");
            assert_eq!((got_topic, &got), (topic, &data));
            receiver.handle.validate(id, from, Verdict::Accept);
        }
    }
    // After everyone accepted and forwarded, nobody sees a message twice.
    for receiver in [&mut a, &mut b] {
        assert!(next_gossip(&mut receiver.events, Duration::from_secs(2)).await.is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_gossip_is_not_forwarded_and_accepted_gossip_is() {
    // A line X - Y - Z: X and Z accept only Y, so everything Z gets went through Y.
    let mut y = node(config(GENESIS)).await;
    let mut x_config = config(GENESIS);
    x_config.reserved_nodes = vec![y.addr.clone()];
    x_config.reserved_only = true;
    let x = node(x_config).await;
    let mut z_config = config(GENESIS);
    z_config.reserved_nodes = vec![y.addr.clone()];
    z_config.reserved_only = true;
    let mut z = node(z_config).await;
    wait_for_peers(&y.handle, &[x.id(), z.id()]).await;
    wait_for_peers(&z.handle, &[y.id()]).await;
    let_subscriptions_settle().await;

    x.handle.publish(Topic::Transactions, b"bad".to_vec());
    let (_, from, id, data) = next_gossip(&mut y.events, LONG).await.expect("Y gets X's message");
    assert_eq!((from, data.as_slice()), (x.id(), &b"bad"[..]));
    y.handle.validate(id, from, Verdict::Reject);
    assert!(next_gossip(&mut z.events, Duration::from_secs(3)).await.is_none(), "rejected message forwarded");

    x.handle.publish(Topic::Transactions, b"good".to_vec());
    let (_, from, id, data) = next_gossip(&mut y.events, LONG).await.expect("Y gets X's message");
    assert_eq!(data, b"good");
    y.handle.validate(id, from, Verdict::Accept);
    let (_, from, _, data) = next_gossip(&mut z.events, LONG).await.expect("accepted message forwarded");
    assert_eq!((from, data.as_slice()), (y.id(), &b"good"[..]));
}

/// Answers B's requests: Status echoes reversed; Blocks answers `len` bytes as asked.
fn spawn_responder(mut events: Receiver<NetworkEvent>) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            if let NetworkEvent::Request { protocol, data, respond, .. } = event {
                let response = match protocol {
                    Protocol::Status if data == b"oversized" => vec![0; 2048],
                    Protocol::Status if data == b"silent" => continue,
                    Protocol::Status => data.iter().rev().copied().collect(),
                    Protocol::Blocks => vec![1; u32::from_be_bytes(data[..4].try_into().unwrap()) as usize],
                };
                let _ = respond.send(response);
            }
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_answered_within_limits_and_refused_to_banned_peers() {
    let a = node(config(GENESIS)).await;
    let mut b_config = config(GENESIS);
    b_config.boot_nodes = vec![a.addr.clone()];
    let b = node(b_config).await;
    wait_for_peers(&a.handle, &[b.id()]).await;
    let b_id = b.id();
    spawn_responder(b.events);

    let status = within("status", a.handle.request(b_id, Protocol::Status, b"abc".to_vec())).await;
    assert_eq!(status.unwrap(), b"cba");
    let empty = within("empty status", a.handle.request(b_id, Protocol::Status, Vec::new())).await;
    assert_eq!(empty.unwrap(), Vec::<u8>::new());

    let size: u32 = 3 * 1024 * 1024;
    let blocks = within("blocks", a.handle.request(b_id, Protocol::Blocks, size.to_be_bytes().to_vec())).await;
    assert_eq!(blocks.unwrap().len(), size as usize);

    // Over the 1 KiB status response limit: the request fails, it does not hang or truncate.
    let oversized = within("oversized", a.handle.request(b_id, Protocol::Status, b"oversized".to_vec())).await;
    assert!(oversized.is_err(), "{oversized:?}");
    // A responder that drops `respond` makes the request fail (not succeed empty).
    let silent = within("silent", a.handle.request(b_id, Protocol::Status, b"silent".to_vec())).await;
    assert!(silent.is_err(), "{silent:?}");

    let too_big = a.handle.request(b_id, Protocol::Status, vec![0; 1025]).await;
    assert_eq!(too_big, Err(RequestError::RequestTooLarge { size: 1025, limit: 1024 }));

    a.handle.ban(b_id, "test".into());
    let banned = within("banned", a.handle.request(b_id, Protocol::Status, b"abc".to_vec())).await;
    assert_eq!(banned, Err(RequestError::Banned));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banned_peer_is_dropped_refused_until_the_ban_expires() {
    let a = node(config(GENESIS)).await;
    let mut b_config = config(GENESIS);
    // Reserved: B keeps redialling A, and reserved peers get no exemption from bans.
    b_config.reserved_nodes = vec![a.addr.clone()];
    let b = node(b_config).await;
    wait_for_peers(&a.handle, &[b.id()]).await;

    a.handle.ban(b.id(), "misbehaved in a test".into());
    wait_for_peers(&a.handle, &[]).await;
    // An explicit redial during the ban is refused by A. (B's own reserved-node redial may
    // already be under way, in which case libp2p cancels this one: either way, B tries.)
    let _ = b.handle.dial(a.addr.clone()).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(a.handle.peers().await.is_empty(), "banned peer got back in");

    // The ban lasts 2 s; once it has expired the same dial succeeds.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let _ = b.handle.dial(a.addr.clone()).await;
    wait_for_peers(&a.handle, &[b.id()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_only_node_admits_only_reserved_peers() {
    let reserved = node(config(GENESIS)).await;
    let stranger = node(config(GENESIS)).await;
    let mut guarded_config = config(GENESIS);
    guarded_config.reserved_nodes = vec![reserved.addr.clone()];
    guarded_config.reserved_only = true;
    let guarded = node(guarded_config).await;

    stranger.handle.dial(guarded.addr.clone()).await.unwrap();
    wait_for_peers(&guarded.handle, &[reserved.id()]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    wait_for_peers(&guarded.handle, &[reserved.id()]).await;
    assert!(stranger.handle.peers().await.is_empty());
    // Outbound too: the guarded node refuses to dial the stranger.
    assert!(guarded.handle.dial(stranger.addr.clone()).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_slots_are_enforced() {
    let mut a_config = config(GENESIS);
    a_config.max_inbound = 1;
    let a = node(a_config).await;
    let b = node(config(GENESIS)).await;
    let c = node(config(GENESIS)).await;

    b.handle.dial(a.addr.clone()).await.unwrap();
    wait_for_peers(&a.handle, &[b.id()]).await;
    c.handle.dial(a.addr.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    wait_for_peers(&a.handle, &[b.id()]).await;
    assert!(c.handle.peers().await.is_empty(), "second inbound peer admitted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_of_different_chains_share_nothing() {
    let mut a = node(config(GENESIS)).await;
    let mut other_config = config([8; 32]);
    other_config.boot_nodes = vec![a.addr.clone()];
    let mut other = node(other_config).await;

    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(a.handle.peers().await.is_empty());
    assert!(other.handle.peers().await.is_empty());
    for topic in Topic::ALL {
        other.handle.publish(topic, b"foreign".to_vec());
        a.handle.publish(topic, b"native".to_vec());
    }
    assert!(next_gossip(&mut a.events, Duration::from_secs(2)).await.is_none());
    assert!(next_gossip(&mut other.events, Duration::from_secs(1)).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbindable_listen_address_is_a_clear_error() {
    let a = node(config(GENESIS)).await;
    let taken = timeout(LONG, a.handle.listen_addrs()).await.unwrap()[0].clone();
    let mut config = config(GENESIS);
    config.listen_addrs = vec![taken.clone()];
    let message = start(config).unwrap_err().to_string();
    assert!(message.contains(&taken.to_string()), "{message}");
    assert!(message.contains("--port/--listen-addr"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boot_node_without_peer_id_is_rejected_at_start() {
    let mut config = config(GENESIS);
    config.boot_nodes = vec!["/ip4/127.0.0.1/tcp/1".parse().unwrap()];
    let message = start(config).unwrap_err().to_string();
    assert!(message.contains("/ip4/127.0.0.1/tcp/1"), "{message}");
    assert!(message.contains("/p2p/"), "{message}");
}
