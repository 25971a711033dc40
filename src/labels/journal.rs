//! Reading the journal: every decision in a labels folder, each annotator's
//! history per question, and the lines that could not be read.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{Decision, Label, ADJUDICATOR};

#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Where a decision was read: a file and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// A line left out of the journal (torn, not UTF-8, not a decision), or a
/// file that could not be read (`line` 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub origin: Origin,
    pub message: String,
}

#[derive(Debug, Clone)]
struct Entry {
    decision: Decision,
    origin: Option<Origin>,
}

/// Every decision in a labels folder (or file), with the rules that turn
/// them into one final label per question.
#[derive(Debug, Default, Clone)]
pub struct Journal {
    /// Per question id, per annotator: the decisions in force, by time
    /// (ties in reading order); the last is the annotator's current one.
    history: HashMap<String, HashMap<String, Vec<Entry>>>,
}

impl Journal {
    /// Reads every `*.jsonl` file under `path` (or `path` itself if it is a
    /// file). A missing folder is an empty journal. A line that is no
    /// decision, and a file that cannot be read, are left out and returned.
    pub fn load(path: &Path) -> Result<(Journal, Vec<BadLine>), LabelsError> {
        let mut journal = Journal::default();
        let mut bad = Vec::new();
        if !path.exists() {
            return Ok((journal, bad));
        }
        let io = |source| LabelsError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        if path.is_dir() {
            for entry in std::fs::read_dir(path).map_err(io)? {
                let p = entry.map_err(io)?.path();
                if p.extension().is_some_and(|e| e == "jsonl") {
                    files.push(p);
                }
            }
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        for file in files {
            journal.read_file(&file, &mut bad);
        }
        Ok((journal, bad))
    }

    fn read_file(&mut self, file: &Path, bad: &mut Vec<BadLine>) {
        let origin = |line| Origin {
            path: file.to_path_buf(),
            line,
        };
        // A device or FIFO named like a labels file could be read forever.
        if !std::fs::metadata(file).is_ok_and(|m| m.is_file()) {
            return bad.push(BadLine {
                origin: origin(0),
                message: "not a regular file".into(),
            });
        }
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                return bad.push(BadLine {
                    origin: origin(0),
                    message: format!("cannot read the file: {e}"),
                })
            }
        };
        // Line by line, not the file as one string: a torn or non-UTF-8
        // line costs that line only.
        for (n, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let line = match std::str::from_utf8(raw) {
                Ok(l) => l,
                Err(e) => {
                    bad.push(BadLine {
                        origin: origin(n + 1),
                        message: format!("not UTF-8 text (byte {} of the line)", e.valid_up_to() + 1),
                    });
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let message = match serde_json::from_str::<Decision>(line) {
                Ok(d) => match self.insert(d, Some(origin(n + 1))) {
                    Ok(()) => continue,
                    Err(m) => m,
                },
                Err(e) if e.is_eof() => format!("cut short (a write that did not finish?): {e}"),
                Err(e) => format!("not a label decision: {e}"),
            };
            bad.push(BadLine {
                origin: origin(n + 1),
                message,
            });
        }
    }

    /// Adds a decision; later decisions (by time, then by reading order)
    /// override earlier ones of the same annotator for the same question.
    pub fn add(&mut self, d: Decision) {
        // Only a withdrawal can fail, and it is then left out, as on reading.
        let _ = self.insert(d, None);
    }

    fn insert(&mut self, d: Decision, origin: Option<Origin>) -> Result<(), String> {
        let entries = self
            .history
            .entry(d.id.clone())
            .or_default()
            .entry(d.annotator.clone())
            .or_default();
        if let Some(at) = d.undoes {
            let i = entries.iter().rposition(|e| e.decision.at == at).ok_or_else(|| {
                format!(
                    "withdraws a decision of {} at {at} that is not in the journal",
                    d.annotator
                )
            })?;
            entries.remove(i);
            return Ok(());
        }
        let i = entries.partition_point(|e| e.decision.at <= d.at);
        entries.insert(i, Entry { decision: d, origin });
        Ok(())
    }

    /// Each annotator's current decision on a question, with where it was read.
    fn current(&self, id: &str) -> impl Iterator<Item = &Entry> {
        self.history
            .get(id)
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(|v| v.last())
    }

    fn final_entry(&self, id: &str) -> Option<&Entry> {
        self.current(id).max_by(|a, b| {
            let (a, b) = (&a.decision, &b.decision);
            a.at.cmp(&b.at).then(a.annotator.cmp(&b.annotator))
        })
    }

    /// The final decision for a question: the most recent of its
    /// annotators' current decisions, so an adjudication or a correction
    /// made in review wins over the passes it settles.
    pub fn final_decision(&self, id: &str) -> Option<&Decision> {
        self.final_entry(id).map(|e| &e.decision)
    }

    /// Where the final decision for a question was read (none if added).
    pub fn origin(&self, id: &str) -> Option<&Origin> {
        self.final_entry(id)?.origin.as_ref()
    }

    /// Each annotator's current decision for a question.
    pub fn decisions(&self, id: &str) -> impl Iterator<Item = &Decision> {
        self.current(id).map(|e| &e.decision)
    }

    /// One annotator's current decision for a question.
    pub fn decision_of(&self, id: &str, annotator: &str) -> Option<&Decision> {
        Some(&self.history.get(id)?.get(annotator)?.last()?.decision)
    }

    /// When a decision of `annotator` is withdrawn, the label in force
    /// again: the one before it in that annotator's history.
    pub fn label_before(&self, id: &str, annotator: &str, at: DateTime<Utc>) -> Option<Label> {
        let entries = self.history.get(id)?.get(annotator)?;
        let i = entries.iter().rposition(|e| e.decision.at == at)?;
        Some(entries[..i].last()?.decision.label)
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

    /// `a`'s and `b`'s current labels on every question both decided.
    pub fn pairs_between(&self, a: &str, b: &str) -> Vec<(Label, Label)> {
        self.ids()
            .into_iter()
            .filter_map(|id| Some((self.decision_of(id, a)?.label, self.decision_of(id, b)?.label)))
            .collect()
    }

    /// Ids with at least one decision in force, sorted.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .history
            .iter()
            .filter(|(_, m)| m.values().any(|v| !v.is_empty()))
            .map(|(id, _)| id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    pub fn len(&self) -> usize {
        self.ids().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub fn decision(annotator: &str, label: Label, minute: u32) -> Decision {
        Decision {
            id: "q1".into(),
            text_hash: "h".into(),
            label,
            annotator: annotator.into(),
            at: format!("2026-01-01T00:{minute:02}:00Z").parse().unwrap(),
            note: None,
            flag: false,
            undoes: None,
        }
    }

    #[test]
    fn latest_decision_wins_and_every_annotator_is_kept() {
        let mut j = Journal::default();
        j.add(decision("a", Label::Investment, 1));
        j.add(decision("b", Label::Profitability, 2));
        j.add(decision("a", Label::Other, 0)); // older than a's first: not current
        assert_eq!(j.final_decision("q1").unwrap().label, Label::Profitability);
        j.add(decision(ADJUDICATOR, Label::Investment, 3));
        assert_eq!(j.final_decision("q1").unwrap().label, Label::Investment);
        assert_eq!(j.decisions("q1").count(), 3);
        // The adjudicator saw a's and b's labels: only a-b is independent.
        assert_eq!(j.independent_pairs(), vec![(Label::Investment, Label::Profitability)]);
        assert_eq!(
            j.pairs_between("b", "a"),
            vec![(Label::Profitability, Label::Investment)]
        );
    }

    #[test]
    fn a_withdrawal_restores_the_annotators_previous_decision_or_none() {
        let mut j = Journal::default();
        j.add(decision("a", Label::Investment, 1));
        let second = decision("a", Label::Other, 2);
        j.add(second.clone());
        assert_eq!(j.label_before("q1", "a", second.at), Some(Label::Investment));
        let undo = |of: &Decision, minute| Decision {
            undoes: Some(of.at),
            ..decision("a", Label::Investment, minute)
        };
        j.add(undo(&second, 3));
        assert_eq!(j.final_decision("q1").unwrap().label, Label::Investment);
        j.add(undo(&decision("a", Label::Investment, 1), 4));
        assert!(j.final_decision("q1").is_none() && j.is_empty());
        // Withdrawing what is not there fails (and is reported on reading).
        assert!(j.insert(undo(&second, 5), None).is_err());
    }

    #[test]
    fn torn_non_utf8_and_unknown_lines_are_named_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let ok = |minute| serde_json::to_string(&decision("a", Label::Other, minute)).unwrap();
        let mut bytes = format!("{}\n{{\"id\": \"q2\", \"label\": \"capex\"}}\n", ok(1)).into_bytes();
        bytes.extend(b"\xff\xfe\n");
        bytes.extend(format!("{}\n{}", ok(2), &ok(3)[..30]).bytes());
        std::fs::write(dir.path().join("a.jsonl"), bytes).unwrap();
        let (j, bad) = Journal::load(dir.path()).unwrap();
        assert_eq!(j.decision_of("q1", "a").unwrap().at, decision("a", Label::Other, 2).at);
        let lines: Vec<usize> = bad.iter().map(|b| b.origin.line).collect();
        assert_eq!(lines, [2, 3, 5], "{bad:?}");
        assert!(bad[0].message.starts_with("not a label decision"), "{}", bad[0].message);
        assert!(bad[1].message.starts_with("not UTF-8"), "{}", bad[1].message);
        assert!(bad[2].message.starts_with("cut short"), "{}", bad[2].message);
        assert_eq!(
            j.origin("q1").unwrap().to_string(),
            format!("{}:4", dir.path().join("a.jsonl").display())
        );
    }
}
