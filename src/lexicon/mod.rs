//! What transcripts say, in one place: every phrase list and pattern that
//! `ingest` and `segment` read calls by (the operator's cues and hand-overs,
//! how answers open, what asking and courtesy sound like, executive titles,
//! months and dates, quarter labels, "welcome to X"). A layout's own
//! grammar (where its speaker lines and headers are) stays with the layout.
//!
//! Every compiled regex in the crate is made by [`regex!`]: compiled once,
//! on first use.

pub mod answers;
pub mod asking;
pub mod cues;
pub mod dates;
pub mod people;
pub mod quarters;
pub mod sentences;

/// A `&'static Regex` compiled once, on first use, from a pattern (a
/// literal or a `String` built by `format!`).
macro_rules! regex {
    ($pattern:expr $(,)?) => {{
        static RE: ::std::sync::LazyLock<::regex::Regex> =
            ::std::sync::LazyLock::new(|| ::regex::Regex::new(&$pattern).expect("valid regex"));
        &*RE
    }};
}
pub(crate) use regex;

/// A phrase list as a regex alternation, any white space between words:
/// `["please proceed", "go ahead"]` -> `please\s+proceed|go\s+ahead`.
fn alternation(phrases: &[&str]) -> String {
    phrases
        .iter()
        .map(|p| p.replace(' ', r"\s+"))
        .collect::<Vec<_>>()
        .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_hold_each_word_once_as_they_are_compared() {
        // Lists compared with lower-cased text are lower case themselves.
        let lower: [&[&str]; 9] = [
            asking::ADDRESSEES,
            asking::SENTENCE_OPENERS,
            answers::BEFORE_NAME,
            cues::NOT_NAMES,
            cues::GENERIC_LABELS,
            cues::QA_HEADINGS,
            &dates::MONTHS,
            people::NAME_PARTICLES,
            people::FIRM_NOISE,
        ];
        for list in lower.into_iter().chain([people::TITLES, cues::HANDOVERS]) {
            for (i, w) in list.iter().enumerate() {
                assert!(!list[..i].contains(w), "{w} twice");
            }
        }
        for list in lower {
            assert!(list.iter().all(|w| w.to_lowercase() == *w), "{list:?}");
        }
    }

    #[test]
    fn phrases_become_an_alternation() {
        for (phrases, want) in [
            (&["go ahead"][..], r"go\s+ahead"),
            (&["please proceed", "go ahead"][..], r"please\s+proceed|go\s+ahead"),
            (&["line is (?:now )?open"][..], r"line\s+is\s+(?:now\s+)?open"),
        ] {
            assert_eq!(super::alternation(phrases), want);
        }
    }
}
