//! Serving block requests from the database, and checking that a response answers the
//! request it claims to answer.

use codec::Encode;
use sp_runtime::traits::Header as HeaderT;

use super::messages::{self, BlockData, BlockRequest, BlockResponse, Direction};
use crate::chain::Chain;

/// Checks that a response has the shape the request asked for: the right first block,
/// consecutive numbers, linked parents, no more than asked.
pub fn check_response(request: &BlockRequest, response: &BlockResponse) -> Result<(), String> {
    let blocks = &response.blocks;
    if blocks.len() > request.max.min(messages::MAX_BLOCKS) as usize {
        return Err(format!("{} blocks for a request of {}", blocks.len(), request.max));
    }
    let Some(first) = blocks.first() else { return Ok(()) };
    match request.from {
        messages::From::Hash(hash) if first.header.hash() != hash => {
            return Err("first block is not the one asked for".into())
        }
        messages::From::Number(number) if *first.header.number() != number => {
            return Err("first block has the wrong number".into())
        }
        _ => {}
    }
    for pair in blocks.windows(2) {
        let (a, b) = (&pair[0].header, &pair[1].header);
        let linked = match request.direction {
            // A peer chooses the numbers: `u32::MAX` must not overflow (a panic in the sync task).
            Direction::Ascending => b.parent_hash() == &a.hash() && a.number().checked_add(1) == Some(*b.number()),
            Direction::Descending => a.parent_hash() == &b.hash() && b.number().checked_add(1) == Some(*a.number()),
        };
        if !linked {
            return Err(format!("block #{} does not link to #{}", b.number(), a.number()));
        }
    }
    Ok(())
}

