//! Helpers shared by the DNS integration tests.

use std::sync::Arc;
use vpclab::dns::{self, AllHealthy, Client, HealthView, Question, RType, Response, Rng, Zones};
use vpclab::model::{self, Network};
use vpclab::topology;

/// Parses, validates (no errors allowed) and builds a topology.
pub fn net(yaml: &str) -> Arc<Network> {
    let t = topology::parse_str("t.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    let r = topology::validate::validate(&t, "t.yaml");
    assert!(!r.has_errors(), "{r}");
    Arc::new(model::build(&t, "t.yaml").unwrap_or_else(|e| panic!("{e}")))
}

/// Validation report of a topology text.
pub fn report(yaml: &str) -> topology::Report {
    let t = topology::parse_str("t.yaml", yaml).unwrap_or_else(|e| panic!("{e}"));
    topology::validate::validate(&t, "t.yaml")
}

/// Zones of a topology.
pub fn zones(yaml: &str) -> Zones {
    Zones::build(net(yaml))
}

/// The client for a named instance or internet host.
pub fn client(z: &Zones, name: &str) -> Client {
    let ep = z
        .net
        .endpoint_by_name(name)
        .unwrap_or_else(|| panic!("no endpoint {name}"));
    Client::endpoint(&z.net, ep)
}

/// Asks `name`/`t` from `from` with every check healthy.
pub fn ask(z: &Zones, from: &str, name: &str, t: RType) -> Option<Response> {
    ask_with(z, from, name, t, &AllHealthy, &mut Rng::new(1))
}

/// Asks with a health view and a generator.
pub fn ask_with(
    z: &Zones,
    from: &str,
    name: &str,
    t: RType,
    h: &dyn HealthView,
    rng: &mut Rng,
) -> Option<Response> {
    dns::answer(z, &Question::new(name, t), &client(z, from), h, rng)
}

/// The answer values as strings.
pub fn values(r: &Response) -> Vec<String> {
    r.answers.iter().map(|a| a.value.to_string()).collect()
}

/// One VPC `main` (10.0.0.0/16, us-east-1, both DNS attributes) with `web` 10.0.0.10 (public
/// IP), internet hosts de / us (CA) / jp / br, and the given `dns:` section appended.
pub fn base(dns: &str) -> String {
    format!(
        r#"name: t
region: us-east-1
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: {{ support: true, hostnames: true }}
    internet_gateway: true
    subnets:
      a: {{ cidr: 10.0.0.0/24, route_table: public, map_public_ip: true }}
    route_tables:
      public:
        routes:
          - {{ destination: 0.0.0.0/0, target: igw }}
    nat_gateways:
      nat-a: {{ subnet: a }}
    instances:
      web: {{ subnet: a, ip: 10.0.0.10 }}
  other:
    cidr: 10.1.0.0/16
    region: eu-west-1
    dns: {{ support: true, hostnames: true }}
    subnets:
      a: {{ cidr: 10.1.0.0/24 }}
    instances:
      far: {{ subnet: a, ip: 10.1.0.10 }}
  nodns:
    cidr: 10.2.0.0/16
    dns: {{ support: false }}
    subnets:
      a: {{ cidr: 10.2.0.0/24 }}
    instances:
      mute: {{ subnet: a, ip: 10.2.0.10 }}
  nohost:
    cidr: 10.3.0.0/16
    dns: {{ support: true, hostnames: false }}
    subnets:
      a: {{ cidr: 10.3.0.0/24 }}
    instances:
      plain: {{ subnet: a, ip: 10.3.0.10 }}
internet:
  hosts:
    de: {{ ip: 198.51.100.10, location: {{ country: DE }} }}
    us: {{ ip: 198.51.100.20, location: {{ country: US, subdivision: CA }} }}
    jp: {{ ip: 198.51.100.30, location: {{ country: JP }} }}
    br: {{ ip: 198.51.100.40, location: {{ country: BR }} }}
dns:
{dns}
"#
    )
}
