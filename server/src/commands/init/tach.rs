//! `layergate init --from tach`: a `tach.toml` converted into an
//! equivalent layergate.toml.
//!
//! A tach module (`path`, or `paths` for several) is a `[[modules]]` entry
//! named by its path (`app.core` → `app-core`), deeper modules first as tach
//! assigns a file to its most specific module. `depends_on` is the allowlist
//! (omitted: anything), and with `layers` a module may also import every
//! module of a lower layer without declaring it, as in tach (unless
//! `layers_explicit_depends_on`); `utility`, `visibility`
//! (`visible_to`), `depends_on_external` (`external`), `cannot_depend_on`
//! and `cannot_depend_on_external` (`[[deny]]`), `layers` (`[layers]`,
//! modules of one layer may import each other), `source_roots`
//! (`python_roots`), `exclude`, `forbid_circular_dependencies` (`cycles`)
//! and `ignore_type_checking_imports` (`type_only_imports`). Interfaces,
//! `exact`, closed layers and a `root_module` other than `ignore` are
//! reported as not converted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::importlinter::{list, quote, Tree};
use crate::project::UsageError;

/// A tach module as written.
#[derive(Debug, Default, Clone)]
struct Module {
    paths: Vec<String>,
    depends_on: Option<Vec<String>>,
    cannot_depend_on: Vec<String>,
    depends_on_external: Option<Vec<String>>,
    cannot_depend_on_external: Vec<String>,
    visibility: Option<Vec<String>>,
    utility: bool,
    unchecked: bool,
    layer: Option<String>,
}

/// The converted config and what could not be converted.
#[derive(Debug)]
pub struct Converted {
    pub text: String,
    pub modules: usize,
    pub notes: Vec<String>,
}

fn strings(v: Option<&toml::Value>) -> Option<Vec<String>> {
    let a = v?.as_array()?;
    Some(
        a.iter()
            .filter_map(|d| match d {
                toml::Value::String(s) => Some(s.clone()),
                // `{ path = "x", deprecated = true }`
                toml::Value::Table(t) => t.get("path")?.as_str().map(String::from),
                _ => None,
            })
            .collect(),
    )
}

