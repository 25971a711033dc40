//! The one way these tests run the binary: `Test::new().arg(..).run()`
//! starts the real `earnings-qa` in a temp dir of its own, checks its exit
//! code, and returns what it printed, read into the library's own types.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::de::DeserializeOwned;

use earnings_qa::aggregate::Classified;
use earnings_qa::question::Question;

pub const BIN: &str = env!("CARGO_BIN_EXE_earnings-qa");

/// Variables that choose the models, the labels and the cache: a test
/// sets them where it means to, so that the caller's own never leak in.
const CHOICES: [&str; 3] = ["EARNINGS_QA_MODELS", "EARNINGS_QA_LABELS", "XDG_CACHE_HOME"];

#[must_use]
pub struct Test {
    dir: tempfile::TempDir,
    cwd: Option<PathBuf>,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    statuses: Vec<i32>,
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("a temp dir"),
            cwd: None,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            statuses: vec![0],
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Test {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Writes `contents` to `path` under the temp dir, making its folders.
    pub fn file(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Test {
        let path = self.dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        self
    }

    /// Makes an empty folder under the temp dir.
    pub fn folder(self, path: impl AsRef<Path>) -> Test {
        std::fs::create_dir_all(self.dir.path().join(path)).unwrap();
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Test {
        self.env.push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs in `dir` instead of the temp dir (which still holds the files).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// The exit code `run` requires: 0 unless set.
    pub fn expect_status(self, code: i32) -> Test {
        self.expect_status_in(&[code])
    }

    pub fn expect_status_in(mut self, codes: &[i32]) -> Test {
        self.statuses = codes.to_vec();
        self
    }

    /// The temp dir the binary runs in.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The command as `run` would start it, for a test that must hold the
    /// process itself (kill it, read part of its output, run several at once).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(&self.args)
            .current_dir(self.cwd.as_deref().unwrap_or(self.dir.path()));
        for var in CHOICES {
            cmd.env_remove(var);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// The command for a pseudo-terminal (`pty::Term`), as `command` gives it.
    pub fn pty_command(&self) -> crate::pty::CommandBuilder {
        let mut cmd = crate::pty::CommandBuilder::new(BIN);
        cmd.args(&self.args);
        cmd.cwd(self.cwd.as_deref().unwrap_or(self.dir.path()));
        for var in CHOICES {
            cmd.env_remove(var);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(self) -> Output {
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the binary starts");
        if let Some(bytes) = &self.stdin {
            child.stdin.take().unwrap().write_all(bytes).expect("stdin written");
        }
        let out = child.wait_with_output().expect("the binary runs");
        let output = Output {
            status: out.status.code().expect("exited, not killed by a signal"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8 diagnostics"),
            dir: self.dir,
        };
        assert!(!output.stderr.contains("panicked"), "panic: {}", output.stderr);
        assert!(
            self.statuses.contains(&output.status),
            "{:?}: exit code {}, expected {:?}\nstderr:\n{}",
            self.args,
            output.status,
            self.statuses,
            output.stderr
        );
        output
    }
}

/// What a run printed, and the temp dir it ran in (kept until dropped).
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: tempfile::TempDir,
}

impl Output {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A file the run wrote, relative to its temp dir.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// stdout as one JSON document.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    /// `questions` output.
    pub fn questions(&self) -> Vec<Question> {
        json_lines(&self.stdout)
    }

    /// `classify` output.
    pub fn classified(&self) -> Vec<Classified> {
        json_lines(&self.stdout)
    }

    /// The final summary line's numbers: files read, calls, questions, skipped.
    pub fn summary(&self) -> [usize; 4] {
        let line = self.stderr.lines().last().expect("a summary line");
        let nums: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(nums.len(), 4, "summary: {line}");
        [nums[0], nums[1], nums[2], nums[3]]
    }
}

/// One JSON value a line.
pub fn json_lines<T: DeserializeOwned>(text: &str) -> Vec<T> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}
