//! Real transcripts of ../shared/corpus (`dev` and `train` splits only),
//! read in place, never copied: one or more calls per layout, and every
//! file's layout detected as the manifest gives it.

use crate::formats::{analysts, date, detected, first_turn_questions, names, pairs, questions, Read};
use crate::{corpus, manifest, s, source};

/// Answers address the analyst by first name ("..., Mark, ..."); an
/// analyst does not, so a question holding its asker's name followed by a
/// comma has an answer left in it.
fn answers_left_out(run: &Read) -> bool {
    run.questions.iter().all(|q| {
        let first = q.analyst.split_whitespace().next().unwrap_or_default();
        let left_in = q.text.contains(&format!("{first},"));
        if left_in {
            eprintln!("answer left in {}'s question {}", q.analyst, q.index);
        }
        !left_in
    })
}

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
    let Some(f) = source("raja2502/MSFT_Q1_2025.txt") else {
        return;
    };
    let run = questions(&[s(&f)]);
    assert_eq!(analysts(&run), pairs(MSFT_FY25_Q1_ANALYSTS));
    // One turn, two questions (constraints inside, then outside the company).
    assert_eq!(first_turn_questions(&run, "Keith Weiss"), 2);
    assert!(run
        .questions
        .iter()
        .all(|q| q.call.fiscal_period.unwrap().to_string() == "FY2025 Q1"
            && q.call.calendar_quarter.map(|c| c.to_string()).as_deref() == Some("2024Q3")));
}

#[test]
fn motleyfool_header_older_page_microsoft_fy2025_q1() {
    let Some(f) = source("zhengcb81/MSFT/MSFT_Q1_2025_earnings_call.txt") else {
        return;
    };
    let run = questions(&[s(&f)]);
    let expected: Vec<String> = MSFT_FY25_Q1_ANALYSTS.iter().map(|(a, _)| a.to_string()).collect();
    assert_eq!(names(&run), expected);
    assert_eq!(first_turn_questions(&run, "Keith Weiss"), 2);
    let q = &run.questions[0];
    assert_eq!((q.call.ticker.as_str(), date(q).as_str()), ("MSFT", "2024-10-30"));
    assert!(answers_left_out(&run));
}

#[test]
fn motleyfool_header_newer_page_mongodb() {
    let Some(f) = source("zhengcb81/MDB/MDB_Q1_2026_earnings_call.txt") else {
        return;
    };
    let run = questions(&[s(&f)]);
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
    assert_eq!(date(&run.questions[0]), "2025-06-04");
}

#[test]
fn motleyfool_json_transcript_field_csp() {
    let Some(f) = source("nathan8823/CSPI_2025_Q1_4d479c.json") else {
        return;
    };
    let run = questions(&[s(&f)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let who = names(&run);
    assert_eq!(who[..2], ["Joseph Nerges", "Mike Price"]);
    let q = &run.questions[0];
    assert_eq!(
        (
            q.call.ticker.as_str(),
            q.call.fiscal_period.unwrap().to_string().as_str(),
            date(q).as_str()
        ),
        ("CSPI", "FY2025 Q1", "2025-02-10")
    );
}

#[test]
fn callstreet_text_jpmorgan_q3_2025() {
    let Some(f) = source("raja2502/JPM_Q3_2025.txt") else {
        return;
    };
    let run = questions(&[s(&f)]);
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
    assert!(run.questions.iter().all(|q| !q.text.contains("Officer")));
    assert_eq!(date(&run.questions[0]), "2025-10-14");
}

#[test]
fn asr_microsoft_fy2025_q1_cuts_questions_from_answers() {
    let Some(f) = source("asr/MSFT_2025_Q1.txt") else {
        return;
    };
    let run = questions(&[s(&f)]);
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
    assert_eq!(run.questions[0].call.fiscal_period.unwrap().to_string(), "FY2025 Q1");
}

#[test]
fn asr_does_not_take_an_introduced_executive_for_an_analyst() {
    let Some(f) = source("asr/GOOG_2025_Q1.txt") else {
        return;
    };
    let run = questions(&[s(&f)]);
    let who = names(&run);
    assert!(!who.iter().any(|a| a.contains("Director")), "{who:?}");
    assert_eq!(who[0], "Brian Nowak");
}

/// Every `train` and `dev` file of the shared corpus is detected as the
/// layout the manifest gives it (the JPMorgan calls that the manifest
/// files under `name_colon_text` are CallStreet text, read by their own
/// layout); the files no layout claims are the empty ones and one CapIQ
/// file with an unknown header.
#[test]
fn detection_agrees_with_the_manifest() {
    let Some(corpus) = corpus() else { return };
    let (mut agree, mut unclaimed, mut wrong) = (0, 0, Vec::new());
    for file in manifest(&corpus).into_iter().filter(|f| f.split != "heldout") {
        let (path, format) = (file.path.as_str(), file.layout.as_str());
        let expected = if format == "name_colon_text" && path.contains("/JPM_") {
            "callstreet_text"
        } else {
            format
        };
        match detected(&corpus.join(path)) {
            Some(f) if f == expected => agree += 1,
            None => unclaimed += 1,
            Some(f) => wrong.push(format!("{path}: {f}, manifest {format}")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(agree > 2800 && unclaimed <= 4, "{agree} agree, {unclaimed} unclaimed");
}
