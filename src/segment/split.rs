//! An analyst's turn cut into the questions it asks: courtesy dropped, an
//! executive's answer run into the turn cut off, one question per "first
//! ... second ...".

use crate::lexicon::answers::{self, BEFORE_NAME};
use crate::lexicon::asking::{
    announcement, courtesy, courtesy_within, next_question, polite_thanks, request, second_question, small_talk,
    to_another, ADDRESSEES, SENTENCE_OPENERS,
};
use crate::lexicon::sentences;

fn first_name(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase()
}

/// Whether a paragraph or sentence begins the way executives begin answers.
pub(super) fn opens_like_answer(text: &str, analyst: &str) -> bool {
    if answers::opener().is_match(text) {
        return true;
    }
    let first = first_name(analyst);
    if first.len() < 2 {
        return false;
    }
    let lower = text.trim_start().to_lowercase();
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    BEFORE_NAME.iter().any(|p| {
        lower
            .strip_prefix(p)
            .and_then(|r| r.strip_prefix(first.as_str()))
            .is_some_and(|r| r.starts_with([',', '.', ' ', '!', '?']))
    })
}

/// Whether a piece of text asks for something.
pub(super) fn asks(text: &str) -> bool {
    text.contains('?') || request().is_match(text)
}

/// A greeting, thanks, congratulation or acknowledgement with nothing asked:
/// "Hi, good morning.", "Congrats on the quarter.", "Got it, that's helpful."
fn is_courtesy(clause: &str) -> bool {
    let words = clause.split_whitespace().count();
    if words <= 12 && (is_vocative(clause) || small_talk().is_match(clause)) {
        return true;
    }
    if clause.contains('?') || words > 20 {
        return false;
    }
    (courtesy().is_match(clause) || (words <= 14 && courtesy_within().is_match(clause))) && !asks_in_courtesy(clause)
}

/// Only names or "guys", "everyone", "team": what is left of "Hi, Jane and team."
fn is_vocative(clause: &str) -> bool {
    let words: Vec<&str> = clause
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty()
        && words.len() <= 4
        && words.iter().all(|w| {
            let lower = w.to_lowercase();
            ADDRESSEES.contains(&lower.as_str())
                || (w.chars().next().is_some_and(char::is_uppercase)
                    && w.len() > 1
                    && !SENTENCE_OPENERS.contains(&lower.as_str()))
        })
        && words.iter().any(|w| {
            w.chars().next().is_some_and(char::is_uppercase) || *w == "guys" || *w == "everyone" || *w == "team"
        })
}

/// A courtesy opening that goes on to ask ("thanks for taking my question, I wanted to ask ...").
fn asks_in_courtesy(clause: &str) -> bool {
    asks(&polite_thanks().replace_all(clause, ""))
}

/// Leading courtesy clauses dropped: "Hi, thanks for taking my question, I wanted to ask ..." -> "I wanted to ask ...".
fn strip_courtesy_prefix(sentence: &str) -> &str {
    let mut rest = sentence;
    loop {
        let Some(cut) = rest.find([',', ';', '!', '.', '-', '—']) else {
            return rest;
        };
        let (clause, after) = rest.split_at(cut);
        let sep_len = after.chars().next().map_or(0, char::len_utf8);
        let after = after[sep_len..].trim_start();
        // A name is dropped with the courtesy around it, but kept before the question it opens.
        if after.is_empty() || !is_courtesy(clause) || (is_vocative(clause) && !is_courtesy(after)) {
            return rest;
        }
        rest = after;
    }
}

/// "Second, ...", "My second question ...": a new question whatever came before.
fn starts_second_question(sentence: &str) -> bool {
    second_question().is_match(sentence)
}

/// Whether a sentence opens a new question within an analyst's turn:
/// "Second, ...", "And then ...", "My follow-up ...", or turning to
/// another executive ("And Amy, ...").
fn starts_new_question(sentence: &str) -> bool {
    to_another().is_match(sentence) || next_question().is_match(sentence)
}

/// An analyst's turn cut into questions: courtesy dropped, an executive's
/// answer run into the turn cut off, one question per "first ... second ...".
pub fn split_questions(text: &str, analyst: &str) -> Vec<String> {
    let mut groups: Vec<Vec<&str>> = Vec::new();
    // Whether the last group asks something yet, and whether any sentence was a question.
    let mut group_asks = false;
    let mut asked_any = false;
    for sentence in sentences::of_turn(text) {
        // An answer glued onto the question: stop at it.
        if asked_any && opens_like_answer(sentence, analyst) {
            break;
        }
        let s = strip_courtesy_prefix(sentence);
        // Courtesy anywhere; at the start of the turn also scraps of a few words ("out in the quarter.").
        let words = s.split_whitespace().count();
        let scrap = words <= 4 || (words <= 8 && s.starts_with(|c: char| c.is_lowercase()));
        if is_courtesy(s) || (groups.is_empty() && !s.contains('?') && scrap) {
            continue;
        }
        let new = match groups.last() {
            None => true,
            Some(_) => starts_second_question(s) || (group_asks && starts_new_question(s)),
        };
        if new {
            groups.push(vec![s]);
            group_asks = asks(s);
        } else {
            groups.last_mut().expect("a group").push(s);
            group_asks = group_asks || asks(s);
        }
        asked_any |= s.trim_end().ends_with('?');
    }
    groups
        .into_iter()
        .map(|g| {
            g.iter()
                .flat_map(|s| s.split_whitespace())
                .collect::<Vec<_>>()
                .join(" ")
        })
        // Compliments and remarks with nothing asked ("It's an amazing day for you.") are not questions.
        .filter(|q| q.split_whitespace().count() >= 3 && !is_announcement(q))
        .filter(|q| {
            asks(q)
                || (q.split_whitespace().count() >= 12
                    && (starts_new_question(q) || starts_second_question(q) || q.to_lowercase().contains("question")))
        })
        .collect()
}

/// "And then a follow-up." with nothing after it: the analyst was cut off or answered already.
fn is_announcement(q: &str) -> bool {
    !q.contains('?') && announcement().is_match(q)
}
