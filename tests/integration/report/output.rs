//! The report's forms: table, CSV, JSON and Markdown that agree, charts,
//! the questions behind a cell, and bad input named.

use super::{json_report, jsonl, on_two_quarters, report, Call, Listed, Report, I, O, P};
use crate::source;

#[test]
fn questions_lists_the_cell_behind_a_number() {
    let list: Vec<Listed> = on_two_quarters()
        .args(["c.jsonl", "--questions", "ALL,2025Q4,investment", "--format", "json"])
        .run()
        .json();
    let ids: Vec<&str> = list.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        ["AAA-FY2025Q4-5", "BBB-FY2026Q2-0", "BBB-FY2026Q2-1", "BBB-FY2026Q2-2"]
    );
    let run = on_two_quarters().args(["c.jsonl", "--questions", "BBB,2025Q4"]).run();
    assert!(run.stdout.ends_with("4 questions\n"), "{}", run.stdout);
    assert!(run.stdout.contains("Illustrative question 3?"));
    on_two_quarters()
        .args(["c.jsonl", "--questions", "BBB"])
        .expect_status(2)
        .run();
}

/// A data row of the text table: quarter, ticker, calls, analysts,
/// questions, then per label (count, percent, low, high).
fn parse_table_row(line: &str) -> (String, String, Vec<f64>) {
    let cleaned = line.replace(['%', '[', ']'], " ").replace('-', " ");
    let f: Vec<&str> = cleaned.split_whitespace().collect();
    (
        f[0].to_owned(),
        f[1].to_owned(),
        f[2..].iter().map(|x| x.parse().unwrap()).collect(),
    )
}

/// Splits one CSV record (quotes as RFC 4180).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[test]
fn csv_json_and_table_agree() {
    // A company name with a comma, so the CSV must quote.
    let calls = super::two_quarters().replace("BBB Corp", "BBB, Inc. \\\"B\\\"");
    let run = |format: &[&str]| report().arg("c.jsonl").args(format).file("c.jsonl", &calls).run();
    let table = run(&[]);
    let csv = run(&["--format", "csv"]);
    let json: Report = run(&["--format", "json"]).json();
    let md = run(&["--format", "markdown"]);
    assert!(
        table.stdout.lines().all(|l| l.chars().count() <= 100),
        "{}",
        table.stdout
    );

    let table_rows: Vec<_> = table
        .stdout
        .lines()
        .skip(2)
        .take_while(|l| !l.starts_with("Labels:"))
        .filter(|l| !l.trim().is_empty())
        .map(parse_table_row)
        .collect();
    let csv_lines: Vec<Vec<String>> = csv.stdout.lines().map(csv_fields).collect();
    let header = &csv_lines[0];
    let json_rows = &json.rows;
    assert_eq!(table_rows.len(), json_rows.len());
    assert_eq!(csv_lines.len() - 1, json_rows.len());
    let md_rows = md.stdout.lines().filter(|l| l.starts_with("| 20")).count();
    assert_eq!(md_rows, json_rows.len());

    for ((t, c), j) in table_rows.iter().zip(&csv_lines[1..]).zip(json_rows) {
        let col = |name: &str| &c[header.iter().position(|h| h == name).unwrap()];
        let (quarter, ticker, nums) = t;
        assert_eq!((quarter, ticker), (&j.quarter, &j.ticker));
        assert_eq!(
            (col("quarter"), col("ticker"), col("company")),
            (quarter, ticker, &j.company)
        );
        assert_eq!(col("total"), &j.total.to_string());
        for (i, (name, n)) in [("calls", j.calls), ("analysts", j.analysts), ("questions", j.questions)]
            .into_iter()
            .enumerate()
        {
            assert_eq!(nums[i], n as f64);
            assert_eq!(col(name), &n.to_string());
        }
        for (k, label) in [P, I, O].into_iter().enumerate() {
            let s = j.share(label);
            let at = 3 + 4 * k;
            assert_eq!(nums[at], s.count as f64);
            assert_eq!(col(&format!("{label}_count")), &s.count.to_string());
            for (offset, (part, x)) in [("share", s.share), ("low", s.low), ("high", s.high)]
                .into_iter()
                .enumerate()
            {
                let x = x.unwrap();
                assert_eq!(nums[at + 1 + offset], (x * 100.0).round(), "{label} {part}");
                assert!((col(&format!("{label}_{part}")).parse::<f64>().unwrap() - x).abs() < 1e-4);
            }
        }
    }
    assert!(csv.stdout.contains("\"BBB, Inc. \"\"B\"\"\""), "{}", csv.stdout);
}

