//! `asr_no_speakers`: speech-to-text of the webcast as one run of text
//! with no speaker labels. The only structure is the operator's: each
//! analyst is announced ("The next question comes from the line of X with
//! Y. Please proceed."), so the text is cut at those cues into an operator
//! turn, the analyst's turn and the answer. Analyst and answer run
//! together in the audio; the analyst's part ends where the first
//! sentence that opens an answer follows a question ("...next year?
//! Thanks, Ann. So ...").

use std::path::Path;

use super::{meta, Format, IngestError};
use crate::call::{Call, Role, Section, Turn};
use crate::lexicon::answers::{closing_thanks, spoken_opener};
use crate::lexicon::cues::{closing, spoken_cue, spoken_handover, spoken_lower_cue, spoken_named_cue};
use crate::lexicon::people::spoken_title;
use crate::lexicon::sentences;

pub struct AsrNoSpeakers;

/// "jane roe" -> "Jane Roe".
fn title_case(words: &str) -> String {
    words
        .split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cue: where it starts and ends, the analyst and the firm.
struct Cue {
    start: usize,
    end: usize,
    analyst: String,
    firm: Option<String>,
}

/// Every cue in `text`, in order, overlapping ones dropped.
fn cues(text: &str) -> Vec<Cue> {
    let cue = |c: regex::Captures, skip: usize| Cue {
        start: c.get(0).unwrap().start() + skip,
        end: c.get(0).unwrap().end(),
        analyst: c["name"].trim().to_owned(),
        firm: c
            .name("firm")
            .map(|f| f.as_str().trim().trim_end_matches(',').to_owned())
            .filter(|f| !f.is_empty()),
    };
    let mut all: Vec<Cue> = spoken_cue().captures_iter(text).map(|c| cue(c, 0)).collect();
    for c in spoken_named_cue().captures_iter(text) {
        let bare = c.name("bare").map(|b| b.len());
        // "...over to Jo Doe, Senior Director of Investor Relations. Please go ahead." is no cue.
        let titled = spoken_title().is_match(c.get(0).unwrap().as_str());
        if !titled && (bare.is_none() || spoken_handover().is_match(&text[c.get(0).unwrap().end()..])) {
            all.push(cue(c, bare.unwrap_or(0)));
        }
    }
    for c in spoken_lower_cue().captures_iter(text) {
        all.push(Cue {
            start: c.get(0).unwrap().start(),
            end: c.get(0).unwrap().end(),
            analyst: title_case(&c["name"]),
            firm: Some(title_case(&c["firm"])),
        });
    }
    all.sort_by_key(|c| c.start);
    let mut out: Vec<Cue> = Vec::new();
    for c in all {
        if out.last().is_none_or(|last| c.start >= last.end) {
            out.push(c);
        }
    }
    out
}

/// How many sentences of `stretch` the analyst speaks: up to the first
/// sentence that opens an answer (a stock opener, or the analyst's first
/// name among its first words: "Maybe to answer both, Mark, ...") after a
/// question or a closing "Thank you." (some analysts ask without a
/// question mark).
fn question_length(sents: &[&str], analyst: &str) -> usize {
    let first_name = analyst.split_whitespace().next().unwrap_or_default();
    let addressed = |s: &str| {
        s.split_whitespace()
            .take(8)
            .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == first_name)
    };
    let asked = |i: usize| sents[..i].iter().any(|s| s.ends_with('?'));
    let closes =
        |i: usize| sents[i - 1].ends_with('?') || (closing_thanks().is_match(sents[i - 1]) && (i >= 2 || asked(i)));
    if let Some(i) =
        (1..sents.len()).find(|&i| closes(i) && (spoken_opener().is_match(sents[i]) || addressed(sents[i])))
    {
        return i;
    }
    // No opener: stop after the last question, or the closing thanks, among the first few sentences.
    let window = sents.len().min(10);
    sents[..window]
        .iter()
        .rposition(|s| s.ends_with('?'))
        .or_else(|| (1..window).find(|&i| closing_thanks().is_match(sents[i])))
        .map_or(window.min(4), |i| i + 1)
}

fn turn(speaker: &str, role: Role, firm: Option<String>, text: String, section: Section) -> Turn {
    Turn {
        speaker: speaker.to_owned(),
        role,
        firm,
        text,
        section: Some(section),
    }
}

