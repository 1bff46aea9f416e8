//! The settings API over HTTP: the router served on 127.0.0.1, called with reqwest, over the
//! embedded store and file secrets in a temporary directory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports failure"
)]

mod auth;
mod openapi;
mod settings;
mod status;
mod support;
mod validate;
