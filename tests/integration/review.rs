//! `earnings-qa review` driven in a real pseudo-terminal: keys go in as a
//! person types them, the screen is read back through a terminal emulator,
//! and the labels file is checked line by line. Input: the `classify`
//! output of the repo's own `corpus/`, made once by the real binary.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use earnings_qa::aggregate::Classified;
use earnings_qa::labels::{Decision, Journal, Label};

use crate::pty::{flat, total, Term};
use crate::test::{json_lines, Test};
use crate::{root, source};

/// `classify PATH` by the real encoder and the frozen-encoder head the
/// sessions below were written against (its embeddings cached in the
/// repo's .cache), once per PATH for the whole run; absolute sources, so
/// that review finds the transcripts again.
fn classify(path: &Path, name: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!("earnings-qa-review-{}-{name}.jsonl", std::process::id()));
    Test::new()
        .arg("classify")
        .arg(path)
        .args(["--model", "models/minilm-frozen"])
        .arg("-o")
        .arg(&out)
        .current_dir(root())
        .run();
    out
}

/// The repo's own `corpus/`: 50 questions counted.
fn classified() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| classify(&root().join("corpus"), "corpus"))
}

/// A real call (train split) whose one question runs to some 5,000
/// characters, and whose replies are long.
fn long_call() -> Option<&'static Path> {
    static FILE: OnceLock<Option<PathBuf>> = OnceLock::new();
    let file = FILE.get_or_init(|| Some(classify(&source("la83la/ENV_q4_2020.txt")?, "long")));
    file.as_deref()
}

fn read_classified(path: &Path) -> Vec<Classified> {
    json_lines(&std::fs::read_to_string(path).unwrap())
}

/// `review INPUT --annotator tester --labels labels EXTRA` in `dir`.
fn review_of(input: &Path, dir: &Path, extra: &[&str], rows: u16, cols: u16) -> Term {
    let test = Test::new()
        .arg("review")
        .arg(input)
        .args(["--annotator", "tester", "--labels", "labels"])
        .args(extra)
        .current_dir(dir);
    Term::spawn(test.pty_command(), rows, cols)
}

/// `review` of the corpus/ questions.
fn review(dir: &Path, extra: &[&str], rows: u16, cols: u16) -> Term {
    review_of(classified(), dir, extra, rows, cols)
}

fn decisions(dir: &Path) -> Vec<Decision> {
    json_lines(&std::fs::read_to_string(dir.join("labels/tester.jsonl")).unwrap())
}

fn labels_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("labels")).unwrap();
    dir
}

#[test]
fn every_key_decides_undoes_skips_flags_notes_helps_and_quits() {
    let dir = labels_dir();
    let mut t = review(dir.path(), &["--order", "call"], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    t.key_then_done("1", 1, n);
    t.key_then_done("i", 2, n);
    t.key_then_done("3", 3, n);
    t.key_then_done("p", 4, n);
    t.key_then_done("2", 5, n);
    t.key_then_done("o", 6, n);
    t.key_then_done("\r", 7, n);
    t.keys("s");
    t.wait_for(&format!("9/{n} · turn"));
    t.key_then_done("f", 8, n);
    t.keys("n");
    t.wait_for("Note (Enter keeps");
    t.keys("rule 4: payback\r");
    t.wait_for("Note for the next decision: rule 4: payback");
    t.key_then_done("2", 9, n);
    // Undo twice, back across two questions, then decide again.
    t.key_then_done("u", 8, n);
    t.key_then_done("u", 7, n);
    t.wait_for(&format!("9/{n} · turn"));
    t.key_then_done("3", 8, n);
    t.keys("?");
    let help = t.wait_for("Classes (labeling guidelines)");
    assert!(help.contains("investment: how much is being built"), "{help}");
    t.keys("x");
    t.wait_for(" 8/");
    t.keys("q");
    let (code, out) = t.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("This session: 8 decisions"), "{out}");
    // What changed, per label and per report cell, and what to run next.
    assert!(
        out.contains("The model's label was right on 4 of the 8 questions decided (4 changed)."),
        "{out}"
    );
    assert!(out.contains("  AMZN 2025Q4: investment -1, other +1\r\n"), "{out}");
    assert!(
        out.contains("earnings-qa train --labels labels") && out.contains("--out models/tester"),
        "{out}"
    );
    assert!(
        out.contains("earnings-qa report") && out.contains("--model models/tester"),
        "{out}"
    );

    let d = decisions(dir.path());
    let labels: Vec<Label> = d[..7].iter().map(|d| d.label).collect();
    use Label::*;
    assert_eq!(
        labels,
        [
            Profitability,
            Investment,
            Other,
            Profitability,
            Investment,
            Other,
            d[6].label
        ]
    );
    assert!(d[7].flag, "f flags: {:?}", d[7]);
    assert_eq!(
        (d[8].label, d[8].note.as_deref()),
        (Investment, Some("rule 4: payback"))
    );
    assert_eq!(d[9].undoes, Some(d[8].at), "u withdraws the last decision");
    assert_eq!(
        d[10].undoes,
        Some(d[7].at),
        "u again: the one before, on another question"
    );
    assert_eq!((d[11].id.as_str(), d[11].label), (d[7].id.as_str(), Other));
    assert_eq!(d.len(), 12);
    let (journal, bad) = Journal::load(&dir.path().join("labels")).unwrap();
    assert!(bad.is_empty());
    assert_eq!(journal.len(), 8);
    assert!(journal.decision_of(&d[8].id, "tester").is_none());
}

