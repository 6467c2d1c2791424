//! What the cleanup examples share: cleanup as the bundled config runs it, and a folder of
//! articles as the host turns them into documents.

use cleanup::Cleanup;
use ingestd_sdk::testing::read_corpus;
use ingestd_sdk::{Document, Host, Plugin};

/// Cleanup with the three bundled outlets built in, as `config/ingestd.toml` configures it.
pub(crate) fn bundled_cleanup() -> Result<Cleanup, Box<dyn std::error::Error>> {
    let config = ingestd_sdk::parse_config(br#"{"outlets": ["globalresearch", "reprint", "rfa"]}"#)
        .map_err(|e| e.message)?;
    Ok(Cleanup::new(config, Host::detached())?)
}

/// The files of `dir` in name order, decoded as the host decodes a source.
pub(crate) fn corpus_documents(dir: &str) -> Result<Vec<Document>, Box<dyn std::error::Error>> {
    let mut docs = Vec::new();
    for (name, bytes) in read_corpus(dir.as_ref())? {
        docs.push(Document::from_source(
            &name,
            &bytes,
            "2024-01-01T00:00:00Z",
        )?);
    }
    Ok(docs)
}
