//! `name_colon_text`: `Name : text` turns, one a paragraph, under a web
//! page's header and above its footer (the raja2502 collection). No
//! roster, no date; the operator names each analyst and firm.

use std::path::Path;

use super::{fool, meta, name_colon, Format, IngestError};
use crate::call::Call;

pub struct NameColonText;

const ROSTERS: &[&str] = &[
    "Company Participants",
    "Conference Call Participants",
    "Corporate Participants",
];

impl Format for NameColonText {
    fn name(&self) -> &'static str {
        "name_colon_text"
    }

    fn detect(&self, text: &str) -> u8 {
        let t = text.trim_start();
        if t.starts_with(['{', '[']) || fool::looks_like_page(text) {
            return 0;
        }
        let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        // CapIQ-style transcripts label paragraphs the same way but carry
        // rosters, a Q&A heading or speakers alone on a line.
        if lines
            .iter()
            .any(|l| ROSTERS.contains(l) || *l == "Operator" || l.eq_ignore_ascii_case("question-and-answer session"))
        {
            return 0;
        }
        let labelled = lines.iter().filter(|l| name_colon::split_label(l).is_some()).count();
        if labelled >= 6 && labelled * 4 >= lines.len() {
            35
        } else {
            0
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let turns = name_colon::turns(text);
        if turns.is_empty() {
            return Err(IngestError::Malformed {
                format: self.name(),
                message: "no `Name: text` turns".into(),
            });
        }
        meta::call_from_opening(self.name(), path, meta::head(text, 3000), turns)
    }
}
