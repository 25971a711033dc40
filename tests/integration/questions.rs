//! `earnings-qa questions` on real transcripts from ../shared/corpus: what
//! each question carries, its period, and where the output goes.

use std::fs;
use std::io::BufRead;
use std::process::Stdio;

use crate::test::{Output, Test};
use crate::{s, source};

pub const CAPIQ: &str = "vanillefatale/3Q25/ALAB_3Q25_translated_output.txt";
pub const MOTLEYFOOL: &str = "la83la/VMW_q3_2022.txt";

/// `earnings-qa questions ARGS`.
pub fn questions() -> Test {
    Test::new().arg("questions")
}

#[test]
fn capiq_call_yields_each_analysts_questions() {
    let Some(capiq) = source(CAPIQ) else { return };
    let qs = questions().args([&capiq]).run().questions();
    assert!(qs.len() >= 15, "{} questions", qs.len());
    let q = &qs[0];
    assert_eq!(q.call.ticker, "ALAB");
    assert_eq!(q.call.company, "Astera Labs, Inc.");
    assert_eq!(q.call.fiscal_period.unwrap().to_string(), "FY2025 Q3");
    assert_eq!(q.call.period_end.unwrap().to_string(), "2025-09-30");
    assert_eq!(
        q.call.calendar_quarter.map(|c| c.to_string()).as_deref(),
        Some("2025Q3")
    );
    assert_eq!(q.call.call_date.unwrap().to_string(), "2025-11-04");
    assert_eq!((q.turn, q.index), (1, 1));
    assert!(q.source.ends_with(CAPIQ));
    // Every analyst of the roster asks, with the firm; no executive or operator does.
    let mut analysts: Vec<&str> = qs.iter().map(|q| q.analyst.as_str()).collect();
    analysts.dedup();
    assert_eq!(analysts.len(), 9, "{analysts:?}");
    assert!(qs.iter().all(|q| !q.firm.is_empty()));
    // Turns are numbered 1.. without gaps; ids are unique 16-hex strings.
    let mut turns: Vec<u32> = qs.iter().map(|q| q.turn).collect();
    turns.dedup();
    assert_eq!(turns, (1..=turns.len() as u32).collect::<Vec<_>>());
    let mut ids: Vec<&str> = qs.iter().map(|q| q.id.as_str()).collect();
    assert!(ids
        .iter()
        .all(|id| id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit())));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), qs.len());
    // Greetings and thanks are left out of the questions.
    for q in &qs {
        let text = q.text.to_lowercase();
        assert!(
            !text.starts_with("thank") && !text.starts_with("congrat") && !text.starts_with("good morning"),
            "{text}"
        );
    }
}

#[test]
fn motleyfool_json_call_yields_questions_with_firms() {
    let Some(fool) = source(MOTLEYFOOL) else { return };
    let qs = questions().args([&fool]).run().questions();
    assert!(qs.len() >= 15, "{} questions", qs.len());
    assert!(qs
        .iter()
        .all(|q| q.call.ticker == "VMW" && q.call.fiscal_period.unwrap().to_string() == "FY2022 Q3"));
    assert_eq!(qs[0].analyst, "Matthew Hedberg");
    assert_eq!(qs[0].firm, "RBC Capital Markets");
    // VMware's year ends in January: FY2022 Q3 closed in October 2021.
    assert_eq!(
        qs[0].call.calendar_quarter.map(|c| c.to_string()).as_deref(),
        Some("2021Q4")
    );
    assert!(qs.iter().all(|q| !q.firm.is_empty()));
}

#[test]
fn same_input_same_ids_and_output() {
    let Some(sources) = source("") else { return };
    let (capiq, fool) = (sources.join(CAPIQ), sources.join(MOTLEYFOOL));
    let ids = |r: Output| {
        let mut v: Vec<String> = r.questions().into_iter().map(|q| q.id).collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(questions().args([&capiq, &fool]).run()),
        ids(questions().args([&fool, &capiq]).run())
    );
}

