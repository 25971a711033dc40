//! The shipped labels: enough of them, every one resolvable against the real
//! corpus with the text its annotator saw, none from a heldout file; and a
//! label journal's bad lines named and skipped by every reader.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use earnings_qa::labels::{Journal, Label, ADJUDICATOR};
use earnings_qa::question::{text_hash, Question};

use crate::test::Test;
use crate::{corpus, manifest, root};

#[test]
fn labels_resolve_against_train_and_dev_calls_only() {
    let Some(corpus) = corpus() else { return };
    let questions = Test::new()
        .arg("questions")
        .arg(corpus.join("sources"))
        .expect_status_in(&[0, 1])
        .run()
        .questions();
    let mut by_id: HashMap<String, Vec<Question>> = HashMap::new();
    for q in questions {
        by_id.entry(q.id.clone()).or_default().push(q);
    }
    let splits: HashMap<String, String> = manifest(&corpus).into_iter().map(|f| (f.path, f.split)).collect();
    let (journal, bad) = Journal::load(&root().join("labels")).expect("labels/ reads");
    assert!(bad.is_empty(), "{bad:?}");

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
        calls.insert((copies[0].call.ticker.clone(), copies[0].call.fiscal_period));
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
    let (journal, bad) = Journal::load(&root().join("labels")).expect("labels/ reads");
    assert!(bad.is_empty(), "{bad:?}");
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

#[test]
fn bad_lines_are_named_and_skipped_and_every_valid_decision_counts() {
    let corpus = root().join("corpus");
    let questions = Test::new().arg("questions").arg(&corpus).run().questions();
    // 12 decisions (4 of each label) on the first calls' questions, then a
    // line with an unknown label, a non-UTF-8 byte and a write cut short.
    let mut text = String::new();
    for (i, q) in questions.iter().take(12).enumerate() {
        let label = Label::ALL[i % 3];
        text += &format!(
            "{{\"id\": \"{}\", \"text_hash\": \"{}\", \"label\": \"{label}\", \"annotator\": \"a\", \"at\": \"2026-01-01T00:00:{i:02}Z\"}}\n",
            q.id,
            text_hash(&q.text)
        );
    }
    let valid = text.clone();
    text += &valid.lines().next().unwrap().replace("\"profitability\"", "\"capex\"");
    let mut bytes = (text + "\n").into_bytes();
    bytes.extend(b"{\"id\": \"\xff\"}\n");
    bytes.extend(&valid.as_bytes()[..40]);
    // Each command in a temp dir holding labels/a.jsonl (found as ./labels).
    let with_labels = |args: &[&str]| {
        Test::new()
            .args(args)
            .arg(&corpus)
            .file("labels/a.jsonl", &bytes)
            .expect_status(1)
            .run()
    };

    let report = with_labels(&["report", "--format", "json"]);
    for (line, what) in [(13, "unknown label \"capex\""), (14, "not UTF-8"), (15, "cut short")] {
        assert!(
            report.stderr.contains(&format!("labels/a.jsonl:{line}: skipped, ")) && report.stderr.contains(what),
            "line {line}: {}",
            report.stderr
        );
    }
    let human = report.json::<crate::report::Report>().labels.human;
    // Copies of one call are counted once: some of the 12 may sit in a copy not used.
    assert!((10..=12).contains(&human), "{human} human labels counted");

    let train = with_labels(&["train", "--folds", "0", "--out", "head"]);
    assert!(train.stderr.contains("labels/a.jsonl:15: skipped"), "{}", train.stderr);
    assert!(train.stderr.contains("12 labeled questions found"), "{}", train.stderr);
    let eval = with_labels(&["eval", "--folds", "2"]);
    assert!(eval.stderr.contains("labels/a.jsonl:13: skipped"), "{}", eval.stderr);
}
