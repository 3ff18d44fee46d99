#!/usr/bin/env python3
"""Regenerates the malformed-topology corpus: one defect per file.

Each case is a topology with `@@` placed right before the defect; the script removes the
marker, computes its LINE:COL (after the `# expect:` header line) and writes
`# expect: LINE:COL SUBSTRING` as the first line. tests/topology_malformed.rs checks that
`vpclab validate` reports an error exactly there, containing SUBSTRING.
"""
import os

BASE = """name: bad
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      public-a: { cidr: 10.0.0.0/24, route_table: public }
      private-a: { cidr: 10.0.1.0/24 }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: 0.0.0.0/0 }
    instances:
      web: { subnet: public-a, security_groups: [web] }
"""

TWO_VPCS = BASE + """  other:
    cidr: 10.1.0.0/16
    subnets:
      o1: { cidr: 10.1.0.0/24 }
    security_groups:
      app:
        inbound:
          - { protocol: tcp, ports: 80, source: 10.0.0.0/16 }
    instances:
      box: { subnet: o1, security_groups: [app] }
"""


def sub(old, new, base=BASE):
    assert old in base, old
    return base.replace(old, new, 1)


def add_vpc_key(text, base=BASE):
    return sub("    internet_gateway: true\n", "    internet_gateway: true\n" + text, base)


def nacl(rules, direction="inbound"):
    y = sub("      private-a: { cidr: 10.0.1.0/24 }", "      private-a: { cidr: 10.0.1.0/24, network_acl: data }")
    return sub("    security_groups:\n", "    network_acls:\n      data:\n        %s:\n%s    security_groups:\n" % (direction, rules), y)


def sg_rule(rule, direction="inbound"):
    return sub("    instances:\n", "      extra:\n        %s:\n          - %s\n    instances:\n" % (direction, rule))


def instance(line):
    return BASE + "      " + line + "\n"


def internet(hosts):
    return BASE + "internet:\n  hosts:\n" + hosts


