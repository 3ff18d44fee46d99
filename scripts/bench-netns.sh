#!/usr/bin/env bash
# Throughput and latency of vpclab's netns backend against the kernel doing the same job, in one
# run (ratios are what counts: the machine is shared). Also times `up`/`down` of 100 instances.
#
#   kernel path: ns ⇄ veth ⇄ router ns (ip_forward + stateful nftables) ⇄ veth ⇄ ns
#   vpclab:      two instances in different subnets of one VPC (SGs and NACLs on the path)
#
# Needs root, iperf3, nftables, iproute2, iputils-ping, python3. Only touches namespaces named
# vlbench*; nothing is added to the root namespace; everything is removed on exit.
# usage: scripts/bench-netns.sh   [DUR=5 VPCLAB=target/release/vpclab N=100]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-5}; N=${N:-100}
VPCLAB=${VPCLAB:-target/release/vpclab}
[ "$(id -u)" = 0 ] || { echo "bench-netns.sh needs root" >&2; exit 3; }
for t in iperf3 nft ip ping python3; do command -v $t >/dev/null || { echo "missing $t (scripts/setup.sh)" >&2; exit 3; }; done
if [ ! -x "$VPCLAB" ]; then cargo build --release --quiet; fi
TMP=$(mktemp -d /tmp/vlbench.XXXXXX)
KA=vlbenchk-a KR=vlbenchk-r KB=vlbenchk-b
x() { ip netns exec "$@"; }

cleanup() {
  set +e
  for f in "$TMP"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  for ns in $KA $KR $KB; do ip netns del $ns 2>/dev/null; done
  "$VPCLAB" down --force vlbench >/dev/null 2>&1
  "$VPCLAB" down --force vlbench100 >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
cleanup 2>/dev/null; TMP=$(mktemp -d /tmp/vlbench.XXXXXX)

# ---- kernel path ----------------------------------------------------------------------------
kernel_up() {
  for ns in $KA $KR $KB; do ip netns add $ns; x $ns ip link set lo up; done
  ip -n $KA link add vlbka0 type veth peer name vlbkr0 netns $KR
  ip -n $KB link add vlbkb0 type veth peer name vlbkr1 netns $KR
  x $KA ip addr add 10.202.1.10/24 dev vlbka0; x $KA ip link set vlbka0 up
  x $KR ip addr add 10.202.1.1/24 dev vlbkr0;  x $KR ip link set vlbkr0 up
  x $KR ip addr add 10.202.2.1/24 dev vlbkr1;  x $KR ip link set vlbkr1 up
  x $KB ip addr add 10.202.2.10/24 dev vlbkb0; x $KB ip link set vlbkb0 up
  x $KA ip route add default via 10.202.1.1
  x $KB ip route add default via 10.202.2.1
  x $KR sysctl -qw net.ipv4.ip_forward=1
  x $KR nft -f - <<'NFT'
table inet vlbenchfw {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ct state invalid drop
    ip saddr 10.202.1.0/24 ip daddr 10.202.2.0/24 tcp dport 5201 accept
    ip saddr 10.202.1.0/24 ip daddr 10.202.2.0/24 udp dport 5201 accept
    ip protocol icmp icmp type { echo-request, destination-unreachable, time-exceeded } accept
  }
}
NFT
}

# ---- vpclab topology ------------------------------------------------------------------------
cat >"$TMP/vlbench.yaml" <<'YAML'
name: vlbench
vpcs:
  bench:
    cidr: 10.201.0.0/16
    subnets:
      a: { cidr: 10.201.1.0/24, network_acl: edge }
      b: { cidr: 10.201.2.0/24, network_acl: edge }
    network_acls:
      edge:
        inbound:
          - { rule: 100, protocol: tcp, ports: 5201, cidr: 10.201.0.0/16, action: allow }
          - { rule: 110, protocol: udp, ports: 5201, cidr: 10.201.0.0/16, action: allow }
          - { rule: 120, protocol: tcp, ports: 1024-65535, cidr: 10.201.0.0/16, action: allow }
          - { rule: 130, protocol: udp, ports: 1024-65535, cidr: 10.201.0.0/16, action: allow }
          - { rule: 140, protocol: icmp, cidr: 10.201.0.0/16, action: allow }
        outbound:
          - { rule: 100, protocol: all, cidr: 10.201.0.0/16, action: allow }
    security_groups:
      server:
        inbound:
          - { protocol: tcp, ports: 5201, source: sg:client }
          - { protocol: udp, ports: 5201, source: sg:client }
          - { protocol: icmp, source: 10.201.1.0/24 }
      client:
        inbound: []
    instances:
      ha: { subnet: a, ip: 10.201.1.10, security_groups: [client] }
      hb: { subnet: b, ip: 10.201.2.10, security_groups: [server] }
