rule_doc! {
    /// A `[[deny]]`, `[[boundary]]` or `[[pattern]]` rule that no violation can trigger.
    ///
    /// ## What it does
    ///
    /// `layergate check` builds, in memory, the smallest violation of each rule it can:
    /// for a `[[deny]]`, an import appended to a file of its `from` (up to three of
    /// them), of a file of each module or glob of its `to`, or of each package; for a
    /// `[[boundary]]`, a use of each `global:` API in a file outside its `allow_in`. A
    /// rule the engine does not report for any such case is reported on its line in
    /// layergate.toml, with the reason: its `from` (or a `to` target) matches no checked
    /// file, its `exclude` covers all of `from`, every file is in its `allow_in`, or an
    /// `[[allow]]` entry silences every case. A `[[pattern]]`'s query cannot be turned
    /// into a case: it is reported when no checked file in its language lies outside
    /// its `allow_in`. `check --strict` fails on it. Cases are built in TypeScript and
    /// JavaScript files, and in Rust files for a module of the same crate (`use
    /// crate::a::b;`); for other Rust cases and Rust API targets only the file sets are
    /// judged. The language server does not report it.
    ///
    /// ## Why
    ///
    /// A rule that matches nothing passes forever: a module renamed or moved, a glob
    /// with a typo or an `[[allow]]` wider than meant silently turns it off, and the
    /// check keeps saying "no violations".
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[deny]]
    /// id = "ui-no-db"
    /// from = ["src/ui/**"]      # the folder is src/components/: matches no file
    /// to = ["npm:pg"]
    /// ```
    ///
    /// ## How to fix
    ///
    /// Point `from`, `to` or `allow_in` at the files meant (`layergate explain` lists
    /// the modules and their paths), narrow the `[[allow]]` entry that swallows the
    /// rule, or remove the rule if it no longer applies.
}

// The check is `host/live.rs`: it needs the host to check cases in memory.
