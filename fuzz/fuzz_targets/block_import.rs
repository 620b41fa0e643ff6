//! Block import of mutated real blocks: a dev chain (parity-db in a temporary directory) and a
//! real block #1 of Alice's, with transfers, built and sealed as the author does; inputs are
//! blocks as a peer sends them.
//!
//! The first byte picks the mode: even, the rest is imported as it is (a mutated block fails
//! at the seal, the number, the root: what a peer without Alice's key can send); odd, the
//! harness then fixes the extrinsics root and re-seals the block with Alice's key, so mutated
//! bodies and headers reach the runtime's execution and the state-root check (what a faulty or
//! malicious author can send).
//!
//! Never panics: import returns an error or imports the block (runtime panics on bad blocks
//! are caught by the executor and reported as errors, as in the node).
#![no_main]

use codec::Encode;
use libfuzzer_sys::fuzz_target;
use ludus_node::{
    chain::{extrinsics_root, Chain},
    consensus::{
        self,
        authoring::{build_block, seal_block, Candidate},
        import::{decode_block, BlockImporter},
    },
    test_utils::{dev_chain, pair, transfer},
};
use ludus_primitives::{now_ms, Block, LUD};
use sp_core::Pair;
use sp_keystore::KeystorePtr;
use sp_runtime::traits::Header as _;
use std::{
    sync::{Arc, LazyLock},
    time::{Duration, Instant},
};

struct ImportBench {
    _dir: tempfile::TempDir,
    keystore: KeystorePtr,
    importer: BlockImporter,
    /// Block #1 as Alice sealed it.
    block: Block,
}

static BENCH: LazyLock<ImportBench> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (chain, keystore) = dev_chain(dir.path());
    let block = real_block(&chain, &keystore);
    let importer = BlockImporter::new(chain.clone());
    ImportBench { _dir: dir, keystore, importer, block }
});

fn real_block(chain: &Chain, keystore: &KeystorePtr) -> Block {
    let genesis = chain.genesis_hash();
    let alice = pair("//Alice");
    let transfers = ["Bob", "Charlie", "Dave"].iter().enumerate().map(|(nonce, name)| {
        let to = ludus_runtime::genesis_config_presets::dev_account(name);
        let bytes = transfer(&alice, to, LUD, nonce as u32, genesis);
        Candidate { hash: ludus_txpool::tx_hash(&bytes), bytes: Arc::new(bytes) }
    });
    let parent = chain.expect_header(genesis).expect("genesis is stored");
    let slot = consensus::slot_at(now_ms(), 1_000);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut built = build_block(chain, &parent, slot, *slot * 1_000, transfers, deadline).expect("Alice builds #1");
    let author: sp_consensus_aura::sr25519::AuthorityId = alice.public().into();
    seal_block(keystore, &author, &mut built.block).expect("Alice's key is in the keystore");
    built.block
}

fuzz_target!(
    init: {
        if let Some(dir) = std::env::var_os("LUDUS_FUZZ_WRITE_SEEDS") {
            let dir = std::path::Path::new(&dir).join("block_import");
            std::fs::create_dir_all(&dir).expect("the seed directory can be created");
            let block = BENCH.block.encode();
            std::fs::write(dir.join("block-1"), [vec![0], block.clone()].concat()).expect("seed written");
            std::fs::write(dir.join("block-1-resealed"), [vec![1], block].concat()).expect("seed written");
            std::process::exit(0);
        }
    },
    |data: &[u8]| {
        let Some((&mode, bytes)) = data.split_first() else { return };
        let Ok(mut block) = decode_block(bytes) else { return };
        let bench = &*BENCH;
        if mode & 1 == 1 {
            // Drop the old seal (if the last digest is one), fix the root, seal as Alice.
            let _ = consensus::take_seal(block.header.clone()).map(|(unsealed, _)| block.header = unsealed);
            block.header.set_extrinsics_root(extrinsics_root(&block));
            let author: sp_consensus_aura::sr25519::AuthorityId = pair("//Alice").public().into();
            if seal_block(&bench.keystore, &author, &mut block).is_err() {
                return;
            }
        }
        let _ = bench.importer.import(block, None, now_ms());
    }
);
