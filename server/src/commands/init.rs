//! `layergate init`: writes a starter `layergate.toml` in the current directory,
//! one module per source folder found under `src/`, `crates/`, `packages/` and
//! `apps/`, with the layers and checks as commented suggestions.

use std::path::{Path, PathBuf};

use rules::config::{Config, CONFIG_FILE};
use rules::lang::Lang;

use crate::project::{self, UsageError};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Overwrite an existing layergate.toml.
    #[arg(long)]
    pub force: bool,
}

/// The folders whose subfolders become modules.
const CONTAINERS: &[&str] = &["src", "crates", "packages", "apps"];

pub fn run(args: InitArgs) -> anyhow::Result<i32> {
    let cwd = project::cwd();
    let path = cwd.join(CONFIG_FILE);
    // a dangling link counts as there: `--force` is refused through it anyway
    if std::fs::symlink_metadata(&path).is_ok() && !args.force {
        return Err(UsageError(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    let modules = detect(&cwd);
    let text = starter(&modules);
    // never write a file `check` would refuse
    if let Err(problems) = Config::parse(&path, &text) {
        return Err(UsageError(format!(
            "internal error: the starter config does not parse:\n{}",
            project::format_problems(&path, &problems)
        ))
        .into());
    }
    rules::disk::write_inside(&rules::disk::Boundary::around(&cwd), &path, text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    if names.is_empty() {
        eprintln!("wrote {CONFIG_FILE} with no modules (no source folders found under src/, crates/, packages/ or apps/); edit it to describe your architecture");
    } else {
        eprintln!(
            "wrote {CONFIG_FILE} with {} module(s): {}; next: order the layers, then run `layergate check`",
            names.len(),
            names.join(", ")
        );
    }
    Ok(0)
}

/// A module proposed for a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub name: String,
    /// The folder, relative to the root, with `/`.
    pub dir: String,
}

/// The module folders under `root`: each subfolder of `src/`, `crates/`,
/// `packages/`, `apps/` holding at least one supported source file, sorted.
pub fn detect(root: &Path) -> Vec<Proposed> {
    let mut out: Vec<Proposed> = Vec::new();
    for container in CONTAINERS {
        let base = root.join(container);
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut dirs: Vec<(String, PathBuf)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.path())))
            .filter(|(n, _)| usable_dir_name(n))
            .collect();
        dirs.sort();
        for (folder, path) in dirs {
            if !has_source(&path, 0) {
                continue;
            }
            let mut name = module_name(&folder);
            if out.iter().any(|m| m.name == name) {
                name = format!("{}-{name}", module_name(container));
            }
            let mut n = 2;
            let base_name = name.clone();
            while out.iter().any(|m| m.name == name) {
                name = format!("{base_name}-{n}");
                n += 1;
            }
            out.push(Proposed {
                name,
                dir: format!("{container}/{folder}"),
            });
        }
    }
    out
}

/// Folders that can be written in a glob and a TOML string as they are.
fn usable_dir_name(n: &str) -> bool {
    !n.starts_with('.')
        && n != "node_modules"
        && n != "target"
        && !n.is_empty()
        && n.chars()
            .all(|c| !c.is_control() && !"*?[]{}\\\"'!/".contains(c))
}

/// Whether a directory holds a supported source file (bounded depth).
fn has_source(dir: &Path, depth: usize) -> bool {
    if depth > 12 {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut subdirs = Vec::new();
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if t.is_file() && Lang::from_path(&name).is_some() {
            return true;
        }
        if t.is_dir() && !name.starts_with('.') && name != "node_modules" && name != "target" {
            subdirs.push(e.path());
        }
    }
    subdirs.iter().any(|d| has_source(d, depth + 1))
}

/// A valid module name (`[a-z0-9_-]+`) for a folder name.
pub fn module_name(folder: &str) -> String {
    let mut s: String = folder
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "module".into()
    } else {
        s
    }
}

/// The text of the starter config.
pub fn starter(modules: &[Proposed]) -> String {
    let mut s = String::new();
    s.push_str(
        "# layergate.toml: the intended architecture of this codebase, checked by\n\
         # `layergate check` (CI) and `layergate lsp` (the editor).\n\
         #\n\
         # Written by `layergate init` from the folders found here. Next steps:\n\
         #   1. Check the modules below: merge, rename or split them.\n\
         #   2. Uncomment [layers] and order the modules top to bottom.\n\
         #   3. Add `depends_on`, `visible_to`, `public`, [[deny]] and [[boundary]] rules.\n\
         #   4. Run `layergate check`; adopt it on existing code with\n\
         #      `layergate check --write-baseline`.\n\
         #   5. Run `layergate explain` to print these rules for people and agents.\n\
         #\n\
         # Globs are relative to this file's directory; `*` stays within one folder,\n\
         # `**` crosses folders. A file belongs to the FIRST module whose paths match.\n\n",
    );
    s.push_str("[workspace]\n# include = [\"src/**\"]          # default: every supported file\n# exclude = [\"**/generated/**\"]  # node_modules, target, .git and .gitignore'd files are always excluded\n\n");
    if modules.is_empty() {
        s.push_str("# No source folders were found under src/, crates/, packages/ or apps/.\n# Describe modules like this:\n#\n# [[modules]]\n# name = \"domain\"\n# paths = [\"src/domain/**\"]\n\n");
    }
    for m in modules {
        s.push_str(&format!(
            "[[modules]]\nname = \"{}\"\npaths = [\"{}/**\"]\n# depends_on = []   # the only modules it may import\n\n",
            m.name, m.dir
        ));
    }
    s.push_str("# Layers, top to bottom: a module may import only modules in layers below it.\n# An inner array is one level of siblings.\n");
    s.push_str("# [layers]\n");
    let order: Vec<String> = modules.iter().map(|m| format!("\"{}\"", m.name)).collect();
    if order.is_empty() {
        s.push_str("# order = [\"app\", \"domain\"]\n");
    } else {
        s.push_str(&format!("# order = [{}]\n", order.join(", ")));
    }
    s.push_str("# siblings = \"deny\"   # or \"allow\"\n# strict = false\n\n");
    s.push_str(
        "# Forbidden dependencies and security boundaries, for example:\n\
         # [[deny]]\n\
         # id = \"domain-is-pure\"\n\
         # from = [\"domain\"]\n\
         # to = [\"npm:axios\", \"crate:reqwest\"]\n\
         # message = \"The domain stays free of I/O.\"\n\
         #\n\
         # [[boundary]]\n\
         # id = \"env-access\"\n\
         # apis = [\"global:process.env\", \"std::env::var\"]\n\
         # allow_in = [\"src/config/**\"]\n\n",
    );
    s.push_str(
        "# Built-in checks and their severities (error | warning | info | hint | off);\n\
         # the values shown are the defaults.\n\
         [checks]\n\
         # layers = \"error\"\n\
         # depends_on = \"error\"\n\
         # visibility = \"error\"\n\
         # external = \"error\"\n\
         # public_api = \"error\"\n\
         # cycles = \"error\"\n\
         # file_cycles = \"off\"\n\
         # unresolved = \"warning\"\n\
         # unassigned = \"off\"\n\
         # type_only_imports = \"count\"  # or \"ignore\"\n\
         # cycle_type_only_imports = \"ignore\"  # or \"count\"\n\
         # reexports = \"follow\"         # or \"direct\"\n",
    );
    s
}
