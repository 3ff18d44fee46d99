#!/usr/bin/env bash
# Writes a large topology for `reach --matrix` measurements on stdout:
#   scripts/gen-matrix-topology.sh INSTANCES [GROUPS]
# One VPC (IGW, public subnet s0, private subnets s1..s9 behind a NACL), GROUPS security
# groups (default 50) in a ring: g(k) admits tcp 80 from g(k+1), tcp 22 from 10.0.0.0/8,
# icmp from anywhere in g0; instance n is in subnet s(n % 10) and group g(n / 10 % GROUPS).
set -euo pipefail
n=${1:?usage: gen-matrix-topology.sh INSTANCES [GROUPS]}
g=${2:-50}
{
  printf 'name: matrix%s\npublic_ip_pool: 52.0.0.0/16\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n' "$n"
  printf '      s0: { cidr: 10.0.0.0/20, route_table: pub, map_public_ip: true }\n'
  for s in $(seq 1 9); do
    printf '      s%d: { cidr: 10.0.%d.0/20, network_acl: tight }\n' "$s" $((s * 16))
  done
  printf '    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n'
  printf '    network_acls:\n      tight:\n        inbound:\n'
  printf '          - { rule: 100, protocol: tcp, ports: 22, cidr: 10.0.0.0/20, action: deny }\n'
  printf '          - { rule: 110, protocol: all, cidr: 10.0.0.0/16, action: allow }\n'
  printf '        outbound:\n          - { rule: 100, protocol: all, cidr: 10.0.0.0/16, action: allow }\n'
  printf '    security_groups:\n'
  for k in $(seq 0 $((g - 1))); do
    printf '      g%d:\n        inbound:\n' "$k"
    printf '          - { protocol: tcp, ports: 80, source: sg:g%d }\n' $(((k + 1) % g))
    printf '          - { protocol: tcp, ports: 22, source: 10.0.0.0/8 }\n'
    if [ "$k" = 0 ]; then
      printf '          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }\n'
      printf '          - { protocol: icmp, source: 0.0.0.0/0 }\n'
    fi
  done
  printf '    instances:\n'
  for i in $(seq 0 $((n - 1))); do
    printf '      i%d: { subnet: s%d, security_groups: [g%d] }\n' "$i" $((i % 10)) $((i / 10 % g))
  done
}
