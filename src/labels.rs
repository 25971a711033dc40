//! The label set and the journal of human decisions under `labels/`.
//!
//! A journal is JSON Lines, one decision a line, appended to and never
//! rewritten, so no label an analyst entered is lost. Files hold ids and
//! text hashes, never transcript text.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::question::{text_hash, Question};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
}

#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: not a label decision: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Every decision in a labels folder (or file), with the rules that turn
/// them into one final label per question.
#[derive(Debug, Default, Clone)]
pub struct Journal {
    /// Per question id, per annotator: that annotator's latest decision.
    current: HashMap<String, HashMap<String, Decision>>,
}

impl Journal {
    /// Reads every `*.jsonl` file under `path` (or `path` itself if it is a
    /// file). A missing folder is an empty journal.
    pub fn load(path: &Path) -> Result<Journal, LabelsError> {
        let mut journal = Journal::default();
        if !path.exists() {
            return Ok(journal);
        }
        let mut files = Vec::new();
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| LabelsError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            for entry in entries {
                let p = entry
                    .map_err(|source| LabelsError::Io {
                        path: path.to_path_buf(),
                        source,
                    })?
                    .path();
                if p.extension().is_some_and(|e| e == "jsonl") {
                    files.push(p);
                }
            }
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| LabelsError::Io {
                path: file.clone(),
                source,
            })?;
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let d: Decision = serde_json::from_str(line).map_err(|e| LabelsError::Parse {
                    path: file.clone(),
                    line: n + 1,
                    message: e.to_string(),
                })?;
                journal.add(d);
            }
        }
        Ok(journal)
    }

    /// Later decisions (by time, then by reading order) override earlier
    /// ones of the same annotator for the same question.
    pub fn add(&mut self, d: Decision) {
        let per_id = self.current.entry(d.id.clone()).or_default();
        match per_id.get(&d.annotator) {
            Some(old) if old.at > d.at => {}
            _ => {
                per_id.insert(d.annotator.clone(), d);
            }
        }
    }

    /// The final decision for a question: the most recent of its
    /// annotators' current decisions, so an adjudication or a correction
    /// made in review wins over the passes it settles.
    pub fn final_decision(&self, id: &str) -> Option<&Decision> {
        self.current
            .get(id)?
            .values()
            .max_by(|a, b| a.at.cmp(&b.at).then(a.annotator.cmp(&b.annotator)))
    }

    /// Each annotator's current decision for a question.
    pub fn decisions(&self, id: &str) -> impl Iterator<Item = &Decision> {
        self.current.get(id).into_iter().flat_map(|m| m.values())
    }

    /// Every pair of independent decisions about one question (any two
    /// annotators but the adjudicator, who sees the others' labels), the
    /// annotators of a pair in name order: what inter-annotator agreement
    /// is measured on.
    pub fn independent_pairs(&self) -> Vec<(Label, Label)> {
        let mut pairs = Vec::new();
        for id in self.ids() {
            let mut ds: Vec<&Decision> = self.decisions(id).filter(|d| d.annotator != ADJUDICATOR).collect();
            ds.sort_by(|a, b| a.annotator.cmp(&b.annotator));
            for (i, a) in ds.iter().enumerate() {
                pairs.extend(ds[i + 1..].iter().map(|b| (a.label, b.label)));
            }
        }
        pairs
    }

    /// Ids with at least one decision, sorted.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.current.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    pub fn len(&self) -> usize {
        self.current.len()
    }

    pub fn is_empty(&self) -> bool {
        self.current.is_empty()
    }
}

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

/// Matches the journal's final decisions to `questions` (the same call
/// read from two sources gives the same id; it is counted once).
pub fn resolve(journal: &Journal, questions: &[Question]) -> Resolved {
    let mut out = Resolved::default();
    let mut seen = HashSet::new();
    for q in questions {
        if !seen.insert(q.id.as_str()) {
            continue;
        }
        if let Some(d) = journal.final_decision(&q.id) {
            if d.text_hash == text_hash(&q.text) {
                out.labeled.push((q.clone(), d.label));
            } else {
                out.changed.push(q.id.clone());
            }
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

    fn decision(annotator: &str, label: Label, minute: u32) -> Decision {
        Decision {
            id: "q1".into(),
            text_hash: "h".into(),
            label,
            annotator: annotator.into(),
            at: format!("2026-01-01T00:{minute:02}:00Z").parse().unwrap(),
            note: None,
        }
    }

    #[test]
    fn latest_decision_wins_and_every_annotator_is_kept() {
        let mut j = Journal::default();
        j.add(decision("a", Label::Investment, 1));
        j.add(decision("b", Label::Profitability, 2));
        j.add(decision("a", Label::Other, 0)); // older than a's first: ignored
        assert_eq!(j.final_decision("q1").unwrap().label, Label::Profitability);
        j.add(decision(ADJUDICATOR, Label::Investment, 3));
        assert_eq!(j.final_decision("q1").unwrap().label, Label::Investment);
        assert_eq!(j.decisions("q1").count(), 3);
        // The adjudicator saw a's and b's labels: only a-b is independent.
        assert_eq!(j.independent_pairs(), vec![(Label::Investment, Label::Profitability)]);
    }

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
                ..decision("a", Label::Investment, 1)
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
}
