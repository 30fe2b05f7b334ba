//! The normalized model every source becomes and every rule reads.
pub mod number;
pub mod resource;
pub mod value;

pub use number::Number;
pub use resource::{
    Backend, Mode, Model, ModuleCall, Named, Origin, Provider, Reference, Resource, Variable, Via,
};
pub use value::{Cause, PathStep, Unknown, Value};
