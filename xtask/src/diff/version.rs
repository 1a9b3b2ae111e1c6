//! Which version the crates take for a diff's changes (the CHANGELOG.md entry that records
//! them is rendered in `markdown.rs`).
//!
//! The library crates are one set with one version (the workspace's `version`, which the xtask
//! shares: [`CRATES_VERSION`]). What a spec update needs follows from the diff, for a client
//! user:
//!
//! | the diff has | bump | from 1.0 | before 1.0 |
//! |---|---|---|---|
//! | a breaking change | [`Bump::Major`] before 1.0 taken as minor | 1.4.2 -> 2.0.0 | 0.1.3 -> 0.2.0 |
//! | only non-breaking changes (additions, relaxed bounds, defaults, deprecations) | [`Bump::Minor`] | 1.4.2 -> 1.5.0 | 0.1.3 -> 0.2.0 |
//! | no change to the API | [`Bump::Patch`] | 1.4.2 -> 1.4.3 | 0.1.3 -> 0.1.4 |
//!
//! Before 1.0 Cargo treats a minor bump as incompatible, so a breaking change there is a minor
//! bump, and so are additions: a user's `"0.1"` requirement never picks up a different API.

use std::fmt;

use serde::Serialize;

use super::report::DiffReport;

/// The version of the workspace's crates: the xtask's own, as every crate takes the workspace's
/// `version`.
pub const CRATES_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The part of the version a release increments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    /// Nothing in the API changed (documentation, generator or runtime fixes).
    Patch,
    /// Additions or other non-breaking changes; before 1.0 also breaking ones.
    Minor,
    /// Breaking changes for a client user, from 1.0 on.
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// A `MAJOR.MINOR.PATCH` version (no pre-release or build part: the crates have none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Incompatible releases from 1.0 on.
    pub major: u64,
    /// Additions (and, before 1.0, incompatible releases).
    pub minor: u64,
    /// Releases that change nothing in the API.
    pub patch: u64,
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH`.
    pub fn parse(text: &str) -> Result<Version, String> {
        let parts: Vec<&str> = text.split('.').collect();
        let number = |part: &str| {
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u64>().ok())
                .flatten()
        };
        match parts.as_slice() {
            [major, minor, patch] => match (number(major), number(minor), number(patch)) {
                (Some(major), Some(minor), Some(patch)) => Ok(Version {
                    major,
                    minor,
                    patch,
                }),
                _ => Err(format!("`{text}` is not a MAJOR.MINOR.PATCH version")),
            },
            _ => Err(format!("`{text}` is not a MAJOR.MINOR.PATCH version")),
        }
    }

    /// The version after a release of kind `bump`.
    pub fn bumped(self, bump: Bump) -> Version {
        match bump {
            Bump::Major => Version {
                major: self.major + 1,
                minor: 0,
                patch: 0,
            },
            Bump::Minor => Version {
                major: self.major,
                minor: self.minor + 1,
                patch: 0,
            },
            Bump::Patch => Version {
                patch: self.patch + 1,
                ..self
            },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl DiffReport {
    /// The bump these changes need for crates at `current`: breaking changes a major one (a
    /// minor one before 1.0), other changes a minor one, no change a patch.
    pub fn bump(&self, current: Version) -> Bump {
        if self.has_breaking() {
            if current.major == 0 {
                Bump::Minor
            } else {
                Bump::Major
            }
        } else if self.is_empty() {
            Bump::Patch
        } else {
            Bump::Minor
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_parse_and_bump() {
        assert_eq!(v("1.4.2").bumped(Bump::Major), v("2.0.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Minor), v("1.5.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Patch), v("1.4.3"));
        assert_eq!(v("0.1.3").bumped(Bump::Minor).to_string(), "0.2.0");
        for bad in [
            "1.2",
            "1.2.3.4",
            "1.2.x",
            "1.2.3-rc.1",
            "",
            "1..2",
            "+1.2.3",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_crates_version_parses() {
        Version::parse(CRATES_VERSION).expect("the workspace version is MAJOR.MINOR.PATCH");
    }
}
