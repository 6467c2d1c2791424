//! Heap held by each compiled part of the text machinery, and by the per-thread regex caches
//! after a pass over articles: `cargo run --release -p textkit --example footprint -- [FILE...]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use textkit::config::{CleanupConfig, DateOrder, Family};

/// Counts the bytes currently allocated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / 1e6
}

/// Builds a part and prints the heap it holds.
fn measure<T>(name: &str, build: impl FnOnce() -> T) -> T {
    let before = live_mb();
    let value = build();
    println!("{name:<28} {:>7.2} MB", live_mb() - before);
    value
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let markdown = measure("markdown", textkit::markdown::Markdown::new)?;
    let boilerplate = measure("boilerplate", || {
        textkit::boilerplate::Boilerplate::new(&Family::ALL, &[])
    })?;
    let dates = measure("dates", || textkit::dates::DateParser::new(DateOrder::Dmy))?;
    let bylines = measure("bylines", textkit::byline::BylineParser::new)?;
    let sources = measure("sources", textkit::source::SourceParser::new)?;
    let datelines = measure("datelines", textkit::dateline::DatelineParser::new)?;
    let cleaner = measure("whole cleaner", || {
        textkit::Cleaner::new(&CleanupConfig::default())
    })?;
    let mut texts = Vec::new();
    for path in std::env::args().skip(1) {
        texts.push(std::fs::read_to_string(&path)?);
    }
    let blocks: Vec<String> = texts
        .iter()
        .flat_map(|t| cleaner.blocks(t))
        .map(|b| b.text)
        .collect();
    // Each part's match caches after it has seen every block of the articles.
    measure("caches: markdown", || {
        blocks.iter().for_each(|b| {
            std::hint::black_box(markdown.clean_line(b));
        })
    });
    measure("caches: boilerplate", || {
        blocks.iter().for_each(|b| {
            std::hint::black_box(boilerplate.classify(b));
        })
    });
    measure("caches: dates", || {
        blocks.iter().for_each(|b| {
            std::hint::black_box(dates.find(b));
        })
    });
    measure("caches: bylines", || {
        blocks.iter().for_each(|b| {
            std::hint::black_box(bylines.parse(b, &dates));
        })
    });
    measure("caches: sources", || {
        blocks.iter().for_each(|b| {
            std::hint::black_box(sources.parse(b, &dates));
        })
    });
    measure("caches: datelines", || {
        blocks.iter().for_each(|b| {
            std::hint::black_box(datelines.find(b));
        })
    });
    measure("caches: whole cleaner", || {
        texts.iter().for_each(|t| {
            std::hint::black_box(cleaner.extract(t));
        })
    });
    Ok(())
}
