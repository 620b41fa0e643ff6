#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every target in fuzz/: extrinsics,
# chain specs, GRANDPA gossip, sync and transaction messages, pallet call sequences.
#
#   scripts/fuzz.sh                      a short run: each target 10,000 executions or 30 s
#   scripts/fuzz.sh extrinsic chain_spec only these targets
#   LUDUS_FUZZ_RUNS=1000000 LUDUS_FUZZ_SECONDS=0 scripts/fuzz.sh   a bench run (1M each, no time cap)
#   scripts/fuzz.sh --write-seeds        regenerate fuzz/corpus/<target> seeds from code
#
# Each target starts from its committed seeds (fuzz/corpus/<target>) and the crashes kept in
# fuzz/regressions/<target>; new corpus entries go to a scratch directory, so a run leaves the
# clone unchanged. A crash stops the run with libFuzzer's report and a non-zero exit; the
# crashing input is in fuzz/artifacts/<target>/. Needs a nightly toolchain (libFuzzer's
# instrumentation is nightly-only); without one it says so and exits 0 with a SKIPPED line.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(extrinsic chain_spec grandpa_gossip sync_messages block_import rpc game_assets_calls bridge_calls validator_set_calls)
RUNS="${LUDUS_FUZZ_RUNS:-10000}"
# 0: no time cap. The call-sequence targets run tens to hundreds of sequences per second.
SECONDS_PER_TARGET="${LUDUS_FUZZ_SECONDS:-30}"
# No sanitizer: Ludus has no unsafe code (`unsafe_code = "deny"`), and ASan would halve the
# executions per second; debug assertions and overflow checks stay on (cargo-fuzz's default).
SANITIZER="${LUDUS_FUZZ_SANITIZER:-none}"
# The fuzz build's own directory: its instrumented artefacts never mix with the normal build's.
export CARGO_TARGET_DIR="${LUDUS_FUZZ_TARGET_DIR:-${HOME}/.cache/ludus/fuzz-target}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "SKIPPED fuzzing: no nightly toolchain (libFuzzer's instrumentation needs one)." >&2
    echo "  install it with: rustup toolchain install nightly --profile minimal" >&2
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

write_seeds=0
selected=()
for arg in "$@"; do
    case "$arg" in
        --write-seeds) write_seeds=1 ;;
        *) selected+=("$arg") ;;
    esac
done
[ ${#selected[@]} -gt 0 ] || selected=("${TARGETS[@]}")

started=$(date +%s)
# Release, all targets. `-O` leaves debug assertions and overflow checks to fuzz/Cargo.toml's
# profile: on everywhere but in sp-state-machine, whose debug check made `next_key` walk the
# trie from its root (call-sequence targets ×1.4 without it).
cargo +nightly fuzz build -O --sanitizer "$SANITIZER"
echo "fuzz build: $(( $(date +%s) - started )) s" >&2
bin_dir="$CARGO_TARGET_DIR/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"

if [ "$write_seeds" = 1 ]; then
    for target in "${selected[@]}"; do
        LUDUS_FUZZ_WRITE_SEEDS=fuzz/corpus "$bin_dir/$target" -runs=0 >/dev/null 2>&1 || true
    done
    echo "seeds written to fuzz/corpus/" >&2
    exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
summary=()
for target in "${selected[@]}"; do
    mkdir -p "$scratch/$target" "fuzz/artifacts/$target"
    seeds=()
    for dir in "fuzz/corpus/$target" "fuzz/regressions/$target"; do
        [ -d "$dir" ] && seeds+=("$dir")
    done
    limits=(-runs="$RUNS")
    # A chain spec is a few KiB of JSON (the raw dev spec 11 KiB); other inputs stay small.
    [ "$target" = chain_spec ] && limits+=(-max_len=16384)
    [ "$SECONDS_PER_TARGET" != 0 ] && limits+=(-max_total_time="$SECONDS_PER_TARGET")
    log="$scratch/$target.log"
    begin_ms=$(date +%s%3N)
    echo "== $target: ${limits[*]}" >&2
    if ! "$bin_dir/$target" "${limits[@]}" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$target/" "$scratch/$target" "${seeds[@]}" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "FAILED $target: crash input in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    elapsed_ms=$(( $(date +%s%3N) - begin_ms ))
    elapsed=$(( elapsed_ms / 1000 ))
    # libFuzzer's own average is whole executions per whole second: 0 for a run under a second.
    rate=$(( ${runs:-0} * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1) ))
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    summary+=("$(printf '%-20s %10s executions %8s exec/s %6s s  %s' "$target" "${runs:-?}" "${rate:-?}" "$elapsed" "${coverage:-}")")
done
printf '%s\n' "${summary[@]}"
