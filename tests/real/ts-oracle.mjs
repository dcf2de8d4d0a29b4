// The TypeScript compiler's own view of a workspace's file graph, compared
// edge for edge with `layergate graph --level file --format json`.
//
//   node ts-oracle.mjs WORKSPACE GRAPH_JSON
//
// Imports are the module references of TypeScript's own parse of each file
// (`SourceFile.imports`, JavaScript `require`/`import()` included) resolved by
// `ts.resolveModuleName` in `bundler` mode: TypeScript 6, the last release
// whose package has the JavaScript API (TypeScript 7 has no
// `resolveModuleName`). An import is an edge when it resolves to a file of
// the workspace that is not a declaration file outside it. Both sides are
// multisets of (file, specifier, target); every difference is printed, and
// any makes the exit status 1.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const ts = require(process.env.TS_ORACLE_TYPESCRIPT ?? "typescript");

const [root, graphPath] = process.argv.slice(2);
if (!root || !graphPath) {
  console.error("usage: node ts-oracle.mjs WORKSPACE GRAPH_JSON");
  process.exit(2);
}
if (!ts.version.startsWith("6.")) {
  console.error(`the oracle needs TypeScript 6 (resolveModuleName); found ${ts.version}`);
  process.exit(2);
}
const abs = fs.realpathSync(root);
const graph = JSON.parse(fs.readFileSync(graphPath, "utf8"));
if (graph.level !== "file") {
  console.error(`${graphPath}: not a file graph (level ${graph.level})`);
  process.exit(2);
}

// The workspace's tsconfig.json, if it has one, in bundler mode.
let fromConfig = {};
const tsconfig = path.join(abs, "tsconfig.json");
if (fs.existsSync(tsconfig)) {
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error) {
    console.error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    process.exit(2);
  }
  fromConfig = ts.parseJsonConfigFileContent(read.config, ts.sys, abs).options;
}
const options = {
  ...fromConfig,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  allowJs: true,
  resolveJsonModule: true,
  allowImportingTsExtensions: true,
  noEmit: true,
};
const host = ts.sys;
const cache = ts.createModuleResolutionCache(abs, (f) => f, options);

const key = (file, spec, target) => JSON.stringify([file, spec, target]);
const count = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);

// TypeScript's side: every file layergate lists (so the file sets agree),
// parsed by a program that resolves nothing; its own list of each file's
// module references (`SourceFile.imports` and `moduleAugmentations`, what
// the program resolves), each named by its syntax.
const rootNames = graph.files.map((f) => path.join(abs, f.path));
const program = ts.createProgram({
  rootNames,
  options: { ...options, noResolve: true, noLib: true, types: [] },
});
function syntax(node) {
  const p = node.parent;
  if (ts.isImportDeclaration(p)) return "import";
  if (ts.isExportDeclaration(p)) return "export-from";
  if (ts.isExternalModuleReference(p)) return "import-equals";
  if (ts.isCallExpression(p)) return p.expression.kind === ts.SyntaxKind.ImportKeyword ? "import()" : "require()";
  if (ts.isLiteralTypeNode(p) && ts.isImportTypeNode(p.parent)) return "import-type";
  if (ts.isModuleDeclaration(p)) return "declare-module";
  if (ts.isJSDocImportTag?.(p)) return "jsdoc-import";
  return ts.SyntaxKind[p.kind];
}
// What the spec does not count as a dependency: `declare module "x" {}`
// (an augmentation of x: types, written where x is not imported) and
// `import("x")` in a type position.
const NOT_A_DEPENDENCY = new Set(["declare-module", "import-type", "jsdoc-import"]);
const oracle = new Map();
const setAside = new Map();
let imports = 0;
for (const f of graph.files) {
  const file = path.join(abs, f.path);
  const sf = program.getSourceFile(file);
  if (!sf) {
    console.error(`TypeScript did not read ${f.path}`);
    process.exit(2);
  }
  const refs = [...(sf.imports ?? []), ...(sf.moduleAugmentations ?? [])].filter((n) =>
    ts.isStringLiteralLike(n),
  );
  for (const lit of refs) {
    imports++;
    const r = ts.resolveModuleName(lit.text, file, options, host, cache);
    const resolved = r.resolvedModule?.resolvedFileName;
    if (!resolved) continue;
    const rel = path.relative(abs, fs.realpathSync(resolved)).split(path.sep).join("/");
    if (rel.startsWith("../") || rel.split("/").includes("node_modules")) continue;
    const kind = syntax(lit);
    if (NOT_A_DEPENDENCY.has(kind)) {
      count(setAside, kind);
      continue;
    }
    count(oracle, key(f.path, lit.text, rel));
  }
}

// layergate's side.
const ours = new Map();
for (const e of graph.edges) {
  for (const i of e.imports) count(ours, key(i.file, i.specifier, i.target));
}

const differences = [];
for (const k of new Set([...oracle.keys(), ...ours.keys()])) {
  const a = oracle.get(k) ?? 0;
  const b = ours.get(k) ?? 0;
  if (a === b) continue;
  const [file, specifier, target] = JSON.parse(k);
  differences.push({ file, specifier, target, typescript: a, layergate: b });
}
differences.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
for (const d of differences) {
  console.log(
    `  DIFFERENT: ${d.file}: "${d.specifier}" -> ${d.target}: TypeScript ${d.typescript}, layergate ${d.layergate}`,
  );
}
const edges = [...oracle.values()].reduce((a, b) => a + b, 0);
const agree = edges - differences.reduce((a, d) => a + Math.max(0, d.typescript - d.layergate), 0);
console.log(
  `${path.basename(abs)}: ${graph.files.length} files, ${imports} imports, TypeScript ${edges} edges to workspace files, layergate ${[...ours.values()].reduce((a, b) => a + b, 0)}, ${agree} agree, ${differences.length} differences`,
);
if (setAside.size) {
  console.log(
    `  set aside (not dependencies): ${[...setAside].map(([k, n]) => `${n} ${k}`).join(", ")}`,
  );
}
process.exit(differences.length === 0 ? 0 : 1);
