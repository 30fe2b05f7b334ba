//! See infra_lint::fuzzing::hcl_dir.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    infra_lint_fuzz::with_dir(|dir| {
        infra_lint::fuzzing::hcl_dir(dir, data);
    });
});
