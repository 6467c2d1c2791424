//! The `command` engine: an external program writes the summary.
//!
//! Per document the program is started with the configured arguments, reads the document on
//! stdin (JSON or plain text, see [`CommandInput`]) and writes the summary on stdout, exit
//! status 0. Stdout is read up to [`MAX_OUTPUT_BYTES`] and stderr up to [`MAX_STDERR_BYTES`]
//! (the rest is drained and dropped, so memory stays bounded); the summary is whitespace-
//! collapsed and, if longer than `max_chars`, cut at a word boundary with "…". A program still
//! running after `timeout_ms` is killed. Helper threads that read pipes a killed program's own
//! children still hold are left to end on their own; nothing waits for them.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ingestd_sdk::{Document, Paragraph};
use serde::Serialize;

use crate::config::CommandInput;
use crate::engine::Summarizer;
use crate::error::SummarizeError;
use crate::select::{Budget, collapse_whitespace, truncate_at_word};

/// Most bytes of stdout read as the summary.
pub const MAX_OUTPUT_BYTES: u64 = 256 * 1024;
/// Most bytes of stderr kept for the error message.
pub const MAX_STDERR_BYTES: u64 = 2048;
/// Longest pause between two checks of a running program.
const MAX_POLL: Duration = Duration::from_millis(20);

/// What the program reads on stdin with `command_input = "json"`.
#[derive(Debug, Serialize)]
struct Request<'a> {
    id: &'a str,
    title: Option<&'a str>,
    language: Option<&'a str>,
    body: &'a str,
    paragraphs: &'a [Paragraph],
    max_chars: usize,
    min_sentences: usize,
    max_sentences: usize,
}

/// Runs an external program per document.
#[derive(Debug, Clone)]
pub struct CommandSummarizer {
    argv: Vec<String>,
    timeout: Duration,
    input: CommandInput,
    budget: Budget,
}

impl CommandSummarizer {
    /// A summarizer running `argv` (program first; must not be empty, the configuration
    /// checks it) with a time limit per document.
    pub fn new(argv: Vec<String>, timeout: Duration, input: CommandInput, budget: Budget) -> Self {
        CommandSummarizer {
            argv,
            timeout,
            input,
            budget,
        }
    }

    fn program(&self) -> String {
        self.argv.first().cloned().unwrap_or_default()
    }

    fn request(&self, doc: &Document) -> Result<Vec<u8>, SummarizeError> {
        // The plugin does not read the body (it is the paragraphs joined): join them here.
        let body = if doc.body.is_empty() {
            Cow::Owned(Document::body_from_paragraphs(&doc.paragraphs))
        } else {
            Cow::Borrowed(doc.body.as_str())
        };
        Ok(match self.input {
            CommandInput::Json => serde_json::to_vec(&Request {
                id: &doc.id,
                title: doc.title.as_deref(),
                language: doc.language.as_deref(),
                body: &body,
                paragraphs: &doc.paragraphs,
                max_chars: self.budget.max_chars,
                min_sentences: self.budget.min_sentences,
                max_sentences: self.budget.max_sentences,
            })?,
            CommandInput::Text => {
                format!("{}\n\n{}", doc.title.as_deref().unwrap_or(""), body).into_bytes()
            }
        })
    }

