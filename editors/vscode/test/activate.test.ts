// activate() of the real extension code against a stand-in `vscode` module:
// the commands it registers are exactly those package.json contributes, and
// the paths that need no server (disabled, no layergate.toml, binary not
// found) end in the right status and message. Starting the client itself
// needs VS Code; real-server.test.ts covers the server side of it.

import { test } from "node:test";
import assert from "node:assert/strict";
import Module from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface Disposable {
  dispose(): void;
}

const disposable: Disposable = {
  dispose: () => undefined,
};

/** What the stand-in records. */
const seen = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  errors: [] as string[],
  output: [] as string[],
  watchers: [] as string[],
  schemes: [] as string[],
  status: { text: "", tooltip: "", command: "", visible: false, background: undefined as unknown },
};
let config: Record<string, unknown> = {};
let configFiles: string[] = ["/ws/layergate.toml"];

const statusItem = {
  name: "",
  set text(v: string) {
    seen.status.text = v;
  },
  set tooltip(v: string) {
    seen.status.tooltip = v;
  },
  set command(v: string) {
    seen.status.command = v;
  },
  set backgroundColor(v: unknown) {
    seen.status.background = v;
  },
  show: () => {
    seen.status.visible = true;
  },
  hide: () => {
    seen.status.visible = false;
  },
  dispose: () => undefined,
};

const api: Record<string, unknown> = {
  window: {
    createOutputChannel: () => ({
      appendLine: (l: string) => seen.output.push(l),
      append: () => undefined,
      show: () => undefined,
      dispose: () => undefined,
    }),
    createStatusBarItem: () => statusItem,
    showErrorMessage: (m: string) => {
      seen.errors.push(m);
      return Promise.resolve(undefined);
    },
    showWarningMessage: () => Promise.resolve(undefined),
    showInformationMessage: () => Promise.resolve(undefined),
  },
  workspace: {
    workspaceFolders: [{ uri: { scheme: "file", fsPath: "/ws" }, name: "ws" }],
    getConfiguration: () => ({ get: (k: string) => config[k] }),
    findFiles: () => Promise.resolve(configFiles.map((fsPath) => ({ fsPath }))),
    createFileSystemWatcher: (glob: string) => {
      seen.watchers.push(glob);
      return { onDidCreate: () => disposable, dispose: () => undefined };
    },
    onDidChangeConfiguration: () => disposable,
    onDidChangeWorkspaceFolders: () => disposable,
    onDidGrantWorkspaceTrust: () => disposable,
    registerTextDocumentContentProvider: (scheme: string) => {
      seen.schemes.push(scheme);
      return disposable;
    },
  },
  EventEmitter: class {
    event = () => disposable;
    fire(): void {}
    dispose(): void {}
  },
  languages: { onDidChangeDiagnostics: () => disposable, getDiagnostics: () => [] },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
      seen.commands.set(id, fn);
      return disposable;
    },
    executeCommand: () => Promise.resolve(undefined),
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15 },
  ThemeColor: class {
    constructor(public id: string) {}
  },
};

// vscode-languageclient extends and reads many vscode classes and enums when
// it loads; any name the stand-in lacks is an empty class.
const vscodeStandIn = new Proxy(api, {
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a placeholder for any vscode class
  get: (target, prop: string) => target[prop] ?? class {},
});

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Load };
const realLoad = mod._load;
mod._load = (request, parent, isMain) => (request === "vscode" ? vscodeStandIn : realLoad(request, parent, isMain));

const context = { subscriptions: [] as Disposable[], extensionPath: "/nonexistent/extension" };

async function activateFresh(): Promise<void> {
  seen.commands.clear();
  seen.errors.length = 0;
  seen.output.length = 0;
  seen.watchers.length = 0;
  seen.schemes.length = 0;
  const ext = await import("../src/extension.js");
  await ext.activate(context as never);
}

test("activate registers exactly the commands package.json contributes", async () => {
  config = { enable: false };
  await activateFresh();
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    contributes: { commands: { command: string; title: string; category: string }[] };
  };
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual([...seen.commands.keys()].sort(), contributed);
  assert.deepEqual(contributed, ["layergate.checkWorkspace", "layergate.explain", "layergate.restartServer", "layergate.showOutput"]);
  assert.deepEqual(
    pkg.contributes.commands.map((c) => `${c.category}: ${c.title}`).sort(),
    ["layergate: Check Workspace", "layergate: Explain Architecture", "layergate: Restart Server", "layergate: Show Output"],
  );
});

test("layergate.enable = false: no server, the disabled status", async () => {
  config = { enable: false };
  await activateFresh();
  assert.equal(seen.status.text, "$(circle-slash) layergate");
  assert.equal(seen.status.visible, true);
  assert.deepEqual(seen.errors, []);
});

test("no layergate.toml: no server, no status item, a watcher for one", async () => {
  config = {};
  configFiles = [];
  await activateFresh();
  assert.equal(seen.status.visible, false);
  assert.deepEqual(seen.watchers, ["**/layergate.toml"]);
  assert.deepEqual(seen.errors, []);
  configFiles = ["/ws/layergate.toml"];
});

test("a wrong layergate.path: the error names it and says how to install", async () => {
  config = { path: "/nonexistent/bin/layergate" };
  await activateFresh();
  assert.deepEqual(seen.errors, [
    "layergate: the `layergate.path` setting points at /nonexistent/bin/layergate, which is not an executable file. Install it with `npm install -g layergate` or `cargo install --locked layergate` (or put a release binary on PATH), or set `layergate.path`; then run `layergate: Restart Server`.",
  ]);
  assert.equal(seen.status.text, "$(error) layergate");
  assert.equal(seen.status.command, "layergate.showOutput");
  assert.ok(seen.output.some((l) => l.includes("cargo install --locked layergate")), seen.output.join("\n"));
});

test("Explain Architecture without a running server warns instead of failing", async () => {
  config = { enable: false };
  await activateFresh();
  const explain = seen.commands.get("layergate.explain");
  assert.ok(explain !== undefined);
  await explain();
  assert.deepEqual(seen.errors, []);
  // Explain's text is served read-only under the layergate: scheme, not as an untitled buffer
  assert.deepEqual(seen.schemes, ["layergate"]);
});
