//! The bridge's wire formats, shared byte for byte with the L1 contracts.
//!
//! `/work/notes/bridge-formats.md` is the specification; this module is its Rust half and
//! `contracts/src` the Solidity half. Data flows one way through here: sidechain values
//! (deposits seen on the L1, withdrawals burnt on the sidechain, checkpoints fixed by the
//! bridge pallet) go in, and the exact bytes and keccak-256 hashes the contracts compute
//! come out:
//!
//! - [`Deposit::deposit_hash`] and [`Deposit::attestation_digest`], which validators sign
//!   to attest a deposit (checked on the sidechain only);
//! - [`Withdrawal::leaf`] (bound to one Vault on one L1 chain, naming the fee paid to whoever
//!   claims), [`withdrawals_root`], [`merkle_proof`], [`verify_proof`]: the per-checkpoint
//!   withdrawals tree that the Vault checks with OpenZeppelin's `MerkleProof`;
//! - [`validator_set_hash`], the commitment a checkpoint makes to the next set;
//! - [`Checkpoint::struct_hash`] and [`Checkpoint::digest`], the EIP-712 digest validators
//!   sign for `Checkpoints.submit`, with [`eth_address`] and [`eth_signature`] turning
//!   sp-core ecdsa keys and signatures into what `ECDSA.recover` expects.
//!
//! Agreement with Solidity is pinned by `vectors/bridge.json`; the test
//! `vectors_are_current` rebuilds it, and with `LUDUS_BLESS=1` rewrites it together with
//! the generated Foundry test `contracts/test/Vectors.t.sol` that checks the contracts
//! against the same values.

pub mod abi;
mod merkle;
#[cfg(test)]
mod vectors;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{ecdsa, H160, H256};

use abi::{keccak, AbiWords};
pub use merkle::{hash_pair, merkle_proof, verify_proof, withdrawals_root};

/// The EIP-712 type of a deposit attestation (domain-separated by its first fields).
pub const DEPOSIT_ATTESTATION_TYPE: &str =
    "LudusDepositAttestation(bytes32 sidechainGenesis,uint256 l1ChainId,address vault,bytes32 depositHash)";
/// The EIP-712 type of a checkpoint.
pub const CHECKPOINT_TYPE: &str = "Checkpoint(bytes32 sidechainGenesis,uint64 number,uint32 firstBlock,uint32 lastBlock,bytes32 lastBlockHash,bytes32 withdrawalsRoot,uint64 validatorSetId,bytes32 nextValidatorSetHash)";
/// The EIP-712 domain type the Checkpoints contract uses.
pub const EIP712_DOMAIN_TYPE: &str =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
/// The EIP-712 domain name of the Checkpoints contract.
pub const EIP712_DOMAIN_NAME: &str = "Ludus Checkpoints";
/// The EIP-712 domain version of the Checkpoints contract.
pub const EIP712_DOMAIN_VERSION: &str = "1";

/// A bridge format was given values it cannot encode; nothing was hashed or signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BridgeFormatError {
    /// The validator set has no members.
    #[error("the validator set is empty: a bridge validator set needs at least one address")]
    EmptyValidatorSet,
    /// The validator addresses are not strictly ascending.
    #[error(
        "validator {index} is not above validator {}: sort the set by address (as uint160) and remove duplicates",
        index - 1
    )]
    ValidatorsNotAscending {
        /// Position of the first address that is not above its predecessor.
        index: usize,
    },
    /// A Merkle proof was asked for a leaf that does not exist.
    #[error("no withdrawal at index {index}: the period has {len} withdrawals")]
    LeafIndexOutOfRange {
        /// The requested index.
        index: usize,
        /// The number of leaves.
        len: usize,
    },
    /// The 33 bytes are not a point on secp256k1.
    #[error("not a valid compressed secp256k1 public key: check the bridge key in the keystore")]
    InvalidPublicKey,
    /// The signature's recovery byte is neither 0 nor 1 (sp-core's convention).
    #[error("signature recovery id {v} is not 0 or 1: pass the 65-byte signature exactly as sp-core's ecdsa signing returns it")]
    InvalidRecoveryId {
        /// The last byte of the signature.
        v: u8,
    },
    /// The signature's `s` is in the upper half of the curve order, or `r`/`s` are out of range.
    #[error("signature is malformed or has a high s value, which OpenZeppelin's ECDSA.recover rejects: sign again with sp-core (it normalises s)")]
    NotLowS,
}

