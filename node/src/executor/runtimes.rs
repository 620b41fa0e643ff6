//! The runtimes a node release carries (DESIGN.md, decision 1).
//!
//! The runtime is native: a release links every runtime its chains may run, and
//! [`Runtimes`] is that set. Which one executes a block is the chain's rule
//! (`crate::chain::Chain::runtime_at`): the runtime of the block's parent, or the one an
//! on-chain schedule (`pallet-runtime-upgrade`) names from its height on. Chains start on
//! [`Runtimes::genesis`]. `ludus-node` carries this release's runtime; `ludus-node-next` carries
//! the next one beside it (`src/bin/next.rs`).

use std::sync::Arc;

use sp_version::RuntimeVersion;

/// The by-name entry point `impl_runtime_apis!` generates (`apis::api::dispatch`): the
/// output of runtime API `method` with SCALE arguments, `None` for an unknown method.
pub type Dispatch = fn(method: &str, args: &[u8]) -> Option<Vec<u8>>;

/// One runtime linked into the node.
#[derive(Clone)]
pub struct NativeRuntime {
    /// Its version; `spec_version` names it.
    pub version: RuntimeVersion,
    /// Its entry point.
    pub dispatch: Dispatch,
}

impl NativeRuntime {
    /// The runtime of `ludus-runtime`: the current release's.
    pub fn current() -> Self {
        Self { version: ludus_runtime::VERSION, dispatch: ludus_runtime::apis::api::dispatch }
    }

    /// The runtime of `ludus-runtime-next`: the next release's, which only `ludus-node-next`
    /// (and tests) carry.
    pub fn next() -> Self {
        Self { version: ludus_runtime_next::VERSION, dispatch: ludus_runtime_next::apis::api::dispatch }
    }
}

/// The runtimes a node carries, in ascending `spec_version`; cheap to clone.
#[derive(Clone)]
pub struct Runtimes(Arc<[NativeRuntime]>);

impl Runtimes {
    /// The set of `runtimes`, of which the lowest `spec_version` runs from genesis.
    ///
    /// # Panics
    ///
    /// On an empty set, two runtimes of one `spec_version`, or runtimes of different
    /// `spec_name`s or state versions (the node hashes tries and extrinsics roots the one way):
    /// a release is built wrong, and must not start.
    pub fn new(mut runtimes: Vec<NativeRuntime>) -> Self {
        runtimes.sort_by_key(|runtime| runtime.version.spec_version);
        let first = runtimes.first().expect("a node carries at least one runtime").version.clone();
        for pair in runtimes.windows(2) {
            assert!(pair[0].version.spec_version < pair[1].version.spec_version, "two runtimes of one spec_version");
        }
        for runtime in &runtimes {
            assert_eq!(runtime.version.spec_name, first.spec_name, "runtimes of different chains");
            assert_eq!(runtime.version.state_version(), first.state_version(), "runtimes of different state versions");
            assert_eq!(
                runtime.version.extrinsics_root_state_version(),
                first.extrinsics_root_state_version(),
                "runtimes of different extrinsics-root versions"
            );
        }
        Self(runtimes.into())
    }

    /// The runtime of `spec_version`, if carried.
    pub fn get(&self, spec_version: u32) -> Option<&NativeRuntime> {
        self.0.iter().find(|runtime| runtime.version.spec_version == spec_version)
    }

    /// Whether runtime `spec_version` is carried.
    pub fn carries(&self, spec_version: u32) -> bool {
        self.get(spec_version).is_some()
    }

    /// The runtime new chains start on (the lowest version carried).
    pub fn genesis(&self) -> &NativeRuntime {
        &self.0[0]
    }

    /// The newest runtime carried.
    pub fn newest(&self) -> &NativeRuntime {
        &self.0[self.0.len() - 1]
    }

    /// The carried `spec_version`s for messages: `100, 101`.
    pub fn describe(&self) -> String {
        self.0.iter().map(|runtime| runtime.version.spec_version.to_string()).collect::<Vec<_>>().join(", ")
    }
}

impl Runtimes {
    /// This release's runtime and the next one, as `ludus-node-next` carries them.
    pub fn current_and_next() -> Self {
        Self::new(vec![NativeRuntime::current(), NativeRuntime::next()])
    }
}

impl Default for Runtimes {
    /// This release's runtime alone.
    fn default() -> Self {
        Self::new(vec![NativeRuntime::current()])
    }
}

impl std::fmt::Debug for Runtimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Runtimes({})", self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime(spec_version: u32) -> NativeRuntime {
        let mut current = NativeRuntime::current();
        current.version.spec_version = spec_version;
        current
    }

    #[test]
    fn runtimes_are_found_by_version_and_the_lowest_starts_chains() {
        let runtimes = Runtimes::new(vec![runtime(101), runtime(100)]);
        assert_eq!(runtimes.genesis().version.spec_version, 100);
        assert_eq!(runtimes.newest().version.spec_version, 101);
        assert!(runtimes.carries(101) && !runtimes.carries(102));
        assert_eq!(runtimes.describe(), "100, 101");
        assert_eq!(Runtimes::default().describe(), ludus_runtime::VERSION.spec_version.to_string());
    }

    #[test]
    #[should_panic(expected = "two runtimes of one spec_version")]
    fn a_release_carrying_one_version_twice_does_not_start() {
        Runtimes::new(vec![runtime(100), runtime(100)]);
    }
}
