#!/usr/bin/env bash
# The whole Ludus system on this machine in one command: anvil as the L1 with the bridge
# contracts and a test ERC-20, a Ludus network (1 validator; --validators N for up to 4) and one
# relayer per validator. Prints the endpoints, writes them to devnet-data/devnet.json, and runs
# until Ctrl-C. Arguments go to ludus-devnet: ./scripts/devnet.sh --help lists them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Node.js and npm are needed for the L1 toolchain (anvil, forge, solcjs): apt-get install nodejs npm" >&2
    exit 1
fi
# Foundry (anvil, forge, cast), solcjs and OpenZeppelin, pinned by contracts/package-lock.json.
if ! ls contracts/node_modules/@foundry-rs/forge-*/bin/forge >/dev/null 2>&1 \
    || [ ! -d contracts/node_modules/solc ] || [ ! -d contracts/node_modules/@openzeppelin/contracts ]; then
    npm ci --prefix contracts --no-audit --no-fund
fi

# The contracts' creation bytecode, which the devnet deploys, comes from forge's build output
# (contracts/out). The platform binary, not the node_modules/.bin shim: the shim exits 0 even
# when the build fails. forge cannot download compilers offline; ./solc-wrapper runs solcjs.
forge=$(ls contracts/node_modules/@foundry-rs/forge-*/bin/forge | head -n 1)
(cd contracts && "../$forge" build --offline --use ./solc-wrapper)

# Release, not debug: a devnet runs for hours, and a debug node spends its slots on signature
# checks and trie hashing (and a debug relayer its time on the L1's JSON and keccak).
cargo build --release --locked -p ludus-node -p ludus-relayer -p ludus-devnet

target=${CARGO_TARGET_DIR:-target}
# ludus-devnet finds ludus-node and ludus-relayer beside itself, in the same release directory.
exec "$target/release/ludus-devnet" "$@"
