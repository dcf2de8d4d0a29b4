// Validates the JSON schema of layergate.toml (../layergate.schema.json):
// every layergate.toml of the repository (root, tests/fixtures/, examples/)
// is valid, broken configs are rejected at the right place, and the copy
// shipped in the VS Code extension (if built) is identical.
//
// The schema is generated from the Rust config types (rules/src/config/raw.rs);
// `cargo test -p layergate-rules schema` fails when the committed file is stale
// (regenerate with `UPDATE_SCHEMA=1 cargo test -p layergate-rules schema`).
//
// Run: cd editors/schema && npm ci && npm test

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { parse } from "smol-toml";

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = join(here, "..");
const repo = join(schemaDir, "..", "..");
const schema = JSON.parse(readFileSync(join(schemaDir, "layergate.schema.json"), "utf8"));

const ajv = new Ajv({ allErrors: true, strict: true });
// Even Better TOML (taplo) reads `x-taplo` for docs of enum values and the
// keys to insert with a new table; to ajv it is an annotation.
ajv.addKeyword({ keyword: "x-taplo" });
const validate = ajv.compile(schema);

/** Errors of a TOML text, as "instancePath keyword" strings (sorted, unique). */
function errorsOf(text) {
  const ok = validate(parse(text));
  if (ok) return [];
  return [...new Set(validate.errors.map((e) => `${e.instancePath} ${e.keyword}`))].sort();
}

function findConfigs(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "target" || entry.name === ".git") continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) findConfigs(p, out);
    else if (entry.name === "layergate.toml") out.push(p);
  }
  return out;
}

const configs = [
  join(repo, "layergate.toml"),
  ...findConfigs(join(repo, "tests", "fixtures")),
  ...findConfigs(join(repo, "examples")),
].filter((p) => existsSync(p));

test("the repository has fixture and example configs to validate", () => {
  const rel = configs.map((p) => relative(repo, p).split("\\").join("/"));
  assert.ok(rel.includes("layergate.toml"), "the root layergate.toml");
  assert.ok(rel.includes("examples/shop/layergate.toml"), "the bundled example");
  assert.ok(rel.filter((p) => p.startsWith("tests/fixtures/")).length >= 20, `fixtures: ${rel.length}`);
});

for (const file of configs) {
  test(`valid: ${relative(repo, file).split("\\").join("/")}`, () => {
    const errors = errorsOf(readFileSync(file, "utf8"));
    assert.deepEqual(errors, [], JSON.stringify(validate.errors, null, 2));
  });
}

test("valid: the full example of the spec (every table and key)", () => {
  const text = `
[workspace]
include = ["src/**", "crates/**", "packages/**"]
exclude = ["**/generated/**"]
baseline = "layergate-baseline.json"
tsconfig = "tsconfig.json"

[[modules]]
name = "admin"
paths = ["src/app/admin/**"]

[[modules]]
name = "app"
paths = ["src/app/**"]
depends_on = ["domain", "shared"]
external = ["zod", "npm:@tanstack/*"]

[[modules]]
name = "domain"
paths = ["src/domain/**", "crates/domain/**"]
public = ["src/domain/index.ts", "crates/domain/src/lib.rs"]
external = []
description = "Business rules."

[[modules]]
name = "db"
paths = ["src/infra/db/**"]
visible_to = ["infra"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[[modules]]
name = "shared"
paths = ["src/shared/**"]
utility = true

[[modules]]
name = "feature-{1}"
group = "features"
paths = ["src/features/*/**"]
depends_on = []

[layers]
order = ["admin", "app", "infra", ["domain", "shared"]]
siblings = "deny"
strict = false

[[deny]]
id = "domain-is-pure"
from = ["domain"]
to = ["infra", "npm:axios", "crate:reqwest"]
message = "The domain stays free of I/O."
severity = "error"
exclude = ["src/domain/testing/**"]
transitive = false

[[boundary]]
id = "process-spawn"
apis = ["node:child_process", "npm:execa", "std::process::Command"]
allow_in = ["infra"]
message = "Spawn processes only through infra/exec."
severity = "warn"

[[boundary]]
id = "unsafe-code"
apis = ["rust:unsafe"]
allow_in = []

[[pattern]]
id = "no-eval"
language = "typescript"
query = '((call_expression function: (identifier) @callee) (#eq? @callee "eval"))'
capture = "callee"
allow_in = []
message = "eval runs untrusted strings as code."
severity = "hint"

[[allow]]
from = ["src/app/main.ts"]
to = ["infra"]
rules = ["layers", "depends-on"]
reason = "the composition root wires infra into the app"

[checks]
layers = "error"
depends_on = "error"
visibility = "error"
external = "error"
public_api = "error"
cycles = "error"
file_cycles = "off"
unresolved = "warning"
unassigned = "info"
type_only_imports = "count"
reexports = "follow"
`;
  assert.deepEqual(errorsOf(text), []);
});

