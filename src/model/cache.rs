//! Embeddings already computed, so re-running over a growing folder (or
//! training again) only encodes new questions.
//!
//! One append-only file per encoder, `embeddings-<sha256 prefix>.bin`, of
//! fixed-size records: 16 bytes of sha256 of the exact text the encoder
//! saw, then the embedding as little-endian f32. Embeddings, not
//! probabilities, are cached: the head is cheap to rerun and changes with
//! every training, the encoder does not.
//!
//! Records are appended as batches are encoded, so an interrupted run
//! keeps what it did. Every append holds an exclusive lock on the file and
//! goes to its end, so concurrent runs add to each other's records instead
//! of overwriting them. A torn last record (a killed run) is ignored on
//! reading and cut off by the next append. A record whose embedding is not
//! finite and of unit length (a corrupt disk, a stray write) is dropped on
//! reading: its text is encoded again and appended, and later records of a
//! key win over earlier ones.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ModelError;

pub type Key = [u8; 16];

/// `$XDG_CACHE_HOME/earnings-qa` if that is set, else `.cache/earnings-qa`
/// under the current directory.
pub fn default_dir() -> PathBuf {
    match std::env::var_os("XDG_CACHE_HOME") {
        Some(d) if !d.is_empty() => PathBuf::from(d).join("earnings-qa"),
        _ => PathBuf::from(".cache").join("earnings-qa"),
    }
}

pub fn key(text: &str) -> Key {
    let digest = Sha256::digest(text.as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&digest[..16]);
    k
}

pub struct Cache {
    path: PathBuf,
    dim: usize,
    map: HashMap<Key, Vec<f32>>,
    /// Records that failed the check and that no later record replaces.
    dropped: usize,
}

/// True for an embedding the encoder can have given: finite, unit length.
fn valid(embedding: &[f32]) -> bool {
    let norm: f32 = embedding.iter().map(|x| x * x).sum();
    embedding.iter().all(|x| x.is_finite()) && (norm - 1.0).abs() < 1e-3
}

impl Cache {
    /// Opens (or starts) the cache of the encoder `tag` (`Encoder::cache_tag`),
    /// checking that its folder and file can be written (before any
    /// encoding, so that a bad `--cache-dir` fails at once).
    pub fn open(dir: &Path, tag: &str, dim: usize) -> Result<Cache, ModelError> {
        let path = dir.join(format!("embeddings-{tag}.bin"));
        std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(ModelError::Io { path, source: e }),
        };
        let mut cache = Cache {
            dim,
            map: HashMap::new(),
            dropped: 0,
            path,
        };
        cache.file()?;
        let mut bad = std::collections::HashSet::new();
        for r in bytes.chunks_exact(16 + 4 * dim) {
            let mut k = [0u8; 16];
            k.copy_from_slice(&r[..16]);
            let e: Vec<f32> = r[16..]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            if valid(&e) {
                bad.remove(&k);
                cache.map.insert(k, e);
            } else if !cache.map.contains_key(&k) {
                bad.insert(k);
            }
        }
        cache.dropped = bad.len();
        Ok(cache)
    }

    /// The cache file, opened to append.
    fn file(&self) -> Result<std::fs::File, ModelError> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(ModelError::io(&self.path))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many records failed the check on opening (their texts are encoded again).
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    pub fn get(&self, key: &Key) -> Option<&[f32]> {
        self.map.get(key).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Adds embeddings and appends them to the file in one write, under
    /// an exclusive lock.
    pub fn append<'a>(&mut self, entries: impl IntoIterator<Item = (Key, &'a [f32])>) -> Result<(), ModelError> {
        let mut buf = Vec::new();
        for (k, e) in entries {
            debug_assert_eq!(e.len(), self.dim);
            buf.extend_from_slice(&k);
            buf.extend(e.iter().flat_map(|x| x.to_le_bytes()));
            self.map.insert(k, e.to_vec());
        }
        if buf.is_empty() {
            return Ok(());
        }
        let io = ModelError::io(&self.path);
        let mut file = self.file()?;
        file.lock().map_err(ModelError::io(&self.path))?;
        // Under the lock every writer writes whole records, so a torn tail is a killed run's: cut it.
        let len = file.metadata().map_err(ModelError::io(&self.path))?.len();
        let record = (16 + 4 * self.dim) as u64;
        if len % record != 0 {
            file.set_len(len - len % record).map_err(ModelError::io(&self.path))?;
        }
        file.write_all(&buf).map_err(io)
        // The lock goes with the file.
    }
}
