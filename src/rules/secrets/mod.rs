//! Secrets written in the configuration.
pub mod plaintext_secret;
