//! Parser of PSPLIB single-mode RCPSP files (`.sm`, Kolisch and Sprecher 1996) into a
//! [`Problem`] with finish-to-start precedences and renewable resources.

use thiserror::Error;

use crate::engine::{Activity, Problem, Resource, Weights};

/// Why a PSPLIB file could not be read; line numbers start at 1.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PsplibError {
    /// A required header or section is absent.
    #[error("missing `{section}` in the PSPLIB file")]
    MissingSection {
        /// The header or section looked for.
        section: &'static str,
    },
    /// A field that should be a non-negative integer is not.
    #[error("line {line}: `{text}` is not a non-negative integer ({field})")]
    BadNumber {
        /// Line number.
        line: usize,
        /// The offending text.
        text: String,
        /// What the number should be.
        field: &'static str,
        /// The parse failure.
        #[source]
        source: std::num::ParseIntError,
    },
    /// A line has too few fields.
    #[error("line {line}: expected {expected} fields for {what}, found {found}")]
    ShortLine {
        /// Line number.
        line: usize,
        /// What the line describes.
        what: &'static str,
        /// Minimum number of fields.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A job number is out of order or out of range.
    #[error("line {line}: job {job} where job {expected} was expected")]
    JobOutOfOrder {
        /// Line number.
        line: usize,
        /// Job number read.
        job: usize,
        /// Job number expected.
        expected: usize,
    },
    /// A successor names a job that does not exist.
    #[error("line {line}: successor {successor} of job {job} is not a job (1..={jobs})")]
    UnknownSuccessor {
        /// Line number.
        line: usize,
        /// The predecessor job.
        job: usize,
        /// The successor named.
        successor: usize,
        /// Number of jobs.
        jobs: usize,
    },
    /// A job has more than one mode (multi-mode files are not single-mode RCPSP).
    #[error("line {line}: job {job} has {modes} modes; only single-mode files are supported")]
    MultiMode {
        /// Line number.
        line: usize,
        /// The job.
        job: usize,
        /// Its number of modes.
        modes: usize,
    },
}

struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    /// Index of the first line at or after `from` starting (after spaces) with `prefix`.
    fn find(&self, from: usize, prefix: &'static str) -> Result<usize, PsplibError> {
        (from..self.lines.len())
            .find(|&k| self.lines[k].trim_start().starts_with(prefix))
            .ok_or(PsplibError::MissingSection { section: prefix })
    }

    fn fields(&self, k: usize) -> Vec<&'a str> {
        self.lines
            .get(k)
            .map_or_else(Vec::new, |l| l.split_whitespace().collect())
    }
}

fn number<T: std::str::FromStr<Err = std::num::ParseIntError>>(
    text: &str,
    line: usize,
    field: &'static str,
) -> Result<T, PsplibError> {
    text.parse().map_err(|source| PsplibError::BadNumber {
        line: line + 1,
        text: text.to_owned(),
        field,
        source,
    })
}

fn value_after_colon(lines: &Lines, k: usize, field: &'static str) -> Result<usize, PsplibError> {
    let line = lines.lines[k];
    let after = line.split(':').nth(1).unwrap_or("");
    let first = after.split_whitespace().next().unwrap_or("");
    number(first, k, field)
}

fn expect_fields(
    fields: &[&str],
    k: usize,
    expected: usize,
    what: &'static str,
) -> Result<(), PsplibError> {
    if fields.len() < expected {
        return Err(PsplibError::ShortLine {
            line: k + 1,
            what,
            expected,
            found: fields.len(),
        });
    }
    Ok(())
}

