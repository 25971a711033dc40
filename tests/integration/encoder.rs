//! The encoders against float64 references: MiniLM against
//! ../shared/reference, MPNet against sentence-transformers' output in
//! tests/data; bf16 against f32 on the `dev` questions; missing or corrupt
//! weights refused. Needs the weights (`earnings-qa fetch-model`, which
//! scripts/test.sh runs first).

use std::path::{Path, PathBuf};

use earnings_qa::labels::Label;
use earnings_qa::model::encoder::{self, Encoder, Precision};
use earnings_qa::model::head::{Head, Input};
use earnings_qa::model::{Device, Embedder, ModelError, Options};
use earnings_qa::question::Question;

use crate::test::Test;
use crate::{corpus, manifest, root, shared};

pub fn encoder_dir() -> PathBuf {
    root().join("models").join("all-MiniLM-L6-v2")
}

pub fn mpnet_dir() -> PathBuf {
    root().join("models").join(encoder::MPNET.dir)
}

fn load_encoder() -> Encoder {
    load_encoder_as(Precision::F32)
}

fn load_encoder_as(precision: Precision) -> Encoder {
    Encoder::load(&encoder::MINILM, &encoder_dir(), None, Device::Cpu, precision)
        .expect("weights present (run `earnings-qa fetch-model`)")
}

/// The library's options: MiniLM from models/, float32, no cache.
pub fn opts() -> Options {
    Options {
        encoder_dir: Some(encoder_dir()),
        cache_dir: None,
        precision: Some(Precision::F32),
        ..Default::default()
    }
}

/// Sentences with their token ids and embeddings by the reference model.
#[derive(serde::Deserialize)]
pub struct Reference {
    pub sentences: Vec<String>,
    token_ids: Vec<Vec<u32>>,
    embeddings: Vec<Vec<f64>>,
}

impl Reference {
    fn read(path: &Path) -> Reference {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    pub fn texts(&self) -> Vec<&str> {
        self.sentences.iter().map(String::as_str).collect()
    }
}

/// sentence-transformers all-MiniLM-L6-v2 in float64, kept in ../shared/reference.
pub fn reference() -> Option<Reference> {
    shared("reference/all-MiniLM-L6-v2.json").map(|p| Reference::read(&p))
}

pub fn cosine(a: &[f32], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * y).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    dot / (na * nb)
}

#[test]
fn token_ids_match_the_reference() {
    let Some(r) = reference() else { return };
    let texts = r.texts();
    assert_eq!(load_encoder().tokenize(&texts).unwrap(), r.token_ids);
}

#[test]
fn embeddings_match_the_reference_single_and_batched() {
    let Some(r) = reference() else { return };
    let enc = load_encoder();
    let texts = r.texts();
    let batched = enc.embed(&texts, 8, false).unwrap();
    for (i, text) in texts.iter().enumerate() {
        let single = enc.embed(&[text], 1, false).unwrap().remove(0);
        for (how, e) in [("single", &single), ("batched", &batched[i])] {
            assert_eq!(e.len(), 384);
            let cos = cosine(e, &r.embeddings[i]);
            assert!(cos >= 0.99999, "sentence {i} {how}: cosine {cos}");
            let worst = e
                .iter()
                .zip(&r.embeddings[i])
                .map(|(a, b)| (*a as f64 - b).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-4, "sentence {i} {how}: max abs difference {worst}");
        }
    }
    if earnings_qa::model::kernels::bf16_supported() {
        let fast = load_encoder_as(Precision::Bf16);
        let batched = fast.embed(&texts, 8, false).unwrap();
        for (i, text) in texts.iter().enumerate() {
            // Packing puts sentences in one matrix, but each row's sums are its own.
            assert_eq!(fast.embed(&[text], 1, false).unwrap()[0], batched[i], "sentence {i}");
            let cos = cosine(&batched[i], &r.embeddings[i]);
            assert!(cos >= 0.999, "sentence {i} bf16: cosine {cos}");
        }
    }
}

#[test]
fn a_question_over_256_tokens_is_cut_to_its_first_256() {
    let enc = load_encoder();
    let long = "how should we think about the capex trajectory next year ".repeat(60);
    let ids = enc.tokenize(&[&long]).unwrap().remove(0);
    assert_eq!(ids.len(), encoder::MINILM.max_tokens);
    assert_eq!((ids[0], ids[255]), (101, 102), "[CLS] first, [SEP] kept last");
    // Only the first 256 tokens count: more text after them changes nothing.
    let longer = format!("{long} and what about buybacks");
    let e = enc.embed(&[&long, &longer], 2, false).unwrap();
    assert!(cosine(&e[0], &e[1].iter().map(|&x| x as f64).collect::<Vec<_>>()) > 0.999999);
}

