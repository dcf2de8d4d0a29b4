//! The facts cache: per-file facts keyed by content hash, so a second check
//! of an unchanged workspace parses nothing. Serialised with a header naming
//! the layergate version and grammar ABI versions, and authenticated with a
//! keyed BLAKE3 hash under a [`CacheKey`] that only the machine that wrote
//! it knows: a cache committed to the repository (forged facts re-keyed to a
//! file's content hash) does not verify on any other machine. Anything that
//! does not verify and decode exactly (forged, corrupt, truncated, another
//! version) is ignored, never trusted. Where the cache lives, when it is
//! written and where the key comes from is the caller's policy
//! (`.layergate/cache/` and a key in the user's cache directory for the CLI).

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::facts::FileFacts;
use crate::facts::PatternHit;
use crate::lang::Lang;

/// Bumped whenever the facts format or extraction changes meaning.
pub const CACHE_FORMAT: u32 = 9;

const MAGIC: &[u8; 8] = b"LGFACTS\0";

/// The secret under which cache files are authenticated: 32 random bytes
/// of the machine (never stored in the workspace).
pub type CacheKey = [u8; 32];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedFile {
    pub hash: u64,
    pub facts: Arc<FileFacts>,
    pub patterns_key: u64,
    pub pattern_hits: Vec<PatternHit>,
}

#[derive(Debug, Serialize)]
struct Header {
    format: u32,
    layergate: String,
    grammars: String,
}

/// The cached facts of a workspace's files.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct FactCache {
    pub files: HashMap<String, CachedFile>,
}

