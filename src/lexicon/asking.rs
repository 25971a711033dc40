//! What asking sounds like in an analyst's turn, and what does not ask:
//! requests, the openings of a second question, greetings, thanks and the
//! other courtesy around questions.

use regex::Regex;

use super::regex;

/// Words that ask for something where no question mark does: "can you",
/// "color on", "wondering", "my question".
pub fn request() -> &'static Regex {
    regex!(
        r"(?i)\b(?:can you|could you|would you|will you|do you|are you|why|whether|is there|are there|(?:has|have|had|did|does|do|is|are|was|were|will|would|could|can|should)\s+(?:you|your|they|their|there|it|the company|management)|you (?:can|could|might) (?:just |maybe |perhaps )?(?:share|talk|give|help|walk|provide|comment|elaborate|speak|update|unpack|quantify|frame|size)|expectations?|color on|colour on|sense (?:of|for)|thoughts on|update on|perspective on|views? on|how (?:do|does|should|are|is|much|many|to|you)|what (?:is|are|do|does|kind|type|was|were)|wonder(?:ing)?|curious|(?:want(?:ed)?|like) to (?:ask|get|understand|follow|dig|touch|go back|come back|hear)|my (?:first |second |last |final )?question|any (?:color|colour|update|thoughts|comments?|sense|detail)|talk (?:about|through|a little)|help us|walk us|give us|comment on|elaborate|update us|think about|expand on|unpack|clarif|remind us|touch on|speak to|follow[- ]?up)\b"
    )
}

/// "Second, ...", "My second question ...": a new question whatever came before.
pub fn second_question() -> &'static Regex {
    regex!(
        r"(?i)^\W*(?:(?:and|so|then|okay|ok|maybe|just|now)[,]?\s+)*(?:second(?:ly)?|third(?:ly)?|(?:my|the|a)\s+(?:second|third|2nd)\s+(?:question|one|thing|topic|part))\b"
    )
}

/// A sentence that opens another question once one was asked: "And then
/// ...", "My follow-up ...", "If I could squeeze in ...", "On pricing, ...".
pub fn next_question() -> &'static Regex {
    regex!(
        r"(?i)^\W*(?:(?:and|so|okay|ok|great|maybe|just|then|um|uh|now)[,]?\s+)*(?:second(?:ly)?\b|third(?:ly)?\b|last(?:ly)?\b|finally\b|then\b|also\b|one more\b|another\b|(?:my|the|a|as a|for (?:my|the|a)|just a|and a)\s+(?:quick\s+)?(?:second|follow[- ]?up|last|final|third|next|other|2nd)\b|(?:if i (?:could|can|may|might)|can i|could i|let me) (?:ask|squeeze|sneak|add|follow|just)|on (?:the )?\w+(?: \w+)?,)"
    )
}

/// Turning to another executive by name: "And Amy, ...", "Then maybe for Tom Lee, ...".
pub fn to_another() -> &'static Regex {
    regex!(
        r"^\W*(?:[Aa]nd|[Tt]hen|[Aa]lso|[Ss]o)\s+(?:(?:for|one for|maybe for|maybe)\s+)?\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?,"
    )
}

/// "And then a follow-up.", "Two questions, please.": announces a
/// question, asks none.
pub fn announcement() -> &'static Regex {
    regex!(
        r"(?i)^\W*(?:(?:and|so|then|just|okay|also|maybe)[,]?\s+)*(?:(?:i|we)\s*(?:'ll|’ll|'ve|’ve|'d|’d|\s+will|\s+would)?\s*(?:have|had|got|ask|wanted to ask|want to ask|like to ask)\s+)?(?:(?:a|one|my|the|two|2|three|3|a couple of|a quick|one quick|just one)\s+)*(?:quick\s+|last\s+|final\s+|main\s+|separate\s+|other\s+|more\s+|small\s+|modeling\s+|credit\s+|housekeeping\s+)*(?:follow[- ]?ups?|questions?|clarifications?|one)(?:\s+(?:and then|and)\s+(?:a|one)\s+(?:\w+\s+)?(?:question|follow[- ]?up))?(?:\s+(?:for me|for you|here|please|as well|too))?\W*$"
    )
}

/// A clause made of courtesy from its start: greetings, thanks,
/// congratulations, acknowledgements ("Got it, that's helpful").
pub fn courtesy() -> &'static Regex {
    regex!(
        r"(?i)^\W*(?:(?:and|so|okay|ok|well|yes|yeah|hey|hi|hello|again|all right|alright|great|perfect|excellent|wonderful|fantastic|terrific|awesome|very good|good|nice|oh)\b[\s,.!-]*)*(?:good (?:morning|afternoon|evening|day)|hi|hello|hey|thanks?|thank you|congrat\w*|(?:and\s+)?(?:my\s+)?(?:congrat\w*|compliments)|(?:a\s+)?(?:great|nice|good|solid|strong|terrific|impressive|fantastic|excellent|wonderful|congrats on the|congratulations on the)\s+(?:quarter|results?|job|execution|print|numbers|progress|year|start|work|performance|update|color|colour|answer|quarter and year)|(?:i\s+)?appreciate|got it|understood|that's (?:very |really |super |extremely )?(?:helpful|great|clear|useful|fair|good)|(?:very|really|super) helpful|helpful|makes sense|fair enough|okay|ok|perfect|great|excellent|sure|all right|alright|that's it|that's all|i'll (?:pass it on|get back in|jump back|hop back|step back|go back|requeue|leave it)|i will (?:pass|leave|jump|hop)|(?:best of luck|good luck)|welcome|yes|yeah|no|right)\b"
    )
}

