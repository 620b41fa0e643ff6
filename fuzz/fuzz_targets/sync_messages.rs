//! The p2p messages of sync and transaction gossip, as the engine decodes them: status,
//! block request, block announcement, block response and transaction batch (each transaction
//! also through the pool's format check). What decodes must encode to the same bytes (block
//! and transaction hashes are taken over them).
//!
//! Random bytes cannot link headers by hash, so the last mode builds a response whose headers
//! the harness links (fuzzed numbers, parents right or wrong) and checks it against a fuzzed
//! request, as the planner does before importing anything.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use codec::{Decode, DecodeAll, Encode};
use libfuzzer_sys::fuzz_target;
use ludus_node::sync::{
    check_response,
    messages::{BlockAnnounce, BlockData, BlockRequest, BlockResponse, Direction, From, Status, Transactions},
};
use ludus_primitives::Header;
use sp_runtime::traits::Header as _;

/// Decodes `bytes` as a whole `T` and checks the encoding is canonical.
fn decode_canonical<T: Decode + Encode>(bytes: &[u8]) -> Option<T> {
    let value = T::decode_all(&mut &bytes[..]).ok()?;
    assert_eq!(value.encode(), bytes, "{} decoded from bytes it does not encode to", std::any::type_name::<T>());
    Some(value)
}

#[derive(Arbitrary, Debug)]
struct LinkedBlock {
    number: u32,
    /// Link to the previous block of the response (in the request's direction) or not.
    linked: bool,
    extrinsics: u8,
}

fn linked_response(u: &mut Unstructured) -> arbitrary::Result<()> {
    let descending = bool::arbitrary(u)?;
    let direction = if descending { Direction::Descending } else { Direction::Ascending };
    let specs: Vec<LinkedBlock> = u.arbitrary_iter()?.take(140).collect::<Result<_, _>>()?;
    let mut headers: Vec<Header> = Vec::with_capacity(specs.len());
    // Built from the far end of the chain, so each header can name the one before it.
    let build = |headers: &mut Vec<Header>, spec: &LinkedBlock, parent| {
        let mut header = Header::new(spec.number, Default::default(), Default::default(), parent, Default::default());
        header.extrinsics_root = [spec.extrinsics; 32].into();
        headers.push(header);
    };
    if descending {
        // Response order is child first: each header's parent is the next one.
        let mut parent = Default::default();
        for spec in specs.iter().rev() {
            let before = parent;
            build(&mut headers, spec, if spec.linked { before } else { Default::default() });
            parent = headers.last().map(|h| h.hash()).unwrap_or_default();
        }
        headers.reverse();
    } else {
        let mut parent = Default::default();
        for spec in &specs {
            build(&mut headers, spec, if spec.linked { parent } else { Default::default() });
            parent = headers.last().map(|h| h.hash()).unwrap_or_default();
        }
    }
    let from = match (bool::arbitrary(u)?, headers.first()) {
        (true, Some(first)) => From::Hash(first.hash()),
        (false, Some(first)) => From::Number(*first.number()),
        (_, None) => From::Number(u32::arbitrary(u)?),
    };
    let request = BlockRequest { from, direction, max: u32::arbitrary(u)? };
    let blocks = headers.into_iter().map(|header| BlockData { header, body: Vec::new(), justification: None });
    let response = BlockResponse { blocks: blocks.collect() };
    let _ = check_response(&request, &response);
    // What passes the check is what the planner imports: it must still decode.
    assert_eq!(BlockResponse::decode_all(&mut &response.encode()[..]).ok().as_ref(), Some(&response));
    Ok(())
}

fuzz_target!(init: ludus_fuzz::seeds::write_if_asked("sync_messages"), |data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else { return };
    match kind % 6 {
        0 => drop(decode_canonical::<Status>(bytes)),
        1 => drop(decode_canonical::<BlockRequest>(bytes)),
        2 => drop(decode_canonical::<BlockAnnounce>(bytes)),
        3 => {
            if let Some(response) = decode_canonical::<BlockResponse>(bytes) {
                for block in &response.blocks {
                    let request = BlockRequest { from: From::Hash(block.header.hash()), direction: Direction::Ascending, max: 128 };
                    let _ = check_response(&request, &response);
                }
            }
        }
        4 => {
            if let Some(batch) = decode_canonical::<Transactions>(bytes) {
                for extrinsic in &batch.extrinsics {
                    let _ = ludus_node::adapters::txpool::check_format(extrinsic);
                }
            }
        }
        _ => drop(linked_response(&mut Unstructured::new(bytes))),
    }
});
