//! Python extraction: imports, module-level names, `__all__` and
//! suppression comments.
//!
//! One explicit-stack walk over the tree (no recursion: deeply nested code
//! cannot overflow the stack). What each statement gives:
//!
//! * `import a.b.c [as d]`: one [`ImportKind::Namespace`] import of `a.b.c`.
//! * `from X import n [as m], …`: one import per name, specifier `X` as
//!   written (`..pkg.mod` for relative imports) and the name in `names`; the
//!   resolver decides whether `X.n` is a submodule or a name of `X`. It is a
//!   [`ImportKind::ReExport`] when the file offers the name on as its own:
//!   the name is listed in the file's `__all__`, or imported as itself
//!   (`from .impl import Thing as Thing`, the typing convention); otherwise
//!   [`ImportKind::Static`].
//! * `from X import *`: [`ImportKind::ReExportAll`] (every public name of
//!   `X` becomes the file's).
//! * `importlib.import_module("a.b")`, `import_module("a.b")` and
//!   `__import__("a.b")` with a plain string literal: [`ImportKind::Dynamic`].
//! * Imports in the body of `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)
//!   are type-only; imports inside functions are imports like any other.
//! * `from __future__ import …` is not a dependency.
//!
//! Module-level `def`, `class` and assigned names are the file's exports.
//!
//! **Invariant:** never panics on any input: text is sliced only at byte
//! offsets tree-sitter gives, through `get`.

use tree_sitter::Node;

use crate::extract::suppress;
use crate::facts::{FileFacts, Import, ImportKind, ImportedName, Span};
use crate::lang::Lang;

/// How a node's subtree is read.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// Inside the body of `if TYPE_CHECKING:`.
    type_only: bool,
    /// At module level (not inside a function, class or lambda).
    top: bool,
    /// Inside an import statement already read: only comments matter.
    comments_only: bool,
    /// The `object` of an `attribute`: part of a longer chain, not a use of
    /// its own.
    chain_inner: bool,
}

pub(crate) fn extract(tree: &tree_sitter::Tree, text: &str) -> FileFacts {
    let mut facts = FileFacts::empty(Lang::Python);
    // `__all__`, when the file assigns it a list or tuple of strings
    let mut all: Vec<String> = Vec::new();
    // (import index, imported as itself) of every `from … import name`
    let mut from_names: Vec<(usize, bool)> = Vec::new();
    let root = tree.root_node();
    let start = Frame {
        type_only: false,
        top: true,
        comments_only: false,
        chain_inner: false,
    };
    // names imports bind: (local name, what it stands for, import index)
    let mut bindings: Vec<(String, String, usize)> = Vec::new();
    // uses that may be of an imported name or a builtin: (the whole chain,
    // its root identifier)
    let mut uses: Vec<(Node, Node)> = Vec::new();
    // one cursor over the whole tree (no allocation per node); per depth,
    // what the children of the node there inherit
    let mut cursor = root.walk();
    let mut parents: Vec<Children> = Vec::new();
    loop {
        let node = cursor.node();
        // the field name is looked up only where it matters
        let frame = match parents.last() {
            None => start,
            Some(Children::Plain(f)) => *f,
            Some(p) => p.frame_of(cursor.field_name()),
        };
        let children = visit(
            node,
            frame,
            text,
            &mut facts,
            &mut all,
            &mut from_names,
            &mut bindings,
            &mut uses,
        );
        if cursor.goto_first_child() {
            parents.push(children);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break;
            }
            parents.pop();
        }
        if parents.is_empty() && cursor.node() == root {
            break;
        }
    }
    for (i, as_itself) in from_names {
        let imp = &mut facts.imports[i];
        let offered = as_itself || imp.names.iter().any(|n| all.contains(&n.local));
        if offered && !imp.type_only {
            imp.kind = ImportKind::ReExport;
        }
    }
    facts.exports.finish();
    api_uses(&uses, &bindings, text, &mut facts);
    facts.has_syntax_errors = root.has_error();
    facts
}

