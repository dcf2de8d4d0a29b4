//! The serde shape of `layergate.toml`, exactly as written. Validation and
//! compilation into [`super::Config`] happen in a second step.
//!
//! The same types generate the JSON schema of `layergate.toml`
//! (`editors/schema/layergate.schema.json`, see [`json_schema_text`]): their doc
//! comments are the hover docs of editors, `#[schemars(...)]` attributes add
//! what the Rust types cannot say (allowed values, defaults, patterns).

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use std::borrow::Cow;
use toml::Spanned;

pub(crate) type S<T> = Spanned<T>;

// Fields wrapped in `S<T>` (spans for error messages) are described as plain
// `T` with `#[schemars(with = "T")]`; `Option<T>` fields keep the `Option` so
// the key is not required (the `null` it adds is dropped, see `ForToml`).

/// The architecture of a workspace for layergate: modules, layers, dependency
/// rules, security boundaries, pattern rules, exceptions and the severities of
/// the built-in checks. A file is governed by the nearest layergate.toml in its
/// directory or a parent; that file's directory is the workspace root. Paths
/// and globs are relative to the workspace root, use `/`, and `*` never
/// crosses `/` while `**` does.
#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "layergate.toml")]
pub(crate) struct RawConfig {
    pub workspace: Option<RawWorkspace>,
    /// Modules: named sets of files, in an ordered array. A file belongs to
    /// the FIRST module (in this order) whose `paths` match it, so list nested
    /// modules first. A file in no module is not governed by module rules (but
    /// boundaries and patterns still apply to it).
    #[serde(default)]
    #[schemars(with = "Vec<RawModule>")]
    pub modules: Vec<S<RawModule>>,
    /// Layers, top to bottom. A module may import modules in layers BELOW its
    /// own, never above. Modules not named here are not layered. Several
    /// independent stacks: write `[[layers]]` once per stack instead of one
    /// `[layers]` table.
    #[schemars(with = "Option<LayersField>")]
    pub layers: Option<S<LayersField>>,
    /// Dependency-direction rules: imports FROM these modules (or globs) TO
    /// these targets are forbidden.
    #[serde(default)]
    #[schemars(with = "Vec<RawDeny>")]
    pub deny: Vec<S<RawDeny>>,
    /// Security boundaries: these APIs may be used only in files of
    /// `allow_in` (modules or globs). Empty `allow_in` means nowhere. Files in
    /// no module are not in any `allow_in` module, so they are checked too.
    #[serde(default)]
    #[schemars(with = "Vec<RawBoundary>")]
    pub boundary: Vec<S<RawBoundary>>,
    /// Pattern rules: any tree-sitter query; a match of the capture named in
    /// `capture` (default: the first capture) outside `allow_in` is a
    /// violation.
    #[serde(default)]
    #[schemars(with = "Vec<RawPattern>")]
    pub pattern: Vec<S<RawPattern>>,
    /// Exceptions written in the config instead of in the code (composition
    /// roots, DI wiring). An allow entry that silences no violation is a
    /// `suppression` warning, reported on the entry's `[[allow]]` line.
    #[serde(default)]
    #[schemars(with = "Vec<RawAllow>")]
    pub allow: Vec<S<RawAllow>>,
    pub checks: Option<RawChecks>,
    /// What the AI agents' pre-edit hooks (`layergate hook AGENT`) let through.
    pub hooks: Option<RawHooks>,
}

/// What the AI agents' pre-edit hooks let through.
#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHooks {
    /// An edit that adds a `layergate-ignore` comment: "block" (the
    /// default: suppressing is a person's decision) or "with-reason" (it
    /// passes when every added comment gives a reason after `:`, other than
    /// the quick fix's `<reason>` placeholder).
    #[schemars(with = "Option<HookSuppressions>")]
    pub suppressions: Option<S<String>>,
}

/// The values of `[hooks] suppressions`.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
enum HookSuppressions {
    Block,
    WithReason,
}

