//! Features of a whole call that the classifier reads beside a question's
//! own words.

use crate::call::Call;
use crate::lexicon::regex;

/// Mentions of AI and what it runs on (AI, GPUs, data centers, inference,
/// hyperscalers...) per 1,000 words of the whole call. Context for the
/// classifier: whether a segment's margins or spending are AI business
/// (the guidelines' rule 7) shows in how much the call talks about it.
pub fn ai_per_1k(call: &Call) -> f32 {
    let terms = regex!(
        r"(?i)\b(?:ai|artificial intelligence|data ?centers?|gpus?|genai|generative|hyperscalers?|inference|llms?|copilot|agentic|accelerators?|compute)\b"
    );
    let (mentions, words) = call.turns.iter().fold((0, 0), |(m, w), t| {
        (
            m + terms.find_iter(&t.text).count(),
            w + t.text.split_whitespace().count(),
        )
    });
    if words == 0 {
        0.0
    } else {
        mentions as f32 * 1000.0 / words as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{fixture, said};

    fn call(texts: &[&str]) -> Call {
        fixture(texts.iter().map(|t| said("Pat Exec", t)).collect(), vec![])
    }

    #[test]
    fn ai_mentions_are_counted_over_the_whole_call() {
        for (texts, per_1k) in [
            // Two mentions, "AI" in the remarks and "GPUs" in a question, in ten words.
            (&["Our AI revenue doubled.", "How many GPUs will you buy?"][..], 200.0),
            (&["Data centers and inference need compute."], 500.0),
            // "said" holds "ai" but is no mention; an empty call is no division by zero.
            (&["We said so."], 0.0),
            (&[], 0.0),
        ] {
            let got = ai_per_1k(&call(texts));
            assert!((got - per_1k).abs() < 1e-3, "{texts:?}: {got}");
        }
    }
}
