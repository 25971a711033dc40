//! How long the next question takes to show after a key press in
//! `earnings-qa review`, measured from outside as a person sees it: a key
//! is written to the pseudo-terminal, and the clock stops when the screen
//! (parsed by a terminal emulator) shows the status line's new count. So the
//! figure includes the append and fsync of the decision, the redraw, and
//! the pty and emulator on top. `scripts/bench-review.sh` runs it.
//!
//! `cargo run --release --example review_latency -- QUESTIONS.jsonl [KEYS]`

#[allow(dead_code)] // the tests' harness; this uses part of it
#[path = "../tests/integration/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

use pty::{total, CommandBuilder, Term};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input = std::fs::canonicalize(args.get(1).expect("usage: review_latency QUESTIONS.jsonl [KEYS]")).unwrap();
    let keys: usize = args.get(2).map_or(300, |k| k.parse().expect("KEYS is a number"));
    let dir = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/earnings-qa");
    let mut cmd = CommandBuilder::new(bin);
    cmd.arg("review");
    cmd.arg(&input);
    // A labels folder of its own: review would otherwise find the repo's.
    std::fs::create_dir(dir.path().join("labels")).unwrap();
    cmd.args(["--annotator", "bench", "--order", "uncertain", "--labels", "labels"]);
    cmd.cwd(dir.path());
    let start = Instant::now();
    let mut t = Term::spawn(cmd, 24, 80);
    let n = total(&t.wait_for(" 0/"));
    println!(
        "{n} questions loaded; first screen after {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let mut times = Vec::with_capacity(keys);
    for k in 1..=keys {
        let key = ["1", "2", "3", "\r"][k % 4];
        let pressed = Instant::now();
        t.keys(key);
        t.wait_for(&format!(" {k}/{n} done"));
        times.push(pressed.elapsed());
    }
    // Undo scans the queue for the latest decision: the slowest key.
    let undos = keys.min(50);
    let mut undo_times = Vec::with_capacity(undos);
    for k in 1..=undos {
        let pressed = Instant::now();
        t.keys("u");
        t.wait_for(&format!(" {}/{n} done", keys - k));
        undo_times.push(pressed.elapsed());
    }
    t.keys("q");
    t.finish();
    report(&format!("{keys} decisions"), times);
    report(&format!("{undos} undos"), undo_times);
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
    println!(
        "{what}: key to next question median {:.1} ms, 95th percentile {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.95),
        ms(*times.last().unwrap())
    );
}