/// Which files are checked, and where the baseline and tsconfig are.
#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWorkspace {
    /// Globs of the files to check. Default: every supported file (.ts .tsx
    /// .mts .cts .js .jsx .mjs .cjs .rs).
    #[schemars(with = "Option<Vec<String>>")]
    pub include: Option<Vec<S<String>>>,
    /// Globs of files not to check. Always excluded too: .gitignore'd files,
    /// node_modules, target, .git. Excluded and ignored files are not checked,
    /// but imports INTO them still resolve (generated code is a real
    /// dependency), so they are never `unresolved`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<S<String>>,
    /// The baseline file (violations that exist today, reported at hint
    /// severity and not failing CI). Default: layergate-baseline.json at the
    /// workspace root if it exists.
    #[schemars(with = "Option<String>")]
    pub baseline: Option<S<String>>,
    /// The tsconfig.json to resolve TypeScript paths with. Default: found
    /// automatically (extends, baseUrl, paths honoured).
    #[schemars(with = "Option<String>")]
    pub tsconfig: Option<S<String>>,
    /// Globs of the test files (for `test_imports`). Default: **/*.test.*,
    /// **/*.spec.*, **/__tests__/**, **/test/**, **/tests/**, and Rust
    /// **/benches/**/*.rs, **/examples/**/*.rs.
    #[schemars(with = "Option<Vec<String>>")]
    pub tests: Option<Vec<S<String>>>,
    /// Python: the directories absolute imports are found under (what
    /// `sys.path` holds for the project), relative to the workspace root, in
    /// lookup order; "." is the root itself. Default: what pyproject.toml
    /// (setuptools `package-dir` and `packages.find.where`, hatch, poetry,
    /// flit) or setup.cfg (`package_dir`) declares, then `src` when it
    /// exists, then the root.
    #[schemars(with = "Option<Vec<String>>")]
    pub python_roots: Option<Vec<S<String>>>,
}

/// A module: a named set of files.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-taplo" = { "initKeys": ["name", "paths"] }))]
pub(crate) struct RawModule {
    /// A module name: [a-z0-9_-]+, may contain `{1}` (a template module: one
    /// module per directory matched by the first `*` of its paths). Names are
    /// unique across groups.
    #[schemars(with = "ModuleName")]
    pub name: S<String>,
    /// Orthogonal views of the same files (area x layer, feature x kind) go in
    /// separate groups: a file belongs to at most one module per group, and
    /// every rule applies in each group on its own. Default group: "modules".
    #[schemars(with = "Option<String>")]
    pub group: Option<S<String>>,
    /// Globs of the module's files. A file belongs to the FIRST module whose
    /// `paths` match it.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub paths: Vec<S<String>>,
    /// Optional allowlist: the only modules this one may import. `[]`: no
    /// other module.
    #[schemars(with = "Option<Vec<String>>")]
    pub depends_on: Option<Vec<S<String>>>,
    /// Optional allowlist of third-party packages/crates (with or without the
    /// `npm:` / `crate:` prefix; `@scope/*` for a scope). Empty list: no
    /// third-party package at all.
    #[schemars(with = "Option<Vec<String>>")]
    pub external: Option<Vec<S<String>>>,
    /// Optional entry points: imports into the module from other modules must
    /// go through these files (`public_api` check).
    #[schemars(with = "Option<Vec<String>>")]
    pub public: Option<Vec<S<String>>>,
    /// Optional inverse allowlist: only these modules may import this one.
    #[schemars(with = "Option<Vec<String>>")]
    pub visible_to: Option<Vec<S<String>>>,
    /// Any module may import it, whatever the importer's depends_on and
    /// layers; visible_to, public and [[deny]] still apply.
    #[serde(default)]
    pub utility: bool,
    /// Free text shown by `layergate explain`.
    pub description: Option<String>,
}

/// One stack of layers, top to bottom.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-taplo" = { "initKeys": ["order"] }))]
pub(crate) struct RawLayers {
    /// The layers, top to bottom. An inner array is one level of siblings,
    /// which may not import each other unless `siblings = "allow"`.
    #[schemars(with = "Vec<LayerEntry>")]
    pub order: Vec<S<LayerEntry>>,
    /// Whether modules of one level (an inner array of `order`) may import
    /// each other.
    #[schemars(with = "Option<String>", extend("enum" = ["deny", "allow"], "default" = "deny"))]
    pub siblings: Option<S<String>>,
    /// true: only the level directly below may be imported.
    #[serde(default)]
    pub strict: bool,
}

/// One level of `order`: a module name or an array of sibling names.
#[derive(Debug)]
pub(crate) enum LayerEntry {
    One(String),
    Level(Vec<S<String>>),
}

