//! earnings-qa: earnings-call transcripts in, analyst questions out, each
//! classified as `profitability`, `investment` or `other`, counted by
//! company and quarter.
//!
//! The pipeline, one module a stage:
//! `ingest` (bytes -> `Call`) -> `segment` (calls -> `Question`s) ->
//! `period` (fiscal label -> calendar quarter, both typed in `quarter`) -> `model` (questions ->
//! probabilities) -> `labels` (human decisions merged over the model) ->
//! `aggregate` (company x quarter counts) -> `report` (table, CSV, JSON, chart).
//! `lexicon` holds the words and patterns `ingest` and `segment` read
//! transcripts by. `pipeline` strings the stages together for every
//! subcommand, returning what it found (questions, diagnostics, counts) for
//! the binary to print;
//! `review` is the terminal mode that appends analysts' decisions to `labels`.

pub mod aggregate;
pub mod call;
pub mod estimate;
pub mod ingest;
pub mod labels;
pub mod lexicon;
pub mod model;
pub mod period;
pub mod pipeline;
pub mod quarter;
pub mod question;
pub mod report;
pub mod review;
pub mod segment;
