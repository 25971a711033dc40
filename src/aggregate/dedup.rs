//! One copy of each call: files of one company and time whose questions
//! show them to be the same call are copies (union-find, so copies linked
//! through a third end up together); the rest are different calls.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::{CallQuestions, Reviewed};
use crate::call::FiscalPeriod;
use crate::period::canonical_ticker;
use crate::question::normalize;

impl<Q: Reviewed> CallQuestions<Q> {
    /// Same fiscal period or same call date: candidates for copies.
    fn same_time(&self, other: &CallQuestions<Q>) -> bool {
        let (a, b) = (&self.id, &other.id);
        (a.fiscal_period.is_some() && a.fiscal_period == b.fiscal_period)
            || (a.call_date.is_some() && a.call_date == b.call_date)
    }

    /// What comparing two files' questions needs: their ids and word trigrams.
    fn fingerprint(&self) -> (HashSet<&str>, HashSet<u64>) {
        let ids = self
            .questions
            .iter()
            .map(|l| l.question().id.as_str())
            .filter(|id| !id.is_empty())
            .collect();
        let mut trigrams = HashSet::new();
        for l in &self.questions {
            let text = normalize(&l.question().text);
            let words: Vec<&str> = text.split(' ').collect();
            for w in words.windows(3) {
                let mut h = std::hash::DefaultHasher::new();
                w.hash(&mut h);
                trigrams.insert(h.finish());
            }
        }
        (ids, trigrams)
    }
}

/// Share of the smaller file's question word trigrams found in the other's
/// from which two files of one company and period are taken for the same
/// call. On ../shared/corpus, files of the same call from two vendors
/// share 37% to 100% (speech-to-text against an edited transcript at the
/// low end); different calls of one company share at most 32% (two calls
/// of 2 and 6 questions), mostly under 20%.
pub const SAME_CALL_TRIGRAMS: f64 = 0.35;

/// Whether two files hold demonstrably the same call: a question id in
/// common (the same company, period and question text), or most of the
/// smaller file's question wording (`SAME_CALL_TRIGRAMS`).
fn same_questions(a: &(HashSet<&str>, HashSet<u64>), b: &(HashSet<&str>, HashSet<u64>)) -> bool {
    if !a.0.is_disjoint(&b.0) {
        return true;
    }
    let smaller = a.1.len().min(b.1.len());
    smaller > 0 && a.1.intersection(&b.1).count() as f64 >= SAME_CALL_TRIGRAMS * smaller as f64
}

/// Copies of one call from several files: the one counted and the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub ticker: String,
    #[serde(with = "crate::quarter::fiscal_or_empty")]
    pub fiscal_period: Option<FiscalPeriod>,
    pub kept: String,
    pub kept_questions: usize,
    pub skipped: Vec<SkippedCopy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedCopy {
    pub source: String,
    pub questions: usize,
}

/// Files of one company and period whose questions differ: different
/// calls under one label (a wrong label, two events in one quarter), all
/// counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distinct {
    pub ticker: String,
    #[serde(with = "crate::quarter::fiscal_or_empty")]
    pub fiscal_period: Option<FiscalPeriod>,
    pub sources: Vec<String>,
}

