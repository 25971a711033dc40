//! The head's lexical input: TF-IDF over lower-cased word unigrams and
//! bigrams, and over character 3- to 5-grams within words. Sentence
//! embeddings blur the few words that decide a label ("margin", "capex",
//! "data center"); the words themselves restore them, and the character
//! grams tie together the forms of one word ("monetize", "monetization")
//! that a corpus of a few thousand questions holds too rarely to learn
//! one by one.
//!
//! The words of the executives' reply (`Question::reply`) come as a third
//! part, at half weight: a reply often names what a terse question is
//! about ("the data center", "gross margin").
//!
//! Fitted on the training questions only (cross-validation refits it per
//! fold), stored as `models/<name>/vocab.json`: the terms, in column order,
//! and their IDF weights.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::head::Input;
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
/// Marks the reply's words.
const REPLY: &str = "r:";
/// The reply's part weighs this much against each of the question's.
const REPLY_WEIGHT: f32 = 0.5;

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
            terms.extend(
                padded
                    .windows(n)
                    .map(|g| format!("{CHAR}{}", g.iter().collect::<String>())),
            );
        }
    }
    terms
}

/// The reply's words (unigrams: bigrams of a 64-word snippet are too rare to learn).
fn reply_terms(reply: &str) -> Vec<String> {
    normalize(reply)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| format!("{REPLY}{w}"))
        .collect()
}

/// All the terms of one question: its own, then its reply's.
fn terms(input: &Input) -> Vec<String> {
    let mut t = ngrams(input.text);
    t.extend(reply_terms(input.reply));
    t
}

/// The three parts of the vector, each normalised on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Words,
    Chars,
    Reply,
}

fn part(term: &str) -> Part {
    if term.starts_with(CHAR) {
        Part::Chars
    } else if term.starts_with(REPLY) {
        Part::Reply
    } else {
        Part::Words
    }
}

impl Vocabulary {
    /// Of each kind, question words, character grams and reply words, the
    /// terms in at least `MIN_DF` (`MIN_DF_CHARS` for the two noisier
    /// kinds) of `inputs`, the `MAX_TERMS` most frequent (ties by term, so
    /// fitting is deterministic), with smoothed IDF `ln((1 + n) / (1 + df)) + 1`.
    pub fn fit(inputs: &[Input]) -> Vocabulary {
        let mut df: HashMap<String, usize> = HashMap::new();
        for input in inputs {
            let mut seen = terms(input);
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *df.entry(t).or_default() += 1;
            }
        }
        let mut kept = Vec::new();
        for (kind, min_df) in [
            (Part::Words, MIN_DF),
            (Part::Chars, MIN_DF_CHARS),
            (Part::Reply, MIN_DF_CHARS),
        ] {
            let mut top: Vec<(String, usize)> = df
                .iter()
                .filter(|&(t, &d)| part(t) == kind && d >= min_df)
                .map(|(t, &d)| (t.clone(), d))
                .collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            top.truncate(MAX_TERMS);
            kept.extend(top);
        }
        let n = inputs.len() as f32;
        let idf = kept
            .iter()
            .map(|&(_, d)| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
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

    /// The TF-IDF vector of a question as (term, value) pairs, the terms
    /// in column order; sublinear term frequency (`1 + ln tf`) so a
    /// repeated word does not dominate. The word, character and reply parts
    /// are each L2-normalised, so the far more numerous character grams do
    /// not drown the words; the reply's then weighs `REPLY_WEIGHT`.
    pub fn vector(&self, input: &Input) -> Vec<(usize, f32)> {
        let mut tf: BTreeMap<usize, f32> = BTreeMap::new();
        for t in terms(input) {
            if let Some(&i) = self.index.get(&t) {
                *tf.entry(i).or_default() += 1.0;
            }
        }
        let mut v: Vec<(usize, f32)> = tf.into_iter().map(|(i, f)| (i, (1.0 + f.ln()) * self.idf[i])).collect();
        for (kind, weight) in [(Part::Words, 1.0), (Part::Chars, 1.0), (Part::Reply, REPLY_WEIGHT)] {
            let of_kind = |i: usize| part(&self.terms[i]) == kind;
            let norm = v
                .iter()
                .filter(|(i, _)| of_kind(*i))
                .map(|(_, x)| x * x)
                .sum::<f32>()
                .sqrt();
            v.iter_mut()
                .filter(|(i, _)| of_kind(*i))
                .for_each(|(_, x)| *x *= weight / norm);
        }
        v
    }

    /// Reads `vocab.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Vocabulary, ModelError> {
        let path = dir.join(FILE);
        let bad = |message: String| ModelError::BadHead {
            path: path.clone(),
            message,
        };
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

    fn q(text: &str) -> Input<'_> {
        Input {
            text,
            reply: "",
            ai_per_1k: 0.0,
        }
    }

