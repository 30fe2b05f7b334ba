//! The normalized model every source becomes and every rule reads.
pub mod address;
#[cfg(test)]
pub mod builder;
pub mod json;
pub mod limits;
pub mod links;
pub mod merge;
pub mod number;
pub mod query;
pub mod resource;
pub mod secrets;
pub mod value;

pub use address::{Address, InstanceKey, ModuleStep};
pub use number::Number;
pub use query::{Follow, Target};
pub use resource::{
    Backend, Coverage, Identity, Layer, Mode, Model, ModuleCall, Named, NotEvaluated, Origin,
    Provider, Reference, Resource, Seen, SourceKind, Variable, Via, Written, WrittenAt,
};
pub use value::{Cause, Part, PathStep, Record, RecordKind, Seq, SeqKind, Unknown, Value};
