//! The review mode: analysts audit and correct labels one key a question.
//!
//! `queue` picks and orders the questions, `session` keeps the reviewer's
//! place and writes each decision to the annotator's labels file before the
//! next question shows, `app` turns keys into session steps, `ui` draws the
//! screen and `summary` says what a session changed. The binary owns the
//! terminal and the event loop.

pub mod app;
pub mod queue;
pub mod session;
mod summary;
pub mod ui;

pub use app::{App, Mode};
pub use queue::{items, order, Item, Order};
pub use session::{Changes, Session, Shown, Tally};
