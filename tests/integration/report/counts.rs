//! What the report counts: calls, analysts, questions and shares with
//! their intervals, per company and quarter; copies of one call once.

use super::{close, decision, json_report, jsonl, on_two_quarters, report, row, Call, LabelSources, I, O, P};

#[test]
fn counts_shares_and_their_intervals() {
    let r = json_report(on_two_quarters().args(["c.jsonl", "--estimate", "count"]));
    assert_eq!(r.by, "results-quarter");
    assert_eq!(r.estimate, "count");
    let aaa = row(&r, "AAA", "2025Q4");
    assert_eq!((aaa.calls, aaa.analysts, aaa.questions), (1, 3, 10));
    assert_eq!(aaa.company, "AAA Corp");
    assert!(!aaa.total);
    // 5 of 10 questions most probably profitability, each at 80%: the
    // share is 50%, and the interval spans the labels those
    // probabilities allow as well as the sampling (a Wilson interval, for
    // sampling alone, would be [24, 76]).
    let p = aaa.share(P);
    assert_eq!(p.count, 5);
    assert!(close(p.share, 0.5));
    let (lo, hi) = (p.low.unwrap(), p.high.unwrap());
    assert!((0.05..0.3).contains(&lo) && (0.65..0.95).contains(&hi), "{p:?}");
    assert_eq!(aaa.share(I).count, 1);
    assert!(aaa.share(I).low.unwrap() < 0.1 && aaa.share(I).high.unwrap() > 0.3);
    assert!(close(aaa.share(O).share, 0.4));

    // The total sums calls and questions; Ann Lee asked at both companies.
    let total = row(&r, "ALL", "2025Q4");
    assert!(total.total);
    assert_eq!((total.calls, total.analysts, total.questions), (2, 4, 14));
    assert_eq!(
        (total.share(P).count, total.share(I).count, total.share(O).count),
        (5, 4, 5)
    );
    assert!(close(total.share(I).share, 4.0 / 14.0));

    // Rows run by quarter, companies by ticker, the total last.
    let order: Vec<String> = r.rows.iter().map(|r| format!("{} {}", r.quarter, r.ticker)).collect();
    assert_eq!(
        order,
        ["2025Q4 AAA", "2025Q4 BBB", "2025Q4 ALL", "2026Q1 AAA", "2026Q1 ALL"]
    );
    assert_eq!(r.labels, LabelSources { human: 0, model: 16 });
}

#[test]
fn each_estimate_is_named_in_every_format() {
    // pcc is the default: it measured best with the default head.
    let r = json_report(on_two_quarters().arg("c.jsonl"));
    assert_eq!(r.estimate, "pcc");
    assert!(r.estimate_method.contains("probabilistic"), "{}", r.estimate_method);
    // Probabilistic classify and count under a head whose card has no
    // rates: each question's 80/10/10 averaged.
    let head = crate::model::head_dir(384);
    let r = json_report(on_two_quarters().args(["c.jsonl", "--model"]).arg(head.path()));
    let aaa = row(&r, "AAA", "2025Q4");
    assert_eq!(aaa.share(P).count, 5);
    assert!(close(aaa.share(P).share, 0.45) && close(aaa.share(I).share, 0.17) && close(aaa.share(O).share, 0.38));
    let low = aaa.share(P).low.unwrap();
    assert!(low < 0.45 && aaa.share(P).high.unwrap() > 0.45);

    let csv = on_two_quarters()
        .args(["c.jsonl", "--estimate", "pcc", "--format", "csv"])
        .run()
        .stdout;
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = header.iter().position(|c| *c == "estimate").unwrap();
    assert!(
        csv.lines().skip(1).all(|l| l.split(',').nth(column) == Some("pcc")),
        "{csv}"
    );
    let table = on_two_quarters().args(["c.jsonl", "--estimate", "pcc"]).run().stdout;
    assert!(table.contains("Shares: --estimate pcc, probabilistic"), "{table}");
    let chart = on_two_quarters()
        .args(["c.jsonl", "--estimate", "pcc", "--chart", "c.svg"])
        .run();
    assert!(chart.read("c.svg").contains("shares by pcc"));

    // The adjusting estimates need the head's cross-validated rates.
    let run = on_two_quarters()
        .args(["c.jsonl", "--estimate", "acc", "--model"])
        .arg(head.path())
        .expect_status(2)
        .run();
    assert!(
        run.stderr.contains("--estimate acc") && run.stderr.contains("rates"),
        "{}",
        run.stderr
    );
}

