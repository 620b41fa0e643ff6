//! The records the pallet stores and the answers its runtime API gives.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use ludus_primitives::bridge::Withdrawal;
use scale_info::TypeInfo;
use sp_core::{ecdsa, H160, H256};

/// An L1 token address; `address(0)` is native ETH.
pub type L1Token = [u8; 20];
/// An L1 account address.
pub type L1Address = [u8; 20];
/// The id of a bridge validator set; the genesis set is 0 and each change adds one.
pub type ValidatorSetId = u64;
/// A checkpoint's number: 1, 2, 3 …
pub type CheckpointNumber = u64;
/// A withdrawal's id: 1, 2, 3 …, also its index in the Vault's claimed bitmap.
pub type WithdrawalId = u64;
/// A signature in the form the L1 contracts take: `r ‖ s ‖ v`, v ∈ {27, 28}, low s.
pub type EthSignature = [u8; 65];

/// A registered L1 token: the asset it is bridged to and what of it is on the sidechain.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct TokenInfo<AssetId> {
    /// The sidechain asset (in `Config::Assets`) minted for deposits and burnt for withdrawals.
    pub asset: AssetId,
    /// What deposits minted and withdrawals have not burnt yet: the Vault's backing of the
    /// asset's supply (which it bounds). Not a lifetime total, which would overflow on a
    /// busy token and then refuse every deposit; this stays below the supply's own `u128`.
    pub outstanding: u128,
    /// The smallest amount `withdraw` takes: each withdrawal is a leaf and an L1 claim, so
    /// dust would fill checkpoint periods and cost more to claim than it pays.
    pub min_withdrawal: u128,
}

/// The facts of one deployment on the L1 that every signed digest is bound to: which chain,
/// and which contracts. They come from the chain spec (`l1Params` in the pallet's genesis)
/// or root's `set_l1_params`, never from the runtime code, so one runtime serves any L1.
///
/// JSON (chain spec): `{"chainId": 1, "vault": "0x…40 hex…", "checkpointsContract": "0x…"}`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct L1Parameters {
    /// The L1's chain id (EIP-155), bound into every signed digest.
    pub chain_id: u64,
    /// The L1 Vault's address, bound into deposit attestations.
    pub vault: H160,
    /// The L1 Checkpoints contract's address, the EIP-712 verifying contract of checkpoints.
    pub checkpoints_contract: H160,
}

/// One member of a bridge validator set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct BridgeValidator {
    /// The validator's secp256k1 bridge key.
    pub key: ecdsa::Public,
    /// Its Ethereum address, which the L1 contracts know the validator by.
    pub address: H160,
}

/// A validator set, sorted by strictly ascending Ethereum address (the order the L1
/// contracts demand of signers), so a validator's index is its rank by address.
pub type ValidatorList<S> = BoundedVec<BridgeValidator, S>;

/// What became of a deposit whose attestations reached the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum DepositOutcome {
    /// The amount was minted to the recipient.
    Minted,
    /// Nothing could be minted, so the same amount of the same token goes back to the
    /// depositor on the L1: `withdrawal` is an ordinary withdrawal (same period, proof and
    /// claim as a burnt one), paid from the tokens the deposit left in the Vault.
    Refunded {
        /// The refund's withdrawal id.
        withdrawal: WithdrawalId,
        /// Why nothing was minted.
        reason: RefundReason,
    },
    /// Nothing was minted and no refund could be made because the withdrawal ids are
    /// exhausted (after 2^64 withdrawals, so never in practice); the tokens stay in the Vault.
    Failed {
        /// Why nothing was minted.
        reason: RefundReason,
    },
}

/// Why a deposit could not be minted and was refunded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum RefundReason {
    /// The token is not registered on the sidechain.
    UnknownToken,
    /// The recipient's 32 bytes are not an account of this chain.
    InvalidRecipient,
    /// The recipient holds none of the asset and the amount is below its minimum balance.
    BelowMinimum,
    /// The amount would overflow the token's bridge ledger, the asset's supply or the
    /// recipient's balance.
    LedgerOverflow,
    /// The asset refused the mint for another reason: the asset or the recipient's account
    /// is frozen, the asset is being destroyed, or no account can be created for it.
    AssetRefused,
}

/// Whether deposits and withdrawals are paused (the circuit breaker).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct PauseState {
    /// Attestations are refused, so no deposit executes.
    pub deposits: bool,
    /// `withdraw` is refused.
    pub withdrawals: bool,
}

/// The L1 chain and Vault a checkpoint's withdrawal leaves are bound to
/// ([`Withdrawal::leaf`]): the [`L1Parameters`] when the checkpoint was fixed.
///
/// Recorded with each checkpoint because its root is fixed once and for all, while root may
/// change the L1 parameters later: proofs and invariants rebuild the leaves with this, never
/// with the current parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct LeafBinding {
    /// The L1's chain id.
    pub chain_id: u64,
    /// The Vault that pays the withdrawals.
    pub vault: H160,
}

impl From<L1Parameters> for LeafBinding {
    fn from(params: L1Parameters) -> Self {
        Self { chain_id: params.chain_id, vault: params.vault }
    }
}

