//! `earnings-qa questions` end to end: the real binary on real transcripts
//! from ../shared/corpus and on bad inputs made in a temp dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/sources")
        .join(rel)
}

const CAPIQ: &str = "vanillefatale/3Q25/ALAB_3Q25_translated_output.txt";
const MOTLEYFOOL: &str = "la83la/VMW_q3_2022.txt";

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Run {
    fn questions(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
            .collect()
    }

    /// The final summary line's numbers: files read, calls, questions, skipped.
    fn summary(&self) -> [usize; 4] {
        let line = self.stderr.lines().last().expect("a summary line");
        let nums: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(nums.len(), 4, "summary: {line}");
        [nums[0], nums[1], nums[2], nums[3]]
    }
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .args(args)
        .output()
        .expect("binary runs");
    Run {
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 diagnostics"),
        code: out.status.code().expect("exit code"),
    }
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn capiq_call_yields_each_analysts_questions() {
    let r = run(&[arg(&corpus(CAPIQ))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let qs = r.questions();
    assert!(qs.len() >= 15, "{} questions", qs.len());
    let q = &qs[0];
    assert_eq!(q["ticker"], "ALAB");
    assert_eq!(q["company"], "Astera Labs, Inc.");
    assert_eq!(q["fiscal_period"], "FY2025 Q3");
    assert_eq!(q["period_end"], "2025-09-30");
    assert_eq!(q["calendar_quarter"], "2025Q3");
    assert_eq!(q["call_date"], "2025-11-04");
    assert_eq!((q["turn"].as_u64(), q["index"].as_u64()), (Some(1), Some(1)));
    assert!(q["source"].as_str().unwrap().ends_with(CAPIQ));
    // Every analyst of the roster asks, with the firm; no executive or operator does.
    let mut analysts: Vec<&str> = qs.iter().map(|q| q["analyst"].as_str().unwrap()).collect();
    analysts.dedup();
    assert_eq!(analysts.len(), 9, "{analysts:?}");
    assert!(qs.iter().all(|q| !q["firm"].as_str().unwrap().is_empty()));
    // Turns are numbered 1.. without gaps; ids are unique 16-hex strings.
    let mut turns: Vec<u64> = qs.iter().map(|q| q["turn"].as_u64().unwrap()).collect();
    turns.dedup();
    assert_eq!(turns, (1..=turns.len() as u64).collect::<Vec<_>>());
    let mut ids: Vec<&str> = qs.iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert!(ids
        .iter()
        .all(|id| id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit())));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), qs.len());
    // Greetings and thanks are left out of the questions.
    for q in &qs {
        let text = q["text"].as_str().unwrap().to_lowercase();
        assert!(
            !text.starts_with("thank") && !text.starts_with("congrat") && !text.starts_with("good morning"),
            "{text}"
        );
    }
}

#[test]
fn motleyfool_json_call_yields_questions_with_firms() {
    let r = run(&[arg(&corpus(MOTLEYFOOL))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let qs = r.questions();
    assert!(qs.len() >= 15, "{} questions", qs.len());
    assert!(qs
        .iter()
        .all(|q| q["ticker"] == "VMW" && q["fiscal_period"] == "FY2022 Q3"));
    assert_eq!(qs[0]["analyst"], "Matthew Hedberg");
    assert_eq!(qs[0]["firm"], "RBC Capital Markets");
    // VMware's year ends in January: FY2022 Q3 closed in October 2021.
    assert_eq!(qs[0]["calendar_quarter"], "2021Q4");
    assert!(qs.iter().all(|q| q["firm"] != ""));
}

#[test]
fn same_input_same_ids_and_output() {
    let a = run(&[arg(&corpus(CAPIQ)), arg(&corpus(MOTLEYFOOL))]);
    let b = run(&[arg(&corpus(MOTLEYFOOL)), arg(&corpus(CAPIQ))]);
    let ids = |r: &Run| {
        let mut v: Vec<String> = r
            .questions()
            .iter()
            .map(|q| q["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn calendar_quarters_for_june_may_september_january_and_december_year_ends() {
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
        let r = run(&[arg(&corpus(file))]);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        let q = &r.questions()[0];
        assert_eq!(
            (
                q["fiscal_period"].as_str(),
                q["period_end"].as_str(),
                q["calendar_quarter"].as_str()
            ),
            (Some(fiscal), Some(end), Some(quarter)),
            "{file}"
        );
    }
}

#[test]
fn fiscal_year_end_override() {
    let r = run(&["--fye", "ALAB=6", arg(&corpus(CAPIQ))]);
    // A June year end makes "Q3 2025" close in March 2025, months before a November call:
    // the call date wins and names the quarter that fits it.
    assert_eq!(r.code, 0, "{}", r.stderr);
    let q = &r.questions()[0];
    assert_eq!(q["fiscal_period"], "FY2026 Q1");
    assert_eq!(q["calendar_quarter"], "2025Q3");
    assert!(r.stderr.contains("trusted the call date"), "{}", r.stderr);
    assert_eq!(run(&["--fye", "ALAB=13", arg(&corpus(CAPIQ))]).code, 2);
}

#[test]
fn unknown_format_name_is_an_error() {
    let r = run(&["--format", "nope", arg(&corpus(CAPIQ))]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown format \"nope\""), "{}", r.stderr);
    assert_eq!(
        run(&["--format", "motleyfool_json_turns", arg(&corpus(MOTLEYFOOL))]).code,
        0
    );
}

#[test]
fn output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q.jsonl");
    let r = run(&["-o", arg(&out), arg(&corpus(CAPIQ))]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.is_empty());
    let written = fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), run(&[arg(&corpus(CAPIQ))]).questions().len());
}

