//! One analyst question: the unit that is labeled, classified and counted.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::call::{Call, CallId};
use crate::period::{canonical_ticker, Placement};
use crate::segment::Asked;

/// One line of `earnings-qa questions`' JSON Lines output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable: derived from the call's identity and the normalised text.
    pub id: String,
    /// Written as its fields, between `id` and `analyst`.
    #[serde(flatten)]
    pub call: CallId,
    pub analyst: String,
    pub firm: String,
    /// 1-based analyst turn within the call's Q&A.
    pub turn: u32,
    /// 1-based question within that turn.
    pub index: u32,
    pub text: String,
    pub source: String,
    /// The start of the executives' reply (`segment::REPLY_WORDS` words):
    /// context the classifier reads beside the question.
    #[serde(default)]
    pub reply: String,
    /// AI mentions per 1,000 words of the call (`model::features::ai_per_1k`):
    /// context the classifier reads beside the question.
    #[serde(default)]
    pub call_ai_per_1k: f32,
}

impl Question {
    /// A call's questions with their ids: the same text asked twice in one
    /// call gets ids of its own by order of occurrence (`#2`, `#3`, ...).
    pub fn for_call(call: &Call, placement: &Placement, asked: Vec<Asked>) -> Vec<Question> {
        let id = CallId {
            ticker: canonical_ticker(&call.ticker),
            company: call.company.clone(),
            fiscal_period: placement.fiscal,
            period_end: placement.period_end,
            calendar_quarter: placement.calendar_quarter,
            call_date: call.call_date,
        };
        let fiscal_period = crate::quarter::fiscal_or_empty::label(id.fiscal_period);
        let ai = crate::model::features::ai_per_1k(call);
        let mut seen: HashMap<String, u32> = HashMap::new();
        asked
            .into_iter()
            .map(|a| {
                let n = seen.entry(normalize(&a.text)).or_insert(0);
                *n += 1;
                let ticker = &id.ticker;
                Question {
                    id: match *n {
                        1 => question_id(ticker, &fiscal_period, &a.text),
                        n => question_id(ticker, &fiscal_period, &format!("{} #{n}", a.text)),
                    },
                    call: id.clone(),
                    analyst: a.analyst,
                    firm: a.firm,
                    turn: a.turn,
                    index: a.index,
                    text: a.text,
                    source: call.source.display().to_string(),
                    reply: a.reply,
                    call_ai_per_1k: ai,
                }
            })
            .collect()
    }
}

/// Lower-case words of letters and digits joined by single spaces: the
/// form ids and hashes are computed on, so that whitespace, punctuation and
/// case differences between vendors' copies of a call do not matter.
pub fn normalize(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// 16 hex digits of sha256 over the normalised text: what label files
/// keep instead of the text itself.
pub fn text_hash(text: &str) -> String {
    short_sha(normalize(text).as_bytes())
}

/// A question's id: the call's identity (ticker and fiscal period) and
/// the normalised text, so every copy of the same call gives the same id.
pub fn question_id(ticker: &str, fiscal_period: &str, text: &str) -> String {
    short_sha(format!("{ticker}|{fiscal_period}|{}", normalize(text)).as_bytes())
}

fn short_sha(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..8])
}

/// A question with placeholder analyst, placement and no id, for the
/// unit tests of the modules that consume questions.
#[cfg(test)]
pub(crate) fn fixture(ticker: &str, fiscal_period: &str, text: &str, source: &str) -> Question {
    Question {
        id: String::new(),
        call: CallId {
            ticker: ticker.into(),
            company: ticker.into(),
            fiscal_period: (!fiscal_period.is_empty()).then(|| fiscal_period.parse().expect("a fiscal period")),
            period_end: None,
            calendar_quarter: None,
            call_date: None,
        },
        analyst: "A".into(),
        firm: "F".into(),
        turn: 1,
        index: 1,
        text: text.into(),
        source: source.into(),
        reply: String::new(),
        call_ai_per_1k: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_ignore_case_spacing_and_punctuation() {
        let a = question_id("MSFT", "FY2026 Q2", "How should we think about capex?");
        let b = question_id("MSFT", "FY2026 Q2", "how should  we think about CapEx");
        assert_eq!(a, b);
        assert_ne!(a, question_id("MSFT", "FY2026 Q3", "How should we think about capex?"));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn text_hash_is_pinned() {
        // Label files and scripts/labeling/to_journal.py depend on this exact value.
        assert_eq!(text_hash("How should we think about capex?"), "02440852df607668");
    }
}
