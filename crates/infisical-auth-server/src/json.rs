//! The JSON writer of every answer ([`crate::runtime::to_json_bytes`]): serde_json's compact
//! output byte for byte, with whole numbers written as integers as Infisical (JavaScript) writes
//! them, but written for the server's hot path. serde_json escapes a string byte by byte and a
//! value formatted with `collect_str` (every date) piece by piece; this writer copies a string
//! that needs no escape (all of the API's keys and nearly all of its values) in one go, after
//! checking it eight bytes at a time, and writes formatted pieces straight into the output.
//!
//! What it does not cover (map keys other than strings, serde_json's raw values) or a value whose
//! `Serialize` fails makes it give up: the caller then writes the value with serde_json, which
//! answers exactly as before.

use std::cell::Cell;
use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Serialize};

/// Why the fast writer gave up (the caller writes the value with serde_json instead).
#[derive(Debug)]
pub(crate) struct GiveUp;

impl Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not written by the fast JSON writer")
    }
}

impl std::error::Error for GiveUp {}

impl ser::Error for GiveUp {
    fn custom<T: Display>(_msg: T) -> Self {
        GiveUp
    }
}

type Result<T = ()> = std::result::Result<T, GiveUp>;

/// `value` as compact JSON appended to `out`, or [`GiveUp`].
pub(crate) fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result {
    value.serialize(Writer { out })
}

/// JavaScript's largest safe integer plus one: whole numbers below it are written as integers.
const SAFE: f64 = 9_007_199_254_740_992.0;

/// A whole `f64` as an integer, any other finite one as serde_json writes it, a non-finite one
/// as `null` (serde_json's choice).
fn write_f64(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        out.extend_from_slice(b"null");
    } else if value.abs() < SAFE && value == (value as i64) as f64 {
        out.extend_from_slice(itoa::Buffer::new().format(value as i64).as_bytes());
    } else {
        out.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
    }
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `chunk` must be escaped in a JSON string (a control
/// character, `"` or `\`). Exact: no byte that needs no escape makes it true.
#[inline]
fn chunk_needs_escape(chunk: u64) -> bool {
    let below_space = chunk.wrapping_sub(LOW * 0x20) & !chunk;
    let quote = chunk ^ (LOW * u64::from(b'"'));
    let quote = quote.wrapping_sub(LOW) & !quote;
    let backslash = chunk ^ (LOW * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(LOW) & !backslash;
    (below_space | quote | backslash) & HIGH != 0
}

#[inline]
fn byte_needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The eight bytes of `text` from `at` as one word.
#[inline]
fn word(text: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&text[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Whether `text` holds a byte that must be escaped: eight bytes at a time, the last word
/// overlapping the one before it (a short text is read as two overlapping halves).
#[inline]
fn needs_escape(text: &[u8]) -> bool {
    let len = text.len();
    if len >= 8 {
        let mut at = 0;
        while at + 8 < len {
            if chunk_needs_escape(word(text, at)) {
                return true;
            }
            at += 8;
        }
        return chunk_needs_escape(word(text, len - 8));
    }
    if len >= 4 {
        let half = |at: usize| {
            let mut bytes = [0u8; 4];
            bytes.copy_from_slice(&text[at..at + 4]);
            u64::from(u32::from_le_bytes(bytes))
        };
        return chunk_needs_escape(half(0) | (half(len - 4) << 32));
    }
    text.iter().any(|&b| byte_needs_escape(b))
}

/// `text`'s characters, escaped as serde_json escapes them, appended to `out` (no quotes).
fn write_str_contents(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if !byte_needs_escape(byte) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ]);
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `text` as a JSON string.
fn write_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    write_str_contents(out, text);
    out.push(b'"');
}

thread_local! {
    /// Struct field names (static, so never changing) already found to need no escape, by
    /// address and length, in a small direct-mapped table: the answers repeat the same few dozen.
    static PLAIN_KEYS: [Cell<(usize, usize)>; 128] = const { [const { Cell::new((0, 0)) }; 128] };
}

/// `"key":` for a struct's field name.
fn write_key(out: &mut Vec<u8>, key: &'static str) {
    let id = (key.as_ptr() as usize, key.len());
    let slot = ((id.0 >> 2) ^ id.1) % 128;
    let plain = PLAIN_KEYS.with(|keys| {
        if keys[slot].get() == id {
            return true;
        }
        let plain = !needs_escape(key.as_bytes());
        if plain {
            keys[slot].set(id);
        }
        plain
    });
    out.reserve(key.len() + 3);
    out.push(b'"');
    if plain {
        out.extend_from_slice(key.as_bytes());
    } else {
        write_str_contents(out, key);
    }
    out.extend_from_slice(b"\":");
}

/// What a formatted value writes, escaped as it comes (the inside of a JSON string).
struct Escaping<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        write_str_contents(self.0, text);
        Ok(())
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        match u8::try_from(c) {
            Ok(byte) if byte.is_ascii() && !byte_needs_escape(byte) => self.0.push(byte),
            _ => write_str_contents(self.0, c.encode_utf8(&mut [0; 4])),
        }
        Ok(())
    }
}

