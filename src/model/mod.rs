//! The normalized model every source becomes and every rule reads.
pub mod number;
pub mod value;

pub use number::Number;
pub use value::{Cause, PathStep, Unknown, Value};
