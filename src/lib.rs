//! scrutiny: recruit people who were stopped and searched onto a police force's
//! independent community scrutiny panel.
//!
//! Public pages (card landing, sign-up, confirmation) are rendered on the server
//! through [`public`] with no scripts at all; the coordinator dashboard under
//! `/admin` is a Leptos app in islands mode, where only interactive widgets ship
//! wasm.
pub mod app;
#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod audit;
pub mod auth;
pub mod cards;
pub mod demographics;
pub mod domain;
pub mod email;
pub mod health;
pub mod i18n;
pub mod insight;
pub mod labels;
pub mod meetings;
pub mod panels;
pub mod recruits;
pub mod respond;
pub mod retention;
pub mod roles;
pub mod scan;
pub mod settings;
pub mod signup;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod info;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod public;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod spreadsheet;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod tokens;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
