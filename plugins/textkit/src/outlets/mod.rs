//! Rules of the bundled outlet plugins, one module per outlet family.

mod globalresearch;
mod reprint;
mod rfa;

pub use globalresearch::GlobalResearch;
pub use reprint::Reprint;
pub use rfa::Rfa;

use crate::cleaner::{Block, Note};

/// Text blocks (not metadata, not boilerplate) among `notes`, by index.
pub(crate) fn text_indices(notes: &[Note]) -> impl Iterator<Item = usize> + '_ {
    notes
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == Note::Text)
        .map(|(i, _)| i)
}

/// True when the block ends like a sentence.
pub(crate) fn punctuated(block: &Block) -> bool {
    block
        .text
        .trim_end_matches(['"', '”', '’', ')'])
        .ends_with(['.', '!', '?', '…'])
}
