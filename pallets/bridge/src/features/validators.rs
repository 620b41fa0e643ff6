//! Bridge validator sets: validation, queueing, the threshold.

use alloc::vec::Vec;
use frame_support::{defensive, ensure, traits::Get, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use ludus_primitives::bridge::{eth_address, validator_set_hash};
use sp_core::{ecdsa, H256};
use sp_runtime::{traits::Zero, DispatchResult};

use crate::*;

impl<T: Config> Pallet<T> {
    /// Queues `keys` as the next bridge validator set; the runtime's session handler calls
    /// this when the session's bridge keys change.
    ///
    /// The set is installed at the start of the next block, right after the checkpoint that
    /// commits to its hash (signed by the outgoing set, which is how the L1 learns it). With
    /// no current set (a chain that started without one) it is installed at once.
    pub fn do_set_validators(keys: Vec<ecdsa::Public>) -> DispatchResult {
        let list = Self::validator_list(keys)?;
        let set_id = CurrentSetId::<T>::get();
        let size = list.len() as u32;
        if ValidatorSets::<T>::get(set_id).is_empty() {
            let set_hash = Self::set_hash(set_id, &list);
            ValidatorSets::<T>::insert(set_id, list);
            Self::deposit_event(Event::ValidatorSetChanged { set_id, validators: size, set_hash });
        } else {
            let next_id = set_id.saturating_add(1);
            let set_hash = Self::set_hash(next_id, &list);
            QueuedValidators::<T>::put(list);
            Self::deposit_event(Event::ValidatorSetQueued { set_id: next_id, validators: size, set_hash });
        }
        Ok(())
    }

    /// `keys` as a set: non-empty, within `MaxValidators`, valid keys, sorted by Ethereum
    /// address without duplicates.
    pub(crate) fn validator_list(keys: Vec<ecdsa::Public>) -> Result<ValidatorList<T::MaxValidators>, Error<T>> {
        ensure!(!keys.is_empty(), Error::<T>::EmptyValidatorSet);
        ensure!(keys.len() <= T::MaxValidators::get() as usize, Error::<T>::TooManyValidators);
        let mut validators = keys
            .into_iter()
            .map(|key| {
                eth_address(&key)
                    .map(|address| BridgeValidator { key, address })
                    .map_err(|_| Error::<T>::InvalidValidatorKey)
            })
            .collect::<Result<Vec<_>, _>>()?;
        validators.sort_by_key(|validator| validator.address);
        ensure!(validators.windows(2).all(|pair| pair[0].address < pair[1].address), Error::<T>::DuplicateValidator);
        BoundedVec::try_from(validators).map_err(|_| Error::<T>::TooManyValidators)
    }

    /// [`validator_set_hash`] of a stored set.
    pub(crate) fn set_hash(set_id: ValidatorSetId, set: &[BridgeValidator]) -> H256 {
        let addresses: Vec<_> = set.iter().map(|validator| validator.address).collect();
        validator_set_hash(set_id, &addresses).unwrap_or_else(|error| {
            defensive!("stored validator sets are non-empty and sorted by address; qed", error);
            H256::zero()
        })
    }

    /// The hash of block 0, which every digest is bound to. frame-system never prunes it.
    pub fn sidechain_genesis() -> H256 {
        Self::block_hash(Zero::zero())
    }

    /// The hash of block `number` as an `H256` (zero if it is not known).
    pub(crate) fn block_hash(number: BlockNumberFor<T>) -> H256 {
        let hash = frame_system::BlockHash::<T>::get(number);
        let bytes: &[u8] = hash.as_ref();
        if bytes.len() == 32 {
            H256::from_slice(bytes)
        } else {
            defensive!("the bridge needs a 32-byte block hash (the L1 formats are bytes32); qed");
            H256::zero()
        }
    }
}
