//! Bad links between nodes, on this machine only: a userspace TCP proxy per directed link,
//! and a firewall rule that leaves the nodes no other way to reach each other.
//!
//! This kernel has no `netem` qdisc, so delay and loss are made here. A [`Link`] listens on a
//! loopback port of its own and forwards every connection to one node's peer-to-peer port;
//! each direction of each connection is a reader task and a writer task joined by a queue
//! of chunks, each chunk stamped with the time it may be written. Knobs, changeable while
//! traffic flows:
//!
//! - **latency**: every chunk waits this long in each direction (one way; the round trip
//!   pays it twice);
//! - **loss**: TCP hides loss behind retransmission, so a lost segment shows up as the
//!   stream stalling for a retransmission timeout. Dropping bytes here would corrupt the
//!   stream instead, so a "lost" chunk is held [`RETRANSMISSION_TIMEOUT`] longer, and the
//!   chunks behind it wait for it (head-of-line blocking, as in TCP). Chunks are drawn from a
//!   seeded generator, so a run's losses are reproducible for a given chunking;
//! - **cut**: every open connection is closed and new ones are closed as soon as accepted,
//!   as when a cable is pulled and the far side's resets arrive.
//!
//! Peers learn each other's direct listen addresses (identify, Kademlia) and would dial them,
//! bypassing the proxies. [`ProxyOnlyFirewall`] (nftables, needs root) rejects every TCP
//! connection to the nodes' peer-to-peer ports that does not come from the proxies' source
//! address [`PROXY_SOURCE`]. It matches opening SYNs only: libp2p dials from its listen port
//! (port reuse), so the answers to a node's own dials also arrive at that port.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::Path,
    process::Command,
    sync::{
        atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use rand::{rngs::StdRng, Rng, SeedableRng};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{tcp::OwnedReadHalf, tcp::OwnedWriteHalf, TcpListener, TcpSocket, TcpStream},
    sync::{mpsc, watch},
    time::Instant,
};

/// The source address of every connection a proxy makes to a node; the firewall lets only
/// this address reach the nodes' peer-to-peer ports.
pub const PROXY_SOURCE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
/// The extra delay of a lost chunk: Linux's minimum retransmission timeout (200 ms) plus a
/// little, what a lost segment costs a TCP stream on a short path.
pub const RETRANSMISSION_TIMEOUT: Duration = Duration::from_millis(250);
/// Largest chunk read at once.
const CHUNK: usize = 16 * 1024;

/// The knobs of one link, shared by its connections.
struct Control {
    latency_ms: AtomicU64,
    /// Chance that a chunk is "lost", in parts per thousand.
    loss_permille: AtomicU32,
    cut: AtomicBool,
    /// Tells open connections to close when the link is cut.
    cut_signal: watch::Sender<bool>,
    /// Bytes forwarded, both directions.
    bytes: AtomicU64,
    /// Chunks held back as lost.
    lost_chunks: AtomicU64,
}

/// One directed link: connections accepted on [`Link::addr`] are forwarded to a node.
pub struct Link {
    addr: SocketAddr,
    control: Arc<Control>,
}

