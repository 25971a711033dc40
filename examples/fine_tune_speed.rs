//! How fast the encoder fine-tunes on this machine: the frozen layers'
//! pass over the texts, then one epoch of training the top layers (batches
//! of 16, as `train` runs them), each timed on its own. The labels cycle
//! through the three classes: speed does not depend on them.
//! `scripts/bench-finetune.sh` runs it.
//!
//! `cargo run --release --example fine_tune_speed -- QUESTIONS.jsonl ENCODER_DIR [LAYERS] [TEXTS]`
//! (ENCODER_DIR is models/all-MiniLM-L6-v2 or models/all-mpnet-base-v2)

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

use earnings_qa::labels::Label;
use earnings_qa::model::encoder;
use earnings_qa::model::finetune::{Options, Tuner};
use earnings_qa::model::Device;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: fine_tune_speed QUESTIONS.jsonl ENCODER_DIR [LAYERS] [TEXTS]";
    let questions = std::fs::File::open(args.get(1).expect(usage)).expect("QUESTIONS.jsonl opens");
    let dir = Path::new(args.get(2).expect(usage));
    let layers: usize = args.get(3).map_or(2, |n| n.parse().expect("LAYERS is a number"));
    let count: usize = args.get(4).map_or(512, |n| n.parse().expect("TEXTS is a number"));
    let spec = if dir.ends_with(encoder::MPNET.dir) {
        &encoder::MPNET
    } else {
        &encoder::MINILM
    };
    let texts: Vec<String> = std::io::BufReader::new(questions)
        .lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(&l.expect("readable")).expect("a JSON line");
            row["text"].as_str().expect("a question's text").to_owned()
        })
        .take(count)
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let opts = Options {
        layers,
        epochs: 1,
        ..Default::default()
    };
    let batch = opts.batch_size;
    let start = Instant::now();
    let tuner = Tuner::new(spec, dir, &refs, opts, None, false, |_| {}, &Device::Cpu).expect("the tuner loads");
    let frozen = start.elapsed().as_secs_f64();
    let labels: Vec<Label> = (0..refs.len()).map(|i| Label::ALL[i % 3]).collect();
    let train: Vec<usize> = (0..refs.len()).collect();
    let start = Instant::now();
    tuner.tune(&train, &labels).expect("one epoch trains");
    let tuning = start.elapsed().as_secs_f64();
    let steps = refs.len().div_ceil(batch);
    println!(
        "{}, top {layers} of {} layers tuned, {} texts, {} rayon threads",
        spec.name,
        tuner.encoder_layers(),
        refs.len(),
        rayon::current_num_threads()
    );
    println!(
        "frozen layers: {frozen:.1} s ({:.1} texts/s, weights loading included)",
        refs.len() as f64 / frozen
    );
    println!(
        "fine-tuning: {tuning:.1} s for {steps} steps of {batch} ({:.2} steps/s, {:.1} texts/s)",
        steps as f64 / tuning,
        refs.len() as f64 / tuning
    );
}
