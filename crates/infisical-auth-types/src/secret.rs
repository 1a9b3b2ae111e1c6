//! [`Secret`]: the type every secret field of a request or answer is held in (client secrets,
//! access tokens, passwords, bind passwords, JWTs, signatures, signed AWS headers). The fields are
//! named in `openapi/codegen.toml` (`secret_fields`); the generated types refer to this type.

/// A secret: `Debug` prints `<redacted>`, there is no `Display`, and the text is read only
/// through [`expose_secret`](Secret::expose_secret). On the wire it is the plain JSON string.
#[derive(
    ::serde::Serialize, ::serde::Deserialize, Clone, Default, Eq, Hash, Ord, PartialEq, PartialOrd,
)]
#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
#[serde(transparent)]
pub struct Secret(::std::string::String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
        Secret(value.into())
    }

    /// The secret's text: the one way to read it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl ::std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl ::std::convert::From<::std::string::String> for Secret {
    fn from(value: ::std::string::String) -> Self {
        Secret(value)
    }
}

impl ::std::convert::From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl ::std::convert::From<&::std::string::String> for Secret {
    fn from(value: &::std::string::String) -> Self {
        Secret(value.clone())
    }
}
