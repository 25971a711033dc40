//! Human labels in the report: a reviewer's decision wins over the model,
//! the labels folder is found from anywhere, and bad values are refused.

use super::{decision, json_report, on_two_quarters, report, row, two_quarters, LabelSources, Report, I, O, P};
use crate::test::json_lines;
use crate::{root, source};

#[test]
fn human_labels_win_over_the_model() {
    // AAA FY2025 Q4 question 0 is `profitability` by the model; a reviewer
    // said investment, then corrected to other. Question 5 confirmed as is.
    // A decision on BBB's question 1 was made on another text: set aside.
    let journal = [
        decision("AAA-FY2025Q4-0", 0, I, 1),
        decision("AAA-FY2025Q4-0", 0, O, 2),
        decision("AAA-FY2025Q4-5", 5, I, 3),
        decision("BBB-FY2026Q2-1", 0, P, 4),
    ]
    .join("\n");
    let reviewed = || on_two_quarters().arg("c.jsonl").file("labels/review.jsonl", &journal);

    let r = json_report(reviewed());
    let aaa = row(&r, "AAA", "2025Q4");
    assert_eq!((aaa.share(P).count, aaa.share(I).count, aaa.share(O).count), (4, 1, 5));
    assert_eq!(row(&r, "BBB", "2025Q4").share(I).count, 3);
    assert_eq!(aaa.human, 2);
    assert_eq!(r.labels, LabelSources { human: 2, model: 14 });
    let table = reviewed().run();
    assert!(
        table.stdout.contains("Labels: 2 human-reviewed, 14 model-predicted."),
        "{}",
        table.stdout
    );
    assert!(
        table.stderr.contains("1 human labels set aside")
            && table.stderr.contains("BBB-FY2026Q2-1 at labels/review.jsonl:4"),
        "{}",
        table.stderr
    );

    // --labels elsewhere replaces the default folder.
    let r = json_report(reviewed().args(["--labels", "none"]).folder("none"));
    assert_eq!(row(&r, "AAA", "2025Q4").share(P).count, 5);
    reviewed().args(["--labels", "missing"]).expect_status(2).run();

    // The audit list shows which labels a human gave.
    let run = reviewed()
        .args(["--questions", "AAA,2025Q4,other", "--format", "csv"])
        .run();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "ticker,quarter,id,analyst,firm,label,by,source,text");
    assert_eq!(lines.len(), 1 + 5);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("AAA,2025Q4,AAA-FY2025Q4-0,Ann Lee,Example Securities,other,human,")),
        "{}",
        run.stdout
    );
    assert_eq!(lines.iter().filter(|l| l.contains(",model,")).count(), 4);
}

#[test]
fn questions_output_is_labeled_by_humans_first_and_the_model_only_if_needed() {
    // `questions` output: the same questions without `label` and `probs`.
    let unlabeled: Vec<String> = json_lines::<earnings_qa::aggregate::Classified>(&two_quarters())
        .iter()
        .map(|c| serde_json::to_string(&c.question).unwrap())
        .collect();
    // Every question of BBB's call reviewed: reporting BBB needs no model.
    let journal: Vec<String> = (0..4)
        .map(|i| decision(&format!("BBB-FY2026Q2-{i}"), i, P, 1))
        .collect();
    let questions = || {
        report()
            .args(["q.jsonl", "--model", "no-such-head"])
            .file("q.jsonl", unlabeled.join("\n"))
            .file("labels/review.jsonl", journal.join("\n"))
    };
    let r = json_report(questions().args(["--companies", "BBB"]));
    assert_eq!(row(&r, "BBB", "2025Q4").share(P).count, 4);
    assert_eq!(r.labels, LabelSources { human: 4, model: 0 });
    // AAA's questions have no label at all: the model is needed, and missing.
    let run = questions().expect_status(2).run();
    assert!(run.stderr.contains("no-such-head"), "{}", run.stderr);
}

#[test]
fn labels_are_found_as_the_model_is_from_any_folder() {
    let Some(call) = source("vanillefatale/1Q25/MSFT_3Q25_translated_output.txt") else {
        return;
    };
    let run_from = |dir: Option<&std::path::Path>, env: Option<&std::path::Path>| {
        let mut test = report().arg(&call).args(["--format", "json"]);
        if let Some(dir) = dir {
            test = test.current_dir(dir);
        }
        if let Some(labels) = env {
            test = test.env("EARNINGS_QA_LABELS", labels);
        }
        test
    };
    let labels = |test: crate::test::Test| test.run().json::<Report>().labels;
    let (a, b) = (run_from(Some(root()), None), run_from(None, None).run());
    let a = labels(a);
    assert_eq!(a, b.json::<Report>().labels);
    assert!(a.human > 0);
    assert!(
        b.stderr
            .contains(&format!("labels from {}", root().join("labels").display())),
        "{}",
        b.stderr
    );
    // $EARNINGS_QA_LABELS is an explicit choice: an empty folder gives no human label,
    // a missing one is an error.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(labels(run_from(None, Some(empty.path()))).human, 0);
    run_from(None, Some(&empty.path().join("nowhere")))
        .expect_status(2)
        .run();
}

#[test]
fn bad_values_are_refused_by_name() {
    // A `classify` line whose label is no label: named and left out, not relabelled by the model.
    let mut lines: Vec<String> = two_quarters().lines().map(str::to_owned).collect();
    let relabeled = lines[1].replace("\"label\":\"profitability\"", "\"label\":\"capex\"");
    assert_ne!(relabeled, lines[1]);
    lines[1] = relabeled;
    let run = report()
        .args(["c.jsonl", "--model", "no-such-head", "--format", "json"])
        .file("c.jsonl", lines.join("\n"))
        .expect_status(1)
        .run();
    assert!(
        run.stderr.contains("c.jsonl:2: skipped") && run.stderr.contains("capex"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json::<Report>().labels.model, lines.len() - 1);
    // A company's name where a ticker belongs: unknown, and the ticker suggested.
    let run = on_two_quarters()
        .args(["c.jsonl", "--companies", "Broadcom"])
        .expect_status(2)
        .run();
    assert!(
        run.stderr
            .contains("--companies Broadcom: unknown ticker; Broadcom is AVGO"),
        "{}",
        run.stderr
    );
    // Quarters the wrong way round: an error, not an empty table.
    let run = on_two_quarters()
        .args(["c.jsonl", "--from", "2026Q1", "--to", "2025Q1"])
        .expect_status(2)
        .run();
    assert!(
        run.stderr.contains("--from 2026Q1 is later than --to 2025Q1"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}