/// Keeps one copy of each call. Copies are files of one company (share
/// classes merged) with the same fiscal period or the same call date whose
/// questions show them to be the same call (`same_questions`); files of one
/// company and period that share no question are different calls, all
/// kept, and named in the `Distinct` list. The copy kept is the one with the most human-reviewed labels (vendors'
/// texts differ, so labels given on one copy do not reach another), then
/// the most questions (a copy may lack part of its Q&A), then the first by
/// path, so every run picks the same file. Dates and periods missing from
/// the kept copy are taken from the others.
pub fn dedup<Q: Reviewed>(calls: Vec<CallQuestions<Q>>) -> (Vec<CallQuestions<Q>>, Vec<Duplicate>, Vec<Distinct>) {
    let mut by_company: BTreeMap<String, Vec<CallQuestions<Q>>> = BTreeMap::new();
    for c in calls {
        by_company.entry(canonical_ticker(&c.id.ticker)).or_default().push(c);
    }
    let mut kept = Vec::new();
    let mut duplicates = Vec::new();
    let mut distinct = Vec::new();
    for (ticker, calls) in by_company {
        // Union-find over "same call", so copies linked through a third
        // (one shares the fiscal label, another the date) end up together.
        let mut parent: Vec<usize> = (0..calls.len()).collect();
        fn root(parent: &mut [usize], i: usize) -> usize {
            let mut r = i;
            while parent[r] != r {
                r = parent[r];
            }
            parent[i] = r;
            r
        }
        let prints: Vec<_> = calls.iter().map(CallQuestions::fingerprint).collect();
        // Pairs at the same time whose questions differ, by index.
        let mut apart = Vec::new();
        for i in 0..calls.len() {
            for j in i + 1..calls.len() {
                if !calls[i].same_time(&calls[j]) {
                    continue;
                }
                if same_questions(&prints[i], &prints[j]) {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                } else {
                    apart.push((i, j));
                }
            }
        }
        // Different calls at one time, by period, as the roots of their copies.
        let mut apart_roots: BTreeMap<Option<FiscalPeriod>, BTreeSet<usize>> = BTreeMap::new();
        for (i, j) in apart {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                let period = calls[i].id.fiscal_period.or(calls[j].id.fiscal_period);
                apart_roots.entry(period).or_default().extend([a, b]);
            }
        }
        let mut kept_of_root = BTreeMap::new();
        let mut clusters: BTreeMap<usize, Vec<CallQuestions<Q>>> = BTreeMap::new();
        for (i, c) in calls.into_iter().enumerate() {
            let r = root(&mut parent, i);
            clusters.entry(r).or_default().push(c);
        }
        for (r, mut copies) in clusters {
            let human = |c: &CallQuestions<Q>| c.questions.iter().filter(|l| l.human()).count();
            copies.sort_by(|a, b| {
                (human(b), b.questions.len())
                    .cmp(&(human(a), a.questions.len()))
                    .then_with(|| a.source.cmp(&b.source))
            });
            let mut copies = copies.into_iter();
            let mut first = copies.next().expect("clusters are never empty");
            let skipped: Vec<SkippedCopy> = copies
                .map(|c| {
                    // What the kept copy lacks (a date, a fiscal label), another copy may say.
                    let (to, from) = (&mut first.id, &c.id);
                    to.call_date = to.call_date.or(from.call_date);
                    to.period_end = to.period_end.or(from.period_end);
                    to.calendar_quarter = to.calendar_quarter.or(from.calendar_quarter);
                    to.fiscal_period = to.fiscal_period.or(from.fiscal_period);
                    SkippedCopy {
                        source: c.source,
                        questions: c.questions.len(),
                    }
                })
                .collect();
            if !skipped.is_empty() {
                duplicates.push(Duplicate {
                    ticker: ticker.clone(),
                    fiscal_period: first.id.fiscal_period,
                    kept: first.source.clone(),
                    kept_questions: first.questions.len(),
                    skipped,
                });
            }
            kept_of_root.insert(r, first.source.clone());
            kept.push(first);
        }
        for (fiscal_period, roots) in apart_roots {
            distinct.push(Distinct {
                ticker: ticker.clone(),
                fiscal_period,
                sources: roots.iter().map(|r| kept_of_root[r].clone()).collect(),
            });
        }
    }
    (kept, duplicates, distinct)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::aggregate::Pending;
    use crate::call::CallId;
    use crate::labels::{Label, Probs};

    fn call(source: &str, fiscal: &str, date: Option<(i32, u32, u32)>, questions: usize) -> CallQuestions<Pending> {
        asking(
            source,
            fiscal,
            date,
            questions,
            "How should we think about cloud capacity next year?",
        )
    }

    fn asking(
        source: &str,
        fiscal: &str,
        date: Option<(i32, u32, u32)>,
        questions: usize,
        text: &str,
    ) -> CallQuestions<Pending> {
        let mut question = crate::question::fixture("goog", fiscal, text, source);
        question.call.company = "Alphabet".into();
        CallQuestions {
            id: CallId {
                ticker: "GOOG".into(),
                company: "Alphabet".into(),
                fiscal_period: (!fiscal.is_empty()).then(|| fiscal.parse().unwrap()),
                period_end: None,
                calendar_quarter: None,
                call_date: date.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            },
            source: source.into(),
            questions: vec![
                Pending {
                    question,
                    human: None,
                    model: Some((Label::Other, Probs::from_array([0.1, 0.1, 0.8])))
                };
                questions
            ],
        }
    }

    #[test]
    fn copies_merge_by_period_or_date_and_lend_what_the_kept_one_lacks() {
        let calls = vec![
            call("b.txt", "FY2025 Q4", None, 12),
            call("a.txt", "", Some((2026, 2, 4)), 3),
            call("c.txt", "FY2025 Q4", Some((2026, 2, 4)), 5),
            call("d.txt", "FY2025 Q3", Some((2025, 10, 29)), 9),
        ];
        let (kept, dups, distinct) = dedup(calls);
        let sources: Vec<&str> = kept.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(sources, ["b.txt", "d.txt"]);
        assert!(distinct.is_empty());
        assert_eq!(kept[0].id.call_date, NaiveDate::from_ymd_opt(2026, 2, 4));
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].ticker, "GOOGL");
        let skipped: Vec<&str> = dups[0].skipped.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(skipped, ["c.txt", "a.txt"]);
    }

    #[test]
    fn files_of_one_period_whose_questions_differ_are_different_calls() {
        let calls = vec![
            call("a.txt", "FY2025 Q4", None, 4),
            asking(
                "b.txt",
                "FY2025 Q4",
                None,
                6,
                "What drives margins in the consumer business?",
            ),
            // An edited transcript of a.txt's call: no id in common, most words.
            asking(
                "c.txt",
                "FY2025 Q4",
                None,
                5,
                "So how should we think about cloud capacity next year",
            ),
        ];
        let (kept, dups, distinct) = dedup(calls);
        let sources: Vec<&str> = kept.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(sources, ["c.txt", "b.txt"]);
        assert_eq!(dups[0].skipped[0].source, "a.txt");
        assert_eq!(distinct.len(), 1);
        assert_eq!(
            (
                distinct[0].ticker.as_str(),
                distinct[0].fiscal_period.unwrap().to_string()
            ),
            ("GOOGL", "FY2025 Q4".into())
        );
        assert_eq!(distinct[0].sources, ["c.txt", "b.txt"]);
    }
}
