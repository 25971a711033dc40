//! `asr_no_speakers`: speech-to-text of the webcast as one run of text
//! with no speaker labels. The only structure is the operator's: each
//! analyst is announced ("The next question comes from the line of X with
//! Y. Please proceed."), so the text is cut at those cues into an operator
//! turn, the analyst's turn and the answer. Analyst and answer run
//! together in the audio; the analyst's part ends where the first
//! sentence that opens an answer follows a question ("...next year?
//! Thanks, Keith. So ...").

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::{meta, Format, IngestError};
use crate::call::{Call, Role, Section, Turn};

pub struct AsrNoSpeakers;

const NAME: &str = r"((?:[A-Z][\w'’-]*\.?\s+){0,3}[A-Z][\w'’-]*)";

/// "our next question comes from the line of X with Y", "we'll take our
/// first question from X of Y", "we go next now to X at Y".
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?i:question)(?:\s+\w+){{0,3}}?\s+(?i:comes|is coming|will come|is|come|has come)\s+(?i:from|to)|(?i:take|have)\s+(?i:our|a|the)\s+(?:\w+\s+){{0,2}}?(?i:question)\s+(?i:from)|(?i:go|move)\s+(?i:next|on)(?:\s+now)?\s+(?i:to))\s+(?:(?i:the|a)\s+line\s+of\s+)?{NAME}(?:,?\s+(?i:with|from|of|at)\s+((?:[A-Z]\.\s?)+[^.?!]*|[A-Z][^.?!]*))?[.?!]"
    ))
    .unwrap()
});

/// What the operator says after naming the analyst.
static HANDOVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i)\s*(?:please\s+(?:proceed|go\s+ahead)[^.?!]*|your\s+line\s+is\s+(?:now\s+)?(?:open|live)|you\s+may\s+(?:proceed|begin)[^.?!]*|go\s+ahead[^.?!]*)[.?!]").unwrap()
});

/// Where the call ends.
static CLOSING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:this|that)\s+(?:concludes|does conclude)\s+(?:today's|our|the)").unwrap());

/// Sentences that open an executive's answer.
static ANSWER_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:Thanks|Thank you),?\s+(?:for\s+(?:the|your|that)\s+question|[A-Z][a-z]+\b)|(?:Great|Good|That's a (?:great|good)|It's a (?:great|good))\s+question|Yeah|Yes|Sure|Absolutely|Okay,\s+so|So,?\s+[A-Z][a-z]+,|Well|Let me|I'll (?:take|start)|Maybe I'll|Maybe I can|I can (?:take|start))\b").unwrap()
});

/// An analyst's closing courtesy: "Thank you." "Thanks so much."
static CLOSING_THANKS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:\w+\.?\s+)?(?:thank you|thanks)(?:\s+(?:so|very)\s+much|\s+again|\s+guys|\s+everyone)?[.!]$").unwrap());