#[test]
fn calendar_quarters_for_june_may_september_january_and_december_year_ends() {
    let Some(sources) = source("") else { return };
    let cases = [
        (
            "vanillefatale/1Q25/MSFT_3Q25_translated_output.txt",
            "FY2025 Q3",
            "2025-03-31",
            "2025Q1",
        ), // June
        (
            "vanillefatale/2Q25/ORCL_1Q26_translated_output.txt",
            "FY2026 Q1",
            "2025-08-31",
            "2025Q3",
        ), // May
        (
            "vanillefatale/3Q25/AAPL_4Q25_translated_output.txt",
            "FY2025 Q4",
            "2025-09-30",
            "2025Q3",
        ), // September
        (
            "vanillefatale/3Q25/NVDA_3Q26_translated_output.txt",
            "FY2026 Q3",
            "2025-10-31",
            "2025Q4",
        ), // January
        (
            "vanillefatale/2Q25/AMZN_2Q25_translated_output.txt",
            "FY2025 Q2",
            "2025-06-30",
            "2025Q2",
        ), // December
    ];
    for (file, fiscal, end, quarter) in cases {
        let q = questions().args([sources.join(file)]).run().questions().remove(0);
        assert_eq!(
            (
                q.call.fiscal_period.unwrap().to_string().as_str(),
                q.call.period_end.map(|d| d.to_string()).as_deref(),
                q.call.calendar_quarter.map(|c| c.to_string()).as_deref()
            ),
            (fiscal, Some(end), Some(quarter)),
            "{file}"
        );
    }
}

#[test]
fn fiscal_year_end_override() {
    let Some(capiq) = source(CAPIQ) else { return };
    let r = questions().args(["--fye", "ALAB=6", s(&capiq)]).run();
    // A June year end makes "Q3 2025" close in March 2025, months before a November call:
    // the call date wins and names the quarter that fits it.
    let q = &r.questions()[0];
    assert_eq!(q.call.fiscal_period.unwrap().to_string(), "FY2026 Q1");
    assert_eq!(
        q.call.calendar_quarter.map(|c| c.to_string()).as_deref(),
        Some("2025Q3")
    );
    assert!(r.stderr.contains("trusted the call date"), "{}", r.stderr);
    questions().args(["--fye", "ALAB=13", s(&capiq)]).expect_status(2).run();
}

#[test]
fn unknown_format_name_is_an_error() {
    let Some(sources) = source("") else { return };
    let r = questions()
        .args(["--format", "nope", s(&sources.join(CAPIQ))])
        .expect_status(2)
        .run();
    assert!(r.stderr.contains("unknown format \"nope\""), "{}", r.stderr);
    questions()
        .args(["--format", "motleyfool_json_turns", s(&sources.join(MOTLEYFOOL))])
        .run();
}

#[test]
fn output_file() {
    let Some(capiq) = source(CAPIQ) else { return };
    let r = questions().args([s(&capiq), "-o", "q.jsonl"]).run();
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.read("q.jsonl").lines().count(),
        questions().args([&capiq]).run().questions().len()
    );
}

#[test]
fn an_interrupted_output_leaves_the_old_file_whole() {
    let Some(folder) = source("vanillefatale/1Q25") else {
        return;
    };
    let test = questions()
        .args([s(&folder), "-o", "q.jsonl"])
        .file("q.jsonl", "the old results\n");
    // The run is killed (file size limit) halfway through writing.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -f 16; exec "$0" "$@""#)
        .arg(crate::test::BIN)
        .args(test.command().get_args())
        .current_dir(test.path())
        .stderr(Stdio::null());
    assert!(!cmd.status().unwrap().success());
    assert_eq!(
        fs::read_to_string(test.path().join("q.jsonl")).unwrap(),
        "the old results\n"
    );
}

