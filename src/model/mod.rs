//! The normalized model every source becomes and every rule reads.
pub mod address;
pub mod json;
pub mod number;
pub mod query;
pub mod resource;
pub mod value;

pub use number::Number;
pub use query::Target;
pub use resource::{
    Backend, Mode, Model, ModuleCall, Named, Origin, Provider, Reference, Resource, Variable, Via,
};
pub use value::{Cause, PathStep, Unknown, Value};
