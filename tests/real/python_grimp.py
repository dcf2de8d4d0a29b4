"""layergate's Python file graph against grimp's, on real packages.

Each package's source distribution comes from PyPI (the simple index,
checked against a pinned SHA-256); `layergate graph --level file --format
json` is compared, edge for edge, with the direct imports of
`grimp.build_graph(...)` (grimp 3.20, the graph engine of import-linter).

The comparison covers the files grimp reads as modules. What is left out,
and why (counted and printed, never silently):
  * edges from or to files grimp does not read as modules: `.pyi` stubs,
    modules in namespace portions of a package (a directory without
    `__init__.py` inside it, importable in Python 3 (PEP 420) but not walked
    by grimp), files in directories whose names are no identifiers;
  * literal dynamic imports (`importlib.import_module("a.b")`,
    `__import__("a.b")`), which layergate reads and grimp does not;
  * a module importing itself (grimp records it; layergate has no edge from
    a file to itself).
Anything else that differs fails the test.

usage: python_grimp.py LAYERGATE WORKDIR
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import urllib.request

import grimp

# (project on PyPI, sdist file, sha256, package root in the sdist, packages)
PACKAGES = [
    ("django", "Django-5.1.4.tar.gz",
     "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a", ".", ["django"]),
    ("sympy", "sympy-1.13.3.tar.gz",
     "b27fd2c6530e0ab39e275fc9b683895367e51d5da91baa8d3d64db2565fec4d9", ".", ["sympy"]),
    ("networkx", "networkx-3.4.2.tar.gz",
     "307c3669428c5362aab27c8a1260aa8f47c4e91d3891f48be0141738d8d053e1", ".", ["networkx"]),
    ("sqlalchemy", "sqlalchemy-2.0.36.tar.gz",
     "7f2767680b6d2398aea7082e45a774b2b0767b5c8d8ffb9c8b683088ea9b29c5", "lib", ["sqlalchemy"]),
    ("attrs", "attrs-24.2.0.tar.gz",
     "5cfb1b9148b5b086569baec03f20d7b6bf3bcacc9a42bebf87ffaaca362f6346", "src", ["attr", "attrs"]),
]


def download(project, filename, sha256, dest):
    if os.path.isfile(dest):
        with open(dest, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() == sha256:
                return
    with urllib.request.urlopen(f"https://pypi.org/simple/{project}/", timeout=60) as r:
        index = r.read().decode()
    m = re.search(r'href="([^"#]*/' + re.escape(filename) + r')#', index)
    if not m:
        sys.exit(f"{filename} is not on PyPI's simple index for {project}")
    with urllib.request.urlopen(m.group(1), timeout=300) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        sys.exit(f"{filename}: SHA-256 differs from the pinned one")
    with open(dest, "wb") as f:
        f.write(data)


def module_file(root, module):
    """The file grimp's module is, relative to `root`."""
    p = os.path.join(root, *module.split("."))
    for c in (p + ".py", os.path.join(p, "__init__.py")):
        if os.path.isfile(c):
            return os.path.relpath(c, root).replace(os.sep, "/")
    return None


def compare(bin, work, project, filename, sha256, pkg_root, packages):
    tarball = os.path.join(work, filename)
    download(project, filename, sha256, tarball)
    with tarfile.open(tarball) as t:
        top = t.getnames()[0].split("/")[0]
        t.extractall(work, filter="data")
    ws = os.path.join(work, top)
    root = os.path.normpath(os.path.join(ws, pkg_root))
    prefix = "" if pkg_root == "." else pkg_root.rstrip("/") + "/"
    include = ", ".join(f'"{prefix}{p}/**"' for p in packages)
    with open(os.path.join(ws, "layergate.toml"), "w") as f:
        f.write(f'[workspace]\ninclude = [{include}]\n\n[[modules]]\nname = "all"\npaths = ["**"]\n')
    out = subprocess.run([bin, "graph", "--level", "file", "--format", "json"],
                         cwd=ws, capture_output=True, text=True, check=True).stdout
    graph = json.loads(out)

    sys.path.insert(0, root)
    try:
        g = grimp.build_graph(*packages, cache_dir=None)
    finally:
        sys.path.remove(root)
    grimp_files = {}
    for m in g.modules:
        f = module_file(root, m)
        if f:
            grimp_files[f] = m
    theirs = set()
    self_imports = 0
    for m in g.modules:
        f = module_file(root, m)
        for t in g.find_modules_directly_imported_by(m):
            tf = module_file(root, t)
            if f and tf:
                if f == tf:
                    self_imports += 1
                else:
                    theirs.add((f, tf))

    ours = set()
    not_modules = 0
    dynamic = 0
    files = sum(1 for f in graph["files"] if f["path"].endswith((".py", ".pyi")))
    for e in graph["edges"]:
        a, b = e["from"][len(prefix):], e["to"][len(prefix):]
        if a == b:
            continue
        if a not in grimp_files or b not in grimp_files:
            not_modules += 1
            continue
        if all(i["kind"] == "dynamic" for i in e["imports"]):
            if (a, b) not in theirs:
                dynamic += 1
                continue
        ours.add((a, b))

    only_theirs = sorted(theirs - ours)
    only_ours = sorted(ours - theirs)
    print(f"  {project}: {files} files, {len(theirs & ours)} of {len(theirs)} grimp edges equal; "
          f"left out: {not_modules} edges of files grimp does not read as modules, "
          f"{dynamic} literal dynamic imports, {self_imports} self-imports")
    for a, b in only_theirs[:20]:
        print(f"    only grimp: {a} -> {b}")
    for a, b in only_ours[:20]:
        print(f"    only layergate: {a} -> {b}")
    return files, not (only_theirs or only_ours)


def main():
    bin, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    total, ok = 0, True
    for p in PACKAGES:
        files, same = compare(bin, work, *p)
        total += files
        ok &= same
    print(f"  {total} Python files in {len(PACKAGES)} packages")
    if total < 3000:
        print("  fewer than 3,000 files: the comparison is too small")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
