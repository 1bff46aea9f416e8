//! Test support for driving the client over real sockets: a scripted HTTP/1.1 server on
//! 127.0.0.1 (plain or TLS) with test certificates (`server`, also used by the end-to-end
//! hostile-server tests), and an NTLM acceptor (`ntlm`).

// Each test binary uses part of this module; unwraps in test code are assertions.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod ntlm;
mod server;

pub use server::*;
