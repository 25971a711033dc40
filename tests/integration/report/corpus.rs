//! The report on the real corpus (../shared/corpus, read where it lives):
//! one call per company and quarter, copies merged only where their
//! questions show one call, and a quiet stderr.

use earnings_qa::question::Question;

use super::{report, row, Report};
use crate::questions::questions;
use crate::{corpus, source};

#[test]
fn hyperscalers_have_one_call_per_quarter_in_the_real_corpus() {
    let Some(corpus) = corpus() else { return };
    // One command: read the whole corpus, classify the counted questions
    // (the counts checked here do not depend on the labels).
    let run = report()
        .arg(&corpus)
        .args([
            "--companies",
            "MSFT,AMZN,GOOGL,META,ORCL",
            "--from",
            "2025Q3",
            "--to",
            "2026Q1",
        ])
        .args(["--format", "json"])
        .expect_status_in(&[0, 1])
        .run();
    let r: Report = run.json();
    for quarter in ["2025Q3", "2025Q4", "2026Q1"] {
        for ticker in ["AMZN", "GOOGL", "META", "MSFT", "ORCL"] {
            let cell = row(&r, ticker, quarter);
            assert_eq!(cell.calls, 1, "{ticker} {quarter}: {cell:?}");
            assert!(cell.questions >= 5, "{ticker} {quarter}: {cell:?}");
        }
    }
    // Microsoft's fiscal year ends in June, Oracle's in May: their fiscal
    // quarters land in calendar quarters two and one quarters earlier.
    let fiscal = |ticker: &str, quarter: &str| -> &str {
        let call = r
            .calls
            .iter()
            .find(|c| c.ticker == ticker && c.quarter == quarter)
            .unwrap();
        &call.fiscal_period
    };
    for (quarter, fy) in [
        ("2025Q3", "FY2026 Q1"),
        ("2025Q4", "FY2026 Q2"),
        ("2026Q1", "FY2026 Q3"),
    ] {
        assert_eq!(fiscal("MSFT", quarter), fy);
        assert_eq!(fiscal("ORCL", quarter), fy);
    }
    // Several sources hold Microsoft's October 2025 call: one is used, the others named.
    let msft = r
        .duplicates
        .iter()
        .find(|d| d.ticker == "MSFT" && d.fiscal_period.is_some_and(|f| f.to_string() == "FY2026 Q1"));
    assert!(msft.is_some_and(|d| !d.skipped.is_empty()), "{:?}", r.duplicates);
    assert!(run.stderr.contains("MSFT FY2026 Q1: used "), "{}", run.stderr);
}

/// `earnings-qa questions` output for transcripts of ../shared/corpus/sources.
fn questions_of(sources: &std::path::Path, files: &[&str]) -> Vec<Question> {
    questions()
        .args(files.iter().map(|f| sources.join(f)))
        .run()
        .questions()
}

#[test]
fn files_of_one_period_merge_only_where_their_questions_show_one_call() {
    let Some(sources) = source("") else { return };
    // Texas Instruments' first-quarter 2025 call from two sources, speech-to-text
    // and an edited transcript: no question id in common, most of the wording.
    let txn = questions_of(
        &sources,
        &[
            "asr/TXN_2025_Q1.txt",
            "vanillefatale/1Q25/TXN_1Q25_translated_output.txt",
        ],
    );
    // Broadcom's fourth-quarter fiscal 2024 call under FY2025 Q1, as an older
    // build labelled it, beside the real FY2025 Q1 call: two calls, both counted.
    let q1 = questions_of(&sources, &["asr/AVGO_2025_Q1.txt"]);
    let mut q4 = questions_of(&sources, &["asr/AVGO_2024_Q4.txt"]);
    for q in &mut q4 {
        q.call.fiscal_period = q1[0].call.fiscal_period;
        q.call.period_end = q1[0].call.period_end;
        q.call.calendar_quarter = q1[0].call.calendar_quarter;
    }
    let lines: Vec<String> = txn
        .iter()
        .chain(&q1)
        .chain(&q4)
        .map(|q| serde_json::to_string(q).unwrap())
        .collect();
    let run = report()
        .args(["q.jsonl", "--format", "json"])
        .file("q.jsonl", lines.join("\n"))
        .run();
    let r: Report = run.json();
    let quarter = |q: &Question| q.call.calendar_quarter.unwrap().to_string();
    assert_eq!(row(&r, "TXN", &quarter(&txn[0])).calls, 1);
    assert!(run.stderr.contains("TXN FY2025 Q1: used "), "{}", run.stderr);
    assert_eq!(row(&r, "AVGO", &quarter(&q1[0])).calls, 2);
    assert!(
        run.stderr
            .contains("AVGO FY2025 Q1: 2 files whose questions differ are counted as different calls"),
        "{}",
        run.stderr
    );
}

#[test]
fn stderr_is_quiet_and_about_the_companies_asked_for() {
    let Some(folder) = source("vanillefatale/1Q25") else {
        return;
    };
    let run = |extra: &[&str], status: i32| {
        report()
            .arg(&folder)
            .args(["--companies", "MSFT", "--format", "json"])
            .args(extra)
            .expect_status(status)
            .run()
    };
    let loud = run(&[], 1);
    // Other companies' notes and skips are counted, not listed.
    let about_files: Vec<&str> = loud.stderr.lines().filter(|l| l.contains("1Q25/")).collect();
    assert!(about_files.iter().all(|l| l.contains("MSFT_")), "{about_files:?}");
    assert!(
        loud.stderr.contains("about other companies not shown"),
        "{}",
        loud.stderr
    );
    // --quiet: nothing but the result; the exit code still says that files were skipped.
    let quiet = run(&["--quiet"], 1);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, loud.stdout);
    // A chart of a type that cannot be drawn: refused before anything is read.
    let r = run(&["--chart", "chart.jpg"], 2);
    assert!(r.stderr.contains("chart.jpg"), "{}", r.stderr);
    assert!(!r.stderr.contains("files read"), "{}", r.stderr);
}
