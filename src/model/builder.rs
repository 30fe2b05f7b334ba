//! A test-only model builder: state-shaped and live-shaped models for rule and analysis unit
//! tests, without HCL. Values are written as JSON, as state and the account hold them.
use super::{Address, Coverage, Identity, Model, Resource, Seen, SourceKind, Value};
use crate::source::Location;

pub struct ModelBuilder {
    model: Model,
    kind: SourceKind,
}

impl ModelBuilder {
    /// Resources as a Terraform state holds them (`terraform.tfstate`).
    pub fn state() -> ModelBuilder {
        ModelBuilder::of(SourceKind::State)
    }
    /// Resources as the live account reports them, normalized to Terraform names.
    pub fn live() -> ModelBuilder {
        ModelBuilder::of(SourceKind::Live)
    }
    fn of(kind: SourceKind) -> ModelBuilder {
        let mut model = Model::default();
        model.loaded.insert(kind);
        ModelBuilder { model, kind }
    }

    /// Adds a managed resource at a root-module address (`aws_subnet.a`, `aws_subnet.a[0]`,
    /// `data.aws_iam_policy.p`) with its attributes.
    pub fn resource(mut self, address: &str, attributes: serde_json::Value) -> ModelBuilder {
        let addr = Address::parse(address).expect("a resource address");
        let attributes = match super::json::from_json(&attributes) {
            Value::Map(m) => m,
            v => panic!("attributes must be an object, got {v:?}"),
        };
        let text = |k: &str| attributes.get(k).and_then(Value::as_str).map(String::from);
        let identity = Identity {
            id: text("id"),
            arn: text("arn"),
        };
        let location = match self.kind {
            SourceKind::Live => Location::Live {
                arn: identity
                    .arn
                    .clone()
                    .or(identity.id.clone())
                    .unwrap_or_default(),
                path: String::new(),
            },
            _ => Location::State {
                file: "terraform.tfstate".into(),
                address: address.to_string(),
                path: String::new(),
            },
        };
        let mut r = Resource::from_address(
            &addr,
            Seen {
                kind: self.kind,
                location: location.clone(),
            },
        );
        r.set_attributes_at(&attributes, &location);
        r.identity = identity;
        self.model.resources.push(r);
        self
    }

    /// Marks a resource type as not readable by the source (an AccessDenied scan).
    pub fn not_readable(mut self, rtype: &str, reason: &str) -> ModelBuilder {
        self.model
            .coverage
            .insert(rtype.to_string(), Coverage::NotReadable(reason.to_string()));
        self
    }

    pub fn build(self) -> Model {
        self.model
    }
}
