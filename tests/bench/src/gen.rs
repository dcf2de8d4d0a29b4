//! Deterministic generated workspaces: layered TypeScript (tsconfig `paths`,
//! barrels) and Rust (a Cargo workspace with `mod`/`use` trees), with files of
//! realistic size (10–15 KB) and a few violations.

use std::fmt::Write as _;
use std::path::Path;

/// A tiny deterministic PRNG (xorshift64*), so workspaces are reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

pub const LAYERS: &[&str] = &["app", "features", "services", "domain", "shared"];

/// One file in `UP_EVERY` of each layer below the top imports the layer
/// above it: a layer violation.
pub const UP_EVERY: usize = 50;

fn write(root: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(p, text)?;
    Ok(())
}

/// A TypeScript workspace of `files` files in five layers.
pub fn typescript(root: &Path, files: usize, seed: u64) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed);
    let per_layer = files / LAYERS.len();
    let dirs_per_layer = (per_layer / 20).max(1);
    let mut toml = String::from("[workspace]\ninclude = [\"src/**\"]\n\n");
    for l in LAYERS {
        let _ = writeln!(
            toml,
            "[[modules]]\nname = \"{l}\"\npaths = [\"src/{l}/**\"]\n"
        );
    }
    let _ = writeln!(
        toml,
        "[layers]\norder = [{}]\n",
        LAYERS
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    toml.push_str("[[boundary]]\nid = \"env-access\"\napis = [\"global:process.env\"]\nallow_in = [\"src/app/**\"]\n");
    // the upward imports close module cycles, and cycle detection would
    // then report every import between the layers involved (thousands);
    // the peers (dependency-cruiser, fallow) are run without it too
    toml.push_str("\n[checks]\ncycles = \"off\"\n");
    write(root, "layergate.toml", &toml)?;
    write(
        root,
        "tsconfig.json",
        "{\n  \"compilerOptions\": {\n    \"baseUrl\": \".\",\n    \"paths\": { \"@/*\": [\"src/*\"] }\n  }\n}\n",
    )?;
    for (li, layer) in LAYERS.iter().enumerate() {
        for i in 0..per_layer {
            let dir = i % dirs_per_layer;
            let rel = format!("src/{layer}/d{dir}/f{i}.ts");
            let mut text = String::new();
            // imports: mostly downwards through tsconfig paths, a few relative, rarely upwards
            let n_imports = 6 + rng.below(6);
            for k in 0..n_imports {
                let up = false;
                let tl = if up {
                    li - 1
                } else {
                    (li + 1 + rng.below(LAYERS.len() - li)).min(LAYERS.len() - 1)
                };
                let tl = if li == LAYERS.len() - 1 && !up {
                    li
                } else {
                    tl
                };
                let ti = rng.below(per_layer);
                let tdir = ti % dirs_per_layer;
                if tl == li && tdir == dir && ti != i {
                    let _ = writeln!(text, "import {{ v{ti} as i{k} }} from './f{ti}';");
                } else if tl != li || ti != i {
                    let _ = writeln!(
                        text,
                        "import {{ v{ti} as i{k} }} from '@/{}/d{tdir}/f{ti}';",
                        LAYERS[tl]
                    );
                }
            }
            // a few deterministic layer violations (one file in 50 of every
            // layer but the top imports the layer above), drawn without the
            // PRNG so the rest of the workspace does not change
            if li > 0 && i % UP_EVERY == UP_EVERY / 2 {
                let j = (i * 7) % per_layer;
                let _ = writeln!(
                    text,
                    "import {{ v{j} as up }} from '@/{}/d{}/f{j}';",
                    LAYERS[li - 1],
                    j % dirs_per_layer
                );
            }
            text.push_str("import { z } from 'zod';\n\n");
            let _ = writeln!(text, "export const v{i} = {i};");
            // realistic bulk: functions, classes, types (~10–15 KB)
            let target = 10_000 + rng.below(5_000);
            let mut n = 0;
            while text.len() < target {
                let _ = write!(
                    text,
                    "\nexport interface Model{n} {{\n  id: string;\n  count: number;\n  tags: ReadonlyArray<string>;\n}}\n\n\
                     export function compute{n}(input: Model{n}, factor = {f}): number {{\n  const scaled = input.count * factor;\n  \
                     if (scaled > 100) {{\n    return input.tags.reduce((acc, t) => acc + t.length, scaled);\n  }}\n  \
                     return z.number().parse(scaled) + {n};\n}}\n\nexport class Service{n} {{\n  private readonly cache = new Map<string, Model{n}>();\n  \
                     get(id: string): Model{n} | undefined {{\n    return this.cache.get(id);\n  }}\n}}\n",
                    f = rng.below(10) + 1
                );
                n += 1;
            }
            if rng.below(200) == 0 {
                text.push_str("\nexport const home = process.env.HOME;\n");
            }
            write(root, &rel, &text)?;
        }
    }
    Ok(())
}

