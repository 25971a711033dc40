//! The Motley Fool's transcript page, which three collections keep in
//! different wrappers (a `====` header, a JSON field, plain text). The page
//! itself comes in two generations:
//!
//! - older pages: "Prepared Remarks:" and "Questions & Answers:" headings,
//!   each speaker on a line of their own as `Name--Title` (analysts:
//!   `Name--Analyst` or `Name -- Firm -- Analyst`), the paragraphs under
//!   it, and a "Call participants:" list at the end;
//! - newer pages: date, "Call participants" (`Title — Name`), takeaways and
//!   a summary, then after "Full Conference Call Transcript" `Name:text`
//!   paragraphs.

use chrono::NaiveDate;
use regex::Regex;

use super::{meta, name_colon};
use crate::call::{FiscalPeriod, Participant, Role, Section, Turn};
use crate::lexicon::regex;

/// What the page yields, before the wrapper adds its own metadata.
#[derive(Debug, Default)]
pub struct Page {
    pub turns: Vec<Turn>,
    pub participants: Vec<Participant>,
    pub call_date: Option<NaiveDate>,
    /// From the "Q1 2025 Earnings Call" title line of older pages.
    pub fiscal: Option<FiscalPeriod>,
    /// From the `Company(TICK+1.2%)` title of older pages, or `NASDAQ:TICK`.
    pub ticker: Option<String>,
    pub company: Option<String>,
}

const NEW_START: &str = "Full Conference Call Transcript";
const OLD_REMARKS: &str = "Prepared Remarks:";
/// Where the transcript proper ends on both generations.
const ENDS: &[&str] = &[
    "This article is a transcript of this conference call",
    "Duration:",
    "Call participants:",
];

/// True if `text` holds a Motley Fool transcript page of either generation.
pub fn looks_like_page(text: &str) -> bool {
    has_line(text, NEW_START) || (has_line(text, OLD_REMARKS) && old_speaker().is_match(text))
}

fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim() == line)
}

/// A speaker line of the older pages: `Name--Title`, `Name -- Firm -- Analyst`, `Operator`.
fn old_speaker() -> &'static Regex {
    regex!(r"(?m)^\s*(Operator|[A-Z][\w.'’ -]{1,60}?\s*--\s*[^\n]{2,120}?)\s*$")
}

fn title_line() -> &'static Regex {
    regex!(r"^(.+?)\(([A-Z.]{1,6})[^)]*\)\s*(Q[1-4]\s+\d{4})\s+Earnings Call(.*)$")
}

fn exchange_ticker() -> &'static Regex {
    regex!(r"^(?:NASDAQ|NYSE|NYSEMKT|NYSEAMERICAN|OTC|AMEX):\s*([A-Z.]{1,6})$")
}

pub fn parse(text: &str) -> Page {
    let mut page = Page::default();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    header(&lines, &mut page);
    let end = lines
        .iter()
        .position(|l| ENDS.iter().any(|e| l.starts_with(e)))
        .unwrap_or(lines.len());
    if let Some(start) = lines.iter().position(|l| *l == NEW_START) {
        page.participants = titled_roster(&lines[..start]);
        page.turns = name_colon::turns(&lines[start + 1..end.max(start + 1)].join("\n"));
    } else if let Some(start) = lines.iter().position(|l| *l == OLD_REMARKS) {
        page.turns = old_turns(&lines[start..end.max(start)]);
        if let Some(roster) = lines.iter().position(|l| *l == "Call participants:") {
            page.participants = lines[roster + 1..]
                .iter()
                .filter(|l| !l.is_empty())
                .map_while(|l| l.contains("--").then(|| dashed(l)))
                .map(|(name, role, firm)| Participant { name, role, firm })
                .collect();
        }
    }
    page
}

/// Date, ticker, company and quarter from the lines before the transcript.
fn header(lines: &[&str], page: &mut Page) {
    let mut after_ticker = false;
    for line in lines.iter().take(60).filter(|l| !l.is_empty()) {
        if std::mem::take(&mut after_ticker) && line.len() < 60 {
            // Newer pages: `NASDAQ:APOG`, then the company's name.
            page.company.get_or_insert_with(|| line.to_string());
            continue;
        }
        if let Some(c) = title_line().captures(line) {
            page.company.get_or_insert_with(|| c[1].trim().to_owned());
            page.ticker.get_or_insert_with(|| c[2].to_owned());
            page.fiscal = page.fiscal.or_else(|| meta::quarter_label(&c[3]));
            page.call_date = page.call_date.or_else(|| meta::first_date(&c[4]));
        } else if let Some(c) = exchange_ticker().captures(line) {
            page.ticker.get_or_insert_with(|| c[1].to_owned());
            after_ticker = true;
        } else if page.call_date.is_none() && !line.contains("period ending") && line.len() < 80 {
            page.call_date = meta::first_date(line);
        }
    }
}

