//! From a `Call`'s raw turns to analyst questions, the same way for every
//! layout: find where the Q&A starts, decide who speaks (operator, analyst,
//! executive) from the rosters, the operator's cues and the flow of the
//! conversation, then cut each analyst turn into the questions it asks
//! (see the "Unit" in the labeling guidelines).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use crate::call::{Call, Role, Section, Turn};

/// One question as segmentation finds it; `question::Question` adds the
/// call's identity and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub analyst: String,
    pub firm: String,
    /// 1-based analyst turn (among turns that ask something).
    pub turn: u32,
    /// 1-based question within the turn.
    pub index: u32,
    pub text: String,
    /// The start of the executives' reply to the turn, at most
    /// `REPLY_WORDS` words: context for the classifier, since a reply often
    /// names the business a terse question is about.
    pub reply: String,
}

/// Words of a reply kept: its opening names the subject; the rest adds
/// little for the classifier and would bloat every question record.
pub const REPLY_WORDS: usize = 64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SegmentError {
    #[error("no question-and-answer section: the transcript holds only prepared remarks")]
    NoQa,
    #[error("the question-and-answer section holds no analyst question")]
    NoQuestions,
}

/// The analyst questions of a call, in order.
pub fn questions(call: &Call) -> Result<Vec<Asked>, SegmentError> {
    Ok(asked_turns(call)?.into_iter().flat_map(|(asked, _)| asked).collect())
}

/// The executives' whole reply to analyst turn `turn` (numbered as
/// `Asked::turn`): what review shows on request, where a question keeps
/// only the reply's opening.
pub fn whole_reply(call: &Call, turn: u32) -> Option<String> {
    let (_, reply) = asked_turns(call).ok()?.into_iter().nth(turn.checked_sub(1)? as usize)?;
    Some(reply)
}

/// The turns that ask something: their questions, and the whole reply.
fn asked_turns(call: &Call) -> Result<Vec<(Vec<Asked>, String)>, SegmentError> {
    let people = People::new(call);
    let start = qa_start(call, &people).ok_or(SegmentError::NoQa)?;
    let speakers = attribute(call, &people, start);
    let mut turns = analyst_turns(call, &people, &speakers, start);
    if turns.is_empty() {
        // No analyst on the line: calls where the host reads out questions sent in.
        turns = read_out_turns(call, start);
    }
    let mut out = Vec::new();
    for AnalystTurn { speaker, text, reply } in turns {
        let qs = split_questions(&text, &speaker.name);
        if qs.is_empty() {
            continue;
        }
        let turn = out.len() as u32 + 1;
        let opening = first_words(&reply, REPLY_WORDS);
        let asked = qs
            .into_iter()
            .enumerate()
            .map(|(i, q)| Asked {
                analyst: speaker.name.clone(),
                firm: speaker.firm.clone().unwrap_or_default(),
                turn,
                index: i as u32 + 1,
                text: q,
                reply: opening.clone(),
            })
            .collect();
        out.push((asked, reply));
    }
    if out.is_empty() {
        return Err(SegmentError::NoQuestions);
    }
    Ok(out)
}

