//! An in-memory chain for GRANDPA (the node's database stands in for it in production), and the
//! authorities that sign the fuzzer's votes.

use codec::Encode;
use ludus_finality::{ChainAccessError, FinalityChain};
use ludus_primitives::{BlockNumber, Hash, Header};
use sp_consensus_grandpa::{AuthorityId, AuthorityList, ConsensusLog, ScheduledChange, GRANDPA_ENGINE_ID};
use sp_core::{ed25519, Pair};
use sp_runtime::{traits::Header as _, Digest, DigestItem};
use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

/// Blocks on the main chain after genesis.
pub const MAIN_CHAIN: u32 = 8;
/// The main-chain block that schedules a change to set 1 (enacted when it is finalized).
pub const CHANGE_AT: BlockNumber = 4;
/// Blocks of a fork off block 2.
pub const FORK: u32 = 3;

/// Signers: the first three are set 0's voters, the fourth is nobody's; set 1 is the first
/// three's `//set1` keys.
pub static KEYS: LazyLock<Vec<ed25519::Pair>> = LazyLock::new(|| {
    let mut keys: Vec<_> = ["//Alice", "//Bob", "//Charlie", "//Eve"]
        .iter()
        .map(|s| ed25519::Pair::from_string(s, None).expect("static seed"))
        .collect();
    for s in ["//Alice//set1", "//Bob//set1", "//Charlie//set1"] {
        keys.push(ed25519::Pair::from_string(s, None).expect("static seed"));
    }
    keys
});

fn authority(pair: &ed25519::Pair) -> AuthorityId {
    AuthorityId::from(pair.public())
}

/// Set 0: Alice, Bob, Charlie with weight 1.
pub fn genesis_authorities() -> AuthorityList {
    KEYS[..3].iter().map(|k| (authority(k), 1)).collect()
}

/// Set 1, scheduled in block [`CHANGE_AT`].
pub fn next_authorities() -> AuthorityList {
    KEYS[4..].iter().map(|k| (authority(k), 1)).collect()
}

/// The headers GRANDPA may see: genesis, the main chain, the fork, and one block nobody has
/// imported (at the end of `all`, for messages that must be held).
pub struct Blocks {
    /// Genesis first, then the main chain, the fork and the unimported block.
    pub all: Vec<Header>,
}

/// Built once: hashing headers is cheap, but not free.
pub static BLOCKS: LazyLock<Blocks> = LazyLock::new(|| {
    let genesis = Header::new(0, Default::default(), Default::default(), Default::default(), Default::default());
    let mut all = vec![genesis.clone()];
    let mut parent = genesis;
    for _ in 0..MAIN_CHAIN {
        let number = parent.number + 1;
        let mut digest = Digest::default();
        if number == CHANGE_AT {
            let log =
                ConsensusLog::ScheduledChange(ScheduledChange { next_authorities: next_authorities(), delay: 0u32 });
            digest.push(DigestItem::Consensus(GRANDPA_ENGINE_ID, log.encode()));
        }
        let header = Header::new(number, Default::default(), Default::default(), parent.hash(), digest);
        all.push(header.clone());
        parent = header;
    }
    let mut parent = all[2].clone();
    for _ in 0..FORK {
        let header =
            Header::new(parent.number + 1, Default::default(), [1; 32].into(), parent.hash(), Default::default());
        all.push(header.clone());
        parent = header;
    }
    let unimported =
        Header::new(MAIN_CHAIN + 1, Default::default(), Default::default(), parent.hash(), Default::default());
    all.push(unimported);
    Blocks { all }
});

/// A chain holding every block of [`BLOCKS`] but the last, genesis finalized.
pub struct MemoryChain {
    headers: Mutex<HashMap<Hash, Header>>,
    finalized: Mutex<(Hash, BlockNumber)>,
}

impl MemoryChain {
    /// Genesis finalized, every block but the unimported one known.
    pub fn new() -> Self {
        let blocks = &BLOCKS.all;
        let headers = blocks[..blocks.len() - 1].iter().map(|h| (h.hash(), h.clone())).collect();
        Self { headers: Mutex::new(headers), finalized: Mutex::new((blocks[0].hash(), 0)) }
    }

    /// Imports `header`.
    pub fn insert(&self, header: &Header) {
        self.headers.lock().unwrap_or_else(|e| e.into_inner()).insert(header.hash(), header.clone());
    }

    fn headers(&self) -> std::sync::MutexGuard<'_, HashMap<Hash, Header>> {
        self.headers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn descends(headers: &HashMap<Hash, Header>, base: &Hash, header: &Header) -> bool {
        let mut current = header;
        loop {
            if current.hash() == *base {
                return true;
            }
            match headers.get(&current.parent_hash) {
                Some(parent) => current = parent,
                None => return false,
            }
        }
    }
}

impl Default for MemoryChain {
    fn default() -> Self {
        Self::new()
    }
}

impl FinalityChain for MemoryChain {
    fn header(&self, hash: &Hash) -> Result<Option<Header>, ChainAccessError> {
        Ok(self.headers().get(hash).cloned())
    }

    fn finalized(&self) -> (Hash, BlockNumber) {
        *self.finalized.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn best(&self) -> Header {
        let finalized = self.finalized().0;
        match self.best_descendant_of(&finalized) {
            Ok(Some(best)) => best,
            _ => BLOCKS.all[0].clone(),
        }
    }

    fn best_descendant_of(&self, base: &Hash) -> Result<Option<Header>, ChainAccessError> {
        let headers = self.headers();
        if !headers.contains_key(base) {
            return Ok(None);
        }
        Ok(headers.values().filter(|h| Self::descends(&headers, base, h)).max_by_key(|h| (h.number, h.hash())).cloned())
    }

    fn finalize(&self, hash: Hash, _justification: Vec<u8>) -> Result<(), ChainAccessError> {
        let header = self.header(&hash)?.ok_or_else(|| ChainAccessError::Missing(format!("block {hash:?}")))?;
        let mut finalized = self.finalized.lock().unwrap_or_else(|e| e.into_inner());
        // GRANDPA must never finalize backwards or onto another fork.
        assert!(header.number >= finalized.1, "finalized #{} after #{}", header.number, finalized.1);
        assert!(Self::descends(&self.headers(), &finalized.0, &header), "finalized a block off the finalized chain");
        *finalized = (hash, header.number);
        Ok(())
    }

    fn genesis_authorities(&self) -> Result<AuthorityList, ChainAccessError> {
        Ok(genesis_authorities())
    }
}
