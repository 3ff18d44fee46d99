#!/usr/bin/env bash
# Throughput and latency of vpclab's netns backend against the kernel doing the same job, in one
# run (ratios are what counts: the machine is shared). Also times `up`/`down` of 100 instances.
#
#   kernel path: ns ⇄ veth ⇄ router ns (ip_forward + stateful nftables) ⇄ veth ⇄ ns
#   vpclab:      two instances in different subnets of one VPC (SGs and NACLs on the path),
#                offloads on (TSO/checksum through the TAPs); a second run with every packet
#                logged to AWS records and pcapng
#
# Both paths run at the same MTU: 1500 for every line but the one marked "at 9001" (instances'
# eth0 run at 9001 on AWS and in vpclab; the script sets 1500 for the comparable lines).
# Each figure is the median of REPS repetitions in this one invocation.
#
# Table line labels (parsed by tools: keep them stable, add new ones at the end):
#   TCP 1 stream, Gbit/s
#   TCP -P 2, Gbit/s
#   UDP 64 B forwarded, kpps            (iperf3 -b 0: sender-bound, kept for comparison)
#   ping RTT min, µs
#   ping RTT avg, µs
#   TCP 1 stream at 9001, Gbit/s
#   UDP 64 B loss-free, kpps            (highest fixed offered rate of RATES with < 0.1% loss)
#   new TCP connections/s               (PAR sequential clients, connect + server close)
#   TCP 1 stream, flow logs on, Gbit/s  (vpclab column: AWS records + pcapng of every packet)
#   ping RTT avg, flow logs on, µs
#   up of N instances: ... s ...; down: ... s ...
#   TCP 1 stream, veth link, Gbit/s     (vpclab with VPCLAB_LINK=veth: veth pairs + AF_PACKET)
#   TCP 1 stream at 9001, veth link, Gbit/s
#   UDP 64 B loss-free, veth link, kpps
#   ping RTT avg, veth link, µs
#   new TCP connections/s, veth link
#   up of N instances, veth link: ... s ...; down: ... s ...
#
# VETH=0 skips the veth-link run (the link type a normal user gets where /dev/net/tun is
# root's, see docs/datapath.md); FLOWLOGS=0 skips the flow-log run.
#
# Needs root, iperf3, nftables, iproute2, iputils-ping, python3. Only touches namespaces named
# vlbench*; nothing is added to the root namespace; everything is removed on exit.
# usage: scripts/bench-netns.sh   [DUR=5 REPS=3 VPCLAB=target/release/vpclab N=100
#                                  RATES="25 50 100 150 200 300 400" RATE_DUR=2 PAR=2]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-5}; N=${N:-100}; REPS=${REPS:-3}; RATE_DUR=${RATE_DUR:-2}; PAR=${PAR:-2}
RATES=${RATES:-25 50 100 150 200 300 400}
VETH=${VETH:-1}; FLOWLOGS=${FLOWLOGS:-1}
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
  "$VPCLAB" down --force vlbenchf >/dev/null 2>&1
  "$VPCLAB" down --force vlbench100 >/dev/null 2>&1
  "$VPCLAB" down --force vlbenchv >/dev/null 2>&1
  "$VPCLAB" down --force vlbenchv100 >/dev/null 2>&1
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
    ip saddr 10.202.1.0/24 ip daddr 10.202.2.0/24 tcp dport 5202 accept
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
          - { protocol: tcp, ports: 5202, source: sg:client }
          - { protocol: icmp, source: 10.201.1.0/24 }
      client:
        inbound: []
    instances:
      ha: { subnet: a, ip: 10.201.1.10, security_groups: [client] }
      hb: { subnet: b, ip: 10.201.2.10, security_groups: [server] }
YAML

