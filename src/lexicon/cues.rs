//! The operator's words: the cues that give an analyst the line, the
//! hand-over after them, the labels operators go by, the end of the call.

use regex::Regex;

use super::people::NAME_PARTICLES;
use super::{alternation, regex};

/// What the operator says to give an analyst the line once named. One
/// list for the speech-to-text layout and for segmentation: the layout
/// accepted "your line is live" that segmentation did not, segmentation
/// "you may now begin" that the layout did not; the union changes no
/// question on the shared corpus.
pub const HANDOVERS: &[&str] = &[
    "please go ahead",
    "please proceed",
    "you may (?:now )?(?:proceed|go ahead|begin)",
    LINE_OPEN,
];

/// The one hand-over that states rather than asks: it ends its sentence.
const LINE_OPEN: &str = "your line is (?:now )?(?:open|live)";

/// A hand-over too, but only right after a cue: inside a turn a bare "go
/// ahead" is as often said to a muted line ("... go ahead. Perhaps your
/// line is muted"), and taking it there adds wrong questions.
const GO_AHEAD: &str = "go ahead";

/// Words of a cue's "name" that show it names nobody ("Your line is open",
/// "[Operator Instructions]").
pub const NOT_NAMES: &[&str] = &[
    "your",
    "the",
    "our",
    "line",
    "question",
    "questions",
    "instructions",
    "operator",
];

/// Labels several people share: "Unidentified Participant", "Unknown Speaker".
pub const GENERIC_LABELS: &[&str] = &["unidentified", "unknown", "participant", "speaker", "attendee"];

/// Headings that open the Q&A in vendors' text.
pub const QA_HEADINGS: &[&str] = &[
    "question-and-answer session",
    "questions and answers",
    "question and answer session",
    "q&a",
    "q&a session",
];

/// "Unidentified Participant", "Unknown Speaker": labels several people share.
pub fn is_generic_label(label: &str) -> bool {
    let l = label.to_lowercase();
    GENERIC_LABELS.iter().any(|w| l.contains(w))
}

/// "Operator", "Moderator", "Coordinator".
pub fn is_operator_label(label: &str) -> bool {
    let l = label.to_lowercase();
    l.contains("operator") || l == "moderator" || l == "coordinator"
}

/// A line that is a Q&A heading.
pub fn is_qa_heading(line: &str) -> bool {
    QA_HEADINGS.contains(&line.trim().to_lowercase().as_str())
}

/// A cue that names an analyst and perhaps their firm (`name`, `firm`):
/// "next question comes from the line of X with Y", "we go next to X",
/// "up next is X", "[Operator Instructions] X".
pub fn operator_cue() -> &'static Regex {
    regex!(format!(
        r"(?:(?:question|questions)\s+(?:today\s+)?(?:will\s+)?(?:(?:is\s+)?going\s+to\s+)?(?:comes?|is|are|will come)\s+from|(?:go|move|turn)\s+(?:(?:first|next|now|on)\s+)?to|(?:take|hear)\s+(?:a\s+question\s+|the\s+next\s+question\s+|our\s+next\s+question\s+)?from|from the line of|(?:next|first|last)\s+(?:up\s+)?is|(?:up first|up next|next up|first up),?\s+(?:we have|is|will be|we'll have)|\[Operator Instructions\])\s+(?:the\s+line\s+of\s+|line\s+of\s+)?(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?(?P<name>[A-Z][\p{{L}}'’.-]*(?:\s+(?:[A-Z][\p{{L}}'’.-]*|{})){{0,3}})(?:,?\s+(?:with|from|of|at)\s+(?P<firm>(?:[^.,;?!\n]|\.[^\s.,;?!])+))?",
        NAME_PARTICLES.join("|")
    ))
}

/// What follows a firm in a cue and is no part of it: the hand-over, or
/// the start of a question read out ("... Big Bank, who asks").
pub fn after_firm() -> &'static Regex {
    regex!(format!(
        r"(?i)\s+(?:{}|{GO_AHEAD}|who|which|and (?:he|she|they))\b.*$",
        alternation(HANDOVERS)
    ))
}

/// The hand-over after a cue, where the analyst's words follow in the same turn.
pub fn handover_in_turn() -> &'static Regex {
    regex!(format!(
        r"(?i)^[^.?!]{{0,40}}?[.,]?\s*(?:{})[.!,]?\s*",
        alternation(HANDOVERS)
    ))
}

