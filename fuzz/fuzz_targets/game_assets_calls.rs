//! Sequences of game-assets calls from twelve accounts and root against the real runtime, with
//! every pallet's `try_state` (game-assets' also checking these accounts' holds) after each
//! call and an unchanged state root after each failed one. See `ludus_fuzz::calls`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludus_fuzz::calls::{accounts, run_sequence};
use ludus_runtime::{Runtime, RuntimeCall};

fuzz_target!(init: ludus_fuzz::seeds::write_if_asked("game_assets_calls"), |data: &[u8]| {
    run_sequence::<pallet_game_assets::Call<Runtime>>(data, RuntimeCall::GameAssets, Some("GameAssets"), || {
        if let Err(error) = pallet_game_assets::Pallet::<Runtime>::try_state_with(accounts()) {
            panic!("game-assets invariant broken: {error:?}");
        }
    })
});
