//! Fine-tuning the encoder through the library: what the delta holds,
//! that the encoder `classify` loads reproduces the tuned embeddings, that
//! a rerun resumes from its checkpoint, and that a tampered delta is refused.

use std::sync::atomic::{AtomicUsize, Ordering};

use earnings_qa::labels::Label;
use earnings_qa::model::encoder::{self, Encoder, Precision};
use earnings_qa::model::finetune::{self, Tuner, DELTA_FILE};
use earnings_qa::model::{kernels, Device, ModelError};

use crate::encoder::{dev_questions, encoder_dir};

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

#[test]
fn a_fine_tuned_delta_holds_its_layers_reproduces_through_the_encoder_and_resumes() {
    let Some(questions) = dev_questions() else { return };
    let texts: Vec<&str> = questions.iter().take(48).map(|q| q.text.as_str()).collect();
    // The mechanics, not the quality, are under test: any labels do.
    let labels: Vec<Label> = (0..texts.len()).map(|i| Label::ALL[i % 3]).collect();
    let train: Vec<usize> = (0..texts.len()).collect();
    let checkpoints = tempfile::tempdir().unwrap();
    let opts = finetune::Options {
        layers: 1,
        epochs: 1,
        ..Default::default()
    };
    let tuner = Tuner::new(
        &encoder::MINILM,
        &encoder_dir(),
        &texts,
        opts,
        Some(checkpoints.path().to_path_buf()),
        false,
        note,
    )
    .unwrap();
    let delta = tuner.tune(&train, &labels).unwrap();
    // The top layer's 16 tensors, nothing else.
    assert_eq!(delta.tensors.len(), 16);
    assert!(delta.tensors.keys().all(|k| k.starts_with("encoder.layer.5.")));
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join(DELTA_FILE);
    let sha = delta.save(&path).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 5 << 20 && size < 20 << 20, "{size} bytes");

    // Laid over the pinned weights by the encoder `classify` loads, the
    // delta gives the embeddings training saw; the base encoder does not.
    let tuned = tuner.embed(&delta).unwrap();
    let load = |delta, precision| {
        Encoder::load(&encoder::MINILM, &encoder_dir(), delta, Device::Cpu, precision)
            .unwrap()
            .embed(&texts, 8, false)
            .unwrap()
    };
    let f32_cos = min_cosine(&tuned, &load(Some((path.as_path(), sha.as_str())), Precision::F32));
    assert!(f32_cos >= 0.9999, "f32: {f32_cos}");
    if kernels::bf16_supported() {
        let bf16_cos = min_cosine(&tuned, &load(Some((path.as_path(), sha.as_str())), Precision::Bf16));
        assert!(bf16_cos >= 0.999, "bf16: {bf16_cos}");
    }
    let base_cos = min_cosine(&tuned, &load(None, Precision::F32));
    assert!(base_cos < 0.999, "the delta changed nothing: {base_cos}");

    // A rerun over the same data and options resumes from the finished
    // checkpoint: no step is taken again and the delta is the same.
    let again = tuner.tune(&train, &labels).unwrap();
    assert_eq!(RESUMED.load(Ordering::SeqCst), 1);
    for (name, t) in &delta.tensors {
        let diff = (t - &again.tensors[name]).unwrap().abs().unwrap().max_all().unwrap();
        assert_eq!(diff.to_scalar::<f32>().unwrap(), 0.0, "{name}");
    }
    assert_eq!(std::fs::read_dir(checkpoints.path()).unwrap().count(), 1);
    tuner.remove_checkpoints();
    assert_eq!(std::fs::read_dir(checkpoints.path()).unwrap().count(), 0);

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
