//! `train` and `eval` as the real binary in a temp dir, on the labels in
//! labels/ over the corpus they were drawn from (../shared/corpus).

use std::path::PathBuf;

use earnings_qa::estimate::Method;
use earnings_qa::labels::{Label, Probs};
use earnings_qa::model::calibration::{scale, ClassTotals};
use earnings_qa::model::card::{Evaluation, ModelCard};
use earnings_qa::model::finetune::DELTA_FILE;
use earnings_qa::model::quantify::SharesEval;
use earnings_qa::period::canonical_ticker;

use crate::classify::{classify, dev_call};
use crate::test::Test;
use crate::{corpus, root, s};

/// An embedding cache shared by these tests, so that the corpus
/// questions are encoded once per build.
fn shared_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("earnings-qa-cache")
}

#[test]
fn labels_that_name_no_question_read_are_reported() {
    let Some(call) = dev_call() else { return };
    let line = r#"{"id":"0000000000000000","text_hash":"0000000000000000","label":"other","annotator":"t","at":"2026-01-01T00:00:00Z"}"#;
    for cmd in ["train", "eval"] {
        let r = Test::new()
            .args([cmd, "--labels", "labels.jsonl", s(&call), "--no-cache"])
            .file("labels.jsonl", format!("{line}\n"))
            .expect_status(2) // nothing to train on
            .run();
        assert!(
            r.stderr
                .contains("1 labeled ids not among the questions read: 0000000000000000"),
            "{cmd}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("none of the 1 labeled ids"), "{cmd}: {}", r.stderr);
    }
}

/// `COMMAND --labels labels/ ../shared/corpus/sources ARGS`: the labels in
/// labels/ over the corpus they were drawn from.
fn labeled(command: &str, args: &[&str]) -> Option<Test> {
    let sources = corpus()?.join("sources");
    let labels = root().join("labels");
    assert!(labels.is_dir(), "labels/ holds the project's label journal");
    Some(
        Test::new()
            .args([
                command,
                "--labels",
                s(&labels),
                s(&sources),
                "--cache-dir",
                s(&shared_cache()),
            ])
            .args(args)
            .expect_status_in(&[0, 1]),
    )
}

/// Better than chance (1/3 per class) by a margin any working head clears,
/// even trained for a third of the default epochs (which keeps the suite
/// short: these tests train seven heads on every label in labels/).
const MACRO_F1_FLOOR: f64 = 0.45;

#[test]
fn train_writes_a_head_and_a_card_with_grouped_cross_validation() {
    let Some(train) = labeled(
        "train",
        &[
            "--out",
            "models/trained",
            "--folds",
            "2",
            "--epochs",
            "100",
            "--notes",
            "notes.md",
        ],
    ) else {
        return;
    };
    let run = train.file("notes.md", "Tried: nothing else yet.\n").run();
    let out = run.path().join("models/trained");
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
    let md = run.read("models/trained/card.md");
    assert!(md.contains("Confusion matrix") && md.contains(&card.encoder.sha256));
    assert!(
        md.contains("Cohen's kappa") && md.contains("Gap: the head's cross-validated macro-F1"),
        "{md}"
    );
    assert!(md.contains("## Notes\n\nTried: nothing else yet."), "{md}");
    // The temperature is fitted on the cross-validated outputs, so it can
    // only lower their log-loss.
    let cal = card.calibration.as_ref().expect("train calibrates on its folds");
    assert!(cal.temperature > 0.2 && cal.temperature < 5.0, "{cal:?}");
    assert!(cal.after.nll <= cal.before.nll + 1e-9, "{cal:?}");
    assert!(md.contains("## Calibration") && md.contains("ECE"), "{md}");

    let r = classify()
        .arg(dev_call().unwrap())
        .args(["--model", s(&out), "--cache-dir", s(&shared_cache())])
        .run();
    assert!(r.stdout.lines().count() > 5);
}

#[test]
fn train_fine_tunes_the_encoder_and_ships_a_small_delta_that_classify_loads() {
    let Some(sources) = corpus().map(|c| c.join("sources")) else {
        return;
    };
    let labels = root().join("labels/ann-1.jsonl");
    // A frozen head for no layers.
    let train = |layers: &str| {
        Test::new()
            .args([
                "train",
                "--labels",
                s(&labels),
                s(&sources),
                "--cache-dir",
                s(&shared_cache()),
            ])
            .args(["--out", "models/tuned", "--folds", "0", "--epochs", "100"])
            .args([
                "--fine-tune-layers",
                layers,
                "--fine-tune-epochs",
                "1",
                "--checkpoints",
                "checkpoints",
            ])
            .expect_status_in(&[0, 1])
    };
    let run = train("1").run();
    assert!(
        run.stderr.contains("note: fine-tuning ignores --cache-dir"),
        "{}",
        run.stderr
    );
    let out = run.path().join("models/tuned");
    let card = ModelCard::load(&out).unwrap();
    let tuned = card
        .encoder
        .fine_tune
        .as_ref()
        .expect("the card records the fine-tuning");
    assert_eq!((tuned.options.layers, tuned.options.epochs), (1, 1));
    let size = std::fs::metadata(out.join(DELTA_FILE)).unwrap().len();
    assert!(size < 20 << 20, "{size} bytes");
    let md = run.read("models/tuned/card.md");
    assert!(
        md.contains("Fine-tuned: the top 1 layer, 1 epoch of AdamW") && md.contains(&tuned.delta_sha256),
        "{md}"
    );
    // Checkpoints of a finished run are not left behind.
    assert_eq!(std::fs::read_dir(run.path().join("checkpoints")).unwrap().count(), 0);

    // `eval --card` records its evaluation in the card of the head the
    // same settings trained, and refuses a head trained otherwise.
    let eval = |epochs: &str| {
        Test::new()
            .current_dir(run.path())
            .args([
                "eval",
                "--labels",
                s(&labels),
                s(&sources),
                "--cache-dir",
                s(&shared_cache()),
            ])
            .args(["--holdout-companies", "MSFT,AMZN,GOOGL,META,ORCL", "--epochs", epochs])
            .args([
                "--fine-tune-layers",
                "1",
                "--fine-tune-epochs",
                "1",
                "--checkpoints",
                "checkpoints",
            ])
            .args(["--card", "models/tuned"])
    };
    let r = eval("50").expect_status(2).run();
    assert!(
        r.stderr
            .contains("models/tuned: not the head this evaluation trains: its head options"),
        "{}",
        r.stderr
    );
    assert_eq!(ModelCard::load(&out).unwrap(), card);
    eval("100").expect_status_in(&[0, 1]).run();
    let recorded = ModelCard::load(&out).unwrap();
    let lco = recorded
        .leave_companies_out
        .as_ref()
        .expect("the evaluation is recorded");
    assert!(lco.method.starts_with("trained without MSFT"), "{}", lco.method);
    assert_eq!((&recorded.encoder, &recorded.data), (&card.encoder, &card.data));
    assert!(run.read("models/tuned/card.md").contains("## Leave companies out"));

    let call = dev_call().unwrap();
    let r = classify().arg(&call).args(["--model", s(&out), "--no-cache"]).run();
    assert!(r.classified().len() > 5);
    // A delta altered after training is refused, naming the file.
    std::fs::write(out.join(DELTA_FILE), b"not the delta").unwrap();
    let r = classify()
        .arg(&call)
        .args(["--model", s(&out), "--no-cache"])
        .expect_status(2)
        .run();
    assert!(
        r.stderr.contains(DELTA_FILE) && r.stderr.contains("sha256"),
        "{}",
        r.stderr
    );

    // Retrained with the same settings on the same labels, the head keeps
    // its out-of-company evaluations; trained otherwise, it drops them.
    let r = train("1").current_dir(run.path()).run();
    assert!(
        r.stderr.contains("keeps its out-of-company evaluations"),
        "{}",
        r.stderr
    );
    assert_eq!(
        ModelCard::load(&out).unwrap().leave_companies_out,
        recorded.leave_companies_out
    );
    let r = train("0").current_dir(run.path()).run();
    assert!(
        r.stderr
            .contains("its out-of-company evaluations are dropped: its fine-tuning is"),
        "{}",
        r.stderr
    );
    let frozen = ModelCard::load(&out).unwrap();
    assert_eq!((frozen.leave_companies_out, frozen.encoder.fine_tune), (None, None));
    assert!(!out.join(DELTA_FILE).exists());
}

#[test]
fn eval_reports_cross_validated_and_leave_company_out_metrics_as_json() {
    let Some(eval) = labeled("eval", &["--json", "--folds", "2", "--epochs", "100"]) else {
        return;
    };
    let r = eval.run();
    let v: Evaluation = r.json();
    assert!(v.method.starts_with("2-fold"));
    assert!(v.metrics.macro_f1 > MACRO_F1_FLOOR, "{}", r.stdout);
    assert_eq!(v.metrics.per_class.len(), 3);

    let r = labeled(
        "eval",
        &[
            "--holdout-companies",
            "MSFT,AMZN,GOOG,GOOGL,META,ORCL",
            "--epochs",
            "100",
            "--predictions",
            "predictions.jsonl",
        ],
    )
    .unwrap()
    .run();
    assert!(r.stdout.contains("trained without MSFT"), "{}", r.stdout);
    assert!(r.stdout.contains("macro-F1"), "{}", r.stdout);
    // One line per tested question, all of the held-out companies, with
    // the label, the prediction and probabilities that sum to one.
    let tested: usize = r
        .stdout
        .split("tested on their ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let lines = crate::test::json_lines::<serde_json::Value>(&r.read("predictions.jsonl"));
    assert_eq!(lines.len(), tested);
    for l in &lines {
        assert!(
            ["MSFT", "AMZN", "GOOG", "GOOGL", "META", "ORCL"].contains(&l["ticker"].as_str().unwrap()),
            "{l}"
        );
        let p = &l["probs"];
        let sum: f64 = ["profitability", "investment", "other"]
            .iter()
            .map(|k| p[k].as_f64().unwrap())
            .sum();
        assert!(
            (sum - 1.0).abs() < 1e-4 && l["label"].is_string() && l["predicted"].is_string(),
            "{l}"
        );
    }
}

#[test]
fn eval_shares_compares_every_estimate_on_the_held_out_companies_quarters() {
    let Some(eval) = labeled(
        "eval",
        &[
            "--shares",
            "--holdout-companies",
            "MSFT,AMZN,GOOGL,META,ORCL",
            "--folds",
            "2",
            "--epochs",
            "100",
            "--json",
            "--predictions",
            "predictions.jsonl",
        ],
    ) else {
        return;
    };
    let r = eval.run();
    let v: SharesEval = r.json();
    // pcc's class-total correction, fitted on the other companies'
    // calibrated out-of-company outputs, makes their mean probabilities
    // equal their labelled shares.
    let held_out = ["MSFT", "AMZN", "GOOGL", "META", "ORCL"].map(canonical_ticker);
    let (mut mean, mut labelled, mut n) = ([0.0f64; 3], [0.0f64; 3], 0.0);
    for l in crate::test::json_lines::<serde_json::Value>(&r.read("predictions.jsonl")) {
        if held_out.contains(&canonical_ticker(l["ticker"].as_str().unwrap())) {
            continue;
        }
        let p: Probs = serde_json::from_value(l["probs"].clone()).unwrap();
        let q = v.totals.apply(&scale(&p, v.calibration.temperature));
        let y: Label = l["label"].as_str().unwrap().parse().unwrap();
        (0..3).for_each(|k| mean[k] += q[k]);
        labelled[y.index()] += 1.0;
        n += 1.0;
    }
    assert!(n > 1000.0, "every labelled question gets a line: {n}");
    assert!(v.totals != ClassTotals::default(), "{:?}", v.totals);
    for k in 0..3 {
        assert!((mean[k] - labelled[k]).abs() / n < 1e-3, "{mean:?} {labelled:?}");
    }
    assert!(v.method.contains("grouped by company"), "{}", v.method);
    assert!(
        !v.cells.is_empty(),
        "the labels hold hyperscaler quarters of >= 40 questions"
    );
    for c in &v.cells {
        assert!(c.questions >= 40);
        assert!((c.labelled.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert_eq!(c.estimates.len(), Method::ALL.len());
        for (m, e) in &c.estimates {
            assert!((e.shares.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{m}: {e:?}");
            assert!(
                (0..3).all(|k| e.low[k] <= e.shares[k] && e.shares[k] <= e.high[k]),
                "{m}: {e:?}"
            );
        }
    }
    for m in &v.summary {
        assert_eq!(m.pairs, 3 * v.cells.len());
        assert!(m.close <= m.pairs && m.covered <= m.pairs && m.mean_abs_error <= m.max_abs_error);
    }
}
