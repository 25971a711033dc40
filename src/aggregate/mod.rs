//! Labeled questions to company x quarter counts: one copy of each call,
//! share classes merged, human labels over model labels, and every share
//! estimated with a 95% interval (`estimate`: a call holds only 6 to 20
//! questions, so a share alone says little about how far it could move).
//!
//! Two steps, so that the model only sees questions that will be counted:
//! `Selection::new` picks the calls (companies, quarters, one copy of
//! each) from questions that carry at most a human label (`Pending`);
//! `Summary::new` counts a selection whose every question has a label
//! (`Labeled`). Nothing here knows where model labels come from.

mod dedup;
mod select;
mod summary;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::call::{CallId, FiscalPeriod};
use crate::labels::{Human, Journal, Label, Probs};
use crate::question::Question;

pub use dedup::{dedup, Distinct, Duplicate, SkippedCopy, SAME_CALL_TRIGRAMS};
pub use select::{Counted, Filter, GroupBy, Selection};
pub use summary::{Cell, Row, Share, Summary, TOTAL_COMPANY, TOTAL_TICKER};

/// One line of `earnings-qa classify`: a question with the model's label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classified {
    #[serde(flatten)]
    pub question: Question,
    pub label: Label,
    pub probs: Probs,
}

/// A question with the label the report counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Labeled {
    pub question: Question,
    pub label: Label,
    /// True where the label is a human decision from `labels/`.
    pub human: bool,
    /// The model's probabilities, where the model was asked (here or by `classify`).
    pub probs: Option<Probs>,
}

/// A question before counting: the human label if one applies, and the
/// model's label and probabilities if `classify` already gave them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub question: Question,
    pub human: Option<Label>,
    pub model: Option<(Label, Probs)>,
}

impl Pending {
    /// True when neither a human nor an earlier run has labeled it.
    pub fn needs_model(&self) -> bool {
        self.human.is_none() && self.model.is_none()
    }

    /// The human label if there is one, else the model's, asking `model`
    /// for its probabilities only when no earlier run gave them.
    pub fn label(self, model: impl FnOnce() -> Probs) -> Labeled {
        let (label, human, probs) = match (self.human, self.model) {
            (Some(label), m) => (label, true, m.map(|m| m.1)),
            (None, Some((label, probs))) => (label, false, Some(probs)),
            (None, None) => {
                let probs = model();
                (probs.argmax(), false, Some(probs))
            }
        };
        Labeled {
            question: self.question,
            label,
            human,
            probs,
        }
    }
}

/// What choosing among copies of a call needs to know of a question.
pub trait Reviewed {
    fn question(&self) -> &Question;
    fn human(&self) -> bool;
}

impl Reviewed for Labeled {
    fn question(&self) -> &Question {
        &self.question
    }
    fn human(&self) -> bool {
        self.human
    }
}

impl Reviewed for Pending {
    fn question(&self) -> &Question {
        &self.question
    }
    fn human(&self) -> bool {
        self.human.is_some()
    }
}

/// Looks up each question's human label (`Journal::human`). `model` is a
/// label `classify` gave earlier, if any. Also returns the ids whose
/// decision was set aside because the text has changed since.
pub fn review(
    questions: impl IntoIterator<Item = (Question, Option<(Label, Probs)>)>,
    journal: &Journal,
) -> (Vec<Pending>, Vec<String>) {
    let mut stale = Vec::new();
    let pending = questions
        .into_iter()
        .map(|(question, model)| {
            let human = match journal.human(&question) {
                Human::Label(label) => Some(label),
                Human::Changed => {
                    stale.push(question.id.clone());
                    None
                }
                Human::None => None,
            };
            Pending { question, human, model }
        })
        .collect();
    (pending, stale)
}

/// One call as one input file gave it, with its questions.
#[derive(Debug, Clone, PartialEq)]
pub struct CallQuestions<Q = Labeled> {
    /// As its questions give it; `canonical_ticker` merges share classes.
    pub id: CallId,
    pub source: String,
    pub questions: Vec<Q>,
}

impl<Q> CallQuestions<Q> {
    /// The same call with each question turned into an `R`.
    pub fn map<R>(self, f: impl FnMut(Q) -> R) -> CallQuestions<R> {
        CallQuestions {
            id: self.id,
            source: self.source,
            questions: self.questions.into_iter().map(f).collect(),
        }
    }
}

impl<Q: Reviewed> CallQuestions<Q> {
    /// Groups questions into calls by source file and call, in first-seen order.
    pub fn group(questions: Vec<Q>) -> Vec<CallQuestions<Q>> {
        let mut calls: Vec<CallQuestions<Q>> = Vec::new();
        let mut index: HashMap<(String, String, Option<FiscalPeriod>), usize> = HashMap::new();
        for l in questions {
            let q = l.question();
            let key = (q.source.clone(), q.call.ticker.clone(), q.call.fiscal_period);
            let i = *index.entry(key).or_insert_with(|| {
                calls.push(CallQuestions {
                    id: q.call.clone(),
                    source: q.source.clone(),
                    questions: Vec::new(),
                });
                calls.len() - 1
            });
            calls[i].questions.push(l);
        }
        calls
    }
}
