//! The integration tests: one binary (one link of candle), one builder
//! (`test::Test`) that runs the real `earnings-qa` in a temp dir, and one
//! rule for the data that lives outside the repo (`shared`). A new area
//! is a module here, not a file beside `integration/` (cargo makes each of
//! those a binary of its own, that links candle again).

mod test;

mod cache;
mod classify;
mod encoder;
mod finetune;
mod formats;
mod inputs;
mod labels;
mod model;
mod pty;
mod questions;
mod report;
mod review;
mod train;
mod transcripts;

use std::path::{Path, PathBuf};

/// The repo's root (its `corpus/`, `labels/`, `models/`).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/REL`, the real corpus and the encoders' references that are
/// never copied into the repo. Where it is missing, a test fails in CI
/// (`$CI` set: `.ci/run`) and is skipped elsewhere, saying so on the
/// terminal (past the test harness's capture, which would hide it).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(rel);
    if path.exists() {
        return Some(path);
    }
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {} not found, and CI runs every test",
        path.display()
    );
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped {test}: {} not found", path.display());
    None
}

/// The shared corpus: `manifest.csv` and `sources/`.
pub fn corpus() -> Option<PathBuf> {
    shared("corpus")
}

/// `../shared/corpus/sources/REL` (a file missing from a corpus that is
/// there fails the test that reads it).
pub fn source(rel: &str) -> Option<PathBuf> {
    corpus().map(|c| c.join("sources").join(rel))
}

/// One file of the corpus's `manifest.csv`.
pub struct Listed {
    /// Under the corpus folder.
    pub path: String,
    pub layout: String,
    /// `train`, `dev` or `heldout` (never read to craft, label, train or tune).
    pub split: String,
}

pub fn manifest(corpus: &Path) -> Vec<Listed> {
    let text = std::fs::read_to_string(corpus.join("manifest.csv")).expect("the corpus's manifest.csv");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.trim_end().split(',').collect();
            Listed {
                path: cols[0].to_owned(),
                layout: cols[2].to_owned(),
                split: cols[cols.len() - 1].to_owned(),
            }
        })
        .collect()
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
