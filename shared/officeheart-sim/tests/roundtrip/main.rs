//! Client ⇄ simulator over real sockets, and the contract drift check.

// In a test a panic is the failure report; the workspace lint is for code that handles outside data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod drift;
mod faults;
mod fixture;
mod operations;
mod series;