impl<'de> Deserialize<'de> for LayerEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LayerEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a module name or an array of module names")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LayerEntry, E> {
                Ok(LayerEntry::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<LayerEntry, A::Error> {
                let v = Vec::<S<String>>::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(LayerEntry::Level(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A dependency-direction rule: imports FROM these modules (or globs) TO
/// these targets are forbidden.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-taplo" = { "initKeys": ["id", "from", "to", "message"] }))]
pub(crate) struct RawDeny {
    /// Required, unique, [a-z0-9._-]+, not a built-in id.
    #[schemars(with = "RuleId")]
    pub id: S<String>,
    /// The importing side: modules or globs of files. A bare identifier
    /// ([a-z0-9_-], may contain `{1}`-style template names) is a module name;
    /// anything with `/` or `*` is a glob of files.
    #[schemars(with = "Vec<String>")]
    pub from: Vec<S<String>>,
    /// The forbidden targets: modules, globs, packages written `npm:NAME` /
    /// `crate:NAME`, `node:NAME`, or Rust paths (see API selectors).
    #[schemars(with = "Vec<String>")]
    pub to: Vec<S<String>>,
    /// The rule's message, shown after the description of the violation (name
    /// the fix).
    pub message: Option<String>,
    /// error | warning (alias warn) | info | hint | off. Default: error.
    #[schemars(with = "Option<SeverityName>", extend("default" = "error"))]
    pub severity: Option<S<String>>,
    /// Optional: files this rule does not apply to.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<S<String>>,
    /// true: also forbid reaching a target through any chain of imports; the
    /// violation is at the import that starts the chain.
    #[serde(default)]
    pub transitive: bool,
}

/// A security boundary: these APIs may be used only in files of `allow_in`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-taplo" = { "initKeys": ["id", "apis", "allow_in", "message"] }))]
pub(crate) struct RawBoundary {
    /// Required, unique, [a-z0-9._-]+, not a built-in id.
    #[schemars(with = "RuleId")]
    pub id: S<String>,
    /// API selectors: `npm:NAME`, `node:NAME`, `crate:NAME`, a Rust path
    /// `a::b::c`, `global:a.b` (a TS/JS global), `rust:unsafe`, `py:a.b` (a
    /// Python module, package or name: `py:subprocess`, `py:os.system`,
    /// `py:eval`).
    #[schemars(with = "Vec<String>")]
    pub apis: Vec<S<String>>,
    /// Modules or globs where the APIs may be used. Empty: nowhere.
    #[schemars(with = "Vec<String>")]
    pub allow_in: Vec<S<String>>,
    /// The rule's message, shown after the description of the violation (name
    /// the fix).
    pub message: Option<String>,
    /// error | warning (alias warn) | info | hint | off. Default: error.
    #[schemars(with = "Option<SeverityName>", extend("default" = "error"))]
    pub severity: Option<S<String>>,
}

/// A pattern rule: a tree-sitter query whose matches outside `allow_in` are
/// violations.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-taplo" = { "initKeys": ["id", "language", "query", "message"] }))]
pub(crate) struct RawPattern {
    /// Required, unique, [a-z0-9._-]+, not a built-in id.
    #[schemars(with = "RuleId")]
    pub id: S<String>,
    /// typescript | rust | python. `typescript` compiles the query for the
    /// typescript and the tsx grammar (the tsx one also parses
    /// .js/.jsx/.mjs/.cjs); a query that does not compile for one of them is a
    /// config error naming the grammar. `javascript`, `ts` and `js` are
    /// accepted as aliases of `typescript`, `py` of `python`.
    #[schemars(
        with = "String",
        extend("enum" = ["typescript", "rust", "python", "javascript", "ts", "js", "py"])
    )]
    pub language: S<String>,
    /// A tree-sitter query. Predicates: #eq? #not-eq? #match? #not-match?
    /// #any-of?.
    #[schemars(with = "String")]
    pub query: S<String>,
    /// The capture (without `@`) whose matches are reported. Default: the
    /// first capture.
    #[schemars(with = "Option<String>")]
    pub capture: Option<S<String>>,
    /// Modules or globs where matches are allowed. Default: nowhere.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow_in: Vec<S<String>>,
    /// The rule's message, shown after the description of the violation (name
    /// the fix).
    pub message: Option<String>,
    /// error | warning (alias warn) | info | hint | off. Default: error.
    #[schemars(with = "Option<SeverityName>", extend("default" = "error"))]
    pub severity: Option<S<String>>,
}

/// An exception: imports from `from` to `to` are not violations of `rules`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("x-taplo" = { "initKeys": ["from", "to", "reason"] }))]
pub(crate) struct RawAllow {
    /// The importing side: modules or globs of files.
    #[schemars(with = "Vec<String>")]
    pub from: Vec<S<String>>,
    /// The targets: modules, globs, packages or API selectors.
    #[schemars(with = "Vec<String>")]
    pub to: Vec<S<String>>,
    /// The rule ids this exception silences. Default: every rule.
    #[schemars(with = "Option<Vec<String>>")]
    pub rules: Option<Vec<S<String>>>,
    /// Why this exception exists.
    pub reason: Option<String>,
}

/// Built-in checks and their severities: one key per built-in rule that has
/// one in the registry ([`crate::rule`]), and three options.
#[derive(Debug, Default)]
pub(crate) struct RawChecks {
    /// Severities by `[checks]` key, as written.
    pub severities: Vec<(String, S<String>)>,
    pub type_only_imports: Option<S<String>>,
    pub cycle_type_only_imports: Option<S<String>>,
    pub reexports: Option<S<String>>,
}

const CHECK_OPTIONS: [&str; 3] = ["type_only_imports", "cycle_type_only_imports", "reexports"];

/// Every key `[checks]` accepts, for serde's "unknown field" message.
fn check_keys() -> &'static [&'static str] {
    static KEYS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        crate::rule::Builtin::check_keys()
            .chain(CHECK_OPTIONS)
            .collect()
    })
}

