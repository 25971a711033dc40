//! The `earnings-qa` binary: parses arguments, runs one subcommand of the
//! library, maps the outcome to an exit code.
//!
//! Exit codes: 0 everything read; 1 finished, but some input was skipped
//! (each skip was named on stderr); 2 error, nothing trustworthy written.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use earnings_qa::pipeline::Outcome;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("earnings-qa: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
