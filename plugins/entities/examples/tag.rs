//! Runs the bundled chain (outlet rules, cleanup) and then entities over article files and
//! prints the entities: `cargo run -p entities --example tag -- FILE...`.

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let chain = common::Chain::new();
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let doc = chain.run(&path, &text);
        println!(
            "== {path}: {}",
            doc.title.as_deref().unwrap_or("(no title)")
        );
        for e in &doc.entities {
            println!("{:>3}  {:<7} {}", e.count, e.label, e.text);
        }
    }
}
