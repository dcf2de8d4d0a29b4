//! `layergate-bench hostile LAYERGATE`: the hostile workspaces of issue 6, each
//! checked by the real binary (release build), with its wall time and peak
//! RSS against the bound the README states. A bound is a promise about
//! the worst case on a 2-core machine, not a timed test: the command prints
//! every measurement and exits 1 if one is over its bound.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::measure::{self, mb, secs};

/// One hostile workspace: its name, how to build it, and its bounds.
struct Case {
    name: &'static str,
    build: fn(&Path) -> anyhow::Result<()>,
    max_wall: Duration,
    max_rss_mb: u64,
    /// The exit statuses that are right for it.
    exit: &'static [i32],
}

const CONFIG: &str = "[[modules]]\nname = \"app\"\npaths = [\"src/**\"]\n";

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(&p, content).with_context(|| p.display().to_string())
}

fn config(root: &Path, extra: &str) -> anyhow::Result<()> {
    write(root, "layergate.toml", format!("{CONFIG}{extra}"))
}

fn bundle(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    let line = "var a=function(b){return b+1};".repeat(20 * 1024 * 1024 / 30);
    write(root, "src/bundle.min.js", line)
}

fn brackets(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    let n = 100_000;
    write(
        root,
        "src/deep.ts",
        format!("const x = {}1{};\n", "[".repeat(n), "]".repeat(n)),
    )?;
    write(
        root,
        "src/deep.rs",
        format!(
            "fn f() {{ let x = {}1{}; }}\n",
            "(".repeat(n),
            ")".repeat(n)
        ),
    )
}

fn binary_and_non_utf8(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    for i in 0..1000 {
        let mut bytes = vec![0u8; 4096];
        bytes[i % 4096] = 0xff;
        write(root, &format!("src/bin{i}.ts"), &bytes)?;
        write(
            root,
            &format!("src/latin{i}.ts"),
            b"const s = '\xe9t\xe9';\n",
        )?;
    }
    Ok(())
}

fn files_in_one_folder(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    for i in 0..50_000 {
        write(
            root,
            &format!("src/f{i}.ts"),
            format!(
                "import {{ v }} from './f{}';\nexport const v = {i};\n",
                (i + 1) % 50_000
            ),
        )?;
    }
    Ok(())
}

fn pattern_every_node(root: &Path) -> anyhow::Result<()> {
    config(
        root,
        "\n[[pattern]]\nid = \"every-node\"\nlanguage = \"typescript\"\nquery = \"(_) @n\"\nmessage = \"a node\"\n",
    )?;
    let body = "const a = [1, 2, 3].map((x) => x * 2 + f(x, y, z));\n".repeat(20_000);
    write(root, "src/big.ts", body)
}

fn include_outside(root: &Path) -> anyhow::Result<()> {
    write(
        root,
        "layergate.toml",
        "[workspace]\ninclude = [\"../../etc/**\"]\n\n[[modules]]\nname = \"app\"\npaths = [\"src/**\"]\n",
    )?;
    write(root, "src/a.ts", "export const a = 1;\n")
}

fn manifests(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    write(
        root,
        "tsconfig.json",
        r#"{ "extends": "./tsconfig.b.json" }"#,
    )?;
    write(
        root,
        "tsconfig.b.json",
        r#"{ "extends": "./tsconfig.json" }"#,
    )?;
    write(root, "package.json", "{ \"name\": ")?;
    write(root, "Cargo.toml", "[package\nname = ")?;
    write(
        root,
        "src/a.ts",
        "import x from 'left-pad';\nimport y from './b';\n",
    )?;
    write(root, "src/b.ts", "export default 1;\n")
}

