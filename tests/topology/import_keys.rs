//! The keys imports need (docs/topology.md, last section): each new key's validation errors at
//! their `FILE:LINE:COL` with a hint, and what the model makes of valid values.

use vpclab::topology::{parse_str, validate::validate};

/// Every diagnostic of a topology text rendered as `t.yaml:L:C: error: …\n  hint: …` (a
/// parse error's report too).
fn diagnostics(y: &str) -> Vec<String> {
    let r = match parse_str("t.yaml", y) {
        Ok(t) => validate(&t, "t.yaml"),
        Err(r) => r,
    };
    r.errors().map(|d| d.render("t.yaml")).collect()
}

/// Asserts one error starts at `pos` with `msg` in its message and `hint` in its hint line.
#[track_caller]
fn expect(y: &str, pos: &str, msg: &str, hint: &str) {
    let all = diagnostics(y);
    let prefix = format!("t.yaml:{pos}: error: ");
    let hit = all.iter().find(|d| {
        let (first, rest) = d.split_once("\n  hint: ").unwrap_or((d, ""));
        first.starts_with(&prefix) && first.contains(msg) && rest.contains(hint)
    });
    assert!(
        hit.is_some(),
        "no error at {pos} with `{msg}` and hint `{hint}`; got:\n{}",
        all.join("\n")
    );
}

/// `LINE:COL` of the first occurrence of `needle` in `y` (1-based, as diagnostics print it).
fn at(y: &str, needle: &str) -> String {
    pos(
        y,
        y.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not in the text")),
    )
}

/// `LINE:COL` of the last occurrence of `needle` in `y`.
fn at_last(y: &str, needle: &str) -> String {
    pos(
        y,
        y.rfind(needle)
            .unwrap_or_else(|| panic!("`{needle}` not in the text")),
    )
}

/// `LINE:COL` of byte offset `i` of `y`.
fn pos(y: &str, i: usize) -> String {
    let line = y[..i].matches('\n').count() + 1;
    let col = i - y[..i].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{line}:{col}")
}

/// Asserts the text validates without an error.
#[track_caller]
fn clean(y: &str) {
    let all = diagnostics(y);
    assert!(all.is_empty(), "{}", all.join("\n"));
}

const IDS: &str = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    aws_id: vpc-0a1b2c3d4e5f60718
    description: the main VPC
    internet_gateway: { aws_id: igw-0123456789abcdef0 }
    subnets:
      a: { cidr: 10.0.0.0/24, aws_id: subnet-0aa, route_table: pub }
    route_tables:
      main: { aws_id: rtb-0main }
      pub:
        aws_id: rtb-0pub
        routes:
          - { destination: 0.0.0.0/0, target: igw }
    network_acls:
      default:
        aws_id: acl-0def
        inbound: [{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }]
        outbound: [{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }]
    security_groups:
      web:
        aws_id: sg-0web
        description: web servers
        inbound: [{ protocol: tcp, ports: 80, source: 0.0.0.0/0 }]
    instances:
      web: { subnet: a, aws_id: i-0123, eni_aws_id: eni-0123, security_groups: [web], public_ip: true, services: [http:80] }
internet:
  hosts:
    client: { ip: 198.51.100.7 }
";

#[test]
fn aws_ids_validate_and_are_the_display_ids() {
    clean(IDS);
    let n = crate::common::net(IDS);
    let v = &n.vpcs[0];
    assert_eq!(v.aws_id, "vpc-0a1b2c3d4e5f60718");
    assert_eq!(v.description.as_deref(), Some("the main VPC"));
    assert_eq!(v.igw.as_deref(), Some("igw-0123456789abcdef0"));
    assert_eq!(n.subnets[0].aws_id, "subnet-0aa");
    let rtbs: Vec<&str> = n.route_tables.iter().map(|t| t.aws_id.as_str()).collect();
    assert_eq!(rtbs, ["rtb-0main", "rtb-0pub"]);
    assert_eq!(n.nacls[0].aws_id, "acl-0def");
    let sgs: Vec<&str> = n.sgs.iter().map(|g| g.aws_id.as_str()).collect();
    assert_eq!(sgs, ["sg-default", "sg-0web"]);
    let web = n.instance(n.instance_by_name("web").unwrap());
    assert_eq!(web.aws_id, "i-0123");
    assert_eq!(n.eni(web.eni).aws_id, "eni-0123");
    // Commands accept the ids: the instance's and its interface's.
    assert_eq!(n.instance_by_display_id("i-0123"), Some(web.id));
    assert_eq!(n.instance_by_display_id("eni-0123"), Some(web.id));
    // `show` prints them (descriptions stay in the model: `show` has no column for them).
    let text = vpclab::model::show::to_text(&n);
    for id in [
        "vpc-0a1b2c3d4e5f60718",
        "igw-0123456789abcdef0",
        "rtb-0pub",
        "i-0123",
        "eni-0123",
        "sg-0web",
        "acl-0def",
        "subnet-0aa",
    ] {
        assert!(text.contains(id), "{id} not in show:\n{text}");
    }
    assert_eq!(n.sgs[1].description.as_deref(), Some("web servers"));
    assert_eq!(web.description, None);
}

