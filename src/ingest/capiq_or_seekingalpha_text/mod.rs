//! S&P Capital IQ / Seeking Alpha text: a header line with company, ticker,
//! fiscal quarter and date; "Company Participants" and "Conference Call
//! Participants" rosters (`Name - Firm, Research Division`); then turns as
//! `Name: text` on one line, or the speaker's name (or title) alone on a
//! line, sometimes glued to the end of the previous paragraph.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use super::{file_stem, Format, IngestError};
use crate::call::{Call, FiscalPeriod, Participant, Role};
use crate::lexicon::cues::is_qa_heading;
use crate::lexicon::dates::{file_name_date, header_date, month_number};
use crate::lexicon::{quarters, regex};
use turns::read_turns;

mod turns;

pub struct CapIq;

const NAME: &str = "capiq_or_seekingalpha_text";

/// `Company (EXCH:TICKER) Q3 2025 Earnings Call November 4, 2025`, and
/// `Bank of Montreal (BMO:CA) ...` where a country follows the ticker.
fn header_re() -> &'static Regex {
    regex!(
        r"(?P<company>[^()\n]*?)\s*\((?:(?P<exchange>[A-Za-z][A-Za-z0-9.\-]*):)?(?P<ticker>[A-Z][A-Z0-9.\-]{0,9})\)\s*(?P<event>[^\n]*)"
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
        let fiscal = quarters::event_label()
            .captures(&event)
            .and_then(|c| {
                Some(FiscalPeriod {
                    year: c[2].parse().ok()?,
                    quarter: c[1].parse().ok()?,
                })
            })
            .or_else(|| {
                let c = quarters::file_name_label().captures(&stem)?;
                Some(FiscalPeriod {
                    year: 2000 + c[2].parse::<i32>().ok()?,
                    quarter: c[1].parse().ok()?,
                })
            });
        let date = header_date()
            .captures_iter(header)
            .filter_map(|c| {
                let month = month_number(&c[1])?;
                NaiveDate::from_ymd_opt(c[3].parse().ok()?, month, c[2].parse().ok()?)
            })
            .find(|d| d.year_ce().1 > 1990)
            .or_else(|| {
                let c = file_name_date().captures(&stem)?;
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
        self.fiscal.is_none() && !quarters::earnings_event().is_match(&self.event)
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