/// The file every other file of a generated TypeScript workspace imports
/// after [`hub`].
pub const HUB: &str = "src/shared/hub.ts";

/// Makes [`HUB`] (in the bottom layer) a file every other source file of a
/// generated TypeScript workspace imports, as `lifecycle.ts` is in VS Code:
/// where work that follows the importers of an edited file shows.
pub fn hub(root: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for layer in LAYERS {
        for d in std::fs::read_dir(root.join("src").join(layer))? {
            for f in std::fs::read_dir(d?.path())? {
                files.push(f?.path());
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        std::fs::write(&f, format!("import {{ hub }} from '@/shared/hub';\n{text}"))?;
    }
    write(
        root,
        HUB,
        "export const hub = 1;\n\nexport function helper(n: number): number {\n  return n + hub;\n}\n",
    )
}

/// A Rust Cargo workspace of `files` files: one crate per layer, a `mod`
/// tree of directories, `use` of lower crates.
pub fn rust(root: &Path, files: usize, seed: u64) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed);
    let per_layer = files / LAYERS.len();
    let mods = (per_layer / 20).max(1);
    let mut toml = String::from("[workspace]\ninclude = [\"crates/**\"]\n\n");
    for l in LAYERS {
        let _ = writeln!(
            toml,
            "[[modules]]\nname = \"{l}\"\npaths = [\"crates/{l}/**\"]\n"
        );
    }
    let _ = writeln!(
        toml,
        "[layers]\norder = [{}]\n",
        LAYERS
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    toml.push_str("[[boundary]]\nid = \"process-spawn\"\napis = [\"std::process::Command\"]\nallow_in = [\"app\"]\n");
    write(root, "layergate.toml", &toml)?;
    let members: Vec<String> = LAYERS.iter().map(|l| format!("\"crates/{l}\"")).collect();
    write(
        root,
        "Cargo.toml",
        &format!("[workspace]\nmembers = [{}]\n", members.join(", ")),
    )?;
    for (li, layer) in LAYERS.iter().enumerate() {
        let mut deps = String::new();
        for lower in &LAYERS[li + 1..] {
            let _ = writeln!(deps, "{lower} = {{ path = \"../{lower}\" }}");
        }
        write(root, &format!("crates/{layer}/Cargo.toml"), &format!("[package]\nname = \"{layer}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n{deps}"))?;
        let mut lib = String::new();
        for m in 0..mods {
            let _ = writeln!(lib, "pub mod m{m};");
        }
        write(root, &format!("crates/{layer}/src/lib.rs"), &lib)?;
        let files_per_mod = per_layer / mods;
        for m in 0..mods {
            let mut modrs = String::new();
            for f in 0..files_per_mod {
                let _ = writeln!(modrs, "pub mod f{f};");
            }
            write(root, &format!("crates/{layer}/src/m{m}/mod.rs"), &modrs)?;
            for f in 0..files_per_mod {
                let mut text = String::new();
                let n_imports = 5 + rng.below(5);
                for _ in 0..n_imports {
                    let up = false;
                    let tl = if up {
                        li - 1
                    } else {
                        (li + rng.below(LAYERS.len() - li)).min(LAYERS.len() - 1)
                    };
                    let (tm, tf) = (rng.below(mods), rng.below(files_per_mod));
                    if tl == li {
                        let _ = writeln!(text, "use crate::m{tm}::f{tf}::Item{tf};");
                    } else {
                        let _ = writeln!(text, "use {}::m{tm}::f{tf}::Item{tf};", LAYERS[tl]);
                    }
                }
                text.push_str("use serde::Serialize;\nuse std::collections::HashMap;\n\n");
                let _ = writeln!(text, "#[derive(Debug, Default, Serialize)]\npub struct Item{f} {{\n    pub id: u64,\n}}\n");
                let target = 10_000 + rng.below(5_000);
                let mut n = 0;
                while text.len() < target {
                    let _ = write!(
                        text,
                        "\npub fn compute_{n}(input: &HashMap<String, u64>, factor: u64) -> u64 {{\n    let mut total = 0;\n    \
                         for (k, v) in input {{\n        if k.len() > {n} {{\n            total += v * factor;\n        }}\n    }}\n    \
                         std::cmp::max(total, {n})\n}}\n\n#[derive(Debug, Clone)]\npub struct Record{n} {{\n    pub name: String,\n    pub values: Vec<u64>,\n}}\n\n\
                         impl Record{n} {{\n    pub fn sum(&self) -> u64 {{\n        self.values.iter().sum()\n    }}\n}}\n"
                    );
                    n += 1;
                }
                if rng.below(300) == 0 {
                    text.push_str("\npub fn spawn() { let _ = std::process::Command::new(\"true\").status(); }\n");
                }
                write(root, &format!("crates/{layer}/src/m{m}/f{f}.rs"), &text)?;
            }
        }
    }
    Ok(())
}
