//! JSON pointers (RFC 6901) for naming places in the spec in errors and fix-ups.

/// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`] (`~1` -> `/`, `~0` -> `~`).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Joins a base pointer and a token.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
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
    }
}