impl Link {
    /// Starts forwarding from a fresh loopback port to `target` on `runtime`; `seed` drives
    /// the loss draws.
    pub fn start(runtime: &tokio::runtime::Handle, target: SocketAddr, seed: u64) -> Link {
        let listener =
            runtime.block_on(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))).expect("bind a proxy port on loopback");
        let addr = listener.local_addr().expect("a bound socket has an address");
        let control = Arc::new(Control {
            latency_ms: AtomicU64::new(0),
            loss_permille: AtomicU32::new(0),
            cut: AtomicBool::new(false),
            cut_signal: watch::channel(false).0,
            bytes: AtomicU64::new(0),
            lost_chunks: AtomicU64::new(0),
        });
        runtime.spawn(accept_loop(listener, target, control.clone(), seed));
        Link { addr, control }
    }

    /// Where peers dial to reach the target through this link.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sets the one-way delay of every chunk.
    pub fn set_latency(&self, latency: Duration) {
        self.control.latency_ms.store(latency.as_millis() as u64, Ordering::Relaxed);
    }

    /// Sets the share of chunks "lost" (held a retransmission timeout longer), 0.0 to 1.0.
    pub fn set_loss(&self, loss: f64) {
        self.control.loss_permille.store((loss * 1000.0).round() as u32, Ordering::Relaxed);
    }

    /// Closes every connection and refuses new ones until [`Link::heal`].
    pub fn cut(&self) {
        self.control.cut.store(true, Ordering::SeqCst);
        self.control.cut_signal.send_replace(true);
    }

    /// Forwards new connections again.
    pub fn heal(&self) {
        self.control.cut.store(false, Ordering::SeqCst);
        self.control.cut_signal.send_replace(false);
    }

    /// Bytes forwarded so far, both directions.
    pub fn bytes(&self) -> u64 {
        self.control.bytes.load(Ordering::Relaxed)
    }

    /// Chunks held back as lost so far.
    pub fn lost_chunks(&self) -> u64 {
        self.control.lost_chunks.load(Ordering::Relaxed)
    }
}

async fn accept_loop(listener: TcpListener, target: SocketAddr, control: Arc<Control>, seed: u64) {
    let mut connections = 0u64;
    while let Ok((inbound, _)) = listener.accept().await {
        if control.cut.load(Ordering::SeqCst) {
            // Dropped at once: the dialler sees its connection reset.
            continue;
        }
        connections += 1;
        let seed = seed.wrapping_mul(1_000_003).wrapping_add(connections);
        tokio::spawn(forward(inbound, target, control.clone(), seed));
    }
}

/// Forwards one connection until either side closes it or the link is cut.
async fn forward(inbound: TcpStream, target: SocketAddr, control: Arc<Control>, seed: u64) {
    let Ok(outbound) = connect_from_proxy_source(target).await else { return };
    let _ = inbound.set_nodelay(true);
    let _ = outbound.set_nodelay(true);
    let (in_read, in_write) = inbound.into_split();
    let (out_read, out_write) = outbound.into_split();
    let mut cut = control.cut_signal.subscribe();
    let there = pipe(in_read, out_write, control.clone(), seed);
    let back = pipe(out_read, in_write, control.clone(), seed ^ 0x5eed);
    tokio::select! {
        _ = async { tokio::join!(there, back) } => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
    // Dropping the halves closes both sockets.
}

async fn connect_from_proxy_source(target: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(PROXY_SOURCE), 0))?;
    socket.connect(target).await
}

