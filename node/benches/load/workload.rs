//! What the bench submits: pre-signed extrinsics, each sender's in nonce order.

use std::{collections::VecDeque, thread};

use ludus_node::test_utils::transfer;
use ludus_primitives::{AccountId, Hash, LUD};
use sp_core::sr25519;

/// What each transfer moves: small enough that no sender ever nears the existential deposit.
const AMOUNT: u128 = LUD / 100;

/// One pre-signed extrinsic.
pub struct Tx {
    pub hash: [u8; 32],
    pub hex: String,
    /// What it does, for the report (`transfer`, `craft`, …).
    pub kind: &'static str,
}

impl Tx {
    pub fn new(bytes: &[u8], kind: &'static str) -> Tx {
        Tx { hash: sp_crypto_hashing::blake2_256(bytes), hex: format!("0x{}", hex::encode(bytes)), kind }
    }
}

/// A sender's extrinsics not yet accepted, lowest nonce first.
pub struct Sender {
    pub queue: VecDeque<Tx>,
}

/// Every sender's transfers (`transfer_keep_alive` to the next bench account), `per_sender` of
/// them each from nonce 0, signed on all cores.
pub fn transfers(pairs: &[sr25519::Pair], accounts: &[AccountId], per_sender: u32, genesis: Hash) -> Vec<Sender> {
    let sign_one = |i: usize| {
        let dest = accounts[(i + 1) % accounts.len()].clone();
        let queue = (0..per_sender)
            .map(|nonce| Tx::new(&transfer(&pairs[i], dest.clone(), AMOUNT, nonce, genesis), "transfer"))
            .collect();
        Sender { queue }
    };
    parallel_map(pairs.len(), sign_one)
}

/// `f(0..n)` computed on every core, in order.
pub fn parallel_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = n.div_ceil(threads).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let f = &f;
                scope.spawn(move || (start..(start + chunk).min(n)).map(f).collect::<Vec<T>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a signing thread panicked")).collect()
    })
}
