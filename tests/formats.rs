//! Every transcript layout, read by the real binary: the repo's own samples
//! in `corpus/`, and real transcripts from `../shared/corpus` (read in
//! place, never copied). The analysts, firms and question counts asserted
//! here were checked by reading the transcripts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Run {
    questions: Vec<Value>,
    stderr: String,
    code: i32,
}

/// Runs `earnings-qa questions ARGS -o out.jsonl` in a temp dir.
fn questions(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .args(args)
        .arg("-o")
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    Run {
        questions: text.lines().map(|l| serde_json::from_str(l).unwrap()).collect(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A file of the shared corpus, or None (with a note) where this machine
/// lacks the corpus.
fn shared(rel: &str) -> Option<String> {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/sources")
        .join(rel);
    if p.exists() {
        Some(p.to_string_lossy().into_owned())
    } else {
        eprintln!("skipped: {} not found", p.display());
        None
    }
}

fn field<'a>(q: &'a Value, k: &str) -> &'a str {
    q[k].as_str().unwrap_or_default()
}

/// Analysts with their firms, in the order they first speak.
fn analysts(run: &Run) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for q in &run.questions {
        let a = (field(q, "analyst").to_owned(), field(q, "firm").to_owned());
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

fn names(run: &Run) -> Vec<String> {
    analysts(run).into_iter().map(|(a, _)| a).collect()
}

/// Questions asked in the analyst's first turn.
fn first_turn_questions(run: &Run, analyst: &str) -> usize {
    let turn = run
        .questions
        .iter()
        .find(|q| field(q, "analyst") == analyst)
        .map(|q| q["turn"].clone());
    run.questions
        .iter()
        .filter(|q| field(q, "analyst") == analyst && Some(&q["turn"]) == turn.as_ref())
        .count()
}

/// Answers address the analyst by first name ("..., Mark, ..."); an
/// analyst does not, so a question holding its asker's name followed by a
/// comma has an answer left in it.
fn answers_left_out(run: &Run) -> bool {
    run.questions.iter().all(|q| {
        let first = field(q, "analyst").split_whitespace().next().unwrap_or_default();
        let left_in = field(q, "text").contains(&format!("{first},"));
        if left_in {
            eprintln!("answer left in {}'s question {}", field(q, "analyst"), q["index"]);
        }
        !left_in
    })
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
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
            assert_eq!(field(q, "ticker"), e.ticker, "{}", e.file);
            assert_eq!(field(q, "fiscal_period"), e.fiscal, "{}", e.file);
            assert_eq!(field(q, "calendar_quarter"), e.calendar, "{}", e.file);
            assert!(!field(q, "text").is_empty());
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
            .map(|q| field(q, "id").to_owned())
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
        .find(|q| field(q, "analyst") == "Marcus Feld" && q["index"] == 2)
        .unwrap();
    assert!(field(second, "text").contains("cloud gross margins"));
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

// Real transcripts, `dev` and `train` splits only.

const MSFT_FY25_Q1_ANALYSTS: &[(&str, &str)] = &[
    ("Keith Weiss", "Morgan Stanley"),
    ("Brent Thill", "Jefferies"),
    ("Mark Moerdler", "Bernstein"),
    ("Karl Keirstead", "UBS"),
    ("Kash Rangan", "Goldman Sachs"),
    ("Mark Murphy", "JPMorgan"),
    ("Raimo Lenschow", "Barclays"),
    ("Rishi Jaluria", "RBC"),
];

#[test]
fn name_colon_text_microsoft_fy2025_q1() {
    let Some(f) = shared("raja2502/MSFT_Q1_2025.txt") else {
        return;
    };
    let run = questions(&[&f]);
    assert_eq!(analysts(&run), pairs(MSFT_FY25_Q1_ANALYSTS));
    // One turn, two questions (constraints inside, then outside the company).
    assert_eq!(first_turn_questions(&run, "Keith Weiss"), 2);
    assert!(run
        .questions
        .iter()
        .all(|q| field(q, "fiscal_period") == "FY2025 Q1" && field(q, "calendar_quarter") == "2024Q3"));
}

#[test]
fn motleyfool_header_older_page_microsoft_fy2025_q1() {
    let Some(f) = shared("zhengcb81/MSFT/MSFT_Q1_2025_earnings_call.txt") else {
        return;
    };
    let run = questions(&[&f]);
    let expected: Vec<String> = MSFT_FY25_Q1_ANALYSTS.iter().map(|(a, _)| a.to_string()).collect();
    assert_eq!(names(&run), expected);
    assert_eq!(first_turn_questions(&run, "Keith Weiss"), 2);
    let q = &run.questions[0];
    assert_eq!((field(q, "ticker"), field(q, "call_date")), ("MSFT", "2024-10-30"));
    assert!(answers_left_out(&run));
}

#[test]
fn motleyfool_header_newer_page_mongodb() {
    let Some(f) = shared("zhengcb81/MDB/MDB_Q1_2026_earnings_call.txt") else {
        return;
    };
    let run = questions(&[&f]);
    assert_eq!(
        names(&run),
        [
            "Sanjit Singh",
            "Raimo Lenschow",
            "Jason Ader",
            "Kash Rangan",
            "Brad Reback",
            "Brent Bracelin",
            "Ittai Kidron",
            "Andrew Nowinski"
        ]
    );
    assert_eq!(first_turn_questions(&run, "Raimo Lenschow"), 2);
    assert!(analysts(&run).contains(&("Ittai Kidron".into(), "Oppenheimer".into())));
    assert_eq!(field(&run.questions[0], "call_date"), "2025-06-04");
}

#[test]
fn motleyfool_json_transcript_field_csp() {
    let Some(f) = shared("nathan8823/CSPI_2025_Q1_4d479c.json") else {
        return;
    };
    let run = questions(&[&f]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let who = names(&run);
    assert_eq!(who[..2], ["Joseph Nerges", "Mike Price"]);
    let q = &run.questions[0];
    assert_eq!(
        (field(q, "ticker"), field(q, "fiscal_period"), field(q, "call_date")),
        ("CSPI", "FY2025 Q1", "2025-02-10")
    );
}

#[test]
fn callstreet_text_jpmorgan_q3_2025() {
    let Some(f) = shared("raja2502/JPM_Q3_2025.txt") else {
        return;
    };
    let run = questions(&[&f]);
    assert_eq!(
        analysts(&run),
        pairs(&[
            ("John McDonald", "Truist Securities, Inc."),
            ("Glenn Schorr", "Evercore ISI"),
            ("Betsy Graseck", "Morgan Stanley & Co. LLC"),
            ("Ebrahim Poonawala", "BofA Securities, Inc."),
            ("Mike Mayo", "Wells Fargo Securities LLC"),
            ("Gerard Cassidy", "RBC Capital Markets LLC"),
            ("Erika Najarian", "UBS Securities LLC"),
            ("Jim Mitchell", "Seaport Global Securities LLC"),
            ("Ken Usdin", "Autonomous Research"),
            ("Chris McGratty", "Keefe, Bruyette & Woods, Inc."),
        ])
    );
    assert_eq!(first_turn_questions(&run, "Glenn Schorr"), 2);
    // A page number between the rule and the speaker does not glue a speaker's title line into a turn.
    assert!(run.questions.iter().all(|q| !field(q, "text").contains("Officer")));
    assert_eq!(field(&run.questions[0], "call_date"), "2025-10-14");
}

#[test]
fn asr_microsoft_fy2025_q1_cuts_questions_from_answers() {
    let Some(f) = shared("asr/MSFT_2025_Q1.txt") else {
        return;
    };
    let run = questions(&[&f]);
    // Names as the speech-to-text heard them.
    assert_eq!(
        names(&run),
        [
            "Keith Weiss",
            "Brent Bill",
            "Mark Mortler",
            "Carl Kirsten",
            "Cash Rangan",
            "Mark Murphy",
            "Remo Lencho",
            "Rishi Jaluria"
        ]
    );
    assert_eq!(first_turn_questions(&run, "Keith Weiss"), 2);
    assert!(answers_left_out(&run));
    assert_eq!(run.questions.len(), 10);
    assert_eq!(field(&run.questions[0], "fiscal_period"), "FY2025 Q1");
}

#[test]
fn asr_does_not_take_an_introduced_executive_for_an_analyst() {
    let Some(f) = shared("asr/GOOG_2025_Q1.txt") else {
        return;
    };
    let run = questions(&[&f]);
    let who = names(&run);
    assert!(!who.iter().any(|a| a.contains("Director")), "{who:?}");
    assert_eq!(who[0], "Brian Nowak");
}

// Detection: from content alone, and never one similar layout for another.

fn detected(path: &Path) -> Option<&'static str> {
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

/// Every `train` and `dev` file of the shared corpus is detected as the
/// layout the manifest gives it (the JPMorgan calls that the manifest
/// files under `name_colon_text` are CallStreet text, read by their own
/// layout); the files no layout claims are the empty ones and one CapIQ
/// file with an unknown header.
#[test]
fn detection_agrees_with_the_manifest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.csv")) else {
        eprintln!("skipped: no shared corpus");
        return;
    };
    let (mut agree, mut unclaimed, mut wrong) = (0, 0, Vec::new());
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.trim_end().split(',').collect();
        let (path, format, split) = (cols[0], cols[2], cols[cols.len() - 1]);
        if split == "heldout" {
            continue;
        }
        let expected = if format == "name_colon_text" && path.contains("/JPM_") {
            "callstreet_text"
        } else {
            format
        };
        match detected(&root.join(path)) {
            Some(f) if f == expected => agree += 1,
            None => unclaimed += 1,
            Some(f) => wrong.push(format!("{path}: {f}, manifest {format}")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(agree > 2800 && unclaimed <= 4, "{agree} agree, {unclaimed} unclaimed");
}
