//! The weights of the transaction extensions: zero, because they are inside
//! [`ExtrinsicBaseWeight`](super::ExtrinsicBaseWeight).
//!
//! Not generated. `extrinsic_weights.rs` is measured by running signed empty remarks through
//! all eight extensions of `TxExtension` (`CheckNonZeroSender` to `ChargeTransactionPayment`,
//! the fee withdrawal and refund included), so every extension's execution and storage access
//! is already in the base weight every extrinsic is charged. Charging the extensions' own
//! benchmarked weights on top would count them twice: with the stock figures (RocksDB-priced
//! `()` for frame-system's extensions, `SubstrateWeight` for transaction payment) that was
//! about 290 µs per extrinsic, more than a native transfer costs all-in.
//!
//! If an extension is added to `TxExtension`, regenerate `extrinsic_weights.rs` so the base
//! covers it.

use frame_support::weights::Weight;

/// Zero weight for extensions whose cost `ExtrinsicBaseWeight` already holds.
pub struct InExtrinsicBase;

impl frame_system::ExtensionsWeightInfo for InExtrinsicBase {
    fn check_genesis() -> Weight {
        Weight::zero()
    }
    fn check_mortality_mortal_transaction() -> Weight {
        Weight::zero()
    }
    fn check_mortality_immortal_transaction() -> Weight {
        Weight::zero()
    }
    fn check_non_zero_sender() -> Weight {
        Weight::zero()
    }
    fn check_nonce() -> Weight {
        Weight::zero()
    }
    fn check_spec_version() -> Weight {
        Weight::zero()
    }
    fn check_tx_version() -> Weight {
        Weight::zero()
    }
    fn check_weight() -> Weight {
        Weight::zero()
    }
    fn weight_reclaim() -> Weight {
        Weight::zero()
    }
}

impl pallet_transaction_payment::WeightInfo for InExtrinsicBase {
    fn charge_transaction_payment() -> Weight {
        Weight::zero()
    }
}