#[test]
fn a_write_error_names_the_file() {
    let Some(capiq) = source(CAPIQ) else { return };
    let r = questions().args(["-o", "/dev/full", s(&capiq)]).expect_status(2).run();
    assert!(r.stderr.contains("cannot write /dev/full"), "{}", r.stderr);
    let r = questions()
        .args(["-o", "/no/such/folder/q.jsonl", s(&capiq)])
        .expect_status(2)
        .run();
    assert!(
        r.stderr.contains("cannot write /no/such/folder/q.jsonl"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let Some(sources) = source("") else { return };
    let test = questions().arg(&sources);
    let mut child = test
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: one line read, then the pipe closed.
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn a_renamed_file_takes_its_ticker_from_the_opening_or_is_refused() {
    let Some(sources) = source("") else { return };
    // Broadcom's call saved under a name of the analyst's own.
    let r = questions()
        .args(["broadcom call.txt"])
        .file(
            "broadcom call.txt",
            fs::read(sources.join("asr/AVGO_2024_Q4.txt")).unwrap(),
        )
        .run();
    let q = &r.questions()[0];
    assert_eq!(
        (
            q.call.ticker.as_str(),
            q.call.fiscal_period.unwrap().to_string().as_str()
        ),
        ("AVGO", "FY2024 Q4")
    );
    assert!(
        r.stderr.contains("is not TICKER_YEAR_QUARTER, so ticker AVGO"),
        "{}",
        r.stderr
    );
    // A Motley Fool page renamed, whose company the table lacks: refused by name, not read as ticker "NOTES".
    let r = questions()
        .args(["notes.txt"])
        .file("notes.txt", fs::read(sources.join("la83la/OGE_q4_2020.txt")).unwrap())
        .expect_status(1)
        .run();
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("skipped") && r.stderr.contains("no ticker"),
        "{}",
        r.stderr
    );
}

#[test]
fn names_of_companies_and_firms_whole() {
    let Some(sources) = source("") else { return };
    // Broadcom, not its ticker; Bernstein, not a roster's "Sanford C.".
    let r = questions().args([sources.join("asr/AVGO_2024_Q4.txt")]).run();
    assert_eq!(r.questions()[0].call.company, "Broadcom Inc.");
    for file in [
        "vanillefatale/3Q25/AMD_3Q25_translated_output.txt",
        "vanillefatale/2Q25/AMAT_3Q25_translated_output.txt",
    ] {
        let firms: Vec<String> = questions()
            .args([sources.join(file)])
            .run()
            .questions()
            .into_iter()
            .map(|q| q.firm)
            .collect();
        assert!(firms.iter().any(|f| f.contains("Bernstein")), "{file}: {firms:?}");
        assert!(!firms.iter().any(|f| f == "Sanford C."), "{file}: {firms:?}");
    }
}

/// The quarter of the call's first question in a run of one file.
fn fiscal_period(run: &Output) -> String {
    run.questions()[0].call.fiscal_period.unwrap().to_string()
}

#[test]
fn the_period_is_the_one_the_call_reports_not_the_one_it_guides_for() {
    let Some(sources) = source("") else { return };
    // Broadcom's and Nvidia's fourth-quarter calls give guidance for the next
    // quarter in their opening; the call reports the fourth quarter.
    for file in ["asr/AVGO_2024_Q4.txt", "asr/NVDA_2024_Q4.txt"] {
        let r = questions().args([sources.join(file)]).run();
        assert_eq!(fiscal_period(&r), "FY2024 Q4", "{file}");
        assert!(!r.stderr.contains("note"), "{}", r.stderr);
    }
    // A Motley Fool file named a year late: its opening says Q4 2019, and
    // stderr says that the file name disagrees.
    let r = questions().args([sources.join("la83la/OGE_q4_2020.txt")]).run();
    assert_eq!(fiscal_period(&r), "FY2019 Q4");
    assert!(
        r.stderr
            .contains("file says FY2020 Q4 but the call's opening says it reports FY2019 Q4; trusted the opening"),
        "{}",
        r.stderr
    );
    // An operator who misspeaks the year: the header's label fits the call date.
    let r = questions()
        .args([sources.join("vanillefatale/4Q25/CHGG_4Q25_translated_output.txt")])
        .run();
    assert_eq!(fiscal_period(&r), "FY2025 Q4");
    assert!(r.stderr.contains("trusted the label"), "{}", r.stderr);
}

#[test]
fn a_dash_reads_a_transcript_from_standard_input() {
    let Some(capiq) = source(CAPIQ) else { return };
    let ids = |r: Output| -> Vec<String> { r.questions().into_iter().map(|q| q.id).collect() };
    let from_stdin = questions().args(["-"]).stdin(fs::read(&capiq).unwrap()).run();
    assert_eq!(ids(from_stdin), ids(questions().args([&capiq]).run()));
}