/// What the children of a node inherit: a frame, changed for some fields.
#[derive(Debug, Clone, Copy)]
enum Children {
    Plain(Frame),
    /// Of an `attribute`: its `object` is part of the chain.
    Attribute(Frame),
    /// Of `if TYPE_CHECKING:`: its `consequence` is type-only.
    TypeChecking(Frame),
}

impl Children {
    fn frame_of(self, field: Option<&str>) -> Frame {
        match self {
            Children::Plain(f) => f,
            Children::Attribute(f) => Frame {
                chain_inner: field == Some("object"),
                ..f
            },
            Children::TypeChecking(f) => Frame {
                type_only: f.type_only || field == Some("consequence"),
                ..f
            },
        }
    }
}

/// Reads one node in its frame; returns what its children inherit.
#[allow(clippy::too_many_arguments)]
fn visit<'t>(
    node: Node<'t>,
    frame: Frame,
    text: &str,
    facts: &mut FileFacts,
    all: &mut Vec<String>,
    from_names: &mut Vec<(usize, bool)>,
    bindings: &mut Vec<(String, String, usize)>,
    uses: &mut Vec<(Node<'t>, Node<'t>)>,
) -> Children {
    let kind = node.kind();
    if kind == "comment" {
        if let Some(body) = text.get(node.byte_range()) {
            let before = suppress::code_before(text, node.start_byte());
            if let Some(s) = suppress::parse_comment(body, Span::of(&node), before) {
                facts.suppressions.push(s);
            }
        }
        return Children::Plain(frame);
    }
    let mut child = frame;
    if !frame.comments_only {
        match kind {
            "import_statement" => {
                import_statement(node, text, frame.type_only, &mut facts.imports, bindings);
                child.comments_only = true;
            }
            "import_from_statement" => {
                from_statement(
                    node,
                    text,
                    frame.type_only,
                    &mut facts.imports,
                    from_names,
                    bindings,
                );
                child.comments_only = true;
            }
            "future_import_statement" => child.comments_only = true,
            "attribute" if !frame.chain_inner => {
                if let Some(root) = chain_root(node) {
                    uses.push((node, root));
                }
            }
            "call" => {
                if let Some(f) = node
                    .child_by_field_name("function")
                    .filter(|f| f.kind() == "identifier")
                {
                    uses.push((f, f));
                }
                if let Some(spec) = dynamic_import(node, text) {
                    facts.imports.push(Import {
                        kind: ImportKind::Dynamic,
                        specifier: spec,
                        span: Span::of(&node),
                        type_only: frame.type_only,
                        names: Vec::new(),
                    });
                }
            }
            "function_definition" | "class_definition" => {
                if frame.top {
                    if let Some(name) = field_text(node, "name", text) {
                        facts.exports.local.push(name.to_string());
                    }
                }
                child.top = false;
            }
            "lambda" => child.top = false,
            "assignment" | "augmented_assignment" if frame.top => {
                assignment(node, text, &mut facts.exports.local, all);
            }
            "if_statement" => {
                let type_checking = node
                    .child_by_field_name("condition")
                    .and_then(|c| text.get(c.byte_range()))
                    .is_some_and(is_type_checking);
                if type_checking {
                    return Children::TypeChecking(frame);
                }
            }
            _ => {}
        }
    }
    if kind == "attribute" {
        Children::Attribute(child)
    } else {
        child.chain_inner = false;
        Children::Plain(child)
    }
}

fn field_text<'a>(node: Node, field: &str, text: &'a str) -> Option<&'a str> {
    node.child_by_field_name(field)
        .and_then(|n| text.get(n.byte_range()))
}

/// `TYPE_CHECKING`, `typing.TYPE_CHECKING`, `t.TYPE_CHECKING`.
fn is_type_checking(condition: &str) -> bool {
    let c = condition.trim();
    c == "TYPE_CHECKING" || c.ends_with(".TYPE_CHECKING")
}

/// A dotted name as written, without the whitespace or comments Python
/// allows between its parts (`a . b` is `a.b`).
fn dotted(node: Node, text: &str) -> Option<String> {
    let raw = text.get(node.byte_range())?;
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (!s.is_empty() && !s.contains('#')).then_some(s)
}