fn extends_diamond(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    // each level extends the next twice: 2^28 paths through 28 files
    for i in 0..28 {
        write(
            root,
            &format!("cfg/t{i}.json"),
            format!(r#"{{ "extends": ["./t{0}.json", "./t{0}.json"] }}"#, i + 1),
        )?;
    }
    write(root, "cfg/t28.json", "{}")?;
    write(root, "tsconfig.json", r#"{ "extends": "./cfg/t0.json" }"#)?;
    write(root, "src/a.ts", "import './b';\n")?;
    write(root, "src/b.ts", "export {};\n")
}

fn nested_mods(root: &Path) -> anyhow::Result<()> {
    config(root, "")?;
    let n = 50_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("mod m{i} {{ "));
    }
    text.push_str(&"}".repeat(n));
    write(root, "src/lib.rs", text)?;
    // a `#[path]` chain of 10,000 files
    for i in 0..10_000 {
        write(
            root,
            &format!("src/p/f{i}.rs"),
            format!("#[path = \"f{}.rs\"]\nmod m;\n", i + 1),
        )?;
    }
    write(root, "src/p/f10000.rs", "pub fn f() {}\n")
}

fn template_ring(root: &Path) -> anyhow::Result<()> {
    write(
        root,
        "layergate.toml",
        "[[modules]]\nname = \"m-{1}\"\npaths = [\"src/*/**\"]\n\n[checks]\nfile_cycles = \"error\"\n",
    )?;
    let n = 8_000;
    for i in 0..n {
        write(
            root,
            &format!("src/m{i}/index.ts"),
            format!("import '../m{}/index';\n", (i + 1) % n),
        )?;
    }
    Ok(())
}

fn eval_flood(root: &Path) -> anyhow::Result<()> {
    config(
        root,
        "\n[[boundary]]\nid = \"no-eval\"\napis = [\"global:eval\"]\nallow_in = []\nmessage = \"never eval\"\n",
    )?;
    for i in 0..5 {
        write(
            root,
            &format!("src/e{i}.ts"),
            "eval(1);\n".repeat(2_000_000 / 9),
        )?;
    }
    Ok(())
}

fn sibling_query(root: &Path) -> anyhow::Result<()> {
    config(
        root,
        "\n[[pattern]]\nid = \"siblings\"\nlanguage = \"typescript\"\nquery = \"(program (_) @a (_) @b (_) @c (_) @d (_) @e)\"\nmessage = \"siblings\"\n",
    )?;
    write(root, "src/a.ts", "f(1);\n".repeat(50_000))
}

#[cfg(unix)]
fn links_and_devices(root: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::symlink;
    config(root, "")?;
    write(root, "package.json", r#"{ "workspaces": ["packages/**"] }"#)?;
    write(root, "packages/real/package.json", r#"{ "name": "real" }"#)?;
    for i in 0..25 {
        symlink(".", root.join(format!("packages/l{i}")))?;
    }
    symlink("/dev/zero", root.join(".gitignore"))?;
    symlink("/dev/zero", root.join("layergate-baseline.json"))?;
    symlink("/dev/zero", root.join("pnpm-workspace.yaml"))?;
    write(root, "src/a.ts", "import 'real';\n")
}

fn many_modules(root: &Path) -> anyhow::Result<()> {
    // 40,000 modules: 3.5 MB of config, under the 4 MiB cap
    let n = 40_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "[[modules]]\nname = \"m{i}\"\npaths = [\"src/m{i}/**\"]\ndepends_on = [\"m{}\"]\n\n",
            (i + 1) % n
        ));
    }
    write(root, "layergate.toml", text)?;
    for i in (0..n).step_by(100) {
        write(root, &format!("src/m{i}/a.ts"), "export const a = 1;\n")?;
    }
    Ok(())
}

