"""tach's verdicts against layergate's, on a configuration converted by
`layergate init --from tach`.

`tach check` (tach 0.35) and `layergate check` run on the same code; the
imports each reports under tach's internal rules (undeclared dependencies,
layers, visibility: layergate's `depends-on`, `layers` and `visibility`)
must be the same lines, first on the code as it is, then with each injected
violation (one import line appended to one file). External packages
(`tach check-external`, `cannot_depend_on_external`) are not compared.

usage: python_tach.py LAYERGATE WORKDIR
"""

import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# (name, source, injections: (file, line appended))
PROJECTS = [
    (
        "fixture py-tach",
        os.path.join(ROOT, "tests/fixtures/py-tach"),
        [
            ("src/app/util/helpers.py", "from app.db import conn"),
            ("src/app/core/secrets/vault.py", "from app.api import views"),
            ("src/app/billing/invoice.py", "from app.core import logic"),
            ("src/app/api/views.py", "from app.billing import invoice"),
            ("src/app/plugins/b/tool.py", "from app.plugins.a import run"),
            ("src/app/legacy/old.py", "from app.db import conn"),
            ("src/app/db/conn.py", "import app.billing.invoice"),
        ],
    ),
]

RULES = {"depends-on", "layers", "visibility"}


def internal(rule):
    """A rule tach's `check` judges: layergate's own, or a module's
    `cannot_depend_on` (`<module>-cannot-depend-on`; the `-external` ones are
    `tach check-external`'s)."""
    return rule in RULES or rule.endswith("-cannot-depend-on")


def tach(ws):
    out = subprocess.run(["tach", "check"], cwd=ws, capture_output=True, text=True)
    text = out.stdout + out.stderr
    if "Module configuration error" in text:
        sys.exit(f"tach refuses the configuration in {ws}:\n{text}")
    return {(m.group(1), int(m.group(2))) for m in re.finditer(r"\[FAIL\] (\S+?):(\d+):", text)}


def layergate(bin, ws):
    out = subprocess.run(
        [bin, "check", "--format", "json", "--no-cache"], cwd=ws, capture_output=True, text=True
    )
    if out.returncode not in (0, 1):
        sys.exit(f"layergate check failed in {ws}:\n{out.stderr}")
    return {
        (d["file"], d["line"])
        for d in json.loads(out.stdout)["diagnostics"]
        if internal(d["rule"])
    }


def main():
    bin, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    failures = []
    runs = 0
    for name, source, injections in PROJECTS:
        ws = os.path.join(work, re.sub(r"\W+", "-", name))
        shutil.rmtree(ws, ignore_errors=True)
        shutil.copytree(source, ws)
        init = subprocess.run(
            [bin, "init", "--from", "tach", "--force"], cwd=ws, capture_output=True, text=True
        )
        if init.returncode != 0:
            sys.exit(f"init --from tach failed in {ws}:\n{init.stderr}")
        for inj in [None] + injections:
            label = name
            if inj is not None:
                rel, line = inj
                path = os.path.join(ws, rel)
                with open(path) as fh:
                    before = fh.read()
                with open(path, "w") as fh:
                    fh.write(before + line + "\n")
                label = f"{name} + `{line}` in {rel}"
            theirs, ours = tach(ws), layergate(bin, ws)
            runs += 1
            for f, n in sorted(theirs - ours):
                failures.append(f"{label}: tach reports {f}:{n}, layergate does not")
            for f, n in sorted(ours - theirs):
                failures.append(f"{label}: layergate reports {f}:{n}, tach does not")
            print(f"{label}: {len(theirs)} imports reported by tach, {len(ours)} by layergate")
            if inj is not None:
                with open(path, "w") as fh:
                    fh.write(before)
    for f in failures:
        print(f"FAIL {f}")
    print(f"{runs} runs, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
