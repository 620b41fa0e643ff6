//! Types shared by every part of Ludus: the runtime, the node and (later) the relayer.
//!
//! This crate owns the *shape* of the chain — block numbers, hashes, headers, accounts,
//! balances — and the small conventions the node and runtime must agree on, such as the
//! digest item that carries the runtime's `spec_version` in every header. It is `no_std`
//! so the runtime can use it; it spawns nothing.
//!
//! [`bridge`] holds the bridge's wire formats shared with the L1 contracts (deposits,
//! withdrawal leaves and their Merkle tree, validator-set hashes, EIP-712 checkpoints),
//! pinned byte for byte by the committed vectors in `vectors/bridge.json`.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

extern crate alloc;

pub mod bridge;
mod signature;

pub use signature::Signature;
#[cfg(feature = "std")]
pub use signature::{CheckedSignatures, CheckedSignaturesExt};

use codec::{Decode, Encode};
use sp_runtime::{
    generic,
    traits::{BlakeTwo256, IdentifyAccount, Verify},
    ConsensusEngineId, DigestItem, OpaqueExtrinsic,
};

/// A block number. `u32` gives over 130 years of one-second slots.
pub type BlockNumber = u32;
/// The hash of a block, a state root or an extrinsic (blake2-256).
pub type Hash = sp_core::H256;
/// The hashing algorithm of headers, state and extrinsics.
pub type Hashing = BlakeTwo256;
/// An account: the 32-byte public key behind a signature, in SS58 in JSON.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// An amount of the native token LUD (12 decimals) or of a fungible asset.
pub type Balance = u128;
/// The number of transactions an account has sent.
pub type Nonce = u32;
/// A block header.
pub type Header = generic::Header<BlockNumber, Hashing>;
/// A block whose extrinsics the node sees as opaque bytes; the runtime decodes them.
pub type Block = generic::Block<Header, OpaqueExtrinsic>;
/// A block together with its justifications, as `chain_getBlock` returns it.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The heads of a chain, read in one go so the fields agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
    /// Hash of block 0.
    pub genesis_hash: Hash,
    /// Head of the best chain (the longest chain that contains the finalized block).
    pub best_hash: Hash,
    /// Number of the best block.
    pub best_number: BlockNumber,
    /// The last finalized block.
    pub finalized_hash: Hash,
    /// Number of the last finalized block.
    pub finalized_number: BlockNumber,
}

/// One LUD in its smallest units (12 decimals).
pub const LUD: Balance = 1_000_000_000_000;
/// The native token's symbol, as clients show it.
pub const TOKEN_SYMBOL: &str = "LUD";
/// The native token's number of decimals.
pub const TOKEN_DECIMALS: u8 = 12;
/// The SS58 address prefix (42: the generic Substrate prefix, so dev tools know it).
pub const SS58_PREFIX: u16 = 42;

/// The engine id of the pre-runtime digest that carries the runtime's `spec_version`.
///
/// The author puts it in every header before executing the block; the runtime keeps
/// pre-runtime digests in the header it produces, so the item survives into the final
/// header and is covered by the seal. A node refuses blocks whose spec version it does
/// not carry (DESIGN.md, decision 1).
pub const SPEC_VERSION_ENGINE_ID: ConsensusEngineId = *b"ldsv";

/// The digest item announcing that a block was built by runtime `spec_version`.
pub fn spec_version_digest(spec_version: u32) -> DigestItem {
    DigestItem::PreRuntime(SPEC_VERSION_ENGINE_ID, spec_version.encode())
}

/// The `spec_version` a header announces, if it carries exactly one well-formed item.
pub fn spec_version_of(header: &Header) -> Option<u32> {
    let mut found = header.digest.logs().iter().filter_map(|item| match item {
        DigestItem::PreRuntime(id, data) if *id == SPEC_VERSION_ENGINE_ID => Some(u32::decode(&mut &data[..]).ok()),
        _ => None,
    });
    match (found.next(), found.next()) {
        (Some(version), None) => version,
        _ => None,
    }
}

