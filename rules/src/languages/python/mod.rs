//! Python: `import` and `from … import` statements (and literal
//! `importlib.import_module` / `__import__` calls), resolved as Python's
//! import system finds modules under the workspace's roots.

pub(crate) mod extract;
pub(crate) mod resolve;
pub(crate) mod scan;