/// Courtesy anywhere in a short clause: "... and congrats on a great year".
pub fn courtesy_within() -> &'static Regex {
    regex!(
        r"(?i)\b(?:congrat\w*|thanks?|thank you|appreciate\w*|(?:great|nice|good|solid|strong|terrific|impressive|fantastic|excellent|wonderful)\s+(?:quarter|results?|job|execution|print|numbers|progress|year|start|work|performance)|well deserved|helpful|good luck|best of luck|happy (?:holidays?|thanksgiving|new year)|how are you|can you hear me|(?:this is|it's) (?:\w+ ){1,3}(?:on|in) for|i'll (?:pass|let|leave|get back|jump|hop|step|go back|requeue|turn it|hand it|yield|follow up (?:offline|later)|take the rest)|encouraging|(?:great|good) to hear|(?:great|good) (?:color|colour|detail)|makes (?:a lot of |total |perfect |good )?sense|for (?:all )?(?:the|your) (?:color|colour|time|answers?|help|detail|details|insight)|have a (?:great|good|nice)|well done|sounds good|go ahead|i got it|(?:fantastic|great|good) outcome|that's fair|fair enough|got it|understood)\b"
    )
}

/// Checking the line or the executives: "Can you hear me?", "How are you doing today?"
pub fn small_talk() -> &'static Regex {
    regex!(
        r"(?i)(?:(?:can|do|could) you (?:all |guys |both )?hear me(?: now| okay| ok| all right)?|how are you(?: doing)?(?: today)?)\W*$"
    )
}

/// Thanks for the chance to ask, which asks nothing: "taking my question".
pub fn polite_thanks() -> &'static Regex {
    regex!(r"(?i)taking (?:my|our|the) questions?|for the question|the follow-up|squeezing me in")
}

/// Who a greeting is for besides names: "Hi, Jane and team."
pub const ADDRESSEES: &[&str] = &[
    "guys",
    "everyone",
    "everybody",
    "all",
    "team",
    "folks",
    "gentlemen",
    "ladies",
    "and",
    "both",
    "again",
];

/// Capitalised words that open sentences, not names.
pub const SENTENCE_OPENERS: &[&str] = &[
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(re: &Regex, cases: &[(&str, bool)]) {
        for (text, want) in cases {
            assert_eq!(re.is_match(text), *want, "{text}");
        }
    }

    #[test]
    fn requests() {
        check(
            request(),
            &[
                ("Can you talk about pricing", true),
                ("I was wondering about the capex plan", true),
                ("Any color on the margin", true),
                ("Congrats on the quarter", false),
                ("Revenue grew ten percent", false),
            ],
        );
    }

    #[test]
    fn new_questions() {
        check(
            second_question(),
            &[
                ("And second, what about margins?", true),
                ("My second question is on capex.", true),
                ("So then, secondly, pricing.", true),
                ("And then on pricing?", false),
            ],
        );
        check(
            next_question(),
            &[
                ("And then on pricing?", true),
                ("My follow-up is on capex.", true),
                ("If I could squeeze in one more.", true),
                ("On the margin, where does it go?", true),
                ("What drove the margin?", false),
            ],
        );
        check(
            to_another(),
            &[
                ("And Amy, on capex?", true),
                ("Then maybe for Tom Lee, one more.", true),
                ("And then, on capex?", false),
            ],
        );
    }

    #[test]
    fn announcements_ask_nothing() {
        check(
            announcement(),
            &[
                ("And then a follow-up.", true),
                ("Two questions.", true),
                ("I have a quick follow-up for me.", true),
                ("A follow-up on the capex plan.", false),
            ],
        );
    }

    #[test]
    fn courtesy_and_small_talk() {
        check(
            courtesy(),
            &[
                ("Hi, good morning", true),
                ("Congrats on the quarter", true),
                ("Got it, that's helpful", true),
                ("Great quarter", true),
                ("Pricing rose", false),
            ],
        );
        check(
            courtesy_within(),
            &[
                ("and congrats on a great year", true),
                ("this is Jo on for Ann", true),
                ("pricing rose", false),
            ],
        );
        check(
            small_talk(),
            &[
                ("Can you hear me okay?", true),
                ("Hi, how are you doing today?", true),
                ("How are you thinking about capex?", false),
            ],
        );
        check(
            polite_thanks(),
            &[
                ("thanks for taking my questions", true),
                ("squeezing me in", true),
                ("thanks", false),
            ],
        );
    }
}