CASES = [
    # names
    ("name-uppercase", sub("name: bad", "name: @@Bad"), "may only contain"),
    ("name-too-long", sub("name: bad", "name: @@much-too-long-name"), "at most 12"),
    ("vpc-name-invalid", sub("  main:\n", "  @@Main_VPC:\n"), "VPC name"),
    ("subnet-name-invalid", sub("      private-a: { cidr: 10.0.1.0/24 }\n", "      private-a: { cidr: 10.0.1.0/24 }\n      @@Data_A: { cidr: 10.0.2.0/24 }\n"), "subnet name"),
    ("instance-name-invalid", instance("@@Web.2: { subnet: public-a }"), "instance name"),
    ("sg-name-invalid", sub("      web:\n        inbound", "      @@Web:\n        inbound").replace("security_groups: [web]", "security_groups: [Web]"), "security group name"),
    ("route-table-name-invalid", sub("      public:\n        routes", "      @@pub lic:\n        routes").replace("route_table: public", "route_table: pub lic"), "route table name"),
    ("nacl-name-invalid", nacl("          - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n").replace("      data:\n", "      @@DATA:\n").replace("network_acl: data", "network_acl: DATA"), "network ACL name"),
    ("region-invalid", sub("name: bad\n", "name: bad\nregion: @@useast1\n"), "not an AWS region"),
    ("az-wrong-region", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: 10.0.1.0/24, az: @@eu-west-1a }"), "not in the VPC's region"),
    ("az-invalid", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: 10.0.1.0/24, az: @@zone1 }"), "not an availability zone"),
    # CIDRs
    ("vpc-cidr-syntax", sub("cidr: 10.0.0.0/16", "cidr: @@10.0.0/16"), "invalid VPC CIDR"),
    ("vpc-cidr-no-prefix", sub("cidr: 10.0.0.0/16", "cidr: @@10.0.0.0"), "no prefix length"),
    ("vpc-cidr-too-large", sub("cidr: 10.0.0.0/16", "cidr: @@10.0.0.0/8"), "/16 to /28"),
    ("vpc-cidr-too-small", sub("    cidr: 10.0.0.0/16\n", "    cidr: 10.0.0.0/16\n    secondary_cidrs: [@@10.2.0.0/29]\n"), "/16 to /28"),
    ("vpc-cidr-host-bits", sub("cidr: 10.0.0.0/16", "cidr: @@10.0.0.1/16"), "network address is 10.0.0.0/16"),
    ("vpc-cidr-ipv6", sub("    cidr: 10.0.0.0/16\n", "    cidr: 10.0.0.0/16\n    secondary_cidrs: [@@2001:db8::/56]\n"), "IPv6"),
    ("secondary-cidr-overlap", sub("    cidr: 10.0.0.0/16\n", "    cidr: 10.0.0.0/16\n    secondary_cidrs: [10.5.0.0/16, @@10.0.128.0/17]\n"), "overlaps its CIDR"),
    ("subnet-outside-vpc", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: @@10.1.0.0/24 }"), "is not inside VPC"),
    ("subnet-overlap", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: @@10.0.0.128/25 }"), "overlaps subnet `public-a`"),
    ("subnet-too-small", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: @@10.0.1.0/29 }"), "/16 to /28"),
    ("subnet-host-bits", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: @@10.0.1.7/24 }"), "network address is 10.0.1.0/24"),
    # references
    ("subnet-route-table-missing", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: 10.0.1.0/24, route_table: @@nope }"), "route table `nope` does not exist"),
    ("subnet-nacl-missing", sub("{ cidr: 10.0.1.0/24 }", "{ cidr: 10.0.1.0/24, network_acl: @@nope }"), "network ACL `nope` does not exist"),
    ("main-route-table-missing", add_vpc_key("    main_route_table: @@nope\n"), "main_route_table `nope`"),
    ("route-destination-syntax", sub("destination: 0.0.0.0/0", "destination: @@0.0.0.0"), "invalid route destination CIDR"),
    ("route-duplicate-destination", sub("          - { destination: 0.0.0.0/0, target: igw }\n", "          - { destination: 0.0.0.0/0, target: igw }\n          - { destination: @@0.0.0.0/0, target: igw }\n"), "already has a route to 0.0.0.0/0"),
    ("route-igw-without-gateway", sub("    internet_gateway: true\n", "").replace("target: igw", "target: @@igw"), "has no internet gateway"),
    ("route-nat-missing", sub("target: igw", "target: @@nat:nope"), "NAT gateway `nope` does not exist"),
    ("route-pcx-missing", sub("target: igw", "target: @@pcx:nope"), "peering `nope` does not exist"),
    ("route-pcx-other-vpcs", sub("target: igw", "target: @@pcx:o-t", TWO_VPCS) + "  third:\n    cidr: 10.2.0.0/16\npeerings:\n  o-t: { requester: other, accepter: third }\n", "does not include VPC `main`"),
    ("route-instance-missing", sub("target: igw", "target: @@instance:ghost"), "instance `ghost` does not exist"),
    ("route-instance-other-vpc", sub("target: igw", "target: @@instance:box", TWO_VPCS), "instance `box` does not exist in VPC `main`"),
    ("route-target-unknown", sub("target: igw", "target: @@vgw"), "is not a route target"),
    ("route-local-wrong-destination", sub("          - { destination: 0.0.0.0/0, target: igw }\n", "          - { destination: 0.0.0.0/0, target: igw }\n          - { destination: 10.9.0.0/16, target: @@local }\n"), "`local` route"),
    ("route-link-local-destination", sub("destination: 0.0.0.0/0", "destination: @@169.254.169.254/32"), "reserved for AWS services"),
    ("route-replaces-local-with-igw", sub("destination: 0.0.0.0/0", "destination: @@10.0.0.0/16"), "replaces the VPC's local route"),
    ("route-more-specific-not-subnet", sub("destination: 0.0.0.0/0", "destination: @@10.0.5.0/24"), "more specific than the VPC's local route"),
    ("secondary-cidr-rfc1918-mix", sub("    cidr: 10.0.0.0/16\n", "    cidr: 10.0.0.0/16\n    secondary_cidrs: [@@192.168.0.0/16]\n"), "another RFC 1918 block"),
    # network ACLs
    ("nacl-rule-zero", nacl("          - { rule: @@0, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n"), "outside 1..32766"),
    ("nacl-rule-too-high", nacl("          - { rule: @@32767, action: allow, protocol: all, cidr: 0.0.0.0/0 }\n"), "outside 1..32766"),
    ("nacl-rule-duplicate", nacl("          - { rule: 100, action: allow, protocol: all, cidr: 10.0.0.0/16 }\n          - { rule: @@100, action: deny, protocol: all, cidr: 0.0.0.0/0 }\n"), "rule number 100"),
    ("nacl-action-invalid", nacl("          - { rule: 100, action: @@permit, protocol: all, cidr: 0.0.0.0/0 }\n"), "not `allow` or `deny`"),
    ("nacl-tcp-without-ports", nacl("          - { rule: 100, action: allow, protocol: @@tcp, cidr: 0.0.0.0/0 }\n"), "needs `ports`"),
    ("nacl-ports-with-all", nacl("          - { rule: 100, action: allow, protocol: all, ports: @@80, cidr: 0.0.0.0/0 }\n"), "cannot have `ports`"),
    ("nacl-ports-with-icmp", nacl("          - { rule: 100, action: allow, protocol: icmp, ports: @@8, cidr: 0.0.0.0/0 }\n", "outbound"), "cannot have `ports`"),
    ("nacl-port-out-of-range", nacl("          - { rule: 100, action: allow, protocol: udp, ports: @@70000, cidr: 0.0.0.0/0 }\n"), "outside 0..65535"),
    ("nacl-protocol-invalid", nacl("          - { rule: 100, action: allow, protocol: @@tcpp, ports: 80, cidr: 0.0.0.0/0 }\n"), "is not a protocol"),
    ("nacl-cidr-invalid", nacl("          - { rule: 100, action: allow, protocol: all, cidr: @@10.0.1.0/33 }\n"), "invalid NACL rule CIDR"),
    ("nacl-icmp-type-range", nacl("          - { rule: 100, action: allow, protocol: icmp, icmp: { type: @@300 }, cidr: 0.0.0.0/0 }\n"), "outside -1..255"),
    # security groups
    ("sg-destination-in-inbound", sg_rule("{ protocol: tcp, ports: 22, destination: @@10.0.0.0/16 }"), "takes `source`, not `destination`"),
    ("sg-source-in-outbound", sg_rule("{ protocol: tcp, ports: 22, source: @@10.0.0.0/16 }", "outbound"), "takes `destination`, not `source`"),
    ("sg-inbound-without-source", sg_rule("{ protocol: @@tcp, ports: 22 }"), "has no `source`"),
    ("sg-outbound-without-destination", sg_rule("{ protocol: @@udp, ports: 53 }", "outbound"), "has no `destination`"),
    ("sg-tcp-without-ports", sg_rule("{ protocol: @@tcp, source: 0.0.0.0/0 }"), "needs `ports`"),
    ("sg-ports-reversed", sg_rule("{ protocol: tcp, ports: @@90-80, source: 0.0.0.0/0 }"), "runs backwards"),
    ("sg-ports-with-all", sg_rule("{ protocol: all, ports: @@443, source: 0.0.0.0/0 }"), "cannot have `ports`"),
    ("sg-icmp-on-tcp", sg_rule("{ protocol: tcp, ports: 22, icmp: { type: @@8 }, source: 0.0.0.0/0 }"), "only for icmp rules"),
    ("sg-protocol-invalid", sg_rule("{ protocol: @@300, source: 0.0.0.0/0 }"), "is not a protocol"),
    ("sg-reference-missing", sg_rule("{ protocol: tcp, ports: 22, source: @@sg:nope }"), "security group `nope` does not exist"),
    ("sg-reference-aws-id", sg_rule("{ protocol: tcp, ports: 22, source: @@sg-0abc123 }"), "looks like an AWS id"),
    ("sg-reference-vpc-missing", sg_rule("{ protocol: tcp, ports: 22, source: @@sg:ghost/app }"), "VPC `ghost` does not exist"),
    ("sg-reference-not-peered", sub("source: 0.0.0.0/0 }", "source: @@sg:other/app }", TWO_VPCS), "is not peered"),
    ("sg-reference-peer-group-missing", sub("source: 0.0.0.0/0 }", "source: @@sg:other/nope }", TWO_VPCS) + "peerings:\n  mo: { requester: main, accepter: other }\n", "does not exist in VPC `other`"),
    ("sg-reference-peer-other-region", sub("source: 0.0.0.0/0 }", "source: @@sg:other/app }", TWO_VPCS).replace("    cidr: 10.1.0.0/16\n", "    cidr: 10.1.0.0/16\n    region: eu-west-1\n") + "peerings:\n  mo: { requester: main, accepter: other }\n", "same-region peering"),
    ("sg-source-cidr-invalid", sg_rule("{ protocol: tcp, ports: 22, source: @@0.0.0.0/0/0 }"), "not an IPv4 CIDR"),
    # instances
    ("instance-subnet-missing", instance("db: { subnet: @@data-a }"), "subnet `data-a` does not exist"),
    ("instance-sg-missing", instance("db: { subnet: private-a, security_groups: [@@db] }"), "security group `db` does not exist"),
    ("instance-ip-outside-subnet", instance("db: { subnet: private-a, ip: @@10.0.0.50 }"), "not inside its subnet"),
    ("instance-ip-network-address", instance("db: { subnet: private-a, ip: @@10.0.1.0 }"), "network address"),
    ("instance-ip-router", instance("db: { subnet: private-a, ip: @@10.0.1.1 }"), "VPC router"),
    ("instance-ip-dns-reserved", instance("db: { subnet: private-a, ip: @@10.0.1.2 }"), "DNS resolver"),
    ("instance-ip-broadcast", instance("db: { subnet: private-a, ip: @@10.0.1.255 }"), "broadcast"),
    ("instance-ip-duplicate", instance("db: { subnet: private-a, ip: 10.0.1.20 }\n      db2: { subnet: private-a, ip: @@10.0.1.20 }"), "already taken by instance `db`"),
    ("instance-ip-nat-gateway", sub("    instances:\n", "    nat_gateways:\n      nat-a: { subnet: public-a, ip: 10.0.0.20 }\n    instances:\n") + "      db: { subnet: public-a, ip: @@10.0.0.20 }\n", "already taken by NAT gateway `nat-a`"),
    ("instance-ip-syntax", instance("db: { subnet: private-a, ip: @@10.0.1.300 }"), "not an IPv4 address"),
    ("instance-name-duplicate", sub("      box: { subnet: o1", "      @@web: { subnet: o1", TWO_VPCS), "instance name `web` is already used"),
    ("instance-nat-role-check-on", instance("natbox: { subnet: public-a, role: @@nat }"), "needs `source_dest_check: false`"),
    ("instance-role-unknown", instance("natbox: { subnet: public-a, role: @@router, source_dest_check: false }"), "role `router`"),
    ("instance-state-invalid", instance("db: { subnet: private-a, state: @@paused }"), "not `running` or `stopped`"),
    ("instance-service-kind", instance("db: { subnet: private-a, services: [@@ftp:21] }"), "not a service kind"),
    ("instance-service-port-zero", instance("db: { subnet: private-a, services: [@@http:0] }"), "port 0"),
    ("instance-ephemeral-ports", instance("db: { subnet: private-a, ephemeral_ports: @@0-100 }"), "cannot include port 0"),
    # public addresses
    ("eip-outside-pool", instance("db: { subnet: public-a, elastic_ip: @@198.51.100.5 }"), "outside the public IP pool"),
    ("eip-duplicate", instance("db: { subnet: public-a, elastic_ip: 203.0.113.50 }\n      db2: { subnet: public-a, elastic_ip: @@203.0.113.50 }"), "already associated with instance `db`"),
    ("eip-nat-and-instance", sub("    instances:\n", "    nat_gateways:\n      nat-a: { subnet: public-a, elastic_ip: 203.0.113.7 }\n    instances:\n") + "      db: { subnet: public-a, elastic_ip: @@203.0.113.7 }\n", "already associated with NAT gateway `nat-a`"),
    ("eip-internet-host", instance("db: { subnet: public-a, elastic_ip: @@203.0.113.99 }") + "internet:\n  hosts:\n    client: { ip: 203.0.113.99 }\n", "internet host `client`"),
    ("pool-private", sub("name: bad\n", "name: bad\npublic_ip_pool: @@192.168.0.0/24\n"), "not public address space"),
    ("pool-overlaps-vpc", sub("name: bad\n", "name: bad\npublic_ip_pool: @@10.0.200.0/24\n").replace("public_ip_pool: @@10.0.200.0/24", "public_ip_pool: @@52.0.200.0/24").replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/16\n    secondary_cidrs: [52.0.0.0/16]"), "overlaps VPC `main`"),
    # NAT gateways
    ("nat-subnet-missing", sub("    instances:\n", "    nat_gateways:\n      nat-a: { subnet: @@public-b }\n    instances:\n"), "subnet `public-b` does not exist"),
    ("nat-connectivity-invalid", sub("    instances:\n", "    nat_gateways:\n      nat-a: { subnet: public-a, connectivity: @@internal }\n    instances:\n"), "not `public` or `private`"),
    ("nat-private-with-eip", sub("    instances:\n", "    nat_gateways:\n      nat-a: { subnet: private-a, connectivity: private, elastic_ip: @@203.0.113.5 }\n    instances:\n"), "cannot have an Elastic IP"),
    ("nat-name-duplicate", sub("    instances:\n", "    nat_gateways:\n      nat-a: { subnet: public-a }\n    instances:\n", TWO_VPCS).replace("    instances:\n      box", "    nat_gateways:\n      @@nat-a: { subnet: o1 }\n    instances:\n      box"), "NAT gateway name `nat-a`"),
    # peerings
    ("peering-vpc-missing", TWO_VPCS + "peerings:\n  mo: { requester: main, accepter: @@shared }\n", "VPC `shared`, which does not exist"),
    ("peering-self", TWO_VPCS + "peerings:\n  mm: { requester: main, accepter: @@main }\n", "with itself"),
    ("peering-overlap", TWO_VPCS.replace("cidr: 10.1.0.0/16", "cidr: 10.0.0.0/16").replace("{ cidr: 10.1.0.0/24 }", "{ cidr: 10.0.0.0/24 }") + "peerings:\n  @@mo: { requester: main, accepter: other }\n", "overlaps VPC `other`"),
    ("peering-duplicate-pair", TWO_VPCS + "peerings:\n  mo: { requester: main, accepter: other }\n  @@om: { requester: other, accepter: main }\n", "already peered"),
    # internet hosts
    ("internet-host-private", internet("    client: { ip: @@192.168.1.10 }\n"), "not an internet address"),
    ("internet-host-cgnat", internet("    client: { ip: @@100.64.3.4 }\n"), "carrier-grade NAT"),
    ("internet-host-inside-vpc", internet("    client: { ip: @@52.0.1.1 }\n").replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/16\n    secondary_cidrs: [52.0.0.0/16]"), "is inside VPC `main`"),
    ("internet-host-name-clash", internet("    @@web: { ip: 198.51.100.10 }\n"), "already an instance"),
    ("internet-host-duplicate-ip", internet("    a: { ip: 198.51.100.10 }\n    b: { ip: @@198.51.100.10 }\n"), "already used by internet host `a`"),
    ("internet-host-ip-syntax", internet("    client: { ip: @@example.com }\n"), "not an IPv4 address"),
    # AWS services and endpoints
    ("endpoint-gateway-not-s3", add_vpc_key("    endpoints:\n      q: { type: gateway, service: @@sqs, route_tables: [public] }\n"), "has no gateway endpoint"),
    ("endpoint-route-table-missing", add_vpc_key("    endpoints:\n      s3: { service: s3, route_tables: [@@nope] }\n"), "does not exist"),
    ("endpoint-type-invalid", add_vpc_key("    endpoints:\n      s3: { type: @@tunnel, service: s3 }\n"), "not an endpoint type"),
    ("endpoint-interface-two-in-az", add_vpc_key("    endpoints:\n      q: { service: sqs, private_dns: false, subnets: [public-a, @@private-a] }\n"), "already has a subnet in this AZ"),
    ("endpoint-private-dns-no-hostnames", add_vpc_key("    endpoints:\n      q: { service: sqs, subnets: [public-a], private_dns: @@true }\n"), "needs the VPC's DNS support and hostnames"),
    ("endpoint-service-invalid", add_vpc_key("    endpoints:\n      q: { service: @@S3 }\n"), "not an AWS service name"),
    ("endpoint-dns-name-other-service", add_vpc_key("    endpoints:\n      q: { service: sqs, private_dns: false, subnets: [public-a], dns_name: @@vpce-0a1-x1.sts.us-east-1.vpce.amazonaws.com }\n"), "not an endpoint DNS name of sqs"),
    ("endpoint-aws-id-prefix", add_vpc_key("    endpoints:\n      s3: { service: s3, route_tables: [public], aws_id: @@pl-123 }\n"), "not a vpce- id"),
    ("aws-service-duplicate", sub("name: bad\n", "name: bad\naws_services: [s3, @@s3]\n"), "already declared"),
    ("prefix-list-managed-unknown", sg_rule("{ protocol: tcp, ports: 443, destination: @@pl:com.amazonaws.us-east-1.sqs }", "outbound"), "does not exist"),
    # engine
    ("engine-conntrack-zero", BASE + "engine:\n  conntrack_max: @@0\n", "conntrack_max"),
    # YAML layer
    ("yaml-unknown-key", sub("    internet_gateway: true\n", "    internet_gateway: true\n    @@cdir: 10.0.0.0/16\n"), "unknown field"),
    ("yaml-duplicate-key", sub("    internet_gateway: true\n", "    internet_gateway: true\n    @@cidr: 10.1.0.0/16\n"), "duplicate"),
    ("yaml-wrong-type", sub("    internet_gateway: true\n", "    internet_gateway: @@maybe\n"), "invalid"),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    names = set()
    for name, text, expect in CASES:
        assert name not in names, name
        names.add(name)
        assert text.count("@@") == 1, name
        i = text.index("@@")
        before = text[:i]
        line = before.count("\n") + 2  # +1 for 1-based, +1 for the header line
        col = i - (before.rfind("\n") + 1) + 1
        body = text.replace("@@", "")
        with open(os.path.join(here, name + ".yaml"), "w") as f:
            f.write("# expect: %d:%d %s\n%s" % (line, col, expect, body))
    print(len(CASES), "cases")


if __name__ == "__main__":
    main()