#[test]
fn a_restart_resumes_after_the_last_decided_question_and_sigkill_loses_nothing() {
    let dir = labels_dir();
    let mut t = review(dir.path(), &[], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    t.key_then_done("1", 1, n);
    t.keys("s");
    t.key_then_done("2", 2, n);
    t.keys("q");
    assert_eq!(t.finish().0, 0);

    let mut t = review(dir.path(), &[], 24, 80);
    t.wait_for(&format!(" 2/{n} done"));
    t.wait_for(&format!("4/{n} · turn"));
    // Keys typed ahead, then SIGKILL as soon as the last one shows as done.
    t.keys("3o1p2");
    t.wait_for(&format!(" 7/{n} done"));
    t.sigkill();
    let d = decisions(dir.path());
    assert_eq!(d.len(), 7, "{d:?}");
    let mut ids: Vec<&str> = d.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7, "each decision once");
}

#[test]
fn small_and_large_terminals_a_resize_redraws_and_long_text_wraps_and_scrolls() {
    let Some(long_call) = long_call() else { return };
    let dir = labels_dir();
    let questions: Vec<_> = read_classified(long_call).into_iter().map(|c| c.question).collect();
    let longest = (0..questions.len()).max_by_key(|&i| questions[i].text.len()).unwrap();
    let words: Vec<&str> = questions[longest].text.split_whitespace().collect();
    let (first, last) = (words[..4].join(" "), words[words.len() - 3..].join(" "));
    let mut t = review_of(long_call, dir.path(), &["--order", "call"], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    for _ in 0..longest {
        t.keys("s");
    }
    let position = format!("{}/{n} · turn", longest + 1);
    let screen = t.wait_until("the long question", |s| {
        s.contains(&position) && s.contains("↓ more below") && s.contains("1/p 2/i 3/o label")
    });
    // 80x24: the question wraps within the width, the keys still show, and
    // the end of the question is further down.
    assert!(
        flat(&screen).contains(&first) && !flat(&screen).contains(&last),
        "{screen}"
    );
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
    for _ in 0..10 {
        t.keys("\x1b[6~"); // PageDown
    }
    let screen = t.wait_for(&last);
    assert!(!flat(&screen).contains(&first), "scrolled past the start:\n{screen}");

    // A large terminal: the redraw fills it, the whole question fits.
    t.settle(Duration::from_millis(300));
    t.resize(60, 200);
    let big = t.wait_until("the whole question", |s| {
        flat(s).contains(&first) && flat(s).contains(&last) && s.contains("1/p 2/i 3/o label")
    });
    assert!(big.lines().any(|l| l.chars().count() > 100), "{big}");
    // The whole reply on request, read again from the transcript: on a
    // later question whose reply was cut to its opening 64 words.
    let reply_words = |i: usize| questions[i].reply.split_whitespace().count();
    let cut = (longest + 1..questions.len())
        .find(|&i| reply_words(i) == 64)
        .expect("a long reply");
    for _ in longest..cut {
        t.keys("s");
    }
    t.wait_for(&format!("{}/{n} · turn", cut + 1));
    t.keys("r");
    let whole = flat(&t.wait_until("the whole reply", |s| {
        s.contains("── Whole reply") && s.contains("Model: ")
    }));
    let (_, body) = whole.split_once("── Whole reply (r: opening)").unwrap();
    let (body, _) = body.split_once("Model: ").unwrap();
    assert!(body.split_whitespace().count() > 64, "{body}");
    // Back to 80x24: the status line is whole again.
    t.settle(Duration::from_millis(300));
    t.resize(24, 80);
    t.wait_for(" 0/26 done · session P 0 I 0 O 0 · model changed 0 · flagged 0 · tester");
    t.keys("q");
    assert_eq!(t.finish().0, 0);
}

#[test]
fn bad_labels_lines_are_named_and_kept_and_an_unwritable_file_stops_review() {
    let dir = labels_dir();
    let id = read_classified(classified()).remove(0).question.id;
    let line = |label: &str, hash: &str| {
        format!(
            "{{\"id\": \"{id}\", \"text_hash\": \"{hash}\", \"label\": \"{label}\", \"annotator\": \"tester\", \"at\": \"2026-01-01T00:00:00Z\"}}"
        )
    };
    // A stale id (the text changed since), an unknown label, a torn last line.
    let stale = line("investment", "0000000000000000");
    let torn = line("other", "1111");
    let text = format!("{stale}\n{}\n{}", line("capex", "x"), &torn[..50]);
    let file = dir.path().join("labels/tester.jsonl");
    std::fs::write(&file, &text).unwrap();
    let mut t = review(dir.path(), &["--order", "call"], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    t.key_then_done("2", 1, n);
    t.keys("q");
    let (code, out) = t.finish();
    assert_eq!(code, 1, "bad lines make the run partial: {out}");
    assert!(
        out.contains("labels/tester.jsonl:2: skipped, not a label decision: unknown label \"capex\""),
        "{out}"
    );
    assert!(out.contains("labels/tester.jsonl:3: skipped, cut short"), "{out}");
    assert!(
        out.contains("1 human labels set aside") && out.contains("labels/tester.jsonl:1"),
        "{out}"
    );
    // Nothing rewritten: the old bytes, then the new decision on a line of its own.
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.starts_with(&text), "{after}");
    let new: Decision = serde_json::from_str(after[text.len()..].trim()).unwrap();
    assert_eq!(new.label, Label::Investment);

    // A labels file that cannot be written: review refuses to start.
    let dir = labels_dir();
    std::fs::create_dir(dir.path().join("labels/tester.jsonl")).unwrap();
    let t = review(dir.path(), &[], 24, 80);
    let (code, out) = t.finish();
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("cannot write decisions to labels/tester.jsonl"), "{out}");

    // A device in its place (here one where every write fails): refused too.
    let dir = labels_dir();
    std::os::unix::fs::symlink("/dev/full", dir.path().join("labels/tester.jsonl")).unwrap();
    let (code, out) = review(dir.path(), &[], 24, 80).finish();
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("labels/tester.jsonl: not a regular file"), "{out}");
}

