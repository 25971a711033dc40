//! Motley Fool pages saved as JSON (file names end in `.txt`):
//! `prepared_remarks` and `q_and_a` lists of `{speaker, speech}` and
//! `participants` such as `Name--Firm -- Analyst` or `Name--Title`.
//! Ticker and fiscal quarter come from the file name (`AAN_q1_2021.txt`).

use std::path::Path;

use serde::Deserialize;

use super::{file_stem, meta, Format, IngestError};
use crate::call::{Call, FiscalPeriod, Participant, Role, Section, Turn};
use crate::lexicon::people::title_label;
use crate::lexicon::quarters;

pub struct MotleyFoolJson;

const NAME: &str = "motleyfool_json_turns";

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    prepared_remarks: Vec<Speech>,
    #[serde(default)]
    q_and_a: Vec<Speech>,
    #[serde(default)]
    participants: Vec<String>,
}

#[derive(Deserialize)]
struct Speech {
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    speech: String,
}

impl Format for MotleyFoolJson {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str) -> u8 {
        let head: String = text.chars().take(2000).collect();
        let json = head.trim_start().starts_with('{');
        match (
            json,
            head.contains("\"prepared_remarks\"") || head.contains("\"q_and_a\"") || head.contains("\"header_texts\""),
        ) {
            (true, true) => 100,
            _ => 0,
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let page: Page = serde_json::from_str(text).map_err(|e| IngestError::Malformed {
            format: NAME,
            message: if e.is_eof() {
                format!("truncated JSON ({e})")
            } else {
                format!("invalid JSON ({e})")
            },
        })?;
        let turns: Vec<Turn> = [(page.prepared_remarks, Section::Remarks), (page.q_and_a, Section::Qa)]
            .into_iter()
            .flat_map(|(list, section)| list.into_iter().map(move |s| (s, section)))
            .filter(|(s, _)| !s.speech.trim().is_empty() && !s.speaker.starts_with("Duration:"))
            .map(|(s, section)| Turn {
                role: if s.speaker.trim() == "Operator" {
                    Role::Operator
                } else {
                    Role::Unknown
                },
                speaker: s.speaker.trim().to_owned(),
                firm: None,
                text: s.speech,
                section: Some(section),
            })
            .collect();
        if turns.is_empty() {
            return Err(IngestError::Malformed {
                format: NAME,
                message: "no speeches in the file".into(),
            });
        }
        let stem = file_stem(path);
        let file = quarters::ticker_quarter_file_name();
        let welcomed = company_from_welcome(&turns);
        let (ticker, fiscal, notes) = match file.captures(&stem) {
            Some(c) => (
                c[1].to_uppercase(),
                Some(FiscalPeriod {
                    year: c[3].parse().unwrap_or(0),
                    quarter: c[2].parse().unwrap_or(0),
                }),
                Vec::new(),
            ),
            None => {
                let (ticker, notes) = meta::ticker_of(path, false, welcomed.as_deref(), NAME)?;
                (ticker, None, notes)
            }
        };
        let company = welcomed
            .or_else(|| crate::period::company(&ticker).map(|c| c.name.clone()))
            .unwrap_or_default();
        Ok(Call {
            source: path.to_path_buf(),
            format: NAME.into(),
            ticker,
            company,
            fiscal,
            spoken: None,
            call_date: None,
            participants: page.participants.iter().filter_map(|p| participant(p)).collect(),
            turns,
            notes,
        })
    }
}

/// `Name--Firm -- Analyst` (analysts; "Anlayst" and other typos occur) or `Name--Title`.
fn participant(entry: &str) -> Option<Participant> {
    let (name, rest) = entry.split_once("--")?;
    let name = name.trim();
    let rest = rest.trim();
    // Analysts are marked "-- Analyst" (or a typo of it), "Research Division", or
    // nothing but the firm; executives carry a job title.
    let lower = rest.to_lowercase();
    let is_analyst = lower.contains("anal")
        || lower.contains("anlay")
        || lower.contains("research division")
        || !title_label().is_match(rest);
    // An analyst's firm is what comes before "-- Analyst"; an executive's title is all of it.
    let firm = match rest.rsplit_once("--") {
        Some((firm, _)) if is_analyst => super::firm_name(firm),
        _ if is_analyst => super::firm_name(rest),
        _ => rest,
    };
    (!name.is_empty()).then(|| Participant {
        name: name.to_owned(),
        role: if is_analyst { Role::Analyst } else { Role::Executive },
        firm: (!firm.is_empty()).then(|| firm.to_owned()),
    })
}

/// "Welcome to the Aaron's Company First Quarter 2021 Earnings Call" -> "Aaron's Company".
fn company_from_welcome(turns: &[Turn]) -> Option<String> {
    let first = turns.iter().find(|t| t.role == Role::Operator)?;
    quarters::welcome_long_name()
        .captures(&first.text)
        .map(|c| c["co"].trim().to_owned())
        .filter(|c| c.chars().next().is_some_and(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_split_into_roles() {
        let a = participant("Jane Roe--Big Bank -- Analyst").unwrap();
        assert_eq!(
            (a.name.as_str(), a.role, a.firm.as_deref()),
            ("Jane Roe", Role::Analyst, Some("Big Bank"))
        );
        let typo = participant("Jon Doe--Small Bank -- Anlayst").unwrap();
        assert_eq!(typo.role, Role::Analyst);
        let md = participant("Al Roe--Big Bank, Research Division -- MD").unwrap();
        assert_eq!((md.role, md.firm.as_deref()), (Role::Analyst, Some("Big Bank")));
        let two_titles = participant("Ed Poe--President and Chief Operating Officer, President -- Bedding").unwrap();
        assert_eq!(two_titles.role, Role::Executive);
        let ir = participant("Di Lo--VP of Investor Relations").unwrap();
        assert_eq!(ir.role, Role::Executive);
        let bare = participant("Jo Poe--Mid Bank").unwrap();
        assert_eq!((bare.role, bare.firm.as_deref()), (Role::Analyst, Some("Mid Bank")));
        let e = participant("Pat Exec--Chief Executive Officer").unwrap();
        assert_eq!(
            (e.role, e.firm.as_deref()),
            (Role::Executive, Some("Chief Executive Officer"))
        );
    }
}
