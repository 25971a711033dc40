//! `classify`, `train` and `eval` run as the real binary in a temp dir,
//! on transcripts read from ../shared/corpus and the labels in labels/.
//! Needs the encoder's weights (scripts/test.sh fetches them first).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use earnings_qa::labels::Label;
use earnings_qa::model::card::ModelCard;
use earnings_qa::model::head::{Head, Input, TrainOptions};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    root().join("../shared/corpus")
}

/// A Google call from the `dev` split, in the capiq layout.
fn dev_call() -> PathBuf {
    corpus().join("sources/vanillefatale/1Q25/GOOG_1Q25_translated_output.txt")
}

/// An embedding cache shared by the tests of this file, so the corpus
/// questions are encoded once per build.
fn shared_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("earnings-qa-cache")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_earnings-qa"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("EARNINGS_QA_MODELS")
        .env_remove("XDG_CACHE_HOME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output { status, stdout, stderr } = cmd.output().expect("binary runs");
    let run = Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    run
}

fn run(args: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), args, &[]);
    (dir, r)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Writes a head trained on arbitrary `dim`-d vectors and texts, with its card.
fn write_head(dir: &Path, dim: usize) {
    let x: Vec<Vec<f32>> = (0..12)
        .map(|i| (0..dim).map(|j| ((i + j) % 5) as f32).collect())
        .collect();
    let texts: Vec<String> = (0..12).map(|i| format!("a question on topic {}", i % 4)).collect();
    let inputs: Vec<Input> = texts
        .iter()
        .map(|text| Input {
            text,
            reply: "",
            ai_per_1k: 0.0,
        })
        .collect();
    let y: Vec<Label> = (0..12).map(|i| Label::ALL[i % 3]).collect();
    Head::train(
        &inputs,
        &x,
        &y,
        &TrainOptions {
            epochs: 3,
            ..Default::default()
        },
    )
    .unwrap()
    .save(dir)
    .unwrap();
    let mut card = ModelCard::load(&root().join("models/default")).unwrap();
    card.encoder.dim = dim;
    card.save(dir).unwrap();
}

#[test]
fn classify_adds_a_label_and_probabilities_to_every_question() {
    let cache = tempfile::tempdir().unwrap();
    let (_dir, questions) = run(&["questions", s(&dev_call())]);
    assert_eq!(questions.code, 0, "{}", questions.stderr);
    let (_dir, classified) = run(&[
        "classify",
        s(&dev_call()),
        "--cache-dir",
        s(cache.path()),
        "--device",
        "cpu",
    ]);
    assert_eq!(classified.code, 0, "{}", classified.stderr);

    let expected: Vec<Value> = questions
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<Value> = classified
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(expected.len() > 5, "the dev call has questions");
    assert_eq!(got.len(), expected.len());
    for (q, c) in expected.iter().zip(&got) {
        for (k, v) in q.as_object().unwrap() {
            assert_eq!(&c[k], v, "field {k} carried over");
        }
        let probs = c["probs"].as_object().unwrap();
        let names: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(probs.len(), 3);
        let p: Vec<f64> = names.iter().map(|n| probs[*n].as_f64().unwrap()).collect();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-4, "{p:?}");
        let best = names[(0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap()];
        assert_eq!(c["label"], best);
    }
    assert!(
        classified
            .stderr
            .contains(&format!("classified {} questions in", got.len())),
        "{}",
        classified.stderr
    );

    // The second run reads every embedding from the cache and says the same.
    let (_dir, again) = run(&["classify", s(&dev_call()), "--cache-dir", s(cache.path())]);
    assert_eq!(again.stdout, classified.stdout);
    let files: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one cache file for the one encoder");
}

