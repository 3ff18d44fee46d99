//! Writing a [`Document`] as topology YAML. The text is serde-saphyr's block style of the
//! document's fields in declaration order and its maps in name order, so the same document
//! always gives the same bytes (golden files compare them). Strings that YAML would read as
//! something else (the 12-digit `account`, `true`, `80`) come out quoted.

use super::doc::Document;

/// The YAML text of `doc`, newline-terminated, preceded by a comment line naming `source`
/// (what was imported, e.g. `vpclab import aws`).
pub fn to_yaml(doc: &Document, source: &str) -> Result<String, String> {
    let body = serde_saphyr::to_string(doc).map_err(|e| format!("cannot write YAML: {e}"))?;
    let mut out = String::with_capacity(body.len() + 64);
    out.push_str("# Written by ");
    out.push_str(source);
    out.push_str(": AWS ids are kept as aws_id, Name tags as description.\n");
    out.push_str(&body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::doc::*;
    use super::*;

    /// A document with every kind of value that needs care in YAML.
    fn sample() -> Document {
        let mut vpc = Vpc {
            aws_id: Some("vpc-0a1".into()),
            description: Some("Prod: main # not a comment".into()),
            account: Some("012345678901".into()),
            cidr: "10.0.0.0/16".parse().unwrap(),
            internet_gateway: Some(InternetGateway {
                aws_id: Some("igw-1".into()),
            }),
            ..Vpc::default()
        };
        vpc.subnets.insert(
            "a".into(),
            Subnet {
                aws_id: None,
                description: Some("true".into()),
                cidr: "10.0.1.0/24".parse().unwrap(),
                az: Some("us-east-1a".into()),
                route_table: None,
                network_acl: None,
                map_public_ip: true,
                ..Subnet::default()
            },
        );
        vpc.route_tables.insert(
            "main".into(),
            RouteTable {
                routes: vec![
                    Route {
                        destination: Destination::Cidr("0.0.0.0/0".parse().unwrap()),
                        target: Target::Igw,
                    },
                    Route {
                        destination: Destination::PrefixList("corp".into()),
                        target: Target::Blackhole,
                    },
                ],
                ..RouteTable::default()
            },
        );
        vpc.security_groups.insert(
            "web".into(),
            SecurityGroup {
                inbound: Some(vec![SgRule {
                    protocol: Protocol::Tcp,
                    ports: Some(Ports { from: 80, to: 80 }),
                    source: Some(Peer::Cidr("0.0.0.0/0".parse().unwrap())),
                    destination: None,
                    icmp: None,
                    description: Some("80".into()),
                }]),
                outbound: Some(vec![]),
                ..SecurityGroup::default()
            },
        );
        let mut d = Document {
            name: "t".into(),
            account: Some("123456789012".into()),
            public_ip_pool: vec!["203.0.113.0/24".parse().unwrap()],
            ..Document::default()
        };
        d.vpcs.insert("prod".into(), vpc);
        d
    }

    #[test]
    fn writes_the_document_deterministically_with_quoted_ambiguous_strings() {
        let y = to_yaml(&sample(), "a test").unwrap();
        assert_eq!(y, to_yaml(&sample(), "a test").unwrap());
        assert!(y.starts_with("# Written by a test"), "{y}");
        let v: serde_json::Value = serde_saphyr::from_str(&y).unwrap();
        assert_eq!(v["account"], "123456789012", "{y}");
        assert_eq!(v["vpcs"]["prod"]["account"], "012345678901", "{y}");
        assert_eq!(
            v["vpcs"]["prod"]["subnets"]["a"]["description"], "true",
            "{y}"
        );
        assert_eq!(
            v["vpcs"]["prod"]["subnets"]["a"]["map_public_ip"], true,
            "{y}"
        );
        assert_eq!(v["vpcs"]["prod"]["internet_gateway"]["aws_id"], "igw-1");
        let sg = &v["vpcs"]["prod"]["security_groups"]["web"];
        assert_eq!(sg["inbound"][0]["ports"], 80, "{y}");
        assert_eq!(sg["inbound"][0]["description"], "80", "{y}");
        assert_eq!(sg["outbound"], serde_json::json!([]), "{y}");
        let rt = &v["vpcs"]["prod"]["route_tables"]["main"]["routes"];
        assert_eq!(rt[1]["destination"], "pl:corp", "{y}");
        assert_eq!(rt[1]["target"], "blackhole", "{y}");
        assert_eq!(
            v["vpcs"]["prod"]["description"], "Prod: main # not a comment",
            "{y}"
        );
    }
}
