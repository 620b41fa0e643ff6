#!/usr/bin/env bash
# Writes the ABI of each contract the relayer and the devnet talk to into contracts/abi/, from
# forge's build output (run `bash contracts/test.sh` or `forge build` first). The relayer's
# alloy `sol!` bindings are generated from these files, so a contract change that the Rust
# side has not followed breaks `cargo build`, not a run. With `--check` nothing is written:
# it fails if a committed ABI differs from the build's (contracts/test.sh runs it so).
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-write}
status=0
for name in Checkpoints Vault TestToken; do
  artifact="out/${name}.sol/${name}.json"
  if [ ! -f "$artifact" ]; then
    [ "$name" = TestToken ] && [ ! -f "src/${name}.sol" ] && continue
    echo "no $artifact: build the contracts first (bash contracts/test.sh)" >&2
    exit 1
  fi
  abi=$(node -e 'const a = require(process.argv[1]); process.stdout.write(JSON.stringify(a.abi, null, 2) + "\n")' "./$artifact")
  target="abi/${name}.json"
  if [ "$mode" = --check ]; then
    if ! diff -q <(printf '%s\n' "$abi") "$target" >/dev/null 2>&1; then
      echo "$target is not the ABI of src/${name}.sol: run bash contracts/export-abi.sh and commit it" >&2
      status=1
    fi
  else
    printf '%s\n' "$abi" > "$target"
  fi
done
exit $status
