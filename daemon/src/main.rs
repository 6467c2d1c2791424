//! The `ingestd` command: parses the command line and hands over to the library.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match commands::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ingestd: error: {err:#}");
            ExitCode::from(commands::EXIT_CONFIG)
        }
    }
}