test("valid: several stacks with [[layers]]", () => {
  const text = `
[[modules]]
name = "a"
paths = ["a/**"]
[[modules]]
name = "b"
paths = ["b/**"]
[[layers]]
order = ["a", "b"]
[[layers]]
order = [["a", "b"]]
siblings = "allow"
strict = true
`;
  assert.deepEqual(errorsOf(text), []);
});

// Each broken config and the exact places (instance path + failing keyword)
// the schema reports.
const broken = [
  {
    name: "an unknown top-level table",
    text: `[modulez]\nname = "a"`,
    errors: [" additionalProperties"],
  },
  {
    name: "an unknown key in a module",
    text: `[[modules]]\nname = "a"\npaths = ["a/**"]\ndepend_on = ["b"]`,
    errors: ["/modules/0 additionalProperties"],
  },
  {
    name: "an unknown key in [checks]",
    text: `[checks]\nfile_cycle = "error"`,
    errors: ["/checks additionalProperties"],
  },
  {
    name: "a wrong severity in [checks]",
    text: `[checks]\nlayers = "fatal"`,
    errors: ["/checks/layers enum"],
  },
  {
    name: "a wrong severity in a [[deny]]",
    text: `[[deny]]\nid = "x"\nfrom = ["a/**"]\nto = ["b/**"]\nseverity = "Error"`,
    errors: ["/deny/0/severity enum"],
  },
  {
    name: "a module without paths",
    text: `[[modules]]\nname = "a"`,
    errors: ["/modules/0 required"],
  },
  {
    name: "a module with empty paths",
    text: `[[modules]]\nname = "a"\npaths = []`,
    errors: ["/modules/0/paths minItems"],
  },
  {
    name: "layers.order not an array",
    text: `[layers]\norder = "app"`,
    // the `[layers]` table fails on its order; it is not an array of stacks either
    errors: ["/layers oneOf", "/layers type", "/layers/order type"],
  },
  {
    name: "layers without order",
    text: `[layers]\nstrict = true`,
    errors: ["/layers oneOf", "/layers required", "/layers type"],
  },
  {
    name: "a wrong siblings value",
    text: `[layers]\norder = ["a"]\nsiblings = "yes"`,
    errors: ["/layers oneOf", "/layers type", "/layers/siblings enum"],
  },
  {
    name: "an upper-case module name",
    text: `[[modules]]\nname = "Domain"\npaths = ["src/**"]`,
    errors: ["/modules/0/name pattern"],
  },
  {
    name: "a rule id that is a built-in id",
    text: `[[boundary]]\nid = "layers"\napis = ["rust:unsafe"]\nallow_in = []`,
    errors: ["/boundary/0/id not"],
  },
  {
    name: "a pattern in an unknown language",
    text: `[[pattern]]\nid = "p"\nlanguage = "cobol"\nquery = "(identifier) @x"`,
    errors: ["/pattern/0/language enum"],
  },
  {
    name: "a pattern without query",
    text: `[[pattern]]\nid = "p"\nlanguage = "rust"`,
    errors: ["/pattern/0 required"],
  },
  {
    name: "a boundary without allow_in",
    text: `[[boundary]]\nid = "b"\napis = ["rust:unsafe"]`,
    errors: ["/boundary/0 required"],
  },
  {
    name: "a wrong type_only_imports and reexports",
    text: `[checks]\ntype_only_imports = "error"\nreexports = "yes"`,
    errors: ["/checks/reexports enum", "/checks/type_only_imports enum"],
  },
  {
    name: "utility as a string",
    text: `[[modules]]\nname = "s"\npaths = ["s/**"]\nutility = "true"`,
    errors: ["/modules/0/utility type"],
  },
  {
    name: "an unknown key in [workspace]",
    text: `[workspace]\ninclude = ["src/**"]\nexcludes = ["gen/**"]`,
    errors: ["/workspace additionalProperties"],
  },
  {
    name: "an allow without to",
    text: `[[allow]]\nfrom = ["a/**"]`,
    errors: ["/allow/0 required"],
  },
];

for (const b of broken) {
  test(`rejected: ${b.name}`, () => {
    assert.deepEqual(errorsOf(b.text), b.errors, JSON.stringify(validate.errors, null, 2));
  });
}

test("the extension's copy of the schema, when built, is identical", (t) => {
  const copy = join(repo, "editors", "vscode", "schema", "layergate.schema.json");
  if (!existsSync(copy)) {
    t.skip("editors/vscode/schema/layergate.schema.json is not built (npm run compile there)");
    return;
  }
  assert.equal(readFileSync(copy, "utf8"), readFileSync(join(schemaDir, "layergate.schema.json"), "utf8"));
});
