//! `ludus_bridge_*`: the Ethereum bridge (pallet-bridge) as wallets and relayers need it on the L1.
//!
//! Each method SCALE-encodes its arguments as the runtime API's argument tuple, runs the
//! matching `BridgeApi_*` function of the runtime through [`ChainBackend::call`] on the
//! state of `at` (the best block by default), decodes the answer into the pallet's own
//! types and renders it as JSON that maps one to one onto the L1 contracts' arguments:
//!
//! - [`WithdrawalProofJson`] is what a wallet passes to
//!   `Vault.claim(withdrawal, checkpointNumber, proof)`;
//! - [`SignedCheckpointJson`] is what a relayer passes to
//!   `Checkpoints.submit(checkpoint, signatures)`;
//! - [`ValidatorSetJson`] is what a relayer passes to
//!   `Checkpoints.installValidatorSet(setId, validators)` after a handover;
//! - `ludus_bridge_lowestUnexecutedNonce` is where a validator's relayer resumes attesting
//!   Vault deposits, [`DepositStatusJson`] where one deposit stands, and `ludus_bridge_l1Params`
//!   which L1 chain and Vault the sidechain bridges to (a relayer checks its own against them);
//! - `ludus_bridge_attestDeposit` (unsafe, like `author_insertKey`) has the node sign a
//!   deposit the relayer saw on the L1 with its own bridge keys and submit the attestations,
//!   so the relayer never holds a key; it answers [`DepositAttestationJson`] per key.
//!
//! Encoding: ids, checkpoint and block numbers are JSON numbers (they are counters, far
//! below 2^53); token amounts (`uint256` on the L1, `u128` here) are decimal strings;
//! addresses, hashes and signatures are `0x…` hex of their exact byte length.
//!
//! The Merkle `leaf` comes from the runtime with the proof: it is bound to the L1 chain id and
//! Vault recorded with the withdrawal's checkpoint (which later `L1Params` do not change), so
//! a client can check the proof without an ABI encoder.
//!
//! Errors follow `state_*`: an unknown block or a failing runtime call is 4003
//! (`Client error: UnknownBlock: …`); a parameter that cannot be used is -32602.
//! `ludus_bridge_attestDeposit` fails with [`error::BRIDGE_ATTEST_RETRY`] (5002: retry the
//! same call later) or [`error::BRIDGE_ATTEST_REFUSED`] (5001: the operator must act), with
//! `{"retryable": bool}` as data; on a server without unsafe methods it is -32601.

use std::sync::Arc;

use codec::{Decode, DecodeAll, Encode};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use ludus_primitives::{
    bridge::{Checkpoint, Deposit, Withdrawal},
    Hash,
};
use pallet_bridge::types::{
    CheckpointNumber, DepositOutcome, DepositStatus, EthSignature, L1Parameters, L1ValidatorSet, RefundReason,
    ValidatorSetId, WithdrawalId, WithdrawalProof, WithdrawalStatus,
};
use serde::{Deserialize, Serialize};
use sp_core::{Bytes, H160, H256};

use crate::{
    backend::{AttestationResult, BackendError, BridgeAttesterBackend, ChainBackend, DepositAttestation},
    error,
    game_assets::decimal,
};

/// Bridge reads for wallets and relayers (`pallet_bridge::runtime_api::BridgeApi`).
#[rpc(server, client)]
pub trait BridgeApi {
    /// Where withdrawal `id` stands at `at` (or best); `null` if it does not exist.
    #[method(name = "ludus_bridge_withdrawalStatus", blocking)]
    fn withdrawal_status(&self, id: WithdrawalId, at: Option<Hash>) -> RpcResult<Option<WithdrawalStatusJson>>;

    /// Withdrawal `id` with its checkpoint's number, leaf and Merkle proof, ready for
    /// `Vault.claim`; `null` until the withdrawal is in a checkpoint (or if it does not exist).
    #[method(name = "ludus_bridge_withdrawalProof", blocking)]
    fn withdrawal_proof(&self, id: WithdrawalId, at: Option<Hash>) -> RpcResult<Option<WithdrawalProofJson>>;

    /// Checkpoint `number` with its EIP-712 struct hash and its signatures, ready for
    /// `Checkpoints.submit`; `null` until more than two thirds of its set signed it, and again
    /// once its signatures were pruned (`CheckpointSignatureRetention`, 1,024 checkpoints below
    /// the lowest unsigned one): then ask an archive node, with `at` a block before the pruning.
    #[method(name = "ludus_bridge_signedCheckpoint", blocking)]
    fn signed_checkpoint(&self, number: CheckpointNumber, at: Option<Hash>) -> RpcResult<Option<SignedCheckpointJson>>;

