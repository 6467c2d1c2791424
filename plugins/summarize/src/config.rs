//! The plugin's configuration (`[chain.config]`), its defaults and its validation.

use serde::Deserialize;

use crate::error::ConfigError;
use crate::select::Budget;

/// Which summarizer produces `summary`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// The built-in extractive summarizer.
    #[default]
    Extractive,
    /// An external command (a script, or a client of a local model server).
    Command,
}

/// What the external command reads on stdin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandInput {
    /// One JSON object: `id`, `title`, `language`, `body`, `paragraphs`, `max_chars`,
    /// `min_sentences`, `max_sentences` (`body` is the paragraphs joined by blank lines).
    #[default]
    Json,
    /// Plain text: the title, a blank line, the body (the paragraphs joined by blank lines).
    Text,
}

/// Configuration of the `summarize` plugin.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `extractive` (default) or `command`.
    pub engine: EngineKind,
    /// Longest summary, in characters (Unicode scalar values). Default 600.
    pub max_chars: usize,
    /// Sentences wanted at least, when they fit. Default 2.
    pub min_sentences: usize,
    /// Sentences taken at most. Default 3.
    pub max_sentences: usize,
    /// How many leading text paragraphs count as the lead; the summary opens with the best
    /// lead sentence. 0 turns the anchor off. Default 3.
    pub lead_paragraphs: usize,
    /// Sentences read at most per document (bounds time and memory). Default 2000.
    pub scan_sentences: usize,
    /// For `engine = "command"`: program and arguments, e.g. `["/usr/local/bin/summarize"]`.
    pub command: Vec<String>,
    /// For `engine = "command"`: time limit per document, in milliseconds. Default 10000.
    pub timeout_ms: u64,
    /// For `engine = "command"`: what the command reads on stdin. Default `json`.
    pub command_input: CommandInput,
    /// For `engine = "command"`: on failure or timeout, log a warning and use the extractive
    /// summary instead of failing the document. Default true.
    pub fallback: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            engine: EngineKind::Extractive,
            max_chars: 600,
            min_sentences: 2,
            max_sentences: 3,
            lead_paragraphs: 3,
            scan_sentences: 2000,
            command: Vec::new(),
            timeout_ms: 10_000,
            command_input: CommandInput::Json,
            fallback: true,
        }
    }
}

impl Config {
    /// Checks ranges and combinations; the error names the option.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let range = |key, value: u64, lo: u64, hi: u64, expected| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange {
                    key,
                    value,
                    expected,
                })
            }
        };
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        range("max_chars", n(self.max_chars), 40, 100_000, "40 to 100000")?;
        range("min_sentences", n(self.min_sentences), 1, 50, "1 to 50")?;
        range("max_sentences", n(self.max_sentences), 1, 50, "1 to 50")?;
        range(
            "lead_paragraphs",
            n(self.lead_paragraphs),
            0,
            1000,
            "0 to 1000",
        )?;
        range(
            "scan_sentences",
            n(self.scan_sentences),
            1,
            1_000_000,
            "1 to 1000000",
        )?;
        range("timeout_ms", self.timeout_ms, 1, 600_000, "1 to 600000")?;
        if self.min_sentences > self.max_sentences {
            return Err(ConfigError::MinAboveMax {
                min: self.min_sentences,
                max: self.max_sentences,
            });
        }
        if self.engine == EngineKind::Command && self.command.first().is_none_or(String::is_empty) {
            return Err(ConfigError::MissingCommand);
        }
        Ok(())
    }

    /// The summary size this configuration asks for.
    pub fn budget(&self) -> Budget {
        Budget {
            max_chars: self.max_chars,
            min_sentences: self.min_sentences,
            max_sentences: self.max_sentences,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Config {
        ingestd_sdk::parse_config(json.as_bytes()).unwrap()
    }

    #[test]
    fn defaults_follow_the_issue() {
        let c = parse("{}");
        assert_eq!((c.max_chars, c.min_sentences, c.max_sentences), (600, 2, 3));
        assert_eq!(c.engine, EngineKind::Extractive);
        assert!(c.fallback);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn bad_values_name_the_key() {
        let err = parse(r#"{"max_chars": 5}"#).validate().unwrap_err();
        assert!(err.to_string().contains("max_chars"), "{err}");
        let err = parse(r#"{"min_sentences": 4}"#).validate().unwrap_err();
        assert!(err.to_string().contains("min_sentences"), "{err}");
        assert_eq!(
            parse(r#"{"engine": "command"}"#).validate(),
            Err(ConfigError::MissingCommand)
        );
        assert!(ingestd_sdk::parse_config::<Config>(br#"{"engine": "gpt"}"#).is_err());
    }

    #[test]
    fn command_options_parse() {
        let c = parse(
            r#"{"engine": "command", "command": ["/bin/cat"], "timeout_ms": 50,
                "command_input": "text", "fallback": false}"#,
        );
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.command_input, CommandInput::Text);
    }
}
