//! Every transcript layout, read by the real binary: the repo's own
//! samples in `corpus/`. The analysts, firms and question counts asserted
//! here were checked by reading the transcripts.

use std::path::Path;

use earnings_qa::question::Question;

use crate::test::json_lines;

pub struct Read {
    pub questions: Vec<Question>,
    pub stderr: String,
    pub code: i32,
}

/// `earnings-qa questions ARGS -o out.jsonl`, whatever its exit code (the
/// tests that care assert it).
pub fn questions(args: &[&str]) -> Read {
    let out = crate::questions::questions()
        .args(args)
        .args(["-o", "out.jsonl"])
        .expect_status_in(&[0, 1, 2])
        .run();
    let text = std::fs::read_to_string(out.path().join("out.jsonl")).unwrap_or_default();
    Read {
        questions: json_lines(&text),
        stderr: out.stderr,
        code: out.status,
    }
}

fn sample(name: &str) -> String {
    crate::root().join("corpus").join(name).to_string_lossy().into_owned()
}

/// Analysts with their firms, in the order they first speak.
pub fn analysts(run: &Read) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for q in &run.questions {
        let a = (q.analyst.clone(), q.firm.clone());
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

pub fn names(run: &Read) -> Vec<String> {
    analysts(run).into_iter().map(|(a, _)| a).collect()
}

/// Questions asked in the analyst's first turn.
pub fn first_turn_questions(run: &Read, analyst: &str) -> usize {
    let turn = run.questions.iter().find(|q| q.analyst == analyst).map(|q| q.turn);
    run.questions
        .iter()
        .filter(|q| q.analyst == analyst && Some(q.turn) == turn)
        .count()
}

/// The call's date as the output writes it, or "".
pub fn date(q: &Question) -> String {
    q.call.call_date.map(|d| d.to_string()).unwrap_or_default()
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, f)| (a.to_string(), f.to_string())).collect()
}

/// One sample per layout: what it must yield.
struct Expected {
    file: &'static str,
    ticker: &'static str,
    fiscal: &'static str,
    calendar: &'static str,
    analysts: &'static [(&'static str, &'static str)],
    questions: usize,
}

/// One call written in two layouts: the same analysts in both.
const MSFT_FY2026_Q2_ANALYSTS: &[(&str, &str)] = &[
    ("Lena Okafor", "Harbor Peak Securities"),
    ("Marcus Feld", "Northgate Capital Markets"),
    ("Priya Raman", "Calder & Stone Research"),
    ("Tomas Lindqvist", "Bayview Partners"),
    ("Grace Whitmore", "Summit Ridge Securities"),
];

