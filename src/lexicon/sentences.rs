//! Where sentences end. Speaker-labelled text and speech-to-text need two
//! rules: the first keeps line breaks and writes quotes and digits after a
//! stop; the second is one line whose initials ("J.P. Morgan") must not
//! end a sentence. One rule for both would move cuts in either.

use regex::Regex;

use super::regex;

/// Sentences of a speaker's turn: one ends at `.`, `?` or `!` followed by
/// white space and a capital, digit or quote, or at a line break followed
/// by a capital (a line break before a lower-case word is a wrapped sentence).
pub fn of_turn(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            let after = text[i..].trim_start();
            let next = after.chars().next();
            let opens = next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '[' | '“'));
            let ends = matches!(prev, Some('.' | '?' | '!')) || (c == '\n' && !text[start..i].trim().is_empty());
            if opens && ends {
                out.push(text[start..i].trim());
                start = i;
            }
        }
        prev = Some(c);
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// Sentences of speech-to-text (single spaces): a stop, then a space, then
/// a capital, except after an initial (`J.P. Morgan`).
pub fn of_speech(text: &str) -> Vec<&str> {
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

/// A sentence's end within running text: a stop before white space or the end.
pub fn end() -> &'static Regex {
    regex!(r"[.?!](?:\s|$)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_split_at_stops_and_line_breaks() {
        for (text, want) in [
            (
                "Hi. How are margins? And capex!",
                &["Hi.", "How are margins?", "And capex!"][..],
            ),
            (
                "Revenue was up 5.2%. 2025 is next.",
                &["Revenue was up 5.2%.", "2025 is next."],
            ),
            ("First line\nSecond line", &["First line", "Second line"]),
            ("a wrapped\nline goes on.", &["a wrapped\nline goes on."]),
            (
                "See \"Item 7\". \"Quoted\" next.",
                &["See \"Item 7\".", "\"Quoted\" next."],
            ),
            ("", &[]),
        ] {
            assert_eq!(of_turn(text), want, "{text:?}");
        }
    }

    #[test]
    fn speech_splits_after_stops_but_not_initials() {
        for (text, want) in [
            (
                "Ann Lee with J.P. Morgan. Please proceed. Hi.",
                &["Ann Lee with J.P. Morgan.", "Please proceed.", "Hi."][..],
            ),
            ("Is demand firm? Yes. It is.", &["Is demand firm?", "Yes.", "It is."]),
            ("Jo J. Lee spoke", &["Jo J. Lee spoke"]),
            ("no capital. after it", &["no capital. after it"]),
        ] {
            assert_eq!(of_speech(text), want, "{text:?}");
        }
    }

    #[test]
    fn sentence_ends() {
        for (text, ends) in [
            ("Done. Next", true),
            ("Done.", true),
            ("5.2% up", false),
            ("Why?", true),
        ] {
            assert_eq!(end().is_match(text), ends, "{text}");
        }
    }
}
