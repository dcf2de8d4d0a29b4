"""import-linter's verdicts against layergate's, on its own configurations.

The projects: this repository's fixture, and six real ones whose source
distributions (from PyPI, checked against pinned SHA-256s) ship their
import-linter configuration: kedro, sqlfluff, napari, terok, tolokaforge
and bernstein (38 contracts: layers with containers and `|` levels,
forbidden with external packages and `allow_indirect_imports` both ways,
independence over up to 54 modules, protected of external packages,
ignore_imports). For each, `layergate init --from importlinter` converts the
project's import-linter configuration; then both `lint-imports --no-cache`
(import-linter 2.17) and `layergate check` run on the same code:
  * pristine: every contract has the same verdict, kept or broken, and
    every import that starts a chain lint-imports reports is reported by
    layergate under one of that contract's rule ids;
  * then each injected violation (one import line appended to one file,
    direct or indirect) on its own: both tools break the contract named,
    and both report it at that import (module and line).
layergate may name more chain starts than lint-imports does (a transitive
rule reports every import of a `from` file that starts a chain; README,
"From import-linter"): those are counted and printed, not failures.

usage: python_importlinter.py LAYERGATE WORKDIR
"""

import ast
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from python_grimp import download  # noqa: E402

# (project on PyPI, sdist, sha256, package root, injections): the real ones
SDISTS = [
    ("kedro", "kedro-1.7.0.tar.gz",
     "50b654c0f6ec79c465bc913c1680ea6ad35fff287160262dce7f9d4c1bdbd493", ".", [
         ("kedro/config/abstract_config.py", "import kedro.runner",
          "Config cannot import Runner et al"),
         ("kedro/io/core.py", "from kedro.pipeline import node",
          "Pipeline and IO are independent"),
         # indirect: kedro.pipeline.node imports kedro.utils
         ("kedro/utils.py", "import kedro.framework.session",
          "CLI > Context > Library, Runner > Extras > IO & Pipeline"),
     ]),
    ("sqlfluff", "sqlfluff-4.5.0.tar.gz",
     "0b0d5b2cca03e7d138b8d899249fed5fa54083e407bbd161449c0b30f901b7b8", "src", [
         ("src/sqlfluff/core/helpers/string.py", "from sqlfluff.core.helpers import dict",
          "Helper methods must be internally independent"),
         ("src/sqlfluff/core/parser/lexer.py", "import sqlfluff.core.linter",
          "Dependency layers within core"),
         ("src/sqlfluff/api/simple.py", "import sqlfluff.cli", "API may not depend on CLI"),
     ]),
    ("napari", "napari-0.9.2.tar.gz",
     "54e1db922d430094cc9208a1a1b1cd82c2b31bc28db3cb7b284d3b6ee6d6c983", "src", [
         ("src/napari/utils/misc.py", "import PyQt5", "Forbid import PyQt and PySide"),
         ("src/napari/layers/base/base.py", "import napari.qt",
          "Block import from qt module in napari.layers"),
     ]),
    ("terok", "terok-0.9.1.tar.gz",
     "4018ba1980d086f2bd856c03a1e1b4f1f6d605f11ab8f8f48e986e133bd6cc52", "src", [
         ("src/terok/cli/main.py", "import terok_sandbox",
          "terok_sandbox access restricted to the integrations adapter"),
         ("src/terok/cli/tree.py", "import terok.tui", "Layered architecture"),
     ]),
    ("tolokaforge", "tolokaforge-0.33.1.tar.gz",
     "17d4463b2fa74981a73845ac31ec3c83c2c4b0fd69c133785de6fa213c90236a", ".", [
         ("tolokaforge/core/grading/composite_fold.py", "import tolokaforge.grader",
          "composite_fold is a pure library — no runner/grader/live-substrate reach"),
     ]),
    ("bernstein", "bernstein-3.23.0.tar.gz",
     "5e00c072f9e0d539555b9a8b97b5930ffdce39479ce99bf34c797b1b9a0f8019", "src", [
         ("src/bernstein/adapters/agy.py", "from bernstein.adapters import aichat",
          "Adapters are independent of one another"),
     ]),
]

