//! Who the call names: roster entries, the analysts the operator's cues
//! introduce, the labels that act as the operator, and how a speaker label
//! finds its person (exactly, by a near spelling, by title or by firm).

use std::collections::{HashMap, HashSet};

use super::cues::{is_question_cue, operator_cues};
use super::Speaker;
use crate::call::{Call, Role};
use crate::lexicon::cues::{is_generic_label, is_operator_label};
use crate::lexicon::people::{title_label, FIRM_NOISE};

/// Everyone the call names: roster entries, plus analysts the operator
/// introduces ("next question comes from the line of X with Y").
pub(super) struct People {
    known: Vec<Person>,
    /// Labels that act as the operator: "Operator" and the like, or whoever
    /// hands the line to analysts by name ("Katie: Our next question ...").
    operators: HashSet<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) name: String,
    key: String,
    pub(super) role: Role,
    pub(super) firm: Option<String>,
    /// Executives' titles, for turns labelled by title.
    title: Option<String>,
}

impl People {
    pub(super) fn new(call: &Call) -> Self {
        let mut known: Vec<Person> = call
            .participants
            .iter()
            .filter(|p| !name_key(&p.name).is_empty())
            .map(|p| {
                let (firm, title) = match p.role {
                    Role::Analyst => (p.firm.clone(), None),
                    _ => (None, p.firm.clone()),
                };
                Person {
                    name: p.name.clone(),
                    key: name_key(&p.name),
                    role: p.role,
                    firm,
                    title,
                }
            })
            .collect();
        // Who hands the line to analysts by name more often than they ask anything.
        let mut cues_and_asks: HashMap<&str, (usize, usize)> = HashMap::new();
        for t in &call.turns {
            let e = cues_and_asks.entry(t.speaker.trim()).or_default();
            e.0 += usize::from(is_question_cue(&t.text) && !operator_cues(&t.text).is_empty());
            e.1 += usize::from(t.text.contains('?'));
        }
        let operators: HashSet<String> = cues_and_asks
            .into_iter()
            .filter(|&(label, (cues, asks))| !label.is_empty() && cues > 0 && cues >= asks && !is_generic_label(label))
            .map(|(label, _)| label.to_owned())
            .chain(
                call.turns
                    .iter()
                    .filter(|t| t.role == Role::Operator || is_operator_label(&t.speaker))
                    .map(|t| t.speaker.trim().to_owned()),
            )
            .filter(|label| {
                !known
                    .iter()
                    .any(|p| p.role == Role::Analyst && p.key == name_key(label))
            })
            .collect();
        for t in call
            .turns
            .iter()
            .filter(|t| t.role == Role::Operator || operators.contains(t.speaker.trim()))
        {
            for (name, firm) in operator_cues(&t.text) {
                let key = name_key(&name);
                match known.iter_mut().find(|p| p.key == key || similar_names(&p.key, &key)) {
                    Some(p) if p.role == Role::Analyst && p.firm.as_deref().is_none_or(cut_short) => {
                        p.firm = firm.or(p.firm.take())
                    }
                    Some(_) => {}
                    None => known.push(Person {
                        name,
                        key,
                        role: Role::Analyst,
                        firm,
                        title: None,
                    }),
                }
            }
        }
        People { known, operators }
    }

    pub(super) fn is_operator(&self, label: &str) -> bool {
        self.operators.contains(label.trim()) || is_operator_label(label)
    }

    /// The person a speaker label names: exactly, by a near spelling, by
    /// title (executives) or by firm (analysts).
    pub(super) fn find(&self, label: &str) -> Option<&Person> {
        let key = name_key(label);
        if key.is_empty() {
            return None;
        }
        let by_title = |p: &&Person| p.title.as_deref().is_some_and(|t| name_key(t) == key);
        let firm = firm_key(label);
        let by_firm = |p: &&Person| {
            !firm.is_empty() && p.role == Role::Analyst && p.firm.as_deref().is_some_and(|f| firm_key(f) == firm)
        };
        self.known
            .iter()
            .find(|p| p.key == key)
            .or_else(|| unique(self.known.iter().filter(|p| similar_names(&p.key, &key))))
            .or_else(|| unique(self.known.iter().filter(by_title)))
            .or_else(|| unique(self.known.iter().filter(by_firm)))
    }

    pub(super) fn speaker(p: &Person) -> Speaker {
        Speaker {
            role: p.role,
            name: p.name.clone(),
            firm: p.firm.clone(),
        }
    }
}

/// The only item, if there is exactly one.
fn unique<T>(mut it: impl Iterator<Item = T>) -> Option<T> {
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

/// Lower-case letters of a name, words joined by one space; initials and
/// punctuation dropped so that "Michael P. Dickerson" and "Michael Dickerson" meet.
pub(super) fn name_key(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() > 1)
        .map(|w| w.replace('\'', "").to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A roster firm cut off after an initial ("Sanford C."), which the firm
/// an operator's cue names replaces.
fn cut_short(firm: &str) -> bool {
    let last = firm.rsplit(' ').next().unwrap_or(firm);
    firm.contains(' ') && last.len() == 2 && last.ends_with('.') && last.starts_with(|c: char| c.is_ascii_uppercase())
}

/// A firm's distinctive words: "JPMorgan Chase & Co, Research Division" -> "jpmorgan chase".
fn firm_key(firm: &str) -> String {
    name_key(firm)
        .split(' ')
        .filter(|w| !FIRM_NOISE.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Same person, spelled differently: same surname and first initial, or a
/// small edit distance for names long enough that it means something.
pub(super) fn similar_names(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let several = |s: &str| s.contains(' ');
    let (a_last, b_last) = (a.rsplit(' ').next(), b.rsplit(' ').next());
    if several(a) && several(b) && a_last == b_last && a.chars().next() == b.chars().next() {
        return true;
    }
    let longest = a.len().max(b.len());
    longest >= 6 && a.len().abs_diff(b.len()) <= (longest / 6).max(1) && levenshtein(a, b) <= (longest / 6).max(1)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Words that mark a label as a company title rather than a person.
pub(super) fn is_title_label(label: &str) -> bool {
    title_label().is_match(label)
}
