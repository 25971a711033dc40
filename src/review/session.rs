//! A review session: the queue, where the reviewer is in it, and every
//! decision written to the annotator's labels file before the next
//! question shows.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};

use super::queue::Item;
use crate::labels::{Appender, Decision, Journal, Label, LabelsError};
use crate::question::text_hash;

/// The label a question counts with now, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub label: Label,
    /// The annotator of the final human decision; `None`: the model's.
    pub by: Option<String>,
}

pub struct Session {
    items: Vec<Item>,
    /// `text_hash` of each question's text.
    hashes: Vec<String>,
    journal: Journal,
    appender: Appender,
    annotator: String,
    started: DateTime<Utc>,
    last_at: DateTime<Utc>,
    /// The question shown; `None` once every question is decided or skipped.
    cursor: Option<usize>,
    skipped: HashSet<usize>,
    /// Questions touched this session, with the label they counted with before it.
    before: BTreeMap<usize, Label>,
    /// Questions with a current decision of this annotator.
    done: usize,
    /// A note typed for the next decision on the question shown.
    pub note: Option<String>,
}

impl Session {
    /// Starts after the question this annotator decided last, so a restart
    /// resumes where the previous session stopped.
    pub fn new(items: Vec<Item>, journal: Journal, appender: Appender, annotator: &str) -> Session {
        let now = Utc::now();
        let mut s = Session {
            hashes: items.iter().map(|i| text_hash(&i.question.text)).collect(),
            items,
            journal,
            appender,
            annotator: annotator.to_owned(),
            started: now,
            last_at: now,
            cursor: None,
            skipped: HashSet::new(),
            before: BTreeMap::new(),
            done: 0,
            note: None,
        };
        s.done = (0..s.items.len()).filter(|&i| s.mine(i).is_some()).count();
        s.cursor = s.next_after(s.latest_mine());
        s
    }

    /// The question of this annotator's latest decision in the queue.
    fn latest_mine(&self) -> Option<usize> {
        let (_, i) = (0..self.items.len())
            .filter_map(|i| Some((self.mine(i)?.at, i)))
            .max()?;
        Some(i)
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn annotator(&self) -> &str {
        &self.annotator
    }

    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }

    pub fn current(&self) -> Option<&Item> {
        self.items.get(self.cursor?)
    }

    /// Questions this annotator has decided, of the queue's.
    pub fn done(&self) -> usize {
        self.done
    }

    pub fn appender(&self) -> &Appender {
        &self.appender
    }

    /// This annotator's decision on question `i`, if made on its text (one
    /// made on an earlier text is set aside, as the report does).
    fn mine(&self, i: usize) -> Option<&Decision> {
        self.journal
            .decision_of(&self.items[i].question.id, &self.annotator)
            .filter(|d| d.text_hash == self.hashes[i])
    }

    /// The label question `i` counts with: the final human decision made on
    /// this text, else the model's.
    pub fn shown(&self, i: usize) -> Shown {
        let item = &self.items[i];
        match self.journal.final_decision(&item.question.id) {
            Some(d) if d.text_hash == self.hashes[i] => Shown {
                label: d.label,
                by: Some(d.annotator.clone()),
            },
            _ => Shown {
                label: item.model,
                by: None,
            },
        }
    }

    /// Every annotator's current decision on question `i`, oldest first.
    pub fn decisions(&self, i: usize) -> Vec<&Decision> {
        let mut ds: Vec<&Decision> = self.journal.decisions(&self.items[i].question.id).collect();
        ds.sort_by_key(|d| d.at);
        ds
    }

    /// The first question after `from` (from the start if `None`) that this
    /// annotator has neither decided nor skipped, wrapping around once.
    fn next_after(&self, from: Option<usize>) -> Option<usize> {
        let n = self.items.len();
        let start = from.map_or(0, |i| i + 1);
        (start..n)
            .chain(0..start.min(n))
            .find(|&i| !self.skipped.contains(&i) && self.mine(i).is_none())
    }

    /// Decisions get strictly increasing times, so an undo names one exactly.
    fn now(&mut self) -> DateTime<Utc> {
        self.last_at = Utc::now().max(self.last_at + TimeDelta::microseconds(1));
        self.last_at
    }

    /// Writes `d` (on disk before this returns) and takes it into the journal.
    fn write(&mut self, i: usize, d: Decision) -> Result<(), LabelsError> {
        self.appender.append(&d)?;
        let label = self.shown(i).label;
        self.before.entry(i).or_insert(label);
        let had = self.mine(i).is_some();
        self.journal.add(d);
        let has = self.mine(i).is_some();
        self.done = self.done + usize::from(has) - usize::from(had);
        Ok(())
    }

    /// Labels the question shown, then moves on. `flag` marks it for discussion.
    pub fn decide(&mut self, label: Label, flag: bool) -> Result<(), LabelsError> {
        let Some(i) = self.cursor else { return Ok(()) };
        let d = Decision {
            id: self.items[i].question.id.clone(),
            text_hash: self.hashes[i].clone(),
            label,
            annotator: self.annotator.clone(),
            at: self.now(),
            note: self.note.take(),
            flag,
            undoes: None,
        };
        self.write(i, d)?;
        self.cursor = self.next_after(Some(i));
        Ok(())
    }

    /// Confirms the label shown (the model's, or the final human one).
    pub fn accept(&mut self, flag: bool) -> Result<(), LabelsError> {
        match self.cursor {
            Some(i) => self.decide(self.shown(i).label, flag),
            None => Ok(()),
        }
    }

