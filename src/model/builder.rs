//! A test-only model builder: state-shaped and live-shaped models for rule and analysis unit
//! tests, without HCL. Values are written as JSON, as state and the account hold them.
use super::{Coverage, Identity, Mode, Model, Resource, Seen, SourceKind, Value};
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
        let (mode, rest) = match address.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, address),
        };
        let (base, key) = match rest.find('[') {
            Some(i) => (&rest[..i], Some(rest[i..].to_string())),
            None => (rest, None),
        };
        let (rtype, name) = base.split_once('.').expect("type.name");
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
        let origins = attributes
            .keys()
            .map(|k| {
                (
                    k.clone(),
                    super::Origin {
                        location: location.at_path(k),
                        via: Vec::new(),
                        constant: false,
                    },
                )
            })
            .collect();
        self.model.resources.push(Resource {
            address: address.to_string(),
            addr: super::Address::parse(address).expect("address"),
            mode,
            rtype: rtype.to_string(),
            name: name.to_string(),
            module: String::new(),
            key,
            attributes,
            origins,
            references: Vec::new(),
            span: None,
            block: None,
            written: Default::default(),
            seen: vec![Seen {
                kind: self.kind,
                location,
            }],
            identity,
            depends_on: Vec::new(),
        });
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
