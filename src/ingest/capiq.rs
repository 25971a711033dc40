//! S&P Capital IQ / Seeking Alpha text: a header line with company, ticker,
//! fiscal quarter and date; "Company Participants" and "Conference Call
//! Participants" rosters (`Name - Firm, Research Division`); then turns as
//! `Name: text` on one line, or the speaker's name (or title) alone on a
//! line, sometimes glued to the end of the previous paragraph.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use super::{file_stem, Format, IngestError};
use crate::call::{Call, FiscalPeriod, Participant, Role, Section, Turn};

pub struct CapIq;

const NAME: &str = "capiq_or_seekingalpha_text";

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

/// `Company (EXCH:TICKER) Q3 2025 Earnings Call November 4, 2025`, and
/// `Bank of Montreal (BMO:CA) ...` where a country follows the ticker.
fn header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?P<company>[^()\n]*?)\s*\((?:(?P<exchange>[A-Za-z][A-Za-z0-9.\-]*):)?(?P<ticker>[A-Z][A-Z0-9.\-]{0,9})\)\s*(?P<event>[^\n]*)",
    )
}

/// The exchanges the vendor writes before a ticker (`NYSE:BC`, `OTCPK:LVMUY`).
fn is_exchange(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["NYSE", "NASDAQ", "AMEX", "ARCA", "BATS", "TSX", "TSXV", "LSE", "ASX"].contains(&name.as_str())
        || name.starts_with("OTC")
        || name.starts_with("NYSE")
        || name.starts_with("NASDAQ")
}

fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? (\d{1,2}), (\d{4})",
    )
}

fn is_qa_heading(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    matches!(
        l.as_str(),
        "question-and-answer session" | "questions and answers" | "question and answer session" | "q&a" | "q&a session"
    )
}

impl Format for CapIq {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str) -> u8 {
        let head: String = text.chars().take(4000).collect();
        if head.trim_start().starts_with('{') {
            return 0;
        }
        let rosters = head.contains("Company Participants") || head.contains("Conference Call Participants");
        let header = header_re().captures(&head).is_some_and(|c| {
            c.get(0).unwrap().start() < 400 && c["event"].contains(" Q") || c["event"].starts_with('Q')
        });
        match (rosters, header) {
            (true, _) => 90,
            (false, true) => 40,
            _ if text.lines().any(is_qa_heading) => 30,
            _ => 0,
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
            .collect();
        let (header, mut participants, body_start) = read_front(&lines);
        complete_firms(&lines[body_start..], &mut participants);
        let meta = Header::read(&header, path);
        // A conference or investor day has analysts asking but reports no
        // quarter: its questions are kept, placed in no fiscal quarter.
        let call_date = if meta.non_earnings_event() { None } else { meta.date };
        let turns = read_turns(&lines[body_start..], &participants);
        if turns.is_empty() {
            return Err(IngestError::Malformed {
                format: NAME,
                message: "no speaker turns found".into(),
            });
        }
        Ok(Call {
            source: path.to_path_buf(),
            format: NAME.into(),
            ticker: meta.ticker,
            company: meta.company,
            fiscal: meta.fiscal,
            spoken: None,
            call_date,
            participants,
            turns,
            notes: Vec::new(),
        })
    }
}

/// What the header and the file name say about the call.
struct Header {
    company: String,
    ticker: String,
    event: String,
    fiscal: Option<FiscalPeriod>,
    date: Option<NaiveDate>,
}

