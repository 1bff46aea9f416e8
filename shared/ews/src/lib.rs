//! EWS client.
