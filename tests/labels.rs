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

struct Run {
    code: i32,
    stderr: String,
    stdout: String,
}

/// The real binary, run in `dir`.
fn run(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

#[test]
fn bad_lines_are_named_and_skipped_and_every_valid_decision_counts() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = root().join("corpus");
    let corpus = corpus.to_str().unwrap();
    let questions: Vec<Question> = run(dir.path(), &["questions", corpus])
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
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
    std::fs::create_dir(dir.path().join("labels")).unwrap();
    std::fs::write(dir.path().join("labels/a.jsonl"), bytes).unwrap();

    let report = run(dir.path(), &["report", corpus, "--format", "json"]);
    assert_eq!(report.code, 1, "{}", report.stderr);
    for (line, what) in [(13, "unknown label \"capex\""), (14, "not UTF-8"), (15, "cut short")] {
        assert!(
            report.stderr.contains(&format!("labels/a.jsonl:{line}: skipped, ")) && report.stderr.contains(what),
            "line {line}: {}",
            report.stderr
        );
    }
    let json: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    let human = json["labels"]["human"].as_u64().unwrap();
    // Copies of one call are counted once: some of the 12 may sit in a copy not used.
    assert!((10..=12).contains(&human), "{human} human labels counted");

    let model = dir.path().join("head");
    let train = run(
        dir.path(),
        &["train", corpus, "--folds", "0", "--out", model.to_str().unwrap()],
    );
    assert_eq!(train.code, 1, "{}", train.stderr);
    assert!(train.stderr.contains("labels/a.jsonl:15: skipped"), "{}", train.stderr);
    assert!(train.stderr.contains("12 labeled questions found"), "{}", train.stderr);
    let eval = run(dir.path(), &["eval", corpus, "--folds", "2"]);
    assert_eq!(eval.code, 1, "{}", eval.stderr);
    assert!(eval.stderr.contains("labels/a.jsonl:13: skipped"), "{}", eval.stderr);
}