/// Reads and converts `tach.toml` (or `file`) at `root`.
pub fn convert(root: &Path, file: Option<&Path>) -> Result<Converted, UsageError> {
    let path = file.map_or_else(|| root.join("tach.toml"), Path::to_path_buf);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        UsageError(format!(
            "cannot read {}: {e}",
            path.strip_prefix(root).unwrap_or(&path).display()
        ))
    })?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| UsageError(format!("{}: {e}", path.display())))?;
    let mut notes = Vec::new();
    let flag = |k: &str, default: bool| doc.get(k).and_then(|v| v.as_bool()).unwrap_or(default);
    let source_roots = strings(doc.get("source_roots")).unwrap_or_else(|| vec![".".into()]);
    let source_roots: Vec<String> = source_roots
        .iter()
        .map(|r| {
            let r = r.trim_start_matches("./").trim_end_matches('/');
            if r.is_empty() { "." } else { r }.to_string()
        })
        .collect();
    let layers: Vec<String> = match doc.get("layers").and_then(|v| v.as_array()) {
        None => Vec::new(),
        Some(a) => a
            .iter()
            .filter_map(|l| match l {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Table(t) => {
                    if t.get("closed").and_then(|c| c.as_bool()) == Some(true) {
                        notes.push(format!(
                            "layer `{}`: `closed` is not converted",
                            t.get("name").and_then(|n| n.as_str()).unwrap_or("?")
                        ));
                    }
                    t.get("name")?.as_str().map(String::from)
                }
                _ => None,
            })
            .collect(),
    };
    let mut modules: Vec<Module> = Vec::new();
    for m in doc
        .get("modules")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let Some(t) = m.as_table() else { continue };
        let mut paths = strings(t.get("paths")).unwrap_or_default();
        if let Some(p) = t.get("path").and_then(|p| p.as_str()) {
            paths.insert(0, p.to_string());
        }
        paths.retain(|p| p != "<root>");
        // `paths = [..]` declares one module per path, with the same rules
        for path in paths {
            modules.push(Module {
                paths: vec![path],
                depends_on: strings(t.get("depends_on")),
                cannot_depend_on: strings(t.get("cannot_depend_on")).unwrap_or_default(),
                depends_on_external: strings(t.get("depends_on_external")),
                cannot_depend_on_external: strings(t.get("cannot_depend_on_external"))
                    .unwrap_or_default(),
                visibility: strings(t.get("visibility")),
                utility: t.get("utility").and_then(|u| u.as_bool()).unwrap_or(false),
                unchecked: t
                    .get("unchecked")
                    .and_then(|u| u.as_bool())
                    .unwrap_or(false),
                layer: t.get("layer").and_then(|l| l.as_str()).map(String::from),
            });
        }
    }
    if doc.get("interfaces").is_some() {
        notes.push("[[interfaces]] are not converted (layergate's `public` names entry files, not exposed names)".into());
    }
    if flag("exact", false) {
        notes.push("`exact` is not converted (an unused declared dependency is no error)".into());
    }
    if let Some(r) = doc.get("root_module").and_then(|v| v.as_str()) {
        if r != "ignore" {
            notes.push(format!(
                "`root_module = \"{r}\"` is not converted: code in no module is not judged"
            ));
        }
    }
    // the tree: every top-level package a module names
    let tops: BTreeSet<String> = modules
        .iter()
        .flat_map(|m| m.paths.iter())
        .map(|p| p.split('.').next().unwrap_or(p).to_string())
        .collect();
    let tops: Vec<String> = tops.into_iter().collect();
    let tree = Tree::in_roots(root, &source_roots, &tops);
    // names: the first path, `.` → `-`, unique
    let mut names: Vec<String> = Vec::new();
    for m in &modules {
        let base = super::importlinter::slug(&m.paths[0].replace('.', "-")).replace('.', "-");
        let mut name = base.clone();
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        names.push(name);
    }
    // each module's files; one found nowhere is left out (and said)
    let globs: Vec<Vec<String>> = modules
        .iter()
        .map(|m| {
            let mut g = Vec::new();
            for p in &m.paths {
                let found = tree.globs(p, true);
                if found.is_empty() {
                    notes.push(format!(
                        "module `{p}` was not found under {}",
                        source_roots.join(", ")
                    ));
                }
                g.extend(found);
            }
            g
        })
        .collect();
    let by_path: BTreeMap<&str, usize> = modules
        .iter()
        .enumerate()
        .filter(|(i, _)| !globs[*i].is_empty())
        .flat_map(|(i, m)| m.paths.iter().map(move |p| (p.as_str(), i)))
        .collect();
    let name_of = |p: &str, notes: &mut Vec<String>| -> Option<String> {
        match by_path.get(p) {
            Some(&i) => Some(names[i].clone()),
            None => {
                notes.push(format!("`{p}` is named in a rule but is no module"));
                None
            }
        }
    };
    let rank = |m: &Module| {
        m.layer
            .as_ref()
            .and_then(|l| layers.iter().position(|x| x == l))
    };
    let implicit_lower = !flag("layers_explicit_depends_on", false);
    let mut s = format!(
        "# layergate.toml, converted from {} by `layergate init --from tach`.\n\
         # Each tach module is a [[modules]] entry named by its path.\n\n",
        path.strip_prefix(root).unwrap_or(&path).display()
    );
    s.push_str("[workspace]\n");
    s.push_str(&format!("python_roots = {}\n", list(&source_roots)));
    let exclude: Vec<String> = strings(doc.get("exclude"))
        .unwrap_or_default()
        .iter()
        .flat_map(|e| {
            let e = e.trim_end_matches('/');
            [e.to_string(), format!("{e}/**")]
        })
        .collect();
    if !exclude.is_empty() {
        s.push_str(&format!("exclude = {}\n", list(&exclude)));
    }
    s.push('\n');
    // deeper modules first: tach gives a file to its most specific module
    let mut order: Vec<usize> = (0..modules.len()).collect();
    order.sort_by_key(|&i| {
        std::cmp::Reverse(
            modules[i]
                .paths
                .iter()
                .map(|p| p.matches('.').count())
                .max()
                .unwrap_or(0),
        )
    });
    let mut denies = String::new();
    for &i in &order {
        let m = &modules[i];
        if globs[i].is_empty() {
            continue;
        }
        s.push_str("[[modules]]\n");
        s.push_str(&format!("name = {}\n", quote(&names[i])));
        s.push_str(&format!("paths = {}\n", list(&globs[i])));
        if let (Some(deps), false) = (&m.depends_on, m.unchecked) {
            let mut d: Vec<String> = deps.iter().filter_map(|p| name_of(p, &mut notes)).collect();
            if let (true, Some(r)) = (implicit_lower, rank(m)) {
                for (j, o) in modules.iter().enumerate() {
                    if rank(o).is_some_and(|ro| ro > r)
                        && !globs[j].is_empty()
                        && !d.contains(&names[j])
                    {
                        d.push(names[j].clone());
                    }
                }
            }
            // a utility module with a layer: anyone may depend on it, but
            // the layers still apply (layergate's `utility` skips both)
            for (j, o) in modules.iter().enumerate() {
                if o.utility && o.layer.is_some() && !globs[j].is_empty() && !d.contains(&names[j])
                {
                    d.push(names[j].clone());
                }
            }
            d.retain(|n| *n != names[i]);
            s.push_str(&format!("depends_on = {}\n", list(&d)));
        }
        if let Some(ext) = &m.depends_on_external {
            let ext: Vec<String> = ext
                .iter()
                .filter_map(|d| import_name(d, &mut notes))
                .collect();
            s.push_str(&format!("external = {}\n", list(&ext)));
        }
        if let Some(v) = &m.visibility {
            let v: Vec<String> = v
                .iter()
                .flat_map(|p| {
                    if p.contains('*') {
                        let Some(re) = wildcard(p) else {
                            return Vec::new();
                        };
                        modules
                            .iter()
                            .enumerate()
                            .filter(|(j, o)| {
                                !globs[*j].is_empty()
                                    && o.paths.iter().any(|op| re.is_match(op.replace('.', "/")))
                            })
                            .map(|(j, _)| names[j].clone())
                            .collect::<Vec<_>>()
                    } else {
                        name_of(p, &mut notes).into_iter().collect()
                    }
                })
                .collect();
            s.push_str(&format!("visible_to = {}\n", list(&v)));
        }
        if m.utility && m.layer.is_none() {
            s.push_str("utility = true\n");
        }
        s.push('\n');
        let internal: Vec<String> = m
            .cannot_depend_on
            .iter()
            .filter_map(|p| name_of(p, &mut notes))
            .collect();
        let external: Vec<String> = m
            .cannot_depend_on_external
            .iter()
            .filter_map(|d| import_name(d, &mut notes))
            .map(|e| format!("py:{e}"))
            .collect();
        for (to, suffix) in [
            (internal, "cannot-depend-on"),
            (external, "cannot-depend-on-external"),
        ] {
            if !to.is_empty() {
                denies.push_str(&format!(
                    "[[deny]]\nid = {}\nfrom = [{}]\nto = {}\nmessage = {}\n\n",
                    quote(&format!("{}-{suffix}", names[i])),
                    quote(&names[i]),
                    list(&to),
                    quote(&format!("tach: `{}` cannot depend on these", m.paths[0]))
                ));
            }
        }
    }
    if !layers.is_empty() {
        let levels: Vec<Vec<String>> = layers
            .iter()
            .map(|l| {
                modules
                    .iter()
                    .enumerate()
                    .filter(|(j, m)| {
                        // an unchecked module's own imports are not judged
                        m.layer.as_deref() == Some(l.as_str())
                            && !m.unchecked
                            && !globs[*j].is_empty()
                    })
                    .map(|(j, _)| names[j].clone())
                    .collect()
            })
            .filter(|v: &Vec<String>| !v.is_empty())
            .collect();
        if !levels.is_empty() {
            s.push_str("# tach's layers, top to bottom; the modules of one layer may import\n# each other\n[layers]\norder = [\n");
            for l in &levels {
                if l.len() == 1 {
                    s.push_str(&format!("  {},\n", quote(&l[0])));
                } else {
                    s.push_str(&format!("  {},\n", list(l)));
                }
            }
            s.push_str("]\nsiblings = \"allow\"\n\n");
        }
    }
    s.push_str(&denies);
    s.push_str("[checks]\n");
    s.push_str(&format!(
        "cycles = {}  # forbid_circular_dependencies\n",
        if flag("forbid_circular_dependencies", false) {
            "\"error\""
        } else {
            "\"off\""
        }
    ));
    if flag("ignore_type_checking_imports", true) {
        s.push_str("type_only_imports = \"ignore\"  # ignore_type_checking_imports\n");
    }
    notes.sort();
    notes.dedup();
    Ok(Converted {
        text: s,
        modules: modules.len(),
        notes,
    })
}

