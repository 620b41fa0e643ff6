//! The runtime API relayers and wallets read the bridge through.
//!
//! The runtime implements it with one-line calls into the pallet:
//!
//! ```ignore
//! impl pallet_bridge::runtime_api::BridgeApi<Block> for Runtime {
//!     fn withdrawal_status(id: WithdrawalId) -> Option<WithdrawalStatus> { Bridge::withdrawal_status(id) }
//!     fn withdrawal_proof(id: WithdrawalId) -> Option<WithdrawalProof> { Bridge::withdrawal_proof(id) }
//!     fn signed_checkpoint(number: CheckpointNumber) -> Option<(Checkpoint, Vec<EthSignature>)> {
//!         Bridge::signed_checkpoint(number)
//!     }
//!     fn checkpoints_to_sign(key: ecdsa::Public) -> Vec<(CheckpointNumber, u32, H256)> {
//!         Bridge::checkpoints_to_sign(&key)
//!     }
//!     fn validator_set(set_id: Option<ValidatorSetId>) -> Option<L1ValidatorSet> { Bridge::validator_set(set_id) }
//!     fn lowest_unexecuted_nonce() -> u64 { Bridge::lowest_unexecuted_nonce() }
//!     fn deposit_status(nonce: u64) -> Option<DepositStatus> { Bridge::deposit_status(nonce) }
//!     fn l1_params() -> Option<L1Parameters> { Bridge::l1_params() }
//!     fn deposit_attestation_digest(deposit: Deposit) -> Option<H256> {
//!         Bridge::deposit_attestation_digest(&deposit)
//!     }
//! }
//! ```

use alloc::vec::Vec;
use ludus_primitives::bridge::{Checkpoint, Deposit};
use sp_core::{ecdsa, H256};

use crate::types::{
    CheckpointNumber, DepositStatus, EthSignature, L1Parameters, L1ValidatorSet, ValidatorSetId, WithdrawalId,
    WithdrawalProof, WithdrawalStatus,
};

sp_api::decl_runtime_apis! {
    /// Reads of the bridge for relayers, wallets and the validators' checkpoint signer.
    ///
    /// Version 2: `withdrawal_proof` answers a [`WithdrawalProof`] with the leaf bound to its
    /// checkpoint's L1 chain and Vault; `validator_set` and `lowest_unexecuted_nonce` added.
    /// Version 3: `deposit_status`, `l1_params` and `deposit_attestation_digest` added, for
    /// relayers and the node's `ludus_bridge_attestDeposit`.
    #[api_version(3)]
    pub trait BridgeApi {
        /// Where withdrawal `id` stands; `None` if it does not exist.
        fn withdrawal_status(id: WithdrawalId) -> Option<WithdrawalStatus>;
        /// Withdrawal `id`, its checkpoint's number, its leaf and its Merkle proof for
        /// `Vault.claim`; `None` until it is checkpointed.
        fn withdrawal_proof(id: WithdrawalId) -> Option<WithdrawalProof>;
        /// Checkpoint `number` and its signatures (L1 form, ascending signer address) for
        /// `Checkpoints.submit`; `None` until more than two thirds signed, and again once the
        /// signatures were pruned, `CheckpointSignatureRetention` checkpoints below the lowest
        /// unsigned one: an archive node still serves them at a block before the pruning.
        fn signed_checkpoint(number: CheckpointNumber) -> Option<(Checkpoint, Vec<EthSignature>)>;
        /// The recent checkpoints bridge key `key` should sign and has not:
        /// `(number, validator index, EIP-712 digest)`.
        fn checkpoints_to_sign(key: ecdsa::Public) -> Vec<(CheckpointNumber, u32, H256)>;
        /// Validator set `set_id` (the current set if `None`): its members' addresses in the
        /// order the L1 takes them (ascending) and its hash; `None` if no such set was
        /// installed (a queued set appears once it takes over).
        fn validator_set(set_id: Option<ValidatorSetId>) -> Option<L1ValidatorSet>;
        /// The lowest deposit nonce not executed yet: every Vault deposit below it is done,
        /// and attestations are accepted from it upwards.
        fn lowest_unexecuted_nonce() -> u64;
        /// Where deposit `nonce` stands: pending with the current set's attestations,
        /// executed (with its outcome, minted or refunded as which withdrawal, for the last
        /// `DepositOutcomeRetention` deposits and any executed ahead of a lower nonce;
        /// without for older ones), or `None` if no validator of the current set attested it.
        fn deposit_status(nonce: u64) -> Option<DepositStatus>;
        /// The L1 chain id, Vault and Checkpoints contract digests are bound to; `None`
        /// until set (then the bridge is inert).
        fn l1_params() -> Option<L1Parameters>;
        /// The digest a validator signs to attest `deposit`, exactly as `attest_deposit`
        /// checks it; `None` while the L1 parameters are unset.
        fn deposit_attestation_digest(deposit: Deposit) -> Option<H256>;
    }
}
