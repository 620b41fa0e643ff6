//! What can go wrong reading, checking or building a chain spec.

use std::path::PathBuf;

/// Why a chain spec could not be read, checked, built or written.
///
/// Every message names the offending field (as a JSON path such as
/// `genesis.runtimeGenesis.patch.balances.balances[0][1]`) so an operator can fix the file.
#[derive(Debug, thiserror::Error)]
pub enum ChainSpecError {
    /// The chain spec file could not be opened or read.
    #[error(
        "cannot read chain spec file `{path}`: {source}; pass `dev`, `local` or the path of a \
         chain spec JSON file"
    )]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The chain spec file is larger than any Ludus chain spec can be.
    #[error(
        "chain spec file `{path}` is larger than {limit} bytes, far more than a Ludus chain spec \
         holds; check that it is the right file"
    )]
    TooLarge {
        /// The file that was asked for.
        path: PathBuf,
        /// The size limit in bytes.
        limit: u64,
    },
    /// Something is wrong inside a chain spec file; the inner error says what.
    #[error("in chain spec file `{path}`: {source}")]
    InFile {
        /// The file the error was found in.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: Box<ChainSpecError>,
    },
    /// The JSON is malformed or does not have the chain spec's shape (unknown field, wrong
    /// type). For malformed JSON the message carries the line and column.
    #[error("invalid chain spec JSON{}: {source}", at(field))]
    Json {
        /// The JSON path of the offending value; empty for the document itself.
        field: String,
        /// serde_json's description, with line and column when parsing text.
        #[source]
        source: serde_json::Error,
    },
    /// A field parsed but its content is not acceptable.
    #[error("invalid chain spec field `{field}`: {problem}")]
    InvalidField {
        /// The JSON path of the offending field.
        field: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// The runtime genesis config (default config with the patch applied) does not fit the
    /// runtime's `RuntimeGenesisConfig`: unknown pallet or field, wrong type.
    #[error(
        "invalid genesis config at `{field}`: {source}; fix this entry of the chain spec to match \
         the Ludus runtime's genesis config"
    )]
    GenesisConfig {
        /// The JSON path of the offending value, from the top of the chain spec.
        field: String,
        /// serde_json's description.
        #[source]
        source: serde_json::Error,
    },
    /// The runtime's genesis build refused the config (or panicked on it, e.g. on duplicate
    /// session keys).
    #[error("building the genesis state failed: {0}; fix the genesis config in the chain spec")]
    BuildStorage(String),
    /// The runtime no longer offers a preset this crate builds a spec from.
    #[error(
        "the runtime has no usable genesis preset `{0}`; the runtime's presets and \
         ludus-chain-spec are out of step"
    )]
    MissingPreset(String),
    /// The chain spec could not be written as JSON.
    #[error("cannot write the chain spec as JSON: {0}")]
    Serialize(#[source] serde_json::Error),
}

impl ChainSpecError {
    /// Shorthand for [`ChainSpecError::InvalidField`].
    pub(crate) fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::InvalidField { field: field.into(), problem: problem.into() }
    }
}

/// ` at `field`` for a non-empty path, nothing for the document itself.
fn at(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!(" at `{field}`")
    }
}

/// The display form of a serde path, empty for the root (serde_path_to_error shows it as `.`).
pub(crate) fn path_string(path: &serde_path_to_error::Path) -> String {
    let shown = path.to_string();
    if shown == "." {
        String::new()
    } else {
        shown
    }
}
