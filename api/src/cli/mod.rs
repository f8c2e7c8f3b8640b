//! Subcommands of the `digonce` binary, one module each.

pub mod crs_name;
pub mod validate;