#[test]
fn an_interrupted_output_leaves_the_old_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q.jsonl");
    fs::write(&out, "the old results\n").unwrap();
    // The run is killed (file size limit) halfway through writing.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 16; exec {} questions {} -o {}",
            env!("CARGO_BIN_EXE_earnings-qa"),
            arg(&corpus("vanillefatale/1Q25")),
            arg(&out)
        ))
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
    assert_eq!(fs::read_to_string(&out).unwrap(), "the old results\n");
}

#[test]
fn a_write_error_names_the_file() {
    let r = run(&["-o", "/dev/full", arg(&corpus(CAPIQ))]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot write /dev/full"), "{}", r.stderr);
    let r = run(&["-o", "/no/such/folder/q.jsonl", arg(&corpus(CAPIQ))]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot write /no/such/folder/q.jsonl"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .arg(corpus(""))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
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

/// A transcript of our own, remarks only (not a real call).
const REMARKS_ONLY: &str = "Example Corp (EXMP) Q1 2025 Earnings Call May 1, 2025 5:00 PM ET\n\nCompany Participants\n\nPat Example - Chief Executive Officer\n\nPresentation\n\nOperator\n\nWelcome to the illustrative call.\n\nPat Example\n\nRevenue grew. Thank you all for joining; there will be no questions today.\n";

/// Bad inputs, one per file, with the words their diagnostic must hold.
fn bad_inputs(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let json = fs::read_to_string(corpus(MOTLEYFOOL)).unwrap();
    let files = [
        ("empty.txt", Vec::new(), "empty file"),
        (
            "binary.txt",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0],
            "binary file",
        ),
        (
            "remarks_only.txt",
            REMARKS_ONLY.as_bytes().to_vec(),
            "only prepared remarks",
        ),
        (
            "truncated_q3_2022.txt",
            json.as_bytes()[..json.len() / 2].to_vec(),
            "truncated JSON",
        ),
        (
            "shopping_list.txt",
            b"eggs\nmilk\nbread\n".to_vec(),
            "no known transcript layout",
        ),
    ];
    let mut out: Vec<(PathBuf, &str)> = files
        .into_iter()
        .map(|(name, bytes, why)| {
            let p = dir.join(name);
            fs::write(&p, bytes).unwrap();
            (p, why)
        })
        .collect();
    // 200 MB without writing 200 MB: a sparse file.
    let huge = dir.join("huge.txt");
    fs::File::create(&huge).unwrap().set_len(200 * 1024 * 1024).unwrap();
    out.push((huge, "over the"));
    out
}

#[test]
fn each_bad_input_gets_one_diagnostic_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    for (path, why) in bad_inputs(dir.path()) {
        let r = run(&[arg(&path)]);
        assert_eq!(r.code, 1, "{}: {}", path.display(), r.stderr);
        assert!(r.stdout.is_empty());
        let diagnostics: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("earnings-qa: skipped"))
            .collect();
        assert_eq!(diagnostics.len(), 1, "{}", r.stderr);
        assert!(
            diagnostics[0].contains(arg(&path)) && diagnostics[0].contains(why),
            "{}: {}",
            why,
            diagnostics[0]
        );
        assert_eq!(r.summary(), [1, usize::from(why == "only prepared remarks"), 0, 1]);
    }
}