    fn is_char_gram(term: &str) -> bool {
        part(term) == Part::Chars
    }

    #[test]
    fn keeps_terms_in_two_questions_and_weighs_rare_ones_more() {
        let vocab = Vocabulary::fit(&[
            q("Gross margin, please?"),
            q("Operating margin next year"),
            q("Capex next year"),
        ]);
        let words: Vec<&String> = vocab.terms.iter().filter(|t| !is_char_gram(t)).collect();
        assert_eq!(words, ["margin", "next", "next year", "year"]);
        let v = vocab.vector(&q("Margin margin MARGIN and next year"));
        assert_eq!(v.iter().filter(|(i, _)| !is_char_gram(&vocab.terms[*i])).count(), 4);
        // No character gram is in all three questions: the words alone, unit norm.
        assert!((v.iter().map(|(_, x)| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(vocab.vector(&q("nothing known")).is_empty());
        let dir = tempfile::tempdir().unwrap();
        vocab.save(dir.path()).unwrap();
        assert_eq!(
            Vocabulary::load(dir.path()).unwrap().vector(&q("next year")),
            vocab.vector(&q("next year"))
        );
    }

    #[test]
    fn character_grams_stay_within_words_as_char_wb_does() {
        let grams: Vec<String> = ngrams("AI capex").into_iter().filter(|t| is_char_gram(t)).collect();
        let expect = [
            " ai", "ai ", " ai ", " ca", "cap", "ape", "pex", "ex ", " cap", "cape", "apex", "pex ", " cape", "capex",
            "apex ",
        ];
        assert_eq!(grams, expect.map(|g| format!("{CHAR}{g}")));
        // Three questions share "monetiz": the grams link the word forms.
        let vocab = Vocabulary::fit(&[q("monetize it"), q("monetization of it"), q("monetizing")]);
        assert!(vocab.terms.contains(&format!("{CHAR}etiz")));
        // Words and character grams are each of unit norm.
        let v = vocab.vector(&q("monetize it"));
        let norm = |chars: bool| {
            v.iter()
                .filter(|(i, _)| is_char_gram(&vocab.terms[*i]) == chars)
                .map(|(_, x)| x * x)
                .sum::<f32>()
        };
        assert!((norm(false) - 1.0).abs() < 1e-5 && (norm(true) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn reply_words_are_a_part_of_their_own_at_half_weight() {
        let asked = |reply| Input {
            text: "And the margin?",
            reply,
            ai_per_1k: 0.0,
        };
        let vocab = Vocabulary::fit(&[
            asked("Data center demand"),
            asked("The data center"),
            asked("Data center, and the margin"),
            asked(""),
        ]);
        // Reply words in three replies; "margin" is kept apart from the question's own.
        let replies: Vec<&String> = vocab.terms.iter().filter(|t| part(t) == Part::Reply).collect();
        assert_eq!(replies, ["r:center", "r:data"]);
        let v = vocab.vector(&asked("data center margin"));
        let norm = |kind| {
            v.iter()
                .filter(|(i, _)| part(&vocab.terms[*i]) == kind)
                .map(|(_, x)| x * x)
                .sum::<f32>()
                .sqrt()
        };
        assert!((norm(Part::Words) - 1.0).abs() < 1e-5, "{}", norm(Part::Words));
        assert!((norm(Part::Reply) - REPLY_WEIGHT).abs() < 1e-5, "{}", norm(Part::Reply));
    }
}
