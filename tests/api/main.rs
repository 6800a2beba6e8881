//! One integration-test binary. Every test starts the real server on port 0 with a
//! fresh database: a temp SQLite file, or a new PostgreSQL database when
//! `SCRUTINY_TEST_DATABASE_URL=postgres://…` names a server to create it on.
mod helpers;

mod attacks;
mod auth;
mod bad_input;
mod cards;
mod cli;
mod crash;
mod demographics;
mod foundation;
mod insight;
mod instances;
mod languages;
mod layering;
mod meetings;
mod notify;
mod outage;
mod panel_attacks;
mod panels;
mod recruits;
mod retention;
mod sample;
mod schema;
mod search;
mod signup;
mod smtp;
mod users;
