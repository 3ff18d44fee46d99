#!/usr/bin/env bash
# Soak test of a running topology (issue 18): about 10 minutes of mixed traffic (ping, curl,
# iperf3 bursts, dig through the VPC resolver and the loopback Route 53 listener), `apply`
# churn between two files, and captures started and killed (SIGTERM and SIGKILL), while the
# daemon's resident memory and open file descriptors are sampled from /proc/PID. Exits 1 when
# either grows beyond its bound between the start (after one warm-up round) and the end.
#   sudo scripts/soak.sh                     (600 s)
#   SOAK_SECS=60 sudo scripts/soak.sh        (shorter)
# Bounds: SOAK_RSS_KIB (default 32768: 32 MiB more resident memory) and SOAK_FDS (default 8
# more descriptors). BIN=path/to/vpclab soaks another build (default: the debug build, built
# when missing). Needs root, iperf3, curl, dig and ping (scripts/setup.sh); takes the netns
# test lock (/tmp/vpclab-netns.lock) for its whole run. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SOAK_SECS:-600}
rss_bound=${SOAK_RSS_KIB:-32768}
fds_bound=${SOAK_FDS:-8}
if [ -z "${BIN:-}" ]; then
  [ -x target/debug/vpclab ] || cargo build --bin vpclab >&2
  BIN=target/debug/vpclab
fi
BIN=$(realpath "$BIN")
for t in iperf3 curl dig ping ip; do
  command -v "$t" >/dev/null || { echo "soak: needs $t (scripts/setup.sh)" >&2; exit 3; }
done
exec 9>/tmp/vpclab-netns.lock
flock 9

name="soak$(( $$ % 10000 ))"
dir=$(mktemp -d)
cleanup() {
  "$BIN" down --force "$name" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# The three-tier example, web open to ping and iperf3 (5201) too, running an iperf3 server.
sed -e "s/^name: .*/name: $name/" \
    -e 's/- { protocol: tcp, ports: 80, source: 0.0.0.0\/0 }/- { protocol: tcp, ports: 80, source: 0.0.0.0\/0 }\n          - { protocol: tcp, ports: 5201, source: 0.0.0.0\/0 }\n          - { protocol: icmp, source: 0.0.0.0\/0 }/' \
    -e 's/services: \[http:80\] }/services: [http:80], run: ["iperf3 -s"] }/' \
    topologies/three-tier.yaml > "$dir/a.yaml"
grep -q 'ports: 5201' "$dir/a.yaml" && grep -q 'iperf3 -s' "$dir/a.yaml" || {
  echo "soak: topologies/three-tier.yaml changed; update the sed lines" >&2; exit 1; }
# The churn's other file: the same, plus SSH open to the world on web (traffic unaffected).
sed -e 's/- { protocol: tcp, ports: 22, source: sg:bastion }/- { protocol: tcp, ports: 22, source: 0.0.0.0\/0 }/' \
  "$dir/a.yaml" > "$dir/b.yaml"
cmp -s "$dir/a.yaml" "$dir/b.yaml" && { echo "soak: the churn file is unchanged" >&2; exit 1; }

"$BIN" up --detach "$dir/a.yaml" > "$dir/up.txt" 2>&1
status() { "$BIN" status "$name" --json; }
pid=$(status | sed -n 's/.*"pid": \([0-9]*\).*/\1/p' | head -1)
dns=$(status | sed -n 's/.*"dns_port": \([0-9]*\).*/\1/p' | head -1)
web=$(awk '$1 == "web" { print $4 }' "$dir/up.txt")
[ -n "$pid" ] && [ -n "$web" ] || { echo "soak: no daemon pid or web address" >&2; cat "$dir/up.txt" >&2; exit 1; }
inns() { local host=$1; shift; ip netns exec "$name-$host" "$@"; }

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$pid/status"; }
sample() { echo "$1: rss $(rss) KiB, fds $(fds), threads $(threads), load $(cut -d' ' -f1-3 /proc/loadavg)"; }

fails=0
round=0
# One round of everything; a failed probe is counted, not fatal (the figures say how many).
one_round() {
  round=$((round + 1))
  inns client ping -q -c 5 -i 0.2 -W 2 "$web" >/dev/null || fails=$((fails + 1))
  for _ in 1 2 3; do
    inns client curl -s -m 5 -o /dev/null "http://$web/" || fails=$((fails + 1))
  done
  inns client iperf3 -c "$web" -t 2 -b 100M >/dev/null 2>&1 || fails=$((fails + 1))
  inns app dig +time=2 +tries=1 @10.0.0.2 web.example.com >/dev/null || fails=$((fails + 1))
  [ -z "$dns" ] || dig +time=2 +tries=1 -p "$dns" @127.0.0.1 example.com >/dev/null || fails=$((fails + 1))
  # apply churn: b, then a again.
  "$BIN" apply "$dir/b.yaml" >/dev/null 2>&1 || fails=$((fails + 1))
  "$BIN" apply "$dir/a.yaml" >/dev/null 2>&1 || fails=$((fails + 1))
  # A capture started and killed (SIGTERM on even rounds, SIGKILL on odd ones).
  "$BIN" capture web -w "$dir/cap.pcapng" >/dev/null 2>&1 &
  local cap=$!
  inns client curl -s -m 5 -o /dev/null "http://$web/" || fails=$((fails + 1))
  sleep 1
  if [ $((round % 2)) = 0 ]; then kill -TERM "$cap" 2>/dev/null || true; else kill -KILL "$cap" 2>/dev/null || true; fi
  wait "$cap" 2>/dev/null || true
}

sample "daemon $pid at up"
one_round
start_rss=$(rss); start_fds=$(fds)
sample "start (after one warm-up round)"
began=$(date +%s)
next=$((began + 60))
while [ $(( $(date +%s) - began )) -lt "$secs" ]; do
  one_round
  if [ "$(date +%s)" -ge "$next" ]; then
    sample "$(( $(date +%s) - began )) s, round $round"
    next=$((next + 60))
  fi
done
end_rss=$(rss); end_fds=$(fds)
sample "end"
echo "soak $name: $(( $(date +%s) - began )) s, $round rounds, $fails failed probes;" \
  "daemon RSS $start_rss -> $end_rss KiB, fds $start_fds -> $end_fds" \
  "(bounds +$rss_bound KiB, +$fds_bound fds)"
ok=1
[ $((end_rss - start_rss)) -le "$rss_bound" ] || { echo "soak: RSS grew by $((end_rss - start_rss)) KiB" >&2; ok=0; }
[ $((end_fds - start_fds)) -le "$fds_bound" ] || { echo "soak: fds grew by $((end_fds - start_fds))" >&2; ok=0; }
[ "$fails" -le $((round / 10)) ] || { echo "soak: $fails failed probes in $round rounds" >&2; ok=0; }
[ "$ok" = 1 ]
