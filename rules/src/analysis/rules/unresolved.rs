rule_doc! {
    /// A relative or crate-local import resolves to no file, or a Rust `use` names an
    /// item its module does not have.
    ///
    /// ## What it does
    ///
    /// A relative TS/JS import, a tsconfig `paths` or workspace-package import, or a
    /// Rust `mod x;` whose file does not exist. Package imports never count: they are
    /// external. Imports into excluded or ignored files still resolve.
    ///
    /// Rust `use` items are also checked by item: in `use crate::shapes::Square;`, once
    /// the path has named its last module (`shapes`), the next segment must be a module
    /// or an item that module's file declares (`fn`, `struct`, `enum`, `union`,
    /// `trait`, `type`, `const`, `static`, `mod`, `macro_rules!`, `extern crate`, a
    /// proc-macro crate's derive names) or imports by name (`use`, `pub use`, a
    /// rename). The module's file counts with the files it `include!`s and its
    /// `#[cfg_attr(.., path)]` alternatives; at a crate root, a `#[macro_export]` macro
    /// defined anywhere in the crate counts too. A module whose file has a glob import
    /// (`use x::*;`), an item-level macro call (`bitflags! { .. }`) or a derive other
    /// than the plain ones (`Debug`, `Clone`, `Serialize`, ...; derive_builder's
    /// `Builder` generates `FooBuilder`) may hold any name, so it is never reported.
    /// Paths written in code are not checked by item (they may sit in items compiled
    /// out by `#[cfg]`), and neither are `use`s in files no crate root reaches (their
    /// module paths are guesses).
    ///
    /// ## Why
    ///
    /// An import layergate cannot follow is a dependency it cannot judge; it is usually
    /// a typo or a deleted file.
    ///
    /// ## Example
    ///
    /// ```ts
    /// import { x } from "./does-not-exist"; // unresolved
    /// ```
    ///
    /// ```rust
    /// use crate::nothing::here; // unresolved: the crate root declares no `nothing`
    /// ```
    ///
    /// ## How to fix
    ///
    /// Fix the path, or create the file.
}

use super::common::*;

/// Rust `use` paths into a file that name, after its module, something the
/// file neither declares nor imports (`use crate::nothing::here;`). A file whose
/// names are open (a glob import, an item-level macro call, a derive that may
/// generate items) may name anything. At a crate root, a name declared
/// anywhere in the crate counts (a `#[macro_export]` macro is named there).
fn item_level_unresolved(
    ctx: &Ctx,
    place: &Place,
    rel: &str,
    entry: &FileEntry,
    reads: &mut Vec<String>,
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    let resolver = ctx.ws.rust_resolver();
    if resolver.is_guessed(rel) {
        // what `crate::`, `self::` and `super::` mean here is a guess
        return;
    }
    for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
        // `use` items only: a path in code may sit in an item compiled out
        // by `#[cfg]`, where it may name what no configuration has
        if !matches!(imp.kind, ImportKind::Use | ImportKind::PubUse) {
            continue;
        }
        let Resolved::File(target) = res else {
            continue;
        };
        // the module's files: alternatives under `cfg`, `include!`d files
        let files = resolver.module_files(target);
        let entries: Vec<&FileEntry> = files.iter().filter_map(|f| ctx.file(f)).collect();
        if entries.len() != files.len()
            || entries
                .iter()
                .any(|e| e.lang != Lang::Rust || e.skipped.is_some() || e.facts.exports.open)
        {
            reads.extend(files.iter().map(|f| f.to_string()));
            continue;
        }
        let (_, next) = resolver.resolve_item_at(rel, &imp.specifier, imp.span.start);
        let Some(name) = next else {
            continue;
        };
        if matches!(name.as_str(), "*" | "self" | "super" | "crate" | "Self") {
            continue;
        }
        reads.extend(files.iter().map(|f| f.to_string()));
        if entries.iter().any(|e| e.facts.exports.may_name(&name)) {
            continue;
        }
        if resolver.crate_root_of(target) == Some(target.as_str())
            && ctx.crate_names_any(target, &name, reads)
        {
            continue;
        }
        let mut v = place.violation(
            imp.span,
            Builtin::Unresolved,
            config.checks.get(Builtin::Unresolved),
            format!(
                "`{}` in `{rel}`: `{target}` declares or imports no `{name}`",
                imp.specifier
            ),
        );
        v.target = Some(imp.specifier.clone());
        out.push(v);
    }
}

/// Imports that resolve to no file, missing `mod` files, and (Rust) `use`
/// items that name what their module does not have.
pub(super) fn check(ctx: &Ctx, place: &Place, reads: &mut Vec<String>, out: &mut Vec<Violation>) {
    let severity = ctx.config.checks.get(Builtin::Unresolved);
    if severity == Severity::Off {
        return;
    }
    let (rel, entry) = (place.rel, place.entry);
    for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
        if *res == Resolved::Unresolved {
            let mut v = place.violation(
                imp.span,
                Builtin::Unresolved,
                severity,
                format!("`{}` in `{rel}` resolves to no file", imp.specifier),
            );
            v.target = Some(imp.specifier.clone());
            out.push(v);
        }
    }
    if entry.lang != Lang::Rust {
        return;
    }
    item_level_unresolved(ctx, place, rel, entry, reads, out);
    for (file, decl) in ctx.ws.rust_resolver().missing_mods() {
        if file != rel {
            continue;
        }
        let attrs: Vec<String> = decl
            .path_attr
            .iter()
            .chain(&decl.cfg_paths)
            .map(|p| format!("`{p}`"))
            .collect();
        let message = match attrs.as_slice() {
            [] => format!(
                "`mod {};` in `{rel}`: neither `{}.rs` nor `{}/mod.rs` exists",
                decl.name, decl.name, decl.name
            ),
            [one] => format!("`mod {};` in `{rel}`: {one} does not exist", decl.name),
            more => format!(
                "`mod {};` in `{rel}`: none of {} exists",
                decl.name,
                more.join(", ")
            ),
        };
        let mut v = place.violation(decl.span, Builtin::Unresolved, severity, message);
        v.target = Some(decl.name.clone());
        out.push(v);
    }
}