    /// Validator set `setId` (the current set if omitted or `null`) at `at` (or best), ready
    /// for `Checkpoints.installValidatorSet`: its members' addresses ascending and its hash;
    /// `null` if no such set has been installed on the sidechain.
    #[method(name = "ludus_bridge_validatorSet", blocking)]
    fn validator_set(&self, set_id: Option<ValidatorSetId>, at: Option<Hash>) -> RpcResult<Option<ValidatorSetJson>>;

    /// The lowest Vault deposit nonce not executed at `at` (or best): every deposit below it
    /// was minted or refunded, and validators attest from it upwards.
    #[method(name = "ludus_bridge_lowestUnexecutedNonce", blocking)]
    fn lowest_unexecuted_nonce(&self, at: Option<Hash>) -> RpcResult<u64>;

    /// Where Vault deposit `nonce` stands at `at` (or best): pending with the current set's
    /// attestations, or executed; `null` if no validator of the current set attested it.
    #[method(name = "ludus_bridge_depositStatus", blocking)]
    fn deposit_status(&self, nonce: u64, at: Option<Hash>) -> RpcResult<Option<DepositStatusJson>>;

    /// The L1 chain id, Vault and Checkpoints contract the sidechain bridges to at `at` (or
    /// best), `{"chainId", "vault", "checkpointsContract"}`; `null` until root sets them.
    #[method(name = "ludus_bridge_l1Params", blocking)]
    fn l1_params(&self, at: Option<Hash>) -> RpcResult<Option<L1Parameters>>;

    /// Unsafe. Signs `deposit` (as the Vault's `Deposited` log reports it) with every bridge
    /// key in this node's keystore that belongs to the current validator set, and submits
    /// the attestations to the pool; one answer per key. For the validator's own relayer:
    /// the key never leaves the node.
    #[method(name = "ludus_bridge_attestDeposit", blocking)]
    fn attest_deposit(&self, deposit: DepositJson) -> RpcResult<Vec<DepositAttestationJson>>;
}

/// A Vault deposit as its `Deposited` log reports it: the parameter of
/// `ludus_bridge_attestDeposit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositJson {
    /// The Vault's deposit counter: 1, 2, 3 …
    pub nonce: u64,
    /// The L1 token, `0x…` (20 bytes); the zero address for ETH.
    pub token: H160,
    /// The L1 account that paid, `0x…` (20 bytes).
    pub depositor: H160,
    /// The sidechain account (AccountId32) to credit, `0x…` (32 bytes).
    pub recipient: H256,
    /// The amount in the token's smallest unit, as a decimal string.
    #[serde(with = "decimal")]
    pub amount: u128,
}

impl From<DepositJson> for Deposit {
    fn from(d: DepositJson) -> Self {
        Self { nonce: d.nonce, token: d.token.0, depositor: d.depositor.0, recipient: d.recipient.0, amount: d.amount }
    }
}

impl From<Deposit> for DepositJson {
    fn from(d: Deposit) -> Self {
        Self {
            nonce: d.nonce,
            token: H160(d.token),
            depositor: H160(d.depositor),
            recipient: H256(d.recipient),
            amount: d.amount,
        }
    }
}

/// What became of one key's attestation: `"submitted"` (with `txHash`), `"alreadyAttested"`
/// or `"executed"`; all three mean the relayer is done with this deposit for this key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttestationResultJson {
    /// In the transaction pool, as `txHash`.
    Submitted,
    /// This validator's attestation of the nonce is already on chain.
    AlreadyAttested,
    /// The nonce is already executed (minted or refunded).
    Executed,
}

/// One element of the result of `ludus_bridge_attestDeposit`:
/// `{"validatorIndex": 0, "address": "0x…", "result": "submitted", "txHash": "0x…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositAttestationJson {
    /// The key's index in the current bridge validator set.
    pub validator_index: u32,
    /// The key's Ethereum address, `0x…` (20 bytes).
    pub address: H160,
    /// What became of the attestation.
    pub result: AttestationResultJson,
    /// The attestation extrinsic's hash, when `result` is `"submitted"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_hash: Option<Hash>,
}

impl From<DepositAttestation> for DepositAttestationJson {
    fn from(a: DepositAttestation) -> Self {
        let (result, tx_hash) = match a.result {
            AttestationResult::Submitted { tx_hash } => (AttestationResultJson::Submitted, Some(tx_hash)),
            AttestationResult::AlreadyAttested => (AttestationResultJson::AlreadyAttested, None),
            AttestationResult::Executed => (AttestationResultJson::Executed, None),
        };
        Self { validator_index: a.validator_index, address: a.address, result, tx_hash }
    }
}

