//! `earnings-qa questions [PATH ...] [--layout auto|NAME] [-o FILE]`:
//! transcripts in, one JSON object per analyst question out (JSON Lines).

use std::io::Write;
use std::path::PathBuf;

use earnings_qa::pipeline::Outcome;

use super::input::InputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let mut out = super::Output::open(args.output.as_deref())?;
    let loaded = args.input.load()?;
    for q in &loaded.questions {
        serde_json::to_writer(&mut out, q)?;
        out.write_all(b"\n")?;
    }
    out.finish()?;
    say!("{}", loaded.counts);
    Ok(loaded.outcome)
}
