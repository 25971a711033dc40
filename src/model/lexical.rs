//! The head's lexical input: TF-IDF over lower-cased word unigrams and
//! bigrams. Sentence embeddings blur the few words that decide a label
//! ("margin", "capex", "data center"); the words themselves restore them.
//!
//! Fitted on the training questions only (cross-validation refits it per
//! fold), stored as `models/<name>/vocab.json`: the terms, in column order,
//! and their IDF weights.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::question::normalize;

pub const FILE: &str = "vocab.json";
/// A term must occur in this many training questions: rarer ones are
/// mostly names and typos that only fit noise.
pub const MIN_DF: usize = 2;
/// The most frequent terms kept, to bound the head's size.
pub const MAX_TERMS: usize = 20_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vocabulary {
    terms: Vec<String>,
    idf: Vec<f32>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

/// Unigrams and bigrams of `question::normalize`'s words, so the head sees
/// the same words the question ids are built on.
fn ngrams(text: &str) -> Vec<String> {
    let norm = normalize(text);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    let bigrams = words.windows(2).map(|p| format!("{} {}", p[0], p[1]));
    words.iter().map(|w| (*w).to_owned()).chain(bigrams).collect()
}

impl Vocabulary {
    /// Terms in at least `MIN_DF` of `texts`, the `MAX_TERMS` most frequent
    /// (ties by term, so fitting is deterministic), with smoothed IDF
    /// `ln((1 + n) / (1 + df)) + 1`.
    pub fn fit(texts: &[&str]) -> Vocabulary {
        let mut df: HashMap<String, usize> = HashMap::new();
        for text in texts {
            let mut seen = ngrams(text);
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *df.entry(t).or_default() += 1;
            }
        }
        let mut kept: Vec<(String, usize)> = df.into_iter().filter(|&(_, d)| d >= MIN_DF).collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(MAX_TERMS);
        let n = texts.len() as f32;
        let idf = kept.iter().map(|&(_, d)| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0).collect();
        Vocabulary::new(kept.into_iter().map(|(t, _)| t).collect(), idf)
    }

    fn new(terms: Vec<String>, idf: Vec<f32>) -> Vocabulary {
        let index = terms.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
        Vocabulary { terms, idf, index }
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The L2-normalised TF-IDF vector of `text` as (term, value) pairs,
    /// the terms in column order; sublinear term frequency (`1 + ln tf`)
    /// so a repeated word does not dominate.
    pub fn vector(&self, text: &str) -> Vec<(usize, f32)> {
        let mut tf: BTreeMap<usize, f32> = BTreeMap::new();
        for t in ngrams(text) {
            if let Some(&i) = self.index.get(&t) {
                *tf.entry(i).or_default() += 1.0;
            }
        }
        let mut v: Vec<(usize, f32)> = tf.into_iter().map(|(i, f)| (i, (1.0 + f.ln()) * self.idf[i])).collect();
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|(_, x)| *x /= norm);
        v
    }

    /// Reads `vocab.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Vocabulary, ModelError> {
        let path = dir.join(FILE);
        let bad = |message: String| ModelError::BadHead { path: path.clone(), message };
        let text = std::fs::read_to_string(&path).map_err(ModelError::io(&path))?;
        let v: Vocabulary = serde_json::from_str(&text).map_err(|e| bad(format!("not a vocabulary: {e}")))?;
        if v.terms.len() != v.idf.len() {
            return Err(bad(format!("{} terms but {} IDF weights", v.terms.len(), v.idf.len())));
        }
        let vocab = Vocabulary::new(v.terms, v.idf);
        if vocab.index.len() != vocab.len() {
            return Err(bad("a term is listed twice".into()));
        }
        Ok(vocab)
    }

    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        let path = dir.join(FILE);
        let json = serde_json::to_string(self).expect("a vocabulary serialises");
        std::fs::write(&path, json).map_err(ModelError::io(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_terms_in_two_questions_and_weighs_rare_ones_more() {
        let vocab = Vocabulary::fit(&["Gross margin, please?", "Operating margin next year", "Capex next year"]);
        let mut kept = vocab.terms.clone();
        kept.sort();
        assert_eq!(kept, ["margin", "next", "next year", "year"]);
        let v = vocab.vector("Margin margin MARGIN and next year");
        assert_eq!(v.len(), 4);
        assert!((v.iter().map(|(_, x)| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(vocab.vector("nothing known").is_empty());
        let dir = tempfile::tempdir().unwrap();
        vocab.save(dir.path()).unwrap();
        assert_eq!(Vocabulary::load(dir.path()).unwrap().vector("next year"), vocab.vector("next year"));
    }
}