/// `agreement` on the shipped labels, and between a review and the model.
#[test]
fn agreement_between_annotators_and_against_the_model() {
    let run = |dir: &Path, args: &[&str], statuses: &[i32]| {
        let out = Test::new().args(args).current_dir(dir).expect_status_in(statuses).run();
        out.stdout
    };
    let out = run(root(), &["agreement"], &[0]);
    // What the model card is given (`card::Agreement`), printed.
    let (journal, _) = Journal::load(&root().join("labels")).unwrap();
    let expected = earnings_qa::model::card::Agreement::of(&journal).unwrap();
    let head = format!(
        "{} questions both decided\nCohen's kappa {:.3}",
        expected.metrics.questions, expected.kappa
    );
    assert!(out.contains(&head), "{out}");
    let out = run(root(), &["agreement", "--annotators", "ann-1,ann-2"], &[0, 1, 2]);
    assert!(out.contains("Confusion matrix (rows: ann-1, columns: ann-2)"), "{out}");

    let dir = labels_dir();
    let mut t = review(dir.path(), &["--order", "call"], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    for (i, key) in ["\r", "\r", "\r", "\r"].iter().enumerate() {
        t.key_then_done(key, i + 1, n);
    }
    t.keys("q");
    t.finish();
    let input = classified().to_str().unwrap();
    let out = run(
        dir.path(),
        &["agreement", "--annotators", "tester", "--vs-model", input],
        &[0],
    );
    assert!(
        out.contains("tester vs model: 4 questions both decided\nCohen's kappa 1.000, agreement 100.0%"),
        "{out}"
    );
}

/// `--only`, `--order random --seed` and transcripts as input (the model
/// run through the pipeline, its embeddings cached by `classified()`).
#[test]
fn filters_a_seeded_sample_and_transcripts_in() {
    classified();
    let dir = labels_dir();
    // The question shown first, and quit.
    let first = |extra: &[&str]| {
        let mut t = review(dir.path(), extra, 24, 80);
        let screen = t.wait_until("a question", |s| {
            s.contains(" · turn ") && s.contains(" done · session")
        });
        t.keys("q");
        assert_eq!(t.finish().0, 0);
        screen.lines().nth(1).unwrap().to_owned()
    };
    // The report counts 10 questions of corpus/ as other (5 a quarter).
    assert!(first(&["--only", "other"]).starts_with("1/10 · turn"));
    let seeded = ["--order", "random", "--seed", "7"];
    assert_eq!(first(&seeded), first(&seeded), "a seed draws the same sample");

    let cache = root().join(".cache/earnings-qa");
    let mut t = review_of(
        &root().join("corpus"),
        dir.path(),
        &["--cell", "AMZN,2025Q4", "--cache-dir", cache.to_str().unwrap()],
        24,
        80,
    );
    t.wait_for(" 0/6 done");
    t.keys("q");
    let (code, out) = t.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the model labeled 50 questions"), "{out}");
}
