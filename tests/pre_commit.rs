//! The hooks of `.pre-commit-hooks.yaml`, installed and run by the real pre-commit in a scratch
//! git repository, the way a user's repository runs them.
//!
//! pre-commit installs hooks from a commit, never from a work tree: the scratch repository's
//! configuration names this checkout at the commit of HEAD, so uncommitted changes (to the hooks
//! file or to the source it builds) are not what runs. The test refuses a hooks file that differs
//! from HEAD rather than test the committed one silently.
//!
//! Installing means `cargo install` of this whole crate, AWS SDK included (pre-commit builds the
//! default features in the release profile). To keep that bearable, the test keeps pre-commit's
//! home and the build's target directory under `target/tmp/pre-commit/`: a rerun at the same
//! commit reuses the installed hook, one at a new commit rebuilds only infra-lint itself, and the
//! release profile is turned into a quick one through cargo's environment (pre-commit passes the
//! environment through to cargo). This is a cargo build inside a test: nextest runs it after every
//! test binary is built, so it never overlaps another build of this repository. On the 2-core
//! machine (2026-12-02) the install took 6 min 37 s and 7 min 15 s cold (a fresh clone, as in
//! CI), 19 s at a new commit and 0.3 s at the same commit. The release profile's incremental
//! mode stays off: each commit is a new clone at a new path, so there is nothing for it to reuse.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const FAILING_DB: &str = r#"resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 7
  skip_final_snapshot         = true
  publicly_accessible         = true
}
"#;

/// A second root module, at the repository's top, with nothing to find: the hook gets both
/// roots' files in one call.
const CLEAN_ROOT: &str = r#"variable "environment" {
  type    = string
  default = "staging"
}

output "environment" {
  value = var.environment
}
"#;

fn pre_commit() -> PathBuf {
    match std::env::var_os("INFRA_LINT_PRE_COMMIT") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "INFRA_LINT_PRE_COMMIT is not set: run the tests through ./scripts/test.sh, which \
             installs pre-commit into .venv, or set it to a pre-commit executable \
             (pip install pre-commit==4.7.0)"
        ),
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = clean(Command::new("git"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git is on PATH");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A command without what a surrounding git hook, pre-commit run or developer shell would leak
/// into it: git's repository variables (a test run from a hook would act on the outer
/// repository), pre-commit's SKIP, and TF_VAR_ values.
fn clean(mut c: Command) -> Command {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("GIT_") || k.starts_with("PRE_COMMIT") || k.starts_with("TF_VAR_") {
            c.env_remove(&*k);
        }
    }
    c.env_remove("SKIP");
    c
}

struct Scratch {
    dir: tempfile::TempDir,
    home: PathBuf,
    target: PathBuf,
}

impl Drop for Scratch {
    /// While this configuration still exists, gc keeps its hook and drops those of earlier runs
    /// (other commits), so the persistent home holds one build, not one per commit tested. Also
    /// after a failed run: a failure must not make the home grow.
    fn drop(&mut self) {
        let (ok, out) = self.pre_commit(&["gc"]);
        if !ok {
            eprintln!("pre-commit gc failed: {out}");
        }
    }
}

impl Scratch {
    fn new(checkout: &Path, rev: &str) -> Scratch {
        let persistent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit");
        let home = persistent.join("home");
        let target = persistent.join("target");
        std::fs::create_dir_all(&home).unwrap();
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "--quiet"]);
        std::fs::write(
            dir.path().join(".pre-commit-config.yaml"),
            format!(
                "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: infra-lint\n      - id: infra-lint-fix\n",
                checkout.display()
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("main.tf"), CLEAN_ROOT).unwrap();
        std::fs::create_dir_all(dir.path().join("db")).unwrap();
        std::fs::write(dir.path().join("db/main.tf"), FAILING_DB).unwrap();
        std::fs::write(dir.path().join("README.md"), "not Terraform\n").unwrap();
        git(dir.path(), &["add", "--all"]);
        Scratch { dir, home, target }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn pre_commit(&self, args: &[&str]) -> (bool, String) {
        let mut c = clean(Command::new(pre_commit()));
        // What cargo sets for a running test must not reach the hook's build: ring's build
        // script reruns when CARGO_MANIFEST_DIR or CARGO_PKG_* change, and with it rustls and
        // every AWS SDK crate (measured: 346 s instead of a rebuild of infra-lint alone).
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k.starts_with("CARGO_PKG_")
                || k.starts_with("CARGO_BIN_")
                || k.starts_with("NEXTEST")
                || [
                    "CARGO",
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "CARGO_RUSTC_CURRENT_DIR",
                ]
                .contains(&&*k)
            {
                c.env_remove(&*k);
            }
        }
        c.current_dir(self.path())
            .args(args)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PRE_COMMIT_COLOR", "never")
            .env("CARGO_TARGET_DIR", &self.target)
            // A hook binary built fast instead of optimized: it checks two small files.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256");
        let out = c.output().unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): run ./scripts/test.sh, which installs pre-commit",
                pre_commit().display()
            )
        });
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    fn run_hook(&self, id: &str) -> (bool, String) {
        self.pre_commit(&["run", id, "--all-files"])
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
        git(self.path(), &["add", name]);
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap()
    }
}

