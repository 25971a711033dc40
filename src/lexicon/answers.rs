//! How executives open an answer, and how an analyst closes a turn: where
//! an analyst's words end and a reply begins when a transcript runs them
//! together.

use regex::Regex;

use super::regex;

/// How an answer opens, in any case: "Yes", "Great question", "Let me take that".
pub fn opener() -> &'static Regex {
    regex!(
        r"(?i)^\W*(?:yes|yeah|yep|sure|absolutely|great question|good question|it's a great question|that's a great question|thanks for the question|thank you for the question|let me (?:take|start|answer)|i'll take|i can take|i'll start|so,? let me)\b"
    )
}

/// What may come before the analyst's first name when an answer opens by
/// addressing them ("Thanks, Jane.", "So Jane, ..."); "" for the name alone.
pub const BEFORE_NAME: &[&str] = &[
    "",
    "hey ",
    "hi ",
    "so ",
    "thanks ",
    "thanks, ",
    "thank you ",
    "thank you, ",
    "well ",
    "well, ",
    "yes, ",
    "sure, ",
    "okay, ",
];

/// How an answer opens in speech-to-text, whose capitals are reliable:
/// "Thanks, Ann.", "So, Mark, ...", "Maybe I'll start", "Well". Kept apart
/// from `opener`: there a capital is no sign, and each list cut into the
/// other's text moves the end of questions.
pub fn spoken_opener() -> &'static Regex {
    regex!(
        r"^(?:(?:Thanks|Thank you),?\s+(?:for\s+(?:the|your|that)\s+question|[A-Z][a-z]+\b)|(?:Great|Good|That's a (?:great|good)|It's a (?:great|good))\s+question|Yeah|Yes|Sure|Absolutely|Okay,\s+so|So,?\s+[A-Z][a-z]+,|Well|Look|Let me|I'll (?:take|start)|Maybe (?:I'll|I can|to|just)|To answer|I can (?:take|start))\b"
    )
}

/// An analyst's closing courtesy as a whole sentence: "Thank you.", "Thanks so much."
pub fn closing_thanks() -> &'static Regex {
    regex!(r"(?i)^(?:\w+\.?\s+)?(?:thank you|thanks)(?:\s+(?:so|very)\s+much|\s+again|\s+guys|\s+everyone)?[.!]$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_open_so() {
        // (sentence, opener, spoken opener)
        for (text, any_case, spoken) in [
            ("Yes, so capex rises.", true, true),
            ("yeah, we see that.", true, false),
            ("Great question.", true, true),
            ("Thanks, Ann. So capex will rise.", false, true),
            ("Well, Mark, on pricing, it is firm.", false, true),
            ("Maybe I'll start with margins.", false, true),
            ("Let me take that one.", true, true),
            ("How should we think about capex?", false, false),
        ] {
            assert_eq!(
                (opener().is_match(text), spoken_opener().is_match(text)),
                (any_case, spoken),
                "{text}"
            );
        }
    }

    #[test]
    fn closing_thanks_is_a_whole_sentence() {
        for (text, closes) in [
            ("Thank you.", true),
            ("Thanks so much!", true),
            ("Great. Thanks again.", true),
            ("Thanks for taking my question.", false),
            ("Thank you", false),
        ] {
            assert_eq!(closing_thanks().is_match(text), closes, "{text}");
        }
    }

    #[test]
    fn names_come_after_a_few_words_only() {
        assert_eq!(BEFORE_NAME[0], "");
        assert!(BEFORE_NAME.iter().all(|p| p.is_empty() || p.ends_with(' ')));
    }
}
