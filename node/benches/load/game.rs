//! The game workload (being written).

use ludus_primitives::{AccountId, Hash};
use sp_core::sr25519;

use crate::{harness::Node, workload::Sender};

pub fn prepare(
    _nodes: &[(&'static str, Node)],
    _pairs: &[sr25519::Pair],
    _accounts: &[AccountId],
    _per_sender: u32,
    _genesis: Hash,
) -> Vec<Sender> {
    unimplemented!("the game workload is being written")
}