/// A deposit as the Vault's `Deposited` event reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Deposit {
    /// The Vault's deposit counter: 1 for the first deposit, then +1 per deposit (ETH and ERC-20 alike).
    pub nonce: u64,
    /// The L1 token; `address(0)` for ETH.
    pub token: [u8; 20],
    /// The L1 account that paid.
    pub depositor: [u8; 20],
    /// The sidechain account (AccountId32) to credit.
    pub recipient: [u8; 32],
    /// The amount in the token's smallest unit; the Vault refuses anything above `u128::MAX`.
    pub amount: u128,
}

impl Deposit {
    /// `keccak256(abi.encode(uint64 nonce, address token, address depositor, bytes32 recipient, uint256 amount))`.
    pub fn deposit_hash(&self) -> H256 {
        AbiWords::with_capacity(5)
            .uint(u128::from(self.nonce))
            .address(&self.token)
            .address(&self.depositor)
            .bytes32(&self.recipient)
            .uint(self.amount)
            .keccak()
    }

    /// The digest a validator signs to attest this deposit.
    ///
    /// Binding the sidechain genesis, the L1 chain id and the Vault address means an
    /// attestation can never be replayed on another sidechain, L1 or vault.
    pub fn attestation_digest(&self, sidechain_genesis: H256, l1_chain_id: u64, vault: H160) -> H256 {
        AbiWords::with_capacity(5)
            .bytes32(keccak(DEPOSIT_ATTESTATION_TYPE.as_bytes()).as_fixed_bytes())
            .bytes32(sidechain_genesis.as_fixed_bytes())
            .uint(u128::from(l1_chain_id))
            .address(vault.as_fixed_bytes())
            .bytes32(self.deposit_hash().as_fixed_bytes())
            .keccak()
    }
}

/// A withdrawal burnt on the sidechain and claimable on the L1 once checkpointed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Withdrawal {
    /// The sidechain's withdrawal counter; also the leaf's index in the Vault's claimed bitmap.
    pub id: u64,
    /// The L1 token; `address(0)` for ETH.
    pub token: [u8; 20],
    /// The L1 account the Vault pays.
    pub recipient: [u8; 20],
    /// The amount in the token's smallest unit, fee included.
    pub amount: u128,
    /// Paid to the account that makes the L1 payment happen; at most `amount`. The recipient
    /// gets `amount - fee`, so a relayer is paid for claiming on the user's behalf, and a
    /// user who claims themselves collects the fee themselves.
    pub fee: u128,
}

impl Withdrawal {
    /// The Merkle leaf the Vault at `vault` on L1 chain `l1_chain_id` pays against:
    /// `keccak256(abi.encode(uint256 l1ChainId, address vault, uint64 id, address token,
    /// address recipient, uint256 amount, uint256 fee))`.
    ///
    /// Binding the chain and the Vault means a second Vault pointed at the same Checkpoints
    /// contract (or a fork of the L1) cannot pay the same withdrawal again; binding the fee
    /// means nobody but the user who burnt chooses how much of it a relayer takes. 224 bytes
    /// are hashed, never 64, so no inner node of the tree can pass as a leaf.
    pub fn leaf(&self, l1_chain_id: u64, vault: H160) -> H256 {
        AbiWords::with_capacity(7)
            .uint(u128::from(l1_chain_id))
            .address(vault.as_fixed_bytes())
            .uint(u128::from(self.id))
            .address(&self.token)
            .address(&self.recipient)
            .uint(self.amount)
            .uint(self.fee)
            .keccak()
    }
}

/// A checkpoint: what the validators sign so the L1 learns a period's withdrawals and the next set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct Checkpoint {
    /// Hash of the sidechain's block 0, so checkpoints of another chain never count.
    pub sidechain_genesis: H256,
    /// 1, 2, 3 …, contiguous.
    pub number: u64,
    /// First sidechain block of the period.
    pub first_block: u32,
    /// Last sidechain block of the period.
    pub last_block: u32,
    /// Hash of `last_block`.
    pub last_block_hash: H256,
    /// [`withdrawals_root`] of the period's withdrawals; zero when there are none.
    pub withdrawals_root: H256,
    /// The set that signs this checkpoint.
    pub validator_set_id: u64,
    /// [`validator_set_hash`] of the set that signs the next checkpoint (the current set's hash if unchanged).
    pub next_validator_set_hash: H256,
}

