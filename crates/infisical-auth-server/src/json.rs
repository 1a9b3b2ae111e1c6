//! Answers written as JSON: serde_json's compact format, byte for byte, except that whole numbers
//! are written as integers (docs/infisical-behaviour.md#request-dialect: Infisical's JavaScript
//! server writes `2592000`, not `2592000.0`).
//!
//! The serializer here only writes the structure (`{`, `"key":`, `,`, `[`, `]`) and copies
//! strings that need no escaping, which most answer strings are (wire names, ids, dates, IPs).
//! serde_json scans every string a byte at a time for characters to escape (a seventh of the
//! instructions of a write request in the reference server); here a string is checked a word
//! at a time.
//! Everything else goes to serde_json: numbers through its formatter, strings with something to
//! escape through its string writer; and a value this serializer does not take (a map key that
//! is not a string, an enum variant with fields) is written by serde_json as a whole.

use serde::ser::{self, Impossible, Serialize};
use serde_json::ser::{CompactFormatter, Formatter};

/// `value` as JSON, with whole numbers written as integers (within JavaScript's safe integers).
pub fn to_json_bytes<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    // A configuration answer (about 650 bytes for universal auth) fits without growing.
    let mut out = Vec::with_capacity(1024);
    if value.serialize(Writer(&mut out)).is_ok() {
        return Ok(out);
    }
    out.clear();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, JsNumbers);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// serde_json's compact format, except that a whole `f64` (within JavaScript's safe integers) is
/// written as an integer.
struct JsNumbers;

impl Formatter for JsNumbers {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        const SAFE: f64 = 9_007_199_254_740_992.0;
        if value.fract() == 0.0 && value.abs() < SAFE {
            CompactFormatter.write_i64(writer, value as i64)
        } else {
            CompactFormatter.write_f64(writer, value)
        }
    }
}

/// Whether `bytes` hold nothing JSON escapes: no control character, quote or backslash.
///
/// Most strings of an answer are short (keys, ids, dates), so a string is read in words rather
/// than byte by byte: sixteen bytes at a time, whose check the compiler does at once, and the
/// last (or only) bytes as overlapping words.
fn nothing_to_escape(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            bytes[at..at + 4].try_into().unwrap_or([0; 4]),
        ))
    };
    match n {
        16.. => {
            let mut chunks = bytes.chunks_exact(16);
            chunks.all(|chunk| <&[u8; 16]>::try_from(chunk).is_ok_and(|c| !chunk_escapes(c)))
                && <&[u8; 16]>::try_from(&bytes[n - 16..]).is_ok_and(|c| !chunk_escapes(c))
        }
        8..=15 => !word_escapes(word(0)) && !word_escapes(word(n - 8)),
        4..=7 => !word_escapes(half(0) | half(n - 4) << 32),
        _ => !bytes.iter().any(|&b| escaped(b)),
    }
}

/// Whether JSON escapes `b`.
fn escaped(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// Whether JSON escapes a byte of `chunk` (no early exit: the compiler checks them at once).
fn chunk_escapes(chunk: &[u8; 16]) -> bool {
    chunk.iter().fold(false, |any, &b| any | escaped(b))
}

/// Whether JSON escapes a byte of `word`: a byte below 0x20, or one equal to a quote or a
/// backslash (a zero after `^`). Subtracting 1 from every byte sets the high bit of a byte that
/// was below it; a borrow only runs on from a byte that matched, so the answer is exact.
fn word_escapes(word: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let below = |word: u64, limit: u64| word.wrapping_sub(ONES * limit) & !word & HIGH != 0;
    below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
}

fn write_str(out: &mut Vec<u8>, value: &str) {
    if nothing_to_escape(value.as_bytes()) {
        out.reserve(value.len() + 2);
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, value);
    }
}

/// Why this serializer hands a value to serde_json (never seen by a caller).
fn not_taken() -> serde_json::Error {
    ser::Error::custom("written by serde_json")
}

/// The serializer of one value into the answer.
struct Writer<'a>(&'a mut Vec<u8>);

/// A sequence or an object being written: whether an element has been written yet.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Compound<'_> {
    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> serde_json::Result<()> {
        self.separate();
        write_str(self.out, key);
        self.out.push(b':');
        value.serialize(Writer(self.out))
    }
}

