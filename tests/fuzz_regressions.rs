//! Replays every kept fuzz input through the fuzz targets' own entry code
//! (`infra_lint::fuzzing`, which fuzz/fuzz_targets/*.rs call): the crash reproducers under
//! fuzz/regressions/TARGET/ and the minimized corpus under fuzz/corpus/TARGET/. A panic in an
//! entry (a caught internal error included) fails the test; so does an input that takes too
//! long. scripts/fuzz.sh grows both folders; the README's "Fuzzing" section says how.
use infra_lint::fuzzing::{self, Outcome};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Far above what any kept input takes in a debug build (a few milliseconds to a few hundred):
/// only a hang or a blow-up passes it.
const BOUND: Duration = Duration::from_secs(10);

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files: Vec<PathBuf> = ["regressions", "corpus"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(fuzz.join(kind).join(target)).ok())
        .flatten()
        .map(|e| e.expect("listing fuzz inputs").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no inputs for fuzz target {target} under fuzz/corpus or fuzz/regressions"
    );
    files
}

/// Runs every input of `target`; `judge` checks each outcome.
fn replay(target: &str, entry: fn(&Path, &[u8]) -> Outcome, judge: fn(&Outcome) -> bool) {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let dir = scratch.path().join("root");
    for file in inputs(target) {
        let data = std::fs::read(&file).expect("reading a fuzz input");
        let start = Instant::now();
        let outcome = entry(&dir, &data);
        let took = start.elapsed();
        assert!(
            took < BOUND,
            "{}: took {took:?}, over {BOUND:?}",
            file.display()
        );
        assert!(judge(&outcome), "{}: {outcome:?}", file.display());
    }
}

/// The fixed configuration these targets check holds resources whatever the input: finding
/// none means the input silently emptied the model.
fn has_model(o: &Outcome) -> bool {
    o.resources > 0
}

#[test]
fn hcl_dir() {
    // Any directory, an empty one included, is a valid input: only panics and hangs fail.
    replay("hcl_dir", fuzzing::hcl_dir, |_| true);
}

#[test]
fn tfvars() {
    replay("tfvars", fuzzing::tfvars, has_model);
}

#[test]
fn state() {
    replay("state", fuzzing::state, has_model);
}

#[test]
fn plan() {
    replay("plan", fuzzing::plan, has_model);
}

#[test]
fn container_definitions() {
    replay(
        "container_definitions",
        fuzzing::container_definitions,
        has_model,
    );
}
