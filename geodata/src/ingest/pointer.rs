//! Where a problem is: RFC 6901 JSON pointers and the feature they belong to.

use crate::validation::{Issue, IssueCode};

/// Appends one reference token to a JSON pointer, escaping `~` and `/` (RFC 6901 §3).
pub(super) fn join(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for ch in token.chars() {
        match ch {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Appends an array index to a JSON pointer.
pub(super) fn join_index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

/// The feature a problem belongs to, if any, and the list problems go to.
#[derive(Debug)]
pub(super) struct Sink {
    /// Index of the feature in `features`, or `None` for document-level members.
    pub index: Option<usize>,
    /// The feature's `properties.id`, once known.
    pub id: Option<String>,
    /// Problems found so far.
    pub problems: Vec<Issue>,
}

impl Sink {
    /// A sink for problems outside any feature.
    pub fn document() -> Self {
        Self {
            index: None,
            id: None,
            problems: Vec::new(),
        }
    }

    /// A sink for problems in feature `index`.
    pub fn feature(index: usize) -> Self {
        Self {
            index: Some(index),
            id: None,
            problems: Vec::new(),
        }
    }

    /// Records a problem at `pointer`.
    pub fn push(
        &mut self,
        code: IssueCode,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.problems.push(Issue {
            code,
            feature_id: self.id.clone(),
            feature_index: self.index,
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    /// Whether any problem has been recorded.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_escape_tilde_and_slash() {
        assert_eq!(join("/plan", "a/b~c"), "/plan/a~1b~0c");
        assert_eq!(join_index("/features", 3), "/features/3");
    }
}
