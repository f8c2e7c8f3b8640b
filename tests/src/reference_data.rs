//! The public data sets committed under `data/` at the repository root (see
//! `data/README.md`): PSPLIB instances and real GIS samples.
//!
//! Every accessor panics with the path it looked for when the data is missing, so a
//! data-driven test fails loudly instead of passing without having checked anything.

use std::path::{Path, PathBuf};

/// The repository's `data/` folder.
#[must_use]
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// The path of `relative` inside `data/`, checked to exist.
///
/// # Panics
/// When nothing exists at that path: the data is committed, so its absence is a broken
/// checkout, not a reason to skip a test.
#[must_use]
pub fn path(relative: &str) -> PathBuf {
    let path = root().join(relative);
    assert!(
        path.exists(),
        "reference data `data/{relative}` is missing (looked for {}); it is committed in the \
         repository, see data/README.md",
        path.display()
    );
    path
}

/// The text of the file `relative` inside `data/`.
///
/// # Panics
/// When the file is missing or unreadable (see [`path`]).
#[must_use]
pub fn read_to_string(relative: &str) -> String {
    let path = path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reference data `data/{relative}` could not be read ({}): {e}",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committed_file_is_found_and_read() {
        let text = read_to_string("README.md");
        assert!(text.starts_with("# Reference data"));
    }

    #[test]
    #[should_panic(expected = "reference data `data/no/such/file.sm` is missing")]
    fn a_missing_file_fails_with_its_path() {
        let _ = path("no/such/file.sm");
    }
}