impl Header {
    fn read(header: &str, path: &Path) -> Self {
        let stem = file_stem(path);
        let caps = header_re().captures(header);
        let company = caps.as_ref().map(|c| c["company"].trim()).unwrap_or("");
        // "Full transcript - Company" and call-time stamps before the name are not part of it.
        let company = company.rsplit(" - ").next().unwrap_or(company);
        let company = company.rsplit(" ET ").next().unwrap_or(company).trim().to_owned();
        let ticker = caps
            .as_ref()
            .map(|c| match c.name("exchange").map(|e| e.as_str()) {
                // `(BMO:CA)`: a ticker and its country, not an exchange and a ticker.
                Some(local) if c["ticker"].len() == 2 && !is_exchange(local) => local.to_owned(),
                _ => c["ticker"].to_owned(),
            })
            .or_else(|| stem.split('_').next().filter(|t| !t.is_empty()).map(str::to_uppercase))
            .unwrap_or_default();
        let event = caps
            .as_ref()
            .map(|c| c["event"].trim().to_owned())
            .unwrap_or_else(|| header.trim().to_owned());
        static FISCAL: OnceLock<Regex> = OnceLock::new();
        static FILE_FISCAL: OnceLock<Regex> = OnceLock::new();
        static FILE_DATE: OnceLock<Regex> = OnceLock::new();
        let fiscal = re(&FISCAL, r"\bQ([1-4])\s*(?:FY)?\s*'?(\d{4})\b")
            .captures(&event)
            .and_then(|c| {
                Some(FiscalPeriod {
                    year: c[2].parse().ok()?,
                    quarter: c[1].parse().ok()?,
                })
            })
            .or_else(|| {
                let c = re(&FILE_FISCAL, r"_([1-4])Q(\d{2})(?:_|$)").captures(&stem)?;
                Some(FiscalPeriod {
                    year: 2000 + c[2].parse::<i32>().ok()?,
                    quarter: c[1].parse().ok()?,
                })
            });
        let date = date_re()
            .captures_iter(header)
            .filter_map(|c| {
                let month = super::month_number(&c[1])?;
                NaiveDate::from_ymd_opt(c[3].parse().ok()?, month, c[2].parse().ok()?)
            })
            .find(|d| d.year_ce().1 > 1990)
            .or_else(|| {
                let c = re(&FILE_DATE, r"_(20\d\d)(\d\d)(\d\d)(?:_|$)").captures(&stem)?;
                NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
            });
        Header {
            company,
            ticker,
            event,
            fiscal,
            date,
        }
    }

    /// Conferences, investor days and the like hold Q&A but report no
    /// quarter: no fiscal label anywhere and no word of earnings in the title.
    fn non_earnings_event(&self) -> bool {
        static EARNINGS: OnceLock<Regex> = OnceLock::new();
        let earnings = re(
            &EARNINGS,
            r"(?i)\b(?:earnings|results|sales|trading|quarter|Q[1-4]|H[12])\b",
        );
        self.fiscal.is_none() && !earnings.is_match(&self.event)
    }
}

/// The header text, the rosters, and the line where the call itself starts.
fn read_front(lines: &[&str]) -> (String, Vec<Participant>, usize) {
    let roster_heading = |l: &str| match l {
        "Company Participants" | "Corporate Participants" | "Executives" => Some(Role::Executive),
        "Conference Call Participants" | "Analysts" => Some(Role::Analyst),
        _ => None,
    };
    let first_roster = lines.iter().take(60).position(|l| roster_heading(l).is_some());
    let header_end = first_roster.unwrap_or_else(|| lines.len().min(3));
    let header = lines[..header_end].join(" ");
    let mut participants = Vec::new();
    let mut i = header_end;
    while let Some(role) = lines.get(i).and_then(|l| roster_heading(l)) {
        i += 1;
        while lines.get(i).is_some_and(|l| l.is_empty()) {
            i += 1;
        }
        while let Some(l) = lines.get(i).filter(|l| !l.is_empty() && roster_heading(l).is_none()) {
            let (name, desc) = match l.split_once(" - ") {
                Some((n, d)) => (n.trim(), Some(d.trim())),
                None => (l.trim(), None),
            };
            let firm = desc.map(|d| super::firm_name(d).to_owned()).filter(|d| !d.is_empty());
            participants.push(Participant {
                name: name.to_owned(),
                role,
                firm,
            });
            i += 1;
        }
        while lines.get(i).is_some_and(|l| l.is_empty()) {
            i += 1;
        }
    }
    if first_roster.is_none() {
        i = 0;
    }
    (header, participants, i)
}

