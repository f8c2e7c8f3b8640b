//! Benchmark formats read into the generic engine's [`Problem`](crate::engine::Problem), so
//! the engine is measured on instances with known optima.

pub mod psplib;
