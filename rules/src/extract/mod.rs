//! What every language's extractor shares: suppression comments. The
//! extractors are in `languages/<language>/extract.rs`.

pub(crate) mod suppress;
