//! Baselines: the violations that exist today, keyed by rule, file and target
//! with a count, so moving lines keeps them valid.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Severity;
use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub rule: String,
    pub file: String,
    #[serde(default)]
    pub target: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

/// Known violations: (rule, file, target) → count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub entries: BTreeMap<(String, String, String), u32>,
}

/// Rules a baseline never records: they are about the tool, not the code.
fn recordable(d: &Diagnostic) -> bool {
    d.rule.flags().baselinable && d.severity != Severity::Hint
}

fn key(d: &Diagnostic) -> (String, String, String) {
    (
        d.rule.to_string(),
        d.file.clone(),
        d.target.clone().unwrap_or_default(),
    )
}

/// Baseline entries of each file: file → (rule, target) → count.
pub(crate) type PerFile = FxHashMap<String, BTreeMap<(String, String), u32>>;

/// [`Baseline::apply`] for the diagnostics of one file, given that file's
/// entries; returns how many of them are stale.
pub(crate) fn apply_file(
    entries: Option<&BTreeMap<(String, String), u32>>,
    diags: &mut [Diagnostic],
) -> usize {
    let Some(entries) = entries else {
        return 0;
    };
    let mut left = entries.clone();
    for d in diags.iter_mut().filter(|d| recordable(d)) {
        let k = (d.rule.to_string(), d.target.clone().unwrap_or_default());
        if let Some(c) = left.get_mut(&k) {
            if *c > 0 {
                *c -= 1;
                d.baselined = true;
                d.severity = Severity::Hint;
            }
        }
    }
    left.values().map(|&c| c as usize).sum()
}

impl Baseline {
    /// The baseline of a set of diagnostics (workspace-relative files).
    pub fn from_diagnostics(diags: &[Diagnostic]) -> Baseline {
        let mut entries = BTreeMap::new();
        for d in diags.iter().filter(|d| recordable(d) && !d.baselined) {
            *entries.entry(key(d)).or_insert(0) += 1;
        }
        Baseline { entries }
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let f: BaselineFile =
            serde_json::from_str(text).map_err(|e| format!("invalid baseline: {e}"))?;
        if f.version != 1 {
            return Err(format!(
                "unsupported baseline version {} (expected 1)",
                f.version
            ));
        }
        let mut entries = BTreeMap::new();
        for e in f.entries {
            *entries.entry((e.rule, e.file, e.target)).or_insert(0) += e.count;
        }
        Ok(Baseline { entries })
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = crate::disk::read_regular_string(path, crate::disk::MAX_BASELINE_SIZE)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        Baseline::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn to_json(&self) -> String {
        let f = BaselineFile {
            version: 1,
            entries: self
                .entries
                .iter()
                .filter(|(_, &c)| c > 0)
                .map(|((rule, file, target), &count)| Entry {
                    rule: rule.clone(),
                    file: file.clone(),
                    target: target.clone(),
                    count,
                })
                .collect(),
        };
        let mut s = serde_json::to_string_pretty(&f).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes atomically, inside `boundary` only
    /// ([`crate::disk::write_inside`]: links leading out refused).
    pub fn save(&self, boundary: &crate::disk::Boundary, path: &Path) -> std::io::Result<()> {
        crate::disk::write_inside(boundary, path, self.to_json().as_bytes()).map(|_| ())
    }

    /// Marks known violations (the first `count` per key, in file order) as
    /// baselined hints; returns how many recorded occurrences are stale.
    pub fn apply(&self, diags: &mut [Diagnostic]) -> usize {
        let mut left = self.entries.clone();
        for d in diags.iter_mut().filter(|d| recordable(d)) {
            if let Some(c) = left.get_mut(&key(d)) {
                if *c > 0 {
                    *c -= 1;
                    d.baselined = true;
                    d.severity = Severity::Hint;
                }
            }
        }
        left.values().map(|&c| c as usize).sum()
    }

    /// The entries grouped by file: file → (rule, target) → count, so that
    /// files can be matched one at a time ([`apply_file`]).
    pub(crate) fn by_file(&self) -> PerFile {
        let mut out = PerFile::default();
        for ((rule, file, target), &count) in &self.entries {
            out.entry(file.clone())
                .or_default()
                .insert((rule.clone(), target.clone()), count);
        }
        out
    }

    /// Drops stale entries (never adds any): counts shrink to what exists.
    pub fn prune(&self, diags: &[Diagnostic]) -> Baseline {
        let now = Baseline::from_diagnostics(
            &diags
                .iter()
                .cloned()
                .map(|mut d| {
                    if d.baselined {
                        d.baselined = false;
                        d.severity = Severity::Error;
                    }
                    d
                })
                .collect::<Vec<_>>(),
        );
        let entries = self
            .entries
            .iter()
            .filter_map(|(k, &c)| {
                let keep = c.min(now.entries.get(k).copied().unwrap_or(0));
                (keep > 0).then(|| (k.clone(), keep))
            })
            .collect();
        Baseline { entries }
    }
}