/// Result of `ludus_bridge_depositStatus`:
/// `{"status": "pending", "setId": 0, "attestations": 1, "threshold": 3, "attestedBy": [2]}`
/// or `{"status": "executed"}`, the latter with `"outcome": "minted"`, `"outcome":
/// "refunded", "refundWithdrawalId": 7, "reason": "unknownToken"` or `"outcome": "failed",
/// "reason": …` while the pallet still records what came of it (the last
/// `DepositOutcomeRetention` deposits; for older ones the outcome is in their events only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum DepositStatusJson {
    /// Attested by some validators of the current set, not executed yet.
    Pending {
        /// The current set, whose attestations count.
        set_id: ValidatorSetId,
        /// The most attestations one version of the deposit has.
        attestations: u32,
        /// How many attestations of one version execute it.
        threshold: u32,
        /// The validator indices that attested the nonce, ascending.
        attested_by: Vec<u32>,
    },
    /// Executed: minted, or refunded to the depositor on the L1.
    Executed {
        /// What came of it; the pallet keeps it for the last `DepositOutcomeRetention`
        /// (4,096) deposits, absent for older ones (then in the deposit's events only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<DepositOutcomeJson>,
        /// The refund's withdrawal id (claimable on the L1 like any withdrawal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refund_withdrawal_id: Option<WithdrawalId>,
        /// Why it was not minted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<RefundReasonJson>,
    },
}

/// What came of an executed deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DepositOutcomeJson {
    /// Minted to the recipient.
    Minted,
    /// Refunded to the depositor as a withdrawal.
    Refunded,
    /// Neither minted nor refundable (withdrawal ids exhausted); the tokens stay in the Vault.
    Failed,
}

/// Why a deposit was not minted (`pallet_bridge::RefundReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RefundReasonJson {
    /// The token is not registered on the sidechain.
    UnknownToken,
    /// The recipient's 32 bytes are not an account of this chain.
    InvalidRecipient,
    /// The amount is below the asset's minimum balance for a new holder.
    BelowMinimum,
    /// The amount would overflow the token's ledger, supply or the recipient's balance.
    LedgerOverflow,
    /// The asset refused the mint (frozen, being destroyed, …).
    AssetRefused,
}

impl From<RefundReason> for RefundReasonJson {
    fn from(reason: RefundReason) -> Self {
        match reason {
            RefundReason::UnknownToken => Self::UnknownToken,
            RefundReason::InvalidRecipient => Self::InvalidRecipient,
            RefundReason::BelowMinimum => Self::BelowMinimum,
            RefundReason::LedgerOverflow => Self::LedgerOverflow,
            RefundReason::AssetRefused => Self::AssetRefused,
        }
    }
}

impl From<DepositStatus> for DepositStatusJson {
    fn from(status: DepositStatus) -> Self {
        match status {
            DepositStatus::Pending { set_id, attestations, threshold, attested_by } => {
                Self::Pending { set_id, attestations, threshold, attested_by }
            }
            DepositStatus::Executed { outcome } => {
                let (outcome, refund_withdrawal_id, reason) = match outcome {
                    None => (None, None, None),
                    Some(DepositOutcome::Minted) => (Some(DepositOutcomeJson::Minted), None, None),
                    Some(DepositOutcome::Refunded { withdrawal, reason }) => {
                        (Some(DepositOutcomeJson::Refunded), Some(withdrawal), Some(reason.into()))
                    }
                    Some(DepositOutcome::Failed { reason }) => {
                        (Some(DepositOutcomeJson::Failed), None, Some(reason.into()))
                    }
                };
                Self::Executed { outcome, refund_withdrawal_id, reason }
            }
        }
    }
}

/// Result of `ludus_bridge_withdrawalStatus`: `{"status": "pending"}`,
/// `{"status": "inCheckpoint", "checkpoint": n}` or `{"status": "signed", "checkpoint": n}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum WithdrawalStatusJson {
    /// Burnt on the sidechain; its period has not been checkpointed yet.
    Pending,
    /// In checkpoint `checkpoint`, which does not have enough signatures yet.
    InCheckpoint {
        /// The checkpoint's number.
        checkpoint: CheckpointNumber,
    },
    /// In checkpoint `checkpoint`, signed by more than two thirds of its set: claimable
    /// once a relayer has submitted the checkpoint to the L1.
    Signed {
        /// The checkpoint's number.
        checkpoint: CheckpointNumber,
    },
}

