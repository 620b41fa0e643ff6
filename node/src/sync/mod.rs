//! Block propagation and sync: what the node says to its peers and what it does with what
//! they say (DESIGN.md decision 5).
//!
//! # What it owns
//!
//! One task, [`SyncEngine::run`], owns every network event:
//!
//! - **status** (request-response): on connecting, each side asks the other for its genesis,
//!   best and finalized blocks and role;
//! - **block announcements** (gossip): an author publishes each block it seals, header and
//!   body; a receiver whose chain has the parent imports it at once and only then lets it
//!   travel on; a bad block costs its sender a ban; while it imports, sync does not download
//!   it again from the announcer;
//! - **block sync** (request-response): when a peer's best block is ahead of ours and
//!   unknown, the engine downloads the missing blocks — by number from our best when far
//!   behind, otherwise backwards from the peer's head until a block we know (which also finds
//!   forks) — and imports them in order with their GRANDPA justifications, which finalize
//!   them through [`Grandpa::import_justification`](ludus_finality::Grandpa::import_justification).
//!   It serves the same requests from the database. Blocks the GRANDPA gadget waits for
//!   (its held votes name them) are fetched by hash when no claim needs following: after a
//!   partition they may sit on a fork no peer claims any more;
//! - **transactions** (gossip): transactions that become ready in our pool are published;
//!   received ones go through the pool's validation;
//! - **GRANDPA** messages (gossip): handed to the finality gadget, whose verdict decides
//!   whether they travel on; its own messages are published.
//!
//! Peers whose data fails a check that an honest node never fails (undecodable bytes, a bad
//! seal, a wrong state root, a forged vote) are banned through [`SyncNetwork::ban`], which
//! logs why.
//!
//! # Modules
//!
//! - [`messages`]: the wire types (SCALE, pinned encodings);
//! - `peers`: the peer table (each peer's claimed best, role, back-off);
//! - `planner`: the download decisions, a pure state machine (chain snapshot and peers
//!   in, a request out; a response in, an action out);
//! - `serve`: answering block requests from the database, checking responses;
//! - `import_queue`: the import thread;
//! - `transactions`: transaction gossip batching and validation;
//! - `network`: the small [`SyncNetwork`] trait the engine talks through, implemented for
//!   [`ludus_network::NetworkHandle`] (and, in tests, for an in-memory router);
//! - `shared`: [`SyncShared`], the state RPC, metrics and the slot worker read;
//! - `engine`: the event loop routing events to the above, and GRANDPA gossip;
//! - `sim` (tests only): a seeded in-memory network that runs several engines over real
//!   chains, with message loss, delay and partitions, for the scenario tests.
//!
//! # Tasks and data flow
//!
//! ```text
//! network events ─▶ engine ─┬─▶ planner ─▶ block request ─▶ network ─▶ response ─▶ planner ─▶ action
//!                           ├─▶ import thread ("ludus-import") ─▶ report ─▶ engine (verdict, ban)
//!                           ├─▶ blocking tasks: serve_blocks, pool validation ─▶ response / verdict
//!                           └─▶ GRANDPA gadget ─▶ verdict
//! ```
//!
//! [`SyncEngine::new`] returns the engine and its import worker, which the service runs on
//! an essential thread of its own (`block-import`): it imports batches in order so the
//! engine keeps answering peers while a batch executes, and ends with the engine. Block requests and status requests run as short tokio tasks whose
//! results come back to the engine on a channel, as do import reports and the verdicts of
//! transaction validation (run on the blocking pool).

mod engine;
mod import_queue;
pub mod messages;
mod network;
mod peers;
mod planner;
mod propagation;
mod serve;
mod shared;
mod transactions;

#[cfg(test)]
mod sim;

use codec::Encode;
use ludus_primitives::{Block, BlockNumber};

pub use engine::SyncEngine;
pub use network::{SyncEvent, SyncNetwork};
pub use propagation::SlotPropagation;
pub use serve::{check_response, serve_blocks};
pub use shared::SyncShared;

/// Blocks behind the best peer beyond which the node counts as syncing (and does not author).
pub const SYNCING_DISTANCE: BlockNumber = 5;

/// The announcement of a block we authored.
pub fn announcement(block: &Block) -> Vec<u8> {
    messages::BlockAnnounce { header: block.header.clone(), body: block.extrinsics.clone() }.encode()
}
