#!/usr/bin/env bash
# Time and peak RSS of `reach --matrix --json` over a generated topology (issue 18's budget:
# 3,000 instances in 50 security groups, one port, under 60 s and under 1 GB).
#   scripts/bench-matrix.sh [INSTANCES [GROUPS]]     (default 3000 50)
# BIN=path/to/vpclab measures another build (e.g. an older one); otherwise the release build is
# built and used. FORMAT=text measures the table instead of --json. Exits 1 over the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
g=${2:-50}
if [ -z "${BIN:-}" ]; then
  cargo build --release --bin vpclab >&2
  BIN=target/release/vpclab
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
scripts/gen-matrix-topology.sh "$n" "$g" > "$dir/matrix.yaml"
json=--json
[ "${FORMAT:-json}" = text ] && json=
# The output (1.2 GB of JSON for 3,000 instances) is counted, not stored.
bytes=$(/usr/bin/time -v -o "$dir/time" "$BIN" reach "$dir/matrix.yaml" --matrix --port 80 $json | wc -c)
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
  for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$dir/time")
kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time")
echo "reach --matrix --port 80 ${json:---text}: $n instances, $g groups: ${secs} s, peak RSS $((kib / 1024)) MiB, $bytes bytes out"
awk -v s="$secs" -v k="$kib" 'BEGIN { exit !(s < 60 && k < 1024 * 1024) }' || {
  echo "over the budget (60 s, 1 GiB)" >&2
  exit 1
}
