//! The native benchmark harness that produces `weights.rs`.
//!
//! As for game-assets (`pallets/game-assets/src/weights_gen`): the `ludus-benchmarking` crate
//! runs each `#[benchmark]` of `benchmarking.rs` in-process on the mock's genesis, stepping
//! each component over its range, counts reads, writes and proof size on an in-memory trie,
//! fits base + slopes, and this module writes them out as `weights.rs`.
//!
//! Three calls take no argument their weight could follow, yet cost more with the runtime's
//! bounds: `attest_deposit` (clears up to `MaxValidators` attestations, moves the lowest
//! nonce over up to `AttestationWindow` executed ones, dropping one old outcome record for
//! each, and a refund rewrites the open period's list of up to
//! `MaxWithdrawalsPerCheckpoint`), `withdraw` (rewrites that list) and
//! `submit_checkpoint_signature` (reads a set of up to `MaxValidators`). Their benchmarks
//! have those as components (`v`, `n`, `p`), and
//! the generated functions take each at the configured maximum: `SubstrateWeight<T>` from
//! `T`'s constants, `()` from the Ludus runtime's values, written in the file.
//!
//! Regenerate (release build; the measuring itself takes a few seconds):
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p pallet-bridge --features runtime-benchmarks \
//!     weights_gen::driver::generate_weights -- --ignored --nocapture
//! ```
//!
//! `LUDUS_BENCH_STEPS` and `LUDUS_BENCH_REPEATS` override the defaults (10 and 100). Without
//! `LUDUS_BENCH_WRITE=1` the table is printed and `weights.rs` is left alone.

#[cfg(feature = "runtime-benchmarks")]
mod driver {
    use crate::mock::{l1_params, pair, AllPalletsWithSystem, Test, VALIDATOR_SEEDS};
    use frame_support::traits::WhitelistedStorageKeys;
    use ludus_benchmarking::{call_docs, machine, regenerate_weights, weight_body, Measured, Provenance, Settings};
    use sp_runtime::BuildStorage;
    use std::fmt::Write as _;

    /// The Ludus runtime's `MaxValidators` (`MaxAuthorities`), at which `()` takes `v`.
    const RUNTIME_MAX_VALIDATORS: u32 = 64;
    /// The Ludus runtime's `AttestationWindow`, at which `()` takes `n`.
    const RUNTIME_ATTESTATION_WINDOW: u32 = 256;
    /// The Ludus runtime's `MaxWithdrawalsPerCheckpoint`; `()` takes `p` one short of it.
    const RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT: u32 = 1024;

