//! JSON pointers (RFC 6901) for naming places in the spec in errors and fix-ups.

/// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

/// Appends `token` escaped to `out`.
fn push_escaped(out: &mut String, token: &str) {
    if !token.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Undoes [`escape`] (`~1` -> `/`, `~0` -> `~`).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Joins a base pointer and a token.
pub fn join(base: &str, token: &str) -> String {
    // Every pass names every object it visits: one allocation, no formatting machinery.
    let mut out = String::with_capacity(base.len() + 1 + token.len());
    out.push_str(base);
    out.push('/');
    push_escaped(&mut out, token);
    out
}

/// The pointer of one operation: `/paths/<escaped path>/<method>`.
pub fn operation(path: &str, method: &str) -> String {
    join(&join("/paths", path), method)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_slashes_and_tildes() {
        assert_eq!(
            super::operation("/api/v1/a~b/{id}", "get"),
            "/paths/~1api~1v1~1a~0b~1{id}/get"
        );
        assert_eq!(super::unescape("~1a~0b~01"), "/a~b~1");
        assert_eq!(super::join("/a", "b"), "/a/b");
        assert_eq!(super::escape("~/x"), "~0~1x");
    }
}
