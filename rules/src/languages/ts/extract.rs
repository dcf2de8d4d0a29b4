//! TypeScript / JavaScript extraction.
//!
//! One pre-order pass over the tree with a [`tree_sitter::TreeCursor`] and an
//! explicit frame stack: no recursion, so a file of 100k nested brackets
//! cannot overflow the stack, and no tree-sitter queries. Each frame knows the
//! *mode* its node is in:
//!
//! * `Expr`: identifiers are references (candidate global uses);
//! * `Pattern`: identifiers are bindings (declarations, parameters);
//! * `Type`: nothing is a runtime reference; only `import('m')` matters (a
//!   type-only dynamic import);
//! * `Skip`: inside an import/export statement or a declaration name already
//!   handled; only comments are looked at.
//!
//! Global API uses are resolved with function scopes: every reference is
//! recorded in the innermost scope and handed to the parent when a scope
//! closes, unless a binding of that scope (hoisted: declared anywhere in it)
//! shadows it. What is left when the top-level scope closes is a global.
//!
//! Inside ERROR nodes a small token machine recovers `import … from '…'`,
//! `import '…'` and `export … from '…'` sequences the parser could not build
//! into statements.
//!
//! **Invariant:** never panics on any input: text is only sliced by byte
//! offsets tree-sitter gives, and unquoting uses `strip_prefix`/`strip_suffix`.

use std::collections::HashMap;
use std::sync::OnceLock;

use tree_sitter::{Language, Node, TreeCursor};

use crate::extract::suppress;
use crate::facts::{ApiRef, FileFacts, Import, ImportKind, ImportedName, Span};
use crate::lang::Lang;

/// Extracts imports, global API uses, exports and suppressions from a TS/JS tree.
pub(crate) fn extract(tree: &tree_sitter::Tree, text: &str, lang: Lang) -> FileFacts {
    let language = tree.language();
    let fresh;
    let tables = match cached_tables(lang) {
        Some(t) if t.cats.len() == language.node_kind_count() => t,
        _ => {
            fresh = Tables::new(&language);
            &fresh
        }
    };
    let mut x = Extractor::new(text, tables, lang);
    x.push_scope(false);
    x.walk(tree.root_node());
    x.pop_scope();
    let mut facts = x.finish();
    facts.has_syntax_errors = tree.root_node().has_error();
    facts
}

// ---------------------------------------------------------------------------
// Node categories and field ids, computed once per grammar.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cat {
    Other,
    Comment,
    Error,
    Identifier,
    ShorthandProp,
    ShorthandPropPattern,
    PropIdent,
    Member,
    Subscript,
    Call,
    /// The named `import` node: the callee of `import('m')`.
    ImportFn,
    Str,
    Template,
    ImportStmt,
    ExportStmt,
    ImportAlias,
    /// Function declarations and signatures: name bound outside, own scope.
    FnDecl,
    /// Function expressions: name bound inside their own scope.
    FnExpr,
    Arrow,
    /// Methods and class static blocks: own scope, name is a property.
    Method,
    ClassDecl,
    /// `namespace N {}` / `module N {}` / `declare module 'm' {}`.
    Module,
    Enum,
    VarDeclarator,
    Param,
    FormalParams,
    Catch,
    ForIn,
    /// `x as T`, `x satisfies T`: the first child is an expression, the rest a type.
    AsExpr,
    /// JSX elements whose `name` is a tag, not a reference.
    Jsx,
    NestedIdent,
    /// `{..}` / `[..]` / `...rest` patterns.
    ListPattern,
    PairPattern,
    AssignPattern,
    /// Anything that starts a type position.
    TypeNode,
}

fn cat_for(kind: &str) -> Cat {
    match kind {
        "comment" => Cat::Comment,
        "identifier" => Cat::Identifier,
        "shorthand_property_identifier" => Cat::ShorthandProp,
        "shorthand_property_identifier_pattern" => Cat::ShorthandPropPattern,
        "property_identifier" => Cat::PropIdent,
        "member_expression" => Cat::Member,
        "subscript_expression" => Cat::Subscript,
        "call_expression" => Cat::Call,
        "import" => Cat::ImportFn,
        "string" => Cat::Str,
        "template_string" => Cat::Template,
        "import_statement" => Cat::ImportStmt,
        "export_statement" => Cat::ExportStmt,
        "import_alias" => Cat::ImportAlias,
        "function_declaration" | "generator_function_declaration" | "function_signature" => {
            Cat::FnDecl
        }
        "function_expression" | "function" | "generator_function" => Cat::FnExpr,
        "arrow_function" => Cat::Arrow,
        "method_definition"
        | "method_signature"
        | "abstract_method_signature"
        | "class_static_block" => Cat::Method,
        "class_declaration" | "abstract_class_declaration" | "class" => Cat::ClassDecl,
        "internal_module" | "module" => Cat::Module,
        "enum_declaration" => Cat::Enum,
        "variable_declarator" => Cat::VarDeclarator,
        "required_parameter" | "optional_parameter" => Cat::Param,
        "formal_parameters" => Cat::FormalParams,
        "catch_clause" => Cat::Catch,
        "for_in_statement" => Cat::ForIn,
        "as_expression" | "satisfies_expression" => Cat::AsExpr,
        "jsx_opening_element" | "jsx_closing_element" | "jsx_self_closing_element" => Cat::Jsx,
        "nested_identifier" => Cat::NestedIdent,
        "object_pattern" | "array_pattern" | "rest_pattern" => Cat::ListPattern,
        "pair_pattern" => Cat::PairPattern,
        "assignment_pattern" | "object_assignment_pattern" => Cat::AssignPattern,
        "type_annotation"
        | "type_arguments"
        | "type_parameters"
        | "type_parameter"
        | "constraint"
        | "default_type"
        | "type_alias_declaration"
        | "interface_declaration"
        | "type_identifier"
        | "nested_type_identifier"
        | "generic_type"
        | "predefined_type"
        | "object_type"
        | "union_type"
        | "intersection_type"
        | "function_type"
        | "constructor_type"
        | "tuple_type"
        | "array_type"
        | "lookup_type"
        | "conditional_type"
        | "index_type_query"
        | "literal_type"
        | "parenthesized_type"
        | "infer_type"
        | "template_literal_type"
        | "readonly_type"
        | "type_query"
        | "existential_type"
        | "this_type"
        | "type_predicate"
        | "type_predicate_annotation"
        | "asserts"
        | "asserts_annotation"
        | "opting_type_annotation"
        | "omitting_type_annotation"
        | "adding_type_annotation"
        | "implements_clause"
        | "extends_type_clause"
        | "optional_type"
        | "rest_type"
        | "mapped_type_clause"
        | "index_signature"
        // `declare …` creates no runtime binding: a `declare const process`
        // still reads the global.
        | "ambient_declaration" => Cat::TypeNode,
        _ => Cat::Other,
    }
}

/// Field ids of the grammar (0 when the grammar has no such field).
#[derive(Debug, Clone, Copy, Default)]
struct Fields {
    name: u16,
    value: u16,
    object: u16,
    property: u16,
    index: u16,
    function: u16,
    arguments: u16,
    left: u16,
    right: u16,
    key: u16,
    typ: u16,
    return_type: u16,
    type_parameters: u16,
    type_arguments: u16,
    pattern: u16,
    parameter: u16,
    source: u16,
    declaration: u16,
    alias: u16,
    kind: u16,
}

struct Tables {
    cats: Vec<Cat>,
    f: Fields,
}

impl Tables {
    fn new(language: &Language) -> Tables {
        let cats = (0..language.node_kind_count())
            .map(|id| {
                let Ok(id) = u16::try_from(id) else {
                    return Cat::Other;
                };
                match language.node_kind_for_id(id) {
                    Some(name) if language.node_kind_is_named(id) => cat_for(name),
                    _ => Cat::Other,
                }
            })
            .collect();
        let fid = |n: &str| language.field_id_for_name(n).map_or(0, |f| f.get());
        let f = Fields {
            name: fid("name"),
            value: fid("value"),
            object: fid("object"),
            property: fid("property"),
            index: fid("index"),
            function: fid("function"),
            arguments: fid("arguments"),
            left: fid("left"),
            right: fid("right"),
            key: fid("key"),
            typ: fid("type"),
            return_type: fid("return_type"),
            type_parameters: fid("type_parameters"),
            type_arguments: fid("type_arguments"),
            pattern: fid("pattern"),
            parameter: fid("parameter"),
            source: fid("source"),
            declaration: fid("declaration"),
            alias: fid("alias"),
            kind: fid("kind"),
        };
        Tables { cats, f }
    }
}

fn cached_tables(lang: Lang) -> Option<&'static Tables> {
    static TS: OnceLock<Tables> = OnceLock::new();
    static TSX: OnceLock<Tables> = OnceLock::new();
    let cell = match lang {
        Lang::TypeScript => &TS,
        Lang::Tsx => &TSX,
        Lang::Rust | Lang::Python => return None,
    };
    Some(cell.get_or_init(|| Tables::new(&lang.grammar())))
}

