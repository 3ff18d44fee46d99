//! VPC endpoints on the netns backend (root): real `curl` from private instances (no NAT
//! gateway, no public IP) to S3 through a gateway endpoint, and to SQS through an interface
//! endpoint by its private DNS name, which the VPC resolver answers with the endpoint's ENIs;
//! over HTTP and over HTTPS with the topology's CA (`backend::netns::trust`), without `-k`.

use crate::common::netns::*;
use crate::common::require::{self, AWS, CURL};

/// `app` and `app-b` sit in subnets whose table routes S3's prefix list to the gateway
/// endpoint; `lone` sits in `isolated`, whose table has no endpoint route (and no NAT, no
/// IGW); `web` is in the VPC but not in `sg:app`, which the interface endpoint's group allows.
const TOPOLOGY: &str = r#"name: endpoints
region: us-east-1
aws_services: [s3, sqs]
vpcs:
  main:
    cidr: 10.0.0.0/16
    dns: { support: true, hostnames: true }
    internet_gateway: true
    subnets:
      public-a:  { cidr: 10.0.0.0/24, az: us-east-1a, route_table: public, map_public_ip: true }
      private-a: { cidr: 10.0.1.0/24, az: us-east-1a, route_table: private }
      private-b: { cidr: 10.0.2.0/24, az: us-east-1b, route_table: private }
      isolated:  { cidr: 10.0.3.0/24, az: us-east-1a, route_table: isolated }
    route_tables:
      public:
        routes:
          - { destination: 0.0.0.0/0, target: igw }
      private:
        routes: []
      isolated:
        routes: []
    security_groups:
      app:
        inbound:
          - { protocol: tcp, ports: 22, source: 10.0.0.0/16 }
        outbound:
          - { protocol: tcp, ports: 443, destination: pl:com.amazonaws.us-east-1.s3 }
          - { protocol: tcp, ports: 80, destination: pl:com.amazonaws.us-east-1.s3 }
          - { protocol: tcp, ports: 80, destination: 10.0.0.0/16 }
          - { protocol: tcp, ports: 443, destination: 10.0.0.0/16 }
      endpoint:
        inbound:
          - { protocol: tcp, ports: 80, source: sg:app }
          - { protocol: tcp, ports: 443, source: sg:app }
    endpoints:
      s3:
        type: gateway
        service: s3
        route_tables: [private]
      sqs:
        type: interface
        service: sqs
        subnets: [private-a, private-b]
        security_groups: [endpoint]
        private_dns: true
    instances:
      web: { subnet: public-a }
      app: { subnet: private-a, security_groups: [app] }
      app-b: { subnet: private-b, security_groups: [app] }
      lone: { subnet: isolated, security_groups: [app] }
"#;

