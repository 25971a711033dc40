//! The model card kept beside each head: what it predicts, what it was
//! trained on, how well it did under cross-validation. `card.json` for
//! machines, `card.md` for people; both written from the same struct.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calibration::Calibration;
use super::head::TrainOptions;
use super::metrics::Metrics;
use super::quantify::SharesEval;
use super::ModelError;
use crate::estimate::HeadRates;
use crate::labels::{Journal, Label};

pub const JSON: &str = "card.json";
pub const MARKDOWN: &str = "card.md";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub name: String,
    /// Output order of the head.
    pub labels: Vec<String>,
    pub encoder: EncoderInfo,
    pub head: String,
    pub training: TrainOptions,
    pub data: DataSummary,
    /// Cross-validation grouped by call.
    pub cross_validation: Option<Evaluation>,
    /// Trained on every company but some, tested on those (`eval
    /// --holdout-companies --card`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_companies_out: Option<Evaluation>,
    /// How well each share estimate recovers labelled shares out of
    /// company (`eval --shares --card`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<SharesEval>,
    /// The temperature `classify` applies, fitted on the cross-validated
    /// outputs; none for a head trained without folds.
    #[serde(default)]
    pub calibration: Option<Calibration>,
    /// The confusion and mean probabilities of the calibrated
    /// cross-validated outputs: what `report --estimate acc|em` adjusts by.
    #[serde(default)]
    pub rates: Option<HeadRates>,
    /// The annotators' agreement on the training labels: the ceiling a
    /// head can be judged against.
    #[serde(default)]
    pub agreement: Option<Agreement>,
    /// What was tried and measured to build this head (Markdown).
    #[serde(default)]
    pub notes: Option<String>,
    pub created: DateTime<Utc>,
}

/// Agreement between annotators on the questions two of them labeled
/// independently: one annotator scored against the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub kappa: f64,
    pub metrics: Metrics,
}

impl Agreement {
    /// From every pair of independent decisions in the journal; `None`
    /// when no question was labeled twice.
    pub fn of(journal: &Journal) -> Option<Agreement> {
        Agreement::of_pairs(journal.independent_pairs())
    }

