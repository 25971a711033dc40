//! The operator's cues: the analysts (and firms) they name, whether a turn
//! hands the line to someone who will ask, and a question run into its cue.

use super::people::People;
use super::Speaker;
use crate::call::Role;
use crate::lexicon::cues::{after_firm, handover_in_turn, operator_cue, question_cue, NOT_NAMES};

/// `(analyst, firm)` pairs the operator announces.
pub(super) fn operator_cues(text: &str) -> Vec<(String, Option<String>)> {
    operator_cue_spans(text)
        .into_iter()
        .map(|(name, firm, _)| (name, firm))
        .collect()
}

/// Each cue's analyst, firm, and the byte offset where the cue ends.
pub(super) fn operator_cue_spans(text: &str) -> Vec<(String, Option<String>, usize)> {
    let (cue, tail) = (operator_cue(), after_firm());
    cue.captures_iter(text)
        .filter_map(|c| {
            let name = c["name"].trim_end_matches(['.', '\'', '’']).to_owned();
            let words: Vec<_> = name.split_whitespace().collect();
            // "Your line is open", "Operator Instructions" and the like are not names.
            if words.len() < 2 || words.iter().any(|w| NOT_NAMES.contains(&w.to_lowercase().as_str())) {
                return None;
            }
            let mut end = c.get(0).expect("whole match").end();
            let firm = c.name("firm").and_then(|f| {
                let kept = tail.replace(f.as_str().trim(), "").trim().to_owned();
                // Where the firm was cut short ("Big Bank who asks"), the cue ends with what was kept.
                if kept.len() < f.as_str().trim().len() {
                    end = f.start() + f.as_str().find(kept.as_str()).unwrap_or(0) + kept.len();
                }
                (!kept.is_empty()).then_some(kept)
            });
            Some((name, firm, end))
        })
        .collect()
}

/// Whether the operator is handing the line to someone who will ask.
pub(super) fn is_question_cue(text: &str) -> bool {
    question_cue().is_match(text)
}

/// The analyst and their words where a cue and the question share one turn.
pub(super) fn merged_into_cue<'a>(text: &'a str, people: &People) -> Option<(Speaker, &'a str)> {
    let (name, firm, end) = operator_cue_spans(text).into_iter().last()?;
    let rest = &text[end..];
    let words = handover_in_turn().find(rest).map(|m| &rest[m.end()..])?;
    (words.split_whitespace().count() >= 12).then(|| {
        let analyst = cued(people, name, firm);
        (analyst, words)
    })
}

/// The speaker an operator's cue names: a known person (the cue's firm
/// where the roster has none), else an analyst known only by the cue.
pub(super) fn cued(people: &People, name: String, firm: Option<String>) -> Speaker {
    match people.find(&name) {
        Some(p) => Speaker {
            firm: p.firm.clone().or(firm),
            ..People::speaker(p)
        },
        None => Speaker {
            role: Role::Analyst,
            name,
            firm,
        },
    }
}
