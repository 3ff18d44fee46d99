//! A small line diff (longest common subsequence) for `lab solution`: what changes from the
//! step's starting topology to its solution. Topologies are small, so O(n·m) is fine.

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A line of the common subsequence, in both texts.
    Same(&'a str),
    /// Only in the old text.
    Removed(&'a str),
    /// Only in the new text.
    Added(&'a str),
}

/// The line diff of `old` → `new`, in text order; where either order would do, removed
/// lines come before added ones.
pub fn diff<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j] = LCS length of a[i..], b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = vec![];
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out
}

/// The changed lines with `context` lines around them, `-`/`+`/` ` prefixed, `…` between hunks.
pub fn render(old: &str, new: &str, context: usize) -> String {
    let d = diff(old, new);
    let changed: Vec<bool> = d.iter().map(|l| !matches!(l, Line::Same(_))).collect();
    let keep: Vec<bool> = (0..d.len())
        .map(|i| {
            let lo = i.saturating_sub(context);
            let hi = (i + context + 1).min(d.len());
            changed[lo..hi].iter().any(|c| *c)
        })
        .collect();
    let mut s = String::new();
    let mut skipped = false;
    for (i, l) in d.iter().enumerate() {
        if !keep[i] {
            skipped = true;
            continue;
        }
        if skipped && !s.is_empty() {
            s.push_str("  …\n");
        }
        skipped = false;
        let (p, t) = match l {
            Line::Same(t) => (' ', t),
            Line::Removed(t) => ('-', t),
            Line::Added(t) => ('+', t),
        };
        s.push(p);
        s.push(' ');
        s.push_str(t);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changes() {
        let d = diff("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(
            d,
            vec![
                Line::Same("a"),
                Line::Removed("b"),
                Line::Added("B"),
                Line::Same("c"),
                Line::Added("d")
            ]
        );
        let r = render("1\n2\n3\n4\n5\n6\n", "1\n2\n3\n4\n5\nsix\n", 1);
        assert_eq!(r, "  5\n- 6\n+ six\n");
    }
}