impl Checkpoint {
    /// The EIP-712 `hashStruct` of the checkpoint.
    pub fn struct_hash(&self) -> H256 {
        AbiWords::with_capacity(9)
            .bytes32(keccak(CHECKPOINT_TYPE.as_bytes()).as_fixed_bytes())
            .bytes32(self.sidechain_genesis.as_fixed_bytes())
            .uint(u128::from(self.number))
            .uint(u128::from(self.first_block))
            .uint(u128::from(self.last_block))
            .bytes32(self.last_block_hash.as_fixed_bytes())
            .bytes32(self.withdrawals_root.as_fixed_bytes())
            .uint(u128::from(self.validator_set_id))
            .bytes32(self.next_validator_set_hash.as_fixed_bytes())
            .keccak()
    }

    /// The EIP-712 digest validators sign: `keccak256("\x19\x01" ‖ domainSeparator ‖ structHash)`.
    pub fn digest(&self, l1_chain_id: u64, verifying_contract: H160) -> H256 {
        let mut message = [0u8; 66];
        message[..2].copy_from_slice(b"\x19\x01");
        message[2..34].copy_from_slice(domain_separator(l1_chain_id, verifying_contract).as_bytes());
        message[34..].copy_from_slice(self.struct_hash().as_bytes());
        keccak(&message)
    }
}

/// The EIP-712 domain separator of the Checkpoints contract at `verifying_contract` on `l1_chain_id`.
pub fn domain_separator(l1_chain_id: u64, verifying_contract: H160) -> H256 {
    AbiWords::with_capacity(5)
        .bytes32(keccak(EIP712_DOMAIN_TYPE.as_bytes()).as_fixed_bytes())
        .bytes32(keccak(EIP712_DOMAIN_NAME.as_bytes()).as_fixed_bytes())
        .bytes32(keccak(EIP712_DOMAIN_VERSION.as_bytes()).as_fixed_bytes())
        .uint(u128::from(l1_chain_id))
        .address(verifying_contract.as_fixed_bytes())
        .keccak()
}

/// `keccak256(abi.encode(uint64 setId, address[] validators))`.
///
/// The set must be non-empty and strictly ascending: that one order is what makes the
/// hash a commitment to the set rather than to one of its orderings, and it lets the
/// contract reject a repeated signer with a single comparison.
pub fn validator_set_hash(set_id: u64, validators: &[H160]) -> Result<H256, BridgeFormatError> {
    if validators.is_empty() {
        return Err(BridgeFormatError::EmptyValidatorSet);
    }
    if let Some(index) = validators.windows(2).position(|pair| pair[0] >= pair[1]) {
        return Err(BridgeFormatError::ValidatorsNotAscending { index: index + 1 });
    }
    Ok(keccak(&abi::encode_uint_and_addresses(set_id, validators)))
}

/// The Ethereum address of a secp256k1 key: the last 20 bytes of the keccak of its
/// uncompressed form without the `0x04` tag.
pub fn eth_address(public: &ecdsa::Public) -> Result<H160, BridgeFormatError> {
    let key = k256::PublicKey::from_sec1_bytes(public.as_ref()).map_err(|_| BridgeFormatError::InvalidPublicKey)?;
    let uncompressed = k256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, false);
    let xy = uncompressed.as_bytes().get(1..).ok_or(BridgeFormatError::InvalidPublicKey)?;
    Ok(H160::from_slice(&keccak(xy)[12..]))
}

