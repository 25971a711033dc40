//! `streetevents_text`: the Refinitiv (Thomson Reuters StreetEvents) text
//! layout. A header (`MSFT - Q2 2026 Microsoft Corp Earnings Call`,
//! `EVENT DATE/TIME: JANUARY 28, 2026 / 10:30PM GMT`), "Corporate
//! Participants" and "Conference Call Participants" rosters (`* Name` over
//! `Firm - Title`), then "Presentation" and "Questions and Answers"
//! sections under `====` rules, each turn headed by a line such as
//! `Lena Okafor, Harbor Peak Securities - Analyst   [6]` between `----` rules.

use std::path::Path;

use regex::Regex;

use super::{meta, Format, IngestError};
use crate::call::{Call, Participant, Role, Section, Turn};
use crate::lexicon::regex;

pub struct StreetEventsText;

/// `Operator [1]` or `Name, Firm - Title [12]`.
fn speaker_line() -> &'static Regex {
    regex!(r"^\s*([^,\[\]]+?)(?:,\s+(.+?)\s+-\s+(.+?))?\s+\[(\d+)\]\s*$")
}

/// `MSFT - Q2 2026 Microsoft Corp Earnings Call`.
fn title_line() -> &'static Regex {
    regex!(r"^\s*([A-Z][A-Z.]{0,6})\s+-\s+(Q[1-4]\s+(?:FY)?\d{4})\s+(.+?)\s+Earnings Call")
}

fn is_rule(line: &str, c: char) -> bool {
    let t = line.trim();
    t.len() >= 10 && t.chars().all(|x| x == c)
}

fn role_from_title(title: &str) -> Role {
    if title.to_lowercase().contains("analyst") {
        Role::Analyst
    } else {
        Role::Executive
    }
}

impl Format for StreetEventsText {
    fn name(&self) -> &'static str {
        "streetevents_text"
    }

    fn detect(&self, text: &str) -> u8 {
        let speakers = text.lines().filter(|l| speaker_line().is_match(l)).take(3).count();
        let rules = text.lines().any(|l| is_rule(l, '='));
        if speakers >= 3
            && rules
            && text
                .lines()
                .any(|l| l.trim() == "Questions and Answers" || l.trim() == "Presentation")
        {
            95
        } else {
            0
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let lines: Vec<&str> = text.lines().collect();
        let mut participants = Vec::new();
        let mut turns: Vec<Turn> = Vec::new();
        let mut section = None;
        let mut roster: Option<Role> = None;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim();
            match line {
                "Corporate Participants" => roster = Some(Role::Executive),
                "Conference Call Participants" => roster = Some(Role::Analyst),
                "Presentation" => (roster, section) = (None, Some(Section::Remarks)),
                "Questions and Answers" => (roster, section) = (None, Some(Section::Qa)),
                _ => {}
            }
            if let (Some(role), Some(name)) = (roster, line.strip_prefix("* ")) {
                // The line under the name: `Firm - Title`.
                let firm = lines
                    .get(i + 1)
                    .and_then(|l| l.trim().rsplit_once(" - "))
                    .map(|(f, _)| f.trim().to_owned());
                participants.push(Participant {
                    name: name.trim().to_owned(),
                    role,
                    firm: firm.filter(|_| role == Role::Analyst),
                });
            } else if section.is_some() && lines.get(i.wrapping_sub(1)).is_some_and(|l| is_rule(l, '-')) {
                if let Some(c) = speaker_line().captures(line) {
                    let speaker = c[1].trim().to_owned();
                    let (role, firm) = match (c.get(2), c.get(3)) {
                        (Some(firm), Some(title)) => {
                            let role = role_from_title(title.as_str());
                            (role, (role == Role::Analyst).then(|| firm.as_str().trim().to_owned()))
                        }
                        _ if speaker.eq_ignore_ascii_case("operator") => (Role::Operator, None),
                        _ => (Role::Unknown, None),
                    };
                    turns.push(Turn {
                        speaker,
                        role,
                        firm,
                        text: String::new(),
                        section,
                    });
                    i += 1;
                    continue;
                }
            }
            if !line.is_empty() && !is_rule(line, '-') && !is_rule(line, '=') && section.is_some() {
                let heading = matches!(line, "Presentation" | "Questions and Answers");
                if let (false, Some(last)) = (heading, turns.last_mut()) {
                    last.push_line(line);
                }
            }
            i += 1;
        }
        if turns.is_empty() {
            return Err(IngestError::Malformed {
                format: self.name(),
                message: "no `Name, Firm - Title [n]` turns".into(),
            });
        }
        let head = meta::head(text, 2000);
        let title = head.lines().find_map(|l| title_line().captures(l));
        let ticker = title
            .as_ref()
            .map(|c| c[1].to_owned())
            .or_else(|| meta::ticker_from_file_name(path))
            .unwrap_or_default();
        Ok(Call {
            source: path.to_path_buf(),
            format: self.name().into(),
            company: title
                .as_ref()
                .map(|c| c[3].trim().to_owned())
                .unwrap_or_else(|| ticker.clone()),
            ticker,
            fiscal: title.as_ref().and_then(|c| meta::quarter_label(&c[2])),
            spoken: None,
            call_date: head
                .lines()
                .find(|l| l.contains("EVENT DATE"))
                .and_then(meta::first_date),
            participants,
            turns,
            notes: Vec::new(),
        })
    }
}
