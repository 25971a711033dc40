//! `callstreet_text`: the CallStreet/FactSet transcript as text taken from
//! its PDF (JPMorgan's calls in the raja2502 collection). Turns are
//! separated by rules of dots; each opens with the speaker's name on one
//! line and `Title, Company` on the next, ending in `Q` for a question or
//! `A` for an answer; the operator speaks inline (`Operator: ...`).
//! "MANAGEMENT DISCUSSION SECTION" and "QUESTION AND ANSWER SECTION" head
//! the two parts.

use std::path::Path;

use super::{meta, name_colon, Format, IngestError};
use crate::call::{Call, Role, Section, Turn};

pub struct CallStreetText;

const REMARKS: &str = "MANAGEMENT DISCUSSION SECTION";
const QA: &str = "QUESTION AND ANSWER SECTION";

fn is_dots(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 20 && t.chars().all(|c| c == '.' || c == '…')
}

/// `Analyst, Wolfe Research LLC Q` -> the role and, for analysts, the firm.
fn title_line(line: &str) -> Option<(Role, Option<String>)> {
    let t = line.trim();
    let (title, mark) = t.rsplit_once(' ')?;
    let (role, firm) = match mark {
        "Q" => (
            Role::Analyst,
            title.split_once(", ").map(|(_, firm)| firm.trim().to_owned()),
        ),
        "A" => (Role::Executive, None),
        _ => return None,
    };
    (title.contains(',') || title.starts_with("Analyst")).then_some((role, firm))
}

impl Format for CallStreetText {
    fn name(&self) -> &'static str {
        "callstreet_text"
    }

    fn detect(&self, text: &str) -> u8 {
        let rules = text.lines().filter(|l| is_dots(l)).take(3).count();
        let sections = text.lines().any(|l| l.trim() == QA || l.trim() == REMARKS);
        if rules >= 3 && sections {
            90
        } else {
            0
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let mut turns: Vec<Turn> = Vec::new();
        let mut section = None;
        // A speaker block opens right after a rule; page numbers may sit between.
        let mut after_rule = true;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if is_dots(line) {
                after_rule = true;
            } else if line.is_empty() || line.chars().all(|c| c.is_ascii_digit()) {
                // Blank lines and page numbers.
            } else if line == REMARKS || line == QA {
                section = Some(if line == QA { Section::Qa } else { Section::Remarks });
            } else if let (true, Some((role, firm))) = (after_rule, lines.get(i + 1).and_then(|l| title_line(l))) {
                turns.push(Turn {
                    speaker: line.to_owned(),
                    role,
                    firm,
                    text: String::new(),
                    section,
                });
                after_rule = false;
                i += 1;
            } else {
                after_rule = false;
                if let Some((speaker, role, rest)) = name_colon::split_label(line).filter(|(s, ..)| *s == "Operator") {
                    turns.push(Turn {
                        speaker: speaker.to_owned(),
                        role,
                        firm: None,
                        text: rest.to_owned(),
                        section,
                    });
                } else if let Some(last) = turns.last_mut() {
                    last.push_line(line);
                }
            }
            i += 1;
        }
        if turns.is_empty() {
            return Err(IngestError::Malformed {
                format: self.name(),
                message: "no speaker blocks between dotted rules".into(),
            });
        }
        let opening = meta::head(text, 3000);
        let mut call = meta::call_from_opening(self.name(), path, opening, turns)?;
        call.call_date = opening.lines().take(5).find_map(meta::first_date);
        Ok(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_between_dotted_rules() {
        let rule = ".".repeat(40);
        let text = format!(
            "EARNINGS CALL TRANSCRIPT\nApril 11, 2025\nMANAGEMENT DISCUSSION SECTION\n{rule}\nOperator: Welcome to Acme's First-Quarter 2025 Earnings Call.\n{rule}\nJo Doe\nChief Financial Officer, Acme A\nWe did well.\n{rule}\nQUESTION AND ANSWER SECTION\nOperator: Our first question comes from Ann Lee with Beta.\n{rule}\nAnn Lee\nAnalyst, Beta Securities LLC Q\nHow are margins?\n4\nAnd costs?\n{rule}\n5\nJo Doe\nChief Financial Officer, Acme A\nUp.\n"
        );
        assert!(CallStreetText.detect(&text) > 0);
        let call = CallStreetText.parse(&text, Path::new("ACME_Q1_2025.txt")).unwrap();
        let who: Vec<_> = call
            .turns
            .iter()
            .map(|t| (t.speaker.as_str(), t.role, t.section))
            .collect();
        assert_eq!(who[3], ("Ann Lee", Role::Analyst, Some(Section::Qa)));
        assert_eq!(call.turns[3].firm.as_deref(), Some("Beta Securities LLC"));
        assert_eq!(call.turns[3].text, "How are margins?\nAnd costs?");
        assert_eq!(call.turns.len(), 5);
        assert_eq!(call.fiscal, Some(crate::call::FiscalPeriod { year: 2025, quarter: 1 }));
        assert_eq!(call.call_date, chrono::NaiveDate::from_ymd_opt(2025, 4, 11));
    }
}
