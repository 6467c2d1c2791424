//! The progress bar of `ingestd process`: on stderr, only when stderr is a terminal and there
//! is more than one file, so pipes and logs never see control sequences.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Below this many files a bar is more noise than help.
const MIN_FILES: usize = 2;

/// A bar for `files` files, or a hidden one (all calls are no-ops) when stderr is not a
/// terminal or there are too few files.
pub fn bar(files: usize) -> ProgressBar {
    if files < MIN_FILES || !std::io::stderr().is_terminal() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_or_no_terminal_means_no_bar() {
        assert!(bar(1).is_hidden());
        // Under `cargo test` stderr is captured, not a terminal.
        if !std::io::stderr().is_terminal() {
            assert!(bar(100).is_hidden());
        }
    }
}
