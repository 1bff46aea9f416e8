//! What the end-to-end tests and the benchmarks share: the binding store a run is tested on
//! ([`store_backend`]), the local AWS stack it may live on ([`local_stack`]), and a recorder of
//! every store call a run makes ([`observed_store`]).

pub mod local_stack;
pub mod observed_store;
pub mod store_backend;
