//! The inbox: which names count, when a file is ready, and claiming it for processing.

pub mod claim;
pub mod names;
pub mod ready;
