//! Where the Q&A starts and whose each turn is: the layout's mark, the
//! operator's cues, the rosters, and the flow of the conversation where
//! labels are missing or unknown.

use std::collections::{HashMap, HashSet};

use super::cues::{cued, is_question_cue, merged_into_cue, operator_cue_spans, operator_cues};
use super::people::{is_title_label, name_key, similar_names, People, Person};
use super::split::{asks, opens_like_answer};
use super::{AnalystTurn, Speaker};
use crate::call::{Call, Role, Section, Turn};
use crate::lexicon::cues::{is_generic_label, read_out_lead};

/// Index of the first Q&A turn: where the layout marks it, else the
/// operator's first question cue, else the first analyst turn.
pub(super) fn qa_start(call: &Call, people: &People) -> Option<usize> {
    if let Some(i) = call.turns.iter().position(|t| t.section == Some(Section::Qa)) {
        return Some(i);
    }
    let cue = call
        .turns
        .iter()
        .position(|t| (t.role == Role::Operator || people.is_operator(&t.speaker)) && is_question_cue(&t.text));
    let by_analyst =
        |t: &Turn| t.role == Role::Analyst || people.find(&t.speaker).is_some_and(|p| p.role == Role::Analyst);
    let analyst = call.turns.iter().position(by_analyst);
    // An analyst asking before the first cue the operator words as one (cues come in many
    // words); asking, since rosters list outside investor-relations firms among the analysts.
    // The first to speak after the operator hosts the call, whatever the roster says.
    let host = call
        .turns
        .iter()
        .map(|t| t.speaker.trim())
        .find(|l| !l.is_empty() && !people.is_operator(l));
    let asking = call
        .turns
        .iter()
        .position(|t| by_analyst(t) && t.text.contains('?') && Some(t.speaker.trim()) != host);
    match (cue, asking) {
        (Some(c), Some(a)) => Some(c.min(a)),
        (c, _) => c.or(analyst),
    }
    // A host reading out questions sent in.
    .or_else(|| {
        call.turns
            .iter()
            .position(|t| is_question_cue(&t.text) && !operator_cues(&t.text).is_empty())
    })
}

/// Decides who speaks each Q&A turn, using the flow of the conversation
/// where labels are missing or unknown.
pub(super) fn attribute(call: &Call, people: &People, start: usize) -> Vec<Option<Speaker>> {
    let mut out = vec![None; call.turns.len()];
    // The analyst currently on the line, and the role of the last turn.
    let mut current: Option<Speaker> = None;
    let mut prev = Role::Unknown;
    let mut found_by_label: HashMap<&str, Option<&Person>> = HashMap::new();
    let spoke_before: HashSet<&str> = call.turns[..start].iter().map(|t| t.speaker.trim()).collect();
    for (i, t) in call.turns.iter().enumerate().skip(start) {
        let label = t.speaker.trim();
        let found = *found_by_label.entry(label).or_insert_with(|| people.find(label));
        let role = if t.role != Role::Unknown {
            t.role
        } else if people.is_operator(label) {
            Role::Operator
        } else if let Some(p) = found {
            p.role
        } else if label.to_lowercase().contains("analyst") {
            Role::Analyst
        } else if is_title_label(label) {
            Role::Executive
        } else if !label.is_empty() {
            // A name nobody listed: whoever the operator just handed to asks, unless they spoke in the
            // prepared remarks; otherwise an executive answers.
            if prev == Role::Operator && (is_generic_label(label) || !spoke_before.contains(label)) {
                Role::Analyst
            } else {
                Role::Executive
            }
        } else if prev == Role::Operator || (current.is_some() && continues_asking(&t.text, current.as_ref(), prev)) {
            Role::Analyst
        } else {
            Role::Executive
        };
        let speaker = match role {
            Role::Operator => {
                if let Some((name, firm)) = operator_cues(&t.text).into_iter().next() {
                    current = Some(cued(people, name, firm));
                }
                Speaker {
                    role,
                    name: label.to_owned(),
                    firm: None,
                }
            }
            Role::Analyst => {
                let s = match found.filter(|p| p.role == Role::Analyst) {
                    Some(p) => People::speaker(p),
                    // Unlabelled, or labelled by a generic word: the analyst on the line.
                    None if label.is_empty() || label.to_lowercase().contains("analyst") => {
                        current.clone().unwrap_or(Speaker {
                            role: Role::Analyst,
                            name: label.to_owned(),
                            firm: None,
                        })
                    }
                    None => {
                        let firm = t.firm.clone().or_else(|| {
                            current
                                .as_ref()
                                .filter(|c| similar_names(&name_key(&c.name), &name_key(label)))
                                .and_then(|c| c.firm.clone())
                        });
                        Speaker {
                            role,
                            name: label.to_owned(),
                            firm,
                        }
                    }
                };
                // A firm the layout gives for the turn beats one read from a cue.
                let s = Speaker {
                    role: Role::Analyst,
                    firm: t.firm.clone().or(s.firm),
                    ..s
                };
                current = Some(s.clone());
                s
            }
            _ => Speaker {
                role,
                name: label.to_owned(),
                firm: None,
            },
        };
        prev = role;
        out[i] = Some(speaker);
    }
    out
}

