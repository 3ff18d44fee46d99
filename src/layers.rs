//! The layer rule, enforced: reads every file under `src/` and fails when a module imports a
//! module above it (see `docs/architecture.md`, "Layers"). Paths seen: `crate::x::...`,
//! `use crate::{a, b::c}` groups and `super::` chains that climb out of a module (inline
//! `mod name { ... }` blocks counted). Comments, strings and char literals are skipped.

use std::collections::BTreeSet;
use std::path::Path;

/// Module path prefixes and their rank, lowest first; the longest prefix of a path decides.
/// A module may import its own top-level module and anything of a lower rank; modules that
/// share a rank are siblings and never import each other.
const LAYERS: &[(&str, u8)] = &[
    ("layers", 0), // this checker: it imports nothing
    ("topology", 0),
    ("files", 0),
    ("model", 1),
    ("policy", 2),
    ("engine", 3),
    ("reach", 4),
    ("dns", 4),
    ("flowlog", 4),
    ("load", 5),
    ("import", 5),
    ("services", 6),
    ("backend", 7),
    ("lab", 8),
    ("cli", 9),
    ("main", 9),
];

/// What `dns` and `flowlog` may take from the engine: its hook traits and event types (with
/// `TcpFlags`, the type of a `PacketEvent` field).
const ENGINE_HOOKS: &[&str] = &[
    "DnsClient",
    "DnsService",
    "Nanos",
    "PacketEvent",
    "TcpFlags",
];

/// Pairs that are never allowed whatever the ranks say: (importer, imported).
const FORBIDDEN: &[(&str, &str)] = &[("reach", "engine")];

/// The rank of a module path (`["dns", "zones"]`), None when no entry matches.
fn rank(path: &[String]) -> Option<u8> {
    LAYERS
        .iter()
        .filter(|(p, _)| {
            let segs: Vec<&str> = p.split("::").collect();
            segs.len() <= path.len() && segs.iter().zip(path).all(|(a, b)| a == b)
        })
        .max_by_key(|(p, _)| p.len())
        .map(|(_, r)| *r)
}

/// One use of another module: the absolute path named (crate root first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    /// Line of the use.
    line: usize,
    /// Absolute module path of the item (`["dns", "zones", "Zones"]`).
    path: Vec<String>,
}

/// `text` with comments, string literals and char literals replaced by spaces (newlines
/// kept, so line numbers still hold).
fn strip(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &x in &b[i..j.min(b.len())] {
                out.push(blank(x));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}'); otherwise a lifetime.
            let end = if next == Some('\\') {
                (i + 2..b.len()).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    for _ in i..=e {
                        out.push(' ');
                    }
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// True when the char before `i` continues an identifier (so `r` at `i` is not a raw-string
/// prefix).
fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// Reads `a::b::c` starting at `i`; returns the segments and the index after them. A `{` group
/// yields one path per item (the items' first segments).
fn read_paths(b: &[char], mut i: usize) -> Vec<Vec<String>> {
    let mut segs = Vec::new();
    loop {
        while b.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if b.get(i) == Some(&'{') {
            let mut depth = 0;
            let mut items = Vec::new();
            let mut cur = String::new();
            while i < b.len() {
                let c = b[i];
                match c {
                    '{' => {
                        depth += 1;
                        if depth > 1 {
                            cur.push(c);
                        }
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            items.push(std::mem::take(&mut cur));
                            break;
                        }
                        cur.push(c);
                    }
                    ',' if depth == 1 => items.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
                i += 1;
            }
            return items
                .iter()
                .filter_map(|it| {
                    let chars: Vec<char> = it.trim().chars().collect();
                    let sub = read_paths(&chars, 0);
                    sub.into_iter().next()
                })
                .map(|tail| segs.iter().cloned().chain(tail).collect())
                .collect();
        }
        let start = i;
        while b.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
            i += 1;
        }
        if i == start {
            break;
        }
        segs.push(b[start..i].iter().collect());
        if b.get(i) == Some(&':') && b.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            break;
        }
    }
    if segs.is_empty() {
        Vec::new()
    } else {
        vec![segs]
    }
}

/// Every path into the crate named in `text`, a file of module `module` (`["dns", "zones"]`),
/// made absolute. Paths that stay inside their own top-level module are kept too.
fn imports(module: &[String], text: &str) -> Vec<Import> {
    let b: Vec<char> = strip(text).chars().collect();
    let mut out = Vec::new();
    // Inline modules open at a brace depth: (name, depth inside).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut line = 1;
    let mut i = 0;
    let word_at = |i: usize, w: &str| {
        let wc: Vec<char> = w.chars().collect();
        b.get(i..i + wc.len()) == Some(&wc[..])
            && !ident_before(&b, i)
            && !b
                .get(i + wc.len())
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    };
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
        } else if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth = depth.saturating_sub(1);
            inline.retain(|(_, d)| *d <= depth);
        } else if word_at(i, "mod") {
            // `mod name {` opens an inline module; `mod name;` is a file.
            let mut j = i + 3;
            let p = read_paths(&b, j);
            if let Some(name) = p.first().and_then(|s| s.first()) {
                j += 1;
                while j < b.len() && b[j] != '{' && b[j] != ';' {
                    j += 1;
                }
                if b.get(j) == Some(&'{') {
                    inline.push((name.clone(), depth + 1));
                }
            }
            i += 3;
            continue;
        } else if word_at(i, "crate") && b.get(i + 5) == Some(&':') && b.get(i + 6) == Some(&':') {
            for path in read_paths(&b, i + 7) {
                out.push(Import { line, path });
            }
            i += 7;
            continue;
        } else if word_at(i, "super") && b.get(i + 5) == Some(&':') {
            let mut here: Vec<String> = module.to_vec();
            here.extend(inline.iter().map(|(n, _)| n.clone()));
            let mut j = i;
            while word_at(j, "super") && b.get(j + 5) == Some(&':') && b.get(j + 6) == Some(&':') {
                here.pop();
                j += 7;
                while b.get(j).is_some_and(|c| c.is_whitespace()) {
                    j += 1;
                }
            }
            let tails = read_paths(&b, j);
            if tails.is_empty() {
                // `super::*`: the module climbed to itself.
                out.push(Import {
                    line,
                    path: here.clone(),
                });
            }
            for tail in tails {
                out.push(Import {
                    line,
                    path: here.iter().cloned().chain(tail).collect(),
                });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// The module path of a file under `src/` (`dns/zones.rs` → `["dns", "zones"]`, `dns/mod.rs`
/// → `["dns"]`, `lib.rs` → `[]`, `main.rs` → `["main"]`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut segs: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = segs.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" && stem != "lib" {
            segs.push(stem);
        }
    }
    segs
}