const SAMPLES: &[Expected] = &[
    Expected {
        file: "MSFT_FY2026_Q2_streetevents.txt",
        ticker: "MSFT",
        fiscal: "FY2026 Q2",
        calendar: "2025Q4",
        analysts: MSFT_FY2026_Q2_ANALYSTS,
        questions: 6,
    },
    Expected {
        file: "MSFT_FY2026_Q2_api.json",
        ticker: "MSFT",
        fiscal: "FY2026 Q2",
        calendar: "2025Q4",
        analysts: MSFT_FY2026_Q2_ANALYSTS,
        questions: 6,
    },
    Expected {
        file: "MSFT_2026_Q3_motleyfool.json",
        ticker: "MSFT",
        fiscal: "FY2026 Q3",
        calendar: "2026Q1",
        analysts: &[
            ("Lena Okafor", "Harbor Peak Securities"),
            ("Priya Raman", "Calder & Stone Research"),
            ("Marcus Feld", "Northgate Capital Markets"),
            ("Ben Adeyemi", "Crestline Equity"),
            ("Tomas Lindqvist", "Bayview Partners"),
        ],
        questions: 6,
    },
    Expected {
        file: "AMZN_4Q25_capiq.txt",
        ticker: "AMZN",
        fiscal: "FY2025 Q4",
        calendar: "2025Q4",
        analysts: &[
            ("Julian Park", "Redwater Securities"),
            ("Hannah Brooks", "Alder Street Capital"),
            ("Victor Osei", "Keel Harbor Partners"),
            ("Sofia Marchetti", "Pinecrest Equity Research"),
            ("Owen Gallagher", "Tideline Capital"),
        ],
        questions: 6,
    },
    Expected {
        file: "AMZN_2026_Q1_asr.txt",
        ticker: "AMZN",
        fiscal: "FY2026 Q1",
        calendar: "2026Q1",
        analysts: &[
            ("Julian Park", "Redwater Securities"),
            ("Hannah Brooks", "Alder Street Capital"),
            ("Owen Gallagher", "Tideline Capital"),
            ("Victor Osei", "Keel Harbor Partners"),
            ("Sofia Marchetti", "Pinecrest Equity Research"),
        ],
        questions: 6,
    },
    Expected {
        file: "GOOGL_Q4_2025_name_colon.txt",
        ticker: "GOOGL",
        fiscal: "FY2025 Q4",
        calendar: "2025Q4",
        analysts: &[
            ("Ethan Caldwell", "Stonebridge Research"),
            ("Maya Lindgren", "Crescent Hill Securities"),
            ("Rafael Duarte", "Oakmont Capital"),
            ("Chloe Nakamura", "Ridgeview Partners"),
            ("Liam Brennan", "Meridian Equity"),
        ],
        questions: 6,
    },
    Expected {
        file: "GOOGL_2026_Q1_motleyfool.transcript.txt",
        ticker: "GOOGL",
        fiscal: "FY2026 Q1",
        calendar: "2026Q1",
        analysts: &[
            ("Maya Lindgren", "Crescent Hill Securities"),
            ("Ethan Caldwell", "Stonebridge Research"),
            ("Hugo Marchand", "Clearwater Partners"),
            ("Chloe Nakamura", "Ridgeview Partners"),
        ],
        questions: 5,
    },
    Expected {
        file: "META_q4_2025.txt",
        ticker: "META",
        fiscal: "FY2025 Q4",
        calendar: "2025Q4",
        analysts: &[
            ("Daniel Reyes", "Eastbrook Securities"),
            ("Mei Tanaka", "Brightwater Partners"),
            ("Paul Henning", "Granite Lake Capital"),
            ("Aisha Karimi", "Westfield Research"),
        ],
        questions: 5,
    },
    Expected {
        file: "ORCL_Q2_2026_callstreet.txt",
        ticker: "ORCL",
        fiscal: "FY2026 Q2",
        calendar: "2025Q4",
        analysts: &[
            ("Noah Fischer", "Larkspur Securities LLC"),
            ("Isabel Moreno", "Fairhaven Capital Markets"),
            ("Arjun Mehta", "Blue Ridge Research Inc."),
            ("Zoe Hartmann", "Silverline Partners LP"),
        ],
        questions: 5,
    },
    Expected {
        file: "ORCL_Q3_2026_motleyfool_header.txt",
        ticker: "ORCL",
        fiscal: "FY2026 Q3",
        calendar: "2026Q1",
        analysts: &[
            ("Noah Fischer", "Larkspur Securities"),
            ("Isabel Moreno", "Fairhaven Capital Markets"),
            ("Arjun Mehta", "Blue Ridge Research"),
            ("Zoe Hartmann", "Silverline Partners"),
        ],
        questions: 5,
    },
];

#[test]
fn every_sample_yields_its_analysts_and_questions() {
    for e in SAMPLES {
        let run = questions(&[&sample(e.file)]);
        assert_eq!(run.code, 0, "{}: {}", e.file, run.stderr);
        assert_eq!(analysts(&run), pairs(e.analysts), "{}", e.file);
        assert_eq!(run.questions.len(), e.questions, "{}", e.file);
        for q in &run.questions {
            assert_eq!(q.call.ticker, e.ticker, "{}", e.file);
            assert_eq!(q.call.fiscal_period.unwrap().to_string(), e.fiscal, "{}", e.file);
            assert_eq!(
                q.call.calendar_quarter.map(|c| c.to_string()).unwrap_or_default(),
                e.calendar,
                "{}",
                e.file
            );
            assert!(!q.text.is_empty());
        }
    }
}

