//! Fine-tuning the encoder through the library: what the delta holds,
//! that the encoder `classify` loads reproduces the tuned embeddings, that
//! a rerun resumes from its checkpoint, and that a tampered delta is refused.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use earnings_qa::labels::Label;
use earnings_qa::model::encoder::{self, Encoder, Precision};
use earnings_qa::model::finetune::{self, Delta, Tuner, DELTA_FILE};
use earnings_qa::model::{kernels, Device, ModelError};

use crate::encoder::{dev_questions, encoder_dir, mpnet_dir};

static RESUMED: AtomicUsize = AtomicUsize::new(0);

fn note(message: &str) {
    if message.contains("resuming fine-tuning at epoch 2, step 0") {
        RESUMED.fetch_add(1, Ordering::SeqCst);
    }
}

fn min_cosine(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>())
        .fold(f32::INFINITY, f32::min)
}

/// Fails unless both deltas hold the same weights, to the bit.
fn assert_same(a: &Delta, b: &Delta, why: &str) {
    for (name, t) in &a.tensors {
        let diff = (t - &b.tensors[name]).unwrap().abs().unwrap().max_all().unwrap();
        let diff = diff.to_dtype(candle_core::DType::F32).unwrap();
        assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0, "{name}: {why}");
    }
}

/// Tunes `spec`'s top layer on `texts` for one epoch and checks what the
/// delta holds and that the encoder `classify` loads, with the delta laid
/// over the pinned weights, gives the embeddings training saw (and the
/// base encoder does not). Returns the tuner, the delta, where it was
/// saved and its sha256.
fn tune_top_layer(
    spec: &'static encoder::Spec,
    dir: &Path,
    texts: &[&str],
    checkpoints: &Path,
    out: &Path,
) -> (Tuner, Delta, PathBuf, String) {
    // The mechanics, not the quality, are under test: any labels do.
    let labels: Vec<Label> = (0..texts.len()).map(|i| Label::ALL[i % 3]).collect();
    let train: Vec<usize> = (0..texts.len()).collect();
    let opts = finetune::Options {
        layers: 1,
        epochs: 1,
        ..Default::default()
    };
    let tuner = Tuner::new(
        spec,
        dir,
        texts,
        opts,
        Some(checkpoints.to_path_buf()),
        false,
        note,
        &Device::Cpu,
    )
    .unwrap();
    let delta = tuner.tune(&train, &labels).unwrap();
    // The top layer's 16 tensors, nothing else.
    assert_eq!(delta.tensors.len(), 16);
    let top = format!("encoder.layer.{}.", tuner.encoder_layers() - 1);
    assert!(delta.tensors.keys().all(|k| k.starts_with(&top)), "{top}");
    let path = out.join(DELTA_FILE);
    let sha = delta.save(&path).unwrap();
    // f16: two bytes a weight, a small header, well under 20 MB.
    let weights: usize = delta.tensors.values().map(|t| t.elem_count()).sum();
    let size = std::fs::metadata(&path).unwrap().len() as usize;
    assert!(
        size >= 2 * weights && size < 2 * weights + (64 << 10),
        "{size} bytes, {weights} weights"
    );
    assert!(size < 20 << 20, "{size} bytes");

    let tuned = tuner.embed(&delta).unwrap();
    let load = |delta, precision| {
        Encoder::load(spec, dir, delta, Device::Cpu, precision)
            .unwrap()
            .embed(texts, 8, false)
            .unwrap()
    };
    let f32_cos = min_cosine(&tuned, &load(Some((path.as_path(), sha.as_str())), Precision::F32));
    assert!(f32_cos >= 0.9999, "{}, f32: {f32_cos}", spec.name);
    if kernels::bf16_supported() {
        let bf16_cos = min_cosine(&tuned, &load(Some((path.as_path(), sha.as_str())), Precision::Bf16));
        assert!(bf16_cos >= 0.999, "{}, bf16: {bf16_cos}", spec.name);
    }
    let base_cos = min_cosine(&tuned, &load(None, Precision::F32));
    assert!(base_cos < 0.999, "{}: the delta changed nothing: {base_cos}", spec.name);
    (tuner, delta, path, sha)
}

#[test]
fn a_fine_tuned_delta_holds_its_layers_reproduces_through_the_encoder_and_resumes() {
    let Some(questions) = dev_questions() else { return };
    let texts: Vec<&str> = questions.iter().take(48).map(|q| q.text.as_str()).collect();
    let labels: Vec<Label> = (0..texts.len()).map(|i| Label::ALL[i % 3]).collect();
    let train: Vec<usize> = (0..texts.len()).collect();
    let checkpoints = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (tuner, delta, path, _) =
        tune_top_layer(&encoder::MINILM, &encoder_dir(), &texts, checkpoints.path(), out.path());

    // A rerun over the same data and options resumes from the finished
    // checkpoint: no step is taken again and the delta is the same.
    let again = tuner.tune(&train, &labels).unwrap();
    assert_eq!(RESUMED.load(Ordering::SeqCst), 1);
    assert_same(&delta, &again, "resumed");
    assert_eq!(std::fs::read_dir(checkpoints.path()).unwrap().count(), 1);
    tuner.remove_checkpoints();
    assert_eq!(std::fs::read_dir(checkpoints.path()).unwrap().count(), 0);

    // From scratch, the same seed gives the same delta, to the bit.
    let fresh = tuner.tune(&train, &labels).unwrap();
    tuner.remove_checkpoints();
    assert_same(&delta, &fresh, "another run, the same seed");

    // A delta that is not the one the card recorded is refused, by name.
    let wrong = "0".repeat(64);
    let err = Encoder::load(
        &encoder::MINILM,
        &encoder_dir(),
        Some((path.as_path(), wrong.as_str())),
        Device::Cpu,
        Precision::F32,
    )
    .err()
    .expect("a delta with another sha256 is refused");
    assert!(matches!(err, ModelError::BadHead { .. }), "{err}");
    assert!(err.to_string().contains(DELTA_FILE), "{err}");
}

/// MPNet's layers read its relative-position bias: tuned through the same
/// `Tuner`, its delta must reproduce through MPNet's encoder too.
#[test]
fn mpnet_fine_tunes_through_the_same_tuner() {
    let Some(questions) = dev_questions() else { return };
    let dir = mpnet_dir();
    let texts: Vec<&str> = questions.iter().take(12).map(|q| q.text.as_str()).collect();
    let checkpoints = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    tune_top_layer(&encoder::MPNET, &dir, &texts, checkpoints.path(), out.path());
}
