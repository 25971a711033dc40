//! `asr_no_speakers`: speech-to-text of the webcast as one run of text
//! with no speaker labels. The only structure is the operator's: each
//! analyst is announced ("The next question comes from the line of X with
//! Y. Please proceed."), so the text is cut at those cues into an operator
//! turn, the analyst's turn and the answer. Analyst and answer run
//! together in the audio; the analyst's part ends where the first
//! sentence that opens an answer follows a question ("...next year?
//! Thanks, Ann. So ...").

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::{meta, Format, IngestError};
use crate::call::{Call, Role, Section, Turn};

pub struct AsrNoSpeakers;

const NAME: &str = r"(?P<name>(?:[A-Z][\w'’-]*\.?\s+){0,3}[A-Z][\w'’-]*)";
const FIRM: &str = r"(?:the company\s+)?(?P<firm>(?:[A-Z]\.\s?)+[^.?!]*|[A-Z][^.?!]*)";

/// "our next question comes from the line of X with Y", "we'll take our
/// first question from X of Y", "and that will come from X with Y".
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?i:question)(?:\s+\w+){{0,3}}?\s+(?i:comes|is coming|will come|is|come|has come)\s+(?i:from|to)|(?i:that|which)\s+(?i:will come|comes)\s+(?i:from)|(?i:take|have)\s+(?i:our|a|the)\s+(?:\w+\s+){{0,2}}?(?i:question)\s+(?i:from))\s+(?:(?i:the|a)\s+line\s+of\s+)?{NAME}(?:,?\s+(?i:with|from|of|at)\s+{FIRM})?[.?!]"
    ))
    .unwrap()
});

/// Cues that name the analyst without the word "question", so the firm
/// must follow: "we go next now to X of Y", "our next caller is X with Y",
/// and a bare "X with Y." when the operator then hands over the line.
static NAMED_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?i:go|move)\s+(?:(?i:first|next|on)\s+)?(?:(?i:today|now)\s+)?(?i:to)\s+|(?i:caller\s+is)\s+|(?P<bare>[.?!]\s+))(?:(?i:the|a)\s+line\s+of\s+)?{NAME},?\s+(?i:with|from|of|at)\s+{FIRM}[.?!]"
    ))
    .unwrap()
});

/// The same cue where the speech-to-text fell into lower case without
/// punctuation ("...comes from the line of jane roe with acme bank please
/// proceed ..."): only taken whole, up to the hand-over.
static LOWER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"question\s+(?:comes|is|will come)\s+from\s+(?:the\s+line\s+of\s+)?(?P<name>[a-z][a-z'-]+(?:\s[a-z][a-z'-]+){1,2})\s+(?:with|from|of)\s+(?P<firm>[a-z][a-z&.' -]{1,40}?)\s+(?:please\s+(?:proceed|go\s+ahead)|your\s+line\s+is\s+(?:now\s+)?open)")
        .unwrap()
});

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

/// What the operator says after naming the analyst.
static HANDOVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[A-Z][\w'’-]*,\s+)?(?i:please\s+(?:proceed|go\s+ahead)[^.?!]*|your\s+line\s+is\s+(?:now\s+)?(?:open|live)|you\s+may\s+(?:proceed|begin|go\s+ahead)[^.?!]*|go\s+ahead[^.?!]*)[.?!]").unwrap()
});

static TITLE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:Director|Officer|President|Relations|Chief|Vice|Head|Treasurer|Chairman|CEO|CFO)\b").unwrap()
});

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
    let mut all: Vec<Cue> = CUE.captures_iter(text).map(|c| cue(c, 0)).collect();
    for c in NAMED_CUE.captures_iter(text) {
        let bare = c.name("bare").map(|b| b.len());
        // "...over to Jo Doe, Senior Director of Investor Relations. Please go ahead." is no cue.
        let titled = TITLE_WORDS.is_match(c.get(0).unwrap().as_str());
        if !titled && (bare.is_none() || HANDOVER.is_match(&text[c.get(0).unwrap().end()..])) {
            all.push(cue(c, bare.unwrap_or(0)));
        }
    }
    for c in LOWER_CUE.captures_iter(text) {
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

/// Where the call ends.
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:this|that)\s+(?:concludes|does conclude|will conclude)\s+(?:today's|our|the)").unwrap()
});

/// Sentences that open an executive's answer.
static ANSWER_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:Thanks|Thank you),?\s+(?:for\s+(?:the|your|that)\s+question|[A-Z][a-z]+\b)|(?:Great|Good|That's a (?:great|good)|It's a (?:great|good))\s+question|Yeah|Yes|Sure|Absolutely|Okay,\s+so|So,?\s+[A-Z][a-z]+,|Well|Look|Let me|I'll (?:take|start)|Maybe (?:I'll|I can|to|just)|To answer|I can (?:take|start))\b").unwrap()
});

/// An analyst's closing courtesy: "Thank you." "Thanks so much."
static CLOSING_THANKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\w+\.?\s+)?(?:thank you|thanks)(?:\s+(?:so|very)\s+much|\s+again|\s+guys|\s+everyone)?[.!]$")
        .unwrap()
});

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
        |i: usize| sents[i - 1].ends_with('?') || (CLOSING_THANKS.is_match(sents[i - 1]) && (i >= 2 || asked(i)));
    if let Some(i) = (1..sents.len()).find(|&i| closes(i) && (ANSWER_OPENER.is_match(sents[i]) || addressed(sents[i])))
    {
        return i;
    }
    // No opener: stop after the last question, or the closing thanks, among the first few sentences.
    let window = sents.len().min(10);
    sents[..window]
        .iter()
        .rposition(|s| s.ends_with('?'))
        .or_else(|| (1..window).find(|&i| CLOSING_THANKS.is_match(sents[i])))
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
    let end = CLOSING.find_at(text, last.end).map_or(text.len(), |m| m.start());
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
        if let Some(h) = HANDOVER.find(&text[after..end.max(after)]) {
            operator.push(' ');
            operator.push_str(h.as_str().trim());
            after += h.end();
        }
        let stretch_end = cues.get(k + 1).map_or(end, cue_start).max(after);
        let sents = sentences(&text[after..stretch_end]);
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
        if one_run && !t.starts_with(['{', '[']) && (CUE.is_match(t) || NAMED_CUE.is_match(t) || LOWER_CUE.is_match(t))
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
