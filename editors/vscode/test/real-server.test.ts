// The extension's logic against the real `layergate` binary, without VS Code:
// the binary is found the way the extension finds it, started with the
// options the extension builds, spoken to over stdio with the same protocol
// library vscode-languageclient uses; `layergate check --format json` output
// goes through the same parser as "layergate: Check Workspace".
//
// The binary: $LAYERGATE_BIN, else the repository's target/debug/layergate
// (built by `cargo build` / `cargo test`), else `layergate` on PATH. Without
// one these tests are skipped (the other test files need none).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";
import { findServerBinary, isExecutableFile } from "../src/binary";
import { interpretRun, runCheck } from "../src/check";
import { EXPLAIN_REQUEST, STATUS_REQUEST, explainMarkdown, isIndexed, serverExecutable } from "../src/server";
import { countDiagnostics, statusView } from "../src/status";

function binary(): string | undefined {
  const fromEnv = process.env.LAYERGATE_BIN;
  if (fromEnv !== undefined && fromEnv.length > 0) {
    return fromEnv;
  }
  // out/test/ → editors/vscode → repository root
  const built = join(__dirname, "..", "..", "..", "..", "target", "debug", "layergate");
  if (isExecutableFile(built)) {
    return built;
  }
  const found = findServerBinary({ settingPath: undefined, env: process.env, platform: process.platform, isExecutable: isExecutableFile });
  return found.ok ? found.path : undefined;
}

const bin = binary();
// Under CI (and the repository's test command) a missing binary is a failure, never a skip.
if (bin === undefined && (process.env.CI || process.env.LAYERGATE_BIN)) {
  throw new Error("no layergate binary: LAYERGATE_BIN is unset or wrong and target/debug/layergate is missing");
}
const skip = bin === undefined ? "no layergate binary (set LAYERGATE_BIN or run cargo build)" : false;

/** A workspace with exactly one violation: `layers`, domain (below) imports app (above). */
function workspace(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "layergate-vscode-ws-")));
  mkdirSync(join(root, "src", "app"), { recursive: true });
  mkdirSync(join(root, "src", "domain"), { recursive: true });
  writeFileSync(
    join(root, "layergate.toml"),
    ['[[modules]]', 'name = "app"', 'paths = ["src/app/**"]', "", "[[modules]]", 'name = "domain"', 'paths = ["src/domain/**"]', "", "[layers]", 'order = ["app", "domain"]', ""].join("\n"),
  );
  writeFileSync(join(root, "src", "app", "main.ts"), "export const main = 1;\n");
  writeFileSync(join(root, "src", "domain", "user.ts"), 'import { main } from "../app/main";\nexport const user = 1;\nexport const again = main;\n');
  return root;
}

test("Check Workspace: the real `layergate check --format json`, parsed and judged", { skip }, async () => {
  const root = workspace();
  try {
    const outcome = interpretRun(await runCheck(bin as string, root, { ...process.env, LAYERGATE_NOW: "2026-06-01" }));
    assert.ok(outcome.kind === "report", JSON.stringify(outcome));
    assert.equal(outcome.failed, true);
    assert.equal(outcome.report.errors, 1);
    assert.equal(outcome.report.warnings, 0);
    assert.equal(outcome.report.files, 2);
    assert.deepEqual(
      outcome.report.diagnostics.map((d) => [d.file, d.line, d.column, d.severity, d.rule, d.baselined]),
      [["src/domain/user.ts", 1, 1, "error", "layers", false]],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("Check Workspace: a broken config is an error with the server's message", { skip }, async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "layergate-vscode-bad-")));
  try {
    writeFileSync(join(root, "layergate.toml"), "[modulez]\n");
    const outcome = interpretRun(await runCheck(bin as string, root, process.env));
    assert.ok(outcome.kind === "error", JSON.stringify(outcome));
    assert.match(outcome.message, /^layergate check exited with status 2: /);
    assert.match(outcome.message, /modulez/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the language server started as the extension starts it: diagnostics, status, explain", { skip, timeout: 60_000 }, async () => {
  const root = workspace();
  const exe = serverExecutable(bin as string, root, { ...process.env, LAYERGATE_NOW: "2026-06-01" });
  const child = spawn(exe.command, exe.args ?? [], { cwd: exe.options?.cwd, env: exe.options?.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Map<string, PublishDiagnosticsParams["diagnostics"]>();
  const userUri = pathToFileURL(join(root, "src", "domain", "user.ts")).href;
  let arrived: () => void = () => undefined;
  const first = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    published.set(p.uri, p.diagnostics);
    if (p.uri === userUri && p.diagnostics.length > 0) {
      arrived();
    }
  });
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.listen();
  try {
    const rootUri = pathToFileURL(root).href;
    const init: { serverInfo?: { name?: string } } = await conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "ws" }],
      capabilities: { window: { workDoneProgress: true } },
    });
    assert.equal(init.serverInfo?.name, "layergate");
    await conn.sendNotification("initialized", {});

    assert.equal(isIndexed(await conn.sendRequest(STATUS_REQUEST)), true);
    const timeout = new Promise((_, reject) => {
      setTimeout(() => {
        reject(new Error(`no diagnostics; stderr: ${stderr}`));
      }, 30_000).unref();
    });
    await Promise.race([first, timeout]);

    const diags = published.get(userUri) ?? [];
    assert.deepEqual(
      diags.map((d) => [d.range.start.line, d.range.start.character, d.severity, d.source, d.code]),
      [[0, 0, 1, "layergate", "layers"]],
    );
    // the status bar, from what the client would have in getDiagnostics()
    const counts = countDiagnostics([...published.entries()].map(([uri, ds]) => [uri, ds.map((d) => ({ source: d.source, severity: (d.severity ?? 1) - 1 }))] as const));
    assert.deepEqual(counts, { errors: 1, warnings: 0, infos: 0, hints: 0, files: 1 });
    assert.equal(statusView({ kind: "ready", counts }).text, "$(error) layergate: 1");

    const md = explainMarkdown(await conn.sendRequest(EXPLAIN_REQUEST));
    assert.ok(md !== undefined, "layergate/explain answers { markdown }");
    assert.match(md, /app/);
    assert.match(md, /domain/);

    await conn.sendRequest("shutdown");
    await conn.sendNotification("exit");
  } finally {
    conn.dispose();
    child.kill();
    rmSync(root, { recursive: true, force: true });
  }
});
