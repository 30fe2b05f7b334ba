//! `--format junit` (being written).
