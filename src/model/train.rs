//! Labeled questions to a head and to honest figures about it:
//! cross-validation grouped by call (a call's questions share wording and
//! topics, so splitting a call across folds would flatter the model) and
//! a leave-companies-out split.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::card::{DataSummary, Evaluation};
use super::finetune::{Delta, Tuner};
use super::head::{Head, Input, TrainOptions};
use super::metrics::Metrics;
use super::{Embedder, ModelError};
use crate::labels::{Label, Probs};
use crate::question::Question;

/// Every question's embedding for one head, and the delta it came from.
type Embeddings<'a> = (Cow<'a, [Vec<f32>]>, Option<Delta>);

/// Labeled questions and how they are encoded, index for index.
pub struct Dataset {
    pub questions: Vec<Question>,
    pub labels: Vec<Label>,
    encoding: Encoding,
}

/// Where each head's embeddings come from.
enum Encoding {
    /// The frozen encoder's, computed once for every head.
    Frozen(Vec<Vec<f32>>),
    /// An encoder fine-tuned on that head's training questions (so a test
    /// fold's questions never reach the encoder's training). No head reads
    /// the frozen embeddings, so they are not computed (on a cold cache,
    /// 40 minutes or more of MPNet).
    Tuned(Box<Tuner>),
}

/// The call a question belongs to: the identity its id is built on
/// (ticker and fiscal period), so copies of one call from different
/// sources are one group; the file when the period is unknown.
pub fn call_key(q: &Question) -> String {
    match q.call.fiscal_period {
        None => q.source.clone(),
        Some(f) => format!("{}|{f}", q.call.ticker),
    }
}

impl Dataset {
    pub fn new(labeled: Vec<(Question, Label)>, embedder: &Embedder) -> Result<Dataset, ModelError> {
        let (questions, labels): (Vec<Question>, Vec<Label>) = labeled.into_iter().unzip();
        let texts: Vec<&str> = questions.iter().map(|q| q.text.as_str()).collect();
        let embeddings = embedder.embed(&texts)?;
        Ok(Dataset {
            questions,
            labels,
            encoding: Encoding::Frozen(embeddings),
        })
    }

    /// Every head is fitted over an encoder fine-tuned by `tuner`, which
    /// has run its frozen layers over `labeled`'s texts in this order.
    pub fn tuned(labeled: Vec<(Question, Label)>, tuner: Tuner) -> Dataset {
        let (questions, labels) = labeled.into_iter().unzip();
        Dataset {
            questions,
            labels,
            encoding: Encoding::Tuned(Box::new(tuner)),
        }
    }

    pub fn tuner(&self) -> Option<&Tuner> {
        match &self.encoding {
            Encoding::Frozen(_) => None,
            Encoding::Tuned(tuner) => Some(tuner),
        }
    }

    /// The embeddings' dimension.
    pub fn dim(&self) -> usize {
        match &self.encoding {
            Encoding::Frozen(e) => e.first().map_or(0, Vec::len),
            Encoding::Tuned(tuner) => tuner.dim(),
        }
    }

    /// Fine-tuning checkpoints are for an interrupted run; a finished one
    /// drops them.
    pub fn remove_checkpoints(&self) {
        if let Some(tuner) = self.tuner() {
            tuner.remove_checkpoints();
        }
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn summary(&self, labels_source: &str) -> DataSummary {
        let mut per_label = vec![0; Label::ALL.len()];
        for l in &self.labels {
            per_label[l.index()] += 1;
        }
        let dates: Vec<_> = self.questions.iter().filter_map(|q| q.call.call_date).collect();
        let mut pairs: Vec<String> = self
            .questions
            .iter()
            .zip(&self.labels)
            .map(|(q, l)| format!("{} {}\n", q.id, l.name()))
            .collect();
        pairs.sort();
        DataSummary {
            questions: self.len(),
            per_label,
            calls: self.questions.iter().map(call_key).collect::<BTreeSet<_>>().len(),
            companies: self
                .questions
                .iter()
                .map(|q| q.call.ticker.as_str())
                .collect::<BTreeSet<_>>()
                .len(),
            first_call: dates.iter().min().copied(),
            last_call: dates.iter().max().copied(),
            labels_source: labels_source.to_owned(),
            labels_sha256: Some(hex::encode(Sha256::digest(pairs.concat()))),
        }
    }

    /// The head over all the questions and, with a tuner, the encoder
    /// delta it was fitted over.
    pub fn train(&self, opts: &TrainOptions) -> Result<(Head, Option<Delta>), ModelError> {
        let all: Vec<usize> = (0..self.len()).collect();
        let (embeddings, delta) = self.embeddings_for(&all)?;
        let (inputs, x, y) = self.rows(&all, &embeddings);
        Ok((Head::train(&inputs, &x, &y, opts)?, delta))
    }

    /// Every question's embedding for a head trained on `train`: the
    /// frozen encoder's, or one fine-tuned on `train` (and its delta).
    fn embeddings_for(&self, train: &[usize]) -> Result<Embeddings<'_>, ModelError> {
        match &self.encoding {
            Encoding::Frozen(embeddings) => Ok((Cow::Borrowed(embeddings), None)),
            Encoding::Tuned(tuner) => {
                let delta = tuner.tune(train, &self.labels)?;
                Ok((Cow::Owned(tuner.embed(&delta)?), Some(delta)))
            }
        }
    }

