import { test } from "node:test";
import assert from "node:assert/strict";
import { configAtOrAbove, documentSelector, explainMarkdown, isIndexed, serverExecutable } from "../src/server";

test("serverExecutable: `layergate lsp` on stdio in the folder, with the environment", () => {
  const env = { PATH: "/usr/bin", LAYERGATE_NOW: "2026-06-01" };
  const exe = serverExecutable("/usr/bin/layergate", "/work/shop", env);
  assert.deepEqual(exe, {
    command: "/usr/bin/layergate",
    args: ["lsp"],
    options: { cwd: "/work/shop", env: { PATH: "/usr/bin", LAYERGATE_NOW: "2026-06-01" } },
  });
  // no transport: vscode-languageclient then speaks stdio without adding `--stdio`
  assert.equal("transport" in exe, false);
  // a copy: later changes to the extension host's env do not leak in
  assert.notEqual(exe.options.env, env);
});

test("serverExecutable: no folder, no cwd", () => {
  assert.deepEqual(serverExecutable("layergate", undefined, {}), { command: "layergate", args: ["lsp"], options: { env: {} } });
});

test("documentSelector: the six languages on disk and layergate.toml", () => {
  assert.deepEqual(documentSelector(), [
    { scheme: "file", language: "rust" },
    { scheme: "file", language: "typescript" },
    { scheme: "file", language: "typescriptreact" },
    { scheme: "file", language: "javascript" },
    { scheme: "file", language: "javascriptreact" },
    { scheme: "file", language: "python" },
    { scheme: "file", pattern: "**/layergate.toml" },
  ]);
});

test("explainMarkdown: the markdown of a well-formed answer only", () => {
  assert.equal(explainMarkdown({ markdown: "# Architecture\n" }), "# Architecture\n");
  assert.equal(explainMarkdown({ markdown: 3 }), undefined);
  assert.equal(explainMarkdown(null), undefined);
  assert.equal(explainMarkdown("# md"), undefined);
});

test("isIndexed: only indexed: true", () => {
  assert.equal(isIndexed({ indexed: true, settled: true, epoch: 1, published: 3 }), true);
  assert.equal(isIndexed({ indexed: false }), false);
  assert.equal(isIndexed({}), false);
  assert.equal(isIndexed(undefined), false);
});

test("configAtOrAbove: the folder itself, then each parent up to the root", () => {
  const files = (...f: string[]) => (p: string) => f.includes(p);
  assert.equal(configAtOrAbove("/work/repo/packages/app", files("/work/repo/layergate.toml")), "/work/repo/layergate.toml");
  assert.equal(
    configAtOrAbove("/work/repo/packages/app/", files("/work/repo/packages/app/layergate.toml", "/work/repo/layergate.toml")),
    "/work/repo/packages/app/layergate.toml",
  );
  assert.equal(configAtOrAbove("/work/repo", files("/layergate.toml")), "/layergate.toml");
  assert.equal(configAtOrAbove("/work/repo", files()), undefined);
  assert.equal(configAtOrAbove("/", files()), undefined);
  assert.equal(configAtOrAbove("C:\\repo\\app", files("C:\\layergate.toml"), "\\"), "C:\\layergate.toml");
  assert.equal(configAtOrAbove("C:\\repo\\app", files(), "\\"), undefined);
});
