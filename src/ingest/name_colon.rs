//! `Name: text` turns, one or more paragraphs each, as several vendors
//! write them (`Name : text`, `Name: text`, `Name:text`). Shared by every
//! layout whose speakers are labelled at the start of a paragraph.

use regex::Regex;

use crate::call::{Role, Turn};
use crate::lexicon::regex;

/// A label that gives the role and, in brackets, the name:
/// `Analyst (Jane Roe):`. Pages glue these to the end of the operator's
/// paragraph ("Your line is open. Analyst (Jane Roe):Thanks..."), so they
/// are looked for after any sentence end, not only at a line's start.
fn role_name() -> &'static Regex {
    regex!(r"(?:^|[.?!]\s+)((Analyst|Executive|Operator) \(([A-Z][^()]{1,40})\)):")
}

/// Words that end in a colon at the start of a line but name no speaker:
/// page furniture around transcripts.
const NOT_SPEAKERS: &[&str] = &[
    "image source",
    "nasdaq",
    "nyse",
    "contents",
    "duration",
    "call participants",
    "prepared remarks",
    "questions & answers",
    "questions and answers",
    "question-and-answer session",
    "business hours",
    "weekend",
    "note",
    "source",
    "url",
    "ticker",
    "company",
    "quarter",
    "date",
    "scraped",
    "characters",
];

/// Name particles written in lower case ("Ludovic de Beaucoudrey").
const PARTICLES: &[&str] = &[
    "de", "da", "di", "du", "van", "von", "der", "den", "del", "la", "le", "bin", "al", "y",
];

/// The speaker, the role the label states and the text after the label,
/// if `line` opens a turn.
pub fn split_label(line: &str) -> Option<(&str, Role, &str)> {
    if let Some(c) = role_name().captures(line).filter(|c| c.get(0).unwrap().start() == 0) {
        return Some((
            c.get(3).unwrap().as_str(),
            stated_role(&c[2]),
            line[c.get(0).unwrap().end()..].trim(),
        ));
    }
    let colon = line.find(':')?;
    if colon > 60 {
        return None;
    }
    let label = line[..colon].trim();
    let words: Vec<&str> = label.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 || NOT_SPEAKERS.contains(&label.to_lowercase().as_str()) {
        return None;
    }
    let name_like = |w: &&str| {
        let first = w.chars().next().unwrap();
        (first.is_uppercase() || PARTICLES.contains(w))
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
    };
    if !words.iter().all(name_like) {
        return None;
    }
    Some((label, stated_role(label), line[colon + 1..].trim()))
}

/// What the label itself says of the speaker's role; the rest is left to
/// `segment`.
fn stated_role(label: &str) -> Role {
    let l = label.to_lowercase();
    if l == "operator" || l.ends_with(" operator") {
        Role::Operator
    } else if l.ends_with("analyst") {
        Role::Analyst
    } else if l.ends_with("executive") || l.contains("company representative") {
        Role::Executive
    } else {
        Role::Unknown
    }
}

/// True for a line that no transcript paragraph looks like: a few words
/// without sentence punctuation, as in a page's navigation and footer.
fn is_page_furniture(line: &str) -> bool {
    line.split_whitespace().count() < 6 && !line.ends_with(['.', '?', '!', '"', '”', ']', ')'])
}

/// Turns from the first labelled paragraph on. Unlabelled paragraphs
/// continue the turn before them; the transcript ends at the first line of
/// page furniture after a turn has begun.
pub fn turns(body: &str) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    let unglued = role_name().replace_all(body, |c: &regex::Captures| {
        let whole = c.get(0).unwrap().as_str();
        let label = c.get(1).unwrap().as_str();
        format!("{}\n{label}:", whole[..whole.len() - label.len() - 1].trim_end())
    });
    for line in unglued.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((speaker, role, text)) = split_label(line) {
            turns.push(Turn {
                speaker: speaker.to_owned(),
                role,
                firm: None,
                text: text.to_owned(),
                section: None,
            });
        } else if let Some(last) = turns.last_mut() {
            if is_page_furniture(line) {
                break;
            }
            last.push_line(line);
        }
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_every_spacing() {
        assert_eq!(
            split_label("Jane Roe : Thanks."),
            Some(("Jane Roe", Role::Unknown, "Thanks."))
        );
        assert_eq!(
            split_label("Jane Roe: Thanks."),
            Some(("Jane Roe", Role::Unknown, "Thanks."))
        );
        assert_eq!(
            split_label("Amy E. Hood:Thanks."),
            Some(("Amy E. Hood", Role::Unknown, "Thanks."))
        );
        assert_eq!(
            split_label("Operator:[Operator instructions]"),
            Some(("Operator", Role::Operator, "[Operator instructions]"))
        );
        assert_eq!(split_label("Image source: Example Site."), None);
        assert_eq!(split_label("Monday - Friday: 8:00 AM - 4:00 PM"), None);
        assert_eq!(split_label("We grew 12% in Q3: a record."), None);
        assert_eq!(split_label("https://example.com/a"), None);
    }

    #[test]
    fn paragraphs_continue_turns_and_furniture_ends_them() {
        let t = turns(
            "Site Header\nOperator: Our first question comes from Ann Lee with Acme.\n\nAnn Lee: Two questions.\nFirst, margins?\n\nBo Chan: Sure.\n\nSite Footer\nWeekend: By appointment only",
        );
        let speakers: Vec<_> = t.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(speakers, ["Operator", "Ann Lee", "Bo Chan"]);
        assert_eq!(t[0].role, Role::Operator);
        assert_eq!(t[1].text, "Two questions.\nFirst, margins?");
    }

    #[test]
    fn role_and_name_labels_even_glued() {
        let t = turns("Operator: Next is Ann Lee with Acme. Your line is open. Analyst (Ann Lee):Margins?\nExecutive (Bo Chan): Up.");
        let who: Vec<_> = t
            .iter()
            .map(|t| (t.speaker.as_str(), t.role, t.text.as_str()))
            .collect();
        assert_eq!(
            who,
            [
                (
                    "Operator",
                    Role::Operator,
                    "Next is Ann Lee with Acme. Your line is open."
                ),
                ("Ann Lee", Role::Analyst, "Margins?"),
                ("Bo Chan", Role::Executive, "Up."),
            ]
        );
    }
}