impl From<WithdrawalStatus> for WithdrawalStatusJson {
    fn from(status: WithdrawalStatus) -> Self {
        match status {
            WithdrawalStatus::Pending => Self::Pending,
            WithdrawalStatus::InCheckpoint { number } => Self::InCheckpoint { checkpoint: number },
            WithdrawalStatus::Signed { number } => Self::Signed { checkpoint: number },
        }
    }
}

/// A withdrawal as the Vault's `Withdrawal` struct takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalJson {
    /// The sidechain's withdrawal counter; the leaf's index in the Vault's claimed bitmap.
    pub id: WithdrawalId,
    /// The L1 token, `0x…` (20 bytes); the zero address for ETH.
    pub token: H160,
    /// The L1 account the Vault pays `amount - fee`, `0x…` (20 bytes).
    pub recipient: H160,
    /// The amount in the token's smallest unit, fee included, as a decimal string.
    #[serde(with = "decimal")]
    pub amount: u128,
    /// What the Vault pays whoever claims the withdrawal (at most `amount`), as a decimal
    /// string.
    #[serde(with = "decimal")]
    pub fee: u128,
}

impl From<Withdrawal> for WithdrawalJson {
    fn from(w: Withdrawal) -> Self {
        Self { id: w.id, token: H160(w.token), recipient: H160(w.recipient), amount: w.amount, fee: w.fee }
    }
}

/// Result of `ludus_bridge_withdrawalProof`: the arguments of `Vault.claim`, plus the leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalProofJson {
    /// The withdrawal to claim.
    pub withdrawal: WithdrawalJson,
    /// The number of the checkpoint whose `withdrawalsRoot` the proof leads to.
    pub checkpoint: CheckpointNumber,
    /// The withdrawal's Merkle leaf (`Withdrawal::leaf`: its fields, the L1 chain id and the
    /// Vault its checkpoint was fixed for).
    pub leaf: H256,
    /// The sibling hashes from the leaf up to the root (OpenZeppelin `MerkleProof` order).
    pub proof: Vec<H256>,
}

impl From<WithdrawalProof> for WithdrawalProofJson {
    fn from(p: WithdrawalProof) -> Self {
        Self { withdrawal: p.withdrawal.into(), checkpoint: p.checkpoint, leaf: p.leaf, proof: p.proof }
    }
}

/// A checkpoint as the Checkpoints contract's `Checkpoint` struct takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointJson {
    /// Hash of the sidechain's block 0.
    pub sidechain_genesis: H256,
    /// The checkpoint's number: 1, 2, 3 …
    pub number: CheckpointNumber,
    /// First sidechain block of the period.
    pub first_block: u32,
    /// Last sidechain block of the period.
    pub last_block: u32,
    /// Hash of `lastBlock`.
    pub last_block_hash: H256,
    /// Merkle root of the period's withdrawals; zero when there are none.
    pub withdrawals_root: H256,
    /// The validator set that signed the checkpoint.
    pub validator_set_id: u64,
    /// The commitment to the set that signs the next checkpoint.
    pub next_validator_set_hash: H256,
}

impl From<Checkpoint> for CheckpointJson {
    fn from(c: Checkpoint) -> Self {
        Self {
            sidechain_genesis: c.sidechain_genesis,
            number: c.number,
            first_block: c.first_block,
            last_block: c.last_block,
            last_block_hash: c.last_block_hash,
            withdrawals_root: c.withdrawals_root,
            validator_set_id: c.validator_set_id,
            next_validator_set_hash: c.next_validator_set_hash,
        }
    }
}

/// Result of `ludus_bridge_signedCheckpoint`: the arguments of `Checkpoints.submit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedCheckpointJson {
    /// The checkpoint.
    pub checkpoint: CheckpointJson,
    /// Its EIP-712 `hashStruct`, for relayers that check the signatures before paying gas.
    pub struct_hash: H256,
    /// The signatures, 65 bytes each (`r ‖ s ‖ v`, v ∈ {27, 28}), in ascending signer
    /// address as the contract demands.
    pub signatures: Vec<Bytes>,
}

impl SignedCheckpointJson {
    fn new(checkpoint: Checkpoint, signatures: Vec<EthSignature>) -> Self {
        Self {
            struct_hash: checkpoint.struct_hash(),
            checkpoint: checkpoint.into(),
            signatures: signatures.into_iter().map(|s| Bytes(s.to_vec())).collect(),
        }
    }
}

/// Result of `ludus_bridge_validatorSet`: the arguments of
/// `Checkpoints.installValidatorSet(setId, validators)`, and the hash the handover checkpoint
/// committed to (its `nextValidatorSetHash`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorSetJson {
    /// The set's id: 0 for the genesis set, one more at each change.
    pub set_id: ValidatorSetId,
    /// The members' Ethereum addresses, `0x…` (20 bytes), strictly ascending.
    pub validators: Vec<H160>,
    /// `validatorSetHash(setId, validators)`.
    pub hash: H256,
}

