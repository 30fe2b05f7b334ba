//! Rules about infra-lint's own suppression comments. Their findings come from the
//! suppression pass (`diag::suppress`), after every other rule has run.
pub mod suppression_without_reason;
pub mod unused_suppression;