/// Turns: everything before the first cue as one stretch of remarks, then
/// for each cue the operator's words, the analyst's question and the answer.
fn turns(text: &str) -> Vec<Turn> {
    let cues = cues(text);
    let mut turns = Vec::new();
    let Some(last) = cues.last() else { return turns };
    let end = closing().find_at(text, last.end).map_or(text.len(), |m| m.start());
    let cue_start = |c: &Cue| text[..c.start].rfind(['.', '?', '!']).map_or(0, |p| p + 1);
    turns.push(turn(
        "Speakers",
        Role::Unknown,
        None,
        text[..cue_start(&cues[0])].trim().to_owned(),
        Section::Remarks,
    ));
    for (k, c) in cues.iter().enumerate() {
        let mut after = c.end;
        let mut operator = text[cue_start(c)..after].trim().to_owned();
        if let Some(h) = spoken_handover().find(&text[after..end.max(after)]) {
            operator.push(' ');
            operator.push_str(h.as_str().trim());
            after += h.end();
        }
        let stretch_end = cues.get(k + 1).map_or(end, cue_start).max(after);
        let sents = sentences::of_speech(&text[after..stretch_end]);
        let n = question_length(&sents, &c.analyst);
        turns.push(turn("Operator", Role::Operator, None, operator, Section::Qa));
        turns.push(turn(
            &c.analyst,
            Role::Analyst,
            c.firm.clone(),
            sents[..n].join(" "),
            Section::Qa,
        ));
        if n < sents.len() {
            turns.push(turn(
                "Executive",
                Role::Executive,
                None,
                sents[n..].join(" "),
                Section::Qa,
            ));
        }
    }
    turns
}

impl Format for AsrNoSpeakers {
    fn name(&self) -> &'static str {
        "asr_no_speakers"
    }

    fn detect(&self, text: &str) -> u8 {
        let t = text.trim();
        let one_run = t.lines().count() <= 3 && t.len() > 2000;
        if one_run
            && !t.starts_with(['{', '['])
            && (spoken_cue().is_match(t) || spoken_named_cue().is_match(t) || spoken_lower_cue().is_match(t))
        {
            60
        } else {
            0
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let turns = turns(&text);
        if turns.is_empty() {
            return Err(IngestError::Malformed {
                format: self.name(),
                message: "no operator cue (\"next question comes from ...\") to find the questions by".into(),
            });
        }
        meta::call_from_opening(self.name(), path, meta::head(&text, 2000), turns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: &str = "Welcome to the Acme First Quarter 2025 Earnings Call. Revenue grew. Our first question comes from the line of Ann Lee with J.P. Morgan. Please proceed. Hi, thanks for taking the question. How should we think about capex next year? And what about margins? Thanks, Ann. So capex will rise. Margins hold. Thank you. We go next now to Bo Chan of Beta Bank. Two questions. First, pricing? Second, power? Bo, on pricing, it is firm. This concludes today's call.";

    #[test]
    fn cues_cut_analysts_from_answers() {
        let t = turns(CALL);
        let who: Vec<_> = t.iter().map(|t| (t.speaker.as_str(), t.role)).collect();
        assert_eq!(
            who,
            [
                ("Speakers", Role::Unknown),
                ("Operator", Role::Operator),
                ("Ann Lee", Role::Analyst),
                ("Executive", Role::Executive),
                ("Operator", Role::Operator),
                ("Bo Chan", Role::Analyst),
                ("Executive", Role::Executive),
            ]
        );
        assert_eq!(t[2].firm.as_deref(), Some("J.P. Morgan"));
        assert_eq!(
            t[2].text,
            "Hi, thanks for taking the question. How should we think about capex next year? And what about margins?"
        );
        assert_eq!(t[5].firm.as_deref(), Some("Beta Bank"));
        assert_eq!(t[5].text, "Two questions. First, pricing? Second, power?");
        assert!(t[1].text.ends_with("Please proceed."));
        let bare = turns("Prepared remarks end here. Operator, next question? Thank you. Cy Doe with the company Gamma. Cy, your line is now open. Is demand firm? Yes. This concludes today's call.");
        assert_eq!(
            (bare[2].speaker.as_str(), bare[2].firm.as_deref()),
            ("Cy Doe", Some("Gamma"))
        );
        assert_eq!(bare[2].text, "Is demand firm?");
        let lower = turns("Welcome. Revenue grew. and our first question comes from the line of cy doe with gamma bank please proceed hi thanks. Is demand firm? Cy, yes it is.");
        assert_eq!(
            (lower[2].speaker.as_str(), lower[2].firm.as_deref()),
            ("Cy Doe", Some("Gamma Bank"))
        );
    }

    #[test]
    fn file_label_and_company_from_the_opening() {
        let call = AsrNoSpeakers.parse(CALL, Path::new("ACME_2024_Q4.txt")).unwrap();
        assert_eq!(call.fiscal, Some(crate::call::FiscalPeriod { year: 2024, quarter: 4 }));
        assert_eq!(call.company, "Acme");
    }
}
