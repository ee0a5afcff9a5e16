//! Black-box tests of the HTTP surface: every test starts the real server on port 0 and runs
//! on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod api_errors;
mod api_knowledge;
mod api_resources;
mod api_transactions;
mod commitments;
mod console_admin;
mod console_auth;
mod console_cases;
mod console_customers;
mod console_email;
mod console_guarantees;
mod console_improvement;
mod console_knowledge;
mod console_problems;
mod console_recovery_settings;
mod console_staff;
mod console_standards;
mod console_touchpoints;
mod console_transactions;
mod dashboard;
mod dashboard_rollups;
mod guarantee;
mod improvement;
mod mail;
mod operations;
mod problems;
mod public_survey;
mod receiver;
mod recovery;
mod standard_breaches;
mod standards;