/// `import a.b.c`, `import a.b as c, d`.
fn import_statement(
    node: Node,
    text: &str,
    type_only: bool,
    out: &mut Vec<Import>,
    bindings: &mut Vec<(String, String, usize)>,
) {
    let mut cursor = node.walk();
    for name in node.children_by_field_name("name", &mut cursor) {
        let (module, alias) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name"),
                name.child_by_field_name("alias"),
            ),
            _ => (Some(name), None),
        };
        let Some(spec) = module.and_then(|m| dotted(m, text)) else {
            continue;
        };
        // `import a.b` binds `a`; `import a.b as x` binds `x` to `a.b`
        match alias.and_then(|a| text.get(a.byte_range())) {
            Some(local) => bindings.push((local.to_string(), spec.clone(), out.len())),
            None => {
                let first = spec.split('.').next().unwrap_or_default().to_string();
                bindings.push((first.clone(), first, out.len()));
            }
        }
        out.push(Import {
            kind: ImportKind::Namespace,
            specifier: spec,
            span: Span::of(&name),
            type_only,
            names: Vec::new(),
        });
    }
}

/// `from X import a, b as c`, `from . import x`, `from X import *`.
fn from_statement(
    node: Node,
    text: &str,
    type_only: bool,
    out: &mut Vec<Import>,
    from_names: &mut Vec<(usize, bool)>,
    bindings: &mut Vec<(String, String, usize)>,
) {
    let Some(module) = node
        .child_by_field_name("module_name")
        .and_then(|m| dotted(m, text))
    else {
        return;
    };
    let mut cursor = node.walk();
    let mut any = false;
    for name in node.children_by_field_name("name", &mut cursor) {
        let (imported, alias) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name"),
                name.child_by_field_name("alias"),
            ),
            _ => (Some(name), None),
        };
        let Some(imported) = imported.and_then(|n| dotted(n, text)) else {
            continue;
        };
        let local = alias
            .and_then(|a| text.get(a.byte_range()))
            .map_or_else(|| imported.clone(), str::to_string);
        let as_itself = alias.is_some() && local == imported;
        if !module.starts_with('.') {
            bindings.push((local.clone(), format!("{module}.{imported}"), out.len()));
        }
        from_names.push((out.len(), as_itself));
        out.push(Import {
            kind: ImportKind::Static,
            specifier: module.clone(),
            span: Span::of(&name),
            type_only,
            names: vec![ImportedName {
                name: imported,
                local,
                type_only,
            }],
        });
        any = true;
    }
    if !any {
        let mut cursor = node.walk();
        let wildcard = node
            .children(&mut cursor)
            .find(|c| c.kind() == "wildcard_import");
        if wildcard.is_some() {
            out.push(Import {
                kind: ImportKind::ReExportAll,
                specifier: module,
                span: Span::of(&node),
                type_only,
                names: Vec::new(),
            });
        }
    }
}

