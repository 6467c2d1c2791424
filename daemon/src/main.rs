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
            eprintln!("ingestd: error: {}", error_chain(&err));
            ExitCode::from(commands::EXIT_CONFIG)
        }
    }
}

/// The error and its causes joined by ": ", leaving out a cause whose text the message
/// before it already quotes (most of the library's errors quote their source).
fn error_chain(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::error_chain;

    #[derive(Debug, thiserror::Error)]
    #[error("plugin dedup: could not start: {source}")]
    struct Quoting {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_is_shown_once_whether_or_not_the_message_quotes_it() {
        let quoted = anyhow::Error::new(Quoting {
            source: std::io::Error::other("filter_mb must be at most 65536"),
        });
        assert_eq!(
            error_chain(&quoted),
            "plugin dedup: could not start: filter_mb must be at most 65536"
        );
        let context = anyhow::Error::new(std::io::Error::other("permission denied"))
            .context("cannot read config/ingestd.toml");
        assert_eq!(
            error_chain(&context),
            "cannot read config/ingestd.toml: permission denied"
        );
    }
}
