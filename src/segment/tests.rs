//! Segmentation end to end on small calls written for the purpose.

use super::*;
use crate::call::{fixture as call, said as turn, Participant};

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
