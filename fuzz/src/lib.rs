//! What the fuzz targets share beyond `infra_lint::fuzzing`: the directory their inputs are
//! written to.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Runs `f` with this process's scratch directory: `$INFRA_LINT_FUZZ_DIR` (scripts/fuzz.sh
/// points it at a tmpfs), else one under the system's temporary directory. One directory,
/// reused by every iteration.
pub fn with_dir(f: impl FnOnce(&Path)) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let base = std::env::var_os("INFRA_LINT_FUZZ_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        base.join(format!("infra-lint-fuzz-{}", std::process::id()))
    });
    f(dir);
}