/// What introduces a question a host reads out: "who asks", "writes".
pub fn read_out_lead() -> &'static Regex {
    regex!(
        r"(?i)^[\s,.:;-]*(?:(?:who|which|and (?:he|she|they))\s+)?(?:asks?|asked|wants to know|writes|is asking|would like to know)?[\s,.:;-]*"
    )
}

/// Whether the operator hands the line to someone who will ask.
pub fn question_cue() -> &'static Regex {
    regex!(
        r"(?i)\b(?:first|next|following|final|last)\s+question\s+(?:today\s+)?(?:will\s+)?(?:comes?|is|are|will come|is coming)\s+from\b|\bquestions?\s+(?:today\s+)?(?:will\s+)?(?:comes?|is|are)\s+from\b|\bline is (?:now )?open\b|\bfrom the line of\b|\b(?:take|have|hear)\s+(?:our|the|your)\s+(?:first|next)\s+question\b|\b(?:go|move)\s+(?:first|next|now|on)\s+to\s+(?:the\s+line\s+of\s+)?\p{Lu}|\b(?:up first|up next|next up|first up),?\s+(?:we have|is|will be|we'll have)\s+\p{Lu}"
    )
}

/// An analyst's name in speech-to-text, up to four capitalised words.
const SPOKEN_NAME: &str = r"(?P<name>(?:[A-Z][\w'’-]*\.?\s+){0,3}[A-Z][\w'’-]*)";
/// A firm in speech-to-text, to the end of its sentence.
const SPOKEN_FIRM: &str = r"(?:the company\s+)?(?P<firm>(?:[A-Z]\.\s?)+[^.?!]*|[A-Z][^.?!]*)";

/// Speech-to-text's cues: "our next question comes from the line of X with
/// Y", "we'll take our first question from X of Y", "and that will come from X with Y".
pub fn spoken_cue() -> &'static Regex {
    regex!(format!(
        r"(?:(?i:question)(?:\s+\w+){{0,3}}?\s+(?i:comes|is coming|will come|is|come|has come)\s+(?i:from|to)|(?i:that|which)\s+(?i:will come|comes)\s+(?i:from)|(?i:take|have)\s+(?i:our|a|the)\s+(?:\w+\s+){{0,2}}?(?i:question)\s+(?i:from))\s+(?:(?i:the|a)\s+line\s+of\s+)?{SPOKEN_NAME}(?:,?\s+(?i:with|from|of|at)\s+{SPOKEN_FIRM})?[.?!]"
    ))
}

/// Speech-to-text's cues without the word "question", so the firm must
/// follow: "we go next now to X of Y", "our next caller is X with Y", and a
/// bare "X with Y." (`bare`) when the operator then hands over the line.
pub fn spoken_named_cue() -> &'static Regex {
    regex!(format!(
        r"(?:(?i:go|move)\s+(?:(?i:first|next|on)\s+)?(?:(?i:today|now)\s+)?(?i:to)\s+|(?i:caller\s+is)\s+|(?P<bare>[.?!]\s+))(?:(?i:the|a)\s+line\s+of\s+)?{SPOKEN_NAME},?\s+(?i:with|from|of|at)\s+{SPOKEN_FIRM}[.?!]"
    ))
}

/// The cue where speech-to-text fell into lower case without punctuation
/// ("...comes from the line of jane roe with acme bank please proceed ..."):
/// only taken whole, up to the hand-over.
pub fn spoken_lower_cue() -> &'static Regex {
    regex!(format!(
        r"question\s+(?:comes|is|will come)\s+from\s+(?:the\s+line\s+of\s+)?(?P<name>[a-z][a-z'-]+(?:\s[a-z][a-z'-]+){{1,2}})\s+(?:with|from|of)\s+(?P<firm>[a-z][a-z&.' -]{{1,40}}?)\s+(?:{})",
        alternation(HANDOVERS)
    ))
}

/// The hand-over right after a cue in speech-to-text, to its sentence's
/// end, perhaps after the analyst's first name ("Cy, your line is open.").
pub fn spoken_handover() -> &'static Regex {
    regex!(format!(
        r"^\s*(?:[A-Z][\w'’-]*,\s+)?(?i:(?:{})[^.?!]*|{})[.?!]",
        spoken_requests(),
        alternation(&[LINE_OPEN])
    ))
}

/// The hand-overs that ask, which words may follow to their stop ("please
/// go ahead with your question."). Not "your line is open": what follows it
/// in the same sentence is the analyst's ("Your line is open, Aaron. and I'll ask").
fn spoken_requests() -> String {
    let asks: Vec<&str> = HANDOVERS
        .iter()
        .copied()
        .filter(|h| *h != LINE_OPEN)
        .chain([GO_AHEAD])
        .collect();
    alternation(&asks)
}

