//! Differential test of the incremental engine: random edits applied with
//! `Workspace::set_file` / `remove_file` (as the language server does), and
//! after every step the diagnostics must equal those of a cold load of the
//! same contents from disk.

use std::path::Path;
use std::sync::Arc;

use rules::analysis::{check, Options};
use rules::config::Config;
use rules::diagnostic::Diagnostic;
use rules::resolve::RealFs;
use rules::workspace::{Content, Workspace};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const CONFIG: &str = r#"
[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]
public = ["src/domain/index.ts"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[[modules]]
name = "shared"
paths = ["src/shared/**"]
utility = true

[layers]
order = ["app", "infra", "domain"]

[[deny]]
id = "no-infra-reach"
from = ["domain"]
to = ["src/infra/db.ts"]
transitive = true

[[boundary]]
id = "env"
apis = ["global:process.env"]
allow_in = ["infra"]

[checks]
file_cycles = "warning"
"#;

const FILES: &[&str] = &[
    "src/app/main.ts",
    "src/app/page.ts",
    "src/domain/index.ts",
    "src/domain/user.ts",
    "src/domain/order.ts",
    "src/infra/db.ts",
    "src/infra/repo.ts",
    "src/shared/util.ts",
];

fn spec(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let up = from_dir.len() - 2;
    let mut s = "../".repeat(up);
    if up == 0 {
        s.push_str("./");
    }
    s.push_str(&to_parts[1..].join("/"));
    s.trim_end_matches(".ts").to_string()
}

fn random_line(rng: &mut Rng, from: &str, files: &[String]) -> String {
    let to = &files[rng.below(files.len())];
    match rng.below(6) {
        0 => format!("export {{ x{} }} from '{}';", rng.below(3), spec(from, to)),
        1 => format!("const e{} = process.env.X{};", rng.below(9), rng.below(3)),
        2 => "import { nothing } from './missing';".to_string(),
        3 => format!("export const x{} = {};", rng.below(3), rng.below(100)),
        _ => format!("import {{ x{} }} from '{}';", rng.below(3), spec(from, to)),
    }
}

fn diags(ws: &Workspace) -> Vec<Diagnostic> {
    check(
        ws,
        &Options {
            today: "2026-06-01".into(),
            baseline: None,
        },
    )
    .diagnostics
}

fn cold(root: &Path) -> Vec<Diagnostic> {
    let config = Config::load(&root.join("archgate.toml")).unwrap();
    diags(&Workspace::load(Arc::new(config), Arc::new(RealFs)))
}

fn run(seed: u64, steps: usize) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::write(root.join("archgate.toml"), CONFIG).unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut files: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    for f in &files {
        std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
        let mut text =
            String::from("export const x0 = 0;\nexport const x1 = 1;\nexport const x2 = 2;\n");
        for _ in 0..rng.below(3) {
            text.push_str(&random_line(&mut rng, f, &files));
            text.push('\n');
        }
        std::fs::write(root.join(f), text).unwrap();
    }
    let config = Config::load(&root.join("archgate.toml")).unwrap();
    let mut ws = Workspace::load(Arc::new(config), Arc::new(RealFs));
    assert_eq!(diags(&ws), cold(root), "seed {seed}: initial load");
    for step in 0..steps {
        let op = rng.below(10);
        let what;
        if op < 6 {
            // edit: add or delete a line
            let f = files[rng.below(files.len())].clone();
            let text = std::fs::read_to_string(root.join(&f)).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if rng.below(2) == 0 || lines.len() < 2 {
                let at = rng.below(lines.len() + 1);
                lines.insert(at, random_line(&mut rng, &f, &files));
            } else {
                lines.remove(rng.below(lines.len()));
            }
            let new = lines.join("\n") + "\n";
            std::fs::write(root.join(&f), &new).unwrap();
            ws.set_file(&f, Content::Text(new), None);
            what = format!("edit {f}");
        } else if op < 8 {
            // create a file
            let dir = ["app", "domain", "infra", "shared"][rng.below(4)];
            let f = format!("src/{dir}/n{}.ts", rng.below(1000));
            let text = format!(
                "export const x0 = 0;\n{}\n",
                random_line(&mut rng, &f, &files)
            );
            std::fs::write(root.join(&f), &text).unwrap();
            ws.set_file(&f, Content::Text(text), None);
            if !files.contains(&f) {
                files.push(f.clone());
            }
            what = format!("create {f}");
        } else if files.len() > 3 {
            let f = files.remove(rng.below(files.len()));
            std::fs::remove_file(root.join(&f)).unwrap();
            ws.remove_file(&f);
            what = format!("delete {f}");
        } else {
            continue;
        }
        let warm = diags(&ws);
        let fresh = cold(root);
        assert_eq!(
            warm, fresh,
            "seed {seed}, step {step} ({what}): incremental state differs from a cold check"
        );
    }
}

#[test]
fn incremental_equals_cold_over_random_edits() {
    for seed in 1..=25 {
        run(seed, 40);
    }
}
