//! `classify` run as the real binary in a temp dir, on transcripts read
//! from ../shared/corpus: its output, and its refusals. Needs the
//! encoder's weights (scripts/test.sh fetches them first).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use earnings_qa::labels::{Journal, Label};

use crate::test::{json_lines, Test};
use crate::{root, s, source};

/// A Google call from the `dev` split, in the capiq layout.
pub fn dev_call() -> Option<PathBuf> {
    source("vanillefatale/1Q25/GOOG_1Q25_translated_output.txt")
}

/// `earnings-qa classify ARGS`.
pub fn classify() -> Test {
    Test::new().arg("classify")
}

#[test]
fn classify_adds_a_label_and_probabilities_to_every_question() {
    let Some(call) = dev_call() else { return };
    let cache = tempfile::tempdir().unwrap();
    let expected = Test::new().arg("questions").arg(&call).run().questions();
    let classified = classify()
        .arg(&call)
        .args(["--cache-dir", s(cache.path()), "--device", "cpu"])
        .run();
    let got = classified.classified();
    assert!(expected.len() > 5, "the dev call has questions");
    assert_eq!(got.len(), expected.len());
    /// The probabilities as named in the output: one per label, no other.
    #[derive(serde::Deserialize)]
    struct Named {
        probs: BTreeMap<String, f64>,
    }
    let named: Vec<Named> = json_lines(&classified.stdout);
    let mut names: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
    names.sort_unstable();
    for ((q, c), n) in expected.iter().zip(&got).zip(&named) {
        assert_eq!(&c.question, q, "every field carried over");
        assert!(
            n.probs.keys().map(String::as_str).eq(names.iter().copied()),
            "{:?}",
            n.probs
        );
        let p = c.probs.as_array();
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
        let best = Label::ALL[(0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap()];
        assert_eq!(c.label, best);
    }
    assert!(
        classified
            .stderr
            .contains(&format!("classified {} questions in", got.len())),
        "{}",
        classified.stderr
    );

    // The second run reads every embedding from the cache and says the same.
    let again = classify().arg(&call).args(["--cache-dir", s(cache.path())]).run();
    assert_eq!(again.stdout, classified.stdout);
    let files: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one cache file for the one encoder");
}

/// The shipped MPNet head (`models/mpnet`): its tuned top layer laid over
/// the pinned weights, on a dev call whose questions it was trained on.
#[test]
fn the_mpnet_head_classifies_a_real_call_through_its_delta() {
    let Some(call) = dev_call() else { return };
    let r = classify()
        .arg(&call)
        .args(["--no-cache", "--model"])
        .arg(root().join("models/mpnet"))
        .run();
    assert!(r.stderr.contains("all-mpnet-base-v2)"), "{}", r.stderr);
    let (journal, _) = Journal::load(&root().join("labels")).unwrap();
    let pairs: Vec<(Label, Label)> = r
        .classified()
        .iter()
        .filter_map(|c| journal.final_decision(&c.question.id).map(|d| (d.label, c.label)))
        .collect();
    let agree = pairs.iter().filter(|(human, model)| human == model).count();
    assert!(
        pairs.len() >= 10 && agree * 5 >= pairs.len() * 4,
        "{agree} of {}",
        pairs.len()
    );
}

#[test]
fn no_cache_writes_no_cache() {
    let Some(call) = dev_call() else { return };
    let r = classify().arg(&call).args(["--no-cache", "-o", "out.jsonl"]).run();
    assert!(r.stdout.is_empty());
    assert!(r.read("out.jsonl").lines().count() > 5);
    assert!(!r.path().join(".cache").exists());
}

#[test]
fn an_empty_input_gives_empty_output_and_a_zero_summary() {
    let r = classify().args(["empty", "--no-cache"]).folder("empty").run();
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("classified 0 questions"), "{}", r.stderr);
}

#[cfg(not(feature = "cuda"))]
#[test]
fn device_cuda_without_the_feature_is_a_clear_error() {
    let Some(call) = dev_call() else { return };
    let r = classify().arg(&call).args(["--device", "cuda"]).expect_status(2).run();
    assert!(r.stderr.contains("without the `cuda` feature"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn missing_and_corrupt_weights_are_clear_errors() {
    let Some(call) = dev_call() else { return };
    let models = tempfile::tempdir().unwrap();
    let head = models.path().join("default");
    std::fs::create_dir(&head).unwrap();
    for f in ["head.safetensors", "vocab.json", "card.json"] {
        std::fs::copy(root().join("models/default").join(f), head.join(f)).unwrap();
    }
    let run = || {
        classify()
            .arg(&call)
            .arg("--no-cache")
            .env("EARNINGS_QA_MODELS", models.path())
            .expect_status(2)
            .run()
    };
    let r = run();
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
    let r = run();
    assert!(r.stderr.contains("corrupt"), "{}", r.stderr);

    // The weights there, the tokenizer missing: named, not called missing weights.
    std::fs::copy(
        root().join("models/all-MiniLM-L6-v2/model.safetensors"),
        enc.join("model.safetensors"),
    )
    .unwrap();
    std::fs::remove_file(enc.join("tokenizer.json")).unwrap();
    let r = run();
    assert!(
        r.stderr.contains("tokenizer.json not found") && !r.stderr.contains("weights not found"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_head_of_another_dimension_is_a_clear_error() {
    let Some(call) = dev_call() else { return };
    let head = crate::model::head_dir(768);
    let r = classify()
        .arg(&call)
        .args(["--no-cache", "--model", s(head.path())])
        .expect_status(2)
        .run();
    assert!(
        r.stderr
            .contains("768-dimensional embeddings but the encoder gives 384"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_output_or_cache_path_fails_before_any_encoding() {
    let Some(call) = dev_call() else { return };
    let r = classify()
        .arg(&call)
        .args(["--cache-dir", "cache", "-o", "no/such/folder/out.jsonl"])
        .expect_status(2)
        .run();
    assert!(
        r.stderr.contains("cannot write no/such/folder/out.jsonl"),
        "{}",
        r.stderr
    );
    assert!(!r.path().join("cache").exists(), "nothing encoded, nothing cached");
    // A cache that cannot be written: refused before encoding, the old output kept.
    let r = classify()
        .arg(&call)
        .args(["--cache-dir", "not-a-folder/cache", "-o", "out.jsonl"])
        .file("out.jsonl", "old\n")
        .file("not-a-folder", "")
        .expect_status(2)
        .run();
    assert!(r.stderr.contains("not-a-folder/cache"), "{}", r.stderr);
    assert!(!r.stderr.contains("classified"), "{}", r.stderr);
    assert_eq!(r.read("out.jsonl"), "old\n");
}

#[test]
fn the_progress_rate_has_one_decimal() {
    let Some(call) = dev_call() else { return };
    // A real terminal (script(1) gives the run a pty), where the progress bar is drawn.
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "{} classify {} --no-cache --batch-size 1 > /dev/null",
        crate::test::BIN,
        s(&call)
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
