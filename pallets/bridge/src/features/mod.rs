//! The pallet's logic, one file per capability; `lib.rs` only checks origins and calls in.

mod checkpoints;
mod deposits;
mod queries;
mod recovery;
mod registry;
mod signer;
mod try_state;
mod validators;
mod withdrawals;
