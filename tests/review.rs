//! `earnings-qa review` driven in a real pseudo-terminal: keys go in as a
//! person types them, the screen is read back through a terminal emulator,
//! and the labels file is checked line by line. Input: the `classify`
//! output of the repo's own `corpus/`, made once by the real binary.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use earnings_qa::labels::{Decision, Journal, Label};
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

const BIN: &str = env!("CARGO_BIN_EXE_earnings-qa");

/// `classify corpus/` once for the whole file (the real encoder and head).
fn classified() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = std::env::temp_dir().join(format!("earnings-qa-review-{}.jsonl", std::process::id()));
        let status = std::process::Command::new(BIN)
            .args(["classify", "corpus", "-o"])
            .arg(&out)
            .current_dir(root)
            .status()
            .unwrap();
        assert!(status.success(), "classify corpus/");
        out
    })
}

/// The real binary in a pseudo-terminal, its screen kept by vt100.
struct Term {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Everything written, for what is printed outside the full screen.
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Term {
    fn review(dir: &Path, extra: &[&str], rows: u16, cols: u16) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args([
            "review",
            classified().to_str().unwrap(),
            "--annotator",
            "tester",
            "--labels",
            "labels",
        ]);
        cmd.args(extra);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Term {
            master: pair.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`; the screen, if it never does.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{text:?} never showed; screen:\n{screen}\noutput:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// One key, then the status line's count of questions done.
    fn key_then_done(&mut self, key: &str, done: usize, total: usize) {
        self.keys(key);
        self.wait_for(&format!(" {done}/{total} done"));
    }

    fn resize(&mut self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.screen.lock().unwrap().set_size(rows, cols);
    }

    fn output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    /// The exit code, once the process has ended, and all it wrote.
    fn finish(mut self) -> (u32, String) {
        let status = self.child.wait().unwrap();
        // The reader thread drains the rest of the output.
        std::thread::sleep(Duration::from_millis(200));
        (status.exit_code(), self.output())
    }

    fn sigkill(mut self) {
        let pid = self.child.process_id().unwrap() as libc::pid_t;
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
        self.child.wait().unwrap();
    }
}

/// The status line's total: questions in the queue.
fn total(screen: &str) -> usize {
    let line = screen
        .lines()
        .find(|l| l.contains(" done · session"))
        .expect("a status line");
    let (_, after) = line.split_once('/').unwrap();
    after.split_whitespace().next().unwrap().parse().unwrap()
}

fn decisions(dir: &Path) -> Vec<Decision> {
    let text = std::fs::read_to_string(dir.join("labels/tester.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn labels_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("labels")).unwrap();
    dir
}

#[test]
fn every_key_decides_undoes_skips_flags_notes_helps_and_quits() {
    let dir = labels_dir();
    let mut t = Term::review(dir.path(), &["--order", "call"], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    t.key_then_done("1", 1, n);
    t.key_then_done("i", 2, n);
    t.key_then_done("3", 3, n);
    t.key_then_done("p", 4, n);
    t.key_then_done("2", 5, n);
    t.key_then_done("o", 6, n);
    t.key_then_done("\r", 7, n);
    t.keys("s");
    t.wait_for(&format!("· 9/{n}"));
    t.key_then_done("f", 8, n);
    t.keys("n");
    t.wait_for("Note (Enter keeps");
    t.keys("rule 4: payback\r");
    t.wait_for("Note for the next decision: rule 4: payback");
    t.key_then_done("2", 9, n);
    // Undo twice, back across two questions, then decide again.
    t.key_then_done("u", 8, n);
    t.key_then_done("u", 7, n);
    t.wait_for(&format!("· 9/{n}"));
    t.key_then_done("3", 8, n);
    t.keys("?");
    let help = t.wait_for("Classes (labeling guidelines)");
    assert!(help.contains("investment: how much is being built"), "{help}");
    t.keys("x");
    t.wait_for(" 8/");
    t.keys("q");
    let (code, out) = t.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("This session: 8 decisions"), "{out}");
    assert!(
        out.contains("Retrain on them:") && out.contains("earnings-qa train --labels labels"),
        "{out}"
    );
    assert!(out.contains("earnings-qa report"), "{out}");

    let d = decisions(dir.path());
    let labels: Vec<Label> = d[..7].iter().map(|d| d.label).collect();
    use Label::*;
    assert_eq!(
        labels,
        [
            Profitability,
            Investment,
            Other,
            Profitability,
            Investment,
            Other,
            d[6].label
        ]
    );
    assert!(d[7].flag, "f flags: {:?}", d[7]);
    assert_eq!(
        (d[8].label, d[8].note.as_deref()),
        (Investment, Some("rule 4: payback"))
    );
    assert_eq!(d[9].undoes, Some(d[8].at), "u withdraws the last decision");
    assert_eq!(
        d[10].undoes,
        Some(d[7].at),
        "u again: the one before, on another question"
    );
    assert_eq!((d[11].id.as_str(), d[11].label), (d[7].id.as_str(), Other));
    assert_eq!(d.len(), 12);
    let (journal, bad) = Journal::load(&dir.path().join("labels")).unwrap();
    assert!(bad.is_empty());
    assert_eq!(journal.len(), 8);
    assert!(journal.decision_of(&d[8].id, "tester").is_none());
}

#[test]
fn a_restart_resumes_after_the_last_decided_question_and_sigkill_loses_nothing() {
    let dir = labels_dir();
    let mut t = Term::review(dir.path(), &[], 24, 80);
    let n = total(&t.wait_for(" 0/"));
    t.key_then_done("1", 1, n);
    t.keys("s");
    t.key_then_done("2", 2, n);
    t.keys("q");
    assert_eq!(t.finish().0, 0);

    let mut t = Term::review(dir.path(), &[], 24, 80);
    t.wait_for(&format!(" 2/{n} done"));
    t.wait_for(&format!("· 4/{n}"));
    // Keys typed ahead, then SIGKILL as soon as the last one shows as done.
    t.keys("3o1p2");
    t.wait_for(&format!(" 7/{n} done"));
    t.sigkill();
    let d = decisions(dir.path());
    assert_eq!(d.len(), 7, "{d:?}");
    let mut ids: Vec<&str> = d.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 7, "each decision once");
}

#[test]
fn small_and_large_terminals_resize_and_long_text_wraps_and_scrolls() {
    let dir = labels_dir();
    // The longest question first: in 80x24 it wraps and needs scrolling.
    let text = std::fs::read_to_string(classified()).unwrap();
    let mut lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l["text"].as_str().unwrap().len() + l["reply"].as_str().unwrap().len()));
    let long = &lines[0];
    let words: Vec<&str> = long["text"].as_str().unwrap().split_whitespace().collect();
    let mut t = Term::review(
        dir.path(),
        &[
            "--order",
            "call",
            "--cell",
            &format!(
                "{},{}",
                long["ticker"].as_str().unwrap(),
                long["calendar_quarter"].as_str().unwrap()
            ),
        ],
        24,
        80,
    );
    let screen = t.wait_for(" done · session");
    assert!(screen.contains("1/p profitability"), "the keys fit 80x24:\n{screen}");
    let _ = words;
    t.resize(60, 200);
    let big = t.wait_for("Reply, opening");
    assert!(big.lines().count() <= 60);
    t.resize(24, 80);
    t.wait_for(" done · session");
    t.keys("q");
    assert_eq!(t.finish().0, 0);
}