/// Runs `vpclab COMMAND FILE ARGS` on a topology text; (exit code, stdout).
pub(crate) fn vpclab(cmd: &str, y: &str, args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.yaml");
    std::fs::write(&f, y).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg(cmd)
        .arg(&f)
        .args(args)
        .output()
        .expect("vpclab runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    (o.status.code().unwrap_or(-1), out + &err)
}

#[test]
fn reach_takes_and_prints_aws_ids() {
    for to in ["i-0123", "eni-0123", "web"] {
        let (code, out) = vpclab(
            "reach",
            IDS,
            &["--from", "internet", "--to", to, "--port", "80"],
        );
        assert_eq!(code, 0, "--to {to}: {out}");
        for id in [
            "igw-0123456789abcdef0",
            "rtb-0pub",
            "sg-0web",
            "eni-0123",
            "acl-0def",
        ] {
            assert!(
                out.contains(id),
                "{id} not on the path of --to {to}:\n{out}"
            );
        }
    }
    // probe takes the ids too.
    let (code, out) = vpclab(
        "probe",
        IDS,
        &["--from", "client", "--to", "i-0123", "--port", "80"],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn aws_id_errors() {
    let y = IDS.replace("aws_id: subnet-0aa", "aws_id: sub-0aa");
    expect(
        &y,
        &at(&y, "sub-0aa"),
        "`sub-0aa` is not an AWS id of subnet `a`",
        "subnet-",
    );
    let y = IDS.replace("aws_id: i-0123,", "aws_id: i-0ABC,");
    expect(
        &y,
        &at(&y, "i-0ABC"),
        "`i-0ABC` is not an AWS id of instance `web`",
        "lower-case",
    );
    let y = IDS.replace("aws_id: rtb-0pub", "aws_id: rtb-0main");
    expect(
        &y,
        &at_last(&y, "rtb-0main"),
        "AWS id `rtb-0main` is already the id of route table `main` (line 11)",
        "one object",
    );
    let y = IDS.replace("eni_aws_id: eni-0123", "eni_aws_id: i-0123");
    expect(
        &y,
        &at_last(&y, "i-0123"),
        "`i-0123` is not an AWS id of the primary interface of `web`",
        "eni-",
    );
    let y = IDS.replace("{ aws_id: igw-0123456789abcdef0 }", "{ aws_id: vgw-1 }");
    expect(
        &y,
        &at(&y, "vgw-1"),
        "`vgw-1` is not an AWS id of the internet gateway",
        "igw-",
    );
    let y = IDS.replace("the main VPC", &"x".repeat(256));
    expect(
        &y,
        &at(&y, "xxx"),
        "description is 256 characters long",
        "shorten",
    );
    let y = IDS.replace("{ aws_id: igw-0123456789abcdef0 }", "{ id: igw-1 }");
    expect(&y, &at(&y, "id: igw-1"), "id", "");
}

#[test]
fn main_route_table_elsewhere_leaves_no_phantom_main() {
    let y = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    main_route_table: priv
    subnets:
      a: { cidr: 10.0.0.0/24 }
    route_tables:
      priv: { routes: [] }
";
    clean(y);
    let n = crate::common::net(y);
    let names: Vec<&str> = n.route_tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["priv"]);
    assert!(n.route_tables[0].main);
    assert_eq!(n.subnets[0].route_table, n.route_tables[0].id);
    // `route_table: main` then names nothing.
    let y2 = y.replace(
        "a: { cidr: 10.0.0.0/24 }",
        "a: { cidr: 10.0.0.0/24, route_table: main }",
    );
    expect(
        &y2,
        "7:44",
        "route table `main` does not exist in VPC `main`",
        "route_tables",
    );
}

#[test]
fn account_errors() {
    let y = "name: t\naccount: \"12345\"\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    account: \"12345678901a\"\n";
    expect(y, "2:10", "`12345` is not an AWS account id", "12 digits");
    expect(
        y,
        "6:14",
        "`12345678901a` is not an AWS account id",
        "12 digits",
    );
    let ok = "name: t\naccount: \"111122223333\"\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n  other:\n    cidr: 10.1.0.0/16\n    account: \"444455556666\"\n";
    clean(ok);
    let n = crate::common::net(ok);
    assert_eq!(n.vpcs[0].account, "111122223333");
    assert_eq!(n.vpcs[1].account, "444455556666");
    let n = crate::common::net("name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n");
    assert_eq!(n.vpcs[0].account, vpclab::model::DEFAULT_ACCOUNT);
}

#[test]
fn blackhole_routes_validate_without_warnings() {
    let y = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r }
      b: { cidr: 10.0.1.0/24 }
    route_tables:
      r:
        routes:
          - { destination: 0.0.0.0/0, target: blackhole }
          - { destination: 10.0.1.0/24, target: blackhole }
";
    let (code, out) = vpclab("validate", y, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning"), "{out}");
    let (_, show) = vpclab("show", y, &[]);
    assert!(
        show.lines()
            .any(|l| l.contains("0.0.0.0/0") && l.contains("blackhole  blackhole")),
        "{show}"
    );
    let bad = y.replace(
        "target: blackhole }\n          - { destination: 10",
        "target: black-hole }\n          - { destination: 10",
    );
    expect(
        &bad,
        &at(&bad, "black-hole"),
        "`black-hole` is not a route target",
        "blackhole",
    );
}

const PUBLIC: &str = "name: t
public_ip_pool: [203.0.113.0/28, 198.51.100.0/28]
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24 }
    instances:
      fixed: { subnet: a, public_ip: 54.1.2.3 }
      auto1: { subnet: a, public_ip: true }
      auto2: { subnet: a, public_ip: true }
      eip: { subnet: a, elastic_ip: 198.51.100.12 }
internet:
  hosts:
    client: { ip: 192.0.2.50 }
";

#[test]
fn fixed_public_ips_and_several_pools() {
    clean(PUBLIC);
    let n = crate::common::net(PUBLIC);
    let public = |name: &str| {
        let i = n.instance(n.instance_by_name(name).unwrap());
        let e = n.eni(i.eni);
        (e.public_ip.map(|a| a.to_string()), e.elastic)
    };
    assert_eq!(public("fixed"), (Some("54.1.2.3".into()), false));
    // The first pool has 5 addresses from base+10 (.10 to .14): auto1 and auto2 take two.
    assert_eq!(public("auto1"), (Some("203.0.113.10".into()), false));
    assert_eq!(public("auto2"), (Some("203.0.113.11".into()), false));
    assert_eq!(public("eip"), (Some("198.51.100.12".into()), true));
    assert_eq!(n.public_pools.len(), 2);
    let many = PUBLIC.replace("public_ip: true }\n      auto2", "public_ip: true }\n      auto3: { subnet: a, public_ip: true }\n      auto4: { subnet: a, public_ip: true }\n      auto5: { subnet: a, public_ip: true }\n      auto6: { subnet: a, public_ip: true }\n      auto2");
    let n = crate::common::net(&many);
    let a2 = n.instance(n.instance_by_name("auto2").unwrap());
    assert_eq!(
        n.eni(a2.eni).public_ip.map(|a| a.to_string()).as_deref(),
        Some("198.51.100.10"),
        "the second pool once the first is used up"
    );
}

#[test]
fn public_ip_errors() {
    let y = PUBLIC.replace("public_ip: 54.1.2.3", "public_ip: 10.9.9.9");
    expect(
        &y,
        &at(&y, "10.9.9.9"),
        "public IP 10.9.9.9 of instance `fixed` is not a public address",
        "public_ip: true",
    );
    let y = PUBLIC.replace(
        "cidr: 10.0.0.0/16",
        "cidr: 10.0.0.0/16\n    secondary_cidrs: [54.1.0.0/16]",
    );
    expect(
        &y,
        &at(&y, "54.1.2.3"),
        "public IP 54.1.2.3 of instance `fixed` is inside VPC `main`",
        "outside every VPC",
    );
    let y = PUBLIC.replace("public_ip: 54.1.2.3", "public_ip: 192.0.2.50");
    expect(
        &y,
        &at(&y, "192.0.2.50 }"),
        "public IP 192.0.2.50 is the address of internet host `client`",
        "another",
    );
    let y = PUBLIC.replace("elastic_ip: 198.51.100.12", "public_ip: 54.1.2.3");
    expect(
        &y,
        &at_last(&y, "54.1.2.3"),
        "public IP 54.1.2.3 is already associated with instance `fixed`",
        "one interface",
    );
    let y = PUBLIC.replace(
        "public_ip: 54.1.2.3",
        "public_ip: 54.1.2.3, elastic_ip: true",
    );
    expect(
        &y,
        &at(&y, "54.1.2.3"),
        "has both a fixed `public_ip` and an `elastic_ip`",
        "one public address",
    );
    let y = PUBLIC.replace("public_ip: 54.1.2.3", "public_ip: \"yes\"");
    expect(&y, &at(&y, "\"yes\""), "`yes` is not an IPv4 address", "");
    let y = PUBLIC.replace(
        "[203.0.113.0/28, 198.51.100.0/28]",
        "[203.0.113.0/28, 203.0.113.0/24]",
    );
    expect(
        &y,
        &at(&y, "203.0.113.0/24"),
        "public_ip_pool 203.0.113.0/24 overlaps the pool 203.0.113.0/28",
        "once",
    );
    let y = PUBLIC.replace(
        "[203.0.113.0/28, 198.51.100.0/28]",
        "[203.0.113.0/28, 10.0.0.0/24]",
    );
    expect(
        &y,
        &at(&y, "10.0.0.0/24]"),
        "public_ip_pool 10.0.0.0/24 is not public address space",
        "public block",
    );
    let y = PUBLIC.replace("elastic_ip: 198.51.100.12", "elastic_ip: 198.51.100.100");
    expect(
        &y,
        &at(&y, "198.51.100.100"),
        "outside the public IP pool 203.0.113.0/28, 198.51.100.0/28",
        "",
    );
}

const LISTS: &str = "name: t
prefix_lists:
  corp:
    entries: [192.0.2.0/24, { cidr: 198.51.100.0/24, description: office }]
    max_entries: 5
vpcs:
  main:
    cidr: 10.0.0.0/16
    internet_gateway: true
    subnets:
      a: { cidr: 10.0.0.0/24, route_table: r }
    route_tables:
      r:
        routes:
          - { destination: pl:corp, target: igw }
    security_groups:
      web:
        inbound:
          - { protocol: tcp, ports: 80, source: pl:corp }
        outbound:
          - { protocol: tcp, ports: 443, destination: pl:corp }
";

#[test]
fn prefix_list_errors() {
    clean(LISTS);
    let y = LISTS.replace(
        "destination: pl:corp, target",
        "destination: pl:corpp, target",
    );
    expect(
        &y,
        &at(&y, "pl:corpp"),
        "prefix list `corpp` does not exist",
        "declared: corp",
    );
    let y = LISTS.replace("source: pl:corp", "source: pl:nope");
    expect(
        &y,
        &at(&y, "pl:nope"),
        "prefix list `nope` does not exist",
        "prefix_lists",
    );
    let y = LISTS.replace("[192.0.2.0/24, {", "[192.0.2.0/24, 192.0.2.0/24, {");
    expect(
        &y,
        &at_last(&y, "192.0.2.0/24"),
        "prefix list `corp` already has the entry 192.0.2.0/24",
        "duplicate",
    );
    let y = LISTS.replace("[192.0.2.0/24, {", "[192.0.2.1/24, {");
    expect(&y, &at(&y, "192.0.2.1/24"), "host bits", "");
    let y = LISTS.replace("max_entries: 5", "max_entries: 1");
    expect(&y, "5:18", "has 2 entries but max_entries is 1", "raise");
    let y = LISTS.replace("max_entries: 5", "max_entries: 1001");
    expect(
        &y,
        &at(&y, "1001"),
        "max_entries 1001 is outside 1..1000",
        "",
    );
    let y = LISTS.to_string()
        + "    network_acls:\n      n:\n        inbound: [{ rule: 100, action: allow, protocol: all, cidr: pl:corp }]\n";
    expect(
        &y,
        &at(&y, "pl:corp }]"),
        "a NACL rule cannot use the prefix list `pl:corp`",
        "CIDRs only",
    );
    let y = LISTS.replace("          - { destination: pl:corp, target: igw }\n", "          - { destination: pl:corp, target: igw }\n          - { destination: pl:corp, target: blackhole }\n");
    expect(
        &y,
        &at_last(&y, "pl:corp, target"),
        "already has a route to prefix list `corp`",
        "one route per destination",
    );
}

#[test]
fn prefix_list_routes_expand_to_entries() {
    let n = crate::common::net(LISTS);
    let rt = &n.route_tables[1];
    let entries: Vec<String> = rt
        .routes
        .iter()
        .filter(|r| r.prefix_list.is_some())
        .map(|r| r.destination.to_string())
        .collect();
    assert_eq!(entries, ["192.0.2.0/24", "198.51.100.0/24"]);
    let (_, show) = vpclab("show", LISTS, &[]);
    assert!(show.contains("198.51.100.0/24 (pl-corp)"), "{show}");
    assert!(show.contains("pl-corp"), "{show}");
}

#[test]
fn secondary_ip_errors() {
    let y = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.0.0/24 }
    instances:
      x: { subnet: a, ip: 10.0.0.10, secondary_ips: [10.0.0.11, 10.0.0.12] }
      y: { subnet: a }
";
    clean(y);
    let n = crate::common::net(y);
    let x = n.eni(n.instance(n.instance_by_name("x").unwrap()).eni);
    assert_eq!(x.secondary_ips.len(), 2);
    // Allocation skips secondaries: y gets base+4, not one of them.
    let yy = n.eni(n.instance(n.instance_by_name("y").unwrap()).eni);
    assert_eq!(yy.private_ip.to_string(), "10.0.0.4");
    let bad = y.replace("10.0.0.12]", "10.0.1.12]");
    expect(
        &bad,
        &at(&bad, "10.0.1.12"),
        "secondary IP of instance `x` address 10.0.1.12 is not inside its subnet `a`",
        "inside 10.0.0.0/24",
    );
    let bad = y.replace("10.0.0.12]", "10.0.0.10]");
    expect(
        &bad,
        &at_last(&bad, "10.0.0.10"),
        "address 10.0.0.10 is already taken by instance `x`",
        "one interface",
    );
    let bad = y.replace("10.0.0.12]", "10.0.0.255]");
    expect(
        &bad,
        &at(&bad, "10.0.0.255"),
        "is the broadcast address",
        "reserves",
    );
    let bad = y.replace("y: { subnet: a }", "y: { subnet: a, ip: 10.0.0.11 }");
    // Primary addresses are taken first: the secondary is the one reported.
    expect(
        &bad,
        &at(&bad, "10.0.0.11"),
        "address 10.0.0.11 is already taken by instance `y`",
        "one interface",
    );
}

