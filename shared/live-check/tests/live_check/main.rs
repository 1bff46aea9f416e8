//! The live check over real sockets: the EWS simulator on 127.0.0.1 (HTTPS with its generated
//! certificate), a TLS/HTTP front for certificates, Basic-only servers and sign-in pages, and
//! closed or silent ports.

// Test helpers fail the test on unexpected data; that is what a panic is for here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account;
mod network;
mod support;
mod version;