/// Sentence spans in `text`: a stop, then space, then a capital, except
/// after an initial (`J.P. Morgan`).
fn sentences(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!') && bytes.get(i + 1) == Some(&b' ') {
            let word_start = text[..i].rfind(' ').map_or(0, |p| p + 1);
            let initial = i - word_start <= 1 || text[word_start..i].contains('.');
            if !(c == '.' && initial) && bytes.get(i + 2).is_some_and(|b| b.is_ascii_uppercase()) {
                out.push(text[start..=i].trim());
                start = i + 2;
            }
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

/// How many sentences of `stretch` the analyst speaks.
fn question_length(sents: &[&str]) -> usize {
    let closes = |s: &str| s.ends_with('?') || CLOSING_THANKS.is_match(s);
    let asked = |i: usize| sents[..i].iter().any(|s| s.ends_with('?'));
    if let Some(i) = (1..sents.len()).find(|&i| closes(sents[i - 1]) && asked(i) && ANSWER_OPENER.is_match(sents[i])) {
        return i;
    }
    // No opener after a question: stop after the last question among the first few sentences.
    let window = sents.len().min(10);
    sents[..window].iter().rposition(|s| s.ends_with('?')).map_or(window.min(4), |i| i + 1)
}

fn turn(speaker: &str, role: Role, firm: Option<String>, text: String, section: Section) -> Turn {
    Turn { speaker: speaker.to_owned(), role, firm, text, section: Some(section) }
}

/// Turns: everything before the first cue as one stretch of remarks, then
/// for each cue the operator's words, the analyst's question and the answer.
fn turns(text: &str) -> Vec<Turn> {
    let end = CLOSING.find(text).map_or(text.len(), |m| m.start());
    let cues: Vec<_> = CUE.captures_iter(&text[..end]).collect();
    let mut turns = Vec::new();
    let Some(first) = cues.first() else { return turns };
    let cue_start = |c: &regex::Captures| text[..c.get(0).unwrap().start()].rfind(['.', '?', '!']).map_or(0, |p| p + 1);
    turns.push(turn("Speakers", Role::Unknown, None, text[..cue_start(first)].trim().to_owned(), Section::Remarks));
    for (k, c) in cues.iter().enumerate() {
        let whole = c.get(0).unwrap();
        let mut after = whole.end();
        let mut operator = text[cue_start(c)..after].trim().to_owned();
        if let Some(h) = HANDOVER.find(&text[after..end]) {
            operator.push(' ');
            operator.push_str(h.as_str().trim());
            after += h.end();
        }
        let stretch_end = cues.get(k + 1).map_or(end, |n| cue_start(n).max(after));
        let sents = sentences(&text[after..stretch_end]);
        let n = question_length(&sents);
        let firm = c.get(2).map(|f| f.as_str().trim().trim_end_matches(',').to_owned()).filter(|f| !f.is_empty());
        turns.push(turn("Operator", Role::Operator, None, operator, Section::Qa));
        turns.push(turn(c[1].trim(), Role::Analyst, firm, sents[..n].join(" "), Section::Qa));
        if n < sents.len() {
            turns.push(turn("Executive", Role::Executive, None, sents[n..].join(" "), Section::Qa));
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
        if one_run && !t.starts_with(['{', '[']) && CUE.is_match(t) {
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
        let opening = meta::head(&text, 2000);
        let ticker = meta::ticker_from_file_name(path).unwrap_or_default();
        Ok(Call {
            source: path.to_path_buf(),
            format: self.name().into(),
            company: meta::welcomed_company(opening).unwrap_or_else(|| ticker.clone()),
            ticker,
            // The file's label is sometimes wrong; the operator's opening is not.
            fiscal: meta::spoken_quarter(opening)
                .or_else(|| meta::quarter_label(&path.file_name().unwrap_or_default().to_string_lossy())),
            call_date: None,
            participants: Vec::new(),
            turns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: &str = "Welcome to the Acme First Quarter 2025 Earnings Call. Revenue grew. Our first question comes from the line of Ann Lee with J.P. Morgan. Please proceed. Hi, thanks for taking the question. How should we think about capex next year? And what about margins? Thanks, Ann. So capex will rise. Margins hold. Thank you. Our next question comes from Bo Chan of Beta Bank. Your line is open. Two questions. First, pricing? Second, power? Thank you. Yeah, so pricing is firm. This concludes today's call.";

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
        assert_eq!(t[2].text, "Hi, thanks for taking the question. How should we think about capex next year? And what about margins?");
        assert_eq!(t[5].firm.as_deref(), Some("Beta Bank"));
        assert_eq!(t[5].text, "Two questions. First, pricing? Second, power? Thank you.");
        assert!(t[1].text.ends_with("Please proceed."));
    }

    #[test]
    fn spoken_label_beats_file_label() {
        let call = AsrNoSpeakers.parse(CALL, Path::new("ACME_2024_Q4.txt")).unwrap();
        assert_eq!(call.fiscal, Some(crate::call::FiscalPeriod { year: 2025, quarter: 1 }));
        assert_eq!(call.company, "Acme");
    }
}