impl<'de> Deserialize<'de> for RawChecks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawChecks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of check severities")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawChecks, A::Error> {
                let mut out = RawChecks::default();
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "type_only_imports" => &mut out.type_only_imports,
                        "cycle_type_only_imports" => &mut out.cycle_type_only_imports,
                        "reexports" => &mut out.reexports,
                        k if crate::rule::Builtin::from_check_key(k).is_some() => {
                            // (TOML itself refuses a key written twice)
                            let value: S<String> = map.next_value()?;
                            out.severities.push((key, value));
                            continue;
                        }
                        // raised while reading the value, so that the error
                        // points at its line rather than at `[checks]`
                        _ => {
                            map.next_value_seed(UnknownKey(&key))?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value()?);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// Fails with serde's "unknown field" for the `[checks]` key it is given.
struct UnknownKey<'k>(&'k str);

impl<'de> serde::de::DeserializeSeed<'de> for UnknownKey<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(serde::de::Error::unknown_field(self.0, check_keys()))
    }
}

impl JsonSchema for RawChecks {
    fn schema_name() -> Cow<'static, str> {
        "RawChecks".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let mut properties = serde_json::Map::new();
        for rule in crate::rule::Builtin::ALL {
            let Some((key, doc)) = rule.check() else {
                continue;
            };
            let default = rule.default_severity().as_str();
            let mut p = SeverityName::json_schema(g);
            p.insert(
                "description".into(),
                format!("{doc} Default: {default}.").into(),
            );
            p.insert("default".into(), default.into());
            properties.insert(key.into(), p.into());
        }
        let options = json_schema!({
            "type_only_imports": {
                "description": "\"count\" or \"ignore\": whether type-only imports are dependencies. Default: count.",
                "type": "string",
                "enum": ["count", "ignore"],
                "default": "count",
            },
            "cycle_type_only_imports": {
                "description": "\"count\" or \"ignore\": whether type-only imports are dependencies for `cycles` and `file_cycles` (they are erased at run time, so they close no cycle a program can trip on). Default: ignore.",
                "type": "string",
                "enum": ["count", "ignore"],
                "default": "ignore",
            },
            "reexports": {
                "description": "\"follow\": a named import through a re-exporting file is judged against the module of the file that defines the name; \"direct\": against the direct target. Default: follow.",
                "type": "string",
                "enum": ["follow", "direct"],
                "default": "follow",
            },
        });
        if let Some(o) = options.as_object() {
            properties.extend(o.clone());
        }
        json_schema!({
            "description": "Built-in checks and their severities.",
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}

/// `[layers]` (one stack) or `[[layers]]` (several stacks).
#[derive(Debug)]
pub(crate) struct LayersField(pub Vec<RawLayers>);

impl<'de> Deserialize<'de> for LayersField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LayersField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a [layers] table or [[layers]] tables")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<LayersField, A::Error> {
                let one =
                    RawLayers::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(LayersField(vec![one]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<LayersField, A::Error> {
                let many = Vec::<RawLayers>::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                Ok(LayersField(many))
            }
        }
        d.deserialize_any(V)
    }
}

// ---- the JSON schema of `layergate.toml` -------------------------------------

impl JsonSchema for LayerEntry {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "layerEntry".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let name = g.subschema_for::<ModuleName>();
        json_schema!({
            "anyOf": [
                name,
                {
                    "description": "One level of sibling modules.",
                    "type": "array",
                    "items": name,
                }
            ]
        })
    }
}

impl JsonSchema for LayersField {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "layers".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let stack = g.subschema_for::<RawLayers>();
        json_schema!({
            "oneOf": [
                stack,
                { "type": "array", "minItems": 1, "items": stack }
            ]
        })
    }
}

/// A module name (schema only; the config holds a `String`).
struct ModuleName;

