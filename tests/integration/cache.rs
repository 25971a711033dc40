//! The embedding cache as `classify` uses it: a corrupt record dropped and
//! encoded again, the work of a killed run kept, concurrent runs' records
//! all kept.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use earnings_qa::aggregate::Classified;

use crate::classify::{classify, dev_call};
use crate::test::{json_lines, Test};
use crate::{s, source};

/// Bytes of one record: a 16-byte key and a 384-d float32 embedding.
const RECORD: u64 = 16 + 4 * 384;

/// The one cache file in `dir`, and its whole records.
fn cache_records(dir: &Path) -> (PathBuf, usize) {
    let file = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    let len = std::fs::metadata(&file).unwrap().len();
    assert_eq!(len % RECORD, 0, "whole records only");
    (file, (len / RECORD) as usize)
}

fn labels_and_probs(out: &[Classified]) -> Vec<(String, Vec<f64>)> {
    out.iter()
        .map(|c| {
            let p = c.probs.as_array().iter().map(|&x| x as f64).collect();
            (c.label.name().to_owned(), p)
        })
        .collect()
}

#[test]
fn a_corrupt_cache_record_is_dropped_encoded_again_and_named() {
    let Some(call) = dev_call() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let run = || classify().arg(&call).args(["--cache-dir", s(&cache)]).run();
    let first = run();
    // A stray write: the first record's embedding becomes NaN.
    let (file, n) = cache_records(&cache);
    let mut bytes = std::fs::read(&file).unwrap();
    for b in bytes[16..16 + 4 * 384].chunks_mut(4) {
        b.copy_from_slice(&f32::NAN.to_le_bytes());
    }
    std::fs::write(&file, bytes).unwrap();

    let second = run();
    assert!(
        second.stderr.contains("1 corrupt embedding record dropped"),
        "{}",
        second.stderr
    );
    for ((l1, p1), (l2, p2)) in labels_and_probs(&first.classified())
        .iter()
        .zip(labels_and_probs(&second.classified()))
    {
        assert_eq!(*l1, l2);
        assert!(p1.iter().zip(&p2).all(|(a, b)| (a - b).abs() < 1e-4), "{p1:?} {p2:?}");
    }
    // Encoded again and appended: the next run finds nothing wrong.
    assert_eq!(cache_records(&cache).1, n + 1);
    let third = run();
    assert!(!third.stderr.contains("corrupt"), "{}", third.stderr);
}

/// Four `dev` calls, about 65 questions.
fn dev_calls() -> Option<Vec<PathBuf>> {
    let sources = source("")?;
    let calls = [
        "vanillefatale/1Q25/META_1Q25_translated_output.txt",
        "vanillefatale/2Q25/GOOG_2Q25_translated_output.txt",
        "asr/GOOG_2024_Q3.txt",
        "asr/META_2024_Q3.txt",
    ];
    Some(calls.iter().map(|f| sources.join(f)).collect())
}

#[test]
fn the_cache_keeps_the_work_of_an_interrupted_run() {
    let Some(calls) = dev_calls() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let test = classify()
        .args(&calls)
        .args(["--cache-dir", s(&cache), "--batch-size", "1", "--threads", "1"])
        .args(["--precision", "f32"]);
    let mut child = test
        .command()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The cache file's name depends on the encoder and the head's delta:
    // whatever the folder holds is the cache.
    let held = || {
        std::fs::read_dir(&cache).map_or(0, |d| {
            d.flatten().map(|e| e.metadata().map_or(0, |m| m.len())).sum::<u64>()
        })
    };
    // Records reach the file while the run is still encoding: some, not all.
    let first_seen = loop {
        let len = held();
        if len > 0 || child.try_wait().unwrap().is_some() {
            break len / RECORD;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let questions = Test::new().arg("questions").args(&calls).run().questions();
    let texts: HashSet<String> = questions.into_iter().map(|q| q.text).collect();
    assert!(
        first_seen > 0 && (first_seen as usize) < texts.len(),
        "{first_seen} of {} embeddings cached when the file first held any",
        texts.len()
    );
    assert!(cache_records(&cache).1 > 0);
}

#[test]
fn concurrent_runs_keep_each_others_records() {
    let Some(calls) = dev_calls() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let children: Vec<_> = calls
        .chunks(2)
        .map(|files| {
            let test = classify()
                .args(files)
                .args(["--cache-dir", s(&cache), "--threads", "1"]);
            let child = test
                .command()
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            (test, child)
        })
        .collect();
    let mut texts = HashSet::new();
    for (_test, child) in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let classified: Vec<Classified> = json_lines(&String::from_utf8(out.stdout).unwrap());
        texts.extend(classified.into_iter().map(|c| c.question.text));
    }
    assert!(texts.len() > 40);
    assert_eq!(
        cache_records(&cache).1,
        texts.len(),
        "every question encoded is in the cache"
    );
}