/// Runs `sh -c SCRIPT` on `host`; (exit code, stdout, stderr).
fn sh(t: &Topo, host: &str, script: &str) -> (Option<i32>, String, String) {
    let o = t.exec(host, &["sh", "-c", script]);
    (
        o.status.code(),
        stdout(&o),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root and curl: run the README's test command (scripts/test.sh)"]
fn curl_reaches_s3_through_a_gateway_endpoint_and_sqs_by_its_private_dns_name() {
    require::netns(&[CURL]);
    let t = Topo::new("nvpce", TOPOLOGY);
    t.up();
    let net = t.network();
    for i in ["app", "app-b", "lone"] {
        let inst = net.instance(net.instance_by_name(i).unwrap());
        assert_eq!(net.eni(inst.eni).public_ip, None, "{i} has no public IP");
    }
    // PUT from app (virtual-hosted style), GET from app-b (path style), LIST of the bucket.
    let (code, out, err) = sh(
        &t,
        "app",
        "printf 'moved through vpce\\n' > /tmp/vpce-obj.txt && \
         curl -sS -m 10 -o /dev/null -w '%{http_code}' -T /tmp/vpce-obj.txt \
         http://notes.s3.us-east-1.amazonaws.com/dir/obj.txt",
    );
    assert_eq!((code, out.as_str()), (Some(0), "200"), "PUT: {err}");
    let (code, out, err) = sh(
        &t,
        "app-b",
        "curl -sS -m 10 http://s3.us-east-1.amazonaws.com/notes/dir/obj.txt",
    );
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "moved through vpce\n"),
        "GET: {err}"
    );
    let (_, out, err) = sh(
        &t,
        "app",
        "curl -sS -m 10 'http://notes.s3.us-east-1.amazonaws.com/?list-type=2&prefix=dir/'",
    );
    assert!(
        out.contains("<Key>dir/obj.txt</Key>") && out.contains("<KeyCount>1</KeyCount>"),
        "LIST: {out}{err}"
    );
    // HTTPS with the topology's CA, trusted by the namespace's system store: no `-k`.
    let (code, out, err) = sh(
        &t,
        "app-b",
        "curl -sS -m 10 https://notes.s3.us-east-1.amazonaws.com/dir/obj.txt",
    );
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "moved through vpce\n"),
        "GET over HTTPS: {err}"
    );
    // The same VPC, a table without the endpoint route: no way to S3.
    let (code, out, _) = sh(
        &t,
        "lone",
        "curl -s -m 3 http://notes.s3.us-east-1.amazonaws.com/dir/obj.txt",
    );
    assert_ne!(code, Some(0), "lone must not reach S3: {out}");

    // SQS by its public name: the VPC resolver answers with the endpoint's ENIs.
    let eni_ips: Vec<String> = net
        .vpc_endpoints
        .iter()
        .filter(|e| !e.is_gateway())
        .flat_map(|e| e.enis().iter().map(|x| net.eni(*x).private_ip.to_string()))
        .collect();
    assert_eq!(eni_ips.len(), 2, "one ENI per subnet: {eni_ips:?}");
    let (_, out, _) = sh(&t, "app", "getent hosts sqs.us-east-1.amazonaws.com");
    for ip in &eni_ips {
        assert!(out.contains(ip.as_str()), "{ip} in {out}");
    }
    let (code, out, err) = sh(
        &t,
        "app",
        "curl -sS -m 10 http://sqs.us-east-1.amazonaws.com/",
    );
    assert_eq!(code, Some(0), "curl by name: {err}");
    assert!(
        out.contains("\"service\": \"sqs\"") && eni_ips.iter().any(|ip| out.contains(ip.as_str())),
        "answered at an endpoint ENI: {out}"
    );
    let (code, out, err) = sh(
        &t,
        "app",
        "curl -sS -m 10 https://sqs.us-east-1.amazonaws.com/",
    );
    assert_eq!(code, Some(0), "curl https by name: {err}");
    assert!(out.contains("\"service\": \"sqs\""), "{out}");
    // web is not in sg:app: the endpoint's security group drops its SYN.
    let (code, out, _) = sh(
        &t,
        "web",
        "curl -s -m 3 http://sqs.us-east-1.amazonaws.com/",
    );
    assert_ne!(code, Some(0), "the endpoint's SG must block web: {out}");
}

/// The AWS CLI from a private instance, through the gateway endpoint, over HTTPS by the
/// global and regional S3 names, with dummy credentials (signatures are not checked).
/// botocore reads certifi's bundle, not the system's: `AWS_CA_BUNDLE` points it at the
/// namespace's system bundle, which trusts the topology's CA (docs/topology.md).
#[test]
#[ignore = "needs root and the AWS CLI: run the README's test command (scripts/test.sh)"]
fn aws_s3_cp_ls_and_head_object_from_a_private_instance() {
    require::netns(&[AWS]);
    let t = Topo::new("nvpca", TOPOLOGY);
    t.up();
    let env = "export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=dummy \
               AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
               AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt; ";
    let run = |host: &str, script: &str| sh(&t, host, &format!("{env}{script}"));
    let (code, _, err) = run(
        "app",
        "printf 'from the cli\\n' > /tmp/vpce-cli.txt && \
         aws s3 cp /tmp/vpce-cli.txt s3://notes/cli/a.txt",
    );
    assert_eq!(code, Some(0), "aws s3 cp up: {err}");
    let (code, out, err) = run("app-b", "aws s3 ls s3://notes/cli/");
    assert_eq!(code, Some(0), "aws s3 ls: {err}");
    assert!(out.contains("13 a.txt"), "listed with its size: {out}");
    let (code, out, err) = run(
        "app-b",
        "aws s3 cp s3://notes/cli/a.txt /tmp/vpce-back.txt >/dev/null && cat /tmp/vpce-back.txt",
    );
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "from the cli\n"),
        "aws s3 cp down: {err}"
    );
    let (code, out, err) = run(
        "app",
        "aws s3api head-object --bucket notes --key cli/a.txt --query ContentLength",
    );
    assert_eq!((code, out.trim()), (Some(0), "13"), "head-object: {err}");
    // Without the endpoint route the CLI cannot reach S3 (its retries bounded by the timeout).
    let (code, _, _) = run(
        "lone",
        "AWS_MAX_ATTEMPTS=1 timeout 20 aws --cli-connect-timeout 3 s3 ls s3://notes/",
    );
    assert_ne!(code, Some(0), "lone must not reach S3");
}
