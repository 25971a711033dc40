//! The body of a Capital IQ transcript as turns: speakers' names alone on
//! a line, before a colon, or glued to the end of the paragraph before.

use std::collections::HashSet;

use crate::call::{Participant, Role, Section, Turn};
use crate::lexicon::cues::is_qa_heading;
use crate::lexicon::people::{title_line, NAME_PARTICLES};

/// A line that could be a speaker's name: a few capitalised words, no sentence punctuation.
pub(super) fn looks_like_name(s: &str) -> bool {
    if s.len() > 50 {
        return false;
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=5).contains(&words.len())
        && !s.ends_with(['.', '?', '!', ':', ','])
        && words.iter().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                || NAME_PARTICLES.contains(w)
                || matches!(*w, "of" | "and" | "&")
        })
}

/// A short line of job-title words, as printed under a speaker's name.
fn is_title_line(line: &str) -> bool {
    line.len() < 100 && !line.ends_with(['.', '?', '!']) && title_line().is_match(line)
}

/// Labels the file itself uses: roster names, the operator, and names that
/// stand alone on a line or before a colon somewhere in the body.
fn known_labels(lines: &[&str], participants: &[Participant]) -> HashSet<String> {
    let mut labels: HashSet<String> = participants.iter().map(|p| p.name.clone()).collect();
    labels.insert("Operator".into());
    for l in lines {
        if let Some((label, _)) = l.split_once(": ") {
            if looks_like_name(label) && label.split_whitespace().count() >= 2 {
                labels.insert(label.to_owned());
            }
        }
    }
    labels
}

/// Strips a roster's description that the layout repeats after the label
/// ("Jane Roe: Big Bank, Research Division Thanks ...").
fn strip_description<'a>(text: &'a str, speaker: &str, participants: &[Participant]) -> &'a str {
    // Analysts' descriptions end in "Research Division", even where the label is misspelled.
    const DIVISION: &str = "Research Division";
    let head = (0..=120.min(text.len()))
        .rev()
        .find(|&n| text.is_char_boundary(n))
        .map_or("", |n| &text[..n]);
    if let Some(i) = head.find(DIVISION) {
        return text[i + DIVISION.len()..].trim_start_matches([',', ' ']);
    }
    let Some(p) = participants.iter().find(|p| p.name == speaker) else {
        return text;
    };
    let Some(desc) = p.firm.as_deref() else { return text };
    for prefix in [format!("{desc}, Research Division"), desc.to_owned()] {
        if let Some(rest) = text.strip_prefix(prefix.as_str()) {
            return rest.trim_start_matches([',', ' ']);
        }
    }
    text
}

pub(super) fn read_turns(lines: &[&str], participants: &[Participant]) -> Vec<Turn> {
    let labels = known_labels(lines, participants);
    // Longest first, so that a full name wins over a shorter label it starts with.
    let mut glue_labels: Vec<&String> = labels.iter().collect();
    glue_labels.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let descriptions: HashSet<&str> = participants.iter().filter_map(|p| p.firm.as_deref()).collect();
    let mut turns: Vec<Turn> = Vec::new();
    let mut section: Option<Section> = None;
    let has_qa_heading = lines.iter().any(|l| is_qa_heading(l));
    // Just after a label: the next line may be its title, and a blank line does not end the turn.
    let mut fresh_label = false;
    let mut blank_before = false;
    let open = |turns: &mut Vec<Turn>, speaker: &str, section: Option<Section>| {
        turns.push(Turn {
            speaker: speaker.to_owned(),
            role: Role::Unknown,
            firm: None,
            text: String::new(),
            section,
        });
    };
    let push_text = |turns: &mut Vec<Turn>, text: &str| {
        if let Some(t) = turns.last_mut().filter(|_| !text.is_empty()) {
            t.push_line(text);
        }
    };
    for line in lines {
        let line = *line;
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        if is_qa_heading(line) {
            section = Some(Section::Qa);
            fresh_label = false;
            continue;
        }
        if line == "Presentation" {
            section = has_qa_heading.then_some(Section::Remarks);
            continue;
        }
        let section_now = section.or(has_qa_heading.then_some(Section::Remarks));
        if labels.contains(line)
            || (looks_like_name(line)
                && blank_before
                && line.split_whitespace().count() >= 2
                && !descriptions.contains(line))
        {
            open(&mut turns, line, section_now);
            fresh_label = true;
            blank_before = false;
            continue;
        }
        if fresh_label
            && (descriptions.contains(line) || is_title_line(line))
            && turns.last().is_some_and(|t| t.text.is_empty())
        {
            // The speaker's title under their name.
            blank_before = false;
            continue;
        }
        let (mut body, labelled) = match line.split_once(": ") {
            Some((label, rest)) if labels.contains(label) => {
                open(&mut turns, label, section_now);
                (strip_description(rest, label, participants), true)
            }
            _ => (line, false),
        };
        if !labelled && blank_before && !fresh_label && !turns.is_empty() {
            // A new paragraph with no label: a new turn whose speaker `segment` works out.
            open(&mut turns, "", section_now);
        }
        if turns.is_empty() {
            open(&mut turns, "", section_now);
        }
        // Speakers' names glued after the last sentence of the turn before
        // (at the end of the line, or mid-line before their title).
        // In the operator's lines, a roster name after a sentence is always the next speaker.
        while let Some((before, label, after)) = glued_label(
            body,
            &glue_labels,
            participants,
            turns.last().is_some_and(|t| t.speaker == "Operator"),
        ) {
            push_text(&mut turns, before);
            open(&mut turns, label, section_now);
            body = after;
        }
        push_text(&mut turns, body);
        fresh_label = body.is_empty();
        blank_before = false;
    }
    for t in &mut turns {
        if t.speaker == "Operator" {
            t.role = Role::Operator;
        }
    }
    turns.retain(|t| !t.text.trim().is_empty());
    turns
}

/// `... you may begin. Jane Roe` -> (`... you may begin.`, `Jane Roe`, ``);
/// `... success? Jane Roe Big Bank Yes, ...` -> (`... success?`, `Jane Roe`, `Yes, ...`).
/// Mid-line, a name counts only when its roster description or a colon
/// follows, or, in the operator's lines, when it is on a roster.
fn glued_label<'a>(
    text: &'a str,
    labels: &[&'a String],
    participants: &[Participant],
    operator: bool,
) -> Option<(&'a str, &'a str, &'a str)> {
    let bytes = text.as_bytes();
    let ends = (0..bytes.len().saturating_sub(1))
        .filter(|&i| matches!(bytes[i], b'.' | b'?' | b'!' | b']') && bytes[i + 1] == b' ');
    for i in ends {
        let tail = &text[i + 2..];
        for &label in labels {
            let Some(after) = tail.strip_prefix(label.as_str()) else {
                continue;
            };
            let after = after.trim_start();
            let rest = if after.is_empty() {
                Some("")
            } else if let Some(r) = after.strip_prefix(": ").or_else(|| after.strip_prefix(':')) {
                Some(strip_description(r.trim_start(), label, participants))
            } else {
                let stripped = strip_description(after, label, participants);
                let full_name = label
                    .split_whitespace()
                    .filter(|w| w.trim_end_matches('.').chars().count() > 1)
                    .count()
                    >= 2;
                let on_roster = || full_name && participants.iter().any(|p| p.name == *label);
                (stripped.len() < after.len() || (operator && on_roster())).then_some(stripped)
            };
            if let Some(rest) = rest {
                return Some((&text[..=i], label.as_str(), rest));
            }
        }
    }
    None
}