/// The operator closing the call: "this concludes today's call".
pub fn closing() -> &'static Regex {
    regex!(r"(?i)\b(?:this|that)\s+(?:concludes|does conclude|will conclude)\s+(?:today's|our|the)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_name_the_analyst_and_firm() {
        for (text, name, firm) in [
            (
                "Our first question comes from the line of Jane Roe with Big Bank.",
                "Jane Roe",
                Some("Big Bank"),
            ),
            (
                "We'll go next to Jon Doe from Small Bank. Please go ahead.",
                "Jon Doe",
                Some("Small Bank"),
            ),
            ("Up next is Ann van Lee, go ahead.", "Ann van Lee", None),
            ("[Operator Instructions] Cy Doe, Gamma.", "Cy Doe", None),
        ] {
            let c = operator_cue().captures(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((&c["name"], c.name("firm").map(|f| f.as_str())), (name, firm), "{text}");
        }
        for text in ["Our first question comes from", "Revenue grew from last year."] {
            assert!(!operator_cue().is_match(text), "{text}");
        }
    }

    #[test]
    fn what_a_cue_names_may_be_no_one() {
        for (text, no_one) in [
            ("We'll go next to Your Line.", true),
            ("Our next question comes from Operator Instructions.", true),
            ("Our next question comes from Jane Roe.", false),
        ] {
            let name = operator_cue().captures(text).unwrap()["name"].to_lowercase();
            assert_eq!(
                name.split_whitespace().any(|w| NOT_NAMES.contains(&w)),
                no_one,
                "{text}"
            );
        }
    }

    #[test]
    fn question_cues() {
        for (text, cue) in [
            ("Our next question comes from Jane Roe.", true),
            ("Your line is now open.", true),
            ("We'll take our first question from the line of X.", true),
            ("Up next, we have Jane.", true),
            ("Revenue comes from software.", false),
            ("Our next product comes from the lab.", false),
        ] {
            assert_eq!(question_cue().is_match(text), cue, "{text}");
        }
    }

    #[test]
    fn handovers_in_every_form() {
        for (text, handover) in [
            ("Please go ahead.", true),
            ("Cy, your line is now live.", true),
            ("You may now begin.", true),
            ("Go ahead, please.", true),
            ("Please proceed with your question.", true),
            ("Thanks for the question.", false),
        ] {
            assert_eq!(spoken_handover().is_match(text), handover, "{text}");
        }
        assert_eq!(after_firm().replace("Big Bank please go ahead now", ""), "Big Bank");
        assert_eq!(after_firm().replace("Big Bank, who asks", ""), "Big Bank,");
        let m = handover_in_turn().find(". Your line is open. Hi, thanks.").unwrap();
        assert_eq!(m.as_str(), ". Your line is open. ");
    }

    #[test]
    fn speech_to_text_cues() {
        for (text, name) in [
            (
                "Our first question comes from the line of Ann Lee with J.P. Morgan.",
                "Ann Lee",
            ),
            ("And that will come from Bo Chan with Beta.", "Bo Chan"),
            ("We'll take our next question from Cy Doe of Gamma.", "Cy Doe"),
        ] {
            assert_eq!(&spoken_cue().captures(text).unwrap()["name"], name, "{text}");
        }
        let c = spoken_named_cue()
            .captures("We go next now to Bo Chan of Beta Bank.")
            .unwrap();
        assert_eq!((&c["name"], &c["firm"]), ("Bo Chan", "Beta Bank"));
        let c = spoken_lower_cue()
            .captures("question comes from the line of cy doe with gamma bank your line is live")
            .unwrap();
        assert_eq!((&c["name"], &c["firm"]), ("cy doe", "gamma bank"));
    }

    #[test]
    fn labels_and_headings() {
        for (label, operator, generic) in [
            ("Operator", true, false),
            ("Conference Operator", true, false),
            ("Moderator", true, false),
            ("Unidentified Participant", false, true),
            ("Unknown Speaker", false, true),
            ("Jane Roe", false, false),
        ] {
            assert_eq!(
                (is_operator_label(label), is_generic_label(label)),
                (operator, generic),
                "{label}"
            );
        }
        for (line, heading) in [
            ("Question-and-Answer Session", true),
            ("  Q&A ", true),
            ("Questions and answers", true),
            ("Questions and answers follow", false),
        ] {
            assert_eq!(is_qa_heading(line), heading, "{line}");
        }
        for text in ["This concludes today's call.", "that does conclude our conference"] {
            assert!(closing().is_match(text), "{text}");
        }
    }
}
