//! `--format markdown` (being written).