/// Answers a block request from the database.
pub fn serve_blocks(chain: &Chain, request: &BlockRequest) -> BlockResponse {
    let mut blocks = Vec::new();
    let max = request.max.clamp(1, messages::MAX_BLOCKS) as usize;
    let mut next = match request.from {
        messages::From::Hash(hash) => Some(hash),
        messages::From::Number(number) => chain.hash(number).ok().flatten(),
    };
    let mut bytes = 0usize;
    while let Some(hash) = next {
        let Ok(Some(signed)) = chain.block(hash) else { break };
        let justification =
            signed.justifications.as_ref().and_then(|all| all.get(sp_consensus_grandpa::GRANDPA_ENGINE_ID)).cloned();
        let header = signed.block.header;
        let number = *header.number();
        next = match request.direction {
            Direction::Ascending => {
                chain.hash(number + 1).ok().flatten().filter(|_| chain.hash(number).ok().flatten() == Some(hash))
            }
            Direction::Descending => (number > 0).then_some(*header.parent_hash()),
        };
        let data = BlockData { header, body: signed.block.extrinsics, justification };
        bytes += data.encoded_size();
        if bytes > messages::MAX_RESPONSE_BYTES && !blocks.is_empty() {
            break;
        }
        blocks.push(data);
        if blocks.len() >= max {
            break;
        }
    }
    BlockResponse { blocks }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use ludus_primitives::{now_ms, Block, Hash};

    use super::{messages::From as Start, *};
    use crate::{
        consensus, consensus::authoring::author_slot, consensus::import::BlockImporter, test_utils::dev_chain,
    };

    /// A dev chain of `blocks` blocks authored in consecutive past slots.
    fn chain_with(dir: &std::path::Path, blocks: u64) -> Arc<Chain> {
        let (chain, keystore) = dev_chain(dir);
        let first = *consensus::slot_at(now_ms(), 1_000) - blocks - 1;
        for slot in first..first + blocks {
            author_slot(&chain, &keystore, slot.into(), Duration::from_secs(1), Vec::new()).unwrap().unwrap();
        }
        chain
    }

    fn request(from: Start, direction: Direction, max: u32) -> BlockRequest {
        BlockRequest { from, direction, max }
    }

    #[test]
    fn served_blocks_answer_the_request_and_import_on_a_fresh_node() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let source = chain_with(a.path(), 5);
        let best = source.info().best_hash;

        let up = request(Start::Number(1), Direction::Ascending, 3);
        let ascending = serve_blocks(&source, &up);
        assert_eq!(ascending.blocks.iter().map(|b| *b.header.number()).collect::<Vec<_>>(), [1, 2, 3]);
        check_response(&up, &ascending).unwrap();

        let down = request(Start::Hash(best), Direction::Descending, 4);
        let descending = serve_blocks(&source, &down);
        assert_eq!(descending.blocks.iter().map(|b| *b.header.number()).collect::<Vec<_>>(), [5, 4, 3, 2]);
        check_response(&down, &descending).unwrap();

        // More than the limit is clamped; past the tip is simply shorter.
        let greedy = request(Start::Number(4), Direction::Ascending, 10_000);
        assert_eq!(serve_blocks(&source, &greedy).blocks.len(), 2);
        assert!(serve_blocks(&source, &request(Start::Hash(Hash::repeat_byte(9)), Direction::Descending, 5))
            .blocks
            .is_empty());

        // What sync downloads, a fresh node imports to the same head.
        let (target, _) = dev_chain(b.path());
        let importer = BlockImporter::new(target.clone());
        let all = serve_blocks(&source, &request(Start::Number(1), Direction::Ascending, 128));
        for data in all.blocks {
            importer.import(Block { header: data.header, extrinsics: data.body }, None, now_ms()).unwrap();
        }
        assert_eq!(target.info().best_hash, best);
    }

    #[test]
    fn responses_that_do_not_answer_the_request_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let source = chain_with(dir.path(), 4);
        let up = request(Start::Number(1), Direction::Ascending, 4);
        let good = serve_blocks(&source, &up);

        let mut reordered = good.clone();
        reordered.blocks.swap(1, 2);
        assert!(check_response(&up, &reordered).unwrap_err().contains("does not link"));

        let mut gap = good.clone();
        gap.blocks.remove(1);
        assert!(check_response(&up, &gap).is_err());

        let wrong_start = request(Start::Number(2), Direction::Ascending, 4);
        assert!(check_response(&wrong_start, &good).unwrap_err().contains("wrong number"));

        let too_few_asked = request(Start::Number(1), Direction::Ascending, 2);
        assert!(check_response(&too_few_asked, &good).unwrap_err().contains("4 blocks for a request of 2"));

        let by_hash = request(Start::Hash(Hash::repeat_byte(1)), Direction::Descending, 4);
        let mut down = good;
        down.blocks.reverse();
        assert!(check_response(&by_hash, &down).unwrap_err().contains("not the one asked for"));
    }

    /// Found by `fuzz/fuzz_targets/sync_messages.rs` (kept in `fuzz/regressions/sync_messages/`):
    /// a response whose headers link by hash but whose numbers end at `u32::MAX` made the
    /// link check overflow.
    #[test]
    fn linked_headers_numbered_past_u32_max_are_refused() {
        let header = |number, parent| {
            ludus_primitives::Header::new(number, Default::default(), Default::default(), parent, Default::default())
        };
        let data = |header| BlockData { header, body: Vec::new(), justification: None };
        let top = header(u32::MAX, Hash::zero());
        let wrapped = header(0, top.hash());

        let up = request(Start::Number(u32::MAX), Direction::Ascending, 2);
        let ascending = BlockResponse { blocks: vec![data(top.clone()), data(wrapped.clone())] };
        assert!(check_response(&up, &ascending).unwrap_err().contains("does not link"));

        let down = request(Start::Number(0), Direction::Descending, 2);
        let descending = BlockResponse { blocks: vec![data(wrapped), data(top)] };
        assert!(check_response(&down, &descending).unwrap_err().contains("does not link"));
    }
}