#[test]
fn windows_1252_and_utf16_transcripts_read_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(corpus(CAPIQ)).unwrap();
    let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    let win = dir.path().join("win1252.txt");
    fs::write(&win, &cp1252).unwrap();
    let utf16 = dir.path().join("utf16.txt");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(&utf16, bytes).unwrap();
    // Without a BOM, in either byte order: text, not a binary file.
    let le = dir.path().join("utf16le.txt");
    fs::write(&le, text.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()).unwrap();
    let be = dir.path().join("utf16be.txt");
    fs::write(&be, text.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()).unwrap();
    let texts = |p: &Path| -> Vec<(String, String)> {
        let r = run(&[arg(p)]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.questions()
            .iter()
            .map(|q| {
                (
                    q["id"].as_str().unwrap().to_owned(),
                    q["text"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let utf8 = texts(&corpus(CAPIQ));
    assert!(!utf8.is_empty());
    assert_eq!(texts(&win), utf8);
    assert_eq!(texts(&utf16), utf8);
    assert_eq!(texts(&le), utf8);
    assert_eq!(texts(&be), utf8);
}

#[test]
fn a_renamed_file_takes_its_ticker_from_the_opening_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Broadcom's call saved under a name of the analyst's own.
    let renamed = dir.path().join("broadcom call.txt");
    fs::copy(corpus("asr/AVGO_2024_Q4.txt"), &renamed).unwrap();
    let r = run(&[arg(&renamed)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let q = &r.questions()[0];
    assert_eq!(
        (q["ticker"].as_str(), q["fiscal_period"].as_str()),
        (Some("AVGO"), Some("FY2024 Q4"))
    );
    assert!(
        r.stderr.contains("is not TICKER_YEAR_QUARTER, so ticker AVGO"),
        "{}",
        r.stderr
    );
    // A Motley Fool page renamed, whose company the table lacks: refused by name, not read as ticker "NOTES".
    let notes = dir.path().join("notes.txt");
    fs::copy(corpus("la83la/OGE_q4_2020.txt"), &notes).unwrap();
    let r = run(&[arg(&notes)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("skipped") && r.stderr.contains("no ticker"),
        "{}",
        r.stderr
    );
}

#[test]
fn names_of_companies_and_firms_whole() {
    // Broadcom, not its ticker; Bernstein, not a roster's "Sanford C.".
    let r = run(&[arg(&corpus("asr/AVGO_2024_Q4.txt"))]);
    assert_eq!(r.questions()[0]["company"], "Broadcom Inc.");
    for file in [
        "vanillefatale/3Q25/AMD_3Q25_translated_output.txt",
        "vanillefatale/2Q25/AMAT_3Q25_translated_output.txt",
    ] {
        let r = run(&[arg(&corpus(file))]);
        let firms: Vec<String> = r
            .questions()
            .iter()
            .map(|q| q["firm"].as_str().unwrap().to_owned())
            .collect();
        assert!(firms.iter().any(|f| f.contains("Bernstein")), "{file}: {firms:?}");
        assert!(!firms.iter().any(|f| f == "Sanford C."), "{file}: {firms:?}");
    }
}

#[test]
fn mixed_folder_reads_the_good_files_and_counts_everything() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_inputs(dir.path());
    let nested = dir.path().join("nested");
    fs::create_dir(&nested).unwrap();
    fs::copy(corpus(CAPIQ), nested.join("ALAB_3Q25.txt")).unwrap();
    fs::copy(corpus(MOTLEYFOOL), dir.path().join("VMW_q3_2022.txt")).unwrap();
    let good = run(&[arg(&corpus(CAPIQ)), arg(&corpus(MOTLEYFOOL))]).questions().len();

    let r = run(&[arg(dir.path())]);
    assert_eq!(r.code, 1);
    assert_eq!(r.questions().len(), good);
    for (path, _) in &bad {
        assert_eq!(
            r.stderr.lines().filter(|l| l.contains(arg(path))).count(),
            1,
            "{}",
            path.display()
        );
    }
    // Files: the good two and the bad ones; calls: the good two and the remarks-only one.
    assert_eq!(r.summary(), [bad.len() + 2, 3, good, bad.len()]);
}

/// The quarter of the call's first question in a run of one file.
fn fiscal_period(run: &Run) -> String {
    run.questions()[0]["fiscal_period"].as_str().unwrap().to_owned()
}

#[test]
fn the_period_is_the_one_the_call_reports_not_the_one_it_guides_for() {
    // Broadcom's and Nvidia's fourth-quarter calls give guidance for the next
    // quarter in their opening; the call reports the fourth quarter.
    for file in ["asr/AVGO_2024_Q4.txt", "asr/NVDA_2024_Q4.txt"] {
        let r = run(&[arg(&corpus(file))]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(fiscal_period(&r), "FY2024 Q4", "{file}");
        assert!(!r.stderr.contains("note"), "{}", r.stderr);
    }
    // A Motley Fool file named a year late: its opening says Q4 2019, and
    // stderr says that the file name disagrees.
    let r = run(&[arg(&corpus("la83la/OGE_q4_2020.txt"))]);
    assert_eq!(fiscal_period(&r), "FY2019 Q4");
    assert!(
        r.stderr
            .contains("file says FY2020 Q4 but the call's opening says it reports FY2019 Q4; trusted the opening"),
        "{}",
        r.stderr
    );
    // An operator who misspeaks the year: the header's label fits the call date.
    let r = run(&[arg(&corpus("vanillefatale/4Q25/CHGG_4Q25_translated_output.txt"))]);
    assert_eq!(fiscal_period(&r), "FY2025 Q4");
    assert!(r.stderr.contains("trusted the label"), "{}", r.stderr);
}

#[test]
fn links_are_followed_and_what_cannot_be_read_is_named() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A link to a transcript, given as the PATH: read.
    symlink(corpus("asr/AVGO_2024_Q4.txt"), d.join("AVGO_2024_Q4.txt")).unwrap();
    let r = run(&[arg(&d.join("AVGO_2024_Q4.txt"))]);
    assert_eq!(
        (r.code, r.summary()),
        (0, [1, 1, r.questions().len(), 0]),
        "{}",
        r.stderr
    );
    assert!(!r.questions().is_empty());
    // In a folder: the link read, a broken link, a FIFO and a loop each named and skipped.
    symlink(d.join("nowhere.txt"), d.join("broken.txt")).unwrap();
    assert!(Command::new("mkfifo").arg(d.join("pipe")).status().unwrap().success());
    fs::create_dir(d.join("sub")).unwrap();
    symlink("..", d.join("sub/loop")).unwrap();
    let r = run(&[arg(d)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.summary(), [4, 1, r.questions().len(), 3], "{}", r.stderr);
    for (name, why) in [("broken.txt", "broken link"), ("pipe", "FIFO"), ("loop", "link loop")] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains("skipped") && l.contains(name) && l.contains(why)),
            "{name}: {}",
            r.stderr
        );
    }
    // A FIFO given as the PATH is named, not read (reading would wait forever).
    let r = run(&[arg(&d.join("pipe"))]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("FIFO"), "{}", r.stderr);
}

#[test]
fn the_default_walk_leaves_out_hidden_and_ignored_folders() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A repository with a transcript, a build folder .gitignore names, and hidden folders.
    for sub in [".git", "target", ".cache", "calls"] {
        fs::create_dir(d.join(sub)).unwrap();
    }
    fs::write(d.join(".gitignore"), "/target\n").unwrap();
    for sub in ["target", ".cache", "calls"] {
        fs::copy(corpus(CAPIQ), d.join(sub).join("ALAB_3Q25.txt")).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .current_dir(d)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "only the summary: {stderr}");
    assert!(stderr.starts_with("earnings-qa: 1 file read, 1 call found"), "{stderr}");
}

#[test]
fn a_dash_reads_a_transcript_from_standard_input() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .args(["questions", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&fs::read(corpus(CAPIQ)).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let from_file = run(&[arg(&corpus(CAPIQ))]);
    let ids = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(ids(&String::from_utf8(out.stdout).unwrap()), ids(&from_file.stdout));
}
