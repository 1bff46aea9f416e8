//! EWS XML: request documents and response parsing.

pub mod request;
pub mod response;