/// A line that could be a speaker's name: a few capitalised words, no sentence punctuation.
fn looks_like_name(s: &str) -> bool {
    if s.len() > 50 {
        return false;
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=5).contains(&words.len())
        && !s.ends_with(['.', '?', '!', ':', ','])
        && words.iter().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                || matches!(
                    *w,
                    "de" | "van" | "von" | "da" | "di" | "del" | "la" | "le" | "of" | "and" | "&"
                )
        })
}

/// A short line of job-title words, as printed under a speaker's name.
fn is_title_line(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    line.len() < 100
        && !line.ends_with(['.', '?', '!'])
        && re(&RE, r"\b(?:Officer|President|Director|Chief|CEO|CFO|COO|CTO|Relations|Analyst|Division|Founder|Chair\w*|Vice|Head|Treasurer|Manager|Partner|Secretary|Controller|Counsel|VP|EVP|SVP)\b").is_match(line)
}

/// Labels the file itself uses: roster names, the operator, and names that
/// stand alone on a line or before a colon somewhere in the body.
fn known_labels(lines: &[&str], participants: &[Participant]) -> HashSet<String> {
    let mut labels: HashSet<String> = participants.iter().map(|p| p.name.clone()).collect();
    labels.insert("Operator".into());
    for l in lines {
        if let Some((label, _)) = l.split_once(": ") {
            if looks_like_name(label) && label.split_whitespace().count() >= 2 {
                labels.insert(label.to_owned());
            }
        }
    }
    labels
}

/// Rosters cut a long firm short ("Stacy Rasgon - Sanford C."); the label
/// of the analyst's turns repeats it whole ("Stacy Rasgon: Sanford C.
/// Bernstein & Co., LLC., Research Division ..."): take that.
fn complete_firms(lines: &[&str], participants: &mut [Participant]) {
    const DIVISION: &str = ", Research Division";
    for p in participants.iter_mut().filter(|p| p.role == Role::Analyst) {
        let Some(firm) = &p.firm else { continue };
        let label = format!("{}: {firm}", p.name);
        let whole = lines.iter().find_map(|l| {
            let rest = l.strip_prefix(label.as_str())?;
            let end = rest.find(DIVISION).filter(|&i| i > 0 && i < 80)?;
            Some(format!("{firm}{}", &rest[..end]))
        });
        if let Some(whole) = whole {
            p.firm = Some(whole);
        }
    }
}

/// Strips a roster's description that the layout repeats after the label
/// ("Jane Roe: Big Bank, Research Division Thanks ...").
fn strip_description<'a>(text: &'a str, speaker: &str, participants: &[Participant]) -> &'a str {
    // Analysts' descriptions end in "Research Division", even where the label is misspelled.
    const DIVISION: &str = "Research Division";
    let head = (0..=120.min(text.len()))
        .rev()
        .find(|&n| text.is_char_boundary(n))
        .map_or("", |n| &text[..n]);
    if let Some(i) = head.find(DIVISION) {
        return text[i + DIVISION.len()..].trim_start_matches([',', ' ']);
    }
    let Some(p) = participants.iter().find(|p| p.name == speaker) else {
        return text;
    };
    let Some(desc) = p.firm.as_deref() else { return text };
    for prefix in [format!("{desc}, Research Division"), desc.to_owned()] {
        if let Some(rest) = text.strip_prefix(prefix.as_str()) {
            return rest.trim_start_matches([',', ' ']);
        }
    }
    text
}

