//! Embeddings already computed, so re-running over a growing folder (or
//! training again) only encodes new questions.
//!
//! One append-only file per encoder, `embeddings-<sha256 prefix>.bin`, of
//! fixed-size records: 16 bytes of sha256 of the exact text the encoder
//! saw, then the embedding as little-endian f32. Embeddings, not
//! probabilities, are cached: the head is cheap to rerun and changes with
//! every training, the encoder does not. A torn last record (a killed run)
//! is ignored on reading and overwritten by the next append.

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
    /// Bytes of whole records in the file: where the next append goes.
    len: u64,
    map: HashMap<Key, Vec<f32>>,
}

impl Cache {
    /// Opens (or starts) the cache of the encoder `tag` (`Encoder::cache_tag`).
    pub fn open(dir: &Path, tag: &str, dim: usize) -> Result<Cache, ModelError> {
        let path = dir.join(format!("embeddings-{tag}.bin"));
        let record = 16 + 4 * dim;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(ModelError::Io { path, source: e }),
        };
        let map = bytes
            .chunks_exact(record)
            .map(|r| {
                let mut k = [0u8; 16];
                k.copy_from_slice(&r[..16]);
                let e = r[16..]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                (k, e)
            })
            .collect();
        let len = (bytes.len() / record * record) as u64;
        Ok(Cache { path, dim, len, map })
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

    /// Adds embeddings and writes them to disk in one write.
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
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.path)
            .map_err(ModelError::io(&self.path))?;
        // Drop a torn tail left by a killed run before appending.
        file.set_len(self.len).map_err(ModelError::io(&self.path))?;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(self.len)).map_err(ModelError::io(&self.path))?;
        file.write_all(&buf).map_err(ModelError::io(&self.path))?;
        self.len += buf.len() as u64;
        Ok(())
    }
}
