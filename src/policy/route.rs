//! Route lookup (part of `policy`, rank 2): longest prefix match in a subnet's route table.

use crate::model::{Network, Route, RouteTableId};
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The route a destination takes in a table (longest prefix wins), with its index in
/// `RouteTable::routes`; None when no route covers `dst` (the packet has no route).
pub fn lookup(net: &Network, table: RouteTableId, dst: Ipv4Addr) -> Option<(usize, &Route)> {
    let t = net.route_table(table);
    let host = Ipv4Net::new(dst, 32).ok()?;
    t.lpm.get_lpm(&host).map(|(_, &i)| (i, &t.routes[i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Target;

    #[test]
    fn longest_prefix_wins() {
        let n = crate::model::from_yaml(
            "name: t\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    internet_gateway: true\n    subnets:\n      a: { cidr: 10.0.0.0/24, route_table: pub }\n    route_tables:\n      pub:\n        routes:\n          - { destination: 0.0.0.0/0, target: igw }\n          - { destination: 8.8.0.0/16, target: igw }\n",
        );
        let rt = n.subnets[0].route_table;
        let (_, r) = lookup(&n, rt, "10.0.5.5".parse().unwrap()).unwrap();
        assert_eq!(r.target, Target::Local);
        let (_, r) = lookup(&n, rt, "8.8.8.8".parse().unwrap()).unwrap();
        assert_eq!(r.destination.to_string(), "8.8.0.0/16");
        let (_, r) = lookup(&n, rt, "1.1.1.1".parse().unwrap()).unwrap();
        assert_eq!(r.destination.to_string(), "0.0.0.0/0");
        // The implicit main table has only the local route.
        let main = n.vpcs[0].main_route_table;
        assert!(lookup(&n, main, "1.1.1.1".parse().unwrap()).is_none());
    }
}
