//! The label set and the journal of human decisions under `labels/`.
//!
//! A journal is JSON Lines, one decision a line, appended to and never
//! rewritten, so no label an analyst entered is lost. Files hold ids and
//! text hashes, never transcript text.

mod append;
mod journal;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::question::{text_hash, Question};

/// Read through `FromStr`, so that an unknown label says which ones are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Label {
    Profitability,
    Investment,
    Other,
}

impl Label {
    /// In the order of the head's outputs and of every table.
    pub const ALL: [Label; 3] = [Label::Profitability, Label::Investment, Label::Other];

    pub fn name(self) -> &'static str {
        match self {
            Label::Profitability => "profitability",
            Label::Investment => "investment",
            Label::Other => "other",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Label::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| format!("unknown label {s:?} (expected profitability, investment or other)"))
    }
}

impl TryFrom<String> for Label {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The model's probabilities, one per label; they sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Probs {
    pub profitability: f32,
    pub investment: f32,
    pub other: f32,
}

impl Probs {
    pub fn from_array(p: [f32; 3]) -> Self {
        Probs {
            profitability: p[0],
            investment: p[1],
            other: p[2],
        }
    }

    pub fn as_array(&self) -> [f32; 3] {
        [self.profitability, self.investment, self.other]
    }

    /// The most probable label.
    pub fn argmax(&self) -> Label {
        let p = self.as_array();
        let mut best = 0;
        for i in 1..3 {
            if p[i] > p[best] {
                best = i;
            }
        }
        Label::ALL[best]
    }
}

/// The annotator name of decisions that settle disagreements.
pub const ADJUDICATOR: &str = "adjudicator";

/// The labels folder used where none is named: `$EARNINGS_QA_LABELS` when
/// set (an explicit choice, returned even if missing); else `./labels` or,
/// failing that, the `labels/` of the source tree the binary was built
/// from, as `model::locate` finds models, so that a report is the same
/// from any folder. `None` where there is none.
pub fn locate() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("EARNINGS_QA_LABELS") {
        return Some(PathBuf::from(dir));
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("labels");
    [PathBuf::from("labels"), built].into_iter().find(|d| d.is_dir())
}

/// One annotator's decision about one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: String,
    /// `question::text_hash` of the text the annotator saw.
    pub text_hash: String,
    pub label: Label,
    pub annotator: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Marked for discussion (review's `f`); the label still counts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flag: bool,
    /// Set on a line that withdraws an earlier decision (review's `u`): the
    /// `at` of the decision withdrawn. Such a line is no decision itself.
    /// Its `label` is the annotator's label once the decision is withdrawn
    /// (the withdrawn one if there is none), which is what readers that
    /// predate this field take as the latest decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<DateTime<Utc>>,
}

pub use append::Appender;
pub use journal::{BadLine, Journal, LabelsError, Origin};

/// Final labels matched to the questions they name.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Each labeled question once, with its final label, in question order.
    pub labeled: Vec<(Question, Label)>,
    /// Ids with a decision but no question among those given, sorted.
    pub unknown: Vec<String>,
    /// Ids whose question text no longer hashes to what the annotator saw.
    pub changed: Vec<String>,
}

/// What the journal says of one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Human {
    /// The final decision for its id, made on the same text (same text hash).
    Label(Label),
    /// A decision made on another text: the question changed since, so it is set aside.
    Changed,
    /// No decision.
    None,
}

impl Journal {
    /// The human label of `q`, if a decision applies to its current text.
    pub fn human(&self, q: &Question) -> Human {
        match self.final_decision(&q.id) {
            Some(d) if d.text_hash == text_hash(&q.text) => Human::Label(d.label),
            Some(_) => Human::Changed,
            None => Human::None,
        }
    }
}

/// Matches the journal's final decisions to `questions` (the same call
/// read from two sources gives the same id; it is counted once).
pub fn resolve(journal: &Journal, questions: &[Question]) -> Resolved {
    let mut out = Resolved::default();
    let mut seen = HashSet::new();
    for q in questions {
        if !seen.insert(q.id.as_str()) {
            continue;
        }
        match journal.human(q) {
            Human::Label(label) => out.labeled.push((q.clone(), label)),
            Human::Changed => out.changed.push(q.id.clone()),
            Human::None => {}
        }
    }
    out.unknown = journal
        .ids()
        .into_iter()
        .filter(|id| !seen.contains(id))
        .map(str::to_owned)
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(id: &str, text: &str) -> Question {
        Question {
            id: id.into(),
            ..crate::question::fixture("ACME", "FY2025 Q1", text, "acme.txt")
        }
    }

    #[test]
    fn resolve_matches_ids_and_reports_unknown_and_changed_ones() {
        let mut j = Journal::default();
        for (id, text) in [
            ("q1", "How is capex trending?"),
            ("q2", "What about margins?"),
            ("gone", "x"),
        ] {
            j.add(Decision {
                id: id.into(),
                text_hash: text_hash(text),
                ..journal::tests::decision("a", Label::Investment, 1)
            });
        }
        let questions = [
            question("q1", "How is CAPEX trending"),
            question("q1", "How is capex trending?"),
            question("q2", "What about buybacks?"),
            question("q3", "Unlabeled."),
        ];
        let r = resolve(&j, &questions);
        assert_eq!(r.labeled.len(), 1, "a repeated id counts once");
        assert_eq!((r.labeled[0].0.id.as_str(), r.labeled[0].1), ("q1", Label::Investment));
        assert_eq!(r.changed, ["q2"]);
        assert_eq!(r.unknown, ["gone"]);
    }

    #[test]
    fn labels_parse_by_name() {
        assert_eq!("other".parse::<Label>().unwrap(), Label::Other);
        assert!("capex".parse::<Label>().is_err());
    }

    #[test]
    fn new_fields_are_optional_and_left_out_when_unset() {
        let old = r#"{"id": "q", "text_hash": "h", "label": "other", "annotator": "a", "at": "2026-01-01T00:00:00Z"}"#;
        let d: Decision = serde_json::from_str(old).unwrap();
        assert!(!d.flag && d.undoes.is_none());
        let line = serde_json::to_string(&d).unwrap();
        assert!(!line.contains("flag") && !line.contains("undoes"), "{line}");
    }
}