    /// One rater's labels (rows) against another's (columns), a pair per
    /// question both labeled; `None` for no pair.
    pub fn of_pairs(pairs: Vec<(Label, Label)>) -> Option<Agreement> {
        if pairs.is_empty() {
            return None;
        }
        let (a, b): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
        let metrics = Metrics::new(&a, &b);
        Some(Agreement {
            kappa: metrics.kappa(),
            metrics,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncoderInfo {
    pub name: String,
    pub sha256: String,
    pub dim: usize,
    pub max_tokens: usize,
    /// Layers fine-tuned for this head, shipped beside it as a delta over
    /// the pinned weights (`finetune::DELTA_FILE`); none for a frozen encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_tune: Option<FineTuneInfo>,
}

/// "1 layer", "2 layers".
fn plural(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuneInfo {
    pub options: super::finetune::Options,
    /// sha256 of the delta file, checked before it is loaded.
    pub delta_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DataSummary {
    pub questions: usize,
    /// Per label, in `labels` order.
    pub per_label: Vec<usize>,
    pub calls: usize,
    pub companies: usize,
    pub first_call: Option<NaiveDate>,
    pub last_call: Option<NaiveDate>,
    /// The label files it was trained from.
    pub labels_source: String,
    /// sha256 of the sorted `id label` lines: label sets with the same
    /// counts still differ here. None on cards written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels_sha256: Option<String>,
}

/// One evaluation: how it was split, and the pooled metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub method: String,
    pub metrics: Metrics,
}

impl ModelCard {
    pub fn load(dir: &Path) -> Result<ModelCard, ModelError> {
        let path = dir.join(JSON);
        let text = std::fs::read_to_string(&path).map_err(ModelError::io(&path))?;
        serde_json::from_str(&text).map_err(|e| ModelError::BadHead {
            path,
            message: format!("not a model card: {e}"),
        })
    }

    /// Writes `card.json` and `card.md` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        let json = dir.join(JSON);
        let text = serde_json::to_string_pretty(self).expect("a card always serialises");
        std::fs::write(&json, text + "\n").map_err(ModelError::io(&json))?;
        let md = dir.join(MARKDOWN);
        std::fs::write(&md, self.markdown()).map_err(ModelError::io(&md))
    }

    /// Why an evaluation run with these settings says nothing of this
    /// card's head, if it does not: another encoder, fine-tuning, head
    /// options or labelled data.
    pub fn differs_from(
        &self,
        encoder: &str,
        fine_tune: Option<&super::finetune::Options>,
        training: &TrainOptions,
        data: &DataSummary,
    ) -> Option<String> {
        let ours = self.encoder.fine_tune.as_ref().map(|f| &f.options);
        let d = &self.data;
        if self.encoder.name != encoder {
            Some(format!(
                "its encoder is {}, this evaluation's {encoder}",
                self.encoder.name
            ))
        } else if ours != fine_tune {
            Some(format!("its fine-tuning is {ours:?}, this evaluation's {fine_tune:?}"))
        } else if &self.training != training {
            Some(format!(
                "its head options are {:?}, this evaluation's {training:?}",
                self.training
            ))
        } else if (d.questions, &d.per_label, d.calls) != (data.questions, &data.per_label, data.calls) {
            Some(format!(
                "it was trained on {} labelled questions ({:?}) of {} calls, this evaluation has {} ({:?}) of {}",
                d.questions, d.per_label, d.calls, data.questions, data.per_label, data.calls
            ))
        } else if let (Some(a), Some(b)) = (&d.labels_sha256, &data.labels_sha256) {
            (a != b).then(|| {
                "its labels differ from this evaluation's (the same counts, other questions or labels)".to_owned()
            })
        } else {
            None
        }
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let d = &self.data;
        let _ = writeln!(s, "# Model card: {}\n", self.name);
        let _ = writeln!(s, "Classifies an analyst question as {}.\n", self.labels.join(" / "));
        let _ = writeln!(
            s,
            "- Encoder: {} (sha256 `{}`), {}-d, mean pooling, L2-normalised, truncated at {} tokens",
            self.encoder.name, self.encoder.sha256, self.encoder.dim, self.encoder.max_tokens
        );
        if let Some(f) = &self.encoder.fine_tune {
            let o = &f.options;
            let _ = writeln!(
                s,
                "- Fine-tuned: the top {}, {} of AdamW (learning rate {}, classifier {}), batch {}, \
                 class balance {}, seed {}; shipped as `{}` (sha256 `{}`) over the pinned weights",
                plural(o.layers, "layer"),
                plural(o.epochs, "epoch"),
                o.learning_rate,
                o.classifier_learning_rate,
                o.batch_size,
                o.balance,
                o.seed,
                super::finetune::DELTA_FILE,
                f.delta_sha256
            );
        }
        let t = &self.training;
        let _ = writeln!(
            s,
            "- Head: {}; {} epochs of full-batch Adam, learning rate {}, L2 penalty {}, class balance {}",
            self.head, t.epochs, t.learning_rate, t.weight_decay, t.balance
        );
        let _ = writeln!(s, "- Created: {}\n", self.created.format("%Y-%m-%d %H:%M UTC"));
        let _ = writeln!(s, "## Training data\n");
        let _ = write!(
            s,
            "{} questions from {} calls of {} companies",
            d.questions, d.calls, d.companies
        );
        if let (Some(a), Some(b)) = (d.first_call, d.last_call) {
            let _ = write!(s, ", calls dated {a} to {b}");
        }
        let _ = writeln!(s, "; labels from `{}`.\n", d.labels_source);
        let _ = writeln!(s, "| label | questions |\n|---|---:|");
        for (l, n) in self.labels.iter().zip(&d.per_label) {
            let _ = writeln!(s, "| {l} | {n} |");
        }
        if let Some(cv) = &self.cross_validation {
            let _ = writeln!(s, "\n## Cross-validation\n\n{}\n\n{}", cv.method, cv.metrics.markdown());
        }
        if let Some(e) = &self.leave_companies_out {
            let _ = writeln!(s, "## Leave companies out\n\n{}\n\n{}", e.method, e.metrics.markdown());
        }
        if let Some(e) = &self.shares {
            let _ = writeln!(s, "## Share estimates out of company\n\n{}", e.markdown());
        }
        if let Some(c) = &self.calibration {
            let _ = writeln!(
                s,
                "## Calibration\n\n{}: temperature {:.3}.\n\n| | ECE | Brier | log-loss |\n|---|---:|---:|---:|",
                c.method, c.temperature
            );
            for (name, f) in [("before", c.before), ("after", c.after)] {
                let _ = writeln!(s, "| {name} | {:.4} | {:.4} | {:.4} |", f.ece, f.brier, f.nll);
            }
            let _ = writeln!(s);
        }
        if let Some(r) = &self.rates {
            let _ = writeln!(
                s,
                "## Rates for adjusted shares\n\nWhat `report --estimate acc|em` corrects by, from the calibrated \
                 cross-validated outputs: each true label's questions (rows) given each label (columns), \
                 and the mean probability.\n\n| | {} |\n|---|---:|---:|---:|",
                self.labels.join(" | ")
            );
            for (l, row) in self.labels.iter().zip(&r.confusion) {
                let _ = writeln!(s, "| {l} | {:.3} | {:.3} | {:.3} |", row[0], row[1], row[2]);
            }
            let m = r.mean_probs;
            let _ = writeln!(s, "| mean probability | {:.3} | {:.3} | {:.3} |\n", m[0], m[1], m[2]);
            let t = r.totals;
            if t.is_identity() {
                let _ = writeln!(
                    s,
                    "No class-total correction (the card predates it): `pcc` sums the calibrated probabilities.\n"
                );
            } else {
                let _ = writeln!(
                    s,
                    "What `pcc` corrects each calibrated probability by, so that their mean keeps the class totals: {t}.\n"
                );
            }
        }
        if let Some(a) = &self.agreement {
            let _ = writeln!(s, "## Annotators' agreement\n");
            let _ = writeln!(
                s,
                "Questions labeled by two annotators independently (adjudications left out), the \
                annotator first by name scored against the other: Cohen's kappa {:.3}.\n",
                a.kappa
            );
            let _ = writeln!(s, "{}", a.metrics.markdown_as("first annotator", "second annotator"));
            if let Some(cv) = &self.cross_validation {
                let _ = writeln!(
                    s,
                    "Gap: the head's cross-validated macro-F1 {:.3} is {:.3} below the annotators' {:.3}.\n",
                    cv.metrics.macro_f1,
                    a.metrics.macro_f1 - cv.metrics.macro_f1,
                    a.metrics.macro_f1
                );
            }
        }
        if let Some(notes) = &self.notes {
            let _ = writeln!(s, "## Notes\n\n{}", notes.trim_end());
        }
        s
    }
}
