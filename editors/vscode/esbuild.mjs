// Builds the extension: bundles src/extension.ts (with vscode-languageclient)
// into dist/extension.js, `vscode` left to the host, and copies the schema of
// layergate.toml (../schema/layergate.schema.json, the one source) into
// schema/ for the `tomlValidation` contribution.
//
//   node esbuild.mjs            build (add --minify for the .vsix)
//   node esbuild.mjs --watch    rebuild on change
//   node esbuild.mjs --tests    bundle test/*.test.ts into out/test/ for `node --test`

import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));

function copySchema() {
  mkdirSync(join(here, "schema"), { recursive: true });
  copyFileSync(join(here, "..", "schema", "layergate.schema.json"), join(here, "schema", "layergate.schema.json"));
}

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  logLevel: "info",
};

if (args.has("--tests")) {
  const dir = join(here, "test");
  const entryPoints = readdirSync(dir)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(dir, f));
  rmSync(join(here, "out"), { recursive: true, force: true });
  copySchema();
  await esbuild.build({
    ...common,
    entryPoints,
    outdir: join(here, "out", "test"),
    // the tests exercise the pure modules; none of them may load `vscode`
    external: ["vscode"],
  });
} else {
  copySchema();
  const options = {
    ...common,
    entryPoints: [join(here, "src", "extension.ts")],
    outfile: join(here, "dist", "extension.js"),
    external: ["vscode"],
    minify: args.has("--minify"),
    sourcemap: !args.has("--minify"),
  };
  if (args.has("--watch")) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  } else {
    await esbuild.build(options);
  }
}
