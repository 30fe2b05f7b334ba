//! The table of the AWS provider's secret attributes (`model::secrets::SECRET_ATTRIBUTES`)
//! is the provider's own: every attribute its schema flags `sensitive`, regenerated from the
//! installed provider by `scripts/gen-secret-table.sh` and compared row for row. Fails (never
//! skips) when terraform or the provider plugin directory is missing.
use infra_lint::model::secrets::SECRET_ATTRIBUTES;
use infra_lint::model::Mode;
use std::process::Command;

#[test]
fn secret_attributes_are_the_provider_schema_sensitive_attributes() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/gen-secret-table.sh");
    let out = Command::new("bash")
        .arg(script)
        .output()
        .expect("run scripts/gen-secret-table.sh");
    assert!(
        out.status.success(),
        "scripts/gen-secret-table.sh failed (terraform on PATH and the AWS provider in \
         INFRA_LINT_TF_PLUGIN_DIR or /opt/tf-plugins are needed):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = String::from_utf8(out.stdout).unwrap();
    let have: String = SECRET_ATTRIBUTES
        .iter()
        .map(|(mode, t, paths)| {
            let mode = match mode {
                Mode::Managed => "Managed",
                Mode::Data => "Data",
            };
            let paths: Vec<String> = paths
                .iter()
                .map(|p| {
                    let steps: Vec<String> = p.iter().map(|s| format!("{s:?}")).collect();
                    format!("&[{}]", steps.join(", "))
                })
                .collect();
            format!("    (Mode::{mode}, {t:?}, &[{}]),\n", paths.join(", "))
        })
        .collect();
    assert!(want.lines().count() > 100, "{want}");
    assert_eq!(
        have, want,
        "SECRET_ATTRIBUTES differs from the provider's schema; regenerate it with scripts/gen-secret-table.sh"
    );
}
