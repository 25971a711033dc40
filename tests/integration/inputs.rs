//! `earnings-qa questions` on what is not a clean transcript: bad files,
//! other encodings, links, FIFOs and folders to walk. Each bad input gets
//! one diagnostic naming it, and the rest of the batch goes on.

use std::fs;
use std::path::{Path, PathBuf};

use crate::questions::{questions, CAPIQ, MOTLEYFOOL};
use crate::test::Output;
use crate::{s, source};

/// A transcript of our own, remarks only (not a real call).
const REMARKS_ONLY: &str = "Example Corp (EXMP) Q1 2025 Earnings Call May 1, 2025 5:00 PM ET\n\nCompany Participants\n\nPat Example - Chief Executive Officer\n\nPresentation\n\nOperator\n\nWelcome to the illustrative call.\n\nPat Example\n\nRevenue grew. Thank you all for joining; there will be no questions today.\n";

/// Bad inputs, one per file, with the words their diagnostic must hold.
fn bad_inputs(dir: &Path, sources: &Path) -> Vec<(PathBuf, &'static str)> {
    let json = fs::read_to_string(sources.join(MOTLEYFOOL)).unwrap();
    let files = [
        ("empty.txt", Vec::new(), "empty file"),
        (
            "binary.txt",
            vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0],
            "binary file",
        ),
        (
            "remarks_only.txt",
            REMARKS_ONLY.as_bytes().to_vec(),
            "only prepared remarks",
        ),
        (
            "truncated_q3_2022.txt",
            json.as_bytes()[..json.len() / 2].to_vec(),
            "truncated JSON",
        ),
        (
            "shopping_list.txt",
            b"eggs\nmilk\nbread\n".to_vec(),
            "no known transcript layout",
        ),
    ];
    let mut out: Vec<(PathBuf, &str)> = files
        .into_iter()
        .map(|(name, bytes, why)| {
            let p = dir.join(name);
            fs::write(&p, bytes).unwrap();
            (p, why)
        })
        .collect();
    // 200 MB without writing 200 MB: a sparse file.
    let huge = dir.join("huge.txt");
    fs::File::create(&huge).unwrap().set_len(200 * 1024 * 1024).unwrap();
    out.push((huge, "over the"));
    out
}

#[test]
fn each_bad_input_gets_one_diagnostic_and_exit_code_1() {
    let Some(sources) = source("") else { return };
    let dir = tempfile::tempdir().unwrap();
    for (path, why) in bad_inputs(dir.path(), &sources) {
        let r = questions().args([&path]).expect_status(1).run();
        assert!(r.stdout.is_empty());
        let diagnostics: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("earnings-qa: skipped"))
            .collect();
        assert_eq!(diagnostics.len(), 1, "{}", r.stderr);
        assert!(
            diagnostics[0].contains(s(&path)) && diagnostics[0].contains(why),
            "{}: {}",
            why,
            diagnostics[0]
        );
        assert_eq!(r.summary(), [1, usize::from(why == "only prepared remarks"), 0, 1]);
    }
}

#[test]
fn windows_1252_and_utf16_transcripts_read_like_utf8() {
    let Some(capiq) = source(CAPIQ) else { return };
    let text = fs::read_to_string(&capiq).unwrap();
    let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    let mut bom = vec![0xff, 0xfe];
    bom.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let files: [(&str, Vec<u8>); 4] = [
        ("win1252.txt", cp1252.into_owned()),
        ("utf16.txt", bom),
        // Without a BOM, in either byte order: text, not a binary file.
        ("utf16le.txt", text.encode_utf16().flat_map(u16::to_le_bytes).collect()),
        ("utf16be.txt", text.encode_utf16().flat_map(u16::to_be_bytes).collect()),
    ];
    let texts = |r: Output| -> Vec<(String, String)> { r.questions().into_iter().map(|q| (q.id, q.text)).collect() };
    let utf8 = texts(questions().args([&capiq]).run());
    assert!(!utf8.is_empty());
    for (name, bytes) in files {
        assert_eq!(texts(questions().args([name]).file(name, bytes).run()), utf8, "{name}");
    }
}

#[test]
fn mixed_folder_reads_the_good_files_and_counts_everything() {
    let Some(sources) = source("") else { return };
    let good = questions()
        .args([sources.join(CAPIQ), sources.join(MOTLEYFOOL)])
        .run()
        .questions()
        .len();
    let test = questions()
        .file("nested/ALAB_3Q25.txt", fs::read(sources.join(CAPIQ)).unwrap())
        .file("VMW_q3_2022.txt", fs::read(sources.join(MOTLEYFOOL)).unwrap());
    let bad = bad_inputs(test.path(), &sources);
    let dir = test.path().to_owned();
    let r = test.arg(&dir).expect_status(1).run();
    assert_eq!(r.questions().len(), good);
    for (path, _) in &bad {
        assert_eq!(
            r.stderr.lines().filter(|l| l.contains(s(path))).count(),
            1,
            "{}",
            path.display()
        );
    }
    // Files: the good two and the bad ones; calls: the good two and the remarks-only one.
    assert_eq!(r.summary(), [bad.len() + 2, 3, good, bad.len()]);
}

#[test]
fn links_are_followed_and_what_cannot_be_read_is_named() {
    use std::os::unix::fs::symlink;
    let Some(avgo) = source("asr/AVGO_2024_Q4.txt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A link to a transcript, given as the PATH: read.
    symlink(&avgo, d.join("AVGO_2024_Q4.txt")).unwrap();
    let r = questions().args([d.join("AVGO_2024_Q4.txt")]).run();
    assert_eq!(r.summary(), [1, 1, r.questions().len(), 0], "{}", r.stderr);
    assert!(!r.questions().is_empty());
    // In a folder: the link read, a broken link, a FIFO and a loop each named and skipped.
    symlink(d.join("nowhere.txt"), d.join("broken.txt")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(d.join("pipe"))
        .status()
        .unwrap()
        .success());
    fs::create_dir(d.join("sub")).unwrap();
    symlink("..", d.join("sub/loop")).unwrap();
    let r = questions().args([d]).expect_status(1).run();
    assert_eq!(r.summary(), [4, 1, r.questions().len(), 3], "{}", r.stderr);
    for (name, why) in [("broken.txt", "broken link"), ("pipe", "FIFO"), ("loop", "link loop")] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains("skipped") && l.contains(name) && l.contains(why)),
            "{name}: {}",
            r.stderr
        );
    }
    // A FIFO given as the PATH is named, not read (reading would wait forever).
    let r = questions().args([d.join("pipe")]).expect_status(1).run();
    assert!(r.stderr.contains("FIFO"), "{}", r.stderr);
}

#[test]
fn the_default_walk_leaves_out_hidden_and_ignored_folders() {
    let Some(capiq) = source(CAPIQ) else { return };
    let transcript = fs::read(capiq).unwrap();
    // A repository with a transcript, a build folder .gitignore names, and hidden folders.
    let r = questions()
        .folder(".git")
        .file(".gitignore", "/target\n")
        .file("target/ALAB_3Q25.txt", &transcript)
        .file(".cache/ALAB_3Q25.txt", &transcript)
        .file("calls/ALAB_3Q25.txt", &transcript)
        .run();
    assert_eq!(r.stderr.lines().count(), 1, "only the summary: {}", r.stderr);
    assert!(
        r.stderr.starts_with("earnings-qa: 1 file read, 1 call found"),
        "{}",
        r.stderr
    );
}