/// `value` formatted, as a JSON string.
fn write_display<T: Display + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result {
    out.push(b'"');
    write!(Escaping(out), "{value}").map_err(|_| GiveUp)?;
    out.push(b'"');
    Ok(())
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> Writer<'a> {
    /// Opens `{"variant":` (the externally tagged enum variants that hold data).
    fn open_variant(&mut self, variant: &str) {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
    }

    fn open(self, open: u8, close: u8, len: Option<usize>, variant: bool) -> Compound<'a> {
        self.out.push(open);
        let empty = len == Some(0);
        if empty {
            self.out.push(close);
        }
        Compound {
            out: self.out,
            first: true,
            empty,
            close,
            variant,
        }
    }
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, value: bool) -> Result {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, value: i8) -> Result {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_i16(self, value: i16) -> Result {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_i32(self, value: i32) -> Result {
        self.serialize_i64(i64::from(value))
    }

    fn serialize_i64(self, value: i64) -> Result {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
        Ok(())
    }

    fn serialize_i128(self, value: i128) -> Result {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
        Ok(())
    }

    fn serialize_u8(self, value: u8) -> Result {
        self.serialize_u64(u64::from(value))
    }

    fn serialize_u16(self, value: u16) -> Result {
        self.serialize_u64(u64::from(value))
    }

    fn serialize_u32(self, value: u32) -> Result {
        self.serialize_u64(u64::from(value))
    }

    fn serialize_u64(self, value: u64) -> Result {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
        Ok(())
    }

    fn serialize_u128(self, value: u128) -> Result {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
        Ok(())
    }

    fn serialize_f32(self, value: f32) -> Result {
        if value.is_finite() {
            self.out
                .extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
        } else {
            self.out.extend_from_slice(b"null");
        }
        Ok(())
    }

    fn serialize_f64(self, value: f64) -> Result {
        write_f64(self.out, value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        write_str(self.out, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result {
        write_str(self.out, value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result {
        let mut seq = self.open(b'[', b']', Some(value.len()), false);
        for byte in value {
            ser::SerializeSeq::serialize_element(&mut seq, byte)?;
        }
        ser::SerializeSeq::end(seq)
    }

    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.open_variant(variant);
        value.serialize(Writer {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.open(b'[', b']', len, false))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>> {
        self.open_variant(variant);
        Ok(self.open(b'[', b']', Some(len), true))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.open(b'{', b'}', len, false))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a>> {
        // serde_json's raw values and arbitrary-precision numbers are structs with a magic name.
        if name.starts_with("$serde_json::") {
            return Err(GiveUp);
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>> {
        self.open_variant(variant);
        Ok(self.open(b'{', b'}', Some(len), true))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result {
        write_display(self.out, value)
    }
}

/// An array or object being written.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    /// No member written yet.
    first: bool,
    /// Declared empty: already closed.
    empty: bool,
    /// `]` or `}`.
    close: u8,
    /// Inside `{"variant":`, which `end` closes too.
    variant: bool,
}

impl Compound<'_> {
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.out.push(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.separate();
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }

    /// `"key":` (a key known at compile time: a struct's field name).
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.separate();
        write_key(self.out, key);
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }

    fn finish(self) -> Result {
        if !self.empty {
            self.out.push(self.close);
        }
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.separate();
        key.serialize(KeyWriter {
            out: &mut *self.out,
        })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.out.push(b':');
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

/// A map key: a string (or what serde_json writes as one of its own: a char, a unit variant, a
/// newtype around a string). Any other key gives up, so serde_json decides.
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = ser::Impossible<(), GiveUp>;
    type SerializeTuple = ser::Impossible<(), GiveUp>;
    type SerializeTupleStruct = ser::Impossible<(), GiveUp>;
    type SerializeTupleVariant = ser::Impossible<(), GiveUp>;
    type SerializeMap = ser::Impossible<(), GiveUp>;
    type SerializeStruct = ser::Impossible<(), GiveUp>;
    type SerializeStructVariant = ser::Impossible<(), GiveUp>;

    fn serialize_str(self, value: &str) -> Result {
        write_str(self.out, value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        write_str(self.out, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result {
        write_display(self.out, value)
    }

    fn serialize_bool(self, _: bool) -> Result {
        Err(GiveUp)
    }
    fn serialize_i8(self, _: i8) -> Result {
        Err(GiveUp)
    }
    fn serialize_i16(self, _: i16) -> Result {
        Err(GiveUp)
    }
    fn serialize_i32(self, _: i32) -> Result {
        Err(GiveUp)
    }
    fn serialize_i64(self, _: i64) -> Result {
        Err(GiveUp)
    }
    fn serialize_u8(self, _: u8) -> Result {
        Err(GiveUp)
    }
    fn serialize_u16(self, _: u16) -> Result {
        Err(GiveUp)
    }
    fn serialize_u32(self, _: u32) -> Result {
        Err(GiveUp)
    }
    fn serialize_u64(self, _: u64) -> Result {
        Err(GiveUp)
    }
    fn serialize_f32(self, _: f32) -> Result {
        Err(GiveUp)
    }
    fn serialize_f64(self, _: f64) -> Result {
        Err(GiveUp)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(GiveUp)
    }
    fn serialize_none(self) -> Result {
        Err(GiveUp)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(GiveUp)
    }
    fn serialize_unit(self) -> Result {
        Err(GiveUp)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(GiveUp)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(GiveUp)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(GiveUp)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(GiveUp)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(GiveUp)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(GiveUp)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(GiveUp)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(GiveUp)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(GiveUp)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::*;

    /// What serde_json writes with the runtime's number rule (the reference this writer matches).
    fn by_serde_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        crate::runtime::to_json_bytes_with_serde_json(value).expect("serde_json writes it")
    }

    fn fast<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write(&mut out, value).ok().map(|()| out)
    }

    fn same<T: Serialize + ?Sized>(value: &T) {
        let expected = String::from_utf8(by_serde_json(value)).unwrap();
        let got = String::from_utf8(fast(value).expect("the fast writer writes it")).unwrap();
        assert_eq!(got, expected);
    }

    #[test]
    fn every_escape_is_written_as_serde_json_writes_it() {
        let mut all = String::new();
        for c in (0u32..0x80).chain([0xE9, 0x2028, 0x1F600]) {
            all.push(char::from_u32(c).unwrap());
        }
        same(&all);
        for text in [
            "",
            "a",
            "\"",
            "\\",
            "plain ASCII text of some length",
            "tab\there",
            "12345678\"",
            "1234567\u{1}",
            "é at the end é",
            "\u{7f}\u{80}",
            "\"\"\"\"\"\"\"\"\"",
        ] {
            same(text);
            // At every offset, so that each byte meets the check in every lane of a chunk.
            for start in 0..8 {
                same(&format!("{}{text}", "x".repeat(start)));
            }
        }
        for byte in 0u8..0x80 {
            for lane in 0..16 {
                let mut text = "a".repeat(16);
                text.replace_range(lane..=lane, char::from(byte).encode_utf8(&mut [0; 4]));
                same(&text);
            }
        }
    }

    #[test]
    fn strings_of_every_length_are_checked_at_every_position() {
        for len in 1..=20 {
            for at in 0..len {
                for byte in [0x00, 0x08, 0x1F, b'"', b'\\', b' ', b'!', b'#', 0x7F, b'a'] {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    same(std::str::from_utf8(&text).unwrap());
                }
            }
        }
    }

    #[test]
    fn numbers_are_written_as_the_runtime_writes_them() {
        for n in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            1.5,
            2592000.0,
            1e300,
            -1e-7,
            0.1,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            1e21,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            same(&n);
            same(&(n as f32));
        }
        same(&(
            i64::MIN,
            i64::MAX,
            u64::MAX,
            i128::MIN,
            u128::MAX,
            -1i8,
            255u8,
            'x',
        ));
    }

    #[derive(Serialize)]
    enum Kind {
        Unit,
        Newtype(u32),
        Tuple(u8, String),
        Empty(),
        Struct { a: Option<f64>, b: Vec<u8> },
        Nothing {},
    }

    #[derive(Serialize)]
    struct Record {
        #[serde(rename = "ipAddress")]
        ip_address: String,
        prefix: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        kinds: Vec<Kind>,
        when: chrono::DateTime<chrono::Utc>,
        id: uuid::Uuid,
        #[serde(with = "serde_bytes_like")]
        raw: Vec<u8>,
        unit: (),
        empty: Vec<u8>,
        nested: BTreeMap<String, serde_json::Value>,
    }

    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn structures_are_written_as_serde_json_writes_them() {
        let record = Record {
            ip_address: "0.0.0.0".into(),
            prefix: None,
            skipped: None,
            kinds: vec![
                Kind::Unit,
                Kind::Newtype(7),
                Kind::Tuple(1, "t\"".into()),
                Kind::Empty(),
                Kind::Struct {
                    a: Some(2.0),
                    b: vec![1, 2],
                },
                Kind::Nothing {},
            ],
            when: chrono::DateTime::from_timestamp_millis(1_764_650_000_123).unwrap(),
            id: uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
            raw: vec![0, 255],
            unit: (),
            empty: Vec::new(),
            nested: BTreeMap::from([
                (
                    "k\n".into(),
                    json!({"a": [1, 2.5, null, true, "x"], "b": {}}),
                ),
                ("e".into(), json!([])),
            ]),
        };
        same(&record);
        same(&vec![record]);
        same(&json!({"reqId": "req-1", "statusCode": 422, "message": [{"path": ["a", 0]}]}));
        same(&BTreeMap::from([('c', 1)]));
        same(&(Some(1), None::<u8>, [0u8; 0], ((),)));
    }

    #[derive(Serialize)]
    struct OddKeys {
        #[serde(rename = "q\"k\n")]
        odd: u8,
        plain: u8,
        #[serde(rename = "")]
        empty: u8,
    }

    #[test]
    fn field_names_that_need_escapes_are_escaped_every_time() {
        for _ in 0..3 {
            same(&OddKeys {
                odd: 1,
                plain: 2,
                empty: 3,
            });
        }
    }

    #[test]
    fn what_it_does_not_cover_is_left_to_serde_json() {
        assert!(fast(&BTreeMap::from([(1, 2)])).is_none());
        assert!(fast(&BTreeMap::from([(true, 2)])).is_none());
        struct Magic;
        impl Serialize for Magic {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut raw = s.serialize_struct("$serde_json::private::RawValue", 1)?;
                raw.serialize_field("$serde_json::private::RawValue", "[1, 2]")?;
                raw.end()
            }
        }
        assert!(fast(&Magic).is_none());
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(
                &self,
                _: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        assert!(fast(&Fails).is_none());
    }

    #[test]
    fn the_runtime_writes_with_serde_json_where_the_fast_writer_gives_up() {
        let map = BTreeMap::from([(1, 2.0), (3, 4.5)]);
        assert_eq!(
            crate::runtime::to_json_bytes(&map).unwrap(),
            br#"{"1":2,"3":4.5}"#.to_vec()
        );
    }
}
