//! `earnings-qa eval` (stub: being built).

use super::Outcome;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<Outcome> {
    anyhow::bail!("not built yet")
}
