//! The offchain checkpoint signer: runs in the node's offchain worker, signs with the
//! keystore's bridge keys and submits unsigned `submit_checkpoint_signature` transactions.

use frame_system::{offchain::SubmitTransaction, pallet_prelude::BlockNumberFor};
use sp_runtime::traits::UniqueSaturatedInto;

use crate::*;

/// The log target of the signer.
const LOG_TARGET: &str = "runtime::bridge::signer";

impl<T: Config> Pallet<T> {
    /// Signs and submits every checkpoint a local bridge key still has to sign whose
    /// `last_block` is at most `final_block`; returns how many signatures went to the pool.
    ///
    /// Failures (a key the keystore cannot use, a pool that refuses) are logged and skipped:
    /// the checkpoint stays in `checkpoints_to_sign` and is retried on the next run.
    pub(crate) fn sign_checkpoints(final_block: BlockNumberFor<T>) -> u32 {
        // Without them there is no digest to sign (and `checkpoints_to_sign` is empty).
        if !L1Params::<T>::exists() {
            log::debug!(target: LOG_TARGET, "L1 parameters unset; not signing checkpoints");
            return 0;
        }
        let final_block: u32 = final_block.unique_saturated_into();
        let mut submitted = 0u32;
        for key in sp_io::crypto::ecdsa_public_keys(BRIDGE_KEY_TYPE) {
            for (number, validator_index, digest) in Self::checkpoints_to_sign(&key) {
                // Only once every block it commits to is final (see the hook's contract).
                let is_final =
                    Checkpoints::<T>::get(number).is_some_and(|checkpoint| checkpoint.last_block <= final_block);
                if !is_final {
                    continue;
                }
                let Some(signature) =
                    sp_io::crypto::ecdsa_sign_prehashed(BRIDGE_KEY_TYPE, &key, digest.as_fixed_bytes())
                else {
                    log::warn!(target: LOG_TARGET, "the keystore could not sign checkpoint {number} with {key:?}");
                    continue;
                };
                let call = Call::<T>::submit_checkpoint_signature { number, validator_index, signature };
                let extrinsic = T::create_bare(call.into());
                match SubmitTransaction::<T, Call<T>>::submit_transaction(extrinsic) {
                    Ok(()) => submitted = submitted.saturating_add(1),
                    // Usually a duplicate of an earlier run's submission still in the pool.
                    Err(()) => log::debug!(
                        target: LOG_TARGET,
                        "the pool refused the signature of checkpoint {number} by validator {validator_index}"
                    ),
                }
            }
        }
        submitted
    }
}
