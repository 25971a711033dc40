//! `earnings-qa report` on small classify outputs whose answers are known:
//! each test writes JSON Lines into a temp dir and runs the real binary.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

/// One call of a made-up company: `labels[i]` is question i's label;
/// analysts take turns from `analysts` names.
struct Call<'a> {
    ticker: &'a str,
    fiscal: &'a str,
    quarter: &'a str,
    call_date: &'a str,
    source: &'a str,
    analysts: &'a [&'a str],
    labels: &'a [&'a str],
}

impl Call<'_> {
    fn id(&self, i: usize) -> String {
        format!("{}-{}-{i}", self.ticker, self.fiscal.replace(' ', ""))
    }

    fn lines(&self) -> Vec<String> {
        self.labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut probs = json!({"profitability": 0.1, "investment": 0.1, "other": 0.1});
                probs[*label] = json!(0.8);
                json!({
                    "id": self.id(i), "ticker": self.ticker, "company": format!("{} Corp", self.ticker),
                    "fiscal_period": self.fiscal, "period_end": null, "calendar_quarter": self.quarter,
                    "call_date": self.call_date, "analyst": self.analysts[i % self.analysts.len()],
                    "firm": "Example Securities", "turn": i + 1, "index": 1,
                    "text": format!("Illustrative question {i}?"), "source": self.source,
                    "label": label, "probs": probs,
                })
                .to_string()
            })
            .collect()
    }
}

