// package.json is the extension's contract with VS Code: activation,
// settings, the tomlValidation contribution for Even Better TOML.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LANGUAGES } from "../src/server";
import { TRACE_VALUES } from "../src/settings";

const root = join(__dirname, "..", "..");
interface Manifest {
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  contributes: {
    configuration: { properties: Record<string, { type: unknown; default: unknown; enum?: string[] }> };
    tomlValidation: { fileMatch: string; url: string }[];
  };
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;

test("activation: a workspace with layergate.toml, or a file of a checked language", () => {
  assert.deepEqual(pkg.activationEvents, ["workspaceContains:**/layergate.toml", ...LANGUAGES.map((l) => `onLanguage:${l}`)]);
  assert.equal(pkg.main, "./dist/extension.js");
});

test("settings: layergate.enable, layergate.path, layergate.useBundledServer, layergate.trace.server", () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props).sort(), ["layergate.enable", "layergate.path", "layergate.trace.server", "layergate.useBundledServer"]);
  assert.equal(props["layergate.useBundledServer"].default, true);
  // "window", not "machine-overridable": a remote window (code-server, SSH,
  // containers) reads machine-scoped settings only from the remote machine's
  // settings, so a path set in the user's settings was not seen there
  const scoped = props as Record<string, { scope?: string }>;
  assert.equal(scoped["layergate.path"].scope, "window");
  assert.equal(scoped["layergate.useBundledServer"].scope, "window");
  assert.equal(props["layergate.enable"].default, true);
  assert.equal(props["layergate.path"].default, null);
  assert.deepEqual(props["layergate.trace.server"].enum, [...TRACE_VALUES]);
  assert.equal(props["layergate.trace.server"].default, "off");
});

test("@types/vscode matches engines.vscode", () => {
  const engine = pkg.engines.vscode.replace(/^\^/, "");
  assert.equal(pkg.devDependencies["@types/vscode"], `~${engine}`);
});

test("tomlValidation: layergate.toml → the schema committed at editors/schema/", () => {
  assert.deepEqual(pkg.contributes.tomlValidation, [
    { fileMatch: "layergate.toml", url: "https://raw.githubusercontent.com/layergate/layergate/main/editors/schema/layergate.schema.json" },
  ]);
  // the URL's path in the repository exists
  assert.ok(existsSync(join(root, "..", "schema", "layergate.schema.json")));
  // and the copy shipped in the .vsix is built from it
  assert.equal(
    readFileSync(join(root, "schema", "layergate.schema.json"), "utf8"),
    readFileSync(join(root, "..", "schema", "layergate.schema.json"), "utf8"),
  );
});
