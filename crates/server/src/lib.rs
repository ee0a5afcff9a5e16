//! Perfect Service's server: the JSON API, the staff console, operations endpoints,
//! configuration and startup. The binary crate only parses the command line.

pub mod api;
pub mod config;
pub mod dashboard;
pub mod error;
mod fallback;
pub mod guarantee;
pub mod http;
pub mod improvement;
pub mod knowledge;
pub mod links;
pub mod mail;
mod ops;
pub mod public;
pub mod recovery;
pub mod security;
pub mod standards;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
pub mod workers;

pub use startup::Application;
