"""`depends_on` = the declared Cargo dependencies, on a generated workspace
whose crates re-export each other, judged by Cargo.

    python3 rust_workspace.py LAYERGATE WORK_DIR [CRATES]

A Cargo workspace of CRATES crates (default 40) in layers: each crate
depends on two or three lower ones, re-exports items of each (`pub use
dep::{..}` at its root: a facade), and uses items of its dependencies'
dependencies *through* those facades (`use dep::deep_item;`), and the
attribute `#[derive(macros::Tag)]` from a proc-macro crate whose `quote!`
bodies name crates it does not depend on (code generated for the caller).
`cargo metadata` (no network, nothing built) gives each crate's declared
dependencies; the config says `depends_on` = exactly those. The code could
compile, so the check must report no `depends-on` at all.

Then the control: with one declared dependency removed from each crate's
`depends_on` in turn (a sample), the check must report `depends-on` at the
use of that dependency: the test can fail.
"""

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path


def generate(root: Path, n: int, rng: random.Random) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "crates").mkdir(parents=True)
    names = [f"c{i:02}" for i in range(n)]
    deps: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        lower = names[:i]
        deps[name] = sorted(rng.sample(lower, min(len(lower), rng.choice([2, 3]))))
    members = names + ["macros"]
    (root / "Cargo.toml").write_text(
        '[workspace]\nresolver = "2"\nmembers = [' + ", ".join(f'"crates/{m}"' for m in members) + "]\n"
    )
    # the proc-macro crate: its quote! bodies name c00 and the last crate,
    # which it does not depend on
    mac = root / "crates" / "macros"
    (mac / "src").mkdir(parents=True)
    (mac / "Cargo.toml").write_text(
        '[package]\nname = "macros"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\nproc-macro = true\n\n'
        '[dependencies]\nquote = "1"\nproc-macro2 = "1"\n'
    )
    (mac / "src" / "lib.rs").write_text(
        "use proc_macro::TokenStream;\n\n"
        "#[proc_macro_derive(Tag)]\n"
        "pub fn tag(_input: TokenStream) -> TokenStream {\n"
        f"    let t = quote::quote! {{ impl ::{names[0]}::Tagged for () {{}} fn _x() {{ {names[-1]}::top(); }} }};\n"
        "    let _ = quote::quote_spanned! { proc_macro2::Span::call_site() => c00::item_c00() };\n"
        "    t.into()\n"
        "}\n"
    )
    for i, name in enumerate(names):
        d = root / "crates" / name
        (d / "src").mkdir(parents=True)
        dep_lines = "".join(f'{x} = {{ path = "../{x}" }}\n' for x in deps[name])
        dep_lines += 'macros = { path = "../macros" }\n' if i >= 1 else ""
        (d / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n{dep_lines}'
        )
        lib = [f"pub mod inner;\n", f"pub fn item_{name}() {{}}\n", "pub trait Tagged {}\n"]
        if i == n - 1:
            lib.append("pub fn top() {}\n")
        for x in deps[name]:
            # a facade: re-export the dependency's own item, and the items
            # it re-exports from its dependencies
            lib.append(f"pub use {x}::item_{x};\n")
            for y in deps[x]:
                lib.append(f"pub use {x}::item_{y} as item_{y}_via_{x};\n")
        (d / "src" / "lib.rs").write_text("".join(lib))
        body = []
        for x in deps[name]:
            body.append(f"use {x}::item_{x};\n")
            # an item of a dependency's dependency, through the facade
            for y in deps[x]:
                body.append(f"use {x}::item_{y};\n")
                body.append(f"pub fn f_{x}_{y}() {{ item_{y}(); }}\n")
            body.append(f"pub fn g_{x}() {{ item_{x}(); }}\n")
        if i >= 1:
            body.append("#[derive(macros::Tag)]\npub struct Tagged;\n")
        (d / "src" / "inner.rs").write_text("".join(body))


def declared(root: Path) -> dict[str, list[str]]:
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"cargo metadata failed:\n{out.stderr}")
    meta = json.loads(out.stdout)
    local = {p["name"] for p in meta["packages"]}
    return {
        p["name"]: sorted({d["name"] for d in p["dependencies"] if d["name"] in local})
        for p in meta["packages"]
    }


def write_config(root: Path, graph: dict[str, list[str]]) -> None:
    lines = ['[workspace]\ninclude = ["crates/**"]\n']
    for name, deps in sorted(graph.items()):
        lines.append(
            f'[[modules]]\nname = "{name}"\npaths = ["crates/{name}/**"]\n'
            f"depends_on = {json.dumps(deps)}\n"
        )
    (root / "layergate.toml").write_text("\n".join(lines))


def check(layergate: str, root: Path) -> list[dict]:
    out = subprocess.run(
        [layergate, "check", "--format", "json", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"layergate check failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)["diagnostics"]


def main() -> int:
    layergate = str(Path(sys.argv[1]).resolve())
    root = Path(sys.argv[2]).resolve() / "cargo-workspace"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    generate(root, n, random.Random(7))
    graph = declared(root)
    write_config(root, graph)
    diags = check(layergate, root)
    wrong = [d for d in diags if d["severity"] == "error" or d["rule"] == "unresolved"]
    files = sum(1 for _ in root.rglob("*.rs"))
    edges = sum(len(v) for v in graph.values())
    print(
        f"cargo workspace: {len(graph)} crates, {files} files, {edges} declared workspace "
        f"dependencies; depends_on = declared: {len(wrong)} errors or unresolved"
    )
    for d in wrong[:30]:
        print(f"  FALSE {d['rule']}: {d['file']}:{d['line']}: {d['message']}")
    # the control: drop one declared dependency of a few crates
    caught = 0
    sample = [c for c in sorted(graph) if graph[c] and c != "macros"][:: max(1, n // 8)]
    for crate in sample:
        dropped = graph[crate][0]
        g = {k: [x for x in v if not (k == crate and x == dropped)] for k, v in graph.items()}
        write_config(root, g)
        hits = [
            d
            for d in check(layergate, root)
            if d["rule"] == "depends-on" and d.get("from_module") == crate and d.get("to_module") == dropped
        ]
        if hits:
            caught += 1
        else:
            print(f"  MISSED: {crate} uses {dropped} with it left out of depends_on, and no depends-on")
    write_config(root, graph)
    print(f"cargo workspace: control: {caught} of {len(sample)} dropped dependencies reported")
    return 0 if not wrong and caught == len(sample) else 1


if __name__ == "__main__":
    sys.exit(main())
