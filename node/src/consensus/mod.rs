//! Consensus: who may author which block, and what makes a block importable.
//!
//! - [`aura`]: Aura-style slots and seals (DESIGN.md, decision 3).
//! - [`import`]: every check a block passes before it is written.
//! - [`equivocation`]: authors sealing two blocks for one slot, caught at import.
//! - [`authoring`]: building, sealing and writing our own blocks.
//! - [`slot_worker`]: the validator's authoring task, which knows block propagation only
//!   through [`slot_worker::BlockPropagation`].

pub mod aura;
pub mod authoring;
pub mod equivocation;
pub mod import;
pub mod slot_worker;

pub use aura::{check_seal, seal_item, slot_at, slot_author, slot_digest, slot_of, take_seal, SealError};
