//! Looking at the topology text around a YAML error: the key a value belongs to, what is
//! written at a position, and where an unclosed quote or bracket, a tab or a second document
//! starts. Heuristic on purpose (it reads lines, not YAML): it only improves a message, the
//! error itself comes from the YAML layer.

use crate::topology::span::Loc;

/// The text of a 1-based line (without its line end), or "".
pub fn line(text: &str, n: u32) -> &str {
    text.lines()
        .nth((n.max(1) - 1) as usize)
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// The characters of a line from a 1-based column on.
fn from_col(l: &str, col: u32) -> &str {
    let skip = (col.max(1) - 1) as usize;
    l.char_indices().nth(skip).map_or("", |(i, _)| &l[i..])
}

/// The characters of a line before a 1-based column.
fn before_col(l: &str, col: u32) -> &str {
    let skip = (col.max(1) - 1) as usize;
    l.char_indices().nth(skip).map_or(l, |(i, _)| &l[..i])
}

/// Indentation (leading spaces) of a line.
fn indent(l: &str) -> usize {
    l.len() - l.trim_start_matches(' ').len()
}

/// True for a line with no content (blank or a comment).
fn is_blank(l: &str) -> bool {
    let t = l.trim();
    t.is_empty() || t.starts_with('#')
}

/// True when the file holds nothing but blank lines and comments (and document markers).
pub fn only_comments(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim().trim_start_matches('\u{feff}');
        is_blank(t) || t == "---" || t == "..."
    })
}

/// The key a value at `loc` belongs to, and whether the value is an entry of that key's list.
pub fn key_at(text: &str, loc: Loc) -> Option<(String, bool)> {
    let l = line(text, loc.line);
    let here = from_col(l, loc.col);
    // The position of an empty value is reported at the colon after its key.
    let mut prefix = before_col(l, loc.col).to_string();
    if here.starts_with(':') {
        prefix.push_str(": ");
    }
    let mut in_list = false;
    let mut depth = 0i32;
    let chars: Vec<char> = prefix.chars().collect();
    let mut i = chars.len();
    while i > 0 {
        i -= 1;
        match chars[i] {
            ']' | '}' => depth += 1,
            '[' | '{' if depth > 0 => depth -= 1,
            '[' => in_list = true,
            '{' => return None,
            ':' if depth == 0 && chars.get(i + 1).is_none_or(|c| c.is_whitespace()) => {
                let name: String = chars[..i]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return (!name.is_empty()).then_some((name, in_list));
            }
            _ => {}
        }
    }
    // No key on the line: a block list entry (`- `) or a value below its key.
    let t = l.trim_start();
    if t.starts_with("- ") || t == "-" {
        in_list = true;
    }
    let own = indent(l);
    let above: Vec<&str> = text.lines().take((loc.line.max(1) - 1) as usize).collect();
    for p in above.into_iter().rev() {
        if is_blank(p) || indent(p) >= own {
            continue;
        }
        let body = p.split(" #").next().unwrap_or("").trim();
        let body = body.trim_start_matches("- ").trim();
        let key = body.split(':').next().unwrap_or("").trim();
        return (body.contains(':') && !key.is_empty()).then(|| (key.to_string(), in_list));
    }
    None
}

/// What the file holds at `loc`, in words: `a list`, `a mapping`, `nothing (an empty value)`,
/// the value as written, or an alias and what its anchor holds.
pub fn describe(text: &str, loc: Loc) -> String {
    let here = from_col(line(text, loc.line), loc.col);
    describe_str(text, here, 0)
}

fn describe_str(text: &str, here: &str, depth: u32) -> String {
    let mut s = here.trim_start_matches(':').trim_start();
    // Skip an anchor and a tag in front of the node.
    while s.starts_with('&') || s.starts_with('!') {
        s = s.split_once(' ').map_or("", |(_, r)| r).trim_start();
    }
    match s.chars().next() {
        None | Some('#') => "nothing (an empty value)".into(),
        Some('[') => "a list".into(),
        Some('{') => "a mapping".into(),
        Some('-') if s.len() == 1 || s[1..].starts_with(' ') => "a list".into(),
        Some('|') | Some('>') => "a block of text".into(),
        Some('*') => {
            let name = alias_name(s);
            let target = anchor_value(text, name)
                .filter(|_| depth == 0)
                .map(|v| describe_str(text, v, depth + 1));
            match target {
                Some(t) => format!("the alias `*{name}`, which is {t}"),
                None => format!("the alias `*{name}`"),
            }
        }
        Some('"') | Some('\'') => {
            let q = s.chars().next().unwrap_or('"');
            let end = s[1..].find(q).map_or(s.len(), |i| i + 2);
            format!("the string {}", &s[..end])
        }
        Some(_) => {
            let v = s
                .split(" #")
                .next()
                .unwrap_or("")
                .split([',', ']', '}'])
                .next()
                .unwrap_or("")
                .trim();
            if v.ends_with(':') || v.contains(": ") {
                "a mapping".into()
            } else {
                format!("the value `{v}`")
            }
        }
    }
}

/// The name of an alias written `*name` at the start of `s`.
pub fn alias_name(s: &str) -> &str {
    let s = s.trim_start_matches('*');
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The text just after the anchor `&name`, if the file defines it.
fn anchor_value<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let pat = format!("&{name}");
    let mut from = 0;
    while let Some(i) = text[from..].find(&pat) {
        let at = from + i;
        let rest = &text[at + pat.len()..];
        if rest.is_empty() || rest.starts_with([' ', '\n', '\r', ',', ']', '}']) {
            return Some(rest.lines().next().unwrap_or("").trim_start());
        }
        from = at + pat.len();
    }
    None
}

