//! Bytes on disk to `Call`s: decode the text, detect the layout from the
//! content (never the file name), parse it with that layout's `Format`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::call::Call;

mod api_json;
mod asr_no_speakers;
mod callstreet_text;
mod capiq_or_seekingalpha_text;
mod fool;
mod meta;
mod motleyfool_header_name_colon;
mod motleyfool_json_transcript_field;
mod motleyfool_json_turns;
mod motleyfool_name_colon;
mod name_colon;
mod name_colon_text;
mod streetevents_text;

pub use meta::ticker_from_file_name;

/// One transcript layout. Each lives in a file of its own.
pub trait Format: Sync {
    /// The name `--layout` takes and `Call::format` records.
    fn name(&self) -> &'static str;
    /// How well the text fits this layout: 0 not at all, higher is surer.
    /// Detection picks the highest score.
    fn detect(&self, text: &str) -> u8;
    /// Turns with speakers, roles and sections; `path` is for metadata
    /// that only the file name carries and for error messages.
    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError>;
}

/// Every layout the tool reads, in detection-tie order.
pub static FORMATS: &[&dyn Format] = &[
    &capiq_or_seekingalpha_text::CapIq,
    &motleyfool_json_turns::MotleyFoolJson,
    &streetevents_text::StreetEventsText,
    &api_json::ApiJson,
    &callstreet_text::CallStreetText,
    &motleyfool_json_transcript_field::MotleyFoolJsonTranscriptField,
    &motleyfool_header_name_colon::MotleyFoolHeaderNameColon,
    &motleyfool_name_colon::MotleyFoolNameColon,
    &name_colon_text::NameColonText,
    &asr_no_speakers::AsrNoSpeakers,
];

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty file")]
    Empty,
    #[error("binary file, not a transcript")]
    Binary,
    #[error("file is {size} bytes, over the {limit}-byte limit for one transcript")]
    TooLarge { size: u64, limit: u64 },
    #[error("no known transcript layout fits this text")]
    UnknownFormat,
    #[error("unknown format {0:?} (known: {1})")]
    NoSuchFormat(String, String),
    #[error("{format}: {message}")]
    Malformed { format: &'static str, message: String },
    #[error("{0}, not a file: not read")]
    NotAFile(&'static str),
    #[error("{0}")]
    Walk(String),
}

/// A file that was not read, and why.
#[derive(Debug)]
pub struct Skip {
    pub path: PathBuf,
    pub error: IngestError,
}

/// The file name without folder or extension, where layouts keep metadata
/// (`AAN_q1_2021`, `NVDA_3Q26_translated_output`).
pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A roster's firm without the vendor's ", Research Division" suffix.
pub(crate) fn firm_name(desc: &str) -> &str {
    desc.trim()
        .trim_end_matches("Research Division")
        .trim_end_matches([',', ' '])
}

/// Largest file taken as one transcript; real calls are under 1 MB.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Decodes UTF-8 (with or without BOM), UTF-16 with a BOM, and falls back
/// to Windows-1252, which is what non-UTF-8 transcripts are in practice.
pub fn decode(bytes: &[u8]) -> Result<String, IngestError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty);
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(text.into_owned());
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        return Ok(enc.decode_without_bom_handling(bytes).0.into_owned());
    }
    if bytes.contains(&0) {
        return Err(IngestError::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
    }
}

/// UTF-16 written without a BOM: text whose every other byte is zero (the
/// high byte of ASCII), at odd offsets for little-endian, even for
/// big-endian, and nowhere else.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 16 {
        return None;
    }
    let zeros = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd, pairs) = (zeros(0), zeros(1), head.len() / 2);
    match (even, odd) {
        (0, z) if z * 10 >= pairs * 9 => Some(encoding_rs::UTF_16LE),
        (z, 0) if z * 10 >= pairs * 9 => Some(encoding_rs::UTF_16BE),
        _ => None,
    }
}

pub fn format_named(name: &str) -> Result<&'static dyn Format, IngestError> {
    FORMATS.iter().copied().find(|f| f.name() == name).ok_or_else(|| {
        let known: Vec<_> = FORMATS.iter().map(|f| f.name()).collect();
        IngestError::NoSuchFormat(name.to_owned(), known.join(", "))
    })
}

/// The layout that fits `text` best.
pub fn detect(text: &str) -> Option<&'static dyn Format> {
    let (score, format) = FORMATS.iter().map(|f| (f.detect(text), *f)).max_by_key(|(s, _)| *s)?;
    (score > 0).then_some(format)
}

/// Reads one file; `format` forces a layout instead of detecting one.
pub fn read_file(path: &Path, format: Option<&str>) -> Result<Call, IngestError> {
    let bytes = if is_stdin(path) {
        stdin()?.to_vec()
    } else {
        let size = std::fs::metadata(path)?.len();
        if size > MAX_FILE_BYTES {
            return Err(IngestError::TooLarge {
                size,
                limit: MAX_FILE_BYTES,
            });
        }
        std::fs::read(path)?
    };
    let text = decode(&bytes)?;
    let fmt = match format {
        Some(name) => format_named(name)?,
        None => detect(&text).ok_or(IngestError::UnknownFormat)?,
    };
    let mut call = fmt.parse(&text, path)?;
    call.spoken = meta::spoken_quarter(&opening(&call));
    Ok(call)
}

