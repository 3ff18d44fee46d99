#!/usr/bin/env bash
# Puts `vpclab` on the PATH, for you and for root (`sudo vpclab ...`): the README's first step.
#
#   scripts/install.sh [--binary FILE] [--user-only]
#
# 1. Builds the release binary (`cargo build --release`), unless --binary names one.
# 2. Copies it to ~/.local/bin/vpclab (made if missing) for the user who runs this.
# 3. Copies it to /usr/local/bin/vpclab, which is on every user's PATH and on sudo's
#    secure_path, so `vpclab` works in this shell at once and `sudo vpclab` works too: directly
#    as root, through sudo (which may ask for a password) as a normal user. --user-only skips it.
# The binary finds the labs in this source tree (`labs/`), so keep the tree where it is, or set
# VPCLAB_LABS_DIR. Rebuilt? Run this again. VPCLAB_USER_BIN and VPCLAB_SYSTEM_BIN override the
# two folders (the tests install into temporary ones).
# Exit 0 when `vpclab` on the PATH is the installed one; 1 with what to do otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=""
user_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) bin="${2:?--binary needs a file}"; shift 2 ;;
    --user-only) user_only=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument \`$1\` (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/vpclab
fi
[ -x "$bin" ] || { echo "install.sh: $bin is not an executable" >&2; exit 2; }

user_dir="${VPCLAB_USER_BIN:-$HOME/.local/bin}"
system_dir="${VPCLAB_SYSTEM_BIN:-/usr/local/bin}"

mkdir -p "$user_dir"
install -m 0755 "$bin" "$user_dir/vpclab"
echo "installed $user_dir/vpclab"

if [ "$user_only" -eq 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$system_dir"
    install -m 0755 "$bin" "$system_dir/vpclab"
    echo "installed $system_dir/vpclab (for every user and for sudo)"
  elif command -v sudo >/dev/null; then
    echo "installing $system_dir/vpclab through sudo, so that \`sudo vpclab\` works (skip: --user-only)"
    if sudo mkdir -p "$system_dir" && sudo install -m 0755 "$bin" "$system_dir/vpclab"; then
      echo "installed $system_dir/vpclab (for every user and for sudo)"
    else
      echo "install.sh: could not install $system_dir/vpclab; \`sudo vpclab\` will not work" >&2
    fi
  else
    echo "note: no sudo here, so only $user_dir/vpclab; as root run: install -m 0755 $bin $system_dir/vpclab"
  fi
fi

found=$(command -v vpclab || true)
if [ -z "$found" ]; then
  echo "install.sh: $user_dir is not on your PATH; add it, then run the command again:" >&2
  echo "  export PATH=\"$user_dir:\$PATH\"    # and the same line in ~/.profile" >&2
  exit 1
fi
if ! cmp -s "$found" "$bin"; then
  echo "install.sh: \`vpclab\` on your PATH is $found, another copy; remove it or put $user_dir first" >&2
  exit 1
fi
echo "vpclab is $found: try \`vpclab lab start 01\`"