jget() {  # receiver Gbit/s from iperf3 -J output; 0 when the test failed
  python3 -c "
import json,sys
try: print(round(json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second']/1e9,3))
except Exception: print(0)" "$1"
}

# The connection-rate pair: a server that accepts and closes at once (so TIME_WAIT stays on its
# side), and a client that connects, waits for the close, and counts, for DUR seconds.
cat >"$TMP/conn_server.py" <<'PY'
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(("0.0.0.0",int(sys.argv[1]))); s.listen(4096)
while True:
    c,_=s.accept(); c.close()
PY
cat >"$TMP/conn_client.py" <<'PY'
import socket,sys,time
dst,port,dur=sys.argv[1],int(sys.argv[2]),float(sys.argv[3])
n=0; t0=time.time(); end=t0+dur
while time.time()<end:
    try:
        s=socket.create_connection((dst,port),timeout=2); s.recv(1); s.close(); n+=1
    except OSError: pass
print(n/(time.time()-t0))
PY

# rec LABEL METRIC VALUE: one result line
rec() { echo "$1 $2 $3" >>"$TMP/results"; }

# set_mtu MTU NS:IFACE...: the MTU of the measured path's interfaces
set_mtu() { local m=$1; shift; for p in "$@"; do ip -n "${p%%:*}" link set "${p#*:}" mtu "$m"; done; }

# tcp LABEL METRIC NS_CLIENT DST [iperf3 options]
tcp() {
  local l=$1 m=$2 ca=$3 dst=$4 j=$TMP/iperf.json; shift 4
  if x "$ca" iperf3 -c "$dst" --connect-timeout 3000 -t "$DUR" -J "$@" >"$j"; then rec "$l" "$m" "$(jget "$j")"; else rec "$l" "$m" 0; fi
}

# ping_avg LABEL METRIC_SUFFIX NS_CLIENT DST
pings() {
  x "$3" ping -c 100 -i 0.01 -q "$4" | awk -F'[/ =]+' -v l="$1" -v s="$2" -v f="$TMP/results" \
    '/^rtt/ {print l" ping_min_us"s" "$6*1000 >>f; print l" ping_avg_us"s" "$7*1000 >>f}' || true
}

# lossfree LABEL NS_CLIENT DST NS_SERVER IFACE_SERVER: the highest offered rate (kpps) of RATES
# forwarded with < 0.1% loss (datagrams iperf3 sent against rx_packets of the server's
# interface, which counts what the path delivered) and sent at >= 95% of the offered rate
# (iperf3 paces fixed rates); stops at the first rate that fails
lossfree() {
  local l=$1 ca=$2 dst=$3 sb=$4 bif=$5 best=0 j=$TMP/iperf.json ok rx0 rx1
  for r in $RATES; do
    rx0=$(x "$sb" cat /sys/class/net/"$bif"/statistics/rx_packets)
    x "$ca" iperf3 -c "$dst" --connect-timeout 3000 -t "$RATE_DUR" -u -b $((r * 1000 * 64 * 8)) -l 64 -J >"$j" || break
    sleep 0.2
    rx1=$(x "$sb" cat /sys/class/net/"$bif"/statistics/rx_packets)
    ok=$(python3 -c "
import json,sys
s=json.load(open(sys.argv[1]))['end']['sum']
sent=s['packets']; rx=int(sys.argv[3])
print(int(rx>=sent*0.999 and sent/s['seconds']/1e3>=0.95*float(sys.argv[2])))" "$j" "$r" $((rx1 - rx0)) 2>/dev/null || echo 0)
    [ "$ok" = 1 ] || break
    best=$r
  done
  rec "$l" udp64_lossfree_kpps "$best"
}

# conns LABEL NS_CLIENT NS_SERVER DST: new TCP connections/s, PAR clients at once
conns() {
  local l=$1 ca=$2 sb=$3 dst=$4 i pids=()
  ip netns exec "$sb" python3 "$TMP/conn_server.py" 5202 & echo $! >"$TMP/conn-$l.pid"
  x "$ca" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
  sleep 0.5
  for i in $(seq "$PAR"); do ip netns exec "$ca" python3 "$TMP/conn_client.py" "$dst" 5202 "$DUR" >"$TMP/conn-$l-$i.out" & pids+=($!); done
  wait "${pids[@]}" || true
  kill "$(cat "$TMP/conn-$l.pid")" 2>/dev/null || true; rm -f "$TMP/conn-$l.pid"
  rec "$l" conn_per_s "$(cat "$TMP"/conn-"$l"-*.out | python3 -c "import sys;print(round(sum(float(x) for x in sys.stdin if x.strip())))")"
  rm -f "$TMP"/conn-"$l"-*.out
}

# measure LABEL NS_CLIENT NS_SERVER DST IFACE_SERVER MTU_IFACES... → lines "LABEL metric value"
measure() {
  local l=$1 ca=$2 sb=$3 dst=$4 bif=$5 rep; shift 5
  x "$sb" iperf3 -s -D -I "$TMP/iperf-$l.pid"
  for _ in $(seq 15); do x "$ca" ping -c 1 -W 1 "$dst" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 0.5
  for rep in $(seq "$REPS"); do
    echo "#   $l rep $rep at $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    set_mtu 1500 "$@"
    tcp "$l" tcp1_gbps "$ca" "$dst"
    tcp "$l" tcp2_gbps "$ca" "$dst" -P 2
    local rx0 rx1; rx0=$(x "$sb" cat /sys/class/net/"$bif"/statistics/rx_packets)
    x "$ca" iperf3 -c "$dst" --connect-timeout 3000 -t "$DUR" -u -b 0 -l 64 -J >"$TMP/iperf.json" || true
    rx1=$(x "$sb" cat /sys/class/net/"$bif"/statistics/rx_packets)
    rec "$l" udp64_wire_kpps "$(python3 -c "print(round(($rx1-$rx0)/$DUR/1e3,1))")"
    pings "$l" "" "$ca" "$dst"
    lossfree "$l" "$ca" "$dst" "$sb" "$bif"
    conns "$l" "$ca" "$sb" "$dst"
    set_mtu 9001 "$@"
    tcp "$l" tcp1_9001_gbps "$ca" "$dst"
  done
  set_mtu 1500 "$@"
  kill "$(cat "$TMP/iperf-$l.pid")" 2>/dev/null || true
}

# measure_logged LABEL NS_CLIENT NS_SERVER DST MTU_IFACES...: TCP and ping only
measure_logged() {
  local l=$1 ca=$2 sb=$3 dst=$4 rep; shift 4
  x "$sb" iperf3 -s -D -I "$TMP/iperf-$l.pid"
  for _ in $(seq 15); do x "$ca" ping -c 1 -W 1 "$dst" >/dev/null 2>&1 && break; sleep 0.2; done
  set_mtu 1500 "$@"
  for rep in $(seq "$REPS"); do
    echo "#   $l rep $rep at $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    tcp "$l" tcp1_gbps "$ca" "$dst"
    pings "$l" "" "$ca" "$dst"
    # The pcapng grows by GBs: punch it out (the daemon writes on at its offset, so the file
    # stays sparse and its apparent size is what was written in all).
    truncate -s 0 "$TMP/fl.pcapng" 2>/dev/null || true
  done
  kill "$(cat "$TMP/iperf-$l.pid")" 2>/dev/null || true
}

echo "# kernel path (veth + router ns + nftables conntrack), ${DUR}s per test, $REPS reps" >&2
kernel_up
measure kernel $KA $KB 10.202.2.10 vlbkb0 $KA:vlbka0 $KR:vlbkr0 $KR:vlbkr1 $KB:vlbkb0
for ns in $KA $KR $KB; do ip netns del $ns; done

echo "# vpclab netns backend" >&2
"$VPCLAB" up --detach "$TMP/vlbench.yaml" >/dev/null 2>&1
measure vpclab vlbench-ha vlbench-hb 10.201.2.10 eth0 vlbench-ha:eth0 vlbench-hb:eth0
"$VPCLAB" down vlbench >/dev/null 2>&1

if [ "$VETH" = 1 ]; then
echo "# vpclab netns backend, veth + AF_PACKET link (VPCLAB_LINK=veth)" >&2
sed -e 's/^name: vlbench$/name: vlbenchv/' "$TMP/vlbench.yaml" >"$TMP/vlbenchv.yaml"
VPCLAB_LINK=veth "$VPCLAB" up --detach "$TMP/vlbenchv.yaml" >/dev/null 2>&1
measure vpclabveth vlbenchv-ha vlbenchv-hb 10.201.2.10 eth0 vlbenchv-ha:eth0 vlbenchv-hb:eth0
"$VPCLAB" down vlbenchv >/dev/null 2>&1
fi

if [ "$FLOWLOGS" = 1 ]; then
echo "# vpclab, every packet logged to AWS records and pcapng" >&2
sed -e 's/^name: vlbench$/name: vlbenchf/' "$TMP/vlbench.yaml" >"$TMP/vlbenchf.yaml"
cat >>"$TMP/vlbenchf.yaml" <<YAML
flow_logs:
  - { resource: vpc:bench, traffic: ALL, format: aws, path: fl.log, aggregation_interval: 60 }
  - { resource: vpc:bench, traffic: ALL, format: pcapng, path: fl.pcapng }
YAML
"$VPCLAB" up --detach "$TMP/vlbenchf.yaml" >/dev/null 2>&1
measure_logged vpclabfl vlbenchf-ha vlbenchf-hb 10.201.2.10 vlbenchf-ha:eth0 vlbenchf-hb:eth0
"$VPCLAB" down vlbenchf >/dev/null 2>&1
echo "#   flow logs written: $(( $(stat -c %s "$TMP/fl.pcapng" 2>/dev/null || echo 0) / 1000000 )) MB pcapng, $(wc -l <"$TMP/fl.log" 2>/dev/null || echo 0) AWS lines" >&2
fi

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
if [ "$VETH" = 1 ]; then
  sed -e 's/^name: vlbench100$/name: vlbenchv100/' "$TMP/vlbench100.yaml" >"$TMP/vlbenchv100.yaml"
  t0=$(date +%s.%N); VPCLAB_LINK=veth "$VPCLAB" up --detach "$TMP/vlbenchv100.yaml" >/dev/null 2>&1; t1=$(date +%s.%N)
  "$VPCLAB" down vlbenchv100 >/dev/null 2>&1; t2=$(date +%s.%N)
  echo "updownveth up_s $(python3 -c "print(round($t1-$t0,2))")" >>"$TMP/results"
  echo "updownveth down_s $(python3 -c "print(round($t2-$t1,2))")" >>"$TMP/results"
fi

python3 - "$TMP/results" "$N" <<'PY'
import sys,statistics as st
r={}
for line in open(sys.argv[1]):
    l,m,v=line.split(); r.setdefault((l,m),[]).append(float(v))
med=lambda k: st.median(r[k]) if k in r else None
# (metric, label, lower is better, vpclab run): labels are parsed, keep them stable
rows=[("tcp1_gbps","TCP 1 stream, Gbit/s",False,"vpclab"),("tcp2_gbps","TCP -P 2, Gbit/s",False,"vpclab"),
      ("udp64_wire_kpps","UDP 64 B forwarded, kpps",False,"vpclab"),("ping_min_us","ping RTT min, µs",True,"vpclab"),
      ("ping_avg_us","ping RTT avg, µs",True,"vpclab"),("tcp1_9001_gbps","TCP 1 stream at 9001, Gbit/s",False,"vpclab"),
      ("udp64_lossfree_kpps","UDP 64 B loss-free, kpps",False,"vpclab"),("conn_per_s","new TCP connections/s",False,"vpclab"),
      ("tcp1_gbps","TCP 1 stream, flow logs on, Gbit/s",False,"vpclabfl"),("ping_avg_us","ping RTT avg, flow logs on, µs",True,"vpclabfl"),
      ("tcp1_gbps","TCP 1 stream, veth link, Gbit/s",False,"vpclabveth"),("tcp1_9001_gbps","TCP 1 stream at 9001, veth link, Gbit/s",False,"vpclabveth"),
      ("udp64_lossfree_kpps","UDP 64 B loss-free, veth link, kpps",False,"vpclabveth"),("ping_avg_us","ping RTT avg, veth link, µs",True,"vpclabveth"),
      ("conn_per_s","new TCP connections/s, veth link",False,"vpclabveth")]
nan=float('nan')
print(f"{'metric':36} {'kernel':>10} {'vpclab':>10} {'ratio':>8}")
for m,name,lower,run in rows:
    k=med(("kernel",m)); v=med((run,m))
    ratio = (v/k if k else nan) if k is not None and v is not None else nan
    print(f"{name:36} {k if k is not None else nan:10.2f} {v if v is not None else nan:10.2f} {ratio:8.2f}{'x' if lower else ''}")
up=med(('updown','up_s')); down=med(('updown','down_s'))
print(f"up of {sys.argv[2]} instances: {up} s (goal <= 10 s); down: {down} s (goal <= 5 s)")
if ('updownveth','up_s') in r:
    print(f"up of {sys.argv[2]} instances, veth link: {med(('updownveth','up_s'))} s; down: {med(('updownveth','down_s'))} s")
PY
