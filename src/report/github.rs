//! `--format github` (being written).