/// The module a literal dynamic import names: `importlib.import_module("m")`,
/// `import_module("m")`, `__import__("m")`. Relative names (which need a
/// `package` argument) and anything but a plain literal are not read.
fn dynamic_import(call: Node, text: &str) -> Option<String> {
    let function = call.child_by_field_name("function")?;
    let callee = match function.kind() {
        "identifier" => text.get(function.byte_range())?,
        "attribute" => field_text(function, "attribute", text)?,
        _ => return None,
    };
    if callee != "import_module" && callee != "__import__" {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let first = args.named_child(0)?;
    let literal = string_literal(first, text)?;
    let valid = !literal.is_empty()
        && !literal.starts_with('.')
        && literal
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    valid.then_some(literal)
}

/// The value of a plain string literal (no prefix other than `r`/`u`, no
/// interpolation, no implicit concatenation).
fn string_literal(node: Node, text: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let mut out = String::new();
    for c in node.children(&mut cursor) {
        match c.kind() {
            "string_start" => {
                let start = text.get(c.byte_range())?;
                let prefix = start.trim_end_matches(['"', '\'']);
                if !prefix.chars().all(|p| matches!(p, 'r' | 'R' | 'u' | 'U')) {
                    return None;
                }
            }
            "string_content" => out.push_str(text.get(c.byte_range())?),
            "string_end" => {}
            _ => return None,
        }
    }
    Some(out)
}

/// A module-level assignment: its plain names are exports; `__all__ = [..]`
/// and `__all__ += [..]` give the names the file offers.
fn assignment(node: Node, text: &str, exports: &mut Vec<String>, all: &mut Vec<String>) {
    let Some(left) = node.child_by_field_name("left") else {
        return;
    };
    let mut names = Vec::new();
    match left.kind() {
        "identifier" => names.extend(text.get(left.byte_range())),
        "pattern_list" | "tuple_pattern" => {
            let mut cursor = left.walk();
            for c in left.named_children(&mut cursor) {
                if c.kind() == "identifier" {
                    names.extend(text.get(c.byte_range()));
                }
            }
        }
        _ => {}
    }
    for n in &names {
        exports.push((*n).to_string());
    }
    if names == ["__all__"] {
        let Some(right) = node.child_by_field_name("right") else {
            return;
        };
        if matches!(right.kind(), "list" | "tuple") {
            let mut cursor = right.walk();
            for item in right.named_children(&mut cursor) {
                if let Some(s) = string_literal(item, text) {
                    all.push(s);
                }
            }
        }
    }
}

/// Builtins that are APIs of their own (`py:eval`): what runs code or
/// reaches outside the process.
const BUILTIN_APIS: &[&str] = &[
    "__import__",
    "breakpoint",
    "compile",
    "eval",
    "exec",
    "input",
    "open",
];

/// The root identifier of an attribute chain made of names only
/// (`os.path.join`), if it is one.
fn chain_root(node: Node) -> Option<Node> {
    let mut n = node;
    for _ in 0..256 {
        match n.kind() {
            "identifier" => return Some(n),
            "attribute" => n = n.child_by_field_name("object")?,
            _ => return None,
        }
    }
    None
}

/// The API uses among `uses`: a chain or a called name whose root an import
/// binds, expanded through it (`os.path.join` after `import os`, `system`
/// after `from os import system` is `os.system`); a call of a builtin of
/// [`BUILTIN_APIS`] the file does not bind itself. A name bound by an
/// import anywhere in the file is that import everywhere in it.
fn api_uses(
    uses: &[(Node, Node)],
    bindings: &[(String, String, usize)],
    text: &str,
    facts: &mut FileFacts,
) {
    use crate::facts::ApiRef;
    for (whole, root) in uses {
        let (Some(chain), Some(name)) = (text.get(whole.byte_range()), text.get(root.byte_range()))
        else {
            continue;
        };
        let tail = &chain[name.len()..];
        let rest: std::borrow::Cow<str> = if tail.contains(char::is_whitespace) {
            tail.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .into()
        } else {
            tail.into()
        };
        if rest.contains('#') {
            continue; // a comment inside the chain: not read
        }
        // the last import of the name wins, as at run time (mostly)
        if let Some((_, expansion, i)) = bindings.iter().rev().find(|(local, _, _)| local == name) {
            facts.apis.push(ApiRef {
                path: format!("{expansion}{rest}"),
                span: Span::of(whole),
                via_import: Some(*i as u32),
                introduced_as: None,
            });
        } else if rest.is_empty() && BUILTIN_APIS.contains(&name) && !facts.exports.defines(name) {
            facts.apis.push(ApiRef {
                path: name.to_string(),
                span: Span::of(whole),
                via_import: None,
                introduced_as: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::{FileFacts, ImportKind};
    use crate::lang::Lang;

    fn facts(text: &str) -> FileFacts {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Lang::Python.grammar()).unwrap();
        let tree = parser.parse(text, None).unwrap();
        super::extract(&tree, text)
    }

    fn imports(text: &str) -> Vec<(ImportKind, String, Vec<String>, bool)> {
        facts(text)
            .imports
            .into_iter()
            .map(|i| {
                (
                    i.kind,
                    i.specifier,
                    i.names.into_iter().map(|n| n.name).collect(),
                    i.type_only,
                )
            })
            .collect()
    }

    #[test]
    fn every_import_form() {
        use ImportKind::*;
        let text = "\
import os, a.b.c as d
from . import x
from ..pkg.mod import A, B as C
from pkg import *
from __future__ import annotations
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from app.models import User
else:
    import runtime
def f():
    import inner
    importlib.import_module(\"plugins.csv\")
    __import__(\"x.y\")
    import_module(f\"no.{x}\")
    import_module(\".rel\")
";
        let s = |x: &str| x.to_string();
        assert_eq!(
            imports(text),
            vec![
                (Namespace, s("os"), vec![], false),
                (Namespace, s("a.b.c"), vec![], false),
                (Static, s("."), vec![s("x")], false),
                (Static, s("..pkg.mod"), vec![s("A")], false),
                (Static, s("..pkg.mod"), vec![s("B")], false),
                (ReExportAll, s("pkg"), vec![], false),
                (Static, s("typing"), vec![s("TYPE_CHECKING")], false),
                (Static, s("app.models"), vec![s("User")], true),
                (Namespace, s("runtime"), vec![], false),
                (Namespace, s("inner"), vec![], false),
                (Dynamic, s("plugins.csv"), vec![], false),
                (Dynamic, s("x.y"), vec![], false),
            ]
        );
    }

    #[test]
    fn re_exports_are_names_offered_on() {
        use ImportKind::*;
        let text = "\
from .impl import Thing as Thing
from .impl import helper
from .other import Public, private
__all__ = [\"Public\", \"Thing\"]
";
        let kinds: Vec<(ImportKind, Vec<String>)> = imports(text)
            .into_iter()
            .map(|(k, _, n, _)| (k, n))
            .collect();
        let s = |x: &str| vec![x.to_string()];
        assert_eq!(
            kinds,
            vec![
                (ReExport, s("Thing")),
                (Static, s("helper")),
                (ReExport, s("Public")),
                (Static, s("private")),
            ]
        );
        assert!(facts(text).reexports());
        assert!(!facts("from .impl import helper\n").reexports());
    }

    #[test]
    fn exports_and_suppressions() {
        let text = "\
import os  # layergate-ignore layers: legacy
X = 1
a, b = 1, 2
def f():
    inner = 2
class K:
    y = 3
# layergate-ignore-file cycle: generated
";
        let f = facts(text);
        assert_eq!(f.exports.local, ["K", "X", "a", "b", "f"]);
        assert_eq!(f.suppressions.len(), 2);
        assert_eq!(f.suppressions[0].rules, ["layers"]);
        assert_eq!(f.suppressions[0].target_line, 0);
        assert!(f.suppressions[1].file_level);
        assert!(!f.has_syntax_errors);
    }

    #[test]
    fn api_uses_expand_through_their_imports() {
        let text = "\
import os
import os.path as osp
from subprocess import run as sh
import pickle
def f(x):
    os.system(x)
    osp.join(x, 'a')
    sh(['ls'])
    pickle.loads(x).attr
    eval(x)
    len(x)
    os . environ['A']
";
        let f = facts(text);
        let apis: Vec<(&str, Option<u32>)> = f
            .apis
            .iter()
            .map(|a| (a.path.as_str(), a.via_import))
            .collect();
        assert_eq!(
            apis,
            [
                ("os.system", Some(0)),
                ("os.path.join", Some(1)),
                ("subprocess.run", Some(2)),
                ("pickle.loads", Some(3)),
                ("eval", None),
                ("os.environ", Some(0)),
            ]
        );
        // a module-level definition of its own is no builtin
        let f = facts("def open(p): pass\nopen('x')\n");
        assert!(f.apis.is_empty());
    }

    #[test]
    fn broken_and_deep_input_does_not_panic() {
        let deep = "(".repeat(50_000);
        let _ = facts(&deep);
        let _ = facts("from import\nimport\nfrom . import (a,\n");
        let nested: String = (0..3000)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        let _ = facts(&nested);
    }
}
