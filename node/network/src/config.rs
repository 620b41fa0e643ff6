//! Network configuration, peer address parsing and the node key file.

use std::{io::Write, path::Path, time::Duration};

use libp2p::{identity::Keypair, multiaddr::Protocol as AddrProtocol, Multiaddr, PeerId};
use rand::RngCore;

use crate::NetworkError;

/// Default number of inbound peer slots (Substrate's `--in-peers`).
pub const DEFAULT_MAX_INBOUND: u32 = 25;
/// Default number of outbound peer slots (Substrate's `--out-peers`).
pub const DEFAULT_MAX_OUTBOUND: u32 = 25;
/// Default ban duration.
pub const DEFAULT_BAN_DURATION: Duration = Duration::from_secs(60);

/// Everything [`crate::start`] needs.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// Genesis hash of the chain; part of every protocol name so chains never mix.
    pub genesis_hash: [u8; 32],
    /// The node's libp2p identity.
    pub node_key: Keypair,
    /// Addresses to listen on, e.g. `/ip4/0.0.0.0/tcp/30333`; port 0 picks a free port.
    pub listen_addrs: Vec<Multiaddr>,
    /// Boot nodes, each ending in `/p2p/<peer id>`; dialled at start and on every re-bootstrap.
    pub boot_nodes: Vec<Multiaddr>,
    /// Reserved nodes, each ending in `/p2p/<peer id>`; kept connected (redialled every few seconds).
    pub reserved_nodes: Vec<Multiaddr>,
    /// Refuse every connection (both directions) to a peer that is not reserved.
    pub reserved_only: bool,
    /// Inbound peer slots; reserved peers do not take one.
    pub max_inbound: u32,
    /// Outbound peer slots; reserved peers do not take one.
    pub max_outbound: u32,
    /// How long a banned peer is refused.
    pub ban_duration: Duration,
    /// Agent version announced through identify, e.g. `ludus-node/0.1.0 (alice)`.
    pub agent_version: String,
}

