//! How good a head is: per-class precision, recall and F1, macro-F1,
//! accuracy and the confusion matrix, from true and predicted labels.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::labels::Label;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub label: Label,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Questions whose true label this is.
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub questions: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]`, in `Label::ALL` order.
    pub confusion: Vec<Vec<usize>>,
}

impl Metrics {
    pub fn new(truth: &[Label], predicted: &[Label]) -> Metrics {
        let k = Label::ALL.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (t, p) in truth.iter().zip(predicted) {
            confusion[t.index()][p.index()] += 1;
        }
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let per_class: Vec<ClassMetrics> = Label::ALL
            .iter()
            .map(|&label| {
                let i = label.index();
                let hit = confusion[i][i];
                let support: usize = confusion[i].iter().sum();
                let predicted: usize = confusion.iter().map(|row| row[i]).sum();
                let (precision, recall) = (ratio(hit, predicted), ratio(hit, support));
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassMetrics {
                    label,
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let correct: usize = (0..k).map(|i| confusion[i][i]).sum();
        Metrics {
            questions: truth.len(),
            accuracy: ratio(correct, truth.len()),
            macro_f1: per_class.iter().map(|c| c.f1).sum::<f64>() / k as f64,
            per_class,
            confusion,
        }
    }

    /// Cohen's kappa: agreement beyond what the two sides' label
    /// frequencies give by chance.
    pub fn kappa(&self) -> f64 {
        let n = self.questions as f64;
        if n == 0.0 {
            return 0.0;
        }
        let k = self.confusion.len();
        let observed = (0..k).map(|i| self.confusion[i][i]).sum::<usize>() as f64 / n;
        let chance: f64 = (0..k)
            .map(|i| {
                let row: usize = self.confusion[i].iter().sum();
                let col: usize = self.confusion.iter().map(|r| r[i]).sum();
                row as f64 * col as f64 / (n * n)
            })
            .sum();
        if chance == 1.0 {
            1.0
        } else {
            (observed - chance) / (1.0 - chance)
        }
    }

    /// Per-class table and confusion matrix as Markdown (also readable as
    /// plain text on a terminal).
    pub fn markdown(&self) -> String {
        self.markdown_as("true label", "predicted")
    }

    /// The same, naming the two sides compared (rows, then columns): two
    /// annotators rather than the truth and a model.
    pub fn markdown_as(&self, rows: &str, columns: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} questions: macro-F1 {:.3}, accuracy {:.3}\n",
            self.questions, self.macro_f1, self.accuracy
        );
        let _ = writeln!(
            s,
            "| label | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|"
        );
        for c in &self.per_class {
            let _ = writeln!(
                s,
                "| {} | {:.3} | {:.3} | {:.3} | {} |",
                c.label, c.precision, c.recall, c.f1, c.support
            );
        }
        let names: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
        let _ = writeln!(s, "\nConfusion matrix (rows: {rows}, columns: {columns}):\n");
        let _ = writeln!(
            s,
            "| {rows} \\ {columns} | {} |\n|---|{}",
            names.join(" | "),
            "---:|".repeat(names.len())
        );
        for (name, row) in names.iter().zip(&self.confusion) {
            let cells: Vec<String> = row.iter().map(usize::to_string).collect();
            let _ = writeln!(s, "| {name} | {} |", cells.join(" | "));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn metrics_match_a_hand_count() {
        let truth = [Profitability, Profitability, Investment, Other, Other, Other];
        let pred = [Profitability, Other, Investment, Other, Other, Investment];
        let m = Metrics::new(&truth, &pred);
        assert_eq!(m.confusion, vec![vec![1, 0, 1], vec![0, 1, 0], vec![0, 1, 2]]);
        assert!((m.accuracy - 4.0 / 6.0).abs() < 1e-12);
        // profitability: p 1/1, r 1/2; investment: p 1/2, r 1; other: p 2/3, r 2/3
        let f1 = [2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0];
        for (c, f) in m.per_class.iter().zip(f1) {
            assert!((c.f1 - f).abs() < 1e-12, "{c:?}");
        }
        assert!((m.macro_f1 - 2.0 / 3.0).abs() < 1e-12);
        // observed 4/6; chance (2*1 + 1*2 + 3*3) / 36 = 13/36
        assert!((m.kappa() - (4.0 / 6.0 - 13.0 / 36.0) / (1.0 - 13.0 / 36.0)).abs() < 1e-12);
    }
}
