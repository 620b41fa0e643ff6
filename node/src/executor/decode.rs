//! Decoding what comes from outside (RPC, peers, offchain workers) with bounded nesting.
//!
//! A call can hold calls (`sudo.sudo`, `utility.batch`, `utility.as_derivative`), so a few
//! bytes per level encode a call nested a million deep, and a plain `Decode` of it recurses
//! until the thread's stack overflows and the process aborts. Substrate survives this
//! because its Wasm runtime has a stack of its own and its node decodes with
//! `decode_with_depth_limit(MAX_EXTRINSIC_DEPTH)`; our runtime runs natively, so every
//! extrinsic or call from outside is decoded here, with the same limit frame-executive
//! applies, before anything else (the pool, the runtime, the author) touches it.
//!
//! [`check_runtime_args`] does the same for the arguments of runtime API calls: the code
//! `impl_runtime_apis!` generates decodes them with a plain `Decode`, and `Core_execute_block`
//! decodes a block's extrinsics without a depth limit, so the executor checks the arguments
//! of every method that takes an extrinsic, a call or a block before it dispatches.

use codec::{Decode, Encode, Input};
use ludus_primitives::{Block as OpaqueBlock, Hash};
use ludus_runtime::{RuntimeCall, UncheckedExtrinsic};
use sp_runtime::transaction_validity::TransactionSource;

/// Deepest nesting of calls accepted, as frame-executive counts it (each `Box` or `Vec` a
/// level): FRAME's own limit, so whatever a Substrate chain accepts, we accept.
pub const MAX_EXTRINSIC_DEPTH: u32 = frame_support::MAX_EXTRINSIC_DEPTH;

/// Why bytes from outside are not an acceptable extrinsic (or call, or argument list).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Its calls nest deeper than [`MAX_EXTRINSIC_DEPTH`].
    #[error("its calls nest deeper than {MAX_EXTRINSIC_DEPTH} levels")]
    TooDeep,
    /// It is not a valid encoding.
    #[error("{0}")]
    Invalid(String),
    /// A valid encoding followed by bytes that belong to nothing.
    #[error("{0} trailing bytes")]
    TrailingBytes(usize),
}

/// A byte slice that counts nesting and remembers whether the limit was hit, so the caller
/// can tell "too deep" from "malformed" (codec reports both as an opaque error).
struct DepthLimited<'a> {
    input: &'a [u8],
    depth: u32,
    too_deep: bool,
}