    /// Waits for `child` until `deadline`; kills it when the time is up.
    fn wait(&self, child: &mut Child, deadline: Instant) -> Result<ExitStatus, SummarizeError> {
        let mut pause = Duration::from_millis(1);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) => {}
                Err(source) => {
                    return Err(SummarizeError::Wait {
                        program: self.program(),
                        source,
                    });
                }
            }
            let now = Instant::now();
            if now >= deadline {
                // Best effort: the child may have exited in between.
                let _ = child.kill();
                let _ = child.wait();
                return Err(self.timeout_error());
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    fn timeout_error(&self) -> SummarizeError {
        SummarizeError::Timeout {
            program: self.program(),
            timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// Reads at most `limit` bytes of `pipe` on a thread, drains the rest, sends the bytes.
fn read_capped(mut pipe: impl Read + Send + 'static, limit: u64) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut pipe).take(limit).read_to_end(&mut bytes);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        let _ = tx.send(bytes);
    });
    rx
}

impl Summarizer for CommandSummarizer {
    fn name(&self) -> &'static str {
        "command"
    }

    fn summarize(&self, doc: &Document) -> Result<Option<String>, SummarizeError> {
        let request = self.request(doc)?;
        let deadline = Instant::now() + self.timeout;
        let Some((program, args)) = self.argv.split_first() else {
            return Err(SummarizeError::Spawn {
                program: String::new(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"),
            });
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| SummarizeError::Spawn {
                program: self.program(),
                source,
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            // A program that does not read its input gets a broken pipe, not a hang.
            std::thread::spawn(move || {
                let _ = stdin.write_all(&request);
            });
        }
        let stdout = child
            .stdout
            .take()
            .map(|p| read_capped(p, MAX_OUTPUT_BYTES));
        let stderr = child
            .stderr
            .take()
            .map(|p| read_capped(p, MAX_STDERR_BYTES));
        let status = self.wait(&mut child, deadline)?;
        let remaining = || deadline.saturating_duration_since(Instant::now());
        let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| -> Result<Vec<u8>, SummarizeError> {
            match rx.map(|rx| rx.recv_timeout(remaining())) {
                None => Ok(Vec::new()),
                Some(Ok(bytes)) => Ok(bytes),
                Some(Err(mpsc::RecvTimeoutError::Timeout)) => Err(self.timeout_error()),
                Some(Err(mpsc::RecvTimeoutError::Disconnected)) => Ok(Vec::new()),
            }
        };
        let out = collect(stdout)?;
        if !status.success() {
            let err = collect(stderr).unwrap_or_default();
            return Err(SummarizeError::Failed {
                program: self.program(),
                status: status.to_string(),
                stderr: collapse_whitespace(&String::from_utf8_lossy(&err)),
            });
        }
        let text = std::str::from_utf8(&out).map_err(|_| SummarizeError::BadOutput {
            program: self.program(),
            reason: "stdout is not UTF-8",
        })?;
        let summary = collapse_whitespace(text);
        if summary.is_empty() {
            return Err(SummarizeError::BadOutput {
                program: self.program(),
                reason: "stdout is empty",
            });
        }
        Ok(Some(truncate_at_word(&summary, self.budget.max_chars)))
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    const BUDGET: Budget = Budget {
        max_chars: 60,
        min_sentences: 2,
        max_sentences: 3,
    };

    fn sh(script: &str, timeout_ms: u64, input: CommandInput) -> CommandSummarizer {
        CommandSummarizer::new(
            vec!["/bin/sh".into(), "-c".into(), script.into()],
            Duration::from_millis(timeout_ms),
            input,
            BUDGET,
        )
    }

    fn doc() -> Document {
        Document {
            id: "abc".into(),
            title: Some("Title here".into()),
            body: "Body text.".into(),
            paragraphs: vec![Paragraph::text("Body text.")],
            ..Document::default()
        }
    }

    #[test]
    fn text_input_and_output() {
        let s = sh("tr 'a-z' 'A-Z'", 5000, CommandInput::Text);
        assert_eq!(
            s.summarize(&doc()).unwrap().as_deref(),
            Some("TITLE HERE BODY TEXT.")
        );
    }

    #[test]
    fn json_input_carries_the_document_and_budget() {
        let s = sh("cat", 5000, CommandInput::Json);
        let out = s.summarize(&doc()).unwrap().unwrap_or_default();
        assert!(out.starts_with("{\"id\":\"abc\""), "{out}");
        assert!(out.ends_with('…'), "cut to max_chars: {out}");
        assert!(out.chars().count() <= BUDGET.max_chars);
    }

    #[test]
    fn the_body_the_plugin_does_not_read_is_joined_from_the_paragraphs() {
        let mut d = doc();
        d.body.clear();
        d.paragraphs = vec![Paragraph::heading("Head"), Paragraph::text("Body text.")];
        let s = sh("cat", 5000, CommandInput::Json);
        let request: serde_json::Value = serde_json::from_slice(&s.request(&d).unwrap()).unwrap();
        assert_eq!(request["body"], "Head\n\nBody text.");
        assert_eq!(request["paragraphs"][0]["kind"], "heading");
        let s = sh("cat", 5000, CommandInput::Text);
        assert_eq!(s.request(&d).unwrap(), b"Title here\n\nHead\n\nBody text.");
    }

    fn error_of(script: &str, timeout_ms: u64) -> SummarizeError {
        sh(script, timeout_ms, CommandInput::Json)
            .summarize(&doc())
            .unwrap_err()
    }

    #[test]
    fn failure_status_carries_stderr() {
        let err = error_of("echo model offline >&2; exit 3", 5000);
        assert!(matches!(err, SummarizeError::Failed { .. }), "{err}");
        assert!(err.to_string().contains("model offline"), "{err}");
        assert!(err.retryable());
    }

    #[test]
    fn timeout_kills_the_program() {
        let err = error_of("exec sleep 5", 50);
        assert!(
            matches!(err, SummarizeError::Timeout { timeout_ms: 50, .. }),
            "{err}"
        );
    }

    #[test]
    fn empty_or_binary_output_is_refused() {
        let err = error_of("cat >/dev/null", 5000);
        assert!(matches!(err, SummarizeError::BadOutput { .. }), "{err}");
        assert!(!err.retryable());
        let err = error_of("printf '\\377\\376'", 5000);
        assert!(matches!(err, SummarizeError::BadOutput { .. }), "{err}");
    }

    #[test]
    fn missing_program() {
        let s = CommandSummarizer::new(
            vec!["/nonexistent/summarizer".into()],
            Duration::from_secs(1),
            CommandInput::Json,
            BUDGET,
        );
        assert!(matches!(
            s.summarize(&doc()),
            Err(SummarizeError::Spawn { .. })
        ));
    }

    #[test]
    fn huge_output_is_bounded() {
        let s = sh("yes word | head -c 2000000", 10_000, CommandInput::Text);
        let out = s.summarize(&doc()).unwrap().unwrap_or_default();
        assert!(out.chars().count() <= BUDGET.max_chars);
    }
}
