//! Where a problem is: RFC 6901 JSON pointers and the feature they belong to.

use crate::validation::{Issue, IssueCode, ValidationReport};

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
///
/// A sink keeps at most its budget of problems (a report lists at most
/// [`ValidationReport::MAX_PROBLEMS`]) and only counts the rest: a small upload with a
/// problem in every position could otherwise grow a report (and the memory holding it)
/// many times its own size.
#[derive(Debug)]
pub(super) struct Sink {
    /// Index of the feature in `features`, or `None` for document-level members.
    pub index: Option<usize>,
    /// The feature's `properties.id`, once known.
    pub id: Option<String>,
    /// Problems found so far, at most `budget` of them.
    pub problems: Vec<Issue>,
    /// Problems found beyond the budget: counted, not kept.
    pub omitted: usize,
    /// How many problems this sink keeps.
    budget: usize,
}

impl Sink {
    /// A sink for problems outside any feature.
    pub fn document() -> Self {
        Self {
            index: None,
            id: None,
            problems: Vec::new(),
            omitted: 0,
            budget: ValidationReport::MAX_PROBLEMS,
        }
    }

    /// A sink for problems in feature `index`, keeping at most `budget` of them.
    pub fn feature(index: usize, budget: usize) -> Self {
        Self {
            index: Some(index),
            id: None,
            problems: Vec::new(),
            omitted: 0,
            budget,
        }
    }

    /// How many more problems this sink keeps before it only counts them.
    pub fn remaining(&self) -> usize {
        self.budget.saturating_sub(self.problems.len())
    }

    /// Records a problem at `pointer`.
    pub fn push(
        &mut self,
        code: IssueCode,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        let issue = Issue {
            code,
            feature_id: self.id.clone(),
            feature_index: self.index,
            pointer: pointer.into(),
            message: message.into(),
            origin: None,
        };
        self.push_issue(issue);
    }

    /// Records a problem made elsewhere (within the budget, like [`Self::push`]).
    pub fn push_issue(&mut self, issue: Issue) {
        if self.remaining() > 0 {
            self.problems.push(issue);
        } else {
            self.omitted += 1;
        }
    }

    /// Moves another sink's problems (and its count of omitted ones) into this one.
    pub fn absorb(&mut self, other: &mut Sink) {
        self.problems.append(&mut other.problems);
        self.omitted += other.omitted;
        other.omitted = 0;
    }

    /// How many problems were found, kept or not.
    pub fn found(&self) -> usize {
        self.problems.len() + self.omitted
    }

    /// Whether no problem has been found.
    pub fn is_clean(&self) -> bool {
        self.found() == 0
    }

    /// The report of every problem kept, closed by a `too_many_problems` problem saying
    /// how many more were found; the sink is left empty.
    pub fn take_report(&mut self) -> ValidationReport {
        let mut problems = std::mem::take(&mut self.problems);
        let omitted = std::mem::take(&mut self.omitted);
        if omitted > 0 {
            problems.push(Issue {
                code: IssueCode::TooManyProblems,
                feature_id: None,
                feature_index: None,
                origin: None,
                pointer: String::new(),
                message: format!(
                    "{omitted} more problem(s) were found; only the first {} are listed.",
                    ValidationReport::MAX_PROBLEMS
                ),
            });
        }
        ValidationReport { problems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_keeps_its_budget_counts_the_rest_and_closes_the_report_with_the_count() {
        let mut sink = Sink::feature(3, 2);
        for i in 0..5 {
            sink.push(IssueCode::WrongType, format!("/features/3/x/{i}"), "Bad.");
        }
        assert_eq!((sink.problems.len(), sink.omitted, sink.found()), (2, 3, 5));
        assert!(!sink.is_clean());
        let mut document = Sink::document();
        document.absorb(&mut sink);
        let report = document.take_report();
        let codes: Vec<IssueCode> = report.problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                IssueCode::WrongType,
                IssueCode::WrongType,
                IssueCode::TooManyProblems
            ]
        );
        assert!(report.problems[2].message.starts_with("3 more problem(s)"));
        assert!(document.is_clean());
    }

    #[test]
    fn pointer_tokens_escape_tilde_and_slash() {
        assert_eq!(join("/plan", "a/b~c"), "/plan/a~1b~0c");
        assert_eq!(join_index("/features", 3), "/features/3");
    }
}
