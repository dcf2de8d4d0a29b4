"""layergate on every crate of a `cargo vendor` tree, judged by Cargo.

    python3 rust_crates.py LAYERGATE VENDOR_DIR

The configs are written next to VENDOR_DIR (in its parent directory).

One module per vendored crate, with `external` = exactly the dependencies its
`Cargo.toml` declares (normal, dev, build and target-specific tables; renames
by key). The code compiles with those dependencies, so every `external`
diagnostic is a layergate bug: the check requires 0.

Then the same tree with `external = []` everywhere: every crate path
layergate sees becomes an `external` diagnostic. A dependency that a crate's
sources name only inside attributes (`#[derive(serde::Serialize)]`,
`#[tokio::main]`, found here by a plain text scan of attribute lines) must be
among them: attributes are dependencies.
"""

import json
import os
import re
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

DEP_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")

# (crate, dependency) pairs whose `external` diagnostics are right: the code
# names a crate its published manifest does not declare. Each is explained in
# the README ("Real code").
EXPLAINED = {
    # `cargo publish` drops dev-dependencies that have no version (path-only):
    # zerocopy-derive's tests use `zerocopy-renamed`, a path dev-dependency in
    # the zerocopy repository, absent from the published Cargo.toml.
    ("zerocopy-derive", "zerocopy_renamed"),
}

def declared(manifest: dict) -> set[str]:
    keys: set[str] = set()
    tables = [manifest]
    tables += [t for t in manifest.get("target", {}).values() if isinstance(t, dict)]
    for t in tables:
        for name in DEP_TABLES:
            keys.update(t.get(name, {}).keys())
            keys.update(t.get(name.replace("-", "_"), {}).keys())
    return {k.replace("-", "_") for k in keys}


def module_name(crate: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", crate.lower())


def write_config(root: Path, crates: dict[str, set[str]], allow_declared: bool) -> None:
    lines = ['[workspace]\ninclude = ["vendor/**"]\n']
    for crate, deps in sorted(crates.items()):
        ext = sorted(deps) if allow_declared else []
        lines.append(
            f'[[modules]]\nname = {json.dumps(module_name(crate))}\n'
            f'paths = [{json.dumps(f"vendor/{crate}/**")}]\n'
            f"external = {json.dumps(ext)}\n"
        )
    (root / "layergate.toml").write_text("\n".join(lines))


def check(layergate: str, root: Path) -> tuple[list[dict], float]:
    start = time.monotonic()
    out = subprocess.run(
        [layergate, "check", "--format", "json", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - start
    if out.returncode not in (0, 1):
        sys.exit(f"layergate check failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)["diagnostics"], took


ATTR = re.compile(r"^\s*#!?\[")
COMMENT = re.compile(r"//.*$")


def attribute_only(crate_dir: Path, deps: set[str]) -> set[str]:
    """Dependencies the crate's .rs files name (`dep::`) only on attribute lines."""
    in_attr: set[str] = set()
    elsewhere: set[str] = set()
    pats = {d: re.compile(rf"(?<![\w:]){re.escape(d)}::") for d in deps}
    use_of = {d: re.compile(rf"\b(use|extern crate)\s+(::)?{re.escape(d)}\b") for d in deps}
    for f in crate_dir.rglob("*.rs"):
        try:
            text = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for line in text.splitlines():
            code = COMMENT.sub("", line)
            for d in deps:
                if pats[d].search(code) or use_of[d].search(code):
                    (in_attr if ATTR.match(code) else elsewhere).add(d)
    return in_attr - elsewhere


def main() -> int:
    layergate, vendor = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
    if vendor.name != "vendor":
        sys.exit(f"{vendor}: expected a directory named vendor")
    root = vendor.parent
    crates: dict[str, set[str]] = {}
    for d in sorted(vendor.iterdir()):
        manifest = d / "Cargo.toml"
        if d.is_dir() and manifest.is_file():
            crates[d.name] = declared(tomllib.loads(manifest.read_text()))
    files = sum(1 for _ in vendor.rglob("*.rs"))

    write_config(root, crates, allow_declared=True)
    diags, took = check(layergate, root)
    rules = Counter(d["rule"] for d in diags)
    def explained(d: dict) -> bool:
        target = (d.get("target") or "").removeprefix("crate:")
        return (d.get("from_module"), target) in EXPLAINED

    external = [d for d in diags if d["rule"] == "external" and not explained(d)]
    set_aside = sum(1 for d in diags if d["rule"] == "external" and explained(d))
    print(
        f"rust: {len(crates)} crates, {files} .rs files, external = declared dependencies: "
        f"{len(external)} false external diagnostics, {set_aside} explained "
        f"({took:.1f} s; all rules: {dict(sorted(rules.items()))})"
    )
    for d in external[:50]:
        print(f"  FALSE external: {d['file']}:{d['line']}: {d['message']}")

    # `unresolved`: right only where the file is absent from the published
    # crate (`cargo package` leaves out what `include`/`exclude` say, such
    # as tests' helpers); a path is explained by a `mod` found nowhere.
    unresolved = [d for d in diags if d["rule"] == "unresolved"]
    absent: dict[str, set[str]] = defaultdict(set)
    false_unresolved = []
    for d in unresolved:
        m = re.match(r"`mod (\w+);`", d["message"])
        if not m:
            continue
        crate_dir = vendor / d["file"].split("/")[1]
        name = m.group(1)
        if any(crate_dir.rglob(f"{name}.rs")) or any(crate_dir.rglob(f"{name}/mod.rs")):
            false_unresolved.append(d)
        else:
            absent[d["file"].split("/")[1]].add(name)
    for d in unresolved:
        if re.match(r"`mod ", d["message"]):
            continue
        segs = set(re.split(r"::", d.get("target") or ""))
        if not segs & absent.get(d["file"].split("/")[1], set()):
            false_unresolved.append(d)
    print(
        f"rust: {len(unresolved)} unresolved, {len(unresolved) - len(false_unresolved)} "
        f"of them files absent from the published crates"
    )
    for d in false_unresolved[:50]:
        print(f"  FALSE unresolved: {d['file']}:{d['line']}: {d['message']}")

    write_config(root, crates, allow_declared=False)
    diags, took = check(layergate, root)
    seen: dict[str, set[str]] = defaultdict(set)
    for d in diags:
        if d["rule"] == "external" and d.get("from_module") and d.get("target"):
            seen[d["from_module"]].add(d["target"].removeprefix("crate:").replace("-", "_"))
    uses = sum(len(v) for v in seen.values())
    missed = []
    attr_only = 0
    for crate, deps in sorted(crates.items()):
        for dep in sorted(attribute_only(vendor / crate, deps)):
            attr_only += 1
            if dep not in seen.get(module_name(crate), set()):
                missed.append((crate, dep))
    print(
        f"rust: external = []: {uses} (crate, dependency) pairs seen ({took:.1f} s); "
        f"{attr_only} dependencies named only in attributes, {attr_only - len(missed)} seen"
    )
    for crate, dep in missed:
        print(f"  NOT SEEN: {crate} names {dep} only in attributes")
    ok = not external and not false_unresolved and not missed and attr_only > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