/// The engine id of the pre-runtime digest in which a block's author announces the newest
/// runtime its node release carries. The runtime-upgrade pallet counts these announcements: a
/// scheduled upgrade goes ahead only if more than two thirds of the validators made one.
pub const CARRIED_VERSION_ENGINE_ID: ConsensusEngineId = *b"ldcv";

/// The digest item announcing that the author's release carries runtimes up to `spec_version`.
pub fn carried_version_digest(spec_version: u32) -> DigestItem {
    DigestItem::PreRuntime(CARRIED_VERSION_ENGINE_ID, spec_version.encode())
}

/// The newest runtime a digest's author announces it carries, if it announces one.
pub fn carried_version_of(digest: &sp_runtime::Digest) -> Option<u32> {
    digest.logs().iter().find_map(|item| match item {
        DigestItem::PreRuntime(id, data) if *id == CARRIED_VERSION_ENGINE_ID => u32::decode(&mut &data[..]).ok(),
        _ => None,
    })
}

/// A runtime upgrade scheduled on chain by governance (the runtime-upgrade pallet): from block
/// `at` on, blocks are executed by runtime `spec_version`.
///
/// The runtime is native, so an upgrade is a node release that carries the new runtime beside
/// the old one (DESIGN.md, decision 1). The runtime that executes block `n` is the scheduled
/// one when the state of block `n - 1` holds a schedule with `at <= n`, and otherwise the one
/// that executed block `n - 1`. A node reads the schedule at [`scheduled_upgrade_key`]; one
/// that does not carry `spec_version` stops before `at` and says which runtime to install.
/// The runtime keeps the schedule only while more than two thirds of the validators announce
/// that they carry the runtime ([`carried_version_digest`]): at block `at - 1` it drops one they
/// do not, so an upgrade no one installed cannot stop the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, codec::MaxEncodedLen, scale_info::TypeInfo)]
pub struct ScheduledUpgrade<N = BlockNumber> {
    /// The runtime that takes over.
    pub spec_version: u32,
    /// The first block it executes.
    pub at: N,
}

impl ScheduledUpgrade<BlockNumber> {
    /// Whether this upgrade executes the block after `number`.
    pub fn is_due_after(&self, number: BlockNumber) -> bool {
        number.saturating_add(1) >= self.at
    }
}

/// The storage key of the runtime-upgrade pallet's `Scheduled` value (a SCALE
/// [`ScheduledUpgrade`]): `twox128("RuntimeUpgrade") ++ twox128("Scheduled")`, FRAME's key for
/// that pallet instance's storage value, which the runtime's tests pin. The node reads it
/// before every block it builds or imports, as Substrate's node reads `:code`.
pub fn scheduled_upgrade_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(&sp_crypto_hashing::twox_128(b"RuntimeUpgrade"));
    key[16..].copy_from_slice(&sp_crypto_hashing::twox_128(b"Scheduled"));
    key
}

/// Short form of a hash for log lines: `0xab12…cd34` (first and last two bytes).
pub fn short(hash: &Hash) -> alloc::string::String {
    let bytes = hash.as_bytes();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| alloc::format!("{b:02x}")).collect::<alloc::string::String>();
    alloc::format!("0x{}…{}", hex(&bytes[..2]), hex(&bytes[30..]))
}

/// Milliseconds since the Unix epoch by the local clock (0 if the clock is before 1970).
#[cfg(feature = "std")]
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_runtime::traits::Header as _;

    #[test]
    fn spec_version_round_trips_through_the_digest() {
        let mut header = Header::new(1, Default::default(), Default::default(), Default::default(), Default::default());
        assert_eq!(spec_version_of(&header), None);
        header.digest_mut().push(spec_version_digest(7));
        assert_eq!(spec_version_of(&header), Some(7));
        header.digest_mut().push(spec_version_digest(8));
        assert_eq!(spec_version_of(&header), None, "two announcements are ambiguous");
    }
}