# (name, source: a directory of this repository, package root, injections)
# An injection: (file, line appended, contract name it must break).
PROJECTS = [
    (
        "fixture py-importlinter",
        os.path.join(ROOT, "tests/fixtures/py-importlinter"),
        ".",
        [
            # direct, one per contract type
            ("bank/plugins/beta.py", "import bank.api.views", "Plugins never import the API"),
            ("bank/domain/money.py", "from bank.ledger import book", "Bank layers"),
            ("bank/accounts/profile.py", "from bank.payments import fees", "Bank layers"),
            ("bank/api/views.py", "from bank.ledger.db import sqlite3",
             "The API reaches the database only through the ledger"),
            ("bank/plugins/beta.py", "from bank.plugins import gamma", "Independent plugins"),
            ("bank/ledger/book.py", "from bank.audit import store", "Only audit writes the audit store"),
            # indirect: the chain starts elsewhere
            ("bank/util/table.py", "from bank.ledger import db", "Bank layers"),
            ("bank/plugins/beta.py", "from bank.util import table", "Plugins never import the API"),
        ],
    ),
]


def run(cmd, cwd, env=None):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def module_of(rel, pkg_root):
    """The dotted module of a file relative to the project."""
    if pkg_root != ".":
        rel = os.path.relpath(rel, pkg_root)
    rel = re.sub(r"\.pyi?$", "", rel)
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return rel.replace("/", ".")


