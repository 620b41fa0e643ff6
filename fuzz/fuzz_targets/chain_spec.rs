//! Chain-spec JSON (`--chain <file>`) through the node's loader: any bytes become a spec or an
//! error, never a panic that escapes it.
//!
//! The loader runs the runtime's genesis build under `catch_unwind` on purpose (FRAME's genesis
//! builds panic on bad configs), so this target silences the panic hook and aborts only on a
//! panic that leaves it (printing the message the silenced hook would have).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludus_chain_spec::{ChainSpec, MAX_SPEC_FILE_BYTES};
use std::panic::{catch_unwind, AssertUnwindSafe};

fuzz_target!(
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
        // The file loader refuses bigger files before parsing.
        if data.len() as u64 > MAX_SPEC_FILE_BYTES {
            return;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(spec) = ChainSpec::from_json_bytes(data) {
                // What loads must write out and load again (`build-spec`, then `--chain`).
                let json = spec.to_json(false).expect("a loaded spec serializes");
                ChainSpec::from_json_bytes(json.as_bytes()).expect("a written spec loads");
            }
        }));
        match outcome {
            Ok(()) => {}
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                eprintln!("panic escaped the chain-spec loader: {message}");
                std::process::abort();
            }
        }
    }
);
