//! Serde support for PATCH fields that distinguish absent (`None`), null (`Some(None)`) and a
//! value (`Some(Some(v))`): the generated update bodies name [`deserialize`] on each optional
//! field the spec lets be `null`, with `#[serde(default)]` for absence.

/// Deserializes a present value, `null` included, as `Some`; absence is the field's
/// `#[serde(default)]`, `None`.
pub fn deserialize<'de, T, D>(
    deserializer: D,
) -> ::std::result::Result<::std::option::Option<::std::option::Option<T>>, D::Error>
where
    T: ::serde::Deserialize<'de>,
    D: ::serde::Deserializer<'de>,
{
    <::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer)
        .map(::std::option::Option::Some)
}