impl From<L1ValidatorSet> for ValidatorSetJson {
    fn from(set: L1ValidatorSet) -> Self {
        Self { set_id: set.set_id, validators: set.validators, hash: set.hash }
    }
}

/// Serves [`BridgeApiServer`] from a [`ChainBackend`] and, for the unsafe
/// `ludus_bridge_attestDeposit`, a [`BridgeAttesterBackend`].
pub struct Bridge {
    backend: Arc<dyn ChainBackend>,
    attester: Arc<dyn BridgeAttesterBackend>,
    allow_unsafe: bool,
}

impl Bridge {
    /// Serves `backend` and `attester`; `ludus_bridge_attestDeposit` answers only if `allow_unsafe`.
    pub fn new(backend: Arc<dyn ChainBackend>, attester: Arc<dyn BridgeAttesterBackend>, allow_unsafe: bool) -> Self {
        Self { backend, attester, allow_unsafe }
    }

    fn at(&self, hash: Option<Hash>) -> Hash {
        hash.unwrap_or_else(|| self.backend.info().best_hash)
    }

    /// Runs `BridgeApi_<function>(args)` at `at` and decodes its whole output as `T`.
    fn runtime_call<T: Decode>(&self, at: Option<Hash>, function: &str, args: impl Encode) -> RpcResult<T> {
        let method = format!("BridgeApi_{function}");
        let out = self.backend.call(self.at(at), &method, &args.encode()).map_err(error::state_client)?;
        T::decode_all(&mut &out[..]).map_err(|e| {
            error::state_client(BackendError::Other(format!(
                "{method} returned an undecodable answer ({e}): the runtime's pallet-bridge types differ \
                 from this node's; upgrade the node to match the runtime"
            )))
        })
    }
}

impl BridgeApiServer for Bridge {
    fn withdrawal_status(&self, id: WithdrawalId, at: Option<Hash>) -> RpcResult<Option<WithdrawalStatusJson>> {
        let status: Option<WithdrawalStatus> = self.runtime_call(at, "withdrawal_status", (id,))?;
        Ok(status.map(WithdrawalStatusJson::from))
    }

    fn withdrawal_proof(&self, id: WithdrawalId, at: Option<Hash>) -> RpcResult<Option<WithdrawalProofJson>> {
        let answer: Option<WithdrawalProof> = self.runtime_call(at, "withdrawal_proof", (id,))?;
        Ok(answer.map(WithdrawalProofJson::from))
    }

    fn signed_checkpoint(&self, number: CheckpointNumber, at: Option<Hash>) -> RpcResult<Option<SignedCheckpointJson>> {
        let answer: Option<(Checkpoint, Vec<EthSignature>)> = self.runtime_call(at, "signed_checkpoint", (number,))?;
        Ok(answer.map(|(checkpoint, signatures)| SignedCheckpointJson::new(checkpoint, signatures)))
    }

    fn validator_set(&self, set_id: Option<ValidatorSetId>, at: Option<Hash>) -> RpcResult<Option<ValidatorSetJson>> {
        let answer: Option<L1ValidatorSet> = self.runtime_call(at, "validator_set", (set_id,))?;
        Ok(answer.map(ValidatorSetJson::from))
    }

    fn lowest_unexecuted_nonce(&self, at: Option<Hash>) -> RpcResult<u64> {
        self.runtime_call(at, "lowest_unexecuted_nonce", ())
    }

    fn deposit_status(&self, nonce: u64, at: Option<Hash>) -> RpcResult<Option<DepositStatusJson>> {
        let status: Option<DepositStatus> = self.runtime_call(at, "deposit_status", (nonce,))?;
        Ok(status.map(DepositStatusJson::from))
    }

    fn l1_params(&self, at: Option<Hash>) -> RpcResult<Option<L1Parameters>> {
        self.runtime_call(at, "l1_params", ())
    }

    fn attest_deposit(&self, deposit: DepositJson) -> RpcResult<Vec<DepositAttestationJson>> {
        if !self.allow_unsafe {
            return Err(error::unsafe_denied());
        }
        if deposit.nonce == 0 {
            return Err(error::invalid_params("deposit nonce 0 does not exist: the Vault numbers deposits from 1"));
        }
        let attestations = self.attester.attest_deposit(deposit.into()).map_err(error::bridge_attest)?;
        Ok(attestations.into_iter().map(DepositAttestationJson::from).collect())
    }
}
