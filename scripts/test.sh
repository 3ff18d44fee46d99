#!/usr/bin/env bash
# The README's test command: every test, the privileged ones included, on a Debian/Ubuntu machine.
#
# 1. scripts/setup.sh installs the system packages the tests run (tshark, dig, curl, nc, ...).
# 2. `cargo test --release -- --include-ignored` runs every test; the tests that need root or a
#    tool are #[ignore]d with their reason, so a plain `cargo test` lists them instead.
# As root, the test binaries run as they are. As a normal user, cargo builds as that user and
# runs each test binary through `sudo -E` (cargo's target runner), since namespace tests need
# CAP_NET_ADMIN; sudo may ask for a password. Arguments go to cargo, e.g. `--test netns`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "test.sh: the namespace tests need root; run this as root, or install sudo" >&2
    exit 3
  fi
  host=$(rustc -vV | sed -n 's/^host: //p')
  runner="CARGO_TARGET_$(echo "$host" | tr 'a-z.-' 'A-Z__')_RUNNER"
  export "$runner"="sudo -E"
  echo "test.sh: running the test binaries through sudo ($runner)"
fi
cargo test --release "$@" -- --include-ignored