/// One direction: reads chunks, stamps each with when it may go out, writes it then.
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, control: Arc<Control>, seed: u64) {
    let (queue, mut due) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = {
        let control = control.clone();
        async move {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut buf = vec![0; CHUNK];
            loop {
                let n = match from.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let mut delay = Duration::from_millis(control.latency_ms.load(Ordering::Relaxed));
                let loss = control.loss_permille.load(Ordering::Relaxed);
                if loss > 0 && rng.gen_range(0..1000) < loss {
                    control.lost_chunks.fetch_add(1, Ordering::Relaxed);
                    delay += RETRANSMISSION_TIMEOUT;
                }
                if queue.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = due.recv().await {
            // In order: a held chunk holds those behind it, as a TCP stream would.
            tokio::time::sleep_until(at).await;
            control.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// An nftables table that rejects TCP connections to `ports` on loopback unless they come
/// from [`PROXY_SOURCE`]; removed on drop. Needs root and `nft` (Debian's `nftables`).
pub struct ProxyOnlyFirewall {
    table: String,
}

impl ProxyOnlyFirewall {
    /// Installs the rule for the nodes' peer-to-peer `ports`.
    pub fn install(ports: &[u16]) -> ProxyOnlyFirewall {
        static TABLES: AtomicU64 = AtomicU64::new(0);
        remove_tables_of_dead_runs();
        let table = format!("{TABLE_PREFIX}{}_{}", std::process::id(), TABLES.fetch_add(1, Ordering::Relaxed));
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        let rules = format!(
            "table ip {table} {{\n  chain input {{\n    type filter hook input priority 0; policy accept;\n    \
             ip daddr 127.0.0.1 tcp dport {{ {} }} ip saddr != {PROXY_SOURCE} tcp flags & (syn | ack) == syn counter reject with tcp reset\n  }}\n}}\n",
            ports.join(", ")
        );
        let output = nft(&["-f", "-"], Some(&rules));
        assert!(
            output.status.success(),
            "nft could not install the proxy-only rule (these tests need root and nftables: \
             apt-get install nftables): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        ProxyOnlyFirewall { table }
    }

    /// How many packets the rule rejected: nodes trying to dial each other directly.
    pub fn rejected_packets(&self) -> u64 {
        let output = nft(&["list", "table", "ip", &self.table], None);
        let listing = String::from_utf8_lossy(&output.stdout);
        listing
            .split("counter packets ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no counter in the nft table:\n{listing}"))
    }
}

impl Drop for ProxyOnlyFirewall {
    fn drop(&mut self) {
        let _ = nft(&["delete", "table", "ip", &self.table], None);
    }
}

/// Our tables are named `ludus_e2e_<pid>_<n>`.
const TABLE_PREFIX: &str = "ludus_e2e_";

/// Deletes the tables of test runs that died without dropping them (SIGKILL, a timeout): their
/// rules would keep refusing connections to ports later nodes may be given.
fn remove_tables_of_dead_runs() {
    let listing = String::from_utf8_lossy(&nft(&["list", "tables"], None).stdout).into_owned();
    for table in listing.lines().filter_map(|line| line.strip_prefix("table ip ")) {
        let Some(pid) = table.strip_prefix(TABLE_PREFIX).and_then(|rest| rest.split('_').next()) else { continue };
        if !Path::new("/proc").join(pid).exists() {
            let _ = nft(&["delete", "table", "ip", table], None);
        }
    }
}

/// Runs `nft args…`, feeding `stdin` if given.
fn nft(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new("nft")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run nft (apt-get install nftables)");
    let mut input = child.stdin.take().expect("piped stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write the nft rules");
    }
    drop(input);
    child.wait_with_output().expect("wait for nft")
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// An echo server on loopback; its address.
    fn echo_server() -> SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                std::thread::spawn(move || {
                    let mut buf = [0; 1024];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 || stream.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    fn round_trip(addr: SocketAddr) -> std::io::Result<Duration> {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let started = std::time::Instant::now();
        stream.write_all(b"ping")?;
        let mut buf = [0; 4];
        stream.read_exact(&mut buf)?;
        assert_eq!(&buf, b"ping");
        Ok(started.elapsed())
    }

    #[test]
    fn a_link_forwards_delays_and_cuts() {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let target = echo_server();
        let firewall = ProxyOnlyFirewall::install(&[target.port()]);
        assert!(round_trip(target).is_err(), "the firewall let a direct connection through");
        assert_eq!(firewall.rejected_packets(), 1);
        let link = Link::start(runtime.handle(), target, 1);
        assert!(round_trip(link.addr()).unwrap() < Duration::from_millis(100));
        assert_eq!(link.bytes(), 8, "four bytes each way");

        link.set_latency(Duration::from_millis(150));
        let rtt = round_trip(link.addr()).unwrap();
        assert!(rtt >= Duration::from_millis(300), "{rtt:?}");

        link.set_latency(Duration::ZERO);
        link.set_loss(1.0);
        let rtt = round_trip(link.addr()).unwrap();
        assert!(rtt >= 2 * RETRANSMISSION_TIMEOUT, "{rtt:?}");
        assert_eq!(link.lost_chunks(), 2);

        link.set_loss(0.0);
        link.cut();
        assert!(round_trip(link.addr()).is_err(), "a cut link forwarded");
        link.heal();
        round_trip(link.addr()).unwrap();
    }
}
