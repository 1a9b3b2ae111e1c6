//! [`Problem`]: why a document cannot be generated, with the JSON pointer of the construct. Every
//! stage that refuses (check, lower, fix up, dedupe) reports one.

/// One reason the document cannot be generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: a JSON pointer into the document as loaded.
    pub pointer: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}
