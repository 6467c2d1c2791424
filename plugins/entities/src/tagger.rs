//! The tagger: data compiled once, then title and body of each document scanned and resolved.

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use ingestd_sdk::Entity;

use crate::gazetteer::{GazMatch, Gazetteer};
use crate::lexicon::Lexicon;
use crate::mention::Mention;
use crate::resolve::{Tagged, resolve};
use crate::scanner::{Scanner, align};
use crate::tokens::{Token, tokenize_lines};

/// Phrases of share and subscribe prompts: a short line containing one is not tagged, so
/// "Follow us on Twitter" never yields an entity.
const PROMPTS: [&str; 9] = [
    "follow us",
    "subscribe",
    "share this",
    "share button",
    "click here",
    "click the",
    "sign up",
    "newsletter",
    "join us on",
];

/// A thread keeps each buffer between documents up to this many entries (1 MiB of tokens,
/// 768 KiB of aligned matches); a bigger one, from a huge document, is freed.
const MAX_KEPT_TOKENS: usize = 32_768;

/// Lines longer than this are prose even if they mention a prompt phrase.
const PROMPT_LINE_MAX: usize = 300;

/// Why the tagger could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// An embedded data file is malformed.
    #[error(transparent)]
    Data(#[from] crate::lexicon::DataError),
    /// The gazetteer automaton could not be compiled.
    #[error(transparent)]
    Gazetteer(#[from] crate::gazetteer::BuildError),
    /// The prompt matcher could not be compiled.
    #[error("prompt matcher: {0}")]
    Prompts(#[from] aho_corasick::BuildError),
}

/// Limits that bound the work and output per document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entities reported (the most mentioned are kept).
    pub max_entities: usize,
    /// Most mentions collected per text; later ones are ignored.
    pub max_mentions: usize,
}

/// The per-thread buffers of [`Tagger::scan`], kept between documents.
#[derive(Debug)]
struct Scratch {
    /// The tokens of the text.
    tokens: Vec<Token>,
    /// Its gazetteer matches.
    matches: Vec<GazMatch>,
    /// The matches aligned to the tokens (see `Scanner::new`).
    gaz_at: Vec<Option<(usize, usize)>>,
}

impl Scratch {
    const fn new() -> Scratch {
        Scratch {
            tokens: Vec::new(),
            matches: Vec::new(),
            gaz_at: Vec::new(),
        }
    }

    /// Frees the buffers a huge document grew past [`MAX_KEPT_TOKENS`] entries.
    fn trim(&mut self) {
        fn free_if_grown<T>(buffer: &mut Vec<T>) {
            if buffer.capacity() > MAX_KEPT_TOKENS {
                *buffer = Vec::new();
            }
        }
        free_if_grown(&mut self.tokens);
        free_if_grown(&mut self.matches);
        free_if_grown(&mut self.gaz_at);
    }
}

/// A compiled tagger, shared by all worker threads.
#[derive(Debug)]
pub struct Tagger {
    lex: Lexicon,
    gaz: Gazetteer,
    prompts: AhoCorasick,
}

impl Tagger {
    /// Parses the embedded data and compiles the automata.
    pub fn new() -> Result<Tagger, BuildError> {
        let mut lex = Lexicon::load()?;
        let gaz = Gazetteer::new(std::mem::take(&mut lex.entries))?;
        let prompts = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(PROMPTS)?;
        Ok(Tagger { lex, gaz, prompts })
    }

    fn is_prompt(&self, line: &str) -> bool {
        line.len() <= PROMPT_LINE_MAX && self.prompts.is_match(line)
    }

    /// Mentions in one text.
    fn scan(&self, text: &str, limit: usize, title_case: bool) -> Vec<Mention> {
        thread_local! {
            /// The buffers of this thread, reused from document to document.
            static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
        }
        SCRATCH.with(|cell| {
            // Fresh buffers if this thread is already inside a scan (it never is).
            let mut fresh = Scratch::new();
            let mut reused = cell.try_borrow_mut().ok();
            let scratch = reused.as_deref_mut().unwrap_or(&mut fresh);
            let Scratch {
                tokens,
                matches,
                gaz_at,
            } = scratch;
            tokens.clear();
            tokenize_lines(text, |line| self.is_prompt(line), tokens);
            matches.clear();
            self.gaz.find_into(text, matches);
            align(tokens, matches, gaz_at);
            let mentions = Scanner::new(
                &self.lex, &self.gaz, text, tokens, gaz_at, limit, title_case,
            )
            .run();
            scratch.trim();
            mentions
        })
    }

    /// Entities of a document: title mentions are counted, body mentions also get spans.
    pub fn tag(&self, title: Option<&str>, body: &str, limits: Limits) -> Vec<Entity> {
        let title = title.unwrap_or_default();
        let title_mentions = self.scan(title, limits.max_mentions, true);
        let body_mentions = self.scan(body, limits.max_mentions, false);
        let texts = [
            Tagged {
                text: title,
                mentions: &title_mentions,
                is_body: false,
            },
            Tagged {
                text: body,
                mentions: &body_mentions,
                is_body: true,
            },
        ];
        resolve(&self.lex, &self.gaz, &texts, limits.max_entities)
    }
}
