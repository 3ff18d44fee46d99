//! Terraform addresses, parsed: `module.vpc["a"].aws_subnet.private[1]`, `data.aws_vpc.x`, and
//! the references of a plan's `configuration` (`aws_vpc.main.id`, `var.x`, `module.m.out`,
//! `count.index`). Keys keep their kind: `[0]` is a `count` index, `["a"]` a `for_each` key.

use std::fmt;

/// An instance key: a number under `count`, a string under `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// `[3]`
    Int(u64),
    /// `["a"]`
    Str(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Int(i) => write!(f, "[{i}]"),
            Key::Str(s) => write!(f, "[{s:?}]"),
        }
    }
}

/// One `module.NAME[KEY]` step of a module instance path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleStep {
    /// The module call's name.
    pub name: String,
    /// The instance key when the call has `count`/`for_each`.
    pub key: Option<Key>,
}

/// A module instance: the steps from the root (empty = the root module).
pub type ModulePath = Vec<ModuleStep>;

/// Whether a resource is managed (`resource`) or read (`data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// A `resource` block.
    Managed,
    /// A `data` block.
    Data,
}

/// A resource instance's full address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    /// The module instance holding it.
    pub module: ModulePath,
    /// Managed or data.
    pub mode: Mode,
    /// The resource type (`aws_subnet`).
    pub kind: String,
    /// The resource name in the configuration (`private`).
    pub name: String,
    /// The instance key, None for a resource without `count`/`for_each`.
    pub index: Option<Key>,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.module {
            write!(f, "module.{}", m.name)?;
            if let Some(k) = &m.key {
                write!(f, "{k}")?;
            }
            f.write_str(".")?;
        }
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.kind, self.name)?;
        if let Some(k) = &self.index {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// One token of an address: a name, or a bracketed key.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Key(Key),
}

/// Splits `a.b["x.y"][2].c` into names and keys; None on a malformed bracket or string.
fn tokens(s: &str) -> Option<Vec<Tok>> {
    let mut out = vec![];
    let mut chars = s.chars().peekable();
    let mut name = String::new();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !name.is_empty() {
                    out.push(Tok::Name(std::mem::take(&mut name)));
                }
            }
            '[' => {
                if !name.is_empty() {
                    out.push(Tok::Name(std::mem::take(&mut name)));
                }
                let key = if chars.peek() == Some(&'"') {
                    chars.next();
                    let mut k = String::new();
                    loop {
                        match chars.next()? {
                            '\\' => k.push(chars.next()?),
                            '"' => break,
                            c => k.push(c),
                        }
                    }
                    Key::Str(k)
                } else {
                    let mut k = String::new();
                    while let Some(&c) = chars.peek() {
                        if c == ']' {
                            break;
                        }
                        k.push(c);
                        chars.next();
                    }
                    if k == "*" {
                        // A splat (`aws_subnet.x[*].id`): the whole collection, as no key.
                        if chars.next()? != ']' {
                            return None;
                        }
                        continue;
                    }
                    Key::Int(k.trim().parse().ok()?)
                };
                if chars.next()? != ']' {
                    return None;
                }
                out.push(Tok::Key(key));
            }
            c => name.push(c),
        }
    }
    if !name.is_empty() {
        out.push(Tok::Name(name));
    }
    Some(out)
}

/// Takes the leading `module.NAME[KEY]` steps off a token list.
fn module_steps(toks: &[Tok]) -> (ModulePath, &[Tok]) {
    let mut path = vec![];
    let mut rest = toks;
    while let [Tok::Name(m), Tok::Name(name), tail @ ..] = rest {
        if m != "module" {
            break;
        }
        let (key, tail) = match tail {
            [Tok::Key(k), t @ ..] => (Some(k.clone()), t),
            t => (None, t),
        };
        path.push(ModuleStep {
            name: name.clone(),
            key,
        });
        rest = tail;
    }
    (path, rest)
}

impl Address {
    /// Parses a resource instance address as `terraform show -json` writes it.
    pub fn parse(s: &str) -> Option<Address> {
        let toks = tokens(s)?;
        let (module, rest) = module_steps(&toks);
        let (mode, rest) = match rest {
            [Tok::Name(d), tail @ ..] if d == "data" => (Mode::Data, tail),
            t => (Mode::Managed, t),
        };
        let (kind, name, index) = match rest {
            [Tok::Name(k), Tok::Name(n)] => (k.clone(), n.clone(), None),
            [Tok::Name(k), Tok::Name(n), Tok::Key(i)] => (k.clone(), n.clone(), Some(i.clone())),
            _ => return None,
        };
        Some(Address {
            module,
            mode,
            kind,
            name,
            index,
        })
    }

    /// The module path without instance keys: where this resource's configuration lives.
    pub fn config_module(&self) -> Vec<String> {
        self.module.iter().map(|m| m.name.clone()).collect()
    }
}

