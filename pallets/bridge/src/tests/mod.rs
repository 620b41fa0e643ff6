//! Tests by theme, all on the mock runtime with real secp256k1 dev keys, and all ending with
//! the invariant check ([`crate::mock::run_test`]).

mod attestation_limits;
mod bounded_state;
mod checkpoint_schedule;
mod checkpoints;
mod deposits;
mod l1_params;
mod offchain;
mod recovery;
mod refunds;
mod registry;
mod relayer_reads;
mod withdrawals;

use frame_support::{assert_ok, pallet_prelude::TransactionValidity};
use ludus_primitives::bridge::Deposit;
use sp_core::{ecdsa, Pair};
use sp_runtime::{transaction_validity::TransactionSource, AccountId32, DispatchResult};

use crate::{mock::*, *};

/// The bridged L1 token of most tests.
pub const TOKEN: L1Token = [0x11; 20];
/// Its sidechain asset.
pub const ASSET: u32 = 7;
/// The sidechain account deposits go to.
pub const RECIPIENT: [u8; 32] = [0x42; 32];
/// An L1 account withdrawals pay.
pub const L1_RECIPIENT: L1Address = [0x33; 20];

/// The account with these 32 bytes.
pub fn account(bytes: [u8; 32]) -> AccountId32 {
    AccountId32::new(bytes)
}

/// Registers [`TOKEN`] as [`ASSET`] (min balance 1).
pub fn register() {
    assert_ok!(Bridge::register_token(RuntimeOrigin::root(), TOKEN, ASSET, 1));
}

/// A deposit of `amount` [`TOKEN`] to [`RECIPIENT`].
pub fn deposit(nonce: u64, amount: u128) -> Deposit {
    Deposit { nonce, token: TOKEN, depositor: [0x22; 20], recipient: RECIPIENT, amount }
}

/// `pair`'s attestation signature of `deposit` for this chain, L1 and Vault.
pub fn attestation(pair: &ecdsa::Pair, deposit: &Deposit) -> ecdsa::Signature {
    let digest = deposit.attestation_digest(Bridge::sidechain_genesis(), L1_CHAIN_ID, VaultAddress::get());
    pair.sign_prehashed(digest.as_fixed_bytes())
}

/// What the transaction pool says of an unsigned call.
#[allow(deprecated)] // `ValidateUnsigned` is what the pallet implements; see lib.rs.
pub fn validate(call: &Call<Test>) -> TransactionValidity {
    <Bridge as sp_runtime::traits::ValidateUnsigned>::validate_unsigned(TransactionSource::External, call)
}

/// Validator `index` (of [`validators`]) attests `deposit` the way a block would include it:
/// through the pool's validation, then dispatch.
pub fn attest(index: usize, deposit: &Deposit) -> DispatchResult {
    let signature = attestation(&validators()[index], deposit);
    let call = Call::<Test>::attest_deposit { deposit: *deposit, validator_index: index as u32, signature };
    validate(&call).map_err(|_| "refused by the pool")?;
    Bridge::attest_deposit(RuntimeOrigin::none(), *deposit, index as u32, signature)
}

/// [`ASSET`] held by `who`.
pub fn asset_balance(who: [u8; 32]) -> u128 {
    Assets::balance(ASSET, account(who))
}

/// Mints `amount` to [`RECIPIENT`] through a deposit attested by three of the four validators.
pub fn deposited(nonce: u64, amount: u128) {
    let deposit = deposit(nonce, amount);
    for index in 0..3 {
        assert_ok!(attest(index, &deposit));
    }
    assert_eq!(outcome(nonce), Some(DepositOutcome::Minted));
}

/// What came of deposit `nonce`, from its events (its record in [`ExecutedDeposits`] goes
/// once the lowest unexecuted nonce is `DepositOutcomeRetention` past it); `None` while it
/// is not executed.
pub fn outcome(nonce: u64) -> Option<DepositOutcome> {
    events().into_iter().find_map(|event| match event {
        Event::DepositExecuted { nonce: executed, .. } if executed == nonce => Some(DepositOutcome::Minted),
        Event::DepositRefunded { nonce: refunded, withdrawal_id, reason, .. } if refunded == nonce => {
            Some(DepositOutcome::Refunded { withdrawal: withdrawal_id, reason })
        }
        Event::DepositFailed { nonce: failed, reason } if failed == nonce => Some(DepositOutcome::Failed { reason }),
        _ => None,
    })
}

/// The pallet's events so far.
pub fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::Bridge(event) => Some(event),
            _ => None,
        })
        .collect()
}
