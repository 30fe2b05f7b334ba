//! `--format sarif` (being written).