/// `-` as a PATH: standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Standard input, read once (it cannot be read again), up to
/// `MAX_FILE_BYTES`.
pub fn stdin() -> Result<&'static [u8], IngestError> {
    use std::io::Read;
    static STDIN: std::sync::OnceLock<Result<Vec<u8>, String>> = std::sync::OnceLock::new();
    let read = STDIN.get_or_init(|| {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map(|_| bytes)
            .map_err(|e| e.to_string())
    });
    match read {
        Ok(b) if b.len() as u64 > MAX_FILE_BYTES => Err(IngestError::TooLarge {
            size: b.len() as u64,
            limit: MAX_FILE_BYTES,
        }),
        Ok(b) => Ok(b),
        Err(e) => Err(IngestError::Io(std::io::Error::other(e.clone()))),
    }
}

/// The first 3,000 characters the call's speakers say, where they name the
/// quarter the call reports.
fn opening(call: &Call) -> String {
    let mut text = String::new();
    for t in &call.turns {
        if text.len() >= 3000 {
            break;
        }
        text.push_str(meta::head(&t.text, 3000));
        text.push('\n');
    }
    meta::head(&text, 3000).to_owned()
}

/// Files under `paths` (`-` is standard input), sorted so that every run
/// sees them in the same order. Folders are walked as ripgrep walks them (the `ignore` crate):
/// hidden files and folders, and what `.gitignore` and `.ignore` files
/// exclude, are left out; links are followed, and a loop is named, not
/// walked forever. A file named as a PATH is read whatever its name. What
/// is not a file to read (a FIFO, a socket, a broken link) comes back as a
/// skip, so that nothing is left out without a word.
pub fn walk(paths: &[PathBuf]) -> Vec<Result<PathBuf, Skip>> {
    let mut out = Vec::new();
    for root in paths {
        if is_stdin(root) {
            out.push(Ok(root.clone()));
            continue;
        }
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => {}
            Ok(m) => {
                out.push(regular(root.clone(), &m.file_type()));
                continue;
            }
            Err(e) => {
                out.push(Err(Skip {
                    path: root.clone(),
                    error: link_error(root, e),
                }));
                continue;
            }
        }
        let walker = ignore::WalkBuilder::new(root)
            .follow_links(true)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(e) => match e.file_type() {
                    Some(t) if t.is_dir() => {}
                    Some(t) => out.push(regular(e.into_path(), &t)),
                    None => {}
                },
                Err(e) => {
                    let path = error_path(&e).unwrap_or_else(|| root.clone());
                    let error = match e.into_io_error() {
                        Some(io) => link_error(&path, io),
                        None => IngestError::Walk(error_text(&path)),
                    };
                    out.push(Err(Skip { path, error }));
                }
            }
        }
    }
    out
}

/// A path to read if it is a regular file, else a skip saying what it is.
fn regular(path: PathBuf, t: &std::fs::FileType) -> Result<PathBuf, Skip> {
    use std::os::unix::fs::FileTypeExt;
    if t.is_file() {
        return Ok(path);
    }
    let what = if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    };
    Err(Skip {
        path,
        error: IngestError::NotAFile(what),
    })
}

/// An error reaching `path`; a link whose target is missing says so.
fn link_error(path: &Path, e: std::io::Error) -> IngestError {
    let dangling = e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok();
    if dangling {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        IngestError::Walk(format!("broken link to {target}"))
    } else {
        IngestError::Io(e)
    }
}

/// The path an error of the walk is about.
fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Partial(errs) => errs.first().and_then(error_path),
        _ => None,
    }
}

/// What a walk error other than an I/O one says: a link that loops.
fn error_text(path: &Path) -> String {
    match std::fs::read_link(path) {
        Ok(target) => format!("a link loop (to {}, a folder that holds it)", target.display()),
        Err(_) => "cannot walk".into(),
    }
}

/// Reads every file under `paths` on all cores. The calls come back in
/// file order; unreadable files come back as skips, never as a failure of
/// the whole batch.
pub fn read_paths(paths: &[PathBuf], format: Option<&str>) -> (Vec<Call>, Vec<Skip>) {
    let results: Vec<Result<Call, Skip>> = walk(paths)
        .into_par_iter()
        .map(|p| {
            let path = p?;
            read_file(&path, format).map_err(|error| Skip { path, error })
        })
        .collect();
    let mut calls = Vec::new();
    let mut skips = Vec::new();
    for r in results {
        match r {
            Ok(c) => calls.push(c),
            Err(s) => skips.push(s),
        }
    }
    (calls, skips)
}
