#!/usr/bin/env bash
# Runs every Ludus test: unit, pallet, chain-spec, storage, pool, RPC, and the end-to-end
# suite that starts real ludus-node processes and drives them with polkadot.js.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Node.js and npm are needed for the polkadot.js tests: apt-get install nodejs npm" >&2
    exit 1
fi
# polkadot.js, pinned by tests/js/package-lock.json.
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
    npm ci --prefix tests/js --no-audit --no-fund
fi

# The L1 contracts: Foundry (forge, solcjs, OpenZeppelin from npm), including the test that
# checks they compute the same bytes as primitives/ (contracts/test/Vectors.t.sol).
bash contracts/test.sh

# The end-to-end suite (tests/e2e, a test target of ludus-node) starts the ludus-node binary
# cargo builds for it; its bridge tests also start ludus-relayer, which cargo builds for a
# test run only as a test harness, so build the real binary beside ludus-node first.
cargo build --locked -p ludus-relayer
cargo test --workspace --locked "$@"
# The pallet benchmarks, run once each against the mock runtime (STYLE.md: benchmarks are tested).
cargo test -p pallet-game-assets --features runtime-benchmarks --locked "$@"
cargo test -p pallet-bridge --features runtime-benchmarks --locked "$@"
# The runtime's native weight harness (pallet-balances and the block/extrinsic overheads),
# each benchmark run once against the real runtime.
cargo test -p ludus-runtime --features runtime-benchmarks --locked "$@"
# The node's benchmarks, once each in a short mode and the dev profile, so they keep building
# and running (their figures come from full runs in release: README, "Tests and benchmarks").
LUDUS_BENCH_TRANSFERS=200 LUDUS_BENCH_ROUNDS=1 cargo bench --profile dev --locked -p ludus-node --bench import
LUDUS_BENCH_BLOCKS=20 LUDUS_BENCH_WRITES=50 cargo bench --profile dev --locked -p ludus-storage --bench commit
# The load bench runs both workloads (transfers, then the game-assets mix) and writes its plots.
LUDUS_LOAD_WORKLOAD=both LUDUS_LOAD_SECONDS=5 LUDUS_LOAD_DRAIN=10 LUDUS_LOAD_ACCOUNTS=100 LUDUS_LOAD_MAX_RATE=100 \
    LUDUS_LOAD_RATE=80 cargo bench --profile dev --locked -p ludus-node --bench load
# A two-minute soak: nothing accepted may be lost and no node may leak file descriptors (the
# 30-minute soak is a bench run, README "Tests and benchmarks").
LUDUS_LOAD_SOAK=1 LUDUS_LOAD_SECONDS=120 LUDUS_LOAD_DRAIN=15 LUDUS_LOAD_ACCOUNTS=100 LUDUS_LOAD_RATE=80 \
    cargo bench --profile dev --locked -p ludus-node --bench load