const NICS: &str = "name: t
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      a: { cidr: 10.0.0.0/24 }
      b: { cidr: 10.0.1.0/24 }
      c: { cidr: 10.0.2.0/24, az: us-east-1b }
    security_groups:
      admin: {}
    instances:
      x:
        subnet: a
        network_interfaces:
          - { subnet: b, ip: 10.0.1.10, secondary_ips: [10.0.1.11], security_groups: [admin], source_dest_check: false }
          - { subnet: b, aws_id: eni-0abc, description: third }
";

#[test]
fn network_interfaces_build_and_errors() {
    clean(NICS);
    let n = crate::common::net(NICS);
    let x = n.instance(n.instance_by_name("x").unwrap());
    let ids: Vec<&str> = x.enis.iter().map(|e| n.eni(*e).aws_id.as_str()).collect();
    assert_eq!(ids, ["eni-x", "eni-x-1", "eni-0abc"]);
    let e1 = n.eni(x.enis[1]);
    assert_eq!(
        (e1.device, e1.source_dest_check, e1.private_ip.to_string()),
        (1, false, "10.0.1.10".into())
    );
    assert_eq!(n.sg(e1.sgs[0]).name, "admin");
    let e2 = n.eni(x.enis[2]);
    assert_eq!(
        e2.private_ip.to_string(),
        "10.0.1.4",
        "allocated in its own subnet"
    );
    assert_eq!(n.sg(e2.sgs[0]).name, "default");
    let (_, json) = vpclab("show", NICS, &["--json"]);
    assert!(json.contains("\"network_interfaces\""), "{json}");
    let y = NICS.replace("- { subnet: b, aws_id", "- { subnet: c, aws_id");
    expect(&y, &at(&y, "c, aws_id"), "interface 2 of instance `x` is in us-east-1b (subnet `c`), its primary interface in us-east-1a", "availability zone");
    let y = NICS.replace("- { subnet: b, aws_id", "- { subnet: z, aws_id");
    expect(
        &y,
        &at(&y, "z, aws_id"),
        "subnet `z` does not exist in VPC `main`",
        "subnets:",
    );
    let y = NICS.replace("ip: 10.0.1.10,", "ip: 10.0.0.10,");
    expect(
        &y,
        &at(&y, "10.0.0.10"),
        "interface of instance `x` address 10.0.0.10 is not inside its subnet `b`",
        "10.0.1.0/24",
    );
    let y = NICS.replace("secondary_ips: [10.0.1.11]", "secondary_ips: [10.0.2.11]");
    expect(&y, &at(&y, "10.0.2.11"), "is not inside its subnet `b`", "");
    let y = NICS.replace("aws_id: eni-0abc", "aws_id: i-0abc");
    expect(
        &y,
        &at(&y, "i-0abc"),
        "`i-0abc` is not an AWS id of interface 2 of `x`",
        "eni-",
    );
    let y = NICS.replace("security_groups: [admin]", "security_groups: [nope]");
    expect(
        &y,
        &at(&y, "nope"),
        "security group `nope` does not exist in VPC `main`",
        "security_groups",
    );
}