/// What a configuration reference names, relative to the module it is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// A resource (`aws_vpc.main`, `aws_subnet.x[1]`, `data.aws_vpc.x`); `attr` is the first
    /// attribute after it when given (`id`, `default_route_table_id`).
    Resource {
        /// Managed or data.
        mode: Mode,
        /// Resource type.
        kind: String,
        /// Resource name.
        name: String,
        /// A literal index in the reference.
        index: Option<Key>,
        /// The attribute named, when any.
        attr: Option<String>,
    },
    /// `var.NAME`: an input variable of the module.
    Var(String),
    /// `module.NAME[KEY].OUTPUT` (or `module.NAME` alone, output None).
    Module {
        /// The call's name.
        name: String,
        /// A literal instance key.
        key: Option<Key>,
        /// The output named.
        output: Option<String>,
    },
    /// `count.index`, `each.key`, `each.value`: the referrer's own instance key.
    Own,
    /// `local.*`, `path.*`, `terraform.*`, `self.*`: nothing an importer can follow.
    Opaque,
}

impl Ref {
    /// Parses one entry of an expression's `references`; None when malformed.
    pub fn parse(s: &str) -> Option<Ref> {
        let toks = tokens(s)?;
        let name_at = |i: usize| match toks.get(i) {
            Some(Tok::Name(n)) => Some(n.clone()),
            _ => None,
        };
        let first = name_at(0)?;
        Some(match first.as_str() {
            "var" => Ref::Var(name_at(1)?),
            "count" | "each" => Ref::Own,
            "local" | "path" | "terraform" | "self" => Ref::Opaque,
            "module" => {
                let name = name_at(1)?;
                let (key, out_at) = match toks.get(2) {
                    Some(Tok::Key(k)) => (Some(k.clone()), 3),
                    _ => (None, 2),
                };
                Ref::Module {
                    name,
                    key,
                    output: name_at(out_at),
                }
            }
            _ => {
                let (mode, at) = if first == "data" {
                    (Mode::Data, 1)
                } else {
                    (Mode::Managed, 0)
                };
                let kind = name_at(at)?;
                let name = name_at(at + 1)?;
                let (index, attr_at) = match toks.get(at + 2) {
                    Some(Tok::Key(k)) => (Some(k.clone()), at + 3),
                    _ => (None, at + 2),
                };
                Ref::Resource {
                    mode,
                    kind,
                    name,
                    index,
                    attr: name_at(attr_at),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_module_and_keyed_addresses() {
        let a = Address::parse(r#"module.vpc["a.b"].module.x[2].aws_subnet.private["k\"q"]"#)
            .expect("parses");
        assert_eq!(a.module.len(), 2);
        assert_eq!(a.module[0].key, Some(Key::Str("a.b".into())));
        assert_eq!(a.module[1].key, Some(Key::Int(2)));
        assert_eq!(a.kind, "aws_subnet");
        assert_eq!(a.index, Some(Key::Str("k\"q".into())));
        assert_eq!(a.config_module(), vec!["vpc", "x"]);
        let d = Address::parse("data.aws_vpc.x").expect("parses");
        assert_eq!(
            (d.mode, d.kind.as_str(), &d.index),
            (Mode::Data, "aws_vpc", &None)
        );
        assert_eq!(d.to_string(), "data.aws_vpc.x");
        assert_eq!(
            a.to_string(),
            r#"module.vpc["a.b"].module.x[2].aws_subnet.private["k\"q"]"#
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for s in [
            "",
            "aws_vpc",
            "aws_vpc.x[",
            "aws_vpc.x[\"a]",
            "aws_vpc.x[z]",
            "a.b.c.d",
        ] {
            assert_eq!(Address::parse(s), None, "{s}");
        }
    }

    #[test]
    fn parses_references() {
        assert_eq!(
            Ref::parse("aws_vpc.main.id"),
            Some(Ref::Resource {
                mode: Mode::Managed,
                kind: "aws_vpc".into(),
                name: "main".into(),
                index: None,
                attr: Some("id".into())
            })
        );
        assert!(matches!(
            Ref::parse("aws_subnet.public[0]"),
            Some(Ref::Resource {
                index: Some(Key::Int(0)),
                attr: None,
                ..
            })
        ));
        assert!(matches!(
            Ref::parse("aws_subnet.public[*].id"),
            Some(Ref::Resource { index: None, .. })
        ));
        assert_eq!(Ref::parse("var.vpc_id"), Some(Ref::Var("vpc_id".into())));
        assert_eq!(Ref::parse("count.index"), Some(Ref::Own));
        assert_eq!(Ref::parse("local.vpc_id"), Some(Ref::Opaque));
        assert_eq!(
            Ref::parse("module.vpc[\"x\"].vpc_id"),
            Some(Ref::Module {
                name: "vpc".into(),
                key: Some(Key::Str("x".into())),
                output: Some("vpc_id".into())
            })
        );
    }
}