/// xxh3 of a file's text.
pub fn content_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// A key of the config's `[[pattern]]` queries: cached pattern matches are
/// only reused under the same queries.
pub fn patterns_key(config: &Config) -> u64 {
    let mut s = String::new();
    for p in &config.patterns {
        s.push_str(&p.id);
        s.push('\0');
        s.push_str(&p.source);
        s.push('\0');
    }
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

fn header() -> Header {
    let grammars = Lang::ALL
        .iter()
        .map(|l| {
            format!(
                "{}:{}:{}",
                l.grammar_name(),
                l.grammar().abi_version(),
                l.grammar().node_kind_count()
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    Header {
        format: CACHE_FORMAT,
        layergate: env!("CARGO_PKG_VERSION").to_string(),
        grammars,
    }
}

impl FactCache {
    /// The cached entry for `rel` if its content (`hash`, the
    /// [`content_hash`] of its text) and pattern queries match.
    pub fn lookup(&self, rel: &str, hash: u64, patterns_key: u64) -> Option<&CachedFile> {
        let c = self.files.get(rel)?;
        (c.patterns_key == patterns_key && c.hash == hash).then_some(c)
    }

    pub fn encode(&self, key: &CacheKey) -> Vec<u8> {
        frame(MAGIC, &header(), self, key)
    }

    /// `None` for anything but a complete cache of this exact version
    /// written under `key`.
    pub fn decode(bytes: &[u8], key: &CacheKey) -> Option<FactCache> {
        unframe(MAGIC, &header(), bytes, key)
    }
}

/// The keyed hash that authenticates a cache file: BLAKE3 under `key` of
/// the magic, the header and the body.
fn mac(key: &CacheKey, magic: &[u8; 8], header: &[u8], body: &[u8]) -> blake3::Hash {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(magic);
    h.update(&(header.len() as u64).to_le_bytes());
    h.update(header);
    h.update(body);
    h.finalize()
}

/// A file of the cache directory (the facts cache, the check memo): `magic`,
/// the length of `header`, the header, the keyed hash ([`mac`]) of all
/// three, the body; header and body in postcard.
pub(crate) fn frame<H: Serialize, B: Serialize>(
    magic: &[u8; 8],
    header: &H,
    body: &B,
    key: &CacheKey,
) -> Vec<u8> {
    let mut out = magic.to_vec();
    if let (Ok(h), Ok(body)) = (postcard::to_stdvec(header), postcard::to_stdvec(body)) {
        let tag = mac(key, magic, &h, &body);
        out.extend((h.len() as u64).to_le_bytes());
        out.extend(h);
        out.extend(tag.as_bytes());
        out.extend(body);
    }
    out
}

/// The body of a [`frame`]d file whose magic and header are exactly
/// `magic` and `header`: `None` for anything else (truncated, corrupt,
/// written by another version).
pub(crate) fn unframe<H: Serialize, B: serde::de::DeserializeOwned>(
    magic: &[u8; 8],
    header: &H,
    bytes: &[u8],
    key: &CacheKey,
) -> Option<B> {
    let rest = bytes.strip_prefix(magic)?;
    let (len, rest) = rest.split_at_checked(8)?;
    let len = u64::from_le_bytes(len.try_into().ok()?) as usize;
    let (h, rest) = rest.split_at_checked(len)?;
    if h != postcard::to_stdvec(header).ok()?.as_slice() {
        return None;
    }
    let (tag, body) = rest.split_at_checked(blake3::OUT_LEN)?;
    let tag: [u8; blake3::OUT_LEN] = tag.try_into().ok()?;
    // blake3::Hash compares in constant time
    if blake3::Hash::from_bytes(tag) != mac(key, magic, h, body) {
        return None;
    }
    postcard::from_bytes(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: CacheKey = [7; 32];

    const SAMPLE: &str = "import x from './y';\nconst t = process.env.T;\nuse(t);\n";

    fn sample() -> FactCache {
        let (facts, _) = crate::languages::parse_and_extract(Lang::TypeScript, SAMPLE, None);
        assert!(
            facts.apis.iter().any(|a| a.introduced_as.is_some())
                && facts.apis.iter().any(|a| a.introduced_as.is_none())
        );
        let mut c = FactCache::default();
        c.files.insert(
            "a.ts".into(),
            CachedFile {
                hash: content_hash(SAMPLE),
                facts: Arc::new(facts.clone()),
                patterns_key: 7,
                pattern_hits: Vec::new(),
            },
        );
        c
    }

    #[test]
    fn round_trips_and_looks_up_by_content() {
        let original = sample();
        let c = FactCache::decode(&original.encode(&KEY), &KEY)
            .expect("a cache written by this version decodes");
        assert_eq!(c.files["a.ts"].facts, original.files["a.ts"].facts);
        let h = content_hash;
        assert!(c.lookup("a.ts", h(SAMPLE), 7).is_some());
        assert!(c.lookup("a.ts", h("import x from './z';\n"), 7).is_none());
        assert!(c.lookup("a.ts", h("import x from './y';\n"), 8).is_none());
        assert!(c.lookup("b.ts", h(""), 7).is_none());
    }

    #[test]
    fn a_frame_is_read_back_only_under_its_magic_and_header() {
        let bytes = frame(MAGIC, &("v", 1u32), &vec![7u32, 8], &KEY);
        assert_eq!(
            unframe(MAGIC, &("v", 1u32), &bytes, &KEY),
            Some(vec![7u32, 8])
        );
        assert_eq!(
            unframe::<_, Vec<u32>>(MAGIC, &("v", 2u32), &bytes, &KEY),
            None
        );
        assert_eq!(
            unframe::<_, Vec<u32>>(b"LGMEMO\0\0", &("v", 1u32), &bytes, &KEY),
            None
        );
    }

    #[test]
    fn a_cache_written_under_another_key_is_not_trusted() {
        // what a committed cache is on every other machine: well-formed,
        // this version, and written under a key this machine does not have
        let forged = sample().encode(&[9; 32]);
        assert!(FactCache::decode(&forged, &[9; 32]).is_some());
        assert!(FactCache::decode(&forged, &KEY).is_none());
    }

    #[test]
    fn corrupt_or_foreign_caches_are_ignored() {
        let bytes = sample().encode(&KEY);
        for cut in [0, 5, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                FactCache::decode(&bytes[..cut], &KEY).is_none(),
                "truncated at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0x55;
        assert!(FactCache::decode(&flipped, &KEY).is_none());
        assert!(FactCache::decode(b"not a cache at all", &KEY).is_none());
    }
}