macro_rules! integers {
    ($($method:ident: $ty:ty => $write:ident),* $(,)?) => {$(
        fn $method(self, value: $ty) -> serde_json::Result<()> {
            CompactFormatter.$write(self.0, value).map_err(serde_json::Error::io)
        }
    )*};
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Impossible<(), serde_json::Error>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Impossible<(), serde_json::Error>;

    integers! {
        serialize_i8: i8 => write_i8, serialize_i16: i16 => write_i16,
        serialize_i32: i32 => write_i32, serialize_i64: i64 => write_i64,
        serialize_i128: i128 => write_i128, serialize_u8: u8 => write_u8,
        serialize_u16: u16 => write_u16, serialize_u32: u32 => write_u32,
        serialize_u64: u64 => write_u64, serialize_u128: u128 => write_u128,
    }

    fn serialize_bool(self, value: bool) -> serde_json::Result<()> {
        self.0
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_f32(self, value: f32) -> serde_json::Result<()> {
        if !value.is_finite() {
            return self.serialize_unit();
        }
        CompactFormatter
            .write_f32(self.0, value)
            .map_err(serde_json::Error::io)
    }

    fn serialize_f64(self, value: f64) -> serde_json::Result<()> {
        if !value.is_finite() {
            return self.serialize_unit();
        }
        JsNumbers
            .write_f64(self.0, value)
            .map_err(serde_json::Error::io)
    }

    fn serialize_char(self, value: char) -> serde_json::Result<()> {
        write_str(self.0, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> serde_json::Result<()> {
        write_str(self.0, value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> serde_json::Result<()> {
        let mut seq = ser::Serializer::serialize_seq(self, Some(value.len()))?;
        for byte in value {
            ser::SerializeSeq::serialize_element(&mut seq, byte)?;
        }
        ser::SerializeSeq::end(seq)
    }

    fn serialize_none(self) -> serde_json::Result<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> serde_json::Result<()> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        let mut object = self.serialize_map(Some(1))?;
        object.entry(variant, value)?;
        ser::SerializeMap::end(object)
    }

    fn serialize_seq(self, _len: Option<usize>) -> serde_json::Result<Compound<'a>> {
        self.0.push(b'[');
        Ok(Compound {
            out: self.0,
            first: true,
        })
    }

    fn serialize_tuple(self, len: usize) -> serde_json::Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeTupleVariant> {
        Err(not_taken())
    }

    fn serialize_map(self, _len: Option<usize>) -> serde_json::Result<Compound<'a>> {
        self.0.push(b'{');
        Ok(Compound {
            out: self.0,
            first: true,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> serde_json::Result<Compound<'a>> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeStructVariant> {
        Err(not_taken())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.separate();
        value.serialize(Writer(self.out))
    }

    fn end(self) -> serde_json::Result<()> {
        self.out.push(b']');
        Ok(())
    }
}

/// Tuples and tuple structs, written as sequences (as serde_json writes them).
macro_rules! as_a_sequence {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = serde_json::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
                ser::SerializeSeq::serialize_element(self, value)
            }

            fn end(self) -> serde_json::Result<()> {
                ser::SerializeSeq::end(self)
            }
        }
    )*};
}

