//! The shipped labels: enough of them, every one resolvable against the real
//! corpus with the text its annotator saw, none from a heldout file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use earnings_qa::labels::{Journal, Label, ADJUDICATOR};
use earnings_qa::question::{text_hash, Question};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Manifest path (relative to ../shared/corpus) -> split.
fn splits() -> HashMap<String, String> {
    let text = std::fs::read_to_string(root().join("../shared/corpus/manifest.csv")).expect("manifest");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            Some((cols.first()?.to_string(), cols.last()?.to_string()))
        })
        .collect()
}

#[test]
fn labels_resolve_against_train_and_dev_calls_only() {
    let corpus = root().join("../shared/corpus");
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .arg(corpus.join("sources"))
        .output()
        .expect("binary runs");
    let mut by_id: HashMap<String, Vec<Question>> = HashMap::new();
    for line in String::from_utf8(out.stdout).expect("UTF-8").lines() {
        let q: Question = serde_json::from_str(line).expect("a question");
        by_id.entry(q.id.clone()).or_default().push(q);
    }
    let splits = splits();
    let journal = Journal::load(&root().join("labels")).expect("labels/ parses");

    let mut per_label: BTreeMap<Label, usize> = BTreeMap::new();
    let mut calls = HashSet::new();
    for id in journal.ids() {
        let d = journal.final_decision(id).expect("a decision");
        let copies = by_id
            .get(id)
            .unwrap_or_else(|| panic!("label {id} names no question of ../shared/corpus"));
        for q in copies {
            assert_eq!(
                text_hash(&q.text),
                d.text_hash,
                "{id}: text differs from what {} labeled",
                d.annotator
            );
            let rel = Path::new(&q.source)
                .strip_prefix(&corpus)
                .expect("source under the corpus");
            let split = splits.get(rel.to_str().unwrap()).map(String::as_str);
            assert!(
                matches!(split, Some("train" | "dev")),
                "{id} comes from {} (split {split:?})",
                q.source
            );
        }
        calls.insert((copies[0].ticker.clone(), copies[0].fiscal_period.clone()));
        *per_label.entry(d.label).or_default() += 1;
    }
    assert!(journal.len() >= 2000, "{} final labels", journal.len());
    for label in Label::ALL {
        assert!(
            per_label.get(&label).copied().unwrap_or(0) >= 150,
            "{label}: {per_label:?}"
        );
    }
    assert!(calls.len() >= 300, "labels come from {} calls", calls.len());
}

#[test]
fn doubly_labeled_questions_are_many_and_every_disagreement_is_adjudicated() {
    let journal = Journal::load(&root().join("labels")).expect("labels/ parses");
    assert!(
        journal.independent_pairs().len() >= 300,
        "{} pairs",
        journal.independent_pairs().len()
    );
    for id in journal.ids() {
        let independent: HashSet<Label> = journal
            .decisions(id)
            .filter(|d| d.annotator != ADJUDICATOR)
            .map(|d| d.label)
            .collect();
        if independent.len() > 1 {
            let fin = journal.final_decision(id).unwrap().label;
            assert!(
                journal
                    .decisions(id)
                    .any(|d| d.annotator == ADJUDICATOR && d.label == fin),
                "{id}: annotators disagree ({independent:?}) and no adjudication decides the final {fin}"
            );
        }
    }
}
