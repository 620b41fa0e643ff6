//! Error types of the network crate.

use std::path::PathBuf;

/// Errors from configuring or starting the network, and from dialling.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// A boot or reserved node address lacks a valid `/p2p/<peer id>` suffix.
    #[error(
        "invalid peer address {addr:?}: {reason}; expected e.g. \
         /ip4/1.2.3.4/tcp/30333/p2p/12D3KooW... (the address must end in /p2p/<peer id>)"
    )]
    InvalidPeerAddress {
        /// The string as given.
        addr: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The node key file exists but does not hold a valid ed25519 secret.
    #[error(
        "node key file {path} is corrupt: {reason}; it must hold a 32-byte ed25519 secret \
         (raw, or 64 hex characters). Fix or delete it (deleting changes the node's peer id)"
    )]
    CorruptNodeKey {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing the node key file failed.
    #[error("cannot access node key file {path}: {source}; check the path and its permissions")]
    NodeKeyIo {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A listen address could not be bound.
    #[error(
        "cannot listen on {addr}: {reason}; choose another address or port \
         with --port/--listen-addr"
    )]
    Listen {
        /// The address.
        addr: String,
        /// Why binding failed.
        reason: String,
    },
    /// Building the libp2p stack failed (a configuration value was rejected).
    #[error("cannot set up the network stack: {0}")]
    Setup(String),
    /// Dialling an address failed immediately.
    #[error("cannot dial {addr}: {reason}")]
    Dial {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The network task has stopped (the node is shutting down).
    #[error("the network task has stopped; the node is shutting down")]
    Stopped,
}

/// Why an outbound request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The peer is banned; no request is sent.
    #[error("peer is banned")]
    Banned,
    /// The request payload exceeds the protocol's request limit; nothing was sent.
    #[error("request of {size} bytes exceeds the limit of {limit} bytes")]
    RequestTooLarge {
        /// Payload size.
        size: usize,
        /// The protocol's limit.
        limit: usize,
    },
    /// The peer's response exceeded the protocol's response limit (the peer is banned for it).
    #[error("response exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The protocol's limit.
        limit: usize,
    },
    /// The peer is not connected and could not be dialled.
    #[error("peer is not connected and could not be dialled")]
    DialFailure,
    /// No response within the request timeout.
    #[error("no response within the request timeout")]
    Timeout,
    /// The connection closed before the response arrived (or the peer declined to answer).
    #[error("connection closed before a response arrived")]
    ConnectionClosed,
    /// The peer does not speak this protocol (e.g. it is on another chain).
    #[error("peer does not support the protocol")]
    UnsupportedProtocol,
    /// Another stream error.
    #[error("stream error: {0}")]
    Io(String),
    /// The network task has stopped.
    #[error("the network task has stopped")]
    Stopped,
}
