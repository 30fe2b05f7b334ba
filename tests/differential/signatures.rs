//! The function list, from `terraform metadata functions -json`, so the generator covers
//! exactly what the terraform on PATH knows (a new release's functions included) and draws
//! well-typed arguments from the declared parameter types.
use serde_json::Value as J;
use std::process::Command;

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Num,
    Str,
    Bool,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>),
    /// `dynamic`: anything; the generator picks a shape.
    Any,
}

#[derive(Clone, Debug)]
pub struct Signature {
    pub name: String,
    pub params: Vec<(String, Ty)>,
    pub variadic: Option<(String, Ty)>,
    pub ret: Ty,
}

fn parse_ty(j: &J) -> Ty {
    match j {
        J::String(s) => match s.as_str() {
            "number" => Ty::Num,
            "string" => Ty::Str,
            "bool" => Ty::Bool,
            _ => Ty::Any,
        },
        J::Array(a) if a.len() == 2 => {
            let inner = Box::new(parse_ty(&a[1]));
            match a[0].as_str() {
                Some("list") => Ty::List(inner),
                Some("set") => Ty::Set(inner),
                Some("map") => Ty::Map(inner),
                _ => Ty::Any,
            }
        }
        _ => Ty::Any,
    }
}

/// Functions left out of generation, and why: their results differ on every call (so two
/// evaluations cannot be compared), or they need inputs no generated value can supply.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "timestamp",
        "a new value every call (and unknown at plan time)",
    ),
    ("uuid", "random"),
    ("bcrypt", "random salt"),
];

/// The terraform version line and every function (the `core::` aliases dropped: the
/// generator writes a `core::` prefix itself now and then), sorted by name so a seed
/// means the same cases for the same terraform.
pub fn load() -> (String, Vec<Signature>) {
    let out = Command::new("terraform")
        .args(["metadata", "functions", "-json"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `terraform` (it must be on PATH for the differential test): {e}")
        });
    assert!(out.status.success(), "terraform metadata functions failed");
    let doc: J = serde_json::from_slice(&out.stdout).expect("metadata functions JSON");
    let mut sigs: Vec<Signature> = doc["function_signatures"]
        .as_object()
        .expect("function_signatures")
        .iter()
        .filter(|(name, _)| !name.contains("::"))
        .filter(|(name, _)| !EXCLUDED.iter().any(|(n, _)| n == name))
        .map(|(name, s)| Signature {
            name: name.clone(),
            params: s["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p["name"].as_str().unwrap_or("").to_string(),
                                parse_ty(&p["type"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            variadic: s.get("variadic_parameter").map(|p| {
                (
                    p["name"].as_str().unwrap_or("").to_string(),
                    parse_ty(&p["type"]),
                )
            }),
            ret: parse_ty(&s["return_type"]),
        })
        .collect();
    sigs.sort_by(|a, b| a.name.cmp(&b.name));
    let version = Command::new("terraform")
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default();
    (version, sigs)
}