YAML

jget() { python3 -c "import json,sys;print(round(json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second']/1e9,3))" "$1"; }

# measure LABEL NS_CLIENT NS_SERVER DST IFACE_SERVER → lines "LABEL metric value" in $TMP/results
measure() {
  local l=$1 ca=$2 sb=$3 dst=$4 bif=$5 j=$TMP/iperf.json
  x "$sb" iperf3 -s -D -I "$TMP/iperf-$l.pid"
  for _ in $(seq 50); do x "$ca" ping -c 1 -W 1 "$dst" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 0.5
  x "$ca" iperf3 -c "$dst" --connect-timeout 3000 -t "$DUR" -J >"$j" && echo "$l tcp1_gbps $(jget "$j")" >>"$TMP/results" || echo "$l tcp1_gbps 0" >>"$TMP/results"
  x "$ca" iperf3 -c "$dst" --connect-timeout 3000 -t "$DUR" -P 2 -J >"$j" && echo "$l tcp2_gbps $(jget "$j")" >>"$TMP/results" || echo "$l tcp2_gbps 0" >>"$TMP/results"
  local rx0 rx1; rx0=$(x "$sb" cat /sys/class/net/"$bif"/statistics/rx_packets)
  x "$ca" iperf3 -c "$dst" --connect-timeout 3000 -t "$DUR" -u -b 0 -l 64 -J >"$j" || true
  rx1=$(x "$sb" cat /sys/class/net/"$bif"/statistics/rx_packets)
  echo "$l udp64_wire_kpps $(python3 -c "print(round(($rx1-$rx0)/$DUR/1e3,1))")" >>"$TMP/results"
  x "$ca" ping -c 100 -i 0.01 -q "$dst" | awk -F'[/ =]+' -v l="$l" -v f="$TMP/results" \
    '/^rtt/ {print l" ping_min_us "$6*1000 >>f; print l" ping_avg_us "$7*1000 >>f}' || true
  kill "$(cat "$TMP/iperf-$l.pid")" 2>/dev/null || true
}

echo "# kernel path (veth + router ns + nftables conntrack), ${DUR}s per test" >&2
kernel_up
measure kernel $KA $KB 10.202.2.10 vlbkb0
for ns in $KA $KR $KB; do ip netns del $ns; done

echo "# vpclab netns backend" >&2
"$VPCLAB" up --detach "$TMP/vlbench.yaml" >/dev/null
measure vpclab vlbench-ha vlbench-hb 10.201.2.10 eth0
"$VPCLAB" down vlbench >/dev/null 2>&1

# ---- up/down of N instances -----------------------------------------------------------------
python3 - "$N" >"$TMP/vlbench100.yaml" <<'PY'
import sys
n=int(sys.argv[1])
print("name: vlbench100\nvpcs:\n  big:\n    cidr: 10.203.0.0/16\n    subnets:")
for s in range((n+199)//200): print(f"      s{s}: {{ cidr: 10.203.{s}.0/24 }}")
print("    instances:")
for i in range(n): print(f"      i{i}: {{ subnet: s{i//200} }}")
PY
t0=$(date +%s.%N); "$VPCLAB" up --detach "$TMP/vlbench100.yaml" >/dev/null 2>&1; t1=$(date +%s.%N)
"$VPCLAB" down vlbench100 >/dev/null 2>&1; t2=$(date +%s.%N)
echo "updown up_s $(python3 -c "print(round($t1-$t0,2))")" >>"$TMP/results"
echo "updown down_s $(python3 -c "print(round($t2-$t1,2))")" >>"$TMP/results"

python3 - "$TMP/results" "$N" <<'PY'
import sys
r={}
for line in open(sys.argv[1]):
    l,m,v=line.split(); r[(l,m)]=float(v)
rows=[("tcp1_gbps","TCP 1 stream, Gbit/s",False),("tcp2_gbps","TCP -P 2, Gbit/s",False),
      ("udp64_wire_kpps","UDP 64 B forwarded, kpps",False),("ping_min_us","ping RTT min, µs",True),
      ("ping_avg_us","ping RTT avg, µs",True)]
print(f"{'metric':28} {'kernel':>10} {'vpclab':>10} {'ratio':>8}")
for m,name,lower in rows:
    k=r.get(("kernel",m)); v=r.get(("vpclab",m))
    ratio = (v/k if k else float('nan')) if k is not None and v is not None else float('nan')
    print(f"{name:28} {k if k is not None else float('nan'):10.2f} {v if v is not None else float('nan'):10.2f} {ratio:8.2f}{'x' if lower else ''}")
print(f"up of {sys.argv[2]} instances: {r.get(('updown','up_s'))} s (goal <= 10 s); down: {r.get(('updown','down_s'))} s (goal <= 5 s)")
PY
