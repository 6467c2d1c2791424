//! The progress bar of `ingestd process`: on stderr, only when stderr is a terminal and there
//! is more than one file, so pipes and logs never see control sequences.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Below this many files a bar is more noise than help.
const MIN_FILES: usize = 2;

/// A bar for `files` files, or a hidden one (all calls are no-ops) when stderr is not a
/// terminal or there are too few files.
pub fn bar(files: usize) -> ProgressBar {
    if !shows_bar(files, std::io::stderr().is_terminal()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(files).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} files ({percent}%), eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Whether a bar is drawn for `files` files when stderr is (or is not) a terminal.
fn shows_bar(files: usize, stderr_is_terminal: bool) -> bool {
    stderr_is_terminal && files >= MIN_FILES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_only_on_a_terminal_and_for_more_than_one_file() {
        assert!(shows_bar(2, true));
        assert!(shows_bar(100, true));
        assert!(!shows_bar(1, true));
        assert!(!shows_bar(0, true));
        assert!(!shows_bar(100, false));
        assert!(bar(1).is_hidden());
    }
}
