//! Does this process have the privileges the namespace backend needs?

/// CAP_NET_ADMIN's bit in the capability sets.
const CAP_NET_ADMIN: u32 = 12;
/// CAP_SYS_ADMIN's bit (needed for `setns` and `ip netns add`).
const CAP_SYS_ADMIN: u32 = 21;

/// True when the effective capabilities include CAP_NET_ADMIN and CAP_SYS_ADMIN (root has both).
pub fn has_net_admin() -> bool {
    let status = match std::fs::read_to_string("/proc/self/status") {
        Ok(s) => s,
        // SAFETY: geteuid has no preconditions.
        Err(_) => return unsafe { libc::geteuid() } == 0,
    };
    cap_eff(&status).is_some_and(|c| c & (1 << CAP_NET_ADMIN) != 0 && c & (1 << CAP_SYS_ADMIN) != 0)
}

/// The `CapEff:` mask of a `/proc/PID/status` text.
fn cap_eff(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("CapEff:"))?;
    u64::from_str_radix(line["CapEff:".len()..].trim(), 16).ok()
}

/// The message for a missing privilege (exit 3).
pub fn privilege_hint() -> String {
    "the netns backend needs CAP_NET_ADMIN (network namespaces and TAP devices)\n\
     hint: run it with sudo, or use `--backend virtual` (no privilege needed)"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::cap_eff;

    #[test]
    fn parses_cap_eff() {
        let s = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n";
        assert_eq!(cap_eff(s), Some(0x1ff_ffff_ffff));
        assert_eq!(cap_eff("CapEff:\t0000000000000000\n"), Some(0));
        assert_eq!(cap_eff("nothing"), None);
    }
}