impl Input for DepthLimited<'_> {
    fn remaining_len(&mut self) -> Result<Option<usize>, codec::Error> {
        self.input.remaining_len()
    }

    fn read(&mut self, into: &mut [u8]) -> Result<(), codec::Error> {
        self.input.read(into)
    }

    fn descend_ref(&mut self) -> Result<(), codec::Error> {
        self.depth += 1;
        if self.depth > MAX_EXTRINSIC_DEPTH {
            self.too_deep = true;
            return Err("Maximum recursion depth reached when decoding".into());
        }
        Ok(())
    }

    fn ascend_ref(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Stack a decode is given (a thread with less left decodes on a fresh segment): far more
/// than [`MAX_EXTRINSIC_DEPTH`] levels of call decoding take even unoptimised (measured beside
/// the runtime's stack, in `executor::tests`).
pub const DECODE_STACK_BYTES: usize = 8 * 1024 * 1024;

/// Decodes a `T` from the front of `bytes` with nesting bounded by [`MAX_EXTRINSIC_DEPTH`];
/// returns it and the bytes left over.
pub fn decode_prefix<T: Decode>(bytes: &[u8]) -> Result<(T, &[u8]), DecodeError> {
    let mut input = DepthLimited { input: bytes, depth: 0, too_deep: false };
    let decoded = stacker::maybe_grow(DECODE_STACK_BYTES, DECODE_STACK_BYTES, || T::decode(&mut input));
    match decoded {
        Ok(value) => Ok((value, input.input)),
        Err(_) if input.too_deep => Err(DecodeError::TooDeep),
        Err(error) => Err(DecodeError::Invalid(error.to_string())),
    }
}

/// Decodes exactly one `T` from `bytes`, nesting bounded by [`MAX_EXTRINSIC_DEPTH`].
pub fn decode_all<T: Decode>(bytes: &[u8]) -> Result<T, DecodeError> {
    match decode_prefix(bytes)? {
        (value, []) => Ok(value),
        (_, rest) => Err(DecodeError::TrailingBytes(rest.len())),
    }
}

/// Decodes one extrinsic from outside.
pub fn decode_extrinsic(bytes: &[u8]) -> Result<UncheckedExtrinsic, DecodeError> {
    decode_all(bytes)
}

/// Checks every extrinsic of an encoded block (runtime API argument encoding: header, then
/// the extrinsics); returns the bytes after the block.
fn check_block(args: &[u8]) -> Result<&[u8], DecodeError> {
    let (block, rest) = decode_prefix::<OpaqueBlock>(args)?;
    for extrinsic in &block.extrinsics {
        decode_extrinsic(&extrinsic.encode())?;
    }
    Ok(rest)
}

/// Checks the arguments of runtime API `method` when they hold extrinsics, calls or blocks,
/// the only argument types whose nesting the input chooses. The runtime decodes the same
/// bytes again: this pass only proves that doing so is safe.
///
/// Every such method of the runtime is listed here; a test compares the list with the
/// runtime's metadata (the methods whose argument types are recursive), so a new API taking
/// a call cannot be forgotten.
pub fn check_runtime_args(method: &str, args: &[u8]) -> Result<(), DecodeError> {
    match method {
        "Core_execute_block" => check_block(args).map(drop),
        "BlockBuilder_check_inherents" => check_block(args).map(drop),
        "BlockBuilder_apply_extrinsic" => decode_prefix::<UncheckedExtrinsic>(args).map(drop),
        "TaggedTransactionQueue_validate_transaction" => {
            decode_prefix::<(TransactionSource, UncheckedExtrinsic, Hash)>(args).map(drop)
        }
        // The pool's batch validation; a batch holding an extrinsic nested within a level or
        // two of the limit is refused here, and the pool validates its extrinsics one by one.
        "TransactionBatchApi_validate_transactions" => {
            decode_prefix::<(Vec<(TransactionSource, UncheckedExtrinsic)>, Hash)>(args).map(drop)
        }
        "TransactionPaymentApi_query_info" | "TransactionPaymentApi_query_fee_details" => {
            decode_prefix::<(UncheckedExtrinsic, u32)>(args).map(drop)
        }
        "TransactionPaymentCallApi_query_call_info" | "TransactionPaymentCallApi_query_call_fee_details" => {
            decode_prefix::<(RuntimeCall, u32)>(args).map(drop)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::{bare_extrinsic, nested_call, nested_call_bytes, remark, Wrapper};

    /// The most levels of `wrapper` an extrinsic may nest (the limit counts a level per
    /// wrapper, plus whatever the extrinsic's own encoding adds).
    fn deepest_accepted(wrapper: Wrapper) -> usize {
        (0..=MAX_EXTRINSIC_DEPTH as usize + 1)
            .take_while(|&levels| decode_extrinsic(&bare_extrinsic(&nested_call_bytes(wrapper, levels))).is_ok())
            .last()
            .unwrap_or_else(|| panic!("{wrapper:?}: not even a bare remark decodes"))
    }

    #[test]
    fn raw_nested_bytes_are_the_encoding_of_nested_calls() {
        for wrapper in Wrapper::ALL {
            assert_eq!(nested_call_bytes(wrapper, 7), nested_call(wrapper, 7).encode(), "{wrapper:?}");
        }
        let bare = UncheckedExtrinsic::new_bare(nested_call(Wrapper::Batch, 3)).encode();
        assert_eq!(bare_extrinsic(&nested_call_bytes(Wrapper::Batch, 3)), bare);
    }

    #[test]
    fn calls_nest_up_to_frames_limit_and_no_deeper() {
        for wrapper in Wrapper::ALL {
            let deepest = deepest_accepted(wrapper);
            // Every level of every wrapper counts: the limit is FRAME's, not a smaller one.
            assert!(deepest >= MAX_EXTRINSIC_DEPTH as usize - 2, "{wrapper:?}: only {deepest} levels accepted");
            let just_over = bare_extrinsic(&nested_call_bytes(wrapper, deepest + 1));
            assert_eq!(decode_extrinsic(&just_over).unwrap_err(), DecodeError::TooDeep, "{wrapper:?}");
        }
    }

    #[test]
    fn a_million_levels_are_refused_as_too_deep_without_recursing_into_them() {
        for wrapper in Wrapper::ALL {
            let deep = bare_extrinsic(&nested_call_bytes(wrapper, 1_000_000));
            assert_eq!(decode_extrinsic(&deep).unwrap_err(), DecodeError::TooDeep, "{wrapper:?}");
        }
    }

    #[test]
    fn malformed_and_trailing_bytes_are_told_apart_from_depth() {
        let good = UncheckedExtrinsic::new_bare(remark()).encode();
        assert!(decode_extrinsic(&good).is_ok());
        assert!(matches!(decode_extrinsic(&good[..good.len() - 1]), Err(DecodeError::Invalid(_))));
        let mut trailing = good.clone();
        trailing.extend_from_slice(&[0, 0, 0]);
        assert_eq!(decode_extrinsic(&trailing).unwrap_err(), DecodeError::TrailingBytes(3));
        assert!(matches!(decode_extrinsic(&[0xff; 5]), Err(DecodeError::Invalid(_))));
    }

    #[test]
    fn runtime_arguments_holding_calls_are_checked_and_others_pass_through() {
        let deep_xt = bare_extrinsic(&nested_call_bytes(Wrapper::Sudo, 100_000));
        let deep_call = nested_call_bytes(Wrapper::Batch, 100_000);
        let len = 0u32.encode();
        let mut validate = TransactionSource::External.encode();
        validate.extend_from_slice(&deep_xt);
        validate.extend_from_slice(&Hash::zero().encode());
        let cases: [(&str, Vec<u8>); 5] = [
            ("TaggedTransactionQueue_validate_transaction", validate),
            ("BlockBuilder_apply_extrinsic", deep_xt.clone()),
            ("TransactionPaymentApi_query_info", [deep_xt.clone(), len.clone()].concat()),
            ("TransactionPaymentApi_query_fee_details", [deep_xt.clone(), len.clone()].concat()),
            ("TransactionPaymentCallApi_query_call_info", [deep_call, len].concat()),
        ];
        for (method, args) in cases {
            assert_eq!(check_runtime_args(method, &args), Err(DecodeError::TooDeep), "{method}");
        }
        // A block whose second extrinsic nests too deep.
        use sp_runtime::traits::Header as _;
        let header = ludus_primitives::Header::new(1, Hash::zero(), Hash::zero(), Hash::zero(), Default::default());
        let extrinsics = vec![
            sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(&UncheckedExtrinsic::new_bare(remark()).encode())
                .unwrap(),
            sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(&deep_xt).unwrap(),
        ];
        let block = OpaqueBlock { header, extrinsics }.encode();
        assert_eq!(check_runtime_args("Core_execute_block", &block), Err(DecodeError::TooDeep));
        assert_eq!(check_runtime_args("BlockBuilder_check_inherents", &block), Err(DecodeError::TooDeep));
        // Methods without calls in their arguments are the runtime's business.
        assert_eq!(check_runtime_args("Core_version", &[1, 2, 3]), Ok(()));
    }
}