// ---------------------------------------------------------------------------
// The walk.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Expr,
    Pattern,
    Type,
    Skip,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    cat: Cat,
    mode: Mode,
    /// `for_in_statement`: declares its left side; `export_statement`: has `from`.
    flag: bool,
    /// This node opened a scope.
    scope: bool,
    error: bool,
    descend: bool,
    /// Index of the child currently visited.
    idx: u32,
}

#[derive(Debug, Clone, Copy)]
enum Bind {
    Local,
    /// A binding standing for `prefixes[prefix]` (`process`, `process.env`),
    /// brought in by `imports[import]` when set.
    Alias {
        import: Option<u32>,
        prefix: u32,
        /// `prefixes[value]`: the declaration's value path, for aliases of
        /// globals (`u32::MAX` when the alias comes from an import).
        value: u32,
    },
}

#[derive(Default)]
struct Scope<'a> {
    binds: HashMap<&'a str, Bind>,
    uses_start: usize,
}

/// A reference awaiting resolution: the root identifier's name and the
/// outermost node of its static member chain.
#[derive(Clone, Copy)]
struct Use<'a> {
    name: &'a str,
    top: Node<'a>,
}

/// One name of an import or export clause, borrowed from the text.
#[derive(Debug, Clone, Copy)]
struct Spec<'a> {
    name: &'a str,
    local: &'a str,
    type_only: bool,
}

impl Spec<'_> {
    fn to_imported(self) -> ImportedName {
        ImportedName {
            name: self.name.to_string(),
            local: self.local.to_string(),
            type_only: self.type_only,
        }
    }
}

struct Extractor<'a, 't> {
    text: &'a str,
    cats: &'t [Cat],
    f: Fields,
    facts: FileFacts,
    /// Scope pool; the first `depth` are active.
    scopes: Vec<Scope<'a>>,
    depth: usize,
    uses: Vec<Use<'a>>,
    prefixes: Vec<String>,
    /// Start byte of the root identifier of the chain just recorded.
    skip_root_at: Option<usize>,
    /// Start byte of a `require()` call already emitted by its declarator.
    handled_call_at: Option<usize>,
    error_depth: u32,
    rec: Recover<'a>,
    links: Vec<Node<'a>>,
}

impl<'a, 't> Extractor<'a, 't> {
    fn new(text: &'a str, tables: &'t Tables, lang: Lang) -> Self {
        Extractor {
            text,
            cats: &tables.cats,
            f: tables.f,
            facts: FileFacts::empty(lang),
            scopes: Vec::new(),
            depth: 0,
            uses: Vec::new(),
            prefixes: Vec::new(),
            skip_root_at: None,
            handled_call_at: None,
            error_depth: 0,
            rec: Recover::default(),
            links: Vec::new(),
        }
    }