impl LeafBinding {
    /// `withdrawal`'s Merkle leaf on this L1 and Vault.
    pub fn leaf(&self, withdrawal: &Withdrawal) -> H256 {
        withdrawal.leaf(self.chain_id, self.vault)
    }
}

/// The withdrawals of a fixed checkpoint: the leaves of its `withdrawals_root`.
///
/// Kept apart from the [`ludus_primitives::bridge::Checkpoint`] itself, so signature checks
/// never read the (up to `MaxWithdrawalsPerCheckpoint`) withdrawals.
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxWithdrawals))]
pub struct PeriodWithdrawals<MaxWithdrawals: Get<u32>> {
    /// The id of the first withdrawal the checkpoint commits for the first time (of the next
    /// one when there is none): those ids are contiguous, following the previous
    /// checkpoint's. Withdrawals committed again after their checkpoint was abandoned
    /// ([`crate::RecommittedWithdrawals`]) come before them, with lower ids.
    pub first_id: WithdrawalId,
    /// The period's withdrawals, in id order.
    pub withdrawals: BoundedVec<Withdrawal, MaxWithdrawals>,
    /// The L1 chain and Vault the leaves were bound to when the checkpoint was fixed.
    pub binding: LeafBinding,
}

impl<MaxWithdrawals: Get<u32>> PeriodWithdrawals<MaxWithdrawals> {
    /// The Merkle leaves of the withdrawals, in id order, as the checkpoint's root was built.
    pub fn leaves(&self) -> alloc::vec::Vec<H256> {
        self.withdrawals.iter().map(|withdrawal| self.binding.leaf(withdrawal)).collect()
    }
}

/// A checkpointed withdrawal with what `Vault.claim` needs to pay it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct WithdrawalProof {
    /// The withdrawal.
    pub withdrawal: Withdrawal,
    /// The checkpoint whose `withdrawals_root` the proof leads to.
    pub checkpoint: CheckpointNumber,
    /// The withdrawal's leaf, bound to the L1 chain and Vault of its checkpoint.
    pub leaf: H256,
    /// The sibling hashes from the leaf up to the root (OpenZeppelin `MerkleProof` order).
    pub proof: alloc::vec::Vec<H256>,
}

/// A validator set as the L1's Checkpoints contract knows it: the arguments of
/// `installValidatorSet(setId, validators)` and the hash a checkpoint commits to.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct L1ValidatorSet {
    /// The set's id: 0 for the genesis set, one more at each change.
    pub set_id: ValidatorSetId,
    /// The members' Ethereum addresses, strictly ascending (the order signatures take too).
    pub validators: alloc::vec::Vec<H160>,
    /// `validatorSetHash(setId, validators)`: what the checkpoint that hands over to this set
    /// names as its `next_validator_set_hash`.
    pub hash: H256,
}

/// How far the signing of a checkpoint has come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct SignatureTally {
    /// Signatures stored for the checkpoint.
    pub count: u32,
    /// Whether `count` reached the threshold of the checkpoint's validator set.
    pub signed: bool,
}

/// Where a withdrawal stands on its way to the L1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum WithdrawalStatus {
    /// Burnt; its period has not been checkpointed yet.
    Pending,
    /// In checkpoint `number`, which does not have enough signatures yet.
    InCheckpoint {
        /// The checkpoint's number.
        number: CheckpointNumber,
    },
    /// In checkpoint `number`, signed by more than two thirds of its set: claimable once a
    /// relayer submitted the checkpoint to the L1.
    Signed {
        /// The checkpoint's number.
        number: CheckpointNumber,
    },
}

/// The smallest number of signatures that is more than two thirds of a set of `set_size`:
/// `3 * count > 2 * set_size`. Never zero, even for an empty set, so an uninitialised
/// set can never pass (Ronin 2024, Nomad).
pub fn threshold(set_size: u32) -> u32 {
    // 2n/3 rounded down, plus one, is the least count with 3*count > 2n.
    (u64::from(set_size) * 2 / 3 + 1).try_into().unwrap_or(u32::MAX)
}

/// Where an L1 deposit stands on the sidechain ([`crate::Pallet::deposit_status`]).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum DepositStatus {
    /// Attested by some validators of the current set, not executed yet.
    Pending {
        /// The current set, whose attestations count.
        set_id: ValidatorSetId,
        /// The most attestations any one version of the deposit has: it executes when this
        /// reaches `threshold` (versions that differ in any field never add up).
        attestations: u32,
        /// How many attestations of one version execute it: more than two thirds of the set.
        threshold: u32,
        /// The indices of the validators that attested the nonce (any version), ascending.
        attested_by: alloc::vec::Vec<u32>,
    },
    /// Executed: minted to its recipient, or refunded to its depositor. `outcome` is what
    /// came of it, kept for the last `DepositOutcomeRetention` deposits below the lowest
    /// unexecuted nonce and for those executed ahead of it; `None` for an older one, whose
    /// record was dropped (the outcome stays in its `DepositExecuted`/`DepositRefunded`
    /// event).
    Executed {
        /// What came of it, if still recorded.
        outcome: Option<DepositOutcome>,
    },
}