as_a_sequence!(
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    /// A key that comes out a string (a string, a char, a unit variant); any other key (a
    /// number, which serde_json quotes) is left to serde_json.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> serde_json::Result<()> {
        self.separate();
        let at = self.out.len();
        key.serialize(Writer(self.out))?;
        if self.out.get(at) != Some(&b'"') {
            return Err(not_taken());
        }
        self.out.push(b':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        value.serialize(Writer(self.out))
    }

    fn end(self) -> serde_json::Result<()> {
        self.out.push(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.entry(key, value)
    }

    fn end(self) -> serde_json::Result<()> {
        ser::SerializeMap::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// What serde_json writes for `value` (with whole numbers as integers).
    fn by_serde_json<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        value
            .serialize(&mut serde_json::Serializer::with_formatter(
                &mut out, JsNumbers,
            ))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn written<T: Serialize>(value: &T) -> String {
        String::from_utf8(to_json_bytes(value).unwrap()).unwrap()
    }

    #[test]
    fn whole_numbers_are_written_as_integers() {
        let value = json!({"ttl": 2592000.0, "half": 1.5, "big": 1e300, "neg": -3.0});
        let text = written(&value);
        // Key order depends on serde_json's `preserve_order` feature (on when the whole
        // workspace builds together), so each member is checked on its own.
        for member in [
            r#""ttl":2592000"#,
            r#""half":1.5"#,
            r#""big":1e+300"#,
            r#""neg":-3"#,
        ] {
            assert!(
                text.contains(&format!("{member},")) || text.contains(&format!("{member}}}")),
                "{member} in {text}"
            );
        }
        assert_eq!(written(&[f64::NAN, f64::INFINITY]), "[null,null]");
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut strings: Vec<String> = [
            "",
            "plain",
            "0123456789abcdef",
            "0123456789abcdef0",
            "quote \" inside",
            "back\\slash",
            "tab\there, newline\n, bell\u{7}, delete\u{7f}",
            "ünïcødé ✓ 𝄞",
            "</script>",
        ]
        .map(str::to_owned)
        .to_vec();
        // An escaped character at every place of strings of every length up to three chunks,
        // between ASCII letters and between two-byte characters.
        for len in 1..48 {
            for filler in ["x", "é"] {
                strings.push(filler.repeat(len));
                for at in 0..len {
                    for special in ['"', '\\', '\n', '\u{1f}'] {
                        let mut chars: Vec<String> = vec![filler.to_owned(); len];
                        chars[at] = special.to_string();
                        strings.push(chars.concat());
                    }
                }
            }
        }
        for text in &strings {
            assert_eq!(written(text), by_serde_json(text), "{text:?}");
        }
        assert_eq!(written(&'"'), by_serde_json(&'"'));
        assert_eq!(
            written(&json!({"ke\"y": "va\\lue"})),
            r#"{"ke\"y":"va\\lue"}"#
        );
    }

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        identity_id: String,
        access_token_ttl: f64,
        num_uses: u64,
        offset: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        absent: Option<bool>,
        enabled: bool,
        trusted_ips: Vec<Record>,
        empty: Vec<Record>,
        claims: BTreeMap<String, String>,
        kind: Kind,
        tagged: Tagged,
        either: Either,
        bytes: &'static [u8],
        pair: (u8, char),
        unit: (),
    }

    #[derive(serde::Serialize)]
    struct Record {
        #[serde(rename = "ipAddress")]
        ip_address: String,
        prefix: Option<u8>,
    }

    #[derive(serde::Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Ipv4,
    }

    #[derive(serde::Serialize)]
    #[serde(tag = "configurationType")]
    enum Tagged {
        #[serde(rename = "manual")]
        Manual { url: String },
    }

    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
    }

    #[derive(serde::Serialize)]
    enum External {
        Newtype(u8),
        Struct { a: u8 },
        Tuple(u8, u8),
    }

    #[test]
    fn answers_are_written_as_serde_json_writes_them() {
        let answer = Answer {
            identity_id: "c4e425d7-dfcf-436b-a9fa-23876cb8b9b1".into(),
            access_token_ttl: 2592000.0,
            num_uses: u64::MAX,
            offset: -7,
            skipped: None,
            absent: None,
            enabled: true,
            trusted_ips: vec![
                Record {
                    ip_address: "0.0.0.0".into(),
                    prefix: Some(0),
                },
                Record {
                    ip_address: "::".into(),
                    prefix: None,
                },
            ],
            empty: Vec::new(),
            claims: [("sub".to_owned(), "a\"b".to_owned())].into(),
            kind: Kind::Ipv4,
            tagged: Tagged::Manual {
                url: "https://x".into(),
            },
            either: Either::Text("t".into()),
            bytes: b"\x00\xff",
            pair: (1, 'c'),
            unit: (),
        };
        assert_eq!(written(&answer), by_serde_json(&answer));
        // What the fast writer leaves to serde_json gives serde_json's bytes too.
        for value in [
            External::Newtype(1),
            External::Struct { a: 2 },
            External::Tuple(3, 4),
        ] {
            assert_eq!(written(&value), by_serde_json(&value));
        }
        let numbered: BTreeMap<u32, bool> = [(1, true), (2, false)].into();
        assert_eq!(written(&numbered), r#"{"1":true,"2":false}"#);
        assert_eq!(written(&numbered), by_serde_json(&numbered));
        let lettered: BTreeMap<char, Kind> = [('a', Kind::Ipv4), ('"', Kind::Ipv4)].into();
        assert_eq!(written(&lettered), by_serde_json(&lettered));
    }
}
