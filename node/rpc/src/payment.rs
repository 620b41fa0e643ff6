//! `payment_*`: fee estimates from the runtime's `TransactionPaymentApi`.

use std::sync::Arc;

use codec::{Decode, DecodeAll, Encode};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::ErrorObjectOwned};
use ludus_primitives::{Balance, Hash};
use pallet_transaction_payment_rpc_runtime_api::{FeeDetails, InclusionFee, RuntimeDispatchInfo};
use sp_core::Bytes;
use sp_runtime::OpaqueExtrinsic;

use crate::{backend::ChainBackend, error, types::NumberOrHex};

/// FRAME's transaction payment RPC (`pallet_transaction_payment_rpc`).
#[rpc(server)]
pub trait PaymentApi {
    /// Weight, class and partial fee (without tip) of an extrinsic at `at` (or best).
    #[method(name = "payment_queryInfo", blocking)]
    fn query_info(&self, encoded_xt: Bytes, at: Option<Hash>) -> RpcResult<RuntimeDispatchInfo<Balance>>;

    /// Breakdown of the inclusion fee of an extrinsic at `at` (or best).
    #[method(name = "payment_queryFeeDetails", blocking)]
    fn query_fee_details(&self, encoded_xt: Bytes, at: Option<Hash>) -> RpcResult<FeeDetails<NumberOrHex>>;
}

/// Serves [`PaymentApiServer`] from a [`ChainBackend`].
pub struct Payment {
    backend: Arc<dyn ChainBackend>,
}

impl Payment {
    /// Serves `backend`.
    pub fn new(backend: Arc<dyn ChainBackend>) -> Self {
        Self { backend }
    }

    /// Runs `method(uxt, len)` and decodes its output as `T`, with the error
    /// codes and `what` message FRAME's RPC uses.
    fn query<T: Decode>(&self, method: &str, xt: &[u8], at: Option<Hash>, what: &'static str) -> RpcResult<T> {
        // The runtime API takes the extrinsic type, whose SCALE encoding is the bytes
        // themselves; checking they are one whole extrinsic keeps garbage out of the runtime.
        OpaqueExtrinsic::decode_all(&mut &xt[..])
            .map_err(|e| ErrorObjectOwned::owned(error::DECODE_ERROR, what, Some(format!("{e:?}"))))?;
        let len = u32::try_from(xt.len()).map_err(|_| error::invalid_params("extrinsic longer than 4 GiB"))?;
        let mut args = xt.to_vec();
        len.encode_to(&mut args);
        let at = at.unwrap_or_else(|| self.backend.info().best_hash);
        let out = self
            .backend
            .call(at, method, &args)
            .map_err(|e| ErrorObjectOwned::owned(error::RUNTIME_ERROR, what, Some(e.to_string())))?;
        T::decode_all(&mut &out[..]).map_err(|e| {
            ErrorObjectOwned::owned(error::DECODE_ERROR, what, Some(format!("undecodable runtime answer: {e:?}")))
        })
    }
}

impl PaymentApiServer for Payment {
    fn query_info(&self, encoded_xt: Bytes, at: Option<Hash>) -> RpcResult<RuntimeDispatchInfo<Balance>> {
        self.query("TransactionPaymentApi_query_info", &encoded_xt, at, "Unable to query dispatch info.")
    }

    fn query_fee_details(&self, encoded_xt: Bytes, at: Option<Hash>) -> RpcResult<FeeDetails<NumberOrHex>> {
        let details: FeeDetails<Balance> =
            self.query("TransactionPaymentApi_query_fee_details", &encoded_xt, at, "Unable to query fee details.")?;
        Ok(FeeDetails {
            inclusion_fee: details.inclusion_fee.map(|fee| InclusionFee {
                base_fee: fee.base_fee.into(),
                len_fee: fee.len_fee.into(),
                adjusted_weight_fee: fee.adjusted_weight_fee.into(),
            }),
            // Not serialized (Substrate cannot know the tip either).
            tip: NumberOrHex::Number(0),
        })
    }
}