/// Parses the text of a single-mode PSPLIB file. Jobs become activities `J1..Jn` in file
/// order (dummies included); each successor becomes a finish-to-start edge; the objective
/// is the makespan alone.
///
/// # Errors
/// [`PsplibError`] naming the line and the reason.
#[expect(
    clippy::too_many_lines,
    reason = "one linear pass over the file's sections"
)]
pub fn parse(text: &str) -> Result<Problem, PsplibError> {
    let lines = Lines {
        lines: text.lines().collect(),
    };
    let k_jobs = lines.find(0, "jobs (incl. supersource/sink )")?;
    let jobs = value_after_colon(&lines, k_jobs, "number of jobs")?;
    let k_renewable = lines.find(0, "- renewable")?;
    let renewable = value_after_colon(&lines, k_renewable, "number of renewable resources")?;
    let k_prec = lines.find(0, "PRECEDENCE RELATIONS:")?;
    let mut successors: Vec<Vec<usize>> = Vec::with_capacity(jobs);
    for j in 0..jobs {
        let k = k_prec + 2 + j;
        let f = lines.fields(k);
        expect_fields(&f, k, 3, "a precedence line (job, modes, successors)")?;
        let job = number(f[0], k, "job number")?;
        if job != j + 1 {
            return Err(PsplibError::JobOutOfOrder {
                line: k + 1,
                job,
                expected: j + 1,
            });
        }
        let modes = number(f[1], k, "number of modes")?;
        if modes != 1 {
            return Err(PsplibError::MultiMode {
                line: k + 1,
                job,
                modes,
            });
        }
        let count = number(f[2], k, "number of successors")?;
        expect_fields(&f, k, 3 + count, "the successors listed")?;
        let mut succ = Vec::with_capacity(count);
        for text in &f[3..3 + count] {
            let s = number(text, k, "successor")?;
            if s == 0 || s > jobs {
                return Err(PsplibError::UnknownSuccessor {
                    line: k + 1,
                    job,
                    successor: s,
                    jobs,
                });
            }
            succ.push(s - 1);
        }
        successors.push(succ);
    }
    let k_req = lines.find(k_prec, "REQUESTS/DURATIONS:")?;
    // Header line, dashes line, then one line per job.
    let mut activities = Vec::with_capacity(jobs);
    for j in 0..jobs {
        let k = k_req + 3 + j;
        let f = lines.fields(k);
        expect_fields(
            &f,
            k,
            3 + renewable,
            "a request line (job, mode, duration, demands)",
        )?;
        let job = number(f[0], k, "job number")?;
        if job != j + 1 {
            return Err(PsplibError::JobOutOfOrder {
                line: k + 1,
                job,
                expected: j + 1,
            });
        }
        let duration: u32 = number(f[2], k, "duration")?;
        let mut act = Activity::new(format!("J{job}"), duration);
        for r in 0..renewable {
            let units: u32 = number(f[3 + r], k, "resource demand")?;
            if units > 0 {
                act.demands.push((r, units));
            }
        }
        activities.push(act);
    }
    let k_avail = lines.find(k_req, "RESOURCEAVAILABILITIES:")?;
    let k = k_avail + 2;
    let f = lines.fields(k);
    expect_fields(&f, k, renewable, "the resource availabilities")?;
    let mut resources = Vec::with_capacity(renewable);
    for (r, text) in f.iter().take(renewable).enumerate() {
        resources.push(Resource {
            name: format!("R{}", r + 1),
            capacity: number(text, k, "resource availability")?,
        });
    }
    let mut problem = Problem {
        resources,
        activities,
        edges: Vec::new(),
        open_spans: Vec::new(),
        weights: Weights {
            hard_lateness: 0.0,
            open_span: 0.0,
            soft_lateness: 0.0,
            makespan: 1.0,
        },
    };
    for (j, succ) in successors.iter().enumerate() {
        for &s in succ {
            problem.precede(j, s);
        }
    }
    Ok(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "\
jobs (incl. supersource/sink ):  4
RESOURCES
  - renewable                 :  1   R
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       2
  3      1     2       2
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
   3
";

    #[test]
    fn parses_jobs_precedences_and_capacities() {
        let p = parse(TINY).expect("valid file");
        assert_eq!(p.activities.len(), 4);
        assert_eq!(p.resources[0].capacity, 3);
        assert_eq!(p.activities[1].duration, 3);
        assert_eq!(p.activities[1].demands, vec![(0, 2)]);
        assert_eq!(p.edges.len(), 4);
        assert_eq!(p.edges[2].min_lag, 3, "finish-to-start lag is the duration");
    }

    #[test]
    fn bad_number_names_the_line() {
        let broken = TINY.replace("  2      1     3       2", "  2      1     x       2");
        assert!(matches!(
            parse(&broken),
            Err(PsplibError::BadNumber { line: 16, ref text, field: "duration", .. }) if text == "x"
        ));
    }

    #[test]
    fn unknown_successor_and_missing_section_are_errors() {
        let broken = TINY.replace(
            "   2        1          1           4",
            "   2        1          1           9",
        );
        assert!(matches!(
            parse(&broken),
            Err(PsplibError::UnknownSuccessor {
                line: 8,
                successor: 9,
                ..
            })
        ));
        assert!(matches!(
            parse("nothing here"),
            Err(PsplibError::MissingSection { .. })
        ));
    }
}