def lint_imports(ws, pkg_root):
    """{contract name: (broken, {(importer module, line)})} from lint-imports."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ws, pkg_root)
    env["NO_COLOR"] = "1"
    # long contract names are not wrapped
    env["COLUMNS"] = "10000"
    # a project's .python-version must not pick another interpreter (pyenv)
    env["PYENV_VERSION"] = platform.python_version()
    out = run(["lint-imports", "--no-cache"], ws, env)
    text = out.stdout
    verdicts = {}
    for m in re.finditer(r"^(.+) (KEPT|BROKEN)(?: \(.*\))?$", text, re.M):
        verdicts[m.group(1)] = (m.group(2) == "BROKEN", set())
    if not verdicts:
        sys.exit(f"lint-imports gave no verdicts in {ws}:\n{out.stdout}\n{out.stderr}")
    totals = re.search(r"^Contracts: (\d+) kept, (\d+) broken\.", text, re.M)
    if not totals or int(totals.group(1)) + int(totals.group(2)) != len(verdicts):
        sys.exit(f"lint-imports' verdicts in {ws} were not all read:\n{text}")
    broken = text.split("Broken contracts", 1)
    if len(broken) == 2:
        current = None
        in_heads = False
        lines = broken[1].splitlines()
        for i, line in enumerate(lines):
            if i + 1 < len(lines) and re.fullmatch(r"-+", lines[i + 1]) and line in verdicts:
                current = line
                continue
            # a chain's first import; with several heads (`- a (l.3)`, then
            # `  & b (l.5)` up to `  & c -> d (l.7)`), each is a start
            m = re.match(r"^-\s+([\w.]+)( -> [\w.]+)? \(([^)]*)\)$", line)
            if not m and in_heads:
                m = re.match(r"^\s+& ([\w.]+)( -> [\w.]+)? \(([^)]*)\)$", line)
            if m and current:
                for n in re.findall(r"\d+", m.group(3)):
                    verdicts[current][1].add((m.group(1), int(n)))
                in_heads = m.group(2) is None
            else:
                in_heads = False
    return verdicts


def layergate(bin, ws, pkg_root):
    """({contract name: rule ids}, {contract name: (broken, {(module, line)})})."""
    init = run([bin, "init", "--from", "importlinter", "--force"], ws)
    if init.returncode != 0:
        sys.exit(f"init --from importlinter failed in {ws}:\n{init.stderr}")
    ids = {}
    for line in init.stderr.splitlines():
        m = re.match(r"^  (.+) → (.+)$", line)
        if m:
            ids[m.group(1)] = m.group(2).split(", ")
    return ids, check(bin, ws, pkg_root, ids)


def statement_lines(path, cache={}):
    """{line: first line of its import statement}: lint-imports names the
    statement's line, layergate the imported name's own."""
    if path not in cache:
        lines = {}
        try:
            with open(path, encoding="utf-8") as fh:
                tree = ast.parse(fh.read())
        except (SyntaxError, UnicodeDecodeError, OSError):
            tree = None
        for node in ast.walk(tree) if tree is not None else []:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for n in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                    lines[n] = node.lineno
        cache[path] = lines
    return cache[path]


def check(bin, ws, pkg_root, ids):
    out = run([bin, "check", "--format", "json", "--no-cache"], ws)
    if out.returncode not in (0, 1):
        sys.exit(f"layergate check failed in {ws}:\n{out.stderr}")
    diags = json.loads(out.stdout)["diagnostics"]
    owner = {rid: name for name, rids in ids.items() for rid in rids}
    found = {name: (False, set()) for name in ids}
    for d in diags:
        name = owner.get(d["rule"])
        if name is None:
            continue
        line = statement_lines(os.path.join(ws, d["file"])).get(d["line"], d["line"])
        found[name][1].add((module_of(d["file"], pkg_root), line))
        found[name] = (True, found[name][1])
    return found


def compare(label, theirs, ours):
    """Failures (verdicts, or chain starts layergate misses) and extras."""
    failures, extra = [], 0
    for name, (broken, heads) in sorted(theirs.items()):
        if name not in ours:
            failures.append(f"{label}: contract `{name}` was not converted")
            continue
        our_broken, our_heads = ours[name]
        if broken != our_broken:
            failures.append(
                f"{label}: `{name}`: lint-imports {'BROKEN' if broken else 'KEPT'}, "
                f"layergate {'broken' if our_broken else 'kept'}"
            )
        for h in sorted(heads - our_heads):
            failures.append(f"{label}: `{name}`: layergate misses the chain start {h[0]}:{h[1]}")
        extra += len(our_heads - heads)
    return failures, extra


def projects(work):
    """(name, workspace, package root, injections): the fixture copied, the
    sdists downloaded and unpacked."""
    for name, source, pkg_root, injections in PROJECTS:
        ws = os.path.join(work, re.sub(r"\W+", "-", name))
        shutil.rmtree(ws, ignore_errors=True)
        shutil.copytree(source, ws)
        yield name, ws, pkg_root, injections
    for project, filename, sha256, pkg_root, injections in SDISTS:
        tarball = os.path.join(work, filename)
        download(project, filename, sha256, tarball)
        with tarfile.open(tarball) as t:
            top = t.getnames()[0].split("/")[0]
            shutil.rmtree(os.path.join(work, top), ignore_errors=True)
            t.extractall(work, filter="data")
        os.remove(tarball)
        yield filename[: -len(".tar.gz")], os.path.join(work, top), pkg_root, injections


def main():
    bin, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = []
    injected = 0
    count = 0
    for name, ws, pkg_root, injections in projects(work):
        count += 1
        ids, ours = layergate(bin, ws, pkg_root)
        theirs = lint_imports(ws, pkg_root)
        f, extra = compare(name, theirs, ours)
        failures += f
        kept = sum(1 for b, _ in theirs.values() if not b)
        print(
            f"{name}: {len(theirs)} contracts ({kept} kept), verdicts "
            f"{'equal' if not f else 'DIFFER'}; {extra} more chain starts named by layergate"
        )
        for rel, line, contract in injections:
            path = os.path.join(ws, rel)
            with open(path) as fh:
                before = fh.read()
            text = before if before.endswith("\n") or not before else before + "\n"
            at = text.count("\n") + 1
            with open(path, "w") as fh:
                fh.write(text + line + "\n")
            label = f"{name} + `{line}` in {rel}:{at}"
            theirs_i = lint_imports(ws, pkg_root)
            ours_i = check(bin, ws, pkg_root, ids)
            f, _ = compare(label, theirs_i, ours_i)
            failures += f
            # the contract named breaks anew in both, at the same imports
            # (compare: every chain start lint-imports names, layergate does)
            new_theirs = theirs_i.get(contract, (False, set()))[1] - theirs[contract][1]
            new_ours = ours_i.get(contract, (False, set()))[1] - ours[contract][1]
            if not new_theirs:
                failures.append(f"{label}: lint-imports reports nothing new for `{contract}`")
            if not new_ours:
                failures.append(f"{label}: layergate reports nothing new for `{contract}`")
            injected += 1
            shown = ", ".join(f"{m}:{n}" for m, n in sorted(new_theirs))
            print(f"  injected {rel}:{at} `{line}`: `{contract}` at {shown or 'nothing'} by lint-imports, {len(new_ours)} new by layergate")
            with open(path, "w") as fh:
                fh.write(before)
        shutil.rmtree(ws, ignore_errors=True)
    for f in failures:
        print(f"FAIL {f}")
    print(f"{count} projects, {injected} injected violations, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
