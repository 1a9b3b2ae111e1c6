//! String formats the spec declares (`uuid`, `uri`, `date-time`), checked the way Infisical's zod schemas check
//! them: a hyphenated UUID of any version, a WHATWG URL, an ISO 8601 UTC timestamp ending in `Z`.

/// A hyphenated 8-4-4-4-12 hexadecimal UUID (any version, either case), as zod's `.uuid()`.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An absolute URL by the WHATWG URL standard (what JavaScript's `new URL()` accepts), as zod's `.url()`.
pub fn is_url(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with a real calendar date, as zod's `.datetime()` (UTC only, no offset).
pub fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return false;
    }
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    let rest = &b[19..b.len() - 1];
    let frac_ok = rest.is_empty()
        || (rest.len() >= 2 && rest[0] == b'.' && rest[1..].iter().all(u8::is_ascii_digit));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    frac_ok && (1..=days).contains(&d) && h < 24 && mi < 60 && sec < 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid() {
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_uuid("123E4567-E89B-12D3-A456-426614174000"));
        assert!(!is_uuid("123e4567e89b12d3a456426614174000"));
        assert!(!is_uuid("{123e4567-e89b-12d3-a456-426614174000}"));
        assert!(!is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
        assert!(!is_uuid(""));
    }

    #[test]
    fn url() {
        assert!(is_url(
            "https://example.com/.well-known/openid-configuration"
        ));
        assert!(is_url("http://localhost:8080"));
        assert!(!is_url("example.com"));
        assert!(!is_url("not a url"));
        assert!(!is_url(""));
    }

    #[test]
    fn datetime() {
        assert!(is_datetime("2024-02-29T23:59:59Z"));
        assert!(is_datetime("2024-01-01T00:00:00.123Z"));
        assert!(!is_datetime("2023-02-29T00:00:00Z"));
        assert!(!is_datetime("2024-01-01T00:00:00+01:00"));
        assert!(!is_datetime("2024-01-01 00:00:00Z"));
        assert!(!is_datetime("2024-13-01T00:00:00Z"));
        assert!(!is_datetime("2024-01-01T24:00:00Z"));
        assert!(!is_datetime("2024-01-01T00:00:00.Z"));
        assert!(!is_datetime("yesterday"));
    }
}
