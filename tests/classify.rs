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

    // The weights there, the tokenizer missing: named, not called missing weights.
    std::fs::copy(
        root().join("models/all-MiniLM-L6-v2/model.safetensors"),
        enc.join("model.safetensors"),
    )
    .unwrap();
    std::fs::remove_file(enc.join("tokenizer.json")).unwrap();
    let r = run_in(models.path(), &["classify", s(&dev_call()), "--no-cache"], &env);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("tokenizer.json not found") && !r.stderr.contains("weights not found"),
        "{}",
        r.stderr
    );
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

/// Better than chance (1/3 per class) by a margin any working head clears,
/// even trained for a third of the default epochs (which keeps the suite
/// short: these tests train seven heads on every label in labels/).
const MACRO_F1_FLOOR: f64 = 0.45;

#[test]
fn train_writes_a_head_and_a_card_with_grouped_cross_validation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("models/trained");
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "Tried: nothing else yet.\n").unwrap();
    labeled_run(
        dir.path(),
        &[
            "train",
            "--out",
            s(&out),
            "--folds",
            "2",
            "--epochs",
            "100",
            "--notes",
            s(&notes),
        ],
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
    let r = labeled_run(dir.path(), &["eval", "--json", "--folds", "2", "--epochs", "100"]);
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
        &[
            "eval",
            "--holdout-companies",
            "MSFT,AMZN,GOOG,GOOGL,META,ORCL",
            "--epochs",
            "100",
        ],
    );
    assert!(r.stdout.contains("trained without MSFT"), "{}", r.stdout);
    assert!(r.stdout.contains("macro-F1"), "{}", r.stdout);
}

/// The one cache file in `dir`, and its whole records.
fn cache_records(dir: &Path) -> (PathBuf, usize) {
    let file = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    let record = (16 + 4 * 384) as u64;
    let len = std::fs::metadata(&file).unwrap().len();
    assert_eq!(len % record, 0, "whole records only");
    (file, (len / record) as usize)
}

fn labels_and_probs(stdout: &str) -> Vec<(String, Vec<f64>)> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let p = Label::ALL
                .iter()
                .map(|n| v["probs"][n.name()].as_f64().expect("a number"))
                .collect();
            (v["label"].as_str().unwrap().to_owned(), p)
        })
        .collect()
}

#[test]
fn a_corrupt_cache_record_is_dropped_encoded_again_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let call = dev_call();
    let args = ["classify", s(&call), "--cache-dir", s(&cache)];
    let first = run_in(dir.path(), &args, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    // A stray write: the first record's embedding becomes NaN.
    let (file, n) = cache_records(&cache);
    let mut bytes = std::fs::read(&file).unwrap();
    for b in bytes[16..16 + 4 * 384].chunks_mut(4) {
        b.copy_from_slice(&f32::NAN.to_le_bytes());
    }
    std::fs::write(&file, bytes).unwrap();

    let second = run_in(dir.path(), &args, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("1 corrupt embedding record dropped"),
        "{}",
        second.stderr
    );
    for ((l1, p1), (l2, p2)) in labels_and_probs(&first.stdout)
        .iter()
        .zip(labels_and_probs(&second.stdout))
    {
        assert_eq!(*l1, l2);
        assert!(p1.iter().zip(&p2).all(|(a, b)| (a - b).abs() < 1e-4), "{p1:?} {p2:?}");
    }
    // Encoded again and appended: the next run finds nothing wrong.
    assert_eq!(cache_records(&cache).1, n + 1);
    let third = run_in(dir.path(), &args, &[]);
    assert!(!third.stderr.contains("corrupt"), "{}", third.stderr);
}

/// Four `dev` calls, about 65 questions.
fn dev_calls() -> Vec<PathBuf> {
    [
        "vanillefatale/1Q25/META_1Q25_translated_output.txt",
        "vanillefatale/2Q25/GOOG_2Q25_translated_output.txt",
        "asr/GOOG_2024_Q3.txt",
        "asr/META_2024_Q3.txt",
    ]
    .iter()
    .map(|f| corpus().join("sources").join(f))
    .collect()
}

#[test]
fn the_cache_keeps_the_work_of_an_interrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let calls = dev_calls();
    let mut child = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("classify")
        .args(&calls)
        .args([
            "--cache-dir",
            s(&cache),
            "--batch-size",
            "1",
            "--threads",
            "1",
            "--precision",
            "f32",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let file = cache.join(format!(
        "embeddings-{}.bin",
        &earnings_qa::model::encoder::MINILM.sha256[..16]
    ));
    // Records reach the file while the run is still encoding: some, not all.
    let record = (16 + 4 * 384) as u64;
    let first_seen = loop {
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        if len > 0 || child.try_wait().unwrap().is_some() {
            break len / record;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let (_dir, questions) = run(&[&["questions"][..], &calls.iter().map(|p| s(p)).collect::<Vec<_>>()].concat());
    let texts: std::collections::HashSet<String> = questions
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        first_seen > 0 && (first_seen as usize) < texts.len(),
        "{first_seen} of {} embeddings cached when the file first held any",
        texts.len()
    );
    assert!(cache_records(&cache).1 > 0);
}

#[test]
fn concurrent_runs_keep_each_others_records() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let calls = dev_calls();
    let children: Vec<_> = calls
        .chunks(2)
        .map(|files| {
            Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
                .arg("classify")
                .args(files)
                .args(["--cache-dir", s(&cache), "--threads", "1"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut texts = std::collections::HashSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        for l in String::from_utf8(out.stdout).unwrap().lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            texts.insert(v["text"].as_str().unwrap().to_owned());
        }
    }
    assert!(texts.len() > 40);
    assert_eq!(
        cache_records(&cache).1,
        texts.len(),
        "every question encoded is in the cache"
    );
}

#[test]
fn a_bad_output_or_cache_path_fails_before_any_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let call = dev_call();
    let r = run_in(
        dir.path(),
        &[
            "classify",
            s(&call),
            "--cache-dir",
            s(&cache),
            "-o",
            "no/such/folder/out.jsonl",
        ],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot write no/such/folder/out.jsonl"),
        "{}",
        r.stderr
    );
    assert!(!cache.exists(), "nothing encoded, nothing cached");
    // A cache that cannot be written: refused before encoding, the old output kept.
    std::fs::write(dir.path().join("out.jsonl"), "old\n").unwrap();
    std::fs::write(dir.path().join("not-a-folder"), "").unwrap();
    let r = run_in(
        dir.path(),
        &[
            "classify",
            s(&call),
            "--cache-dir",
            "not-a-folder/cache",
            "-o",
            "out.jsonl",
        ],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not-a-folder/cache"), "{}", r.stderr);
    assert!(!r.stderr.contains("classified"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap(), "old\n");
}

#[test]
fn the_progress_rate_has_one_decimal() {
    // A real terminal (script(1) gives the run a pty), where the progress bar is drawn.
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "{} classify {} --no-cache --batch-size 1 > /dev/null",
        env!("CARGO_BIN_EXE_earnings-qa"),
        s(&dev_call())
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir.path())
        .output()
        .expect("script(1) runs");
    let tty = String::from_utf8_lossy(&out.stdout);
    let rates: Vec<&str> = tty
        .split(|c: char| c.is_whitespace() || c == ']')
        .filter(|w| w.ends_with("/s") && w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert!(!rates.is_empty(), "no progress bar: {tty}");
    for r in rates {
        let digits = r.trim_end_matches("/s").split_once('.').map_or(0, |(_, d)| d.len());
        assert_eq!(digits, 1, "{r}");
    }
}
