rule_doc! {
    /// A module imports a module in a higher layer, a sibling in its own layer, or
    /// (strict) skips a layer.
    ///
    /// ## What it does
    ///
    /// `[layers] order` lists modules top to bottom. A module may import modules in
    /// layers below its own. An import upwards is reported; so is an import between
    /// siblings of one level (an inner array) unless `siblings = "allow"`, and with
    /// `strict = true` an import that skips a level. Modules not named in a stack are
    /// not layered by it; `utility` modules may be imported from anywhere. Several
    /// independent stacks are written as `[[layers]]`.
    ///
    /// ## Why
    ///
    /// Layering keeps the direction of knowledge one-way: the domain does not know the
    /// UI, infrastructure does not call the application. Once one upward import lands,
    /// the next ones follow and the layers stop meaning anything.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [layers]
    /// order = ["app", "infra", "domain"]
    /// ```
    ///
    /// ```ts
    /// // src/domain/user.ts
    /// import { db } from "../infra/db"; // layers: domain may not import infra, a higher layer
    /// ```
    ///
    /// ## How to fix
    ///
    /// Invert the dependency: define an interface (port) in the lower layer and
    /// implement it in the higher one, or move the code to the layer it belongs to.
}

use super::common::*;

/// Why an import from module `from` of module `to` breaks the layering, if it
/// does: the first stack of `from` that places `to` above it, beside it, or
/// (strict) more than one level below it.
pub(crate) fn judge(config: &Config, from: &Module, to: &Module) -> Option<Reason> {
    let severity = config.checks.get(Builtin::Layers);
    if severity == Severity::Off || config.modules[to.def].utility {
        return None;
    }
    for (si, fl) in layer_positions(config, from) {
        let stack = &config.layers[si];
        let Some(tl) = stack.levels.iter().position(|lvl| {
            lvl.iter()
                .any(|r| crate::analysis::modules::ref_matches(config, r, to))
        }) else {
            continue;
        };
        let why = if tl < fl {
            format!(
                "layer `{}` may not import `{}`, which is in a higher layer",
                from.name, to.name
            )
        } else if tl == fl && !stack.siblings_allow {
            format!(
                "`{}` and `{}` are siblings in one layer, which may not import each other",
                from.name, to.name
            )
        } else if stack.strict && tl > fl + 1 {
            format!(
                "strict layering: `{}` may only import the layer directly below it",
                from.name
            )
        } else {
            continue;
        };
        return Some(Reason {
            rule: Builtin::Layers.into(),
            severity,
            why,
            related: (stack.span, "the layers in layergate.toml".into()),
            message: None,
        });
    }
    None
}