#[test]
fn pcc_applies_the_class_totals_of_the_heads_card() {
    // The same probabilities under four heads' cards: the shipped heads'
    // carry the class-total correction (their training gave profitability
    // and investment too much), so pcc moves share from them to `other`; a
    // card without rates sums the probabilities as they are. The report
    // says which it did.
    let pcc = |model: &std::path::Path| {
        let r = json_report(on_two_quarters().args(["c.jsonl", "--model"]).arg(model));
        let aaa = row(&r, "AAA", "2025Q4");
        let json_says = r
            .estimate_method
            .contains("with the head's class-total correction (power");
        let table = on_two_quarters().args(["c.jsonl", "--model"]).arg(model).run().stdout;
        let table_says = table.contains("\nClass totals: the head's correction of pcc, power ");
        assert_eq!(json_says, table_says, "{table}");
        ([P, I, O].map(|l| aaa.share(l).share.unwrap()), json_says)
    };
    let (plain, said) = pcc(crate::model::head_dir(384).path());
    assert!(
        close(Some(plain[0]), 0.45) && close(Some(plain[2]), 0.38) && !said,
        "{plain:?}"
    );
    for model in ["models/minilm-frozen", "models/default", "models/mpnet"] {
        let (corrected, said) = pcc(&crate::root().join(model));
        assert!(said, "{model}");
        assert!(
            corrected[0] < plain[0] - 0.02 && corrected[1] < plain[1] && corrected[2] > plain[2] + 0.02,
            "{model}: {corrected:?} against {plain:?}"
        );
        assert!(close(Some(corrected.iter().sum()), 1.0), "{corrected:?}");
    }
}

#[test]
fn quarters_follow_by_and_from_to() {
    let run = |args: &[&str]| json_report(on_two_quarters().arg("c.jsonl").args(args));
    // BBB's call on 2025-12-10 and AAA's on 2026-01-28 and 2026-04-29.
    let r = run(&["--by", "call-quarter"]);
    assert_eq!(row(&r, "BBB", "2025Q4").questions, 4);
    assert_eq!(row(&r, "AAA", "2026Q1").questions, 10);
    assert_eq!(row(&r, "AAA", "2026Q2").questions, 2);
    let r = run(&["--by", "fiscal"]);
    assert_eq!(row(&r, "BBB", "FY2026Q2").questions, 4);
    let r = run(&["--from", "2026Q1", "--to", "2026Q1"]);
    assert_eq!((r.from.as_deref(), r.to.as_deref()), (Some("2026Q1"), Some("2026Q1")));
    assert_eq!(r.rows.len(), 2);
    assert_eq!(row(&r, "AAA", "2026Q1").questions, 2);
}

#[test]
fn listed_companies_get_a_row_in_every_quarter() {
    let run = on_two_quarters()
        .args([
            "c.jsonl",
            "--companies",
            "bbb,ZZZ",
            "--from",
            "2025Q4",
            "--to",
            "2026Q1",
        ])
        .args(["--format", "json"])
        .run();
    let r: super::Report = run.json();
    assert_eq!(row(&r, "BBB", "2025Q4").calls, 1);
    assert_eq!(row(&r, "BBB", "2026Q1").calls, 0);
    assert_eq!(row(&r, "ZZZ", "2026Q1").calls, 0);
    assert!(row(&r, "BBB", "2026Q1").share(P).share.is_none());
    assert!(run.stderr.contains("no calls of ZZZ"), "{}", run.stderr);
    assert!(run.stderr.contains("--companies ZZZ: unknown ticker"), "{}", run.stderr);
    // A company's name comes from its calls outside the period too.
    let r =
        json_report(on_two_quarters().args(["c.jsonl", "--companies", "BBB", "--from", "2026Q1", "--to", "2026Q1"]));
    assert_eq!(row(&r, "BBB", "2026Q1").company, "BBB Corp");
}