fn read_turns(lines: &[&str], participants: &[Participant]) -> Vec<Turn> {
    let labels = known_labels(lines, participants);
    // Longest first, so that a full name wins over a shorter label it starts with.
    let mut glue_labels: Vec<&String> = labels.iter().collect();
    glue_labels.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let descriptions: HashSet<&str> = participants.iter().filter_map(|p| p.firm.as_deref()).collect();
    let mut turns: Vec<Turn> = Vec::new();
    let mut section: Option<Section> = None;
    let has_qa_heading = lines.iter().any(|l| is_qa_heading(l));
    // Just after a label: the next line may be its title, and a blank line does not end the turn.
    let mut fresh_label = false;
    let mut blank_before = false;
    let open = |turns: &mut Vec<Turn>, speaker: &str, section: Option<Section>| {
        turns.push(Turn {
            speaker: speaker.to_owned(),
            role: Role::Unknown,
            firm: None,
            text: String::new(),
            section,
        });
    };
    let push_text = |turns: &mut Vec<Turn>, text: &str| {
        if let Some(t) = turns.last_mut().filter(|_| !text.is_empty()) {
            t.push_line(text);
        }
    };
    for line in lines {
        let line = *line;
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        if is_qa_heading(line) {
            section = Some(Section::Qa);
            fresh_label = false;
            continue;
        }
        if line == "Presentation" {
            section = has_qa_heading.then_some(Section::Remarks);
            continue;
        }
        let section_now = section.or(has_qa_heading.then_some(Section::Remarks));
        if labels.contains(line)
            || (looks_like_name(line)
                && blank_before
                && line.split_whitespace().count() >= 2
                && !descriptions.contains(line))
        {
            open(&mut turns, line, section_now);
            fresh_label = true;
            blank_before = false;
            continue;
        }
        if fresh_label
            && (descriptions.contains(line) || is_title_line(line))
            && turns.last().is_some_and(|t| t.text.is_empty())
        {
            // The speaker's title under their name.
            blank_before = false;
            continue;
        }
        let (mut body, labelled) = match line.split_once(": ") {
            Some((label, rest)) if labels.contains(label) => {
                open(&mut turns, label, section_now);
                (strip_description(rest, label, participants), true)
            }
            _ => (line, false),
        };
        if !labelled && blank_before && !fresh_label && !turns.is_empty() {
            // A new paragraph with no label: a new turn whose speaker `segment` works out.
            open(&mut turns, "", section_now);
        }
        if turns.is_empty() {
            open(&mut turns, "", section_now);
        }
        // Speakers' names glued after the last sentence of the turn before
        // (at the end of the line, or mid-line before their title).
        // In the operator's lines, a roster name after a sentence is always the next speaker.
        while let Some((before, label, after)) = glued_label(
            body,
            &glue_labels,
            participants,
            turns.last().is_some_and(|t| t.speaker == "Operator"),
        ) {
            push_text(&mut turns, before);
            open(&mut turns, label, section_now);
            body = after;
        }
        push_text(&mut turns, body);
        fresh_label = body.is_empty();
        blank_before = false;
    }
    for t in &mut turns {
        if t.speaker == "Operator" {
            t.role = Role::Operator;
        }
    }
    turns.retain(|t| !t.text.trim().is_empty());
    turns
}

/// `... you may begin. Jane Roe` -> (`... you may begin.`, `Jane Roe`, ``);
/// `... success? Jane Roe Big Bank Yes, ...` -> (`... success?`, `Jane Roe`, `Yes, ...`).
/// Mid-line, a name counts only when its roster description or a colon
/// follows, or, in the operator's lines, when it is on a roster.
fn glued_label<'a>(
    text: &'a str,
    labels: &[&'a String],
    participants: &[Participant],
    operator: bool,
) -> Option<(&'a str, &'a str, &'a str)> {
    let bytes = text.as_bytes();
    let ends = (0..bytes.len().saturating_sub(1))
        .filter(|&i| matches!(bytes[i], b'.' | b'?' | b'!' | b']') && bytes[i + 1] == b' ');
    for i in ends {
        let tail = &text[i + 2..];
        for &label in labels {
            let Some(after) = tail.strip_prefix(label.as_str()) else {
                continue;
            };
            let after = after.trim_start();
            let rest = if after.is_empty() {
                Some("")
            } else if let Some(r) = after.strip_prefix(": ").or_else(|| after.strip_prefix(':')) {
                Some(strip_description(r.trim_start(), label, participants))
            } else {
                let stripped = strip_description(after, label, participants);
                let full_name = label
                    .split_whitespace()
                    .filter(|w| w.trim_end_matches('.').chars().count() > 1)
                    .count()
                    >= 2;
                let on_roster = || full_name && participants.iter().any(|p| p.name == *label);
                (stripped.len() < after.len() || (operator && on_roster())).then_some(stripped)
            };
            if let Some(rest) = rest {
                return Some((&text[..=i], label.as_str(), rest));
            }
        }
    }
    None
}
