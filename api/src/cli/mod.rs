//! Subcommands of the `digonce` binary, one module each.

pub mod analyze;
pub mod check;
pub mod demo;
pub mod export;
pub mod generate;
pub mod heating;
pub mod import;
pub mod plan;
pub mod rcpsp;
pub mod replan;
pub mod report;
pub mod serve;
pub mod validate;