/// What is wrong with a file's imports, as `file:line: message` lines.
fn violations(rel: &Path, text: &str) -> Vec<String> {
    let module = module_of(rel);
    let Some(from_rank) = rank(&module) else {
        if module.is_empty() {
            return Vec::new(); // lib.rs: the root declares every module
        }
        return vec![format!(
            "{}: module `{}` is not in the layer table (src/layers.rs)",
            rel.display(),
            module.join("::")
        )];
    };
    let from_top = &module[0];
    let mut seen = BTreeSet::new();
    for imp in imports(&module, text) {
        let Some(to_top) = imp.path.first() else {
            continue;
        };
        if to_top == from_top {
            continue;
        }
        let problem = match rank(&imp.path) {
            None => Some(format!("`{to_top}` is not in the layer table")),
            Some(_) if FORBIDDEN.contains(&(from_top.as_str(), to_top.as_str())) => {
                Some(format!("`{from_top}` never uses `{to_top}`"))
            }
            Some(_)
                if (from_top == "dns" || from_top == "flowlog")
                    && to_top == "engine"
                    && !imp
                        .path
                        .last()
                        .is_some_and(|l| ENGINE_HOOKS.contains(&l.as_str())) =>
            {
                Some(format!(
                    "`{from_top}` takes only the engine's hook traits and event types ({})",
                    ENGINE_HOOKS.join(", ")
                ))
            }
            Some(r) if r > from_rank => Some(format!("`{to_top}` is a higher layer")),
            Some(r) if r == from_rank => Some(format!("`{to_top}` is a sibling layer")),
            Some(_) => None,
        };
        if let Some(p) = problem {
            seen.insert(format!(
                "{}:{}: {} imports {}: {p}",
                rel.display(),
                imp.line,
                module.join("::"),
                imp.path.join("::")
            ));
        }
    }
    seen.into_iter().collect()
}

/// Every `.rs` file under `dir`, relative to `root`.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &root, &mut files);
    files.sort();
    assert!(files.len() > 50, "src/ not found: {}", root.display());
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(root.join(f)).expect("readable source");
        bad.extend(violations(f, &text));
    }
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_sees_every_form_of_path() {
    let v = |file: &str, text: &str| violations(Path::new(file), text);
    // Plain, grouped and nested-group paths.
    assert_eq!(v("topology/x.rs", "use crate::dns::Zones;").len(), 1);
    let g = v(
        "model/x.rs",
        "use crate::{topology::Loc, policy::{self, Decision}, engine};",
    );
    assert_eq!(g.len(), 2, "{g:?}");
    assert!(
        g.iter().any(|m| m.contains("model::x imports policy")),
        "{g:?}"
    );
    assert!(g.iter().any(|m| m.contains("imports engine")), "{g:?}");
    // Inline paths in expressions, with line numbers.
    let e = v("policy/x.rs", "fn f() {\n    crate::lab::run();\n}\n");
    assert!(e[0].starts_with("policy/x.rs:2:"), "{e:?}");
    // `super::` climbing out of the module, also from an inline module.
    assert_eq!(
        v(
            "topology/validate/x.rs",
            "use super::super::super::dns::Zones;"
        )
        .len(),
        1
    );
    assert!(v("topology/validate/x.rs", "use super::super::parse;").is_empty());
    assert!(v("topology/validate/x.rs", "use super::*;").is_empty());
    let t = "mod tests {\n    use super::super::super::flowlog::Sinks;\n}\n";
    assert!(v("topology/x/y.rs", t).is_empty(), "stays in topology::x");
    let t = "mod tests {\n    use super::super::super::super::flowlog::Sinks;\n}\n";
    assert_eq!(v("topology/x/y.rs", t).len(), 1);
    // Comments, strings and char literals are not code.
    assert!(v(
        "model/x.rs",
        "// crate::lab\nlet s = \"crate::lab\"; let c = '\"'; /* crate::lab */"
    )
    .is_empty());
    assert!(v("model/x.rs", "let s = r#\"crate::lab\"#;").is_empty());
    // Siblings, lower layers, the special rules.
    assert_eq!(v("dns/x.rs", "use crate::flowlog::Sinks;").len(), 1);
    assert!(v(
        "backend/x.rs",
        "use crate::{dns, engine::Engine, topology};"
    )
    .is_empty());
    assert_eq!(v("reach/x.rs", "use crate::engine::Nanos;").len(), 1);
    assert!(v("dns/x.rs", "use crate::engine::{DnsService, Nanos};").is_empty());
    assert_eq!(v("dns/x.rs", "use crate::engine::Engine;").len(), 1);
    assert_eq!(
        v("newthing/x.rs", "").len(),
        1,
        "unknown modules are reported"
    );
    assert!(v("cli/x.rs", "use crate::cli::common;").is_empty());
}
