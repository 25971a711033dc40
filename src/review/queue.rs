//! What is reviewed, and in which order.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::aggregate::{Counted, Labeled, Summary};
use crate::labels::{Label, Probs};
use crate::pipeline::{CellRef, ModelOutputs};
use crate::quarter::Quarter;
use crate::question::Question;

/// One question to review, with what the model made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub question: Question,
    pub probs: Probs,
    /// The model's label: `classify`'s where it gave one, else the most probable.
    pub model: Label,
    /// The report cell the question is counted in: canonical ticker and quarter.
    pub cell: (String, Quarter),
}

impl Item {
    /// How close the model's top two labels are: 0 is a toss-up.
    pub fn margin(&self) -> f32 {
        let mut p = self.probs.as_array();
        p.sort_by(|a, b| b.total_cmp(a));
        p[0] - p[1]
    }
}

/// The order questions are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Closest top-two probabilities first: an hour fixes the most errors.
    #[default]
    Uncertain,
    /// Call by call, question by question, as the report lists them.
    Call,
    /// Shuffled by a seed: an audit sample whose result can be quoted.
    Random { seed: u64 },
}

/// The counted questions of `summary` (those of one cell if `cell` is
/// given; of one counted label if `only` is), each with the model's output,
/// in the report's call order.
pub fn items(summary: &Summary, cell: Option<&CellRef>, only: Option<Label>, model: &ModelOutputs) -> Vec<Item> {
    let counted: Vec<(&Counted, &Labeled)> = match cell {
        Some(c) => summary.questions_in(&c.ticker, c.quarter, c.label),
        None => summary
            .calls
            .iter()
            .flat_map(|c| c.call.questions.iter().map(move |l| (c, l)))
            .collect(),
    };
    counted
        .into_iter()
        .filter(|(_, l)| only.is_none_or(|want| l.label == want))
        .map(|(c, l)| {
            let (label, probs) = model
                .get(&l.question)
                .expect("the model's output for every counted question");
            Item {
                question: l.question.clone(),
                probs,
                model: label,
                cell: (c.ticker.clone(), c.quarter),
            }
        })
        .collect()
}

/// `items` in `order`; ties keep the call order, so a queue is the same on
/// every run over the same input (what resuming relies on).
pub fn order(mut items: Vec<Item>, order: Order) -> Vec<Item> {
    match order {
        Order::Uncertain => items.sort_by(|a, b| a.margin().total_cmp(&b.margin())),
        Order::Call => {}
        Order::Random { seed } => items.shuffle(&mut ChaCha8Rng::seed_from_u64(seed)),
    }
    items
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn item(n: usize, probs: [f32; 3]) -> Item {
        let probs = Probs::from_array(probs);
        Item {
            question: Question {
                id: format!("q{n}"),
                ..crate::question::fixture("ACME", "FY2025 Q4", &format!("Question {n}?"), "acme.txt")
            },
            model: probs.argmax(),
            probs,
            cell: ("ACME".into(), "2025Q4".parse().unwrap()),
        }
    }

    fn ids(items: &[Item]) -> Vec<&str> {
        items.iter().map(|i| i.question.id.as_str()).collect()
    }

    #[test]
    fn uncertain_first_then_call_order_and_a_seed_repeats_its_sample() {
        let all = vec![
            item(0, [0.9, 0.05, 0.05]),
            item(1, [0.4, 0.35, 0.25]),
            item(2, [0.1, 0.45, 0.45]),
            item(3, [0.4, 0.35, 0.25]),
        ];
        assert_eq!(ids(&order(all.clone(), Order::Uncertain)), ["q2", "q1", "q3", "q0"]);
        assert_eq!(ids(&order(all.clone(), Order::Call)), ["q0", "q1", "q2", "q3"]);
        let a = order(all.clone(), Order::Random { seed: 7 });
        assert_eq!(ids(&a), ids(&order(all.clone(), Order::Random { seed: 7 })));
        let many: Vec<Item> = (0..20).map(|n| item(n, [0.5, 0.3, 0.2])).collect();
        assert_ne!(
            ids(&order(many.clone(), Order::Random { seed: 1 })),
            ids(&order(many, Order::Random { seed: 2 }))
        );
    }
}
