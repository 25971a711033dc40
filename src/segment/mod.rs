//! From a `Call`'s raw turns to analyst questions, the same way for every
//! layout: find where the Q&A starts, decide who speaks (operator, analyst,
//! executive) from the rosters, the operator's cues and the flow of the
//! conversation, then cut each analyst turn into the questions it asks
//! (see the "Unit" in the labeling guidelines).
//!
//! `people` knows who the call names, `cues` reads the operator's cues,
//! `attribution` finds where the Q&A starts and whose each turn is, and
//! `split` cuts a turn into questions. The words themselves live in
//! `lexicon`.

mod attribution;
mod cues;
mod people;
mod split;
#[cfg(test)]
mod tests;

pub use split::split_questions;

use crate::call::{Call, Role};
use attribution::{analyst_turns, attribute, qa_start, read_out_turns};
use people::People;

/// One question as segmentation finds it; `question::Question` adds the
/// call's identity and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub analyst: String,
    pub firm: String,
    /// 1-based analyst turn (among turns that ask something).
    pub turn: u32,
    /// 1-based question within the turn.
    pub index: u32,
    pub text: String,
    /// The start of the executives' reply to the turn, at most
    /// `REPLY_WORDS` words: context for the classifier, since a reply often
    /// names the business a terse question is about.
    pub reply: String,
}

/// Words of a reply kept: its opening names the subject; the rest adds
/// little for the classifier and would bloat every question record.
pub const REPLY_WORDS: usize = 64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SegmentError {
    #[error("no question-and-answer section: the transcript holds only prepared remarks")]
    NoQa,
    #[error("the question-and-answer section holds no analyst question")]
    NoQuestions,
}

/// The analyst questions of a call, in order.
pub fn questions(call: &Call) -> Result<Vec<Asked>, SegmentError> {
    Ok(asked_turns(call)?.into_iter().flat_map(|(asked, _)| asked).collect())
}

/// The executives' whole reply to analyst turn `turn` (numbered as
/// `Asked::turn`): what review shows on request, where a question keeps
/// only the reply's opening.
pub fn whole_reply(call: &Call, turn: u32) -> Option<String> {
    let (_, reply) = asked_turns(call).ok()?.into_iter().nth(turn.checked_sub(1)? as usize)?;
    Some(reply)
}

/// The turns that ask something: their questions, and the whole reply.
fn asked_turns(call: &Call) -> Result<Vec<(Vec<Asked>, String)>, SegmentError> {
    let people = People::new(call);
    let start = qa_start(call, &people).ok_or(SegmentError::NoQa)?;
    let speakers = attribute(call, &people, start);
    let mut turns = analyst_turns(call, &people, &speakers, start);
    if turns.is_empty() {
        // No analyst on the line: calls where the host reads out questions sent in.
        turns = read_out_turns(call, start);
    }
    let mut out = Vec::new();
    for AnalystTurn { speaker, text, reply } in turns {
        let qs = split_questions(&text, &speaker.name);
        if qs.is_empty() {
            continue;
        }
        let turn = out.len() as u32 + 1;
        let opening = first_words(&reply, REPLY_WORDS);
        let asked = qs
            .into_iter()
            .enumerate()
            .map(|(i, q)| Asked {
                analyst: speaker.name.clone(),
                firm: speaker.firm.clone().unwrap_or_default(),
                turn,
                index: i as u32 + 1,
                text: q,
                reply: opening.clone(),
            })
            .collect();
        out.push((asked, reply));
    }
    if out.is_empty() {
        return Err(SegmentError::NoQuestions);
    }
    Ok(out)
}

/// An analyst's turn in the Q&A and the executives' words that follow it.
struct AnalystTurn {
    speaker: Speaker,
    text: String,
    reply: String,
}

impl AnalystTurn {
    fn new(speaker: Speaker, text: String) -> Self {
        AnalystTurn {
            speaker,
            text,
            reply: String::new(),
        }
    }

    /// Adds an executive's words to the reply.
    fn hear(&mut self, text: &str) {
        if !self.reply.is_empty() {
            self.reply.push(' ');
        }
        self.reply.push_str(text);
    }
}

/// The first `n` words of `text`, joined by single spaces.
fn first_words(text: &str, n: usize) -> String {
    text.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

/// Who a turn is by, once decided.
#[derive(Debug, Clone, PartialEq)]
struct Speaker {
    role: Role,
    name: String,
    firm: Option<String>,
}