#[test]
fn the_whole_sample_corpus_reads_cleanly() {
    let run = questions(&[&sample("")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.questions.len(), SAMPLES.iter().map(|e| e.questions).sum::<usize>());
}

#[test]
fn the_same_call_from_two_vendors_gives_the_same_ids() {
    let ids = |f: &str| -> Vec<String> {
        questions(&[&sample(f)])
            .questions
            .iter()
            .map(|q| q.id.clone())
            .collect()
    };
    let a = ids("MSFT_FY2026_Q2_streetevents.txt");
    assert_eq!(a.len(), 6);
    assert_eq!(a, ids("MSFT_FY2026_Q2_api.json"));
}

#[test]
fn two_questions_in_one_turn_are_split() {
    let run = questions(&[&sample("MSFT_FY2026_Q2_streetevents.txt")]);
    assert_eq!(first_turn_questions(&run, "Marcus Feld"), 2);
    let second = run
        .questions
        .iter()
        .find(|q| q.analyst == "Marcus Feld" && q.index == 2)
        .unwrap();
    assert!(second.text.contains("cloud gross margins"));
}

#[test]
fn format_flag_overrides_detection() {
    let run = questions(&["--format", "api_json", &sample("MSFT_FY2026_Q2_streetevents.txt")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("MSFT_FY2026_Q2_streetevents.txt"), "{}", run.stderr);
    let run = questions(&[
        "--format",
        "streetevents_text",
        &sample("MSFT_FY2026_Q2_streetevents.txt"),
    ]);
    assert_eq!(run.questions.len(), 6);
}

#[test]
fn motley_fool_json_with_only_a_summary_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ACME_2025_Q1.json");
    let page = "NASDAQ:ACME\n\nAcme\n\nSummary\n\nAcme grew revenue and raised guidance.\n";
    let json = serde_json::json!({"ticker": "ACME", "year": 2025, "quarter": 1, "url": "https://example.invalid", "transcript": page});
    std::fs::write(&file, json.to_string()).unwrap();
    let run = questions(&[&file.to_string_lossy()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("ACME_2025_Q1.json") && run.stderr.contains("summary"),
        "{}",
        run.stderr
    );
}

/// The layout `ingest::detect` finds in a file, from content alone.
pub fn detected(path: &Path) -> Option<&'static str> {
    let text = earnings_qa::ingest::decode(&std::fs::read(path).unwrap()).ok()?;
    earnings_qa::ingest::detect(&text).map(|f| f.name())
}

#[test]
fn each_sample_is_detected_as_its_layout() {
    let expected = [
        ("MSFT_FY2026_Q2_streetevents.txt", "streetevents_text"),
        ("MSFT_FY2026_Q2_api.json", "api_json"),
        ("MSFT_2026_Q3_motleyfool.json", "motleyfool_json_transcript_field"),
        ("AMZN_4Q25_capiq.txt", "capiq_or_seekingalpha_text"),
        ("AMZN_2026_Q1_asr.txt", "asr_no_speakers"),
        ("GOOGL_Q4_2025_name_colon.txt", "name_colon_text"),
        ("GOOGL_2026_Q1_motleyfool.transcript.txt", "motleyfool_name_colon"),
        ("META_q4_2025.txt", "motleyfool_json_turns"),
        ("ORCL_Q2_2026_callstreet.txt", "callstreet_text"),
        ("ORCL_Q3_2026_motleyfool_header.txt", "motleyfool_header_name_colon"),
    ];
    for (file, format) in expected {
        assert_eq!(detected(Path::new(&sample(file))), Some(format), "{file}");
    }
}
