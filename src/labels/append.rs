//! Writing the journal: one decision a line, appended and on disk before
//! the call returns, so a crash or `kill -9` loses nothing decided.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{Decision, LabelsError};

/// An annotator's labels file, open for appending.
#[derive(Debug)]
pub struct Appender {
    file: File,
    path: PathBuf,
}

impl Appender {
    /// Opens (or creates) `path` for appending. Fails where it cannot be
    /// written, so that nothing is decided that could not be kept. Never
    /// truncates: another process may be appending to it too.
    pub fn open(path: &Path) -> Result<Appender, LabelsError> {
        let io = |source| LabelsError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(io(std::io::Error::other("not a regular file")));
        }
        // A last line cut short (a write killed half way) must not swallow
        // the next decision: start on a line of its own.
        if meta.len() > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::End(-1)).map_err(io)?;
            file.read_exact(&mut last).map_err(io)?;
            if last[0] != b'\n' {
                file.write_all(b"\n").map_err(io)?;
            }
        }
        Ok(Appender {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one decision as one line in one write (appends of other
    /// processes do not interleave within it) and waits until it is on disk.
    pub fn append(&mut self, d: &Decision) -> Result<(), LabelsError> {
        let mut line = serde_json::to_vec(d).expect("a decision serialises");
        line.push(b'\n');
        let io = |source| LabelsError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{Journal, Label};

    #[test]
    fn appends_after_a_torn_line_and_keeps_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let first = crate::labels::journal::tests::decision("a", Label::Investment, 1);
        let torn = serde_json::to_string(&first).unwrap();
        std::fs::write(&path, format!("{torn}\n{}", &torn[..20])).unwrap();
        let second = crate::labels::journal::tests::decision("a", Label::Other, 2);
        Appender::open(&path).unwrap().append(&second).unwrap();
        let (j, bad) = Journal::load(&path).unwrap();
        assert_eq!(bad.len(), 1, "only the torn line is lost: {bad:?}");
        assert_eq!(j.decision_of("q1", "a"), Some(&second));
        assert!(std::fs::read_to_string(&path).unwrap().starts_with(&torn));
    }

    #[test]
    fn a_path_that_cannot_be_written_fails_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let err = Appender::open(dir.path()).unwrap_err();
        assert!(err.to_string().starts_with(&dir.path().display().to_string()), "{err}");
        // A device opens, but is no place for decisions (and /dev/full would lose them).
        let err = Appender::open(Path::new("/dev/full")).unwrap_err();
        assert_eq!(err.to_string(), "/dev/full: not a regular file");
    }
}