impl JsonSchema for ModuleName {
    fn schema_name() -> Cow<'static, str> {
        "moduleName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A module name: [a-z0-9_-]+, may contain `{1}` (a template module: one module per directory matched by the first `*` of its paths). Names are unique across groups.",
            "type": "string",
            "pattern": r"^(?:[a-z0-9_-]|\{1\})+$",
        })
    }
}

/// The id of a user rule (schema only): not one of [`crate::rule::BUILTIN_RULES`].
struct RuleId;

impl JsonSchema for RuleId {
    fn schema_name() -> Cow<'static, str> {
        "ruleId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Required, unique, [a-z0-9._-]+, not a built-in id.",
            "type": "string",
            "pattern": "^[a-z0-9._-]+$",
            "not": { "enum": crate::rule::BUILTIN_RULES },
        })
    }
}

/// A severity as written (schema only): what [`crate::severity::Severity::parse`] accepts.
struct SeverityName;

impl JsonSchema for SeverityName {
    fn schema_name() -> Cow<'static, str> {
        "severity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "error | warning (alias warn) | info | hint | off",
            "type": "string",
            "enum": ["error", "warning", "warn", "info", "hint", "off"],
            "x-taplo": {
                "docs": {
                    "enumValues": [
                        "Reported as an error: fails `layergate check` (exit status 1).",
                        "Reported as a warning: does not fail the check.",
                        "Alias of `warning`.",
                        "Reported as information.",
                        "Reported as a hint.",
                        "Not reported."
                    ]
                }
            }
        })
    }
}

/// Adapts schemars' output to TOML and to taplo (Even Better TOML):
/// - TOML has no `null`: an `Option` field is a key that may be left out, so
///   the `null` schemars allows for it is removed (`"type": ["string", "null"]`
///   → `"type": "string"`, `null` out of `enum`, `{"anyOf": [X, {"type":
///   "null"}]}` → X);
/// - doc comments are wrapped lines: a single line break becomes a space
///   (paragraph breaks and list items stay).
#[derive(Clone, Copy)]
struct ForToml;

impl schemars::transform::Transform for ForToml {
    fn transform(&mut self, schema: &mut Schema) {
        schemars::transform::transform_subschemas(self, schema);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        use serde_json::Value;
        if let Some(Value::Array(types)) = obj.get_mut("type") {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let one = types.remove(0);
                obj.insert("type".into(), one);
            }
        }
        if let Some(Value::Array(values)) = obj.get_mut("enum") {
            values.retain(|v| !v.is_null());
        }
        let single_after_null = match obj.get_mut("anyOf") {
            Some(Value::Array(any)) => {
                any.retain(|s| s.get("type") != Some(&Value::from("null")));
                any.len() == 1
            }
            _ => false,
        };
        if single_after_null {
            if let Some(Value::Array(mut any)) = obj.remove("anyOf") {
                if let Value::Object(inner) = any.remove(0) {
                    for (k, v) in inner {
                        // the outer schema's own keys (the field's description) win
                        obj.entry(k).or_insert(v);
                    }
                }
            }
        }
        for key in ["description", "title"] {
            if let Some(Value::String(text)) = obj.get_mut(key) {
                *text = unwrap_lines(text);
            }
        }
    }
}

/// Joins the lines of each paragraph of a doc comment with spaces.
fn unwrap_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if let Some(next) = lines.peek() {
            let keep = line.trim().is_empty() || next.trim().is_empty() || next.starts_with("- ");
            out.push(if keep { '\n' } else { ' ' });
        }
    }
    out
}

/// The JSON schema (draft-07, which taplo's validator supports; every
/// sub-schema inline, so editors show each key's own description on hover)
/// of `layergate.toml`.
pub(crate) fn json_schema() -> Schema {
    schemars::generate::SchemaSettings::draft07()
        .with(|s| {
            s.inline_subschemas = true;
            // before draft07's own transforms (RemoveRefSiblings, ...)
            s.transforms.insert(0, Box::new(ForToml));
        })
        .into_generator()
        .into_root_schema_for::<RawConfig>()
}

/// [`json_schema`] as committed in `editors/schema/layergate.schema.json`:
/// pretty JSON, keys sorted (the same whatever serde_json's `preserve_order`),
/// a trailing newline.
pub fn json_schema_text() -> String {
    fn sorted(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(
                    entries.into_iter().map(|(k, v)| (k, sorted(v))).collect(),
                )
            }
            serde_json::Value::Array(a) => {
                serde_json::Value::Array(a.into_iter().map(sorted).collect())
            }
            other => other,
        }
    }
    let value = sorted(json_schema().to_value());
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