/// An unlabelled paragraph after an analyst or an executive: is it the
/// analyst asking (more)? It must ask something and not open like an answer.
fn continues_asking(text: &str, analyst: Option<&Speaker>, prev: Role) -> bool {
    if !asks(text) || opens_like_answer(text, analyst.map(|a| a.name.as_str()).unwrap_or("")) || is_question_cue(text) {
        return false;
    }
    // After the analyst's own paragraph, a follow-on paragraph must end on a question.
    prev != Role::Analyst || text.trim_end().ends_with('?')
}

/// Each analyst's turn in the Q&A (consecutive turns of the same analyst
/// joined), with who asked and what the executives replied.
pub(super) fn analyst_turns(
    call: &Call,
    people: &People,
    speakers: &[Option<Speaker>],
    start: usize,
) -> Vec<AnalystTurn> {
    let mut out: Vec<AnalystTurn> = Vec::new();
    let mut prev_was_same = false;
    for (t, s) in call.turns.iter().zip(speakers).skip(start) {
        let Some(s) = s else { continue };
        if s.role == Role::Operator {
            // An analyst's words run into the operator's cue: "... with Big Bank. Please go ahead. Hi, ..."
            if let Some((analyst, text)) = merged_into_cue(&t.text, people) {
                out.push(AnalystTurn::new(analyst, text.to_owned()));
            }
        }
        if s.role != Role::Analyst {
            if s.role == Role::Executive {
                if let Some(last) = out.last_mut() {
                    last.hear(&t.text);
                }
            }
            prev_was_same = false;
            continue;
        }
        match out.last_mut() {
            Some(last) if prev_was_same && name_key(&last.speaker.name) == name_key(&s.name) => {
                last.text.push(' ');
                last.text.push_str(&t.text);
            }
            _ => out.push(AnalystTurn::new(s.clone(), t.text.clone())),
        }
        prev_was_same = true;
    }
    out
}

/// Questions a host reads out ("Our next question comes from Jane Roe of
/// Big Bank, who asks, ..."), as turns of the analysts named, each
/// replied to by the turns up to the next one read out.
pub(super) fn read_out_turns(call: &Call, start: usize) -> Vec<AnalystTurn> {
    let mut out: Vec<AnalystTurn> = Vec::new();
    for t in &call.turns[start..] {
        let Some((name, firm, rest)) = operator_cue_spans(&t.text).into_iter().next() else {
            if let Some(last) = out.last_mut() {
                last.hear(&t.text);
            }
            continue;
        };
        let text = read_out_lead().replace(&t.text[rest..], "").into_owned();
        out.push(AnalystTurn::new(
            Speaker {
                role: Role::Analyst,
                name,
                firm,
            },
            text,
        ));
    }
    out
}