    fn cat(&self, node: Node<'_>) -> Cat {
        if node.is_error() {
            return Cat::Error;
        }
        self.cats
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Cat::Other)
    }

    fn txt(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn walk(&mut self, root: Node<'a>) {
        let mut cursor = root.walk();
        let mut stack: Vec<Frame> = Vec::with_capacity(64);
        let rf = self.enter(root, None, 0);
        stack.push(rf);
        'outer: loop {
            let descend = stack.last().is_some_and(|f| f.descend);
            if descend && cursor.goto_first_child() {
                let parent = stack.last().copied();
                let f = self.enter(cursor.node(), parent.as_ref(), field_of(&cursor));
                stack.push(f);
                continue;
            }
            loop {
                let Some(done) = stack.pop() else {
                    break 'outer;
                };
                self.leave(&done);
                if stack.is_empty() {
                    break 'outer;
                }
                if cursor.goto_next_sibling() {
                    if let Some(p) = stack.last_mut() {
                        p.idx += 1;
                    }
                    let parent = stack.last().copied();
                    let f = self.enter(cursor.node(), parent.as_ref(), field_of(&cursor));
                    stack.push(f);
                    break;
                }
                cursor.goto_parent();
            }
        }
    }

    fn child_mode(&self, p: &Frame, field: u16, cat: Cat) -> Mode {
        match p.mode {
            Mode::Skip => return Mode::Skip,
            Mode::Type => return Mode::Type,
            Mode::Expr | Mode::Pattern => {}
        }
        if cat == Cat::TypeNode {
            return Mode::Type;
        }
        let f = &self.f;
        if field != 0
            && (field == f.typ
                || field == f.return_type
                || field == f.type_parameters
                || field == f.type_arguments)
        {
            return Mode::Type;
        }
        let field_is = |id: u16| id != 0 && field == id;
        match p.cat {
            Cat::ImportStmt | Cat::ImportAlias | Cat::NestedIdent => Mode::Skip,
            Cat::ExportStmt => {
                if !p.flag && (field_is(f.declaration) || field_is(f.value)) {
                    Mode::Expr
                } else {
                    Mode::Skip
                }
            }
            Cat::AsExpr => {
                if p.idx == 0 {
                    Mode::Expr
                } else {
                    Mode::Type
                }
            }
            Cat::VarDeclarator => pick(field_is(f.name), Mode::Pattern, Mode::Expr),
            Cat::Param => pick(field_is(f.pattern), Mode::Pattern, Mode::Expr),
            Cat::Arrow | Cat::Catch => pick(field_is(f.parameter), Mode::Pattern, Mode::Expr),
            Cat::ForIn => pick(field_is(f.left) && p.flag, Mode::Pattern, Mode::Expr),
            Cat::Jsx | Cat::FnDecl | Cat::FnExpr | Cat::ClassDecl | Cat::Module | Cat::Enum => {
                pick(field_is(f.name), Mode::Skip, Mode::Expr)
            }
            Cat::FormalParams => pick(
                matches!(cat, Cat::Identifier | Cat::ListPattern | Cat::AssignPattern),
                Mode::Pattern,
                Mode::Expr,
            ),
            _ if p.mode == Mode::Pattern => match p.cat {
                Cat::AssignPattern => pick(field_is(f.right), Mode::Expr, Mode::Pattern),
                Cat::PairPattern => pick(field_is(f.key), Mode::Expr, Mode::Pattern),
                Cat::ListPattern => Mode::Pattern,
                _ => Mode::Expr,
            },
            _ => Mode::Expr,
        }
    }

    fn enter(&mut self, node: Node<'a>, parent: Option<&Frame>, field: u16) -> Frame {
        let cat = self.cat(node);
        let mut mode = match parent {
            None => Mode::Expr,
            Some(p) => self.child_mode(p, field, cat),
        };
        if cat == Cat::Error && mode == Mode::Pattern {
            mode = Mode::Expr;
        }
        let mut fr = Frame {
            cat,
            mode,
            flag: false,
            scope: false,
            error: false,
            descend: true,
            idx: 0,
        };
        match cat {
            Cat::Comment => {
                self.comment(node);
                fr.descend = false;
                return fr;
            }
            Cat::Error => {
                self.error_depth += 1;
                fr.error = true;
                return fr;
            }
            Cat::Str => fr.descend = false,
            _ => {}
        }
        // A type or skipped subtree matters only for `import(…)` (types) and
        // suppression comments: prune it at its root when its text has neither.
        let entering = parent.is_some_and(|p| p.mode != mode);
        if entering && matches!(mode, Mode::Type | Mode::Skip) {
            let t = self.txt(node);
            let wanted = t.contains("layergate-ignore")
                || (mode == Mode::Type && (t.contains("import") || t.contains("export")));
            if !wanted {
                fr.descend = false;
                return fr;
            }
        }
        if self.error_depth > 0 && mode != Mode::Skip {
            if cat == Cat::Str {
                self.rec_string(node);
            } else if node.child_count() == 0 {
                self.rec_token(node);
            }
        }
        match mode {
            Mode::Skip => {}
            Mode::Type => match cat {
                Cat::Call => self.call(node, true),
                // inside `declare module 'm' { … }`: type-level dependencies
                Cat::ImportStmt => {
                    let before = self.facts.imports.len();
                    self.import_statement(node);
                    for i in &mut self.facts.imports[before..] {
                        i.type_only = true;
                    }
                }
                Cat::ExportStmt => {
                    self.export_statement(node, true);
                }
                _ => {}
            },
            Mode::Pattern => {
                if matches!(cat, Cat::Identifier | Cat::ShorthandPropPattern) {
                    let name = self.txt(node);
                    self.bind(name, Bind::Local);
                }
            }
            Mode::Expr => self.enter_expr(node, cat, parent, field, &mut fr),
        }
        fr
    }

    fn enter_expr(
        &mut self,
        node: Node<'a>,
        cat: Cat,
        parent: Option<&Frame>,
        field: u16,
        fr: &mut Frame,
    ) {
        match cat {
            Cat::ImportStmt => self.import_statement(node),
            Cat::ExportStmt => fr.flag = self.export_statement(node, false),
            Cat::ImportAlias => {
                if let Some(id) = first_named_child(node) {
                    if self.cat(id) == Cat::Identifier {
                        let name = self.txt(id);
                        self.bind(name, Bind::Local);
                    }
                }
            }
            Cat::FnDecl => {
                self.bind_name_of(node);
                self.push_scope(true);
                fr.scope = true;
            }
            Cat::FnExpr => {
                self.push_scope(true);
                fr.scope = true;
                self.bind_name_of(node);
            }
            Cat::Arrow => {
                self.push_scope(false);
                fr.scope = true;
            }
            Cat::Method => {
                self.push_scope(true);
                fr.scope = true;
            }
            Cat::ClassDecl | Cat::Enum => self.bind_name_of(node),
            Cat::Module => {
                self.bind_name_of(node);
                self.push_scope(false);
                fr.scope = true;
            }
            Cat::VarDeclarator => self.declarator(node),
            Cat::ForIn => {
                fr.flag = self.f.kind != 0 && node.child_by_field_id(self.f.kind).is_some()
            }
            Cat::Call => self.call(node, false),
            Cat::Member | Cat::Subscript => {
                let continues = parent.is_some_and(|p| {
                    matches!(p.cat, Cat::Member | Cat::Subscript)
                        && field != 0
                        && field == self.f.object
                });
                if !continues {
                    self.chain(node);
                }
            }
            Cat::Identifier | Cat::ShorthandProp | Cat::ShorthandPropPattern => {
                if self.skip_root_at == Some(node.start_byte()) && cat == Cat::Identifier {
                    self.skip_root_at = None;
                } else {
                    let name = self.txt(node);
                    // A keyword the parser left as a loose identifier in an
                    // ERROR node (`from`, `class`, …) reads nothing.
                    let loose_keyword =
                        parent.is_some_and(|p| p.cat == Cat::Error) && is_keyword(name);
                    if !name.is_empty() && !loose_keyword {
                        self.uses.push(Use { name, top: node });
                    }
                }
            }
            _ => {}
        }
    }

    fn leave(&mut self, f: &Frame) {
        if f.scope {
            self.pop_scope();
        }
        if f.error {
            self.error_depth = self.error_depth.saturating_sub(1);
            if self.error_depth == 0 {
                self.rec.reset();
            }
        }
    }

    // -- scopes --------------------------------------------------------------

    fn push_scope(&mut self, function: bool) {
        if self.depth == self.scopes.len() {
            self.scopes.push(Scope::default());
        }
        let start = self.uses.len();
        if let Some(s) = self.scopes.get_mut(self.depth) {
            s.binds.clear();
            s.uses_start = start;
        }
        self.depth += 1;
        if function {
            self.bind("arguments", Bind::Local);
        }
    }

    fn pop_scope(&mut self) {
        if self.depth == 0 {
            return;
        }
        self.depth -= 1;
        let idx = self.depth;
        let start = self.scopes[idx].uses_start.min(self.uses.len());
        let mut keep = start;
        for r in start..self.uses.len() {
            let u = self.uses[r];
            match self.scopes[idx].binds.get(u.name).copied() {
                None => {
                    self.uses[keep] = u;
                    keep += 1;
                }
                Some(Bind::Local) => {}
                Some(Bind::Alias {
                    import,
                    prefix,
                    value,
                }) => {
                    let base = self
                        .prefixes
                        .get(prefix as usize)
                        .map_or(u.name, String::as_str);
                    let path = chain_path(self.text, &self.f, base, u.top);
                    let introduced_as = self.prefixes.get(value as usize).cloned();
                    self.facts.apis.push(ApiRef {
                        path,
                        span: Span::of(&u.top),
                        via_import: import,
                        introduced_as,
                    });
                }
            }
        }
        self.uses.truncate(keep);
    }

    /// Binds `name` in the innermost scope; an earlier binding of the same
    /// name in that scope wins (an alias is not overwritten by its pattern).
    fn bind(&mut self, name: &'a str, b: Bind) {
        if name.is_empty() || self.depth == 0 {
            return;
        }
        if let Some(s) = self.scopes.get_mut(self.depth - 1) {
            s.binds.entry(name).or_insert(b);
        }
    }

    fn bind_name_of(&mut self, node: Node<'a>) {
        if let Some(n) = child_by_field(node, self.f.name) {
            if matches!(self.cat(n), Cat::Identifier | Cat::TypeNode) {
                let name = self.txt(n);
                self.bind(name, Bind::Local);
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<Bind> {
        self.scopes[..self.depth]
            .iter()
            .rev()
            .find_map(|s| s.binds.get(name).copied())
    }

    /// An alias standing for `prefix`; `value` is the declaration's value path
    /// when the alias is of a global (not of an import).
    fn alias(&mut self, import: Option<u32>, prefix: String, value: Option<&str>) -> Bind {
        let idx = self.prefixes.len() as u32;
        self.prefixes.push(prefix);
        let value = match value {
            Some(v) if import.is_none() => {
                self.prefixes.push(v.to_string());
                idx + 1
            }
            _ => u32::MAX,
        };
        Bind::Alias {
            import,
            prefix: idx,
            value,
        }
    }

    // -- imports ---------------------------------------------------------------

    fn push_import(&mut self, import: Import) -> u32 {
        let idx = self.facts.imports.len() as u32;
        self.facts.imports.push(import);
        idx
    }

    /// Binds the locals of import `idx` (`(imported name, local)` pairs and a
    /// namespace local), as aliases of `process` when it imports
    /// `process`/`node:process`.
    fn bind_import_locals(
        &mut self,
        idx: u32,
        locals: &[(&'a str, &'a str)],
        namespace_local: Option<&'a str>,
    ) {
        let is_process = self
            .facts
            .imports
            .get(idx as usize)
            .is_some_and(|i| is_process_specifier(&i.specifier));
        for &(name, local) in locals {
            let b = if !is_process {
                Bind::Local
            } else if name == "default" || name == "*" {
                self.alias(Some(idx), "process".to_string(), None)
            } else {
                self.alias(Some(idx), format!("process.{name}"), None)
            };
            self.bind(local, b);
        }
        if let Some(ns) = namespace_local {
            let b = if is_process {
                self.alias(Some(idx), "process".to_string(), None)
            } else {
                Bind::Local
            };
            self.bind(ns, b);
        }
    }

    fn import_statement(&mut self, node: Node<'a>) {
        let mut type_only = false;
        let mut names: Vec<Spec<'a>> = Vec::new();
        let mut namespace: Option<&'a str> = None;
        let mut has_clause = false;
        let mut equals = false;
        let mut source = child_by_field(node, self.f.source);
        let mut c = node.walk();
        for child in node.children(&mut c) {
            match child.kind() {
                "type" if !child.is_named() => type_only = true,
                "import_clause" => {
                    has_clause = true;
                    self.import_clause(child, &mut names, &mut namespace);
                }
                "import_require_clause" => {
                    equals = true;
                    source = child_by_field(child, self.f.source);
                    if let Some(n) =
                        first_named_child(child).filter(|n| self.cat(*n) == Cat::Identifier)
                    {
                        names.push(Spec {
                            name: "*",
                            local: self.txt(n),
                            type_only: false,
                        });
                    }
                }
                _ => {}
            }
        }
        let Some(spec) = source.and_then(|s| literal_value(self.text, s)) else {
            return;
        };
        let kind = if equals {
            ImportKind::ImportEquals
        } else if namespace.is_some() {
            ImportKind::Namespace
        } else if has_clause {
            ImportKind::Static
        } else {
            ImportKind::SideEffect
        };
        if namespace.is_none() && !names.is_empty() && names.iter().all(|n| n.type_only) {
            type_only = true;
        }
        self.emit_import(kind, spec, Span::of(&node), type_only, &names, namespace);
    }

    /// Pushes an import with its names (none for namespace imports, see
    /// [`Import::names`]) and binds its locals.
    fn emit_import(
        &mut self,
        kind: ImportKind,
        spec: &str,
        span: Span,
        type_only: bool,
        names: &[Spec<'a>],
        namespace: Option<&'a str>,
    ) {
        let listed = if kind == ImportKind::Namespace {
            Vec::new()
        } else {
            names.iter().map(|s| s.to_imported()).collect()
        };
        let idx = self.push_import(Import {
            kind,
            specifier: spec.to_string(),
            span,
            type_only,
            names: listed,
        });
        let locals: Vec<(&'a str, &'a str)> = names.iter().map(|n| (n.name, n.local)).collect();
        self.bind_import_locals(idx, &locals, namespace.filter(|n| !n.is_empty()));
    }

    fn import_clause(
        &self,
        clause: Node<'a>,
        names: &mut Vec<Spec<'a>>,
        namespace: &mut Option<&'a str>,
    ) {
        let mut c = clause.walk();
        for part in clause.named_children(&mut c) {
            match part.kind() {
                "identifier" => names.push(Spec {
                    name: "default",
                    local: self.txt(part),
                    type_only: false,
                }),
                "namespace_import" => {
                    *namespace = Some(
                        last_named_child(part)
                            .filter(|n| self.cat(*n) == Cat::Identifier)
                            .map_or("", |n| self.txt(n)),
                    );
                }
                "named_imports" => {
                    let mut c2 = part.walk();
                    for spec in part.named_children(&mut c2) {
                        if spec.kind() == "import_specifier" {
                            names.extend(self.specifier(spec));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `a`, `a as b`, `type a`, `"s" as b` in an import or export clause.
    fn specifier(&self, spec: Node<'a>) -> Option<Spec<'a>> {
        let name = child_by_field(spec, self.f.name).and_then(|n| name_value(self.text, n))?;
        let local = child_by_field(spec, self.f.alias)
            .and_then(|n| name_value(self.text, n))
            .unwrap_or(name);
        Some(Spec {
            name,
            local,
            type_only: has_type_keyword(spec),
        })
    }

    /// Handles an `export` statement; returns whether it has a `from` source.
    /// `ambient`: inside `declare module 'm' {}`, where re-exports are
    /// type-level and declarations are not this file's exports.
    fn export_statement(&mut self, node: Node<'a>, ambient: bool) -> bool {
        let mut type_only = ambient;
        let mut star = false;
        let mut is_default = false;
        let mut ns = false;
        let mut clause: Option<Node<'a>> = None;
        let mut c = node.walk();
        for child in node.children(&mut c) {
            match child.kind() {
                "type" if !child.is_named() => type_only = true,
                "*" if !child.is_named() => star = true,
                "default" if !child.is_named() => is_default = true,
                "namespace_export" => ns = true,
                "export_clause" => clause = Some(child),
                _ if child.is_error() && self.txt(child).trim() == "type" => type_only = true,
                _ => {}
            }
        }
        let mut specs: Vec<Spec<'a>> = Vec::new();
        if let Some(cl) = clause {
            let mut c2 = cl.walk();
            for spec in cl.named_children(&mut c2) {
                if spec.kind() == "export_specifier" {
                    specs.extend(self.specifier(spec));
                }
            }
        }
        if let Some(src) = child_by_field(node, self.f.source) {
            let Some(spec) = literal_value(self.text, src) else {
                return true;
            };
            let kind = if star && !ns {
                ImportKind::ReExportAll
            } else {
                ImportKind::ReExport
            };
            if !specs.is_empty() && specs.iter().all(|s| s.type_only) {
                type_only = true;
            }
            self.push_import(Import {
                kind,
                specifier: spec.to_string(),
                span: Span::of(&node),
                type_only,
                names: specs.iter().map(|s| s.to_imported()).collect(),
            });
            return true;
        }
        if ambient {
            return false;
        }
        if is_default {
            self.facts.exports.local.push("default".to_string());
        } else if let Some(decl) = child_by_field(node, self.f.declaration) {
            let mut out = std::mem::take(&mut self.facts.exports.local);
            self.decl_names(decl, &mut out, 0);
            self.facts.exports.local = out;
        }
        for s in specs {
            self.facts.exports.local.push(s.local.to_string());
        }
        false
    }

    fn decl_names(&self, decl: Node<'a>, out: &mut Vec<String>, depth: u32) {
        match decl.kind() {
            "lexical_declaration" | "variable_declaration" => {
                let mut c = decl.walk();
                for d in decl.named_children(&mut c) {
                    if d.kind() == "variable_declarator" {
                        if let Some(p) = child_by_field(d, self.f.name) {
                            self.pattern_names(p, out);
                        }
                    }
                }
            }
            "ambient_declaration" if depth == 0 => {
                let mut c = decl.walk();
                for d in decl.named_children(&mut c) {
                    self.decl_names(d, out, depth + 1);
                }
            }
            "import_alias" => {
                let mut c = decl.walk();
                let name = decl
                    .named_children(&mut c)
                    .find(|n| self.cat(*n) != Cat::Comment);
                if let Some(n) = name {
                    out.push(self.txt(n).to_string());
                }
            }
            _ => {
                if let Some(n) = child_by_field(decl, self.f.name) {
                    if matches!(n.kind(), "identifier" | "type_identifier") {
                        out.push(self.txt(n).to_string());
                    }
                }
            }
        }
    }

    fn pattern_names(&self, pattern: Node<'a>, out: &mut Vec<String>) {
        let mut stack = vec![pattern];
        let mut kids = Vec::new();
        while let Some(n) = stack.pop() {
            match n.kind() {
                "identifier" | "shorthand_property_identifier_pattern" => {
                    out.push(self.txt(n).to_string())
                }
                "object_pattern" | "array_pattern" | "rest_pattern" => {
                    let mut c = n.walk();
                    kids.clear();
                    kids.extend(n.named_children(&mut c));
                    stack.extend(kids.iter().rev().copied());
                }
                "pair_pattern" => stack.extend(child_by_field(n, self.f.value)),
                "assignment_pattern" | "object_assignment_pattern" => {
                    stack.extend(child_by_field(n, self.f.left))
                }
                _ => {}
            }
        }
    }

    /// `import('m')` (type-only in type positions) and `require('m')`.
    fn call(&mut self, node: Node<'a>, in_type: bool) {
        if self.handled_call_at == Some(node.start_byte()) {
            self.handled_call_at = None;
            return;
        }
        let Some(func) = child_by_field(node, self.f.function) else {
            return;
        };
        let kind = match self.cat(func) {
            Cat::ImportFn => ImportKind::Dynamic,
            Cat::Identifier if !in_type && self.txt(func) == "require" => ImportKind::Require,
            _ => return,
        };
        let Some(spec) = self.first_literal_arg(node) else {
            return;
        };
        self.push_import(Import {
            kind,
            specifier: spec.to_string(),
            span: Span::of(&node),
            type_only: in_type,
            names: Vec::new(),
        });
    }

    fn first_literal_arg(&self, call: Node<'a>) -> Option<&'a str> {
        let args = child_by_field(call, self.f.arguments)?;
        let mut c = args.walk();
        let first = args
            .named_children(&mut c)
            .find(|n| self.cat(*n) != Cat::Comment)?;
        literal_value(self.text, first)
    }

    /// `const p = require('process')`, `const { env } = process`,
    /// `const { HOME } = process.env`: bind the names as aliases.
    fn declarator(&mut self, node: Node<'a>) {
        let (Some(name), Some(value)) = (
            child_by_field(node, self.f.name),
            child_by_field(node, self.f.value),
        ) else {
            return;
        };
        let (import, base) = match self.cat(value) {
            Cat::Call => {
                let is_require = child_by_field(value, self.f.function)
                    .is_some_and(|f| self.cat(f) == Cat::Identifier && self.txt(f) == "require");
                let Some(spec) = self.first_literal_arg(value).filter(|_| is_require) else {
                    return;
                };
                if !is_process_specifier(spec) {
                    return;
                }
                let idx = self.push_import(Import {
                    kind: ImportKind::Require,
                    specifier: spec.to_string(),
                    span: Span::of(&value),
                    type_only: false,
                    names: Vec::new(),
                });
                self.handled_call_at = Some(value.start_byte());
                (Some(idx), "process".to_string())
            }
            Cat::Identifier | Cat::Member | Cat::Subscript => {
                let Some((root, end)) = self.static_chain(value) else {
                    return;
                };
                if end.id() != value.id() {
                    return;
                }
                let root_name = self.txt(root);
                match self.lookup(root_name) {
                    Some(Bind::Alias { import, prefix, .. }) => {
                        let base = self
                            .prefixes
                            .get(prefix as usize)
                            .cloned()
                            .unwrap_or_default();
                        (import, chain_path(self.text, &self.f, &base, value))
                    }
                    Some(Bind::Local) => return,
                    None if root_name == "process" => {
                        (None, chain_path(self.text, &self.f, "process", value))
                    }
                    None => return,
                }
            }
            _ => return,
        };
        match self.cat(name) {
            Cat::Identifier => {
                let b = self.alias(import, base.clone(), Some(&base));
                let n = self.txt(name);
                self.bind(n, b);
            }
            Cat::ListPattern if name.kind() == "object_pattern" => {
                let mut c = name.walk();
                let kids: Vec<Node<'a>> = name.named_children(&mut c).collect();
                for k in kids {
                    let (key, local) = match k.kind() {
                        "shorthand_property_identifier_pattern" => (k, k),
                        "object_assignment_pattern" => match child_by_field(k, self.f.left) {
                            Some(l) => (l, l),
                            None => continue,
                        },
                        "pair_pattern" => match (
                            child_by_field(k, self.f.key),
                            child_by_field(k, self.f.value),
                        ) {
                            (Some(key), Some(v))
                                if key.kind() == "property_identifier"
                                    && self.cat(v) == Cat::Identifier =>
                            {
                                (key, v)
                            }
                            _ => continue,
                        },
                        _ => continue,
                    };
                    let b = self.alias(import, format!("{base}.{}", self.txt(key)), Some(&base));
                    let n = self.txt(local);
                    self.bind(n, b);
                }
            }
            _ => {}
        }
    }

    // -- member chains ---------------------------------------------------------

    /// The root identifier of `top`'s member chain and the outermost node of
    /// its static prefix, or `None` when the chain is not rooted at an identifier.
    fn static_chain(&mut self, top: Node<'a>) -> Option<(Node<'a>, Node<'a>)> {
        self.links.clear();
        let mut cur = top;
        loop {
            match self.cat(cur) {
                Cat::Member | Cat::Subscript => {
                    self.links.push(cur);
                    cur = child_by_field(cur, self.f.object)?;
                }
                Cat::Identifier => break,
                _ => return None,
            }
        }
        let mut end = cur;
        for &l in self.links.iter().rev() {
            if link_name(self.text, &self.f, self.cats, l).is_none() {
                break;
            }
            end = l;
        }
        Some((cur, end))
    }

    fn chain(&mut self, top: Node<'a>) {
        let Some((root, end)) = self.static_chain(top) else {
            return;
        };
        let name = self.txt(root);
        if name.is_empty() {
            return;
        }
        self.skip_root_at = Some(root.start_byte());
        self.uses.push(Use { name, top: end });
    }

    // -- comments --------------------------------------------------------------

    fn comment(&mut self, node: Node<'a>) {
        let t = self.txt(node);
        if !t.contains("layergate-ignore") {
            return;
        }
        // `{/* layergate-ignore … */}` alone on its line in JSX: the braces
        // are not code before it.
        let at = match node.parent() {
            Some(p) if p.kind() == "jsx_expression" && p.named_child_count() == 1 => p.start_byte(),
            _ => node.start_byte(),
        };
        let before = suppress::code_before(self.text, at);
        if let Some(s) = suppress::parse_comment(t, Span::of(&node), before) {
            self.facts.suppressions.push(s);
        }
    }

    // -- recovery inside ERROR nodes -----------------------------------------------

    fn rec_token(&mut self, leaf: Node<'a>) {
        let t = self.txt(leaf);
        if t == "import" || t == "export" {
            self.rec.reset();
            self.rec.state = RState::Clause;
            self.rec.kw = Some(leaf);
            self.rec.export = t == "export";
            return;
        }
        let r = &mut self.rec;
        match r.state {
            RState::Idle => {}
            RState::From => r.reset(),
            RState::Clause => {
                r.any = true;
                match t {
                    "from" if !r.after_as => r.state = RState::From,
                    "type" if r.in_braces => r.next_type = true,
                    "type" if r.names.is_empty() && !r.star => r.type_only = true,
                    "*" => r.star = true,
                    "as" => r.after_as = true,
                    "{" => r.in_braces = true,
                    "}" => r.in_braces = false,
                    "," => {}
                    _ if is_ident(t) => {
                        if r.after_as {
                            r.after_as = false;
                            if r.in_braces {
                                if let Some(last) = r.names.last_mut() {
                                    last.local = t;
                                }
                            } else if r.star {
                                r.ns_local = Some(t);
                            } else {
                                r.reset();
                            }
                        } else if r.in_braces {
                            r.names.push(Spec {
                                name: t,
                                local: t,
                                type_only: std::mem::take(&mut r.next_type),
                            });
                        } else if !r.export && !r.star {
                            r.names.push(Spec {
                                name: "default",
                                local: t,
                                type_only: false,
                            });
                        } else {
                            r.reset();
                        }
                    }
                    _ => r.reset(),
                }
            }
        }
    }

    fn rec_string(&mut self, string: Node<'a>) {
        let ready = match self.rec.state {
            RState::Clause => !self.rec.any && !self.rec.export,
            RState::From => true,
            RState::Idle => false,
        };
        let kw = self.rec.kw;
        let (true, Some(kw), Some(spec)) = (ready, kw, literal_value(self.text, string)) else {
            self.rec.reset();
            return;
        };
        let r = std::mem::take(&mut self.rec);
        let kind = match (r.export, r.star) {
            (false, _) if !r.any => ImportKind::SideEffect,
            (false, true) => ImportKind::Namespace,
            (false, false) => ImportKind::Static,
            (true, true) if r.ns_local.is_none() => ImportKind::ReExportAll,
            (true, _) => ImportKind::ReExport,
        };
        let mut type_only = r.type_only;
        if !r.star && !r.names.is_empty() && r.names.iter().all(|n| n.type_only) {
            type_only = true;
        }
        let (s, e) = (kw.start_position(), string.end_position());
        let span = Span {
            start: kw.start_byte() as u32,
            end: string.end_byte() as u32,
            line: s.row as u32,
            col: s.column as u32,
            end_line: e.row as u32,
            end_col: e.column as u32,
        };
        if r.export {
            let names = if r.star {
                Vec::new()
            } else {
                r.names.iter().map(|s| s.to_imported()).collect()
            };
            self.push_import(Import {
                kind,
                specifier: spec.to_string(),
                span,
                type_only,
                names,
            });
        } else {
            let ns = if r.star {
                Some(r.ns_local.unwrap_or(""))
            } else {
                None
            };
            self.emit_import(kind, spec, span, type_only, &r.names, ns);
        }
    }

    // -- result ------------------------------------------------------------------

    fn finish(mut self) -> FileFacts {
        // Whatever no scope bound is a global.
        let uses = std::mem::take(&mut self.uses);
        for u in uses {
            let path = chain_path(self.text, &self.f, u.name, u.top);
            // `window.fetch(..)` is `fetch(..)`: a boundary on
            // `global:fetch` must not be passed through the global object
            let path = match crate::facts::strip_global_object(&path) {
                p if p.len() == path.len() => path,
                p => p.to_string(),
            };
            self.facts.apis.push(ApiRef {
                path,
                span: Span::of(&u.top),
                via_import: None,
                introduced_as: None,
            });
        }
        // Source order. Imports are emitted in pre-order and are normally
        // sorted already; recovered or declarator-emitted ones may not be.
        let imports = &self.facts.imports;
        if imports
            .windows(2)
            .any(|w| w[0].span.start > w[1].span.start)
        {
            let mut order: Vec<usize> = (0..imports.len()).collect();
            order.sort_by_key(|&i| imports[i].span.start);
            let mut new_index = vec![0u32; order.len()];
            for (new, &old) in order.iter().enumerate() {
                new_index[old] = new as u32;
            }
            let mut old: Vec<Option<Import>> = std::mem::take(&mut self.facts.imports)
                .into_iter()
                .map(Some)
                .collect();
            self.facts.imports = order.iter().filter_map(|&i| old[i].take()).collect();
            for a in &mut self.facts.apis {
                if let Some(v) = a.via_import {
                    a.via_import = new_index.get(v as usize).copied();
                }
            }
        }
        self.facts.apis.sort_by_key(|a| a.span.start);
        self.facts.exports.finish();
        self.facts
    }
}

// ---------------------------------------------------------------------------
// Recovery state machine.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum RState {
    #[default]
    Idle,
    /// After `import`/`export`, reading the clause.
    Clause,
    /// After `from`, expecting the string.
    From,
}

#[derive(Default)]
struct Recover<'a> {
    state: RState,
    kw: Option<Node<'a>>,
    export: bool,
    type_only: bool,
    star: bool,
    in_braces: bool,
    after_as: bool,
    next_type: bool,
    any: bool,
    names: Vec<Spec<'a>>,
    ns_local: Option<&'a str>,
}

impl Recover<'_> {
    fn reset(&mut self) {
        if self.state != RState::Idle || !self.names.is_empty() {
            *self = Recover::default();
        }
    }
}

// ---------------------------------------------------------------------------
// Small helpers.

fn pick(cond: bool, yes: Mode, no: Mode) -> Mode {
    if cond {
        yes
    } else {
        no
    }
}

fn field_of(cursor: &TreeCursor<'_>) -> u16 {
    cursor.field_id().map_or(0, |f| f.get())
}

fn child_by_field<'a>(node: Node<'a>, field: u16) -> Option<Node<'a>> {
    if field == 0 {
        None
    } else {
        node.child_by_field_id(field)
    }
}

fn first_named_child(node: Node<'_>) -> Option<Node<'_>> {
    node.named_child(0)
}

fn last_named_child(node: Node<'_>) -> Option<Node<'_>> {
    let n = node.named_child_count();
    if n == 0 {
        None
    } else {
        node.named_child((n - 1) as u32)
    }
}

fn has_type_keyword(node: Node<'_>) -> bool {
    let mut c = node.walk();
    let found = node
        .children(&mut c)
        .any(|ch| !ch.is_named() && ch.kind() == "type");
    found
}

fn is_process_specifier(spec: &str) -> bool {
    spec == "process" || spec == "node:process"
}

fn is_keyword(t: &str) -> bool {
    matches!(
        t,
        "abstract"
            | "as"
            | "async"
            | "await"
            | "break"
            | "case"
            | "catch"
            | "class"
            | "const"
            | "continue"
            | "declare"
            | "default"
            | "delete"
            | "do"
            | "else"
            | "enum"
            | "export"
            | "extends"
            | "finally"
            | "for"
            | "from"
            | "function"
            | "if"
            | "implements"
            | "import"
            | "in"
            | "instanceof"
            | "interface"
            | "let"
            | "module"
            | "namespace"
            | "new"
            | "of"
            | "private"
            | "protected"
            | "public"
            | "readonly"
            | "return"
            | "static"
            | "switch"
            | "throw"
            | "try"
            | "type"
            | "typeof"
            | "var"
            | "void"
            | "while"
            | "yield"
    )
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$' || !c.is_ascii())
}

/// The content between the quotes of a string literal, or of a template
/// string without substitutions; `None` for anything else.
fn literal_value<'a>(text: &'a str, node: Node<'_>) -> Option<&'a str> {
    let raw = text.get(node.byte_range())?;
    let quote = match node.kind() {
        "string" => raw.chars().next().filter(|c| *c == '\'' || *c == '"')?,
        "template_string" => {
            let mut c = node.walk();
            let has_subst = node
                .named_children(&mut c)
                .any(|n| n.kind() == "template_substitution");
            if has_subst {
                return None;
            }
            '`'
        }
        _ => return None,
    };
    let inner = raw.strip_prefix(quote)?;
    Some(inner.strip_suffix(quote).unwrap_or(inner))
}

/// A specifier name: an identifier's text or a string's content.
fn name_value<'a>(text: &'a str, node: Node<'_>) -> Option<&'a str> {
    if node.kind() == "string" {
        literal_value(text, node)
    } else {
        text.get(node.byte_range()).filter(|s| !s.is_empty())
    }
}

/// The name a static member link adds (`.env`, `["X"]`), or `None` when the
/// link is not static.
fn link_name<'a>(text: &'a str, f: &Fields, cats: &[Cat], link: Node<'_>) -> Option<&'a str> {
    let cat = |n: Node<'_>| {
        if n.is_error() {
            Cat::Error
        } else {
            cats.get(usize::from(n.kind_id()))
                .copied()
                .unwrap_or(Cat::Other)
        }
    };
    match cat(link) {
        Cat::Member => {
            let p = child_by_field(link, f.property)?;
            (cat(p) == Cat::PropIdent)
                .then(|| text.get(p.byte_range()))
                .flatten()
        }
        Cat::Subscript => {
            let i = child_by_field(link, f.index)?;
            match cat(i) {
                Cat::Str | Cat::Template => literal_value(text, i),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `base` followed by the names of every link of the static chain ending at
/// `top` (from the root outwards).
fn chain_path(text: &str, f: &Fields, base: &str, top: Node<'_>) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut cur = top;
    while matches!(cur.kind(), "member_expression" | "subscript_expression") {
        let name = if cur.kind() == "member_expression" {
            child_by_field(cur, f.property).and_then(|p| text.get(p.byte_range()))
        } else {
            child_by_field(cur, f.index).and_then(|i| literal_value(text, i))
        };
        parts.extend(name);
        match child_by_field(cur, f.object) {
            Some(o) => cur = o,
            None => break,
        }
    }
    let mut out =
        String::with_capacity(base.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>());
    out.push_str(base);
    for p in parts.iter().rev() {
        out.push('.');
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Suppression;

    const BOTH: [Lang; 2] = [Lang::TypeScript, Lang::Tsx];

    fn facts(lang: Lang, src: &str) -> FileFacts {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&lang.grammar()).unwrap();
        extract(&parser.parse(src, None).unwrap(), src, lang)
    }

    /// `(kind, specifier, type_only)` of every import.
    fn imports(lang: Lang, src: &str) -> Vec<(ImportKind, String, bool)> {
        facts(lang, src)
            .imports
            .into_iter()
            .map(|i| (i.kind, i.specifier, i.type_only))
            .collect()
    }

    /// `(path, via_import)` of every API use.
    fn apis(lang: Lang, src: &str) -> Vec<(String, Option<u32>)> {
        facts(lang, src)
            .apis
            .into_iter()
            .map(|a| (a.path, a.via_import))
            .collect()
    }

    fn paths(lang: Lang, src: &str) -> Vec<String> {
        apis(lang, src).into_iter().map(|(p, _)| p).collect()
    }

    fn n(name: &str, local: &str, type_only: bool) -> ImportedName {
        ImportedName {
            name: name.to_string(),
            local: local.to_string(),
            type_only,
        }
    }

    fn imp(kind: ImportKind, spec: &str, type_only: bool) -> (ImportKind, String, bool) {
        (kind, spec.to_string(), type_only)
    }

    fn g(path: &str) -> (String, Option<u32>) {
        (path.to_string(), None)
    }

    #[test]
    fn keeps_lang_and_empty_rust_only_fields() {
        for lang in BOTH {
            let f = facts(lang, "import a from 'a';");
            assert_eq!(f.lang, lang);
            assert!(f.unsafe_spans.is_empty());
            assert!(f.mods.is_empty());
            assert!(!f.has_syntax_errors);
        }
    }

    #[test]
    fn static_imports_with_names() {
        for lang in BOTH {
            let f = facts(
                lang,
                "import x from 'm';\nimport {a, b as c} from 'n';\nimport y, {d} from 'o';\n",
            );
            let got: Vec<_> = f
                .imports
                .iter()
                .map(|i| (i.kind, i.specifier.as_str(), i.type_only, i.names.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (
                        ImportKind::Static,
                        "m",
                        false,
                        vec![n("default", "x", false)]
                    ),
                    (
                        ImportKind::Static,
                        "n",
                        false,
                        vec![n("a", "a", false), n("b", "c", false)]
                    ),
                    (
                        ImportKind::Static,
                        "o",
                        false,
                        vec![n("default", "y", false), n("d", "d", false)]
                    ),
                ]
            );
        }
    }

    #[test]
    fn namespace_and_side_effect_imports() {
        for lang in BOTH {
            let f = facts(
                lang,
                "import * as ns from 'a';\nimport x, * as all from \"b\";\nimport './c.css';\n",
            );
            let got: Vec<_> = f
                .imports
                .iter()
                .map(|i| (i.kind, i.specifier.as_str(), i.names.len()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (ImportKind::Namespace, "a", 0),
                    (ImportKind::Namespace, "b", 0),
                    (ImportKind::SideEffect, "./c.css", 0),
                ]
            );
        }
    }

    #[test]
    fn import_spans_cover_the_statement() {
        let src = "const q = 1;\nimport { a } from './a';\n";
        let f = facts(Lang::TypeScript, src);
        let s = f.imports[0].span;
        assert_eq!(
            &src[s.start as usize..s.end as usize],
            "import { a } from './a';"
        );
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (1, 0, 1, 24));
    }

    #[test]
    fn type_only_imports() {
        for lang in BOTH {
            let f = facts(
                lang,
                "import type {A} from 'a';\n\
                 import type X from 'b';\n\
                 import {type C, type D} from 'c';\n\
                 import {type E, F} from 'd';\n\
                 import G, {type H} from 'e';\n",
            );
            let got: Vec<_> = f
                .imports
                .iter()
                .map(|i| (i.specifier.as_str(), i.type_only))
                .collect();
            assert_eq!(
                got,
                [
                    ("a", true),
                    ("b", true),
                    ("c", true),
                    ("d", false),
                    ("e", false)
                ]
            );
            assert_eq!(
                f.imports[3].names,
                vec![n("E", "E", true), n("F", "F", false)]
            );
            assert_eq!(
                f.imports[4].names,
                vec![n("default", "G", false), n("H", "H", true)]
            );
        }
    }

    #[test]
    fn re_exports() {
        for lang in BOTH {
            let f = facts(
                lang,
                "export {a, b as c} from 'm';\n\
                 export * as ns from 'n';\n\
                 export * from 'o';\n\
                 export type {T} from 'p';\n\
                 export {type U, V} from 'q';\n",
            );
            let got: Vec<_> = f
                .imports
                .iter()
                .map(|i| (i.kind, i.specifier.as_str(), i.type_only, i.names.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (
                        ImportKind::ReExport,
                        "m",
                        false,
                        vec![n("a", "a", false), n("b", "c", false)]
                    ),
                    (ImportKind::ReExport, "n", false, vec![]),
                    (ImportKind::ReExportAll, "o", false, vec![]),
                    (ImportKind::ReExport, "p", true, vec![n("T", "T", false)]),
                    (
                        ImportKind::ReExport,
                        "q",
                        false,
                        vec![n("U", "U", true), n("V", "V", false)]
                    ),
                ]
            );
            // re-exports are not local exports
            assert!(f.exports.local.is_empty());
        }
    }

    #[test]
    fn export_type_star_despite_error_node() {
        for lang in BOTH {
            assert_eq!(
                imports(
                    lang,
                    "export type * from './t';\nexport type * as N from './n';\n"
                ),
                vec![
                    imp(ImportKind::ReExportAll, "./t", true),
                    imp(ImportKind::ReExport, "./n", true),
                ]
            );
        }
    }

    #[test]
    fn dynamic_imports_and_requires() {
        for lang in BOTH {
            let src = "const a = import('./a');\n\
                       const b = import(`./b`);\n\
                       const c = import(`./${x}`);\n\
                       const d = import(name);\n\
                       const e = require('e');\n\
                       const f = require(\"f\").g;\n\
                       const h = require(name);\n\
                       require.resolve('i');\n";
            assert_eq!(
                imports(lang, src),
                vec![
                    imp(ImportKind::Dynamic, "./a", false),
                    imp(ImportKind::Dynamic, "./b", false),
                    imp(ImportKind::Require, "e", false),
                    imp(ImportKind::Require, "f", false),
                ]
            );
            let f = facts(lang, src);
            let s = f.imports[3].span;
            assert_eq!(&src[s.start as usize..s.end as usize], "require(\"f\")");
        }
    }

    #[test]
    fn import_equals() {
        let f = facts(
            Lang::TypeScript,
            "import z = require('m');\nimport type Q = require('n');\n",
        );
        let got: Vec<_> = f
            .imports
            .iter()
            .map(|i| (i.kind, i.specifier.as_str(), i.type_only, i.names.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    ImportKind::ImportEquals,
                    "m",
                    false,
                    vec![n("*", "z", false)]
                ),
                (
                    ImportKind::ImportEquals,
                    "n",
                    true,
                    vec![n("*", "Q", false)]
                ),
            ]
        );
    }

    #[test]
    fn dynamic_imports_in_type_positions_are_type_only() {
        for lang in BOTH {
            let src = "type T = import('./t').T;\n\
                       let v: typeof import('./v');\n\
                       function f(a: import('./a').A): import('./r').R { return a; }\n\
                       const c = x as import('./c').C;\n\
                       type G = Array<import('./g').G>;\n\
                       interface I { p: import('./i').P }\n\
                       const real = import('./real');\n";
            assert_eq!(
                imports(lang, src),
                vec![
                    imp(ImportKind::Dynamic, "./t", true),
                    imp(ImportKind::Dynamic, "./v", true),
                    imp(ImportKind::Dynamic, "./a", true),
                    imp(ImportKind::Dynamic, "./r", true),
                    imp(ImportKind::Dynamic, "./c", true),
                    imp(ImportKind::Dynamic, "./g", true),
                    imp(ImportKind::Dynamic, "./i", true),
                    imp(ImportKind::Dynamic, "./real", false),
                ]
            );
        }
    }

    #[test]
    fn broken_file_still_yields_imports() {
        for lang in BOTH {
            let f = facts(
                lang,
                "import { a } from './a';\nconst x = ;;; {{{\nimport b from './b';",
            );
            assert!(f.has_syntax_errors);
            let got: Vec<_> = f
                .imports
                .iter()
                .map(|i| (i.kind, i.specifier.as_str(), i.names.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (ImportKind::Static, "./a", vec![n("a", "a", false)]),
                    (ImportKind::Static, "./b", vec![n("default", "b", false)]),
                ]
            );
        }
    }

    #[test]
    fn imports_recovered_from_error_tokens() {
        let src = "const x = {\nimport y from './y';\nimport * as z from './z';\n";
        let f = facts(Lang::TypeScript, src);
        let got: Vec<_> = f
            .imports
            .iter()
            .map(|i| (i.kind, i.specifier.as_str(), i.names.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (ImportKind::Static, "./y", vec![n("default", "y", false)]),
                (ImportKind::Namespace, "./z", vec![]),
            ]
        );
        let s = f.imports[0].span;
        assert_eq!(
            &src[s.start as usize..s.end as usize],
            "import y from './y'"
        );
        assert_eq!((s.line, s.col), (1, 0));
        assert!(f.apis.is_empty(), "{:?}", f.apis);

        let src = "import { a from './a';\nimport b from './b'\nclass X { import c from './c'; }\n";
        assert_eq!(paths(Lang::TypeScript, src), ["X"]);
        let specs: Vec<_> = imports(Lang::TypeScript, src)
            .into_iter()
            .map(|(k, s, _)| (k, s))
            .collect();
        assert_eq!(
            specs,
            vec![
                (ImportKind::Static, "./a".to_string()),
                (ImportKind::Static, "./b".to_string()),
                (ImportKind::Static, "./c".to_string()),
            ]
        );
    }

    #[test]
    fn global_member_chains() {
        for lang in BOTH {
            let src = "const h = process.env.HOME;\n\
                       const x = process.env[\"X\"];\n\
                       eval(s);\n\
                       fetch(u);\n\
                       window.fetch(u);\n\
                       globalThis.process.env;\n";
            assert_eq!(
                paths(lang, src),
                [
                    "process.env.HOME",
                    "process.env.X",
                    "eval",
                    "s",
                    "fetch",
                    "u",
                    // through the global object: the global itself
                    "fetch",
                    "u",
                    "process.env",
                ]
            );
        }
    }

    #[test]
    fn chains_stop_at_dynamic_links_and_calls() {
        for lang in BOTH {
            let src = "const key = 'K';\n\
                       process.env[key].trim();\n\
                       foo.bar().baz;\n\
                       process.env?.['OPT'];\n\
                       a.b[`c`].d;\n";
            assert_eq!(
                paths(lang, src),
                ["process.env", "foo.bar", "process.env.OPT", "a.b.c.d"]
            );
        }
    }

    #[test]
    fn api_span_is_the_static_chain() {
        let src = "let v = process.env.HOME.trim();";
        let f = facts(Lang::TypeScript, src);
        assert_eq!(f.apis.len(), 1);
        assert_eq!(f.apis[0].path, "process.env.HOME.trim");
        let s = f.apis[0].span;
        assert_eq!(
            &src[s.start as usize..s.end as usize],
            "process.env.HOME.trim"
        );
        let src = "eval(x);";
        let f = facts(Lang::Tsx, src);
        let s = f.apis[0].span;
        assert_eq!((s.start, s.end, s.line, s.col), (0, 4, 0, 0));
    }

    #[test]
    fn non_references_are_not_globals() {
        for lang in BOTH {
            let src = "const o = { fetch: 1, [k]: 2, eval() { return 3; } };\n\
                       o.process.env;\n\
                       outer: for (;;) { break outer; }\n\
                       class C { process = 1; window() {} }\n";
            assert_eq!(paths(lang, src), ["k"]);
        }
    }

    #[test]
    fn shorthand_property_is_a_read() {
        for lang in BOTH {
            assert_eq!(
                paths(lang, "const o = { process, fetch };"),
                ["process", "fetch"]
            );
        }
    }

    #[test]
    fn types_are_not_globals() {
        let src = "let a: Foo = 1;\n\
                   type T = typeof process.env;\n\
                   interface I extends Bar { x: Window }\n\
                   function f<Q>(p: Q): Promise<Response> { return p as unknown as Response; }\n\
                   const s = {} satisfies Record<string, Baz>;\n";
        assert_eq!(paths(Lang::TypeScript, src), Vec::<String>::new());
    }

    #[test]
    fn parameter_named_process_hides_the_global() {
        for lang in BOTH {
            let src = "function f(process) { return process.env.A; }\n\
                       const g = (process) => process.env.B;\n\
                       const h = ({ process }) => process.env.C;\n\
                       const i = (x = process.env.D) => x;\n\
                       function j(process = process.env.E) {}\n\
                       process.env.F;\n";
            assert_eq!(paths(lang, src), ["process.env.D", "process.env.F"]);
        }
    }

    #[test]
    fn top_level_binding_hides_globals_everywhere() {
        for lang in BOTH {
            let src = "function go() { return fetch(u2); }\n\
                       const fetch = (u: string) => u;\n\
                       let [u2] = [1];\n\
                       fetch('x');\n";
            assert_eq!(paths(lang, src), Vec::<String>::new());
        }
    }

    #[test]
    fn function_local_binding_hides_only_inside() {
        for lang in BOTH {
            let src = "function f() { if (a) { let eval = 1; } return eval(1); }\n\
                       function g() { return eval(2); }\n\
                       eval(3);\n";
            let f = facts(lang, src);
            let got: Vec<_> = f
                .apis
                .iter()
                .map(|a| (a.path.as_str(), a.span.start))
                .collect();
            assert_eq!(
                got,
                [
                    ("a", src.find("a)").unwrap() as u32),
                    ("eval", src.find("eval(2)").unwrap() as u32),
                    ("eval", src.find("eval(3)").unwrap() as u32),
                ]
            );
        }
    }

    #[test]
    fn other_binding_forms_shadow() {
        for lang in BOTH {
            let src = "try {} catch (process) { process.exit(); }\n\
                       try {} catch ({ window }) { window.x; }\n\
                       for (const fetch of list) fetch();\n\
                       for (k in o) k;\n\
                       const f = function eval() { return eval; };\n\
                       class Buffer {}\n\
                       new Buffer();\n\
                       function outer(...require) { require('x'); }\n\
                       function argsUser() { return arguments.length; }\n\
                       import { URL } from 'url';\n\
                       new URL('a');\n\
                       enum Color { Red }\n\
                       Color.Red;\n";
            assert_eq!(paths(lang, src), ["list", "k", "o", "k"]);
        }
    }

    #[test]
    fn process_imports_are_the_same_api() {
        for lang in BOTH {
            let src = "import process from 'node:process';\n\
                       import * as p from 'process';\n\
                       import { env, env as e, argv } from 'node:process';\n\
                       process.env.A;\n\
                       p.env['B'];\n\
                       env.HOME;\n\
                       e.X;\n\
                       argv;\n\
                       function f(env) { return env.NOT_THIS; }\n";
            assert_eq!(
                apis(lang, src),
                vec![
                    ("process.env.A".to_string(), Some(0)),
                    ("process.env.B".to_string(), Some(1)),
                    ("process.env.HOME".to_string(), Some(2)),
                    ("process.env.X".to_string(), Some(2)),
                    ("process.argv".to_string(), Some(2)),
                ]
            );
        }
    }

    #[test]
    fn process_via_require_and_destructuring() {
        for lang in BOTH {
            let src = "const proc = require('node:process');\n\
                       const { env } = process;\n\
                       const { HOME: home } = process.env;\n\
                       proc.env.A;\n\
                       env.B;\n\
                       home.length;\n";
            let f = facts(lang, src);
            assert_eq!(
                f.imports
                    .iter()
                    .map(|i| (i.kind, i.specifier.as_str()))
                    .collect::<Vec<_>>(),
                [(ImportKind::Require, "node:process")]
            );
            assert_eq!(
                apis(lang, src),
                vec![
                    g("require"),
                    g("process"),
                    g("process.env"),
                    ("process.env.A".to_string(), Some(0)),
                    g("process.env.B"),
                    g("process.env.HOME.length"),
                ]
            );
        }
    }

    #[test]
    fn ambient_declarations_do_not_shadow() {
        let src = "declare const process: { env: Record<string, string> };\n\
                   declare function fetch(u: string): void;\n\
                   declare global { var eval: number; }\n\
                   process.env.A;\n\
                   fetch('u');\n\
                   eval;\n";
        assert_eq!(
            paths(Lang::TypeScript, src),
            ["process.env.A", "fetch", "eval"]
        );
    }

    #[test]
    fn declare_module_blocks_are_type_level() {
        let src = "declare module 'lib' {\n\
                   \x20 import { X } from './x';\n\
                   \x20 export * from './y';\n\
                   \x20 export const inner: X;\n\
                   }\n\
                   export declare const outer: number;\n";
        let f = facts(Lang::TypeScript, src);
        assert_eq!(
            f.imports
                .iter()
                .map(|i| (i.kind, i.specifier.as_str(), i.type_only))
                .collect::<Vec<_>>(),
            [
                (ImportKind::Static, "./x", true),
                (ImportKind::ReExportAll, "./y", true)
            ]
        );
        assert_eq!(f.exports.local, ["outer"]);
    }

    #[test]
    fn local_exports() {
        let src = "export const a = 1, b = 2;\n\
                   export let { c, d: e, ...f } = o, [g = 1] = l;\n\
                   export function fn() {}\n\
                   export class C {}\n\
                   export abstract class AC {}\n\
                   export interface I {}\n\
                   export type T = 1;\n\
                   export enum E { A }\n\
                   export namespace N {}\n\
                   export declare const dc: number;\n\
                   const x = 1, y = 2;\n\
                   export { x, y as z };\n\
                   export default x;\n";
        let f = facts(Lang::TypeScript, src);
        assert_eq!(
            f.exports.local,
            [
                "AC", "C", "E", "I", "N", "T", "a", "b", "c", "dc", "default", "e", "f", "fn", "g",
                "x", "z"
            ]
        );
        assert!(f.imports.is_empty());
    }

    #[test]
    fn a_comment_is_not_the_name_of_an_exported_alias() {
        let f = facts(Lang::TypeScript, "export import /* c */ A = N.B;\n");
        assert_eq!(f.exports.local, ["A"]);
    }

    #[test]
    fn default_exports_in_javascript() {
        let f = facts(
            Lang::Tsx,
            "export default function App() { return <div/>; }\nconst q = 1;\nexport { q as default2, q as default };\n",
        );
        assert_eq!(f.exports.local, ["default", "default2"]);
        let f = facts(Lang::Tsx, "export default class Foo {}\n");
        assert_eq!(f.exports.local, ["default"]);
    }

    #[test]
    fn suppression_comments() {
        for lang in BOTH {
            let src = "// layergate-ignore env-access: config loader\n\
                       const a = process.env.A; /* layergate-ignore-file no-eval */\n\
                       // just a comment\n";
            let f = facts(lang, src);
            let got: Vec<_> = f
                .suppressions
                .iter()
                .map(|s: &Suppression| {
                    (
                        s.file_level,
                        s.rules.clone(),
                        s.reason.clone(),
                        s.span.line,
                        s.target_line,
                    )
                })
                .collect();
            assert_eq!(
                got,
                vec![
                    (
                        false,
                        vec!["env-access".to_string()],
                        Some("config loader".to_string()),
                        0,
                        1
                    ),
                    (true, vec!["no-eval".to_string()], None, 1, 1),
                ]
            );
        }
    }

    #[test]
    fn jsx_names_are_not_globals_but_expressions_are() {
        let src = "import { useState } from 'react';\n\
                   export function App({ title }) {\n\
                   \x20 const [s] = useState(0);\n\
                   \x20 return <Layout.Main title={title} data-x=\"1\">\n\
                   \x20   {/* layergate-ignore env-access: demo */}\n\
                   \x20   <span onClick={() => fetch('/x')}>{process.env.NAME}{s}</span>\n\
                   \x20 </Layout.Main>;\n\
                   }\n";
        let f = facts(Lang::Tsx, src);
        assert_eq!(
            f.apis.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(),
            ["fetch", "process.env.NAME"]
        );
        assert_eq!(f.suppressions.len(), 1);
        assert_eq!(f.suppressions[0].target_line, 5);
        assert_eq!(f.exports.local, ["App"]);
        assert_eq!(f.imports[0].names, vec![n("useState", "useState", false)]);
    }

    #[test]
    fn plain_javascript_module() {
        let src = "'use strict';\n\
                   const fs = require('fs');\n\
                   module.exports = function read(p) { return fs.readFileSync(p); };\n";
        let f = facts(Lang::Tsx, src);
        assert_eq!(
            f.imports
                .iter()
                .map(|i| (i.kind, i.specifier.as_str()))
                .collect::<Vec<_>>(),
            [(ImportKind::Require, "fs")]
        );
        assert_eq!(
            f.apis.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(),
            ["require", "module.exports"]
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        for lang in BOTH {
            let mut src = String::from("import a from './a';\nconst x = ");
            src.push_str(&"(".repeat(50_000));
            src.push_str(&"[".repeat(50_000));
            src.push_str("process.env.X");
            let f = facts(lang, &src);
            assert_eq!(f.imports.len(), 1);
            assert_eq!(f.imports[0].specifier, "./a");

            let mut src = String::from("let y = ");
            for _ in 0..20_000 {
                src.push_str("[(");
            }
            src.push('1');
            for _ in 0..20_000 {
                src.push_str(")]");
            }
            src.push_str(";\nfetch(y);\n");
            assert_eq!(paths(lang, &src), ["fetch"]);
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for lang in BOTH {
            for src in [
                "",
                "import",
                "import '",
                "import x from \"é",
                "export * from",
                "require(",
                "import(`é",
                "process.env[",
                "`${`${a}`}`",
                "\u{feff}é = ü.ö[\"ä\"]",
                "export { a as 'é' } from 'ö'",
            ] {
                let _ = facts(lang, src);
            }
        }
    }

    #[test]
    fn aliases_of_globals_remember_their_declaration() {
        let f = facts(
            Lang::TypeScript,
            "const token = process.env.T;\nconst { env } = process;\nuse(token, env.HOME);\n",
        );
        let got: Vec<(&str, Option<&str>)> = f
            .apis
            .iter()
            .map(|a| (a.path.as_str(), a.introduced_as.as_deref()))
            .collect();
        assert!(got.contains(&("process.env.T", None)), "{got:?}");
        assert!(
            got.contains(&("process.env.T", Some("process.env.T"))),
            "{got:?}"
        );
        assert!(
            got.contains(&("process.env.HOME", Some("process"))),
            "{got:?}"
        );
    }
}