/// The newer pages' roster: `Chief Financial Officer — Amy Hood`.
fn titled_roster(lines: &[&str]) -> Vec<Participant> {
    let Some(at) = lines.iter().position(|l| l.eq_ignore_ascii_case("call participants")) else {
        return Vec::new();
    };
    lines[at + 1..]
        .iter()
        .filter(|l| !l.is_empty())
        .map_while(|l| l.split_once(" — "))
        .map(|(title, name)| Participant {
            name: name.trim().to_owned(),
            role: if title.to_lowercase().contains("analyst") {
                Role::Analyst
            } else {
                Role::Executive
            },
            firm: None,
        })
        .collect()
}

/// `Name--Title`, `Name -- Firm -- Analyst`: the name, the role the title
/// states, and the firm where there is one.
fn dashed(line: &str) -> (String, Role, Option<String>) {
    let parts: Vec<&str> = line.split("--").map(str::trim).collect();
    let name = parts[0].to_owned();
    let last = parts.last().copied().unwrap_or_default();
    if last.eq_ignore_ascii_case("analyst") {
        let firm = (parts.len() > 2)
            .then(|| parts[1..parts.len() - 1].join(" "))
            .filter(|f| !f.is_empty());
        (name, Role::Analyst, firm)
    } else {
        (name, Role::Executive, None)
    }
}

fn old_turns(lines: &[&str]) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    let mut section = Section::Remarks;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        if *line == OLD_REMARKS {
            section = Section::Remarks;
        } else if line.starts_with("Questions & Answers") || line.starts_with("Questions and Answers") {
            section = Section::Qa;
        } else if *line == "Operator" {
            turns.push(Turn {
                speaker: "Operator".into(),
                role: Role::Operator,
                firm: None,
                text: String::new(),
                section: Some(section),
            });
        } else if line.contains("--") && old_speaker().is_match(line) && !line.ends_with(['.', '?', '!']) {
            let (speaker, role, firm) = dashed(line);
            turns.push(Turn {
                speaker,
                role,
                firm,
                text: String::new(),
                section: Some(section),
            });
        } else if let Some(last) = turns.last_mut() {
            last.push_line(line);
        }
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "Acme(ACME+1.00%)Q2 2024 Earnings CallAug 1, 2024,5:00 p.m. ET\n\nContents:\n\nPrepared Remarks:\n\nOperator\n\nWelcome.\n\nJo Doe--Chief Executive Officer\n\nWe did well.\n\nQuestions & Answers:\n\nOperator\n\nOur first question comes from Ann Lee with Beta Bank.\n\nAnn Lee -- Beta Bank -- Analyst\n\nHow are margins?\n\nJo Doe--Chief Executive Officer\n\nUp.\n\nDuration: 0 minutes\n\nCall participants:\n\nJo Doe--Chief Executive Officer\n\nAnn Lee -- Beta Bank -- Analyst\n\nMore ACME analysis\n";

    #[test]
    fn older_pages() {
        assert!(looks_like_page(OLD));
        let p = parse(OLD);
        assert_eq!(p.ticker.as_deref(), Some("ACME"));
        assert_eq!(p.company.as_deref(), Some("Acme"));
        assert_eq!(p.fiscal, Some(FiscalPeriod { year: 2024, quarter: 2 }));
        assert_eq!(p.call_date, NaiveDate::from_ymd_opt(2024, 8, 1));
        let speakers: Vec<_> = p
            .turns
            .iter()
            .map(|t| (t.speaker.as_str(), t.role, t.section))
            .collect();
        assert_eq!(speakers[3], ("Ann Lee", Role::Analyst, Some(Section::Qa)));
        assert_eq!(p.turns.len(), 5);
        assert_eq!(p.turns[3].firm.as_deref(), Some("Beta Bank"));
        assert_eq!(p.participants.len(), 2);
    }

    #[test]
    fn newer_pages() {
        let text = "NASDAQ:ACME\n\nAcme\n\nDate\n\nTuesday, Jan. 20, 2026 at 4:45 p.m. ET\n\nCall participants\n\nChief Executive Officer — Jo Doe\n\nRevenue-- up 5%.\n\nFull Conference Call Transcript\n\nJo Doe:We did well.\n\nOperator:Our first question comes from Ann Lee with Beta Bank.\n\nAnn Lee:How are margins?\n\nThis article is a transcript of this conference call produced for Example.\n";
        assert!(looks_like_page(text));
        let p = parse(text);
        assert_eq!(p.ticker.as_deref(), Some("ACME"));
        assert_eq!(p.call_date, NaiveDate::from_ymd_opt(2026, 1, 20));
        assert_eq!(p.turns.len(), 3);
        assert_eq!(
            p.participants,
            vec![Participant {
                name: "Jo Doe".into(),
                role: Role::Executive,
                firm: None
            }]
        );
    }
}