/// The import name of a distribution tach names (`pyyaml` → `yaml`), for
/// the common ones whose names differ; a name that is no import name is
/// left out and said.
fn import_name(dist: &str, notes: &mut Vec<String>) -> Option<String> {
    const KNOWN: &[(&str, &str)] = &[
        ("pyyaml", "yaml"),
        ("python-dateutil", "dateutil"),
        ("beautifulsoup4", "bs4"),
        ("pillow", "PIL"),
        ("scikit-learn", "sklearn"),
        ("scikit-image", "skimage"),
        ("opencv-python", "cv2"),
        ("opencv-python-headless", "cv2"),
        ("pyjwt", "jwt"),
        ("python-dotenv", "dotenv"),
        ("pycryptodome", "Crypto"),
        ("pyzmq", "zmq"),
        ("attrs", "attrs"),
        ("typing-extensions", "typing_extensions"),
        ("msgpack-python", "msgpack"),
        ("pyopenssl", "OpenSSL"),
    ];
    let key = dist.to_ascii_lowercase().replace('_', "-");
    if let Some((_, import)) = KNOWN.iter().find(|(d, _)| *d == key) {
        return Some((*import).to_string());
    }
    let name = dist.replace('-', "_");
    let valid = name
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if valid {
        Some(name)
    } else {
        notes.push(format!(
            "external `{dist}`: not an import name; add the name it is imported as"
        ));
        None
    }
}

/// A wildcard module path (`app.*`, `app.**.api`) as a matcher of paths:
/// `*` one segment, `**` any number.
fn wildcard(p: &str) -> Option<globset::GlobMatcher> {
    globset::GlobBuilder::new(&p.replace('.', "/"))
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}
