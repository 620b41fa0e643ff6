//! The withdrawals Merkle tree, compatible with OpenZeppelin's `MerkleProof.verify`.
//!
//! Pairs are hashed commutatively (`keccak256(min ‖ max)`), so a proof is just the list of
//! siblings, with no left/right flags: that is what `MerkleProof` expects. Leaves stay in
//! withdrawal-id order; an odd node at the end of a level is carried up unchanged.

use alloc::vec::Vec;
use sp_core::H256;

use super::{abi::keccak, BridgeFormatError};

/// `keccak256(min(a, b) ‖ max(a, b))`, comparing the hashes as big-endian numbers.
pub fn hash_pair(a: &H256, b: &H256) -> H256 {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(low.as_bytes());
    both[32..].copy_from_slice(high.as_bytes());
    keccak(&both)
}

/// The level above `level`: neighbours hashed in pairs, an odd last node carried up.
fn parent_level(level: &[H256]) -> Vec<H256> {
    level.chunks(2).filter_map(|pair| pair.iter().copied().reduce(|left, right| hash_pair(&left, &right))).collect()
}

/// The root over `leaves` in the given order; `H256::zero()` for an empty period.
pub fn withdrawals_root(leaves: &[H256]) -> H256 {
    let Some(first) = leaves.first() else {
        return H256::zero();
    };
    if leaves.len() == 1 {
        return *first;
    }
    let mut level = parent_level(leaves);
    while level.len() > 1 {
        level = parent_level(&level);
    }
    // The loop ends with exactly one node: every step halves a level of two or more.
    level.first().copied().unwrap_or_default()
}

/// The proof for `leaves[index]`: its sibling at each level where it has one, bottom up.
pub fn merkle_proof(leaves: &[H256], index: usize) -> Result<Vec<H256>, BridgeFormatError> {
    if index >= leaves.len() {
        return Err(BridgeFormatError::LeafIndexOutOfRange { index, len: leaves.len() });
    }
    let mut proof = Vec::new();
    let mut level = leaves.to_vec();
    let mut position = index;
    while level.len() > 1 {
        if let Some(sibling) = level.get(position ^ 1) {
            proof.push(*sibling);
        }
        level = parent_level(&level);
        position /= 2;
    }
    Ok(proof)
}

/// Whether `proof` leads from `leaf` to `root`, as `MerkleProof.verify` decides it.
///
/// A zero root proves nothing: it is the root of an empty period, and the Vault refuses
/// claims against it too (a zero root accepted as valid is how Nomad was drained).
pub fn verify_proof(root: &H256, leaf: &H256, proof: &[H256]) -> bool {
    !root.is_zero() && proof.iter().fold(*leaf, |node, sibling| hash_pair(&node, sibling)) == *root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(count: u8) -> Vec<H256> {
        (1..=count).map(|i| keccak(&[i])).collect()
    }

    #[test]
    fn every_leaf_proves_against_the_root_for_one_to_nine_leaves() {
        for count in 1..=9u8 {
            let leaves = leaves(count);
            let root = withdrawals_root(&leaves);
            for (index, leaf) in leaves.iter().enumerate() {
                let proof = merkle_proof(&leaves, index).unwrap();
                assert!(verify_proof(&root, leaf, &proof), "leaf {index} of {count}");
                // A proof for one leaf must not prove a different leaf.
                let other = leaves[(index + 1) % leaves.len()];
                if other != *leaf {
                    assert!(!verify_proof(&root, &other, &proof), "foreign leaf accepted at {index} of {count}");
                }
            }
            assert!(matches!(merkle_proof(&leaves, leaves.len()), Err(BridgeFormatError::LeafIndexOutOfRange { .. })));
        }
    }

    #[test]
    fn pair_hash_is_commutative_and_sorted_like_openzeppelin() {
        let (a, b) = (H256::repeat_byte(0x01), H256::repeat_byte(0xff));
        assert_eq!(hash_pair(&a, &b), hash_pair(&b, &a));
        let mut sorted = [0u8; 64];
        sorted[..32].copy_from_slice(a.as_bytes());
        sorted[32..].copy_from_slice(b.as_bytes());
        assert_eq!(hash_pair(&b, &a), keccak(&sorted));
    }

    #[test]
    fn tree_shape_matches_the_spec_for_three_leaves() {
        // Three leaves: (l0,l1) pair up, l2 is carried up unchanged, then they pair.
        let l = leaves(3);
        let expected = hash_pair(&hash_pair(&l[0], &l[1]), &l[2]);
        assert_eq!(withdrawals_root(&l), expected);
        assert_eq!(merkle_proof(&l, 2).unwrap(), vec![hash_pair(&l[0], &l[1])]);
        assert_eq!(merkle_proof(&l, 0).unwrap(), vec![l[1], l[2]]);
    }

    #[test]
    fn single_leaf_is_its_own_root_and_empty_period_is_zero() {
        let l = leaves(1);
        assert_eq!(withdrawals_root(&l), l[0]);
        assert!(merkle_proof(&l, 0).unwrap().is_empty());
        assert_eq!(withdrawals_root(&[]), H256::zero());
    }

    #[test]
    fn zero_root_proves_nothing() {
        // Even the "leaf" zero with an empty proof, which folds to the zero root.
        assert!(!verify_proof(&H256::zero(), &H256::zero(), &[]));
    }
}
