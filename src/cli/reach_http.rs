//! `reach --http-path/--http-host`: the HTTP request an application load balancer's listener
//! rules match in the analyzer's walk (`docs/reach.md`).

use super::common::Fail;
use vpclab::model::load_balancer::LbType;
use vpclab::model::Network;
use vpclab::policy::path::HttpRequest;
use vpclab::reach::Party;

/// Sets the request of `to` (a load balancer) from the flags; an error when a flag is given
/// and `to` is no application load balancer, or the path does not start with `/`.
pub fn set_request(
    net: &Network,
    to: &mut Party,
    path: &Option<String>,
    host: &Option<String>,
) -> Result<(), Fail> {
    if path.is_none() && host.is_none() {
        return Ok(());
    }
    if let Some(p) = path {
        if !p.starts_with('/') {
            return Err(Fail::input(format!(
                "--http-path: `{p}` does not start with `/`"
            )));
        }
    }
    match to {
        Party::LoadBalancer { lb, http, .. }
            if net.load_balancer(*lb).lb_type == LbType::Application =>
        {
            *http = HttpRequest {
                host: host.clone(),
                path: path.clone(),
            };
            Ok(())
        }
        _ => Err(Fail::input(
            "--http-path and --http-host need --to an application load balancer (its name, DNS name or ARN)",
        )),
    }
}
