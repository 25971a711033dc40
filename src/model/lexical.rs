//! The head's lexical input: TF-IDF over lower-cased word unigrams and
//! bigrams, and over character 3- to 5-grams within words. Sentence
//! embeddings blur the few words that decide a label ("margin", "capex",
//! "data center"); the words themselves restore them, and the character
//! grams tie together the forms of one word ("monetize", "monetization")
//! that a corpus of a few thousand questions holds too rarely to learn
//! one by one.
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
/// A word term must occur in this many training questions: rarer ones are
/// mostly names and typos that only fit noise.
pub const MIN_DF: usize = 2;
/// The same for character grams, which recur more by chance.
pub const MIN_DF_CHARS: usize = 3;
/// The most frequent terms kept of each kind, to bound the head's size.
pub const MAX_TERMS: usize = 20_000;
/// Marks character grams, which `normalize`'s words never contain.
const CHAR: &str = "c:";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vocabulary {
    terms: Vec<String>,
    idf: Vec<f32>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

/// Unigrams and bigrams of `question::normalize`'s words, so the head sees
/// the same words the question ids are built on, then the character grams
/// of each word padded with a space on both sides (a word shorter than a
/// gram counts once, whole), as scikit-learn's `char_wb` analyzer does.
fn ngrams(text: &str) -> Vec<String> {
    let norm = normalize(text);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    let bigrams = words.windows(2).map(|p| format!("{} {}", p[0], p[1]));
    let mut terms: Vec<String> = words.iter().map(|w| (*w).to_owned()).chain(bigrams).collect();
    for w in &words {
        let padded: Vec<char> = format!(" {w} ").chars().collect();
        for n in 3..=5 {
            if padded.len() <= n {
                terms.push(format!("{CHAR}{}", padded.iter().collect::<String>()));
                break;
            }
            terms.extend(padded.windows(n).map(|g| format!("{CHAR}{}", g.iter().collect::<String>())));
        }
    }
    terms
}

fn is_char_gram(term: &str) -> bool {
    term.starts_with(CHAR)
}

impl Vocabulary {
    /// Of each kind, words and character grams, the terms in at least
    /// `MIN_DF` (`MIN_DF_CHARS`) of `texts`, the `MAX_TERMS` most frequent
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
        let (chars, words): (Vec<_>, Vec<_>) = df.into_iter().partition(|(t, _)| is_char_gram(t));
        let top = |terms: Vec<(String, usize)>, min_df: usize| {
            let mut kept: Vec<(String, usize)> = terms.into_iter().filter(|&(_, d)| d >= min_df).collect();
            kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(MAX_TERMS);
            kept
        };
        let mut kept = top(words, MIN_DF);
        kept.extend(top(chars, MIN_DF_CHARS));
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

    /// The TF-IDF vector of `text` as (term, value) pairs, the terms in
    /// column order; sublinear term frequency (`1 + ln tf`) so a repeated
    /// word does not dominate. The word part and the character part are
    /// each L2-normalised, so the far more numerous character grams do not
    /// drown the words.
    pub fn vector(&self, text: &str) -> Vec<(usize, f32)> {
        let mut tf: BTreeMap<usize, f32> = BTreeMap::new();
        for t in ngrams(text) {
            if let Some(&i) = self.index.get(&t) {
                *tf.entry(i).or_default() += 1.0;
            }
        }
        let mut v: Vec<(usize, f32)> = tf.into_iter().map(|(i, f)| (i, (1.0 + f.ln()) * self.idf[i])).collect();
        for chars in [false, true] {
            let part = |i: usize| is_char_gram(&self.terms[i]) == chars;
            let norm = v.iter().filter(|(i, _)| part(*i)).map(|(_, x)| x * x).sum::<f32>().sqrt();
            v.iter_mut().filter(|(i, _)| part(*i)).for_each(|(_, x)| *x /= norm);
        }
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
        let words: Vec<&String> = vocab.terms.iter().filter(|t| !is_char_gram(t)).collect();
        assert_eq!(words, ["margin", "next", "next year", "year"]);
        let v = vocab.vector("Margin margin MARGIN and next year");
        assert_eq!(v.iter().filter(|(i, _)| !is_char_gram(&vocab.terms[*i])).count(), 4);
        // No character gram is in all three questions: the words alone, unit norm.
        assert!((v.iter().map(|(_, x)| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(vocab.vector("nothing known").is_empty());
        let dir = tempfile::tempdir().unwrap();
        vocab.save(dir.path()).unwrap();
        assert_eq!(Vocabulary::load(dir.path()).unwrap().vector("next year"), vocab.vector("next year"));
        }

    #[test]
    fn character_grams_stay_within_words_as_char_wb_does() {
        let grams: Vec<String> = ngrams("AI capex").into_iter().filter(|t| is_char_gram(t)).collect();
        let expect = [" ai", "ai ", " ai ", " ca", "cap", "ape", "pex", "ex ", " cap", "cape", "apex", "pex ", " cape", "capex", "apex "];
        assert_eq!(grams, expect.map(|g| format!("{CHAR}{g}")));
        // Three questions share "monetiz": the grams link the word forms.
        let vocab = Vocabulary::fit(&["monetize it", "monetization of it", "monetizing"]);
        assert!(vocab.terms.contains(&format!("{CHAR}etiz")));
        // Words and character grams are each of unit norm.
        let v = vocab.vector("monetize it");
        let norm = |chars: bool| v.iter().filter(|(i, _)| is_char_gram(&vocab.terms[*i]) == chars).map(|(_, x)| x * x).sum::<f32>();
        assert!((norm(false) - 1.0).abs() < 1e-5 && (norm(true) - 1.0).abs() < 1e-5);
    }
}