#[test]
fn hooks_install_with_cargo_and_fail_then_pass_and_fix() {
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rev = git(&checkout, &["rev-parse", "HEAD"]);
    let changed = git(
        &checkout,
        &["status", "--porcelain", "--", ".pre-commit-hooks.yaml"],
    );
    assert!(
        changed.is_empty(),
        ".pre-commit-hooks.yaml differs from HEAD ({changed}); pre-commit installs hooks from \
         commits only, so commit it to test it"
    );
    let repo = Scratch::new(&checkout, &rev);

    let started = Instant::now();
    let (installed, out) = repo.pre_commit(&["install-hooks"]);
    let took = started.elapsed();
    assert!(installed, "pre-commit install-hooks failed:\n{out}");
    let built = out.contains("Installing environment");
    eprintln!(
        "pre-commit install-hooks: {:.1} s ({})",
        took.as_secs_f64(),
        if built {
            "cargo install of this commit"
        } else {
            "hook already installed for this commit"
        }
    );

    // The database is public: the hook fails with the finding, by findings (exit 1), not
    // by a usage error (exit 2) from the file names pre-commit passes.
    let (ok, out) = repo.run_hook("infra-lint");
    assert!(!ok, "the hook must fail on a public database:\n{out}");
    assert!(out.contains("RDS001"), "the finding is shown:\n{out}");
    assert!(
        out.contains("- exit code: 1"),
        "findings, not an error:\n{out}"
    );

    // Fixed by hand, staged: the hook passes.
    repo.write("db/main.tf", &FAILING_DB.replace("= true\n}", "= false\n}"));
    let (ok, out) = repo.run_hook("infra-lint");
    assert!(
        ok,
        "the hook must pass once the database is private:\n{out}"
    );
    assert!(out.contains("Passed"), "{out}");

    // The fix variant rewrites the file: pre-commit fails the run because the hook changed
    // files, though infra-lint itself found nothing left; once staged, the next run passes.
    repo.write("db/main.tf", FAILING_DB);
    let (ok, out) = repo.run_hook("infra-lint-fix");
    assert!(!ok, "a hook that modifies files fails the run:\n{out}");
    assert!(out.contains("files were modified by this hook"), "{out}");
    assert!(
        !out.contains("- exit code:"),
        "nothing left after the fix:\n{out}"
    );
    let fixed = repo.read("db/main.tf");
    assert!(
        fixed.contains("publicly_accessible         = false"),
        "the safe fix is applied:\n{fixed}"
    );
    assert_eq!(
        fixed,
        FAILING_DB.replace("= true\n}", "= false\n}"),
        "only the offending value changes"
    );
    git(repo.path(), &["add", "db/main.tf"]);
    let (ok, out) = repo.run_hook("infra-lint-fix");
    assert!(ok, "nothing to fix on the second run:\n{out}");
    let (ok, out) = repo.run_hook("infra-lint");
    assert!(ok, "{out}");
}

/// README.md's pre-commit configuration names hooks this repository declares (cheap: no
/// pre-commit, no build).
#[test]
fn readme_configuration_names_declared_hooks() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let hooks = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    let hooks = &yaml_rust2::YamlLoader::load_from_str(&hooks).unwrap()[0];
    let declared: Vec<&str> = hooks
        .as_vec()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(declared, ["infra-lint", "infra-lint-fix"]);
    for h in hooks.as_vec().unwrap() {
        assert_eq!(
            h["language"].as_str(),
            Some("rust"),
            "installs itself with cargo"
        );
        assert_eq!(h["require_serial"].as_bool(), Some(true));
        let files = regex::Regex::new(h["files"].as_str().unwrap()).unwrap();
        for name in [
            "main.tf",
            "x.tf.json",
            "terraform.tfvars",
            "a.auto.tfvars.json",
        ] {
            assert!(files.is_match(name), "{name}");
        }
        for name in [
            "main.tf.bak",
            "README.md",
            "infra-lint.toml",
            "terraform.tfstate",
        ] {
            assert!(!files.is_match(name), "{name}");
        }
    }

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme.find("### pre-commit").unwrap()..];
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = section[start..].find("```").unwrap() + start;
    let config = &yaml_rust2::YamlLoader::load_from_str(&section[start..end]).unwrap()[0];
    let repo = &config["repos"][0];
    assert_eq!(
        repo["repo"].as_str(),
        Some("https://github.com/infra-lint/infra-lint")
    );
    for hook in repo["hooks"].as_vec().unwrap() {
        let id = hook["id"].as_str().unwrap();
        assert!(declared.contains(&id), "README.md names hook {id}");
    }
    // The commented-out variant too.
    assert!(section[start..end].contains("id: infra-lint-fix"));
}