#[test]
fn the_schema_has_the_import_keys() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclab"))
        .arg("schema")
        .output()
        .expect("vpclab runs");
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON schema");
    let props = |def: &str| -> Vec<String> {
        let d = if def.is_empty() { &s } else { &s["$defs"][def] };
        d["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{def} has properties"))
            .keys()
            .cloned()
            .collect()
    };
    let has = |def: &str, keys: &[&str]| {
        let p = props(def);
        for k in keys {
            assert!(p.iter().any(|x| x == k), "{def} lacks {k}: {p:?}");
        }
    };
    has("", &["account", "prefix_lists", "public_ip_pool"]);
    has(
        "Vpc",
        &["aws_id", "description", "account", "internet_gateway"],
    );
    has(
        "Instance",
        &[
            "aws_id",
            "eni_aws_id",
            "secondary_ips",
            "network_interfaces",
            "public_ip",
        ],
    );
    has(
        "NetworkInterface",
        &[
            "subnet",
            "ip",
            "secondary_ips",
            "security_groups",
            "source_dest_check",
            "public_ip",
            "aws_id",
        ],
    );
    has(
        "PrefixList",
        &["entries", "max_entries", "aws_id", "description"],
    );
    for def in [
        "Subnet",
        "RouteTable",
        "NetworkAcl",
        "SecurityGroup",
        "NatGateway",
        "Peering",
    ] {
        has(def, &["aws_id", "description"]);
    }
    // The union forms: `public_ip` true/false or an address, the pool a CIDR or a list.
    assert_eq!(
        s["$defs"]["PublicIp"]["anyOf"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        s["$defs"]["PublicIpPool"]["anyOf"].as_array().map(Vec::len),
        Some(2)
    );
}