/// An sp-core ecdsa signature (`r ‖ s ‖ v`, v ∈ {0, 1}) in the form OpenZeppelin's
/// `ECDSA.recover` accepts: the same `r ‖ s`, v + 27.
///
/// Refuses what the contract would refuse anyway (high `s`, bad `v`), so a validator
/// learns at signing time rather than from a failed L1 transaction.
pub fn eth_signature(signature: &ecdsa::Signature) -> Result<[u8; 65], BridgeFormatError> {
    let mut bytes: [u8; 65] = signature.0;
    let v = bytes[64];
    if v > 1 {
        return Err(BridgeFormatError::InvalidRecoveryId { v });
    }
    let parsed = k256::ecdsa::Signature::from_slice(&bytes[..64]).map_err(|_| BridgeFormatError::NotLowS)?;
    if parsed.normalize_s().is_some() {
        return Err(BridgeFormatError::NotLowS);
    }
    bytes[64] = v + 27;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::Pair;

    fn hex32(hash: H256) -> String {
        hex::encode(hash)
    }

    #[test]
    fn type_hashes_match_independent_keccak() {
        // Computed with js-sha3 (node), independently of this crate's keccak.
        assert_eq!(
            hex32(keccak(EIP712_DOMAIN_TYPE.as_bytes())),
            "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f"
        );
        assert_eq!(
            hex32(keccak(CHECKPOINT_TYPE.as_bytes())),
            "7685ea41d7b30e57afe894d0f8dfd0709a4578491cec5933f582618072e45eee"
        );
        assert_eq!(
            hex32(keccak(DEPOSIT_ATTESTATION_TYPE.as_bytes())),
            "10aacd6888a1aecb95791b9e09c807fc894449da122253159c856922ee90b324"
        );
        assert_eq!(
            hex32(keccak(EIP712_DOMAIN_NAME.as_bytes())),
            "10e162f9f4128e64446e550b444cc702aafc397a2d2f95e3b41d2368920fc051"
        );
    }

    #[test]
    fn private_key_one_has_the_well_known_address() {
        let mut seed = [0u8; 32];
        seed[31] = 1;
        let pair = ecdsa::Pair::from_seed(&seed);
        assert_eq!(hex::encode(eth_address(&pair.public()).unwrap()), "7e5f4552091a69125d5dfcb7b8c2659029395bdf");
    }

    #[test]
    fn dev_alice_has_her_well_known_bridge_address() {
        // The address of sp-core's //Alice ecdsa key, as BEEFY/Snowbridge tooling lists it.
        let alice = ecdsa::Pair::from_string("//Alice", None).unwrap();
        assert_eq!(hex::encode(eth_address(&alice.public()).unwrap()), "e04cc55ebee1cbce552f250e85c57b70b2e2625b");
    }

    #[test]
    fn invalid_public_key_is_refused() {
        assert_eq!(eth_address(&ecdsa::Public::from_raw([0u8; 33])), Err(BridgeFormatError::InvalidPublicKey));
    }

    #[test]
    fn validator_set_hash_requires_a_strictly_ascending_non_empty_set() {
        let (a, b) = (H160::repeat_byte(1), H160::repeat_byte(2));
        assert_eq!(validator_set_hash(1, &[]), Err(BridgeFormatError::EmptyValidatorSet));
        assert_eq!(validator_set_hash(1, &[b, a]), Err(BridgeFormatError::ValidatorsNotAscending { index: 1 }));
        assert_eq!(validator_set_hash(1, &[a, b, b]), Err(BridgeFormatError::ValidatorsNotAscending { index: 2 }));
        let hash = validator_set_hash(1, &[a, b]).unwrap();
        assert_ne!(hash, validator_set_hash(2, &[a, b]).unwrap(), "the set id is committed to");
        assert_eq!(hash, keccak(&abi::encode_uint_and_addresses(1, &[a, b])));
    }

    #[test]
    fn eth_signature_recovers_to_the_signers_address() {
        let pair = ecdsa::Pair::from_string("//Alice", None).unwrap();
        let digest = keccak(b"checkpoint");
        let signature = pair.sign_prehashed(digest.as_fixed_bytes());
        let eth = eth_signature(&signature).unwrap();
        assert!(eth[64] == 27 || eth[64] == 28);
        // Recover as an Ethereum client would: v - 27 back to a recovery id.
        let recid = k256::ecdsa::RecoveryId::from_byte(eth[64] - 27).unwrap();
        let sig = k256::ecdsa::Signature::from_slice(&eth[..64]).unwrap();
        let key = k256::ecdsa::VerifyingKey::recover_from_prehash(digest.as_bytes(), &sig, recid).unwrap();
        assert_eq!(key.to_encoded_point(true).as_bytes(), &pair.public().0[..]);
    }

    #[test]
    fn eth_signature_refuses_high_s_and_bad_recovery_id() {
        let pair = ecdsa::Pair::from_string("//Bob", None).unwrap();
        let signature = pair.sign_prehashed(&[7u8; 32]);
        let mut bad_v = signature.0;
        bad_v[64] = 27;
        assert_eq!(
            eth_signature(&ecdsa::Signature::from_raw(bad_v)),
            Err(BridgeFormatError::InvalidRecoveryId { v: 27 })
        );
        // s' = n - s is the malleable twin of a valid signature; OpenZeppelin rejects it.
        let low = k256::ecdsa::Signature::from_slice(&signature.0[..64]).unwrap();
        let (r, s) = low.split_scalars();
        let high = k256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        let mut high_bytes = [0u8; 65];
        high_bytes[..64].copy_from_slice(&high.to_bytes());
        high_bytes[64] = signature.0[64] ^ 1;
        assert_eq!(eth_signature(&ecdsa::Signature::from_raw(high_bytes)), Err(BridgeFormatError::NotLowS));
    }

    #[test]
    fn deposit_and_withdrawal_hash_every_field() {
        let deposit = Deposit { nonce: 1, token: [1; 20], depositor: [2; 20], recipient: [3; 32], amount: 1_000 };
        let withdrawal = Withdrawal { id: 1, token: [1; 20], recipient: [2; 20], amount: 1_000, fee: 10 };
        let genesis = H256::repeat_byte(9);
        let vault = H160::repeat_byte(8);
        let digest = deposit.attestation_digest(genesis, 1, vault);
        assert_ne!(digest, deposit.attestation_digest(genesis, 2, vault), "chain id is bound");
        assert_ne!(digest, deposit.attestation_digest(genesis, 1, H160::repeat_byte(7)), "vault is bound");
        assert_ne!(digest, deposit.attestation_digest(H256::repeat_byte(1), 1, vault), "genesis is bound");
        for changed in [
            Deposit { nonce: 2, ..deposit },
            Deposit { token: [9; 20], ..deposit },
            Deposit { depositor: [9; 20], ..deposit },
            Deposit { recipient: [9; 32], ..deposit },
            Deposit { amount: 1_001, ..deposit },
        ] {
            assert_ne!(changed.deposit_hash(), deposit.deposit_hash(), "{changed:?}");
        }
        for changed in [
            Withdrawal { id: 2, ..withdrawal },
            Withdrawal { token: [9; 20], ..withdrawal },
            Withdrawal { recipient: [9; 20], ..withdrawal },
            Withdrawal { amount: 1_001, ..withdrawal },
            Withdrawal { fee: 0, ..withdrawal },
            Withdrawal { fee: 11, ..withdrawal },
        ] {
            assert_ne!(changed.leaf(1, vault), withdrawal.leaf(1, vault), "{changed:?}");
        }
        let leaf = withdrawal.leaf(1, vault);
        assert_ne!(leaf, withdrawal.leaf(2, vault), "the L1 chain id is bound into the leaf");
        assert_ne!(leaf, withdrawal.leaf(1, H160::repeat_byte(7)), "the vault is bound into the leaf");
    }

    #[test]
    fn withdrawal_leaf_is_the_keccak_of_seven_abi_words_fee_last() {
        let withdrawal = Withdrawal { id: 7, token: [1; 20], recipient: [2; 20], amount: 1_000, fee: 3 };
        let vault = H160::repeat_byte(8);
        let mut encoded = [0u8; 224];
        encoded[24..32].copy_from_slice(&31337u64.to_be_bytes());
        encoded[44..64].copy_from_slice(vault.as_bytes());
        encoded[88..96].copy_from_slice(&7u64.to_be_bytes());
        encoded[108..128].copy_from_slice(&[1; 20]);
        encoded[140..160].copy_from_slice(&[2; 20]);
        encoded[176..192].copy_from_slice(&1_000u128.to_be_bytes());
        encoded[208..224].copy_from_slice(&3u128.to_be_bytes());
        assert_eq!(withdrawal.leaf(31337, vault), keccak(&encoded));
    }

    #[test]
    fn checkpoint_digest_binds_chain_and_contract() {
        let cp = Checkpoint {
            sidechain_genesis: H256::repeat_byte(1),
            number: 1,
            first_block: 1,
            last_block: 10,
            last_block_hash: H256::repeat_byte(2),
            withdrawals_root: H256::zero(),
            validator_set_id: 0,
            next_validator_set_hash: H256::repeat_byte(3),
        };
        let contract = H160::repeat_byte(4);
        assert_ne!(cp.digest(1, contract), cp.digest(31337, contract));
        assert_ne!(cp.digest(1, contract), cp.digest(1, H160::repeat_byte(5)));
        assert_ne!(cp.struct_hash(), Checkpoint { number: 2, ..cp }.struct_hash());
    }
}