fn write_jsonl(dir: &Path, name: &str, calls: &[Call]) {
    let text: Vec<String> = calls.iter().flat_map(|c| c.lines()).collect();
    std::fs::write(dir.join(name), text.join("\n") + "\n").unwrap();
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn report(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("report")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json_report(dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let run = report(dir, &all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn row<'a>(report: &'a Value, ticker: &str, quarter: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ticker"] == ticker && r["quarter"] == quarter)
        .unwrap_or_else(|| panic!("no row {ticker} {quarter} in {report:#}"))
}

fn close(v: &Value, x: f64) -> bool {
    (v.as_f64().unwrap() - x).abs() < 1e-4
}

const P: &str = "profitability";
const I: &str = "investment";
const O: &str = "other";

/// Two companies in one quarter, one in the next.
fn two_quarters(dir: &Path) {
    write_jsonl(
        dir,
        "c.jsonl",
        &[
            Call {
                ticker: "AAA",
                fiscal: "FY2025 Q4",
                quarter: "2025Q4",
                call_date: "2026-01-28",
                source: "t/AAA_4Q25.txt",
                analysts: &["Ann Lee", "Bo Chan", "Cy Dorn"],
                labels: &[P, P, P, P, P, I, O, O, O, O],
            },
            Call {
                ticker: "BBB",
                fiscal: "FY2026 Q2",
                quarter: "2025Q4",
                call_date: "2025-12-10",
                source: "t/BBB_2Q26.txt",
                analysts: &["Ann Lee", "Dee Eck"],
                labels: &[I, I, I, O],
            },
            Call {
                ticker: "AAA",
                fiscal: "FY2026 Q1",
                quarter: "2026Q1",
                call_date: "2026-04-29",
                source: "t/AAA_1Q26.txt",
                analysts: &["Ann Lee"],
                labels: &[O, O],
            },
        ],
    );
}

#[test]
fn counts_shares_and_wilson_intervals() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let r = json_report(dir.path(), &["c.jsonl"]);
    assert_eq!(r["by"], "results-quarter");
    let aaa = row(&r, "AAA", "2025Q4");
    assert_eq!(
        (
            aaa["calls"].as_u64(),
            aaa["analysts"].as_u64(),
            aaa["questions"].as_u64()
        ),
        (Some(1), Some(3), Some(10))
    );
    assert_eq!(aaa["company"], "AAA Corp");
    assert_eq!(aaa["total"], false);
    // 5 of 10: Wilson [0.2366, 0.7634]; 1 of 10: [0.0179, 0.4042].
    assert_eq!(aaa[P]["count"], 5);
    assert!(close(&aaa[P]["share"], 0.5) && close(&aaa[P]["low"], 0.2366) && close(&aaa[P]["high"], 0.7634));
    assert_eq!(aaa[I]["count"], 1);
    assert!(close(&aaa[I]["low"], 0.0179) && close(&aaa[I]["high"], 0.4042));
    assert!(close(&aaa[O]["share"], 0.4));

    // The total sums calls and questions; Ann Lee asked at both companies.
    let total = row(&r, "ALL", "2025Q4");
    assert_eq!(total["total"], true);
    assert_eq!(
        (
            total["calls"].as_u64(),
            total["analysts"].as_u64(),
            total["questions"].as_u64()
        ),
        (Some(2), Some(4), Some(14))
    );
    assert_eq!(
        (
            total[P]["count"].as_u64(),
            total[I]["count"].as_u64(),
            total[O]["count"].as_u64()
        ),
        (Some(5), Some(4), Some(5))
    );
    assert!(close(&total[I]["share"], 4.0 / 14.0));

    // Rows run by quarter, companies by ticker, the total last.
    let order: Vec<String> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["quarter"].as_str().unwrap(), r["ticker"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        ["2025Q4 AAA", "2025Q4 BBB", "2025Q4 ALL", "2026Q1 AAA", "2026Q1 ALL"]
    );
    assert_eq!(r["labels"], json!({"human": 0, "model": 16}));
}

#[test]
fn quarters_follow_by_and_from_to() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    // BBB's call on 2025-12-10 and AAA's on 2026-01-28 and 2026-04-29.
    let r = json_report(dir.path(), &["c.jsonl", "--by", "call-quarter"]);
    assert_eq!(row(&r, "BBB", "2025Q4")["questions"], 4);
    assert_eq!(row(&r, "AAA", "2026Q1")["questions"], 10);
    assert_eq!(row(&r, "AAA", "2026Q2")["questions"], 2);
    let r = json_report(dir.path(), &["c.jsonl", "--by", "fiscal"]);
    assert_eq!(row(&r, "BBB", "FY2026Q2")["questions"], 4);
    let r = json_report(dir.path(), &["c.jsonl", "--from", "2026Q1", "--to", "2026Q1"]);
    assert_eq!(r["rows"].as_array().unwrap().len(), 2);
    assert_eq!(row(&r, "AAA", "2026Q1")["questions"], 2);
}

#[test]
fn listed_companies_get_a_row_in_every_quarter() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let run = report(
        dir.path(),
        &[
            "c.jsonl",
            "--companies",
            "bbb,ZZZ",
            "--from",
            "2025Q4",
            "--to",
            "2026Q1",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(row(&r, "BBB", "2025Q4")["calls"], 1);
    assert_eq!(row(&r, "BBB", "2026Q1")["calls"], 0);
    assert_eq!(row(&r, "ZZZ", "2026Q1")["calls"], 0);
    assert!(row(&r, "BBB", "2026Q1")[P]["share"].is_null());
    assert!(run.stderr.contains("no calls of ZZZ"), "{}", run.stderr);
    assert!(run.stderr.contains("--companies ZZZ: unknown ticker"), "{}", run.stderr);
    // A company's name comes from its calls outside the period too.
    let r = json_report(
        dir.path(),
        &["c.jsonl", "--companies", "BBB", "--from", "2026Q1", "--to", "2026Q1"],
    );
    assert_eq!(row(&r, "BBB", "2026Q1")["company"], "BBB Corp");
}

#[test]
fn duplicate_calls_are_counted_once_and_named() {
    let dir = tempfile::tempdir().unwrap();
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
    write_jsonl(dir.path(), "a.jsonl", &[base, fuller]);
    write_jsonl(dir.path(), "b.jsonl", &[tie, mislabeled]);
    let run = report(dir.path(), &["a.jsonl", "b.jsonl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    let aaa = row(&r, "AAA", "2025Q4");
    // Most questions wins (4 over 3 and 1); between the two with 4, the first path.
    assert_eq!(
        (
            aaa["calls"].as_u64(),
            aaa["questions"].as_u64(),
            aaa[O]["count"].as_u64()
        ),
        (Some(1), Some(4), Some(4))
    );
    assert_eq!(r["calls"][0]["source"], "vendor-a/AAA.txt");
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
    assert_eq!(r["duplicates"][0]["skipped"].as_array().unwrap().len(), 3);

    // A copy holding a human label beats copies with more questions.
    std::fs::create_dir(dir.path().join("reviewed")).unwrap();
    std::fs::write(dir.path().join("reviewed/a.jsonl"), decision("AAA-FY2025Q3-0", 0, P, 1)).unwrap();
    let r = json_report(dir.path(), &["a.jsonl", "b.jsonl", "--labels", "reviewed"]);
    assert_eq!(r["calls"][0]["source"], "vendor-d/AAA.txt");
    assert_eq!(row(&r, "AAA", "2025Q4")[P]["count"], 1);
    assert_eq!(r["labels"], json!({"human": 1, "model": 0}));
}

#[test]
fn share_classes_are_one_company_under_one_ticker() {
    let dir = tempfile::tempdir().unwrap();
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
    write_jsonl(dir.path(), "c.jsonl", &[goog, googl_copy, googl_next]);
    for pick in ["GOOG", "googl"] {
        let r = json_report(dir.path(), &["c.jsonl", "--companies", pick]);
        let rows = r["rows"].as_array().unwrap();
        assert!(
            rows.iter().all(|r| r["ticker"] == "GOOGL" || r["ticker"] == "ALL"),
            "{r:#}"
        );
        assert_eq!(row(&r, "GOOGL", "2025Q3")["calls"], 1);
        assert_eq!(row(&r, "GOOGL", "2025Q3")["questions"], 2);
        assert_eq!(row(&r, "GOOGL", "2025Q4")["calls"], 1);
    }
}

/// A reviewer's decision on question `i` of a `two_quarters` call.
fn decision(id: &str, i: usize, label: &str, minute: u32) -> String {
    let hash = earnings_qa::question::text_hash(&format!("Illustrative question {i}?"));
    json!({"id": id, "text_hash": hash, "label": label, "annotator": "reviewer",
           "at": format!("2026-01-01T00:{minute:02}:00Z")})
    .to_string()
}

#[test]
fn human_labels_win_over_the_model() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    // AAA FY2025 Q4 question 0 is `profitability` by the model; a reviewer
    // said investment, then corrected to other. Question 5 confirmed as is.
    std::fs::create_dir(dir.path().join("labels")).unwrap();
    // A decision on BBB's question 1 was made on another text: set aside.
    let journal = [
        decision("AAA-FY2025Q4-0", 0, I, 1),
        decision("AAA-FY2025Q4-0", 0, O, 2),
        decision("AAA-FY2025Q4-5", 5, I, 3),
        decision("BBB-FY2026Q2-1", 0, P, 4),
    ];
    std::fs::write(dir.path().join("labels/review.jsonl"), journal.join("\n")).unwrap();

    let r = json_report(dir.path(), &["c.jsonl"]);
    let aaa = row(&r, "AAA", "2025Q4");
    assert_eq!(
        (
            aaa[P]["count"].as_u64(),
            aaa[I]["count"].as_u64(),
            aaa[O]["count"].as_u64()
        ),
        (Some(4), Some(1), Some(5))
    );
    assert_eq!(row(&r, "BBB", "2025Q4")[I]["count"], 3);
    assert_eq!(aaa["human"], 2);
    assert_eq!(r["labels"], json!({"human": 2, "model": 14}));
    let table = report(dir.path(), &["c.jsonl"]);
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
    std::fs::create_dir(dir.path().join("none")).unwrap();
    let r = json_report(dir.path(), &["c.jsonl", "--labels", "none"]);
    assert_eq!(row(&r, "AAA", "2025Q4")[P]["count"], 5);
    assert_eq!(report(dir.path(), &["c.jsonl", "--labels", "missing"]).code, 2);

    // The audit list shows which labels a human gave.
    let run = report(
        dir.path(),
        &["c.jsonl", "--questions", "AAA,2025Q4,other", "--format", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
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
fn questions_lists_the_cell_behind_a_number() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let run = report(
        dir.path(),
        &["c.jsonl", "--questions", "ALL,2025Q4,investment", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list: Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["AAA-FY2025Q4-5", "BBB-FY2026Q2-0", "BBB-FY2026Q2-1", "BBB-FY2026Q2-2"]
    );
    let run = report(dir.path(), &["c.jsonl", "--questions", "BBB,2025Q4"]);
    assert!(run.stdout.ends_with("4 questions\n"), "{}", run.stdout);
    assert!(run.stdout.contains("Illustrative question 3?"));
    assert_eq!(report(dir.path(), &["c.jsonl", "--questions", "BBB"]).code, 2);
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
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    // A company name with a comma, so the CSV must quote.
    let calls = std::fs::read_to_string(dir.path().join("c.jsonl"))
        .unwrap()
        .replace("BBB Corp", "BBB, Inc. \\\"B\\\"");
    std::fs::write(dir.path().join("c.jsonl"), calls).unwrap();

    let table = report(dir.path(), &["c.jsonl"]);
    let csv = report(dir.path(), &["c.jsonl", "--format", "csv"]);
    let json = json_report(dir.path(), &["c.jsonl"]);
    let md = report(dir.path(), &["c.jsonl", "--format", "markdown"]);
    assert_eq!((table.code, csv.code, md.code), (0, 0, 0));
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
    let json_rows = json["rows"].as_array().unwrap();
    assert_eq!(table_rows.len(), json_rows.len());
    assert_eq!(csv_lines.len() - 1, json_rows.len());
    let md_rows = md.stdout.lines().filter(|l| l.starts_with("| 20")).count();
    assert_eq!(md_rows, json_rows.len());

    for ((t, c), j) in table_rows.iter().zip(&csv_lines[1..]).zip(json_rows) {
        let col = |name: &str| &c[header.iter().position(|h| h == name).unwrap()];
        let (quarter, ticker, nums) = t;
        assert_eq!(
            (quarter.as_str(), ticker.as_str()),
            (j["quarter"].as_str().unwrap(), j["ticker"].as_str().unwrap())
        );
        assert_eq!(
            (col("quarter"), col("ticker"), col("company")),
            (quarter, ticker, &j["company"].as_str().unwrap().to_owned())
        );
        assert_eq!(col("total"), &j["total"].to_string());
        for (i, name) in ["calls", "analysts", "questions"].iter().enumerate() {
            assert_eq!(nums[i], j[name].as_f64().unwrap());
            assert_eq!(col(name), &j[name].to_string());
        }
        for (k, label) in [P, I, O].iter().enumerate() {
            let s = &j[label];
            let at = 3 + 4 * k;
            assert_eq!(nums[at], s["count"].as_f64().unwrap());
            assert_eq!(col(&format!("{label}_count")), &s["count"].to_string());
            for (offset, part) in ["share", "low", "high"].iter().enumerate() {
                let x = s[part].as_f64().unwrap();
                assert_eq!(nums[at + 1 + offset], (x * 100.0).round(), "{label} {part}");
                assert!((col(&format!("{label}_{part}")).parse::<f64>().unwrap() - x).abs() < 1e-4);
            }
        }
    }
    assert!(csv.stdout.contains("\"BBB, Inc. \"\"B\"\"\""), "{}", csv.stdout);
}

#[test]
fn charts_are_valid_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let run = report(dir.path(), &["c.jsonl", "--chart", "out.svg", "-o", "table.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(std::fs::read_to_string(dir.path().join("table.txt"))
        .unwrap()
        .starts_with("quarter"));
    let svg = std::fs::read_to_string(dir.path().join("out.svg")).unwrap();
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

    assert_eq!(report(dir.path(), &["c.jsonl", "--chart", "out.png"]).code, 0);
    let decoder = png::Decoder::new(std::fs::File::open(dir.path().join("out.png")).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert!(info.width >= 760 && info.height > 400);
    // Ink on the page: the dark profitability fill is there.
    assert!(pixels.chunks(3).any(|p| p == [31, 58, 104]));

    let bad = report(dir.path(), &["c.jsonl", "--chart", "out.gif"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains(".svg or .png"), "{}", bad.stderr);
}

#[test]
fn a_chart_of_too_many_bars_is_refused() {
    let dir = tempfile::tempdir().unwrap();
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
    write_jsonl(dir.path(), "c.jsonl", &calls);
    let run = report(dir.path(), &["c.jsonl", "--chart", "out.png"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("122 bars are too many"), "{}", run.stderr);
    assert!(!dir.path().join("out.png").exists());
    assert_eq!(
        report(dir.path(), &["c.jsonl", "--chart", "out.png", "--to", "2025Q3"]).code,
        0
    );
}

#[test]
fn bad_input_is_skipped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let mut text = std::fs::read_to_string(dir.path().join("c.jsonl")).unwrap();
    text.push_str("{\"not\": \"a question\"}\n");
    std::fs::write(dir.path().join("c.jsonl"), text).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let run = report(dir.path(), &["c.jsonl", "notes.txt", "--format", "csv"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
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

/// The real corpus, read where it lives (never copied into the repo).
fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

#[test]
fn hyperscalers_have_one_call_per_quarter_in_the_real_corpus() {
    // One command: read the whole corpus, classify the counted questions
    // (the counts checked here do not depend on the labels).
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let args = [
        corpus.to_str().unwrap(),
        "--companies",
        "MSFT,AMZN,GOOGL,META,ORCL",
        "--from",
        "2025Q3",
        "--to",
        "2026Q1",
    ];
    let run = report(dir.path(), &[&args[..], &["--format", "json"]].concat());
    assert_ne!(run.code, 2, "{}", run.stderr);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    for quarter in ["2025Q3", "2025Q4", "2026Q1"] {
        for ticker in ["AMZN", "GOOGL", "META", "MSFT", "ORCL"] {
            let cell = row(&r, ticker, quarter);
            assert_eq!(cell["calls"], 1, "{ticker} {quarter}: {cell}");
            assert!(cell["questions"].as_u64().unwrap() >= 5, "{ticker} {quarter}: {cell}");
        }
    }
    // Microsoft's fiscal year ends in June, Oracle's in May: their fiscal
    // quarters land in calendar quarters two and one quarters earlier.
    let fiscal = |ticker: &str, quarter: &str| -> String {
        let calls = r["calls"].as_array().unwrap();
        let call = calls
            .iter()
            .find(|c| c["ticker"] == ticker && c["quarter"] == quarter)
            .unwrap();
        call["fiscal_period"].as_str().unwrap().to_owned()
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
    let msft = r["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ticker"] == "MSFT" && d["fiscal_period"] == "FY2026 Q1");
    assert!(
        msft.is_some_and(|d| !d["skipped"].as_array().unwrap().is_empty()),
        "{}",
        r["duplicates"]
    );
    assert!(run.stderr.contains("MSFT FY2026 Q1: used "), "{}", run.stderr);
}

#[test]
fn questions_output_is_labeled_by_humans_first_and_the_model_only_if_needed() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    // `questions` output: the same lines without `label` and `probs`.
    let unlabeled: Vec<String> = std::fs::read_to_string(dir.path().join("c.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut q: Value = serde_json::from_str(l).unwrap();
            let o = q.as_object_mut().unwrap();
            o.remove("label");
            o.remove("probs");
            q.to_string()
        })
        .collect();
    std::fs::write(dir.path().join("q.jsonl"), unlabeled.join("\n")).unwrap();
    // Every question of BBB's call reviewed: reporting BBB needs no model.
    std::fs::create_dir(dir.path().join("labels")).unwrap();
    let journal: Vec<String> = (0..4)
        .map(|i| decision(&format!("BBB-FY2026Q2-{i}"), i, P, 1))
        .collect();
    std::fs::write(dir.path().join("labels/review.jsonl"), journal.join("\n")).unwrap();

    let no_model = ["--model", "no-such-head"];
    let r = json_report(
        dir.path(),
        &[&["q.jsonl", "--companies", "BBB"][..], &no_model].concat(),
    );
    assert_eq!(row(&r, "BBB", "2025Q4")[P]["count"], 4);
    assert_eq!(r["labels"], json!({"human": 4, "model": 0}));
    // AAA's questions have no label at all: the model is needed, and missing.
    let run = report(dir.path(), &[&["q.jsonl"][..], &no_model].concat());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-head"), "{}", run.stderr);
}

/// `earnings-qa questions` output for transcripts of ../shared/corpus/sources.
fn questions_of(files: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .args(files.iter().map(|f| corpus().join("sources").join(f)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn files_of_one_period_merge_only_where_their_questions_show_one_call() {
    let dir = tempfile::tempdir().unwrap();
    // Texas Instruments' first-quarter 2025 call from two sources, speech-to-text
    // and an edited transcript: no question id in common, most of the wording.
    let txn = questions_of(&[
        "asr/TXN_2025_Q1.txt",
        "vanillefatale/1Q25/TXN_1Q25_translated_output.txt",
    ]);
    // Broadcom's fourth-quarter fiscal 2024 call under FY2025 Q1, as an older
    // build labelled it, beside the real FY2025 Q1 call: two calls, both counted.
    let q1 = questions_of(&["asr/AVGO_2025_Q1.txt"]);
    let mut q4 = questions_of(&["asr/AVGO_2024_Q4.txt"]);
    for q in &mut q4 {
        for field in ["fiscal_period", "period_end", "calendar_quarter"] {
            q[field] = q1[0][field].clone();
        }
    }
    let lines: Vec<String> = txn.iter().chain(&q1).chain(&q4).map(Value::to_string).collect();
    std::fs::write(dir.path().join("q.jsonl"), lines.join("\n")).unwrap();
    let run = report(dir.path(), &["q.jsonl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    let quarter = |q: &Value| q["calendar_quarter"].as_str().unwrap().to_owned();
    assert_eq!(row(&r, "TXN", &quarter(&txn[0]))["calls"], 1);
    assert!(run.stderr.contains("TXN FY2025 Q1: used "), "{}", run.stderr);
    assert_eq!(row(&r, "AVGO", &quarter(&q1[0]))["calls"], 2);
    assert!(
        run.stderr
            .contains("AVGO FY2025 Q1: 2 files whose questions differ are counted as different calls"),
        "{}",
        run.stderr
    );
}

#[test]
fn labels_are_found_as_the_model_is_from_any_folder() {
    let call = corpus().join("sources/vanillefatale/1Q25/MSFT_3Q25_translated_output.txt");
    let args = [call.to_str().unwrap(), "--format", "json"];
    let run_from = |dir: &Path, env: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_earnings-qa"));
        cmd.arg("report")
            .args(args)
            .current_dir(dir)
            .env_remove("EARNINGS_QA_LABELS");
        if let Some(labels) = env {
            cmd.env("EARNINGS_QA_LABELS", labels);
        }
        cmd.output().unwrap()
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let elsewhere = tempfile::tempdir().unwrap();
    let (a, b) = (run_from(repo, None), run_from(elsewhere.path(), None));
    let labels = |o: &std::process::Output| {
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["labels"].clone()
    };
    assert_eq!(labels(&a), labels(&b));
    assert!(labels(&a)["human"].as_u64().unwrap() > 0);
    let stderr = String::from_utf8(b.stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!("labels from {}", repo.join("labels").display())),
        "{stderr}"
    );
    // $EARNINGS_QA_LABELS is an explicit choice: an empty folder gives no human label,
    // a missing one is an error.
    let empty = elsewhere.path().join("labels-none");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(labels(&run_from(elsewhere.path(), Some(&empty)))["human"], 0);
    let missing = run_from(elsewhere.path(), Some(&elsewhere.path().join("nowhere")));
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn bad_values_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    // A `classify` line whose label is no label: named and left out, not relabelled by the model.
    let path = dir.path().join("c.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut bad: Value = serde_json::from_str(&lines[1]).unwrap();
    bad["label"] = json!("capex");
    lines[1] = bad.to_string();
    std::fs::write(&path, lines.join("\n")).unwrap();
    let run = report(dir.path(), &["c.jsonl", "--model", "no-such-head", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("c.jsonl:2: skipped") && run.stderr.contains("capex"),
        "{}",
        run.stderr
    );
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(r["labels"]["model"], lines.len() - 1);
    // A company's name where a ticker belongs: unknown, and the ticker suggested.
    let run = report(dir.path(), &["c.jsonl", "--companies", "Broadcom"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--companies Broadcom: unknown ticker; Broadcom is AVGO"),
        "{}",
        run.stderr
    );
    // Quarters the wrong way round: an error, not an empty table.
    let run = report(dir.path(), &["c.jsonl", "--from", "2026Q1", "--to", "2025Q1"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--from 2026Q1 is later than --to 2025Q1"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn a_dash_reads_json_lines_from_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let expected = json_report(dir.path(), &["c.jsonl"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .args(["report", "-", "--format", "json"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::fs::read(dir.path().join("c.jsonl")).unwrap();
    child.stdin.take().unwrap().write_all(&lines).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["rows"], expected["rows"]);
}

#[test]
fn stderr_is_quiet_and_about_the_companies_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let folder = corpus().join("sources/vanillefatale/1Q25");
    let args = [folder.to_str().unwrap(), "--companies", "MSFT", "--format", "json"];
    let run = report(dir.path(), &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Other companies' notes and skips are counted, not listed.
    let about_files: Vec<&str> = run.stderr.lines().filter(|l| l.contains("1Q25/")).collect();
    assert!(about_files.iter().all(|l| l.contains("MSFT_")), "{about_files:?}");
    assert!(run.stderr.contains("about other companies not shown"), "{}", run.stderr);
    // --quiet: nothing but the result; the exit code still says that files were skipped.
    let quiet = report(dir.path(), &[&args[..], &["--quiet"]].concat());
    assert_eq!((quiet.code, quiet.stderr.as_str()), (1, ""));
    assert_eq!(quiet.stdout, run.stdout);
    // A chart of a type that cannot be drawn: refused before anything is read.
    let run = report(dir.path(), &[&args[..], &["--chart", "chart.jpg"]].concat());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("chart.jpg"), "{}", run.stderr);
    assert!(!run.stderr.contains("files read"), "{}", run.stderr);
}

#[test]
fn the_drill_down_fits_the_terminal_with_short_paths_and_probabilities() {
    let dir = tempfile::tempdir().unwrap();
    two_quarters(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .args(["report", "c.jsonl", "--questions", "BBB,2025Q4"])
        .current_dir(dir.path())
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
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
    let folder = corpus().join("sources/vanillefatale/1Q25");
    let run = report(
        dir.path(),
        &[
            folder.to_str().unwrap(),
            "--companies",
            "MSFT",
            "--questions",
            "MSFT,2025Q1",
        ],
    );
    assert!(
        run.stdout.contains("[MSFT_3Q25_translated_output.txt]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("shared/corpus"), "{}", run.stdout);
}