#[test]
fn duplicate_calls_are_counted_once_and_named() {
    let base = Call {
        ticker: "AAA",
        fiscal: "FY2025 Q4",
        quarter: "2025Q4",
        call_date: "2026-01-28",
        source: "vendor-b/AAA.txt",
        analysts: &["Ann Lee"],
        labels: &[P, P, I],
    };
    let fuller = Call {
        source: "vendor-c/AAA.txt",
        labels: &[P, P, I, O],
        ..base
    };
    let tie = Call {
        source: "vendor-a/AAA.txt",
        labels: &[O, O, O, O],
        ..fuller
    };
    // Same call date, fiscal label misread by a source: still the same call.
    let mislabeled = Call {
        source: "vendor-d/AAA.txt",
        fiscal: "FY2025 Q3",
        labels: &[O],
        ..base
    };
    let files = || {
        report()
            .args(["a.jsonl", "b.jsonl"])
            .file("a.jsonl", jsonl(&[base, fuller]))
            .file("b.jsonl", jsonl(&[tie, mislabeled]))
    };
    let run = files().args(["--format", "json"]).run();
    let r: super::Report = run.json();
    let aaa = row(&r, "AAA", "2025Q4");
    // Most questions wins (4 over 3 and 1); between the two with 4, the first path.
    assert_eq!((aaa.calls, aaa.questions, aaa.share(O).count), (1, 4, 4));
    assert_eq!(r.calls[0].source, "vendor-a/AAA.txt");
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("used vendor-a/AAA.txt"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    for skipped in [
        "vendor-b/AAA.txt (3 questions)",
        "vendor-c/AAA.txt (4 questions)",
        "vendor-d/AAA.txt (1 question)",
    ] {
        assert!(line.contains(skipped), "{line}");
    }
    assert_eq!(r.duplicates[0].skipped.len(), 3);

    // A copy holding a human label beats copies with more questions.
    let r = json_report(
        files()
            .args(["--labels", "reviewed"])
            .file("reviewed/a.jsonl", decision("AAA-FY2025Q3-0", 0, P, 1)),
    );
    assert_eq!(r.calls[0].source, "vendor-d/AAA.txt");
    assert_eq!(row(&r, "AAA", "2025Q4").share(P).count, 1);
    assert_eq!(r.labels, LabelSources { human: 1, model: 0 });
}

#[test]
fn share_classes_are_one_company_under_one_ticker() {
    let goog = Call {
        ticker: "GOOG",
        fiscal: "FY2025 Q3",
        quarter: "2025Q3",
        call_date: "2025-10-29",
        source: "x/GOOG_3Q25.txt",
        analysts: &["Ann Lee"],
        labels: &[P, I],
    };
    let googl_copy = Call {
        ticker: "GOOGL",
        source: "y/GOOGL_Q3_2025.txt",
        labels: &[P],
        ..goog
    };
    let googl_next = Call {
        ticker: "GOOGL",
        fiscal: "FY2025 Q4",
        quarter: "2025Q4",
        call_date: "2026-02-04",
        source: "y/GOOGL_Q4_2025.txt",
        ..goog
    };
    let calls = jsonl(&[goog, googl_copy, googl_next]);
    for pick in ["GOOG", "googl"] {
        let r = json_report(report().args(["c.jsonl", "--companies", pick]).file("c.jsonl", &calls));
        assert!(
            r.rows.iter().all(|r| r.ticker == "GOOGL" || r.ticker == "ALL"),
            "{r:#?}"
        );
        assert_eq!(row(&r, "GOOGL", "2025Q3").calls, 1);
        assert_eq!(row(&r, "GOOGL", "2025Q3").questions, 2);
        assert_eq!(row(&r, "GOOGL", "2025Q4").calls, 1);
    }
}