    /// Head inputs, embeddings and labels of the examples `idx`.
    fn rows(&self, idx: &[usize], embeddings: &[Vec<f32>]) -> (Vec<Input<'_>>, Vec<Vec<f32>>, Vec<Label>) {
        let inputs = idx.iter().map(|&i| Input::from(&self.questions[i])).collect();
        let x = idx.iter().map(|&i| embeddings[i].clone()).collect();
        (inputs, x, idx.iter().map(|&i| self.labels[i]).collect())
    }

    /// `k`-fold cross-validation with every call's questions in one fold;
    /// the metrics pool the predictions of all folds. Also each question's
    /// probabilities from the fold that did not train on it (to calibrate).
    pub fn cross_validate(&self, k: usize, opts: &TrainOptions) -> Result<(Evaluation, Vec<Probs>), ModelError> {
        let groups: Vec<String> = self.questions.iter().map(call_key).collect();
        let distinct = groups.iter().collect::<BTreeSet<_>>().len();
        if k < 2 || distinct < k {
            return Err(ModelError::Train(format!(
                "{k}-fold cross-validation needs k >= 2 and at least k calls; the labels cover {distinct}"
            )));
        }
        let probs = self.out_of_fold(&groups, k, opts)?;
        let predicted: Vec<Label> = probs.iter().map(Probs::argmax).collect();
        let evaluation = Evaluation {
            method: format!("{k}-fold cross-validation grouped by call ({distinct} calls; no call in both a training and a test fold)"),
            metrics: Metrics::new(&self.labels, &predicted),
        };
        Ok((evaluation, probs))
    }

    /// Each question's probabilities from a head trained on the other
    /// folds, with the questions of a group (`groups`, index for index)
    /// always in one fold.
    pub(super) fn out_of_fold(
        &self,
        groups: &[String],
        k: usize,
        opts: &TrainOptions,
    ) -> Result<Vec<Probs>, ModelError> {
        let folds = grouped_folds(groups, k);
        let mut probs = vec![Probs::from_array([0.0; 3]); self.len()];
        for f in 0..k {
            let test: Vec<usize> = (0..self.len()).filter(|&i| folds[i] == f).collect();
            for (i, p) in test.iter().zip(self.fit_predict(|i| folds[i] != f, &test, opts)?) {
                probs[*i] = p;
            }
        }
        Ok(probs)
    }

    /// Trains on every company but `tickers`, tests on those; also each
    /// tested question's index and probabilities.
    pub fn holdout_companies(
        &self,
        tickers: &[String],
        opts: &TrainOptions,
    ) -> Result<(Evaluation, Vec<(usize, Probs)>), ModelError> {
        let held = |i: usize| {
            tickers
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&self.questions[i].call.ticker))
        };
        let test: Vec<usize> = (0..self.len()).filter(|&i| held(i)).collect();
        if test.is_empty() || test.len() == self.len() {
            return Err(ModelError::Train(format!(
                "holding out {} leaves {} test and {} training questions; both must be non-empty",
                tickers.join(","),
                test.len(),
                self.len() - test.len()
            )));
        }
        let probs = self.fit_predict(|i| !held(i), &test, opts)?;
        let pred: Vec<Label> = probs.iter().map(Probs::argmax).collect();
        let truth: Vec<Label> = test.iter().map(|&i| self.labels[i]).collect();
        let evaluation = Evaluation {
            method: format!(
                "trained without {}, tested on their {} questions",
                tickers.join(", "),
                test.len()
            ),
            metrics: Metrics::new(&truth, &pred),
        };
        Ok((evaluation, test.into_iter().zip(probs).collect()))
    }

    /// Trains on the examples `train_on` selects (the vocabulary too, so
    /// no test word leaks into training) and gives the probabilities of
    /// each of `test`, in order.
    fn fit_predict(
        &self,
        train_on: impl Fn(usize) -> bool,
        test: &[usize],
        opts: &TrainOptions,
    ) -> Result<Vec<Probs>, ModelError> {
        let train: Vec<usize> = (0..self.len()).filter(|&i| train_on(i)).collect();
        let (embeddings, _) = self.embeddings_for(&train)?;
        let (inputs, x, y) = self.rows(&train, &embeddings);
        let head = Head::train(&inputs, &x, &y, opts)?;
        let (inputs, xt, _) = self.rows(test, &embeddings);
        head.probs(&inputs, &xt)
    }
}

/// A fold (0..k) per item such that items of one group share a fold and
/// folds are about the same size: groups, largest first (ties broken by a
/// hash of the name, so the split is reproducible but not alphabetical),
/// each go to the fold with the fewest items so far.
pub fn grouped_folds(groups: &[String], k: usize) -> Vec<usize> {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups {
        *sizes.entry(g.as_str()).or_default() += 1;
    }
    let mut order: Vec<(&str, usize)> = sizes.into_iter().collect();
    order.sort_by_key(|&(g, n)| (std::cmp::Reverse(n), Sha256::digest(g.as_bytes())));
    let mut fill = vec![0usize; k];
    let mut fold_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (g, n) in order {
        let f = (0..k).min_by_key(|&f| fill[f]).expect("k >= 1");
        fill[f] += n;
        fold_of.insert(g, f);
    }
    groups.iter().map(|g| fold_of[g.as_str()]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_keep_groups_together_and_balance_sizes() {
        let groups: Vec<String> = (0..100).map(|i| format!("call{}", i % 17)).collect();
        let folds = grouped_folds(&groups, 5);
        for (g, f) in groups.iter().zip(&folds) {
            assert!(groups.iter().zip(&folds).all(|(h, e)| h != g || e == f));
        }
        let mut sizes = [0; 5];
        for &f in &folds {
            sizes[f] += 1;
        }
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 6,
            "{sizes:?}"
        );
        assert_eq!(folds, grouped_folds(&groups, 5));
    }
}
