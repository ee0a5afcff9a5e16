//! Journeys through the staff console in a real browser: headless Chromium driven through
//! chromedriver (WebDriver), against the real server on 127.0.0.1 with a fresh SQLite file.
//! Skipped with a note when Chromium or chromedriver is missing, unless
//! `PERFECT_SERVICE_TEST_REQUIRE_ALL` is set (as in CI), which turns that into a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod harness;

mod admin_manages_teams;
mod customer_answers_survey;
mod dashboard_journey;
mod guarantee_journey;
mod phone_sized_console;
mod recovery_journey;