    /// What the trait says of each call, and the components its function does not take but
    /// fixes at a configured maximum: (component, in `SubstrateWeight<T>`, in `()`).
    type Bound = (&'static str, &'static str, &'static str);

    /// `p`, the withdrawals already in the open period: one short of full.
    const PERIOD: Bound =
        ("p", "T::MaxWithdrawalsPerCheckpoint::get().saturating_sub(1)", "RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT - 1");

    fn describe(name: &str) -> (&'static str, &'static [Bound]) {
        match name {
            "register_token" => ("`register_token` (creates an asset).", &[]),
            "deregister_token" => ("`deregister_token`.", &[]),
            "set_validators" => ("`set_validators` with `n` keys.", &[]),
            "attest_deposit" => (
                "`attest_deposit` at the threshold: clears the nonce's attestations, tries the mint, \
                 refunds, and moves the lowest unexecuted nonce across the window, dropping the outcome \
                 each step pushes out of the retention.",
                &[
                    ("v", "T::MaxValidators::get()", "RUNTIME_MAX_VALIDATORS"),
                    (
                        "n",
                        "u32::try_from(T::AttestationWindow::get()).unwrap_or(u32::MAX)",
                        "RUNTIME_ATTESTATION_WINDOW",
                    ),
                    PERIOD,
                ],
            ),
            "withdraw" => ("`withdraw` into a period one short of full.", &[PERIOD]),
            "submit_checkpoint_signature" => (
                "`submit_checkpoint_signature`, the one that completes the threshold.",
                &[("v", "T::MaxValidators::get()", "RUNTIME_MAX_VALIDATORS")],
            ),
            "set_paused" => ("`set_paused`.", &[]),
            "set_l1_params" => ("`set_l1_params`.", &[]),
            "set_min_withdrawal" => ("`set_min_withdrawal`.", &[]),
            "fix_checkpoint" => {
                ("Fixing a checkpoint with `w` withdrawals in `on_initialize` (and installing a queued set).", &[])
            }
            _ => ("(undocumented benchmark)", &[]),
        }
    }

    /// The mock's genesis: the four dev validators as set 0 and the L1 parameters.
    fn genesis_storage() -> sp_runtime::Storage {
        let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
        crate::GenesisConfig::<Test> {
            validators: VALIDATOR_SEEDS.iter().map(|seed| sp_core::Pair::public(&pair(seed))).collect(),
            l1_params: Some(l1_params()),
            ..Default::default()
        }
        .assimilate_storage(&mut storage)
        .unwrap();
        storage
    }

    /// Measures every benchmark of the pallet on the mock's genesis (see `ludus_benchmarking::measure`).
    pub fn measure(settings: Settings) -> Result<Vec<Measured>, ludus_benchmarking::Error> {
        let whitelist = <AllPalletsWithSystem as WhitelistedStorageKeys>::whitelisted_storage_keys();
        ludus_benchmarking::measure::<crate::Pallet<Test>>(genesis_storage(), &whitelist, settings)
    }

    /// The components a call's function takes (those not fixed at a maximum).
    fn parameters(m: &Measured) -> Vec<(usize, &str)> {
        let (_, bounds) = describe(&m.name);
        m.components
            .iter()
            .enumerate()
            .filter(|(_, (c, _, _))| !bounds.iter().any(|(b, _, _)| b == c))
            .map(|(i, (c, _, _))| (i, c.as_str()))
            .collect()
    }

    fn signature(m: &Measured) -> String {
        let params: Vec<String> = parameters(m)
            .into_iter()
            .map(|(i, c)| if m.uses_component(i) { format!("{c}: u32") } else { format!("_{c}: u32") })
            .collect();
        format!("fn {}({}) -> Weight", m.name, params.join(", "))
    }

    /// `let`s fixing the components the function does not take, where the figures use them.
    fn bindings(m: &Measured, unit: bool) -> String {
        let (_, bounds) = describe(&m.name);
        let mut out = String::new();
        for (i, (c, _, _)) in m.components.iter().enumerate() {
            if let Some((_, substrate, runtime)) = bounds.iter().find(|(b, _, _)| b == c) {
                if m.uses_component(i) {
                    let _ = writeln!(out, "        let {c}: u32 = {};", if unit { runtime } else { substrate });
                }
            }
        }
        out
    }

    /// The text of `weights.rs`.
    pub fn render(measured: &[Measured], provenance: &Provenance) -> String {
        let Settings { steps, repeats } = provenance.settings;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"//! Weights of the bridge calls and of checkpoint fixing, measured by the native benchmark
//! harness.
//!
//! GENERATED FILE, do not edit by hand. Produced by `src/weights_gen` (the frame-benchmarking v2
//! benchmarks in `benchmarking.rs`, run natively against the mock runtime on an in-memory trie
//! backend that counts reads and writes like the CLI's benchmarking database), with:
//!
//! ```text
//! LUDUS_BENCH_WRITE=1 cargo test --release -p pallet-bridge --features runtime-benchmarks \
//!     weights_gen::driver::generate_weights -- --ignored --nocapture
//! ```
//!
//! - machine: {machine}
//! - date: {date}
//! - steps: {steps}, repeats: {repeats}, release build, analysis: min_squares_iqr
//!
//! Execution time is the fitted extrinsic time in picoseconds (base, plus a slope per component),
//! without storage-root time; it includes the secp256k1 verification of the unsigned calls once
//! (at dispatch; the pool's check in `ValidateUnsigned` is not part of block execution). Reads
//! and writes are distinct non-whitelisted keys touched, priced by the database weight. Proof
//! size is the recorded trie proof on the mock's small trie.
//!
//! Component ranges are the mock's (`MaxValidators` 8, `AttestationWindow` 8,
//! `MaxWithdrawalsPerCheckpoint` 5); the linear slopes carry the figures to the runtime's
//! bounds. `attest_deposit`, `withdraw` and `submit_checkpoint_signature` take no argument, so
//! their components (`v` validators, `n` nonces, `p` withdrawals in the open period) are fixed
//! at the configured maximum: `SubstrateWeight<T>` reads `T`'s constants, `()` uses the Ludus
//! runtime's ({RUNTIME_MAX_VALIDATORS} validators, window {RUNTIME_ATTESTATION_WINDOW},
//! {RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT} withdrawals per checkpoint).

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{{traits::Get, weights::Weight}};

/// How the figures were obtained.
pub const MEASUREMENT: &str = "native frame-benchmarking v2 run (src/weights_gen), {machine}, {date}, steps {steps}, repeats {repeats}, release";

/// The Ludus runtime's `MaxValidators`, at which `()` weighs the calls that depend on it.
pub const RUNTIME_MAX_VALIDATORS: u32 = {RUNTIME_MAX_VALIDATORS};
/// The Ludus runtime's `AttestationWindow`, at which `()` weighs `attest_deposit`.
pub const RUNTIME_ATTESTATION_WINDOW: u32 = {RUNTIME_ATTESTATION_WINDOW};
/// The Ludus runtime's `MaxWithdrawalsPerCheckpoint`: `()` weighs `withdraw` and refunds
/// joining a period one short of it.
pub const RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT: u32 = {RUNTIME_MAX_WITHDRAWALS_PER_CHECKPOINT};

/// Weight functions of the pallet.
pub trait WeightInfo {{
"#,
            machine = provenance.machine,
            date = provenance.date,
        );
        for m in measured {
            let params: Vec<String> = parameters(m).into_iter().map(|(_, c)| format!("{c}: u32")).collect();
            let _ = writeln!(out, "    /// {}", describe(&m.name).0);
            let _ = writeln!(out, "    fn {}({}) -> Weight;", m.name, params.join(", "));
        }
        out.push_str(
            "}\n\n/// Weights for a runtime whose database costs `T::DbWeight`, at `T`'s bounds.\npub struct SubstrateWeight<T>(PhantomData<T>);\n\nimpl<T: crate::Config> WeightInfo for SubstrateWeight<T> {\n",
        );
        for m in measured {
            out.push_str(&call_docs::<AllPalletsWithSystem>(m));
            let _ = writeln!(out, "    {} {{", signature(m));
            out.push_str(&bindings(m, false));
            out.push_str(&weight_body(m, 1, "T::DbWeight::get()", ""));
            out.push_str("    }\n");
        }
        out.push_str(
            "}\n\n/// For the Ludus runtime and the tests: the same figures priced with RocksDB weights, at the\n/// Ludus runtime's bounds.\nimpl WeightInfo for () {\n",
        );
        for m in measured {
            let _ = writeln!(out, "    {} {{", signature(m));
            out.push_str(&bindings(m, true));
            out.push_str(&weight_body(m, 1, "frame_support::weights::constants::RocksDbWeight::get()", ""));
            out.push_str("    }\n");
        }
        out.push_str("}\n");
        out
    }

    /// Measures everything and, with `LUDUS_BENCH_WRITE=1`, rewrites `src/weights.rs`.
    #[test]
    #[ignore = "regenerates weights.rs; run in release, see the module docs"]
    fn generate_weights() {
        regenerate_weights(env!("CARGO_MANIFEST_DIR"), measure, render).unwrap();
    }

    /// Every benchmark runs through the harness and yields plausible, CLI-shaped figures, and
    /// the file keeps the trait the pallet calls.
    #[test]
    fn harness_measures_every_benchmark() {
        let measured = measure(Settings { steps: 2, repeats: 2 }).unwrap();
        let names: Vec<&str> = measured.iter().map(|m| m.name.as_str()).collect();
        for call in [
            "register_token",
            "deregister_token",
            "set_validators",
            "attest_deposit",
            "withdraw",
            "submit_checkpoint_signature",
            "set_paused",
            "set_l1_params",
            "set_min_withdrawal",
            "fix_checkpoint",
        ] {
            assert!(names.contains(&call), "{call} missing from {names:?}");
        }
        for m in &measured {
            assert!(m.time.minimum > 0, "{}: no time measured", m.name);
            assert!(m.writes.base > 0 || m.writes.slopes.iter().any(|s| *s > 0), "{}: writes nothing", m.name);
        }
        let attest = measured.iter().find(|m| m.name == "attest_deposit").unwrap();
        // The set, the attestations and the token at least: state really is read from the trie.
        assert!(attest.reads.base >= 3, "attest_deposit reads {}", attest.reads.base);
        assert!(attest.proof.base > 0, "attest_deposit records no proof");

        let text = render(
            &measured,
            &Provenance { machine: machine(), date: "test".into(), settings: Settings { steps: 2, repeats: 1 } },
        );
        for method in [
            "fn attest_deposit() -> Weight;",
            "fn submit_checkpoint_signature() -> Weight;",
            "fn withdraw() -> Weight;",
            "fn set_validators(n: u32) -> Weight;",
            "fn fix_checkpoint(w: u32) -> Weight;",
        ] {
            assert!(text.contains(method), "{method} missing");
        }
        assert!(text.contains("impl WeightInfo for () {"));
    }
}
