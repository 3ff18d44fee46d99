//! Names for imported objects. AWS names things by id and by a free `Name` tag; the format
//! wants short `[a-z0-9-]+` names, unique per scope. [`Namer`] turns a tag (or, without one,
//! the id) into such a name and makes it unique in its scope by adding a piece of the AWS id,
//! so the same input always gives the same names; the original tag text is kept by the caller
//! as `description`. [`topology_name`] derives the topology's own name from a path.

use std::collections::BTreeSet;
use std::path::Path;

/// Longest object name an import writes (long Name tags are cut, then made unique).
pub const MAX_NAME: usize = 40;

/// Longest topology name (it prefixes namespace and device names).
pub const MAX_TOPOLOGY_NAME: usize = 12;

/// `text` lower-cased with every run of characters outside `[a-z0-9]` turned into one `-`,
/// no `-` at either end, cut to `max` characters (and trimmed again). May be empty.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(max);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Longest `description` the format takes (characters).
pub const MAX_DESCRIPTION: usize = 255;

/// `text` as a `description`: cut to [`MAX_DESCRIPTION`] characters (AWS tag values may hold
/// 256).
pub fn description(text: &str) -> String {
    text.chars().take(MAX_DESCRIPTION).collect()
}

/// FNV-1a 32 of `text`: a stable hash (the same on every machine and version) for shortened
/// names.
pub fn stable_hash(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Unique names in one scope (the VPCs of a topology, the subnets of a VPC, the instances
/// and NAT gateways of the whole topology, ...).
#[derive(Debug, Clone, Default)]
pub struct Namer {
    used: BTreeSet<String>,
}

impl Namer {
    /// An empty scope.
    pub fn new() -> Namer {
        Namer::default()
    }

    /// A scope where `names` are already taken (`main`, `default`, ...), so no tag takes them.
    pub fn reserving(names: &[&str]) -> Namer {
        Namer {
            used: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    /// Takes `name` as it is (the caller knows it is valid): `false` when it was taken.
    pub fn take(&mut self, name: &str) -> bool {
        self.used.insert(name.to_string())
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.used.contains(name)
    }

    /// A new unique name for an object with this `Name` tag (or none) and AWS id. The tag's
    /// slug when it has one, else the id's (`subnet-0a1b2c`). When taken: the slug plus `-` and
    /// the last 6 characters of the id's slug; then plus `-2`, `-3`, ...
    pub fn name(&mut self, tag: Option<&str>, aws_id: &str) -> String {
        let id = slug(aws_id, MAX_NAME);
        let base = tag
            .map(|t| slug(t, MAX_NAME))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| id.clone());
        let base = if base.is_empty() {
            "unnamed".to_string()
        } else {
            base
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let tail: String = {
            let t = id.replace('-', "");
            t[t.len().saturating_sub(6)..].to_string()
        };
        let with_id = if tail.is_empty() || base.ends_with(&tail) {
            base.clone()
        } else {
            let room = MAX_NAME.saturating_sub(tail.len() + 1);
            let mut b = base.clone();
            b.truncate(room);
            format!("{}-{tail}", b.trim_end_matches('-'))
        };
        if self.used.insert(with_id.clone()) {
            return with_id;
        }
        (2u32..)
            .map(|n| format!("{with_id}-{n}"))
            .find(|c| self.used.insert(c.clone()))
            .unwrap_or(with_id)
    }
}

/// Folder names that say nothing about what was imported (Batfish's `aws_configs`, ...): the
/// topology name comes from the folder above them.
const GENERIC: &[&str] = &["aws_configs", "aws-configs", "configs", "json", "."];

/// The topology name for an import of `path`: the last component of the path that is not a
/// generic folder name (the file name without its extension), slugged; when longer than 12
/// characters, its first 7 characters, `-` and 4 hex digits of a stable hash of the whole
/// slug. `import` when nothing usable is left.
pub fn topology_name(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let mut pick = None;
    for (i, p) in parts.iter().enumerate().rev() {
        let stem = if i + 1 == parts.len() {
            Path::new(p)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            p.clone()
        };
        if !GENERIC.contains(&stem.to_ascii_lowercase().as_str()) && !slug(&stem, 200).is_empty() {
            pick = Some(stem);
            break;
        }
    }
    let full = slug(&pick.unwrap_or_default(), 200);
    if full.is_empty() {
        return "import".to_string();
    }
    if full.len() <= MAX_TOPOLOGY_NAME {
        return full;
    }
    let mut head = full[..7].to_string();
    while head.ends_with('-') {
        head.pop();
    }
    format!("{head}-{:04x}", stable_hash(&full) & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_lower_case_and_collapse() {
        assert_eq!(slug("  Web Server (prod)_1 ", 40), "web-server-prod-1");
        assert_eq!(slug("ÄÖ--", 40), "");
        assert_eq!(slug("abc-def", 4), "abc");
    }

    #[test]
    fn names_are_unique_and_stable() {
        let mut n = Namer::reserving(&["main"]);
        assert_eq!(n.name(Some("Web"), "i-0abc123456"), "web");
        assert_eq!(n.name(Some("web"), "i-0abc999999"), "web-999999");
        assert_eq!(n.name(Some("Main"), "rtb-0011223344"), "main-223344");
        assert_eq!(n.name(None, "subnet-0a1b"), "subnet-0a1b");
        assert_eq!(n.name(Some("!!!"), "sg-1"), "sg-1");
        assert_eq!(n.name(Some("web"), "i-0abc999999"), "web-999999-2");
    }

    #[test]
    fn topology_names_come_from_the_path() {
        let p = Path::new("/x/batfish-aws/test-nat-gateway/aws_configs");
        let name = topology_name(p);
        assert!(name.len() <= 12 && name.starts_with("test-na"), "{name}");
        assert_eq!(name, topology_name(p), "stable");
        assert_eq!(topology_name(Path::new("prod/Vpcs.json")), "vpcs");
        assert_eq!(topology_name(Path::new("/")), "import");
        assert_eq!(topology_name(Path::new("My Lab")), "my-lab");
    }
}
