//! `earnings-qa questions [PATH ...] [--format auto|NAME] [-o FILE]`:
//! transcripts in, one JSON object per analyst question out (JSON Lines).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::input::InputArgs;
use super::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let loaded = args.input.load()?;
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(out);
    for q in &loaded.questions {
        serde_json::to_writer(&mut out, q)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    eprintln!("earnings-qa: {}", loaded.counts);
    Ok(loaded.outcome)
}
