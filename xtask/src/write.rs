//! Write stage: the shared "write or check" helper. In write mode a file is written only when its
//! content differs; in check mode nothing is written and every stale file is reported.

use std::path::{Path, PathBuf};

use crate::Error;

/// Whether to write files or only compare them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write files whose content differs.
    Write,
    /// Write nothing; report files whose content differs.
    Check,
}

/// The outcome for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file already had this content.
    Fresh,
    /// The file was (re)written.
    Written,
    /// Check mode: the file is missing or differs.
    Stale,
}

/// Writes `contents` to `path` (creating folders) or checks it, per `mode`.
pub fn ensure_file(path: &Path, contents: &str, mode: Mode) -> Result<Outcome, Error> {
    let current = std::fs::read_to_string(path).ok();
    if current.as_deref() == Some(contents) {
        return Ok(Outcome::Fresh);
    }
    match mode {
        Mode::Check => Ok(Outcome::Stale),
        Mode::Write => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::Io(parent.display().to_string(), e))?;
            }
            std::fs::write(path, contents).map_err(|e| Error::Io(path.display().to_string(), e))?;
            Ok(Outcome::Written)
        }
    }
}

/// Applies [`ensure_file`] to every file and returns the stale ones (check mode) or the written
/// ones (write mode).
pub fn ensure_files(files: &[(PathBuf, String)], mode: Mode) -> Result<Vec<PathBuf>, Error> {
    let mut touched = Vec::new();
    for (path, contents) in files {
        if ensure_file(path, contents, mode)? != Outcome::Fresh {
            touched.push(path.clone());
        }
    }
    Ok(touched)
}

/// Every file below `dir` (recursively), sorted; an unreadable folder counts as empty.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_mode_reports_without_writing_and_write_mode_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/generated.rs");
        assert_eq!(
            ensure_file(&path, "x", Mode::Check).unwrap(),
            Outcome::Stale
        );
        assert!(!path.exists());
        assert_eq!(
            ensure_file(&path, "x", Mode::Write).unwrap(),
            Outcome::Written
        );
        assert_eq!(
            ensure_file(&path, "x", Mode::Check).unwrap(),
            Outcome::Fresh
        );
        std::fs::write(&path, "hand edit").unwrap();
        assert_eq!(
            ensure_file(&path, "x", Mode::Check).unwrap(),
            Outcome::Stale
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hand edit");
    }
}