#[test]
fn charts_are_valid_svg_and_png() {
    let run = on_two_quarters()
        .args(["c.jsonl", "--chart", "out.svg", "-o", "table.txt"])
        .run();
    assert!(run.stdout.is_empty());
    assert!(run.read("table.txt").starts_with("quarter"));
    let svg = run.read("out.svg");
    assert!(
        svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    for text in [
        "AI investment plan",
        "2025Q4",
        "2026Q1",
        "AAA",
        "BBB",
        "Source: earnings-call transcripts (c.jsonl)",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }

    let run = on_two_quarters().args(["c.jsonl", "--chart", "out.png"]).run();
    let decoder = png::Decoder::new(std::fs::File::open(run.path().join("out.png")).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert!(info.width >= 760 && info.height > 400);
    // Ink on the page: the dark profitability fill is there.
    assert!(pixels.chunks(3).any(|p| p == [31, 58, 104]));

    let bad = on_two_quarters()
        .args(["c.jsonl", "--chart", "out.gif"])
        .expect_status(2)
        .run();
    assert!(bad.stderr.contains(".svg or .png"), "{}", bad.stderr);
}

#[test]
fn a_chart_of_too_many_bars_is_refused() {
    let tickers: Vec<String> = (0..61).map(|i| format!("T{i:02}")).collect();
    let sources: Vec<String> = tickers
        .iter()
        .flat_map(|t| [format!("{t}-a.txt"), format!("{t}-b.txt")])
        .collect();
    let calls: Vec<Call> = tickers
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            let q3 = Call {
                ticker: t,
                fiscal: "FY2025 Q3",
                quarter: "2025Q3",
                call_date: "2025-10-29",
                source: &sources[2 * i],
                analysts: &["Ann Lee"],
                labels: &[P],
            };
            let q4 = Call {
                fiscal: "FY2025 Q4",
                quarter: "2025Q4",
                call_date: "2026-01-28",
                source: &sources[2 * i + 1],
                ..q3
            };
            [q3, q4]
        })
        .collect();
    let text = jsonl(&calls);
    let chart = || report().args(["c.jsonl", "--chart", "out.png"]).file("c.jsonl", &text);
    let run = chart().expect_status(2).run();
    assert!(run.stderr.contains("122 bars are too many"), "{}", run.stderr);
    assert!(!run.path().join("out.png").exists());
    chart().args(["--to", "2025Q3"]).run();
}

#[test]
fn bad_input_is_skipped_and_named() {
    let mut text = super::two_quarters();
    text.push_str("{\"not\": \"a question\"}\n");
    let run = report()
        .args(["c.jsonl", "notes.txt", "--format", "csv"])
        .file("c.jsonl", text)
        .file("notes.txt", "hello")
        .expect_status(1)
        .run();
    assert!(run.stderr.contains("c.jsonl:17: skipped"), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("skipped") && l.contains("notes.txt")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout.lines().count(), 1 + 5);
}

#[test]
fn a_dash_reads_json_lines_from_standard_input() {
    let expected = json_report(on_two_quarters().arg("c.jsonl"));
    let got = json_report(report().arg("-").stdin(super::two_quarters()));
    assert_eq!(got.rows, expected.rows);
}

#[test]
fn the_drill_down_fits_the_terminal_with_short_paths_and_probabilities() {
    let Some(folder) = source("vanillefatale/1Q25") else {
        return;
    };
    let out = on_two_quarters()
        .args(["c.jsonl", "--questions", "BBB,2025Q4"])
        .env("COLUMNS", "40")
        .run();
    let stdout = out.stdout;
    // Every line within the 40 columns but a word longer than the line.
    assert!(
        stdout
            .lines()
            .all(|l| l.chars().count() <= 40 || !l.trim().contains(' ')),
        "{stdout}"
    );
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("profitability 0.10, investment 0.80, other 0.10"),
        "{stdout}"
    );
    // Real files: named without the folders they share.
    let run = report()
        .arg(&folder)
        .args(["--companies", "MSFT", "--questions", "MSFT,2025Q1"])
        .expect_status_in(&[0, 1, 2])
        .run();
    assert!(
        run.stdout.contains("[MSFT_3Q25_translated_output.txt]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("shared/corpus"), "{}", run.stdout);
}
