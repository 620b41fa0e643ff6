//! Wire formats of the sync protocols, SCALE-encoded.
//!
//! Nodes of every version on a network must agree on these bytes: a field added,
//! removed or reordered, or an enum variant moved, splits the network. The encodings
//! are pinned by the tests at the bottom.

use codec::{Decode, Encode};
use ludus_primitives::{BlockNumber, Hash, Header};
use sp_runtime::OpaqueExtrinsic;

/// A node's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum Role {
    /// Follows the chain.
    Full,
    /// Authors blocks and votes.
    Authority,
}

/// The answer to a status request.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Status {
    /// Genesis hash: peers of another chain are useless.
    pub genesis: Hash,
    /// Best block number.
    pub best_number: BlockNumber,
    /// Best block hash.
    pub best_hash: Hash,
    /// Finalized block number.
    pub finalized_number: BlockNumber,
    /// Finalized block hash.
    pub finalized_hash: Hash,
    /// The sender's role.
    pub role: Role,
}

/// Where a block request starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum From {
    /// At this block.
    Hash(Hash),
    /// At the canonical block of this height.
    Number(BlockNumber),
}

/// Which way a block request walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum Direction {
    /// Towards the tip, along the canonical chain.
    Ascending,
    /// Towards genesis, along parent links.
    Descending,
}

/// A request for up to `max` consecutive blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct BlockRequest {
    /// The first block.
    pub from: From,
    /// The walk's direction.
    pub direction: Direction,
    /// At most this many blocks (clamped to [`MAX_BLOCKS`]).
    pub max: u32,
}

/// One block as sync sends it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct BlockData {
    /// The sealed header.
    pub header: Header,
    /// The extrinsics.
    pub body: Vec<OpaqueExtrinsic>,
    /// The GRANDPA justification stored with the block, if any.
    pub justification: Option<Vec<u8>>,
}

/// The answer to a block request: blocks in the requested order.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct BlockResponse {
    /// The blocks.
    pub blocks: Vec<BlockData>,
}

/// A new block, gossiped by its author whole so receivers need no round trip.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct BlockAnnounce {
    /// The sealed header.
    pub header: Header,
    /// The extrinsics.
    pub body: Vec<OpaqueExtrinsic>,
}

/// Transactions gossiped together: one message per flush instead of one per
/// transaction keeps gossip overhead flat under load.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Transactions {
    /// Encoded extrinsics.
    pub extrinsics: Vec<Vec<u8>>,
}

/// Most blocks in one response.
pub const MAX_BLOCKS: u32 = 128;
/// Most bytes of blocks in one response (the network allows 16 MiB).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    /// Hex of `n` copies of `byte`.
    fn repeat(byte: &str, n: usize) -> String {
        byte.repeat(n)
    }

    #[test]
    fn encodings_are_pinned() {
        let status = Status {
            genesis: Hash::repeat_byte(1),
            best_number: 2,
            best_hash: Hash::repeat_byte(3),
            finalized_number: 1,
            finalized_hash: Hash::repeat_byte(4),
            role: Role::Authority,
        };
        let expected = format!("{}02000000{}01000000{}01", repeat("01", 32), repeat("03", 32), repeat("04", 32));
        assert_eq!(hex::encode(status.encode()), expected);

        let by_number = BlockRequest { from: From::Number(5), direction: Direction::Descending, max: 128 };
        assert_eq!(hex::encode(by_number.encode()), "01050000000180000000");
        let by_hash = BlockRequest { from: From::Hash(Hash::repeat_byte(7)), direction: Direction::Ascending, max: 1 };
        assert_eq!(hex::encode(by_hash.encode()), format!("00{}0001000000", repeat("07", 32)));

        let batch = Transactions { extrinsics: vec![vec![0xaa, 0xbb], vec![]] };
        assert_eq!(hex::encode(batch.encode()), "0808aabb00");
        assert_eq!(hex::encode(Role::Full.encode()), "00");
    }
}
