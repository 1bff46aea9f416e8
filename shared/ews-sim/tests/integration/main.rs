//! Integration tests: the simulator over real sockets (reqwest, raw TCP, an independent NTLM client).

// Test helpers fail the test on unexpected data; that is what a panic is for here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod changekeys;
mod cli;
mod common;
mod exchangelib;
mod faults;
mod operations;
mod recurrence;
mod samples;
mod sync;
mod tls;
mod versions;
