//! Shared helpers for digonce's end-to-end scenario tests.

pub mod http;
pub mod montpelier;
pub mod reference_data;