/// The scalar written at `loc` (up to a space, comma or bracket).
pub fn token(text: &str, loc: Loc) -> &str {
    let here = from_col(line(text, loc.line), loc.col);
    let end = here
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        .unwrap_or(here.len());
    &here[..end]
}

/// What is still open at `loc` when the text is read from the start: an unclosed quote
/// (`"` or `'`) or the innermost unclosed `[` / `{`, with its position.
pub fn open_at(text: &str, loc: Loc) -> Option<(char, Loc)> {
    let mut stack: Vec<(char, Loc)> = Vec::new();
    let mut quote: Option<(char, Loc)> = None;
    for (n, l) in text.lines().enumerate() {
        let n = n as u32 + 1;
        if n > loc.line {
            break;
        }
        let chars: Vec<char> = l.chars().collect();
        let mut c = 0;
        while c < chars.len() {
            let here = Loc {
                line: n,
                col: c as u32 + 1,
            };
            if n == loc.line && here.col >= loc.col {
                break;
            }
            let ch = chars[c];
            let prev = if c == 0 { ' ' } else { chars[c - 1] };
            match quote {
                Some(('"', _)) if ch == '\\' => c += 1,
                Some((q, _)) if ch == q => {
                    if q == '\'' && chars.get(c + 1) == Some(&'\'') {
                        c += 1;
                    } else {
                        quote = None;
                    }
                }
                Some(_) => {}
                None => {
                    let starts_token =
                        prev.is_whitespace() || matches!(prev, '[' | '{' | ',' | ':');
                    match ch {
                        '#' if prev.is_whitespace() => break,
                        '"' | '\'' if starts_token => quote = Some((ch, here)),
                        '[' | '{' => stack.push((ch, here)),
                        ']' | '}' => {
                            stack.pop();
                        }
                        _ => {}
                    }
                }
            }
            c += 1;
        }
    }
    quote.or(stack.last().copied())
}

/// The first tab in the indentation of a line at or after `from`.
pub fn tab_from(text: &str, from: u32) -> Option<Loc> {
    text.lines()
        .enumerate()
        .skip((from.max(1) - 1) as usize)
        .find_map(|(n, l)| {
            let lead: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            lead.find('\t').map(|i| Loc {
                line: n as u32 + 1,
                col: i as u32 + 1,
            })
        })
}

/// The last document marker (`---`) at or before a line, if it is not the file's first content.
pub fn second_document(text: &str, upto: u32) -> Option<Loc> {
    let mut seen_content = false;
    let mut found = None;
    for (n, l) in text.lines().enumerate() {
        let n = n as u32 + 1;
        if n > upto {
            break;
        }
        if l.starts_with("---") && seen_content {
            found = Some(Loc { line: n, col: 1 });
        } else if !is_blank(l) && !l.starts_with("---") && !l.starts_with("%") {
            seen_content = true;
        }
    }
    found
}

/// For a line that YAML read as the continuation of the value above it (it is indented deeper
/// than that value's key): the key above, its indentation and this line's key with its column.
pub fn over_indented(text: &str, n: u32) -> Option<(String, usize, String, Loc)> {
    let l = line(text, n);
    let own = indent(l);
    let above: Vec<&str> = text.lines().take((n.max(1) - 1) as usize).collect();
    let prev = above.into_iter().rev().find(|p| !is_blank(p))?;
    let (pk, pv) = prev.trim().split_once(": ")?;
    if own <= indent(prev) || pv.trim().is_empty() || pv.trim_start().starts_with(['{', '[', '#']) {
        return None;
    }
    let key = l.trim().split(':').next()?.to_string();
    Some((
        pk.trim_start_matches("- ").to_string(),
        indent(prev),
        key,
        Loc {
            line: n,
            col: own as u32 + 1,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, col: u32) -> Loc {
        Loc { line, col }
    }

    #[test]
    fn finds_the_key_of_a_value_on_its_line_or_above() {
        let t = "vpcs:\n  main: { services: http:80, run: [a, [b]] }\nzones:\n  - [x]\n";
        assert_eq!(key_at(t, at(2, 21)), Some(("services".into(), false)));
        assert_eq!(key_at(t, at(2, 40)), Some(("run".into(), true)));
        assert_eq!(key_at(t, at(4, 5)), Some(("zones".into(), true)));
        assert_eq!(key_at(t, at(1, 5)), Some(("vpcs".into(), false)));
    }

    #[test]
    fn describes_what_is_written() {
        let t = "a: &l [1]\nb: *l\nc: \"x\"\nd:\ne: http:80 # c\n";
        assert_eq!(describe(t, at(2, 4)), "the alias `*l`, which is a list");
        assert_eq!(describe(t, at(3, 4)), "the string \"x\"");
        assert_eq!(describe(t, at(4, 2)), "nothing (an empty value)");
        assert_eq!(describe(t, at(5, 4)), "the value `http:80`");
    }

    #[test]
    fn finds_what_is_still_open() {
        let t = "a: \"x\nb: 'it''s' # \"\nc: { d: [1, 2] \ne: 1\n";
        assert_eq!(open_at(t, at(2, 1)), Some(('"', at(1, 4))));
        let t = "b: 'it''s' # \"\nc: { d: [1, 2] \ne: 1\n";
        assert_eq!(open_at(t, at(3, 1)), Some(('{', at(2, 4))));
    }

    #[test]
    fn looking_up_a_far_parent_is_linear() {
        let mut t = String::from("name: t\nflow_logs:\n");
        for _ in 0..200_000 {
            t.push_str("  - { resource: vpc:main, path: a.log }\n");
        }
        t.push_str("  - vpc:main\n");
        let start = std::time::Instant::now();
        assert_eq!(key_at(&t, at(200_003, 5)), Some(("flow_logs".into(), true)));
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }
}
