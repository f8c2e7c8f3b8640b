//! The digonce service: storage, authentication, planning jobs, HTTP routes and exports.
//!
//! `main.rs` stays a thin command line over this library. Data flows: an upload is
//! validated by [`intake`] (via `geodata::ingest`) and kept by a [`storage::Store`];
//! [`jobs`] runs a [`jobs::Planner`] off the request threads and stores its schedule
//! document (`optimizer::city::document::ScheduleDocument`); [`export`] derives per-company dig schedules from it.
//! [`routes`] maps it all onto HTTP under `/v1`, every error through [`problem_details`].

pub mod auth;
pub mod bulletin;
pub mod cache;
pub mod config;
pub mod export;
pub mod intake;
pub mod jobs;
pub mod layers;
pub mod map;
pub mod openapi;
pub mod overlay;
pub mod planner;
pub mod problem_details;
pub mod replanning;
pub mod residents;
pub mod routes;
pub mod server;
pub mod storage;
