//! The real Terraform fixtures under tests/real/ stay reproducible: this regenerates
//! `tests/real/minimal` end to end with `scripts/gen-state-fixtures.sh` (a real `terraform apply`
//! against the moto server that scripts/test.sh starts) into a temporary directory and compares
//! the new state with the committed `tests/real/minimal/terraform.tfstate`.
//!
//! IDs, ARNs, timestamps and generated names differ between runs, so the comparison is of shape:
//! the state format version, the set of resource instance addresses (module, mode, type, name,
//! index key), and for every instance its schema version and the keys of its attributes.
//!
//! Needs terraform on PATH (or `TERRAFORM`), the AWS provider 5.100.0 in the plugin directory
//! (`INFRA_LINT_TF_PLUGIN_DIR`, default /opt/tf-plugins) and a moto server at
//! `INFRA_LINT_TEST_ENDPOINT`. Without any of them the test fails; it never skips.
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const PROVIDER: &str = "registry.terraform.io/hashicorp/aws/5.100.0";
const REGENERATE: &str = "if the module or the provider changed on purpose, regenerate the \
                          committed file with `scripts/gen-state-fixtures.sh minimal`";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A resource instance address, as the state spells its parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Address {
    module: Option<String>,
    mode: String,
    kind: String,
    name: String,
    /// The index key as JSON (`0` and `"a"`), so a count index never equals a for_each key.
    index_key: Option<String>,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = &self.module {
            write!(f, "{m}.")?;
        }
        if self.mode == "data" {
            write!(f, "data.")?;
        } else if self.mode != "managed" {
            write!(f, "{}:", self.mode)?;
        }
        write!(f, "{}.{}", self.kind, self.name)?;
        if let Some(k) = &self.index_key {
            write!(f, "[{k}]")?;
        }
        Ok(())
    }
}

/// What the comparison keeps of one instance.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    schema_version: Option<u64>,
    attribute_keys: BTreeSet<String>,
}

struct State {
    version: Option<u64>,
    instances: BTreeMap<Address, Shape>,
}

fn read_state(path: &Path) -> State {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let field = |v: &Value, k: &str| -> String {
        v[k].as_str()
            .unwrap_or_else(|| panic!("{}: a resource without a string {k:?}", path.display()))
            .to_string()
    };
    let mut instances = BTreeMap::new();
    let resources = json["resources"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no \"resources\" array", path.display()));
    for r in resources {
        for i in r["instances"].as_array().into_iter().flatten() {
            let address = Address {
                module: r["module"].as_str().map(str::to_string),
                mode: field(r, "mode"),
                kind: field(r, "type"),
                name: field(r, "name"),
                index_key: i.get("index_key").map(Value::to_string),
            };
            let attribute_keys = i["attributes"]
                .as_object()
                .unwrap_or_else(|| panic!("{}: {address} has no attributes", path.display()))
                .keys()
                .cloned()
                .collect();
            let shape = Shape {
                schema_version: i["schema_version"].as_u64(),
                attribute_keys,
            };
            if instances.insert(address.clone(), shape).is_some() {
                panic!("{}: {address} appears twice", path.display());
            }
        }
    }
    State {
        version: json["version"].as_u64(),
        instances,
    }
}

/// Panics with a clear message unless terraform, the provider and the endpoint are there.
fn prerequisites() -> (String, String, PathBuf) {
    let terraform = std::env::var("TERRAFORM").unwrap_or_else(|_| "terraform".into());
    match Command::new(&terraform)
        .arg("version")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
    {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`{terraform} version` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "cannot run `{terraform}` ({e}): terraform must be on PATH (or set TERRAFORM) to \
             regenerate tests/real/minimal"
        ),
    }

    let plugin_dir = PathBuf::from(
        std::env::var("INFRA_LINT_TF_PLUGIN_DIR").unwrap_or_else(|_| "/opt/tf-plugins".into()),
    );
    assert!(
        plugin_dir.join(PROVIDER).is_dir(),
        "the provider plugin directory {} has no {PROVIDER}: install the AWS provider 5.100.0 \
         there or point INFRA_LINT_TF_PLUGIN_DIR at a directory that has it",
        plugin_dir.display()
    );

    let endpoint = match std::env::var("INFRA_LINT_TEST_ENDPOINT") {
        Ok(e) if !e.trim().is_empty() => e,
        _ => panic!(
            "INFRA_LINT_TEST_ENDPOINT is not set: run the tests with scripts/test.sh, which \
             starts a moto server and exports its URL (or export the URL of one you started)"
        ),
    };
    let authority = endpoint
        .split_once("://")
        .map_or(endpoint.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    let reachable = authority.to_socket_addrs().is_ok_and(|mut addrs| {
        addrs.any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
    });
    assert!(
        reachable,
        "nothing listens at INFRA_LINT_TEST_ENDPOINT={endpoint} (expected a moto server)"
    );
    (terraform, endpoint, plugin_dir)
}

