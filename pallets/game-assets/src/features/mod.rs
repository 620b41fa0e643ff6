//! The logic behind each call, one file per capability, plus the helpers they share.

mod approvals;
mod attributes;
mod collections;
mod crafting;
mod deposits;
mod freezing;
mod fuel;
mod market;
mod queries;
pub use queries::MAX_PAGE_SIZE;
mod tokens;
mod trades;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
