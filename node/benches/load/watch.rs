//! The watcher: follows a node's finalized head and stamps every extrinsic of every newly
//! finalized block with the instant it was seen final, and whether it succeeded.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use codec::Decode;
use frame_system::{EventRecord, Phase};
use ludus_primitives::Hash;
use ludus_runtime::RuntimeEvent;
use serde_json::{json, Value};
use sp_consensus_aura::AURA_ENGINE_ID;
use sp_runtime::DigestItem;

use crate::{harness, submit::rpc};

/// How often the watcher asks for the finalized head.
const WATCH_POLL: Duration = Duration::from_millis(50);

/// A block as the watcher saw it finalized.
pub struct Finalized {
    pub number: u64,
    pub at: Instant,
    pub extrinsics: Vec<[u8; 32]>,
    /// Indices of the extrinsics whose dispatch failed (`System::ExtrinsicFailed`): included and
    /// paid for, but the operation did not happen.
    pub failed: Vec<u32>,
    /// The Aura slot it was authored in.
    pub slot: Option<u64>,
}

/// What the watcher saw: every finalized block in order, and how far finality trailed the best
/// block at each poll.
#[derive(Default)]
pub struct Watched {
    pub blocks: Vec<Finalized>,
    /// (when, best number - finalized number) at each poll.
    pub lag: Vec<(Instant, u64)>,
    pub errors: Vec<String>,
}

/// Follows `addr`'s finalized head from the block after `from` until `stop`, fetching every
/// newly finalized block in order.
pub fn watch(addr: SocketAddr, from: u64, stop: &AtomicBool) -> Watched {
    let mut watched = Watched::default();
    let mut next = from + 1;
    loop {
        // One last round after `stop`, so nothing finalized before it is missed.
        let last_round = stop.load(Ordering::Relaxed);
        if let Err(e) = watch_round(addr, &mut next, &mut watched) {
            watched.errors.push(e);
        }
        if last_round {
            return watched;
        }
        thread::sleep(WATCH_POLL);
    }
}

fn watch_round(addr: SocketAddr, next: &mut u64, watched: &mut Watched) -> Result<(), String> {
    let head = rpc(addr, "chain_getFinalizedHead", json!([]))?;
    let header = rpc(addr, "chain_getHeader", json!([head]))?;
    let number = harness::block_number(&header["number"]);
    let at = Instant::now();
    let best = harness::block_number(&rpc(addr, "chain_getHeader", json!([]))?["number"]);
    watched.lag.push((at, best.saturating_sub(number)));
    while *next <= number {
        let hash = rpc(addr, "chain_getBlockHash", json!([*next]))?;
        let block = rpc(addr, "chain_getBlock", json!([hash]))?;
        let extrinsics = block["block"]["extrinsics"]
            .as_array()
            .ok_or_else(|| format!("block #{next} has no extrinsics array"))?
            .iter()
            .map(|xt| {
                let hex = xt.as_str().unwrap_or_default().trim_start_matches("0x");
                hex::decode(hex).map(|bytes| sp_crypto_hashing::blake2_256(&bytes))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("block #{next}: extrinsic is not hex ({e})"))?;
        let failed = failed_extrinsics(addr, &hash).map_err(|e| format!("block #{next}: {e}"))?;
        let slot = block["block"]["header"]["digest"]["logs"].as_array().and_then(|logs| {
            logs.iter().find_map(|log| {
                let bytes = hex::decode(log.as_str()?.trim_start_matches("0x")).ok()?;
                let item = DigestItem::decode(&mut &bytes[..]).ok()?;
                let data = item.pre_runtime_try_to::<u64>(&AURA_ENGINE_ID)?;
                Some(data)
            })
        });
        watched.blocks.push(Finalized { number: *next, at, extrinsics, failed, slot });
        *next += 1;
    }
    Ok(())
}

/// `block`'s `System::Events`.
pub fn block_events(addr: SocketAddr, block: &Value) -> Result<Vec<EventRecord<RuntimeEvent, Hash>>, String> {
    let key = [sp_crypto_hashing::twox_128(b"System"), sp_crypto_hashing::twox_128(b"Events")].concat();
    let events = rpc(addr, "state_getStorage", json!([format!("0x{}", hex::encode(key)), block]))?;
    let Some(events) = events.as_str() else { return Ok(Vec::new()) };
    let bytes = hex::decode(events.trim_start_matches("0x")).map_err(|e| format!("events are not hex ({e})"))?;
    Vec::<EventRecord<RuntimeEvent, Hash>>::decode(&mut &bytes[..]).map_err(|e| format!("events do not decode ({e})"))
}

/// The indices of `block`'s extrinsics whose dispatch failed, from its `System::Events`.
fn failed_extrinsics(addr: SocketAddr, block: &Value) -> Result<Vec<u32>, String> {
    Ok(block_events(addr, block)?
        .into_iter()
        .filter_map(|record| match (record.phase, record.event) {
            (Phase::ApplyExtrinsic(i), RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { .. })) => Some(i),
            _ => None,
        })
        .collect())
}