#[test]
fn minimal_state_regenerates_with_the_same_shape() {
    let (terraform, endpoint, plugin_dir) = prerequisites();
    let committed_path = root().join("tests/real/minimal/terraform.tfstate");
    let committed = read_state(&committed_path);
    assert_eq!(committed.version, Some(4), "committed state format version");
    assert!(
        !committed.instances.is_empty(),
        "{} has no resource instances",
        committed_path.display()
    );

    let out = tempfile::tempdir().expect("tempdir");
    let run = Command::new("bash")
        .arg(root().join("scripts/gen-state-fixtures.sh"))
        .arg("--out-dir")
        .arg(out.path())
        .arg("minimal")
        .env("INFRA_LINT_TEST_ENDPOINT", &endpoint)
        .env("INFRA_LINT_TF_PLUGIN_DIR", &plugin_dir)
        .env("TERRAFORM", &terraform)
        .output()
        .expect("run bash scripts/gen-state-fixtures.sh");
    assert!(
        run.status.success(),
        "scripts/gen-state-fixtures.sh --out-dir {} minimal failed ({}):\n{}{}",
        out.path().display(),
        run.status,
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );

    let fresh = read_state(&out.path().join("minimal/terraform.tfstate"));
    assert_eq!(fresh.version, Some(4), "regenerated state format version");

    let list = |s: &BTreeSet<&Address>| {
        s.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let old: BTreeSet<&Address> = committed.instances.keys().collect();
    let new: BTreeSet<&Address> = fresh.instances.keys().collect();
    assert!(
        old == new,
        "resource addresses differ; only committed: [{}]; only regenerated: [{}]; {REGENERATE}",
        list(&old.difference(&new).copied().collect()),
        list(&new.difference(&old).copied().collect()),
    );

    let mut problems = Vec::new();
    for (address, was) in &committed.instances {
        let now = &fresh.instances[address];
        if was.schema_version != now.schema_version {
            problems.push(format!(
                "{address}: schema_version {:?} committed, {:?} regenerated",
                was.schema_version, now.schema_version
            ));
        }
        let missing: Vec<_> = was.attribute_keys.difference(&now.attribute_keys).collect();
        let extra: Vec<_> = now.attribute_keys.difference(&was.attribute_keys).collect();
        if !missing.is_empty() || !extra.is_empty() {
            problems.push(format!(
                "{address}: attribute keys only committed {missing:?}, only regenerated {extra:?}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the regenerated state differs from {}:\n  {}\n{REGENERATE}",
        committed_path.display(),
        problems.join("\n  ")
    );

    // infra-lint reads the fresh state with its configuration: every instance joins a
    // configuration resource, no input error.
    let module = root().join("tests/real/minimal");
    let fresh_path = out.path().join("minimal/terraform.tfstate");
    let check = Command::new(env!("CARGO_BIN_EXE_infra-lint"))
        .arg("check")
        .arg(&module)
        .args(["--format", "json", "--state"])
        .arg(&fresh_path)
        .output()
        .expect("run infra-lint");
    let json: Value = serde_json::from_slice(&check.stdout).expect("infra-lint JSON");
    assert_eq!(json["errors"], Value::Array(vec![]), "{json}");
    assert_eq!(
        json["summary"]["resources"].as_u64(),
        Some(fresh.instances.len() as u64),
        "every regenerated instance joins the configuration: {json}"
    );
}
