//! The glob patterns of Infisical's login policies (bound subjects, audiences and claims, allowed
//! SPIFFE IDs, Kubernetes namespaces and names), matched as Infisical's glob library matches them
//! by default:
//!
//! - `*` matches any run of characters except `/`; `?` one character except `/`;
//! - `**` as a whole path segment matches any number of segments (elsewhere it is a `*`);
//! - `[abc]`, `[a-z]`, `[!a]` / `[^a]` match one character of (or not of) a class;
//! - `{a,b}` matches either alternative (nested braces allowed);
//! - `\x` matches `x` literally;
//! - a wildcard never matches a `.` that starts a segment (`*` does not match `.hidden`) unless the
//!   pattern writes the dot.
//!
//! Matching takes time proportional to the pattern times the value, so a hostile pattern or value
//! cannot make a login slow. A pattern that does not parse matches nothing.

/// The most alternatives a pattern's braces may expand to; beyond it the pattern matches nothing.
const MAX_ALTERNATIVES: usize = 256;

/// Longer values or patterns are compared for equality only.
const MAX_VALUE_LEN: usize = 64 * 1024;
const MAX_PATTERN_LEN: usize = 4 * 1024;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Literal(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**` as a whole segment.
    GlobStar,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Whether `value` matches `pattern` (see the module documentation).
pub(crate) fn is_match(value: &str, pattern: &str) -> bool {
    if value.len() > MAX_VALUE_LEN || pattern.len() > MAX_PATTERN_LEN {
        return false;
    }
    let Some(alternatives) = expand_braces(pattern) else {
        return false;
    };
    let value: Vec<char> = value.chars().collect();
    alternatives
        .iter()
        .any(|alternative| match tokens(alternative) {
            Some(tokens) => matches(&tokens, &value),
            None => false,
        })
}

/// Expands `{a,b}` alternatives into plain patterns; `None` when unbalanced or too many.
fn expand_braces(pattern: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = pattern.chars().collect();
    // Find the first top-level `{` that has a matching `}` and a top-level comma inside.
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' => {
                // Skip a class so a brace inside it stays literal.
                i = class_end(&chars, i).map_or(i + 1, |end| end + 1);
            }
            '{' => {
                let mut depth = 0;
                let mut parts = Vec::new();
                let mut start = i + 1;
                let mut j = i;
                let mut close = None;
                while j < chars.len() {
                    match chars[j] {
                        '\\' => j += 1,
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                parts.push(chars[start..j].iter().collect::<String>());
                                close = Some(j);
                                break;
                            }
                        }
                        ',' if depth == 1 => {
                            parts.push(chars[start..j].iter().collect::<String>());
                            start = j + 1;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let close = close?;
                if parts.len() < 2 {
                    // `{a}` is literal text in the glob library; keep it so.
                    i = close + 1;
                    continue;
                }
                let prefix: String = chars[..i].iter().collect();
                let suffix: String = chars[close + 1..].iter().collect();
                let mut out = Vec::new();
                for part in parts {
                    for expanded in expand_braces(&format!("{prefix}{part}{suffix}"))? {
                        out.push(expanded);
                        if out.len() > MAX_ALTERNATIVES {
                            return None;
                        }
                    }
                }
                return Some(out);
            }
            _ => i += 1,
        }
    }
    Some(vec![pattern.to_owned()])
}

/// The index of the `]` closing the class opened at `open`.
fn class_end(chars: &[char], open: usize) -> Option<usize> {
    let mut j = open + 1;
    if matches!(chars.get(j), Some('!' | '^')) {
        j += 1;
    }
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            ']' => return Some(j),
            _ => j += 1,
        }
    }
    None
}

fn tokens(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                out.push(Token::Literal(*chars.get(i + 1)?));
                i += 2;
            }
            '?' => {
                out.push(Token::One);
                i += 1;
            }
            '*' => {
                let mut j = i;
                while chars.get(j) == Some(&'*') {
                    j += 1;
                }
                let starts_segment = i == 0 || chars[i - 1] == '/';
                let ends_segment = j == chars.len() || chars[j] == '/';
                if j - i >= 2 && starts_segment && ends_segment {
                    out.push(Token::GlobStar);
                    // `a/**/b` also matches `a/b`: the globstar absorbs its trailing slash.
                    if chars.get(j) == Some(&'/') {
                        j += 1;
                    }
                } else {
                    out.push(Token::Star);
                }
                i = j;
            }
            '[' => match class_end(&chars, i) {
                Some(end) => {
                    let mut j = i + 1;
                    let negated = matches!(chars[j], '!' | '^');
                    if negated {
                        j += 1;
                    }
                    let mut ranges = Vec::new();
                    while j < end {
                        let mut c = chars[j];
                        if c == '\\' {
                            j += 1;
                            c = *chars.get(j)?;
                        }
                        if chars.get(j + 1) == Some(&'-') && j + 2 < end {
                            ranges.push((c, chars[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((c, c));
                            j += 1;
                        }
                    }
                    out.push(Token::Class { negated, ranges });
                    i = end + 1;
                }
                None => {
                    out.push(Token::Literal('['));
                    i += 1;
                }
            },
            c => {
                out.push(Token::Literal(c));
                i += 1;
            }
        }
    }
    Some(out)
}

/// Whether `value` matches the whole of `tokens`: a dynamic programme over (token, position),
/// computed a row of tokens at a time from the end, so time is tokens × characters and memory two
/// rows.
fn matches(tokens: &[Token], value: &[char]) -> bool {
    let n = value.len();
    let segment_start = |v: usize| v == 0 || value[v - 1] == '/';
    // A wildcard may consume the character at `v`: not `/`, not a dot that starts a segment.
    let wild_ok = |v: usize| value[v] != '/' && !(value[v] == '.' && segment_start(v));
    // The end of the segment starting at each position (the next `/`, or the end).
    let mut segment_end = vec![n; n + 1];
    for v in (0..n).rev() {
        segment_end[v] = if value[v] == '/' {
            v
        } else {
            segment_end[v + 1]
        };
    }
    // `next[v]`: the tokens after the current one match `value[v..]`.
    let mut next = vec![false; n + 1];
    next[n] = true;
    let mut row = vec![false; n + 1];
    for token in tokens.iter().rev() {
        for v in (0..=n).rev() {
            row[v] = match token {
                Token::Literal(c) => v < n && value[v] == *c && next[v + 1],
                Token::One => v < n && wild_ok(v) && next[v + 1],
                Token::Class { negated, ranges } => {
                    v < n
                        && value[v] != '/'
                        && ranges
                            .iter()
                            .any(|&(lo, hi)| lo <= value[v] && value[v] <= hi)
                            != *negated
                        && next[v + 1]
                }
                Token::Star => next[v] || (v < n && wild_ok(v) && row[v + 1]),
                Token::GlobStar => {
                    next[v]
                        || (v < n && segment_start(v) && value[v] != '.' && {
                            let end = segment_end[v];
                            if end == n {
                                next[n]
                            } else {
                                row[end + 1]
                            }
                        })
                }
            };
        }
        std::mem::swap(&mut next, &mut row);
    }
    next[0]
}

#[cfg(test)]
mod tests {
    use super::is_match;

    #[test]
    fn stars_stay_within_a_segment() {
        assert!(is_match("repo:acme/app:ref:main", "repo:acme/*:ref:*"));
        assert!(!is_match("repo:acme/app/x:ref:main", "repo:acme/*:ref:*"));
        assert!(is_match("a/b/c/d", "a/**/d"));
        assert!(is_match("a/d", "a/**/d"));
        assert!(is_match("anything/at/all", "**"));
        assert!(is_match("abc", "a?c"));
        assert!(!is_match("a/c", "a?c"));
    }

    #[test]
    fn classes_braces_and_escapes() {
        assert!(is_match("dev-1", "dev-[0-9]"));
        assert!(!is_match("dev-x", "dev-[0-9]"));
        assert!(is_match("dev-x", "dev-[!0-9]"));
        assert!(is_match("prod", "{dev,prod}"));
        assert!(is_match("team-b-svc", "team-{a,{b,c}}-svc"));
        assert!(!is_match("staging", "{dev,prod}"));
        assert!(is_match("a*b", "a\\*b"));
        assert!(!is_match("axb", "a\\*b"));
    }

    #[test]
    fn wildcards_skip_leading_dots() {
        assert!(!is_match(".hidden", "*"));
        assert!(is_match(".hidden", ".*"));
        assert!(!is_match("a/.b", "a/*"));
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let value = "a".repeat(2000);
        let pattern = "*a".repeat(200) + "b";
        let start = std::time::Instant::now();
        assert!(!is_match(&value, &pattern));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert!(!is_match("x", &"{a,b}".repeat(20)));
    }
}