    pub fn skip(&mut self) {
        if let Some(i) = self.cursor {
            self.skipped.insert(i);
            self.note = None;
            self.cursor = self.next_after(Some(i));
        }
    }

    /// Withdraws this annotator's latest decision in the queue (of this
    /// session or an earlier one) with a line of its own, and shows that
    /// question again. `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<usize>, LabelsError> {
        let Some(i) = self.latest_mine() else {
            return Ok(None);
        };
        let last = self.mine(i).expect("just found").clone();
        let restored = self.journal.label_before(&last.id, &self.annotator, last.at);
        let d = Decision {
            label: restored.unwrap_or(last.label),
            at: self.now(),
            note: None,
            flag: false,
            undoes: Some(last.at),
            ..last
        };
        self.write(i, d)?;
        self.skipped.remove(&i);
        self.note = None;
        self.cursor = Some(i);
        Ok(Some(i))
    }

    /// This annotator's decisions made in this session and still in force.
    fn session_decisions(&self) -> impl Iterator<Item = (usize, &Decision)> {
        self.before
            .keys()
            .filter_map(|&i| Some((i, self.mine(i).filter(|d| d.at >= self.started)?)))
    }

    /// This session's counts for the status line.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for (i, d) in self.session_decisions() {
            t.per_label[d.label.index()] += 1;
            t.model_changed += usize::from(d.label != self.items[i].model);
            t.flagged += usize::from(d.flag);
        }
        t
    }

    /// What the session changed, for the summary printed at its end.
    pub fn changes(&self) -> Changes {
        let mut c = Changes {
            tally: self.tally(),
            ..Changes::default()
        };
        for (&i, &before) in &self.before {
            let after = self.shown(i).label;
            if before != after {
                c.changed += 1;
                let cell = c.cells.entry(self.items[i].cell.clone()).or_default();
                for counts in [&mut c.per_label, cell] {
                    counts[after.index()] += 1;
                    counts[before.index()] -= 1;
                }
            }
        }
        c
    }
}

/// Counts of this session's decisions in force.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub per_label: [usize; 3],
    /// Decisions whose label is not the model's.
    pub model_changed: usize,
    pub flagged: usize,
}

impl Tally {
    pub fn decided(&self) -> usize {
        self.per_label.iter().sum()
    }
}

/// What a session changed in the labels the report counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub tally: Tally,
    /// Questions whose counted label is not what it was.
    pub changed: usize,
    /// Per label, questions gained minus questions lost.
    pub per_label: [i64; 3],
    /// The same per report cell (ticker, quarter) touched.
    pub cells: BTreeMap<(String, crate::quarter::Quarter), [i64; 3]>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::queue::tests::item;

    fn queue() -> Vec<Item> {
        (0..4).map(|n| item(n, [0.6, 0.3, 0.1])).collect()
    }

    fn open(dir: &std::path::Path) -> Session {
        let (journal, bad) = Journal::load(dir).unwrap();
        assert!(bad.is_empty(), "{bad:?}");
        let appender = Appender::open(&dir.join("me.jsonl")).unwrap();
        Session::new(queue(), journal, appender, "me")
    }

    fn lines(dir: &std::path::Path) -> Vec<Decision> {
        let text = std::fs::read_to_string(dir.join("me.jsonl")).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn each_decision_is_one_line_and_undo_appends_and_steps_back_across_questions() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path());
        assert_eq!(s.cursor(), Some(0));
        s.decide(Label::Investment, false).unwrap();
        s.skip();
        s.note = Some("capex framed by payback".into());
        s.accept(true).unwrap();
        assert_eq!((s.cursor(), s.done()), (Some(3), 2));
        assert_eq!(lines(dir.path()).len(), 2, "a skip writes nothing");
        let t = s.tally();
        assert_eq!((t.per_label, t.model_changed, t.flagged), ([1, 1, 0], 1, 1));

        assert_eq!(s.undo().unwrap(), Some(2));
        assert_eq!(s.undo().unwrap(), Some(0));
        assert_eq!(s.undo().unwrap(), None);
        assert_eq!((s.cursor(), s.done(), s.tally().decided()), (Some(0), 0, 0));
        let written = lines(dir.path());
        assert_eq!(written.len(), 4);
        assert_eq!(written[1].note.as_deref(), Some("capex framed by payback"));
        assert!(written[1].flag);
        assert_eq!(written[2].undoes, Some(written[1].at));
        assert_eq!(written[3].undoes, Some(written[0].at));
        // The file read afresh holds no decision: every one was withdrawn.
        assert!(Journal::load(dir.path()).unwrap().0.is_empty());
        assert_eq!(s.changes().changed, 0);
    }

    #[test]
    fn a_new_session_resumes_after_the_last_decided_question() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(dir.path());
        s.skip();
        s.decide(Label::Other, false).unwrap();
        s.decide(Label::Profitability, false).unwrap();
        let c = s.changes();
        assert_eq!((c.changed, c.per_label), (1, [-1, 0, 1]));
        drop(s);
        let mut s = open(dir.path());
        assert_eq!((s.cursor(), s.done()), (Some(3), 2));
        s.decide(Label::Other, false).unwrap();
        // Past the end: back to the question skipped in the first session.
        assert_eq!(s.cursor(), Some(0));
        // Undo reaches back into the first session's decisions too.
        assert_eq!(s.undo().unwrap(), Some(3));
        assert_eq!(s.undo().unwrap(), Some(2));
        assert_eq!(s.shown(2).label, Label::Profitability);
        assert_eq!(s.shown(2).by, None, "the model's label again");
    }
}