/// A folder with the real config and tokenizer and the given weights.
fn encoder_dir_with_weights(weights: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(encoder_dir().join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(dir.path().join("model.safetensors"), weights).unwrap();
    dir
}

#[test]
fn missing_or_corrupt_weights_are_refused_with_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let err = Encoder::load(&encoder::MINILM, empty.path(), None, Device::Cpu, Precision::F32)
        .err()
        .unwrap();
    assert!(matches!(err, ModelError::MissingWeights { .. }), "{err}");
    assert!(err.to_string().contains("fetch-model"), "{err}");

    let mut bytes = std::fs::read(encoder_dir().join("model.safetensors")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let dir = encoder_dir_with_weights(&bytes);
    let err = Encoder::load(&encoder::MINILM, dir.path(), None, Device::Cpu, Precision::F32)
        .err()
        .unwrap();
    assert!(matches!(err, ModelError::CorruptWeights { .. }), "{err}");
    assert!(err.to_string().contains(encoder::MINILM.sha256), "{err}");
}

/// The distinct questions of the `dev` calls (real transcripts), as the
/// binary splits them.
pub fn dev_questions() -> Option<Vec<Question>> {
    let corpus = corpus()?;
    let mut paths: Vec<PathBuf> = manifest(&corpus)
        .into_iter()
        .filter(|f| f.split == "dev")
        .map(|f| corpus.join(f.path))
        .collect();
    paths.sort();
    let all = Test::new()
        .arg("questions")
        .args(&paths)
        .expect_status_in(&[0, 1])
        .run()
        .questions();
    let mut seen = std::collections::HashSet::new();
    Some(all.into_iter().filter(|q| seen.insert(q.id.clone())).collect())
}

#[test]
fn the_bf16_encoder_stays_within_cosine_0999_of_f32_and_keeps_995_percent_of_labels() {
    if !earnings_qa::model::kernels::bf16_supported() {
        eprintln!("skipped: this CPU has no AVX-512 BF16, so bf16 is never used");
        return;
    }
    let Some(questions) = dev_questions() else { return };
    assert!(questions.len() >= 400, "{} questions", questions.len());
    let texts: Vec<&str> = questions.iter().map(|q| q.text.as_str()).collect();
    let embed = |precision| {
        let opts = Options {
            precision: Some(precision),
            ..opts()
        };
        Embedder::load(Device::Cpu, opts).unwrap().embed(&texts).unwrap()
    };
    let (reference, fast) = (embed(Precision::F32), embed(Precision::Bf16));
    let worst = reference
        .iter()
        .zip(&fast)
        .map(|(r, f)| cosine(f, &r.iter().map(|&x| x as f64).collect::<Vec<_>>()))
        .fold(1.0, f64::min);
    assert!(worst >= 0.999, "lowest cosine bf16 vs f32: {worst}");
    let head = Head::load(&root().join("models/minilm-frozen")).unwrap();
    let inputs: Vec<Input> = questions.iter().map(Input::from).collect();
    let labels =
        |e: &[Vec<f32>]| -> Vec<Label> { head.probs(&inputs, e).unwrap().iter().map(|p| p.argmax()).collect() };
    let (a, b) = (labels(&reference), labels(&fast));
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    eprintln!(
        "bf16 vs f32, {} dev questions: lowest cosine {worst:.6}, {same} labels equal",
        a.len()
    );
    assert!(
        same as f64 >= 0.995 * a.len() as f64,
        "bf16 keeps {same} of {} labels",
        a.len()
    );
}

/// sentence-transformers all-mpnet-base-v2 in float64 on sentences of our
/// own (`scripts/mpnet-reference.py` wrote the file once).
fn mpnet_reference() -> Reference {
    Reference::read(&root().join("tests/data/all-mpnet-base-v2.json"))
}

#[test]
fn mpnet_reproduces_sentence_transformers() {
    let dir = mpnet_dir();
    let r = mpnet_reference();
    let texts = r.texts();
    let mut precisions = vec![(Precision::F32, 0.9999)];
    if earnings_qa::model::kernels::bf16_supported() {
        precisions.push((Precision::Bf16, 0.999));
    }
    for (precision, floor) in precisions {
        let enc = Encoder::load(&encoder::MPNET, &dir, None, Device::Cpu, precision)
            .expect("weights present (run `earnings-qa fetch-model --encoder all-mpnet-base-v2`)");
        assert_eq!(enc.tokenize(&texts).unwrap(), r.token_ids);
        let batched = enc.embed(&texts, 4, false).unwrap();
        let mut worst = 1f64;
        for (i, text) in texts.iter().enumerate() {
            let single = enc.embed(&[text], 1, false).unwrap().remove(0);
            for (how, e) in [("single", &single), ("batched", &batched[i])] {
                assert_eq!(e.len(), 768);
                let cos = cosine(e, &r.embeddings[i]);
                assert!(cos >= floor, "{precision:?} sentence {i} {how}: cosine {cos}");
                worst = worst.min(cos);
            }
        }
        eprintln!("all-mpnet-base-v2 {precision:?}: lowest cosine to sentence-transformers {worst:.7}");
    }
}
