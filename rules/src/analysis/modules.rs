//! Which file is in which module (one per group), and how rule lists of
//! modules and globs match files.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::config::{Config, FileTarget, ModRef};

/// A module instance: a definition, and for templates the filled-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Module {
    pub def: usize,
    pub name: Arc<str>,
}

/// Module assignment of every file, per group.
#[derive(Debug, Default)]
pub struct Assignment {
    /// file → one slot per group.
    pub by_file: FxHashMap<String, Vec<Option<Module>>>,
    /// group count
    pub groups: usize,
}

/// The modules of a file (one per group), computed from the config alone.
pub fn assign_file(config: &Config, rel: &str) -> Vec<Option<Module>> {
    let mut out: Vec<Option<Module>> = vec![None; config.groups.len()];
    for i in config.module_globs.matching(rel) {
        let def = &config.modules[i];
        if out[def.group].is_some() {
            continue;
        }
        let name: Arc<str> = match &def.template {
            Some(regexes) => {
                let Some(cap) = regexes
                    .iter()
                    .find_map(|re| re.captures(rel).and_then(|c| c.get(1)))
                else {
                    continue;
                };
                Arc::from(def.instance_name(cap.as_str()))
            }
            None => Arc::from(def.name.as_str()),
        };
        out[def.group] = Some(Module { def: i, name });
    }
    out
}

impl Assignment {
    pub fn new<'a>(config: &Config, files: impl Iterator<Item = &'a String>) -> Assignment {
        let files: Vec<&String> = files.collect();
        let by_file = files
            .par_iter()
            .map(|f| ((*f).clone(), assign_file(config, f)))
            .collect();
        Assignment {
            by_file,
            groups: config.groups.len(),
        }
    }

    /// The module of `rel` in `group`. Files outside the workspace's file set
    /// (excluded, ignored) are assigned from the config on the fly.
    pub fn module_of(&self, config: &Config, rel: &str, group: usize) -> Option<Module> {
        match self.by_file.get(rel) {
            Some(v) => v.get(group).cloned().flatten(),
            None => assign_file(config, rel).get(group).cloned().flatten(),
        }
    }
}

/// Whether a module instance is denoted by a module reference.
pub fn ref_matches(config: &Config, r: &ModRef, m: &Module) -> bool {
    match r {
        ModRef::Def(d) => *d == m.def,
        ModRef::Instance(d, cap) => *d == m.def && *m.name == config.modules[*d].instance_name(cap),
    }
}

/// Whether `rel` (with its modules in every group) is denoted by a target.
pub fn target_matches(
    config: &Config,
    t: &FileTarget,
    rel: &str,
    modules: &[Option<Module>],
) -> bool {
    match t {
        FileTarget::Glob(g) => g.matcher.is_match(rel),
        FileTarget::Module(r) => {
            let def = match r {
                ModRef::Def(d) | ModRef::Instance(d, _) => *d,
            };
            let group = config.modules[def].group;
            modules
                .get(group)
                .and_then(|m| m.as_ref())
                .is_some_and(|m| ref_matches(config, r, m))
        }
    }
}

/// The (stack index, level index) of a module in each layer stack it is in.
pub fn layer_positions(config: &Config, m: &Module) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (si, stack) in config.layers.iter().enumerate() {
        if let Some(li) = stack
            .levels
            .iter()
            .position(|lvl| lvl.iter().any(|r| ref_matches(config, r, m)))
        {
            out.push((si, li));
        }
    }
    out
}
