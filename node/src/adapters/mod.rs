//! Adapters: the edge crates' small traits answered by the node's chain.
//!
//! Each edge crate (`ludus-txpool`, `ludus-finality`, `ludus-network`, `ludus-rpc`) knows
//! nothing of the node; the node's side of each seam lives here, one file per crate.

pub mod finality;
pub mod network;
pub mod rpc;
pub mod txpool;
