//! `workspace::walked` (one file that appears later) must agree with
//! `workspace::walk` (the whole tree at load) on every file of a tree with
//! ignore files, negations, nested configs and excluded folders.

use std::path::Path;

use rules::workspace::{walk, walked};
use rules::Config;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Every file under `dir`, workspace-relative, sorted (no filtering at all).
fn all_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            all_files(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_str().unwrap();
            out.push(rel.replace('\\', "/"));
        }
    }
}

#[test]
fn walked_agrees_with_walk() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write(
        root,
        "layergate.toml",
        "[workspace]\nexclude = [\"src/excluded/**\"]\n\n[[modules]]\nname = \"a\"\npaths = [\"src/**\"]\n",
    );
    write(root, ".gitignore", "dist/\n*.gen.ts\n/top-only.ts\n");
    write(root, "src/.gitignore", "!keep.gen.ts\nlocal/\n");
    write(root, "src/deep/.ignore", "secret.ts\n");
    write(root, "src/deep/.gitignore", "!secret.ts\n");
    std::fs::create_dir_all(root.join(".git/info")).unwrap();
    write(root, ".git/info/exclude", "scratch.ts\n");
    for f in [
        "src/a.ts",
        "src/b.gen.ts",
        "src/keep.gen.ts",
        "src/local/x.ts",
        "src/deep/secret.ts",
        "src/deep/open.ts",
        "src/dist/y.ts",
        "dist/z.ts",
        "top-only.ts",
        "src/top-only.ts",
        "src/scratch.ts",
        "src/excluded/e.ts",
        "src/node_modules/m/index.ts",
        "src/target/t.rs",
        "src/nested/layergate.toml",
        "src/nested/n.ts",
        "src/readme.md",
    ] {
        write(root, f, "export const x = 1;\n");
    }
    let config = Config::load(&root.join("layergate.toml")).unwrap();
    let listed = walk(&config);
    let mut every = Vec::new();
    all_files(root, root, &mut every);
    every.sort();
    let predicted: Vec<String> = every.into_iter().filter(|f| walked(&config, f)).collect();
    assert_eq!(predicted, listed);
    assert_eq!(
        listed,
        [
            "src/a.ts",
            "src/deep/open.ts",
            "src/keep.gen.ts",
            "src/top-only.ts"
        ]
    );
}