const CASES: &[Case] = &[
    Case {
        name: "20 MB one-line bundle",
        build: bundle,
        max_wall: Duration::from_secs(1),
        max_rss_mb: 64,
        exit: &[0],
    },
    Case {
        name: "100k nested brackets (TS and Rust)",
        build: brackets,
        max_wall: Duration::from_secs(5),
        max_rss_mb: 512,
        exit: &[0],
    },
    Case {
        name: "1,000 binary + 1,000 non-UTF-8 .ts files",
        build: binary_and_non_utf8,
        max_wall: Duration::from_secs(2),
        max_rss_mb: 100,
        exit: &[0],
    },
    Case {
        name: "50,000 files in one folder, one import cycle through all",
        build: files_in_one_folder,
        max_wall: Duration::from_secs(20),
        max_rss_mb: 512,
        exit: &[0],
    },
    Case {
        name: "pattern `(_) @n` on a 1 MB file",
        build: pattern_every_node,
        max_wall: Duration::from_secs(15),
        max_rss_mb: 1024,
        exit: &[1],
    },
    Case {
        name: "extends cycle, malformed package.json and Cargo.toml",
        build: manifests,
        max_wall: Duration::from_secs(1),
        max_rss_mb: 64,
        exit: &[0],
    },
    Case {
        name: "`include` pointing outside the workspace (refused)",
        build: include_outside,
        max_wall: Duration::from_secs(1),
        max_rss_mb: 64,
        exit: &[2],
    },
    Case {
        name: "tsconfig `extends` diamond, 28 levels",
        build: extends_diamond,
        max_wall: Duration::from_secs(1),
        max_rss_mb: 64,
        exit: &[0],
    },
    Case {
        name: "50,000 nested inline `mod`s and a 10,000-file `#[path]` chain",
        build: nested_mods,
        max_wall: Duration::from_secs(10),
        max_rss_mb: 512,
        exit: &[0],
    },
    Case {
        name: "a ring of 8,000 template modules, `file_cycles` on",
        build: template_ring,
        max_wall: Duration::from_secs(10),
        max_rss_mb: 512,
        exit: &[1],
    },
    Case {
        name: "5 files of 2 MB of `eval(1);`, eval denied",
        build: eval_flood,
        max_wall: Duration::from_secs(10),
        max_rss_mb: 1024,
        exit: &[1],
    },
    Case {
        name: "a query with five sibling wildcards on 50,000 statements",
        build: sibling_query,
        max_wall: Duration::from_secs(20),
        max_rss_mb: 512,
        exit: &[0, 1],
    },
    #[cfg(unix)]
    Case {
        name:
            "25 `workspaces` links to `.`, ignore file, baseline and pnpm file linked to /dev/zero",
        build: links_and_devices,
        max_wall: Duration::from_secs(2),
        max_rss_mb: 64,
        exit: &[0, 2],
    },
    Case {
        name: "40,000 modules that name each other",
        build: many_modules,
        max_wall: Duration::from_secs(10),
        max_rss_mb: 1024,
        exit: &[0],
    },
];

pub fn run(layergate: &Path) -> anyhow::Result<()> {
    measure::require_gnu_time()?;
    let layergate = &layergate
        .canonicalize()
        .with_context(|| format!("{} not found", layergate.display()))?;
    let work = tempfile_dir()?;
    println!("| workspace | exit | wall | bound | peak RSS | bound | |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    let mut over = 0;
    for (i, c) in CASES.iter().enumerate() {
        let root = work.join(format!("case{i}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root)?;
        (c.build)(&root).with_context(|| c.name)?;
        let argv: Vec<OsString> = vec![
            layergate.as_os_str().to_owned(),
            "check".into(),
            "--no-cache".into(),
            "--format".into(),
            "json".into(),
        ];
        let m = measure::run(
            &argv,
            &[],
            &root,
            c.max_wall * 4,
            &work.join(format!("case{i}.json")),
        )?;
        let ok = !m.timed_out
            && m.code.is_some_and(|code| c.exit.contains(&code))
            && m.wall <= c.max_wall
            && m.max_rss_kb / 1024 <= c.max_rss_mb;
        if !ok {
            over += 1;
        }
        println!(
            "| {} | {} | {} | {} | {} | {} MB | {} |",
            c.name,
            m.code.map_or("-".into(), |c| c.to_string()),
            secs(m.wall),
            secs(c.max_wall),
            mb(m.max_rss_kb),
            c.max_rss_mb,
            if ok { "within" } else { "OVER" }
        );
        let _ = std::fs::remove_dir_all(&root);
    }
    if over > 0 {
        anyhow::bail!("{over} workspace(s) over their bounds");
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("layergate-bench-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}
