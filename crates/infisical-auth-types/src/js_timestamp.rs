//! Timestamps written as Infisical's server (JavaScript's `Date.toISOString`) writes them: always
//! three fractional digits and `Z`, e.g. `2026-12-02T10:00:00.000Z` (chrono's own format leaves
//! out a zero fraction). Reading is chrono's: any RFC 3339 timestamp. The generated types name
//! [`write()`] and [`write_option()`] on every timestamp field of a type that is serialized.

use ::chrono::{Datelike as _, Timelike as _};

/// Writes `value` as `YYYY-MM-DDTHH:MM:SS.sssZ` (a year outside 0-9999 as chrono writes it, with
/// milliseconds). The timestamp goes to the serializer in one piece.
pub fn write<S: ::serde::Serializer>(
    value: &::chrono::DateTime<::chrono::offset::Utc>,
    serializer: S,
) -> ::std::result::Result<S::Ok, S::Error> {
    // The fields read from the UTC date and time once (each accessor of a `DateTime` converts it
    // again).
    let utc = value.naive_utc();
    let year = utc.year();
    if !(0..=9999).contains(&year) {
        return serializer
            .serialize_str(&value.to_rfc3339_opts(::chrono::SecondsFormat::Millis, true));
    }
    let millis = (utc.nanosecond() / 1_000_000).min(999);
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, digits: usize, mut number: u32| {
        for i in (at..at + digits).rev() {
            text[i] = b'0' + (number % 10) as u8;
            number /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, utc.month());
    put(8, 2, utc.day());
    put(11, 2, utc.hour());
    put(14, 2, utc.minute());
    put(17, 2, utc.second().min(59));
    put(20, 3, millis);
    serializer.serialize_str(::std::str::from_utf8(&text).unwrap_or_default())
}

/// [`write()`] for an optional timestamp (`None` is `null`).
pub fn write_option<S: ::serde::Serializer>(
    value: &::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
    serializer: S,
) -> ::std::result::Result<S::Ok, S::Error> {
    match value {
        ::std::option::Option::Some(value) => write(value, serializer),
        ::std::option::Option::None => serializer.serialize_none(),
    }
}
