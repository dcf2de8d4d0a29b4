//! [`AnalysisHost`]: the one place a workspace changes and is checked again
//! (rust-analyzer's shape). It owns the inputs (the [`Workspace`]: config,
//! files, manifests; and the [`Options`]: baseline, today) and every result
//! derived from them. Front ends (the command line, the language server, MCP,
//! hooks) translate their events into [`Change`]s and present what `check`
//! returns; none of them decides what a change invalidates.

pub mod live;

use std::sync::Arc;

use crate::analysis::{self, AnalysisCache, Changes, Options, Outcome};
use crate::config::Config;
use crate::workspace::{Content, FileEntry, Workspace};

/// What happened to the inputs.
pub enum Change {
    /// A file's content is now this (a new file, or an edit). `tree`: a tree
    /// already parsed from the text, to avoid parsing it twice.
    Text {
        rel: String,
        content: Content,
        tree: Option<tree_sitter::Tree>,
    },
    /// An analysed file is put in place (one taken out earlier).
    Entry { rel: String, entry: FileEntry },
    /// A file is gone.
    Removed(String),
    /// Every file under this workspace-relative directory is gone.
    DirRemoved(String),
    /// A manifest (`tsconfig*.json`, `package.json`, `Cargo.toml`) changed.
    Manifests,
    /// The config changed (its include/exclude are applied by the caller,
    /// which knows the file set, with `Text` and `Removed` changes).
    Config(Arc<Config>),
    /// The baseline in force, or today's date, changed.
    Options(Options),
}

/// A workspace, its options and the results derived from them.
pub struct AnalysisHost {
    ws: Workspace,
    opts: Options,
    cache: AnalysisCache,
}

impl std::fmt::Debug for AnalysisHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.ws.fmt(f)
    }
}

/// Reading the inputs is free; changing them goes through
/// [`AnalysisHost::apply_change`].
impl std::ops::Deref for AnalysisHost {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

impl AnalysisHost {
    pub fn new(mut ws: Workspace, opts: Options) -> AnalysisHost {
        // nothing is derived yet
        ws.take_invalidation();
        AnalysisHost {
            ws,
            opts,
            cache: AnalysisCache::default(),
        }
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn into_workspace(self) -> Workspace {
        self.ws
    }

    pub fn apply_change(&mut self, change: Change) {
        match change {
            Change::Text { rel, content, tree } => self.ws.set_file(&rel, content, tree.as_ref()),
            Change::Entry { rel, entry } => self.ws.set_entry(&rel, entry),
            Change::Removed(rel) => self.ws.remove_file(&rel),
            Change::DirRemoved(dir) => {
                let prefix = format!("{}/", dir.trim_end_matches('/'));
                let gone: Vec<String> = self
                    .ws
                    .files
                    .keys()
                    .filter(|f| f.starts_with(&prefix))
                    .cloned()
                    .collect();
                for rel in gone {
                    self.ws.remove_file(&rel);
                }
            }
            Change::Manifests => self.ws.manifests_changed(),
            Change::Config(config) => self.ws.set_config(config),
            // the per-file results stay; the final diagnostics follow the
            // options (see `AnalysisCache::opts`)
            Change::Options(opts) => self.opts = opts,
        }
        let inv = self.ws.take_invalidation();
        if inv.all {
            self.cache.invalidate_all();
        }
        for rel in &inv.moved {
            self.cache.file_moved(&self.ws, rel);
        }
        for rel in &inv.files {
            self.cache.invalidate(rel);
        }
        for rel in &inv.deep {
            self.cache.invalidate_deep(rel);
        }
        for rel in &inv.own {
            self.cache.invalidate_own(rel);
        }
    }

    /// Every diagnostic of the workspace; only what changed since the last
    /// check is evaluated again.
    pub fn check(&mut self) -> Outcome {
        analysis::check(&mut self.cache, &self.ws, &self.opts)
    }

    /// The files whose diagnostics changed since the last `check_changes`
    /// (what the language server publishes).
    pub fn check_changes(&mut self) -> Changes {
        analysis::check_changes(&mut self.cache, &self.ws, &self.opts)
    }

    /// Checks the workspace as if file `rel` had `content` (proposed, not
    /// written: an unsaved buffer, an agent's edit), hands the workspace
    /// with that content and the outcome to `f`, and puts the file back as it
    /// was. The workspace and its diagnostics are afterwards what they were.
    pub fn check_overlay<R>(
        &mut self,
        rel: &str,
        content: Content,
        f: impl FnOnce(&Workspace, &Outcome) -> R,
    ) -> R {
        self.check_overlays(vec![(rel.to_string(), Some(content))], f)
    }

    /// [`check_overlay`](Self::check_overlay) for several files at once (a
    /// patch): each file gets its content, or is gone (`None`).
    pub fn check_overlays<R>(
        &mut self,
        overlays: Vec<(String, Option<Content>)>,
        f: impl FnOnce(&Workspace, &Outcome) -> R,
    ) -> R {
        let mut previous = Vec::with_capacity(overlays.len());
        for (rel, content) in overlays {
            previous.push((rel.clone(), self.ws.files.get(&rel).cloned()));
            self.apply_change(match content {
                Some(content) => Change::Text {
                    rel,
                    content,
                    tree: None,
                },
                None => Change::Removed(rel),
            });
        }
        let outcome = self.check();
        let out = f(&self.ws, &outcome);
        // in reverse, so that a file given twice ends as it was first
        for (rel, entry) in previous.into_iter().rev() {
            self.apply_change(match entry {
                Some(entry) => Change::Entry { rel, entry },
                None => Change::Removed(rel),
            });
        }
        out
    }
}