#[test]
fn no_cache_writes_no_cache() {
    let (dir, r) = run(&["classify", s(&dev_call()), "--no-cache", "-o", "out.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        std::fs::read_to_string(dir.path().join("out.jsonl"))
            .unwrap()
            .lines()
            .count()
            > 5
    );
    assert!(!dir.path().join(".cache").exists());
}

#[test]
fn an_empty_input_gives_empty_output_and_a_zero_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let r = run_in(dir.path(), &["classify", "empty", "--no-cache"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("classified 0 questions"), "{}", r.stderr);
}

#[cfg(not(feature = "cuda"))]
#[test]
fn device_cuda_without_the_feature_is_a_clear_error() {
    let (_dir, r) = run(&["classify", s(&dev_call()), "--device", "cuda"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("without the `cuda` feature"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn missing_and_corrupt_weights_are_clear_errors() {
    let models = tempfile::tempdir().unwrap();
    let head = models.path().join("default");
    std::fs::create_dir(&head).unwrap();
    for f in ["head.safetensors", "vocab.json", "card.json"] {
        std::fs::copy(root().join("models/default").join(f), head.join(f)).unwrap();
    }
    let env = [("EARNINGS_QA_MODELS", models.path())];
    let r = run_in(models.path(), &["classify", s(&dev_call()), "--no-cache"], &env);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("encoder weights not found") && r.stderr.contains("fetch-model"),
        "{}",
        r.stderr
    );

    let enc = models.path().join("all-MiniLM-L6-v2");
    std::fs::create_dir(&enc).unwrap();
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(root().join("models/all-MiniLM-L6-v2").join(f), enc.join(f)).unwrap();
    }
    std::fs::write(enc.join("model.safetensors"), b"truncated download").unwrap();
    let r = run_in(models.path(), &["classify", s(&dev_call()), "--no-cache"], &env);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("corrupt"), "{}", r.stderr);
}

#[test]
fn a_head_of_another_dimension_is_a_clear_error() {
    let head = tempfile::tempdir().unwrap();
    write_head(head.path(), 768);
    let (_dir, r) = run(&["classify", s(&dev_call()), "--no-cache", "--model", s(head.path())]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("768-dimensional embeddings but the encoder gives 384"),
        "{}",
        r.stderr
    );
}

#[test]
fn labels_that_name_no_question_read_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.jsonl");
    let line = r#"{"id":"0000000000000000","text_hash":"0000000000000000","label":"other","annotator":"t","at":"2026-01-01T00:00:00Z"}"#;
    std::fs::write(&labels, format!("{line}\n")).unwrap();
    for cmd in ["train", "eval"] {
        let r = run_in(
            dir.path(),
            &[cmd, "--labels", s(&labels), s(&dev_call()), "--no-cache"],
            &[],
        );
        assert_eq!(r.code, 2, "{cmd}: nothing to train on");
        assert!(
            r.stderr
                .contains("1 labeled ids not among the questions read: 0000000000000000"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("none of the 1 labeled ids"), "{}", r.stderr);
    }
}

/// The labels in labels/ over the corpus they were drawn from.
fn labeled_run(dir: &Path, args: &[&str]) -> Run {
    let labels = root().join("labels");
    assert!(labels.is_dir(), "labels/ holds the project's label journal");
    let (sources, cache) = (corpus().join("sources"), shared_cache());
    let mut all = vec![args[0], "--labels", s(&labels), s(&sources), "--cache-dir", s(&cache)];
    all.extend_from_slice(&args[1..]);
    let r = run_in(dir, &all, &[]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    r
}

/// Better than chance (1/3 per class) by a margin any working head clears.
const MACRO_F1_FLOOR: f64 = 0.45;

#[test]
fn train_writes_a_head_and_a_card_with_grouped_cross_validation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("models/trained");
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "Tried: nothing else yet.\n").unwrap();
    labeled_run(
        dir.path(),
        &["train", "--out", s(&out), "--folds", "3", "--notes", s(&notes)],
    );
    let card = ModelCard::load(&out).unwrap();
    let cv = card.cross_validation.as_ref().expect("train cross-validates");
    assert!(cv.method.contains("grouped by call"));
    assert!(cv.metrics.macro_f1 > MACRO_F1_FLOOR, "macro-F1 {}", cv.metrics.macro_f1);
    assert_eq!(
        cv.metrics.confusion.iter().flatten().sum::<usize>(),
        card.data.questions
    );
    assert_eq!(card.data.per_label.iter().sum::<usize>(), card.data.questions);
    // The annotators' agreement comes from the doubly labeled questions
    // in labels/, and the card says how far the head is from it.
    let agreement = card.agreement.as_ref().expect("labels/ holds doubly labeled questions");
    assert!(
        agreement.metrics.questions >= 300 && agreement.kappa > 0.5 && agreement.kappa < 1.0,
        "{agreement:?}"
    );
    assert!(agreement.metrics.macro_f1 > cv.metrics.macro_f1);
    let md = std::fs::read_to_string(out.join("card.md")).unwrap();
    assert!(md.contains("Confusion matrix") && md.contains(&card.encoder.sha256));
    assert!(
        md.contains("Cohen's kappa") && md.contains("Gap: the head's cross-validated macro-F1"),
        "{md}"
    );
    assert!(md.contains("## Notes\n\nTried: nothing else yet."), "{md}");

    let r = run_in(
        dir.path(),
        &[
            "classify",
            s(&dev_call()),
            "--model",
            s(&out),
            "--cache-dir",
            s(&shared_cache()),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().count() > 5);
}

#[test]
fn eval_reports_cross_validated_and_leave_company_out_metrics_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let r = labeled_run(dir.path(), &["eval", "--json", "--folds", "2"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["method"].as_str().unwrap().starts_with("2-fold"));
    assert!(
        v["metrics"]["macro_f1"].as_f64().unwrap() > MACRO_F1_FLOOR,
        "{}",
        r.stdout
    );
    assert_eq!(v["metrics"]["per_class"].as_array().unwrap().len(), 3);

    let r = labeled_run(
        dir.path(),
        &["eval", "--holdout-companies", "MSFT,AMZN,GOOG,GOOGL,META,ORCL"],
    );
    assert!(r.stdout.contains("trained without MSFT"), "{}", r.stdout);
    assert!(r.stdout.contains("macro-F1"), "{}", r.stdout);
}