impl NetworkConfig {
    /// A configuration with Substrate's defaults, listening on nothing and knowing no peers.
    pub fn new(genesis_hash: [u8; 32], node_key: Keypair) -> Self {
        Self {
            genesis_hash,
            node_key,
            listen_addrs: Vec::new(),
            boot_nodes: Vec::new(),
            reserved_nodes: Vec::new(),
            reserved_only: false,
            max_inbound: DEFAULT_MAX_INBOUND,
            max_outbound: DEFAULT_MAX_OUTBOUND,
            ban_duration: DEFAULT_BAN_DURATION,
            agent_version: format!("ludus-node/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Parses a peer address in Substrate's format, `<multiaddr>/p2p/<peer id>`.
///
/// Returns the peer id and the full address (still ending in `/p2p/...`).
pub fn parse_peer_multiaddr(s: &str) -> Result<(PeerId, Multiaddr), NetworkError> {
    let invalid = |reason: String| NetworkError::InvalidPeerAddress { addr: s.to_owned(), reason };
    let addr: Multiaddr = s.trim().parse().map_err(|e| invalid(format!("not a multiaddr ({e})")))?;
    match addr.iter().last() {
        Some(AddrProtocol::P2p(peer)) => {
            if addr.iter().count() == 1 {
                // Only `/p2p/<id>`: nothing to dial.
                return Err(invalid("it has a peer id but no transport address before /p2p/".into()));
            }
            Ok((peer, addr))
        }
        _ => Err(invalid("it does not end in /p2p/<peer id>".into())),
    }
}

/// Splits `.../p2p/<id>` into the peer id and the address without the suffix, if present.
pub(crate) fn split_peer_id(addr: &Multiaddr) -> Option<(PeerId, Multiaddr)> {
    let mut bare = addr.clone();
    match bare.pop() {
        Some(AddrProtocol::P2p(peer)) => Some((peer, bare)),
        _ => None,
    }
}

/// Loads the node key from `path` (Substrate's `--node-key-file`), or creates it.
///
/// The file holds a 32-byte ed25519 secret, either raw or as 64 hex characters
/// (optional `0x`, surrounding whitespace allowed). A missing file is created
/// (with its directories) holding a fresh key in hex, readable only by the owner.
/// A file that exists but is corrupt is an error: regenerating would silently
/// change the node's identity, which other nodes' `--bootnodes` depend on.
pub fn load_or_generate_node_key(path: &Path) -> Result<Keypair, NetworkError> {
    let io_err = |source| NetworkError::NodeKeyIo { path: path.to_owned(), source };
    match std::fs::read(path) {
        Ok(bytes) => {
            decode_node_key(&bytes).map_err(|reason| NetworkError::CorruptNodeKey { path: path.to_owned(), reason })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            let keypair = Keypair::ed25519_from_bytes(secret)
                .map_err(|e| NetworkError::Setup(format!("generated node key rejected: {e}")))?;
            write_new_key_file(path, &hex::encode(secret)).map_err(io_err)?;
            tracing::info!(target: "network", "Generated a new node key in {}", path.display());
            Ok(keypair)
        }
        Err(e) => Err(io_err(e)),
    }
}

fn decode_node_key(bytes: &[u8]) -> Result<Keypair, String> {
    let secret: Vec<u8> = if bytes.len() == 32 {
        bytes.to_vec()
    } else {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| format!("{} bytes that are neither a raw 32-byte key nor hex", bytes.len()))?
            .trim();
        let text = text.strip_prefix("0x").unwrap_or(text);
        if text.len() != 64 {
            return Err(format!("expected 64 hex characters, found {}", text.len()));
        }
        hex::decode(text).map_err(|e| format!("invalid hex ({e})"))?
    };
    Keypair::ed25519_from_bytes(secret).map_err(|e| format!("not an ed25519 secret ({e})"))
}

fn write_new_key_file(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    // `create_new`: never clobber a key that appeared since we looked.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

    #[test]
    fn parses_substrate_style_peer_address() {
        let (peer, addr) = parse_peer_multiaddr(&format!("/ip4/127.0.0.1/tcp/30333/p2p/{PEER}")).unwrap();
        assert_eq!(peer.to_string(), PEER);
        assert_eq!(addr.to_string(), format!("/ip4/127.0.0.1/tcp/30333/p2p/{PEER}"));
        let (peer, _) = parse_peer_multiaddr(&format!("/dns/boot.example/tcp/1/p2p/{PEER}")).unwrap();
        assert_eq!(peer.to_string(), PEER);
    }

    #[test]
    fn peer_address_errors_name_the_string_and_the_problem() {
        for (input, expected) in [
            ("/ip4/127.0.0.1/tcp/30333", "does not end in /p2p/"),
            ("/ip4/127.0.0.1/tcp/30333/p2p/notapeerid", "not a multiaddr"),
            ("127.0.0.1:30333", "not a multiaddr"),
            (&format!("/p2p/{PEER}") as &str, "no transport address"),
        ] {
            let message = parse_peer_multiaddr(input).unwrap_err().to_string();
            assert!(message.contains(input), "{message}");
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn node_key_is_generated_once_then_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/node-key");
        let first = load_or_generate_node_key(&path).unwrap();
        let second = load_or_generate_node_key(&path).unwrap();
        assert_eq!(first.public().to_peer_id(), second.public().to_peer_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn node_key_accepts_raw_and_hex_forms() {
        let dir = tempfile::tempdir().unwrap();
        let secret = [42u8; 32];
        let expected = Keypair::ed25519_from_bytes(secret).unwrap().public().to_peer_id();
        for (name, contents) in [
            ("raw", secret.to_vec()),
            ("hex", hex::encode(secret).into_bytes()),
            ("hex0x", format!("0x{}\n", hex::encode(secret)).into_bytes()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, contents).unwrap();
            let key = load_or_generate_node_key(&path).unwrap();
            assert_eq!(key.public().to_peer_id(), expected, "{name}");
        }
    }

    #[test]
    fn corrupt_node_key_is_an_error_naming_the_file_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in [("short", b"abcd".to_vec()), ("badhex", vec![b'z'; 64]), ("binary", vec![0xffu8; 40])]
        {
            let path = dir.path().join(name);
            std::fs::write(&path, &contents).unwrap();
            let message = load_or_generate_node_key(&path).unwrap_err().to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains("corrupt"), "{message}");
            assert_eq!(std::fs::read(&path).unwrap(), contents, "must not be regenerated");
        }
    }
}