/// Mentions of AI and what it runs on (AI, GPUs, data centers, inference,
/// hyperscalers...) per 1,000 words of the whole call. Context for the
/// classifier: whether a segment's margins or spending are AI business
/// (the guidelines' rule 7) shows in how much the call talks about it.
pub fn ai_per_1k(call: &Call) -> f32 {
    static TERMS: OnceLock<Regex> = OnceLock::new();
    let terms = re(
        &TERMS,
        r"(?i)\b(?:ai|artificial intelligence|data ?centers?|gpus?|genai|generative|hyperscalers?|inference|llms?|copilot|agentic|accelerators?|compute)\b",
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

/// An analyst's turn in the Q&A and the executives' words that follow it.
struct AnalystTurn {
    speaker: Speaker,
    text: String,
    reply: String,
}

impl AnalystTurn {
    fn new(speaker: Speaker, text: String) -> Self {
        AnalystTurn {
            speaker,
            text,
            reply: String::new(),
        }
    }

    /// Adds an executive's words to the reply.
    fn hear(&mut self, text: &str) {
        if !self.reply.is_empty() {
            self.reply.push(' ');
        }
        self.reply.push_str(text);
    }
}

/// The first `n` words of `text`, joined by single spaces.
fn first_words(text: &str, n: usize) -> String {
    text.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

/// Who a turn is by, once decided.
#[derive(Debug, Clone, PartialEq)]
struct Speaker {
    role: Role,
    name: String,
    firm: Option<String>,
}

/// Everyone the call names: roster entries, plus analysts the operator
/// introduces ("next question comes from the line of X with Y").
struct People {
    known: Vec<Person>,
    /// Labels that act as the operator: "Operator" and the like, or whoever
    /// hands the line to analysts by name ("Katie: Our next question ...").
    operators: HashSet<String>,
}

#[derive(Debug, Clone)]
struct Person {
    name: String,
    key: String,
    role: Role,
    firm: Option<String>,
    /// Executives' titles, for turns labelled by title.
    title: Option<String>,
}

impl People {
    fn new(call: &Call) -> Self {
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

    fn is_operator(&self, label: &str) -> bool {
        self.operators.contains(label.trim()) || is_operator_label(label)
    }

    /// The person a speaker label names: exactly, by a near spelling, by
    /// title (executives) or by firm (analysts).
    fn find(&self, label: &str) -> Option<&Person> {
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

    fn speaker(p: &Person) -> Speaker {
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
fn name_key(name: &str) -> String {
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
    const NOISE: &[&str] = &[
        "research",
        "division",
        "llc",
        "inc",
        "co",
        "corp",
        "corporation",
        "company",
        "ltd",
        "limited",
        "plc",
        "lp",
        "llp",
        "the",
        "and",
        "securities",
        "capital",
        "markets",
        "group",
        "partners",
        "incorporated",
        "ag",
        "sa",
        "nv",
    ];
    name_key(firm)
        .split(' ')
        .filter(|w| !NOISE.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Same person, spelled differently: same surname and first initial, or a
/// small edit distance for names long enough that it means something.
fn similar_names(a: &str, b: &str) -> bool {
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

/// "Unidentified Participant", "Unknown Speaker": labels several people share.
fn is_generic_label(label: &str) -> bool {
    let l = label.to_lowercase();
    ["unidentified", "unknown", "participant", "speaker", "attendee"]
        .iter()
        .any(|w| l.contains(w))
}

fn is_operator_label(label: &str) -> bool {
    let l = label.to_lowercase();
    l.contains("operator") || l == "moderator" || l == "coordinator"
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

/// `(analyst, firm)` pairs the operator announces.
fn operator_cues(text: &str) -> Vec<(String, Option<String>)> {
    operator_cue_spans(text)
        .into_iter()
        .map(|(name, firm, _)| (name, firm))
        .collect()
}

/// Each cue's analyst, firm, and the byte offset where the cue ends.
fn operator_cue_spans(text: &str) -> Vec<(String, Option<String>, usize)> {
    static CUE: OnceLock<Regex> = OnceLock::new();
    static TAIL: OnceLock<Regex> = OnceLock::new();
    let cue = re(
        &CUE,
        r"(?:(?:question|questions)\s+(?:today\s+)?(?:will\s+)?(?:(?:is\s+)?going\s+to\s+)?(?:comes?|is|are|will come)\s+from|(?:go|move|turn)\s+(?:(?:first|next|now|on)\s+)?to|(?:take|hear)\s+(?:a\s+question\s+|the\s+next\s+question\s+|our\s+next\s+question\s+)?from|from the line of|(?:next|first|last)\s+(?:up\s+)?is|(?:up first|up next|next up|first up),?\s+(?:we have|is|will be|we'll have)|\[Operator Instructions\])\s+(?:the\s+line\s+of\s+|line\s+of\s+)?(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?(?P<name>[A-Z][\p{L}'’.-]*(?:\s+(?:[A-Z][\p{L}'’.-]*|de|van|von|da|di|del|la|le)){0,3})(?:,?\s+(?:with|from|of|at)\s+(?P<firm>(?:[^.,;?!\n]|\.[^\s.,;?!])+))?",
    );
    let tail = re(
        &TAIL,
        r"(?i)\s+(?:please go ahead|your line is (?:now )?open|you may (?:now )?(?:proceed|go ahead|begin)|please proceed|go ahead|who|which|and (?:he|she|they))\b.*$",
    );
    cue.captures_iter(text)
        .filter_map(|c| {
            let name = c["name"].trim_end_matches(['.', '\'', '’']).to_owned();
            let words: Vec<_> = name.split_whitespace().collect();
            // "Your line is open", "Operator Instructions" and the like are not names.
            if words.len() < 2
                || words.iter().any(|w| {
                    matches!(
                        w.to_lowercase().as_str(),
                        "your" | "the" | "our" | "line" | "question" | "questions" | "instructions" | "operator"
                    )
                })
            {
                return None;
            }
            let mut end = c.get(0).expect("whole match").end();
            let firm = c.name("firm").and_then(|f| {
                let kept = tail.replace(f.as_str().trim(), "").trim().to_owned();
                // Where the firm was cut short ("Big Bank who asks"), the cue ends with what was kept.
                if kept.len() < f.as_str().trim().len() {
                    end = f.start() + f.as_str().find(kept.as_str()).unwrap_or(0) + kept.len();
                }
                (!kept.is_empty()).then_some(kept)
            });
            Some((name, firm, end))
        })
        .collect()
}

/// Whether the operator is handing the line to someone who will ask.
fn is_question_cue(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?i)\b(?:first|next|following|final|last)\s+question\s+(?:today\s+)?(?:will\s+)?(?:comes?|is|are|will come|is coming)\s+from\b|\bquestions?\s+(?:today\s+)?(?:will\s+)?(?:comes?|is|are)\s+from\b|\bline is (?:now )?open\b|\bfrom the line of\b|\b(?:take|have|hear)\s+(?:our|the|your)\s+(?:first|next)\s+question\b|\b(?:go|move)\s+(?:first|next|now|on)\s+to\s+(?:the\s+line\s+of\s+)?\p{Lu}|\b(?:up first|up next|next up|first up),?\s+(?:we have|is|will be|we'll have)\s+\p{Lu}",
    )
    .is_match(text)
}

/// Index of the first Q&A turn: where the layout marks it, else the
/// operator's first question cue, else the first analyst turn.
fn qa_start(call: &Call, people: &People) -> Option<usize> {
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

/// Words that mark a label as a company title rather than a person.
pub(crate) fn is_title_label(label: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?i)\b(?:chief|officer|ceo|cfo|coo|cto|president|vice|director|head of|investor relations|chairman|chair|founder|treasurer|controller|executive|company representative|general counsel|svp|evp|vp|relations|secretary|representative|spokesperson)\b",
    )
    .is_match(label)
}

/// Decides who speaks each Q&A turn, using the flow of the conversation
/// where labels are missing or unknown.
fn attribute(call: &Call, people: &People, start: usize) -> Vec<Option<Speaker>> {
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

fn first_name(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase()
}

/// Whether a paragraph or sentence begins the way executives begin answers.
fn opens_like_answer(text: &str, analyst: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &RE,
        r"(?i)^\W*(?:yes|yeah|yep|sure|absolutely|great question|good question|it's a great question|that's a great question|thanks for the question|thank you for the question|let me (?:take|start|answer)|i'll take|i can take|i'll start|so,? let me)\b",
    );
    if r.is_match(text) {
        return true;
    }
    let first = first_name(analyst);
    if first.len() < 2 {
        return false;
    }
    let lower = text.trim_start().to_lowercase();
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    [
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
    ]
    .iter()
    .any(|p| {
        lower
            .strip_prefix(p)
            .and_then(|r| r.strip_prefix(first.as_str()))
            .is_some_and(|r| r.starts_with([',', '.', ' ', '!', '?']))
    })
}

/// Whether a piece of text asks for something.
fn asks(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    text.contains('?')
        || re(
            &RE,
            r"(?i)\b(?:can you|could you|would you|will you|do you|are you|why|whether|is there|are there|(?:has|have|had|did|does|do|is|are|was|were|will|would|could|can|should)\s+(?:you|your|they|their|there|it|the company|management)|you (?:can|could|might) (?:just |maybe |perhaps )?(?:share|talk|give|help|walk|provide|comment|elaborate|speak|update|unpack|quantify|frame|size)|expectations?|color on|colour on|sense (?:of|for)|thoughts on|update on|perspective on|views? on|how (?:do|does|should|are|is|much|many|to|you)|what (?:is|are|do|does|kind|type|was|were)|wonder(?:ing)?|curious|(?:want(?:ed)?|like) to (?:ask|get|understand|follow|dig|touch|go back|come back|hear)|my (?:first |second |last |final )?question|any (?:color|colour|update|thoughts|comments?|sense|detail)|talk (?:about|through|a little)|help us|walk us|give us|comment on|elaborate|update us|think about|expand on|unpack|clarif|remind us|touch on|speak to|follow[- ]?up)\b",
        )
        .is_match(text)
}

/// Each analyst's turn in the Q&A (consecutive turns of the same analyst
/// joined), with who asked and what the executives replied.
fn analyst_turns(call: &Call, people: &People, speakers: &[Option<Speaker>], start: usize) -> Vec<AnalystTurn> {
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

/// The analyst and their words where a cue and the question share one turn.
fn merged_into_cue<'a>(text: &'a str, people: &People) -> Option<(Speaker, &'a str)> {
    static HANDOFF: OnceLock<Regex> = OnceLock::new();
    let handoff = re(
        &HANDOFF,
        r"(?i)^[^.?!]{0,40}?[.,]?\s*(?:please go ahead|your line is (?:now )?open|please proceed|you may (?:now )?(?:proceed|go ahead|begin))[.!,]?\s*",
    );
    let (name, firm, end) = operator_cue_spans(text).into_iter().last()?;
    let rest = &text[end..];
    let words = handoff.find(rest).map(|m| &rest[m.end()..])?;
    (words.split_whitespace().count() >= 12).then(|| {
        let analyst = cued(people, name, firm);
        (analyst, words)
    })
}

/// Questions a host reads out ("Our next question comes from Jane Roe of
/// Big Bank, who asks, ..."), as turns of the analysts named, each
/// replied to by the turns up to the next one read out.
fn read_out_turns(call: &Call, start: usize) -> Vec<AnalystTurn> {
    let mut out: Vec<AnalystTurn> = Vec::new();
    for t in &call.turns[start..] {
        let Some((name, firm, rest)) = operator_cue_spans(&t.text).into_iter().next() else {
            if let Some(last) = out.last_mut() {
                last.hear(&t.text);
            }
            continue;
        };
        static LEAD: OnceLock<Regex> = OnceLock::new();
        let lead = re(
            &LEAD,
            r"(?i)^[\s,.:;-]*(?:(?:who|which|and (?:he|she|they))\s+)?(?:asks?|asked|wants to know|writes|is asking|would like to know)?[\s,.:;-]*",
        );
        let text = lead.replace(&t.text[rest..], "").into_owned();
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

/// Sentences: one ends at `.`, `?` or `!` followed by white space and a
/// capital, digit or quote, or at a line break followed by a capital (a
/// line break before a lower-case word is a wrapped sentence).
fn sentences(text: &str) -> Vec<&str> {
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

/// A greeting, thanks, congratulation or acknowledgement with nothing asked:
/// "Hi, good morning.", "Congrats on the quarter.", "Got it, that's helpful."
fn is_courtesy(clause: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &RE,
        r"(?i)^\W*(?:(?:and|so|okay|ok|well|yes|yeah|hey|hi|hello|again|all right|alright|great|perfect|excellent|wonderful|fantastic|terrific|awesome|very good|good|nice|oh)\b[\s,.!-]*)*(?:good (?:morning|afternoon|evening|day)|hi|hello|hey|thanks?|thank you|congrat\w*|(?:and\s+)?(?:my\s+)?(?:congrat\w*|compliments)|(?:a\s+)?(?:great|nice|good|solid|strong|terrific|impressive|fantastic|excellent|wonderful|congrats on the|congratulations on the)\s+(?:quarter|results?|job|execution|print|numbers|progress|year|start|work|performance|update|color|colour|answer|quarter and year)|(?:i\s+)?appreciate|got it|understood|that's (?:very |really |super |extremely )?(?:helpful|great|clear|useful|fair|good)|(?:very|really|super) helpful|helpful|makes sense|fair enough|okay|ok|perfect|great|excellent|sure|all right|alright|that's it|that's all|i'll (?:pass it on|get back in|jump back|hop back|step back|go back|requeue|leave it)|i will (?:pass|leave|jump|hop)|(?:best of luck|good luck)|welcome|yes|yeah|no|right)\b",
    );
    static ANY: OnceLock<Regex> = OnceLock::new();
    let any = re(
        &ANY,
        r"(?i)\b(?:congrat\w*|thanks?|thank you|appreciate\w*|(?:great|nice|good|solid|strong|terrific|impressive|fantastic|excellent|wonderful)\s+(?:quarter|results?|job|execution|print|numbers|progress|year|start|work|performance)|well deserved|helpful|good luck|best of luck|happy (?:holidays?|thanksgiving|new year)|how are you|can you hear me|(?:this is|it's) (?:\w+ ){1,3}(?:on|in) for|i'll (?:pass|let|leave|get back|jump|hop|step|go back|requeue|turn it|hand it|yield|follow up (?:offline|later)|take the rest)|encouraging|(?:great|good) to hear|(?:great|good) (?:color|colour|detail)|makes (?:a lot of |total |perfect |good )?sense|for (?:all )?(?:the|your) (?:color|colour|time|answers?|help|detail|details|insight)|have a (?:great|good|nice)|well done|sounds good|go ahead|i got it|(?:fantastic|great|good) outcome|that's fair|fair enough|got it|understood)\b",
    );
    let words = clause.split_whitespace().count();
    static CHECK: OnceLock<Regex> = OnceLock::new();
    let check = re(
        &CHECK,
        r"(?i)(?:(?:can|do|could) you (?:all |guys |both )?hear me(?: now| okay| ok| all right)?|how are you(?: doing)?(?: today)?)\W*$",
    );
    if words <= 12 && (is_vocative(clause) || check.is_match(clause)) {
        return true;
    }
    if clause.contains('?') || words > 20 {
        return false;
    }
    (r.is_match(clause) || (words <= 14 && any.is_match(clause))) && !asks_in_courtesy(clause)
}

/// Only names or "guys", "everyone", "team": what is left of "Hi, Jane and team."
fn is_vocative(clause: &str) -> bool {
    // Capitalised words that open sentences, not names.
    const OPENERS: &[&str] = &[
        "first",
        "second",
        "third",
        "secondly",
        "thirdly",
        "lastly",
        "finally",
        "just",
        "so",
        "and",
        "also",
        "maybe",
        "then",
        "now",
        "well",
        "okay",
        "great",
        "sure",
        "yes",
        "no",
        "look",
        "listen",
        "sorry",
        "actually",
        "obviously",
        "clearly",
        "specifically",
        "separately",
        "additionally",
        "further",
        "however",
        "overall",
        "basically",
        "perhaps",
        "quickly",
        "briefly",
        "today",
        "there",
        "here",
        "this",
        "that",
        "these",
        "those",
        "it",
        "what",
        "how",
        "why",
        "when",
        "where",
        "who",
        "which",
        "can",
        "could",
        "would",
        "should",
        "will",
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "i",
        "we",
        "you",
        "they",
        "our",
        "your",
        "my",
        "if",
        "as",
        "on",
        "in",
        "at",
        "for",
        "with",
        "from",
        "to",
        "of",
        "by",
        "about",
        "given",
        "regarding",
        "congrats",
        "thanks",
        "thank",
        "one",
        "two",
        "a",
        "the",
        "any",
        "some",
        "last",
        "next",
    ];
    let words: Vec<&str> = clause
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty()
        && words.len() <= 4
        && words.iter().all(|w| {
            let lower = w.to_lowercase();
            matches!(
                lower.as_str(),
                "guys"
                    | "everyone"
                    | "everybody"
                    | "all"
                    | "team"
                    | "folks"
                    | "gentlemen"
                    | "ladies"
                    | "and"
                    | "both"
                    | "again"
            ) || (w.chars().next().is_some_and(char::is_uppercase) && w.len() > 1 && !OPENERS.contains(&lower.as_str()))
        })
        && words.iter().any(|w| {
            w.chars().next().is_some_and(char::is_uppercase) || *w == "guys" || *w == "everyone" || *w == "team"
        })
}

/// A courtesy opening that goes on to ask ("thanks for taking my question, I wanted to ask ...").
fn asks_in_courtesy(clause: &str) -> bool {
    static POLITE: OnceLock<Regex> = OnceLock::new();
    let polite = re(
        &POLITE,
        r"(?i)taking (?:my|our|the) questions?|for the question|the follow-up|squeezing me in",
    );
    asks(&polite.replace_all(clause, ""))
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
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?i)^\W*(?:(?:and|so|then|okay|ok|maybe|just|now)[,]?\s+)*(?:second(?:ly)?|third(?:ly)?|(?:my|the|a)\s+(?:second|third|2nd)\s+(?:question|one|thing|topic|part))\b",
    )
    .is_match(sentence)
}

/// Whether a sentence opens a new question within an analyst's turn:
/// "Second, ...", "And then ...", "My follow-up ...", or turning to
/// another executive ("And Amy, ...").
fn starts_new_question(sentence: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    static TO_ANOTHER: OnceLock<Regex> = OnceLock::new();
    re(&TO_ANOTHER, r"^\W*(?:[Aa]nd|[Tt]hen|[Aa]lso|[Ss]o)\s+(?:(?:for|one for|maybe for|maybe)\s+)?\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?,")
        .is_match(sentence)
        || re(
        &RE,
        r"(?i)^\W*(?:(?:and|so|okay|ok|great|maybe|just|then|um|uh|now)[,]?\s+)*(?:second(?:ly)?\b|third(?:ly)?\b|last(?:ly)?\b|finally\b|then\b|also\b|one more\b|another\b|(?:my|the|a|as a|for (?:my|the|a)|just a|and a)\s+(?:quick\s+)?(?:second|follow[- ]?up|last|final|third|next|other|2nd)\b|(?:if i (?:could|can|may|might)|can i|could i|let me) (?:ask|squeeze|sneak|add|follow|just)|on (?:the )?\w+(?: \w+)?,)",
    )
    .is_match(sentence)
}

/// An analyst's turn cut into questions: courtesy dropped, an executive's
/// answer run into the turn cut off, one question per "first ... second ...".
pub fn split_questions(text: &str, analyst: &str) -> Vec<String> {
    let mut groups: Vec<Vec<&str>> = Vec::new();
    // Whether the last group asks something yet, and whether any sentence was a question.
    let mut group_asks = false;
    let mut asked_any = false;
    for sentence in sentences(text) {
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
    static RE: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &RE,
        r"(?i)^\W*(?:(?:and|so|then|just|okay|also|maybe)[,]?\s+)*(?:(?:i|we)\s*(?:'ll|’ll|'ve|’ve|'d|’d|\s+will|\s+would)?\s*(?:have|had|got|ask|wanted to ask|want to ask|like to ask)\s+)?(?:(?:a|one|my|the|two|2|three|3|a couple of|a quick|one quick|just one)\s+)*(?:quick\s+|last\s+|final\s+|main\s+|separate\s+|other\s+|more\s+|small\s+|modeling\s+|credit\s+|housekeeping\s+)*(?:follow[- ]?ups?|questions?|clarifications?|one)(?:\s+(?:and then|and)\s+(?:a|one)\s+(?:\w+\s+)?(?:question|follow[- ]?up))?(?:\s+(?:for me|for you|here|please|as well|too))?\W*$",
    );
    !q.contains('?') && r.is_match(q)
}

/// The speaker an operator's cue names: a known person (the cue's firm
/// where the roster has none), else an analyst known only by the cue.
fn cued(people: &People, name: String, firm: Option<String>) -> Speaker {
    match people.find(&name) {
        Some(p) => Speaker {
            firm: p.firm.clone().or(firm),
            ..People::speaker(p)
        },
        None => Speaker {
            role: Role::Analyst,
            name,
            firm,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Participant;

    fn turn(speaker: &str, text: &str) -> Turn {
        Turn {
            speaker: speaker.into(),
            role: Role::Unknown,
            firm: None,
            text: text.into(),
            section: None,
        }
    }

    fn call(turns: Vec<Turn>, participants: Vec<Participant>) -> Call {
        Call {
            source: "x".into(),
            format: "test".into(),
            ticker: "ACME".into(),
            company: "Acme".into(),
            fiscal: None,
            spoken: None,
            call_date: None,
            participants,
            turns,
            notes: vec![],
        }
    }

    #[test]
    fn two_questions_in_one_turn_are_two() {
        let qs = split_questions(
            "Hi, good morning. Congrats on the quarter. Two questions. First, how should we think about capex next year? And second, what drove the margin expansion? Thank you.",
            "Jane Roe",
        );
        assert_eq!(
            qs,
            vec![
                "First, how should we think about capex next year?",
                "And second, what drove the margin expansion?"
            ]
        );
    }

    #[test]
    fn courtesy_only_turn_has_no_question() {
        assert!(split_questions("Great, thank you so much. Congrats again.", "Jane Roe").is_empty());
    }

    #[test]
    fn merged_answer_is_cut_off() {
        let qs = split_questions(
            "How much power have you secured? Yes, Jane, so we have secured about two gigawatts.",
            "Jane Roe",
        );
        assert_eq!(qs, vec!["How much power have you secured?"]);
    }

    #[test]
    fn roles_from_operator_cues_and_flow() {
        let c = call(
            vec![
                turn("Operator", "Welcome to the call."),
                turn("Pat Exec", "Revenue grew."),
                turn(
                    "Operator",
                    "Our first question comes from the line of Jane Roe with Big Bank. Please go ahead.",
                ),
                turn("Jane Roe", "Thanks. Can you talk about pricing?"),
                turn("Pat Exec", "Sure. Pricing is up."),
                turn("", "And then how about capacity, when does it ease?"),
                turn("", "Yes, Jane, capacity eases next year."),
                turn("Operator", "Next question comes from Jon Doe with Small Bank."),
                turn("Jon Do", "What is the payback on the spend?"),
            ],
            vec![Participant {
                name: "Pat Exec".into(),
                role: Role::Executive,
                firm: Some("CEO".into()),
            }],
        );
        let qs = questions(&c).unwrap();
        let got: Vec<_> = qs
            .iter()
            .map(|q| (q.analyst.as_str(), q.firm.as_str(), q.turn, q.index, q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Jane Roe", "Big Bank", 1, 1, "Can you talk about pricing?"),
                (
                    "Jane Roe",
                    "Big Bank",
                    2,
                    1,
                    "And then how about capacity, when does it ease?"
                ),
                ("Jon Doe", "Small Bank", 3, 1, "What is the payback on the spend?"),
            ]
        );
        // Each question carries the executives' reply to its turn; the operator's words are no part of it.
        let replies: Vec<_> = qs.iter().map(|q| q.reply.as_str()).collect();
        assert_eq!(
            replies,
            ["Sure. Pricing is up.", "Yes, Jane, capacity eases next year.", ""]
        );
    }

    #[test]
    fn ai_mentions_are_counted_over_the_whole_call() {
        // Two mentions, "AI" in the remarks and "GPUs" in a question, in ten words.
        let c = call(
            vec![
                turn("Pat Exec", "Our AI revenue doubled."),
                turn("Jon Do", "How many GPUs will you buy?"),
            ],
            vec![],
        );
        assert!((ai_per_1k(&c) - 200.0).abs() < 1e-3, "{}", ai_per_1k(&c));
        // "said" holds "ai" but is no mention; an empty call is no division by zero.
        assert_eq!(ai_per_1k(&call(vec![turn("Pat Exec", "We said so.")], vec![])), 0.0);
        assert_eq!(ai_per_1k(&call(vec![], vec![])), 0.0);
    }

    #[test]
    fn a_long_reply_is_cut_to_its_opening_words() {
        let long = "word ".repeat(50);
        let c = call(
            vec![
                turn(
                    "Operator",
                    "Our first question comes from the line of Jane Roe with Big Bank.",
                ),
                turn("Jane Roe", "What is the capex plan?"),
                turn("Pat Exec", &long),
                turn("Sam Cfo", &long),
                turn("Pat Exec", "More words that never make it."),
            ],
            vec![
                Participant {
                    name: "Pat Exec".into(),
                    role: Role::Executive,
                    firm: None,
                },
                Participant {
                    name: "Sam Cfo".into(),
                    role: Role::Executive,
                    firm: None,
                },
            ],
        );
        let qs = questions(&c).unwrap();
        assert_eq!(qs[0].reply.split(' ').count(), REPLY_WORDS);
        assert!(!qs[0].reply.contains("never"));
        // Review shows the whole of it on request.
        let whole = whole_reply(&c, 1).unwrap();
        let words: Vec<&str> = whole.split_whitespace().collect();
        assert!(words.join(" ").starts_with(&qs[0].reply), "{whole}");
        assert_eq!(words.len(), 106, "every word of both executives");
        assert!(whole.ends_with("never make it."), "{whole}");
        assert_eq!(whole_reply(&c, 2), None);
    }

    #[test]
    fn question_run_into_the_operator_cue_is_the_analysts() {
        let c = call(
            vec![
                turn("Operator", "Welcome."),
                turn("Operator", "First question comes from the line of Jane Roe from Big Bank. Please go ahead. Hi, thanks. How should we think about the pace of data center construction next year?"),
                turn("Pat Exec", "We will build more."),
            ],
            vec![],
        );
        let qs = questions(&c).unwrap();
        assert_eq!((qs[0].analyst.as_str(), qs[0].firm.as_str()), ("Jane Roe", "Big Bank"));
        assert_eq!(
            qs[0].text,
            "How should we think about the pace of data center construction next year?"
        );
    }

    #[test]
    fn operator_named_by_first_name_and_executives_from_the_remarks() {
        let c = call(
            vec![
                turn("Katie", "Welcome to the call."),
                turn("Ann Ir", "Thanks, Katie. Here are the results."),
                turn("Katie", "Our first question comes from Jane Roe with Big Bank."),
                turn("Jane Roe", "What is the payback on the spend?"),
                turn("Pat Exec", "Three years."),
                turn("Katie", "That was our last question. I'll turn it back to Ann."),
                turn(
                    "Ann Ir",
                    "Thank you all for joining; do you have any more questions for us today?",
                ),
            ],
            vec![],
        );
        let qs = questions(&c).unwrap();
        assert_eq!(qs.len(), 1);
        assert_eq!((qs[0].analyst.as_str(), qs[0].firm.as_str()), ("Jane Roe", "Big Bank"));
    }

    #[test]
    fn remarks_only_is_an_error() {
        let c = call(
            vec![turn("Operator", "Welcome."), turn("Pat Exec", "Revenue grew.")],
            vec![],
        );
        assert_eq!(questions(&c), Err(SegmentError::NoQa));
    }
}
