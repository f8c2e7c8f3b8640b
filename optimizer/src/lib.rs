//! The schedule engine of digonce: activity network, LP timing, resource and calendar
//! search, lower bounds and an independent verifier.

pub mod network;
