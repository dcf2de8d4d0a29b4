// `layergate lsp` driven by the protocol libraries under VS Code's client
// (vscode-jsonrpc + vscode-languageserver-protocol), over stdio.
//
// Position encodings: a workspace with non-ASCII text (accents, emoji outside
// the BMP) before a violating import and before a flagged `process.env`, on
// the same lines. The expected ranges come from `layergate check --format json`
// (columns in Unicode scalar values), converted here to UTF-16 code units and
// to UTF-8 bytes; the server's published ranges must equal them exactly.
//
// Run: LAYERGATE=/abs/path/layergate node --test   (in tests/clients/node)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  ExitNotification,
  PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  RegistrationRequest,
  WorkDoneProgressCreateRequest,
  ConfigurationRequest,
  DiagnosticSeverity,
} from 'vscode-languageserver-protocol/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const LAYERGATE = resolve(process.env.LAYERGATE ?? join(here, '../../../target/debug/layergate'));
const ENV = { ...process.env, LAYERGATE_NOW: process.env.LAYERGATE_NOW ?? '2026-06-01' };

// ---------------------------------------------------------------- workspace

const CONFIG = `[workspace]
include = ["src/**"]

[[modules]]
name = "ui"
paths = ["src/ui/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[layers]
order = ["ui", "domain"]

[[boundary]]
id = "env-access"
apis = ["global:process.env"]
allow_in = []
message = "Read the environment in src/config only."
`;

// line 1: emoji (a surrogate pair in UTF-16, 4 bytes in UTF-8) and accents
// before an import that breaks `layers`, and after it;
// line 2: a string with an emoji before `process.env` on the same line.
const MODEL = [
  "/* ünïcødé 😀 */ import { view } from '../ui/view'; // ✓ fertig",
  'export const greeting = "héllo 🎉 wörld"; export const token = process.env.TOKEN; // ☃',
  'export const plain = 1;',
  '',
].join('\n');

const VIEW = 'export const view = "👀";\n';

function makeWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'layergate-node-'));
  const write = (rel, text) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  write('layergate.toml', CONFIG);
  write('src/ui/view.ts', VIEW);
  write('src/domain/model.ts', MODEL);
  return dir;
}

// ------------------------------------------------------------------- oracle

/** `layergate check --format json` (optionally on a proposed content of `rel`). */
function oracle(ws, rel, content) {
  const args = ['check', '--format', 'json', '--no-cache'];
  if (content !== undefined) args.push('--stdin-filename', rel);
  let out;
  try {
    out = execFileSync(LAYERGATE, args, { cwd: ws, env: ENV, input: content ?? '', encoding: 'utf8' });
  } catch (e) {
    if (e.status !== 1) throw e; // 1 = error-severity violations found
    out = e.stdout;
  }
  return JSON.parse(out).diagnostics.filter((d) => d.file === rel);
}

/** 1-based scalar column of `lineText` → 0-based column in `encoding`. */
function column(lineText, scalarCol, encoding) {
  const prefix = Array.from(lineText).slice(0, scalarCol - 1).join('');
  return encoding === 'utf-8' ? Buffer.byteLength(prefix, 'utf8') : prefix.length;
}

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The oracle's diagnostics as LSP diagnostics in `encoding`, sorted. */
function expected(ws, rel, text, encoding, proposed) {
  const lines = text.split('\n');
  return sortDiags(
    oracle(ws, rel, proposed).map((d) => ({
      range: {
        start: { line: d.line - 1, character: column(lines[d.line - 1], d.column, encoding) },
        end: { line: d.end_line - 1, character: column(lines[d.end_line - 1], d.end_column, encoding) },
      },
      code: d.rule,
      severity: SEVERITY[d.severity],
      message: d.message,
    })),
  );
}

function sortDiags(ds) {
  return ds
    .map((d) => ({
      range: {
        start: { line: d.range.start.line, character: d.range.start.character },
        end: { line: d.range.end.line, character: d.range.end.character },
      },
      code: d.code,
      severity: d.severity,
      message: d.message,
    }))
    .sort(
      (a, b) =>
        a.range.start.line - b.range.start.line ||
        a.range.start.character - b.range.start.character ||
        String(a.code).localeCompare(String(b.code)),
    );
}

// ------------------------------------------------------------------- client

/** Starts `layergate lsp` in `ws` and connects a protocol connection to it. */
function startServer(ws) {
  const proc = spawn(LAYERGATE, ['lsp'], { cwd: ws, env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => (stderr += b));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const published = new Map(); // uri -> latest diagnostics
  const waiters = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, p.diagnostics);
    for (const w of waiters.splice(0)) w();
  });
  conn.onRequest(RegistrationRequest.type, () => null);
  conn.onRequest(WorkDoneProgressCreateRequest.type, () => null);
  conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => null));
  conn.onNotification('window/logMessage', () => {});
  conn.onNotification('$/progress', () => {});
  conn.listen();
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));

  /** Resolves when `pred(published)` holds (checked on every publish), or rejects after `ms`. */
  function until(pred, ms, what) {
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timed out waiting for ${what}; stderr:\n${stderr}`)), ms);
      const check = () => {
        if (pred(published)) {
          clearTimeout(t);
          res();
        } else waiters.push(check);
      };
      check();
    });
  }
  return { proc, conn, published, until, exited, stderr: () => stderr };
}

function initParams(ws, positionEncodings) {
  const uri = pathToFileURL(ws).href;
  return {
    processId: process.pid,
    clientInfo: { name: 'node-test', version: '1' },
    rootUri: uri,
    workspaceFolders: [{ uri, name: 'ws' }],
    capabilities: {
      general: { positionEncodings },
      window: { workDoneProgress: true },
      workspace: { workspaceFolders: true, configuration: true },
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: true },
        publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
      },
    },
  };
}

async function shutdown(s) {
  await s.conn.sendRequest(ShutdownRequest.type);
  await s.conn.sendNotification(ExitNotification.type);
  const timeout = new Promise((res) => setTimeout(() => res({ code: 'timeout' }), 5000));
  const r = await Promise.race([s.exited, timeout]);
  s.conn.dispose();
  if (r.code === 'timeout') s.proc.kill('SIGKILL');
  return r;
}

// -------------------------------------------------------------------- tests

for (const [name, offered, negotiated] of [
  ['UTF-16 only (the VS Code default)', ['utf-16'], 'utf-16'],
  ['UTF-8 offered first', ['utf-8', 'utf-16'], 'utf-8'],
]) {
  test(`position encoding: ${name}`, async (t) => {
    const ws = makeWorkspace();
    const s = startServer(ws);
    t.after(() => {
      s.proc.kill();
      rmSync(ws, { recursive: true, force: true });
    });
    const init = await s.conn.sendRequest(InitializeRequest.type, initParams(ws, offered));
    // UTF-16 is also what an absent positionEncoding means
    assert.equal(init.capabilities.positionEncoding ?? 'utf-16', negotiated);
    if (negotiated === 'utf-8') assert.equal(init.capabilities.positionEncoding, 'utf-8');
    assert.equal(init.capabilities.diagnosticProvider, undefined, 'no pull capability offered: push');
    await s.conn.sendNotification(InitializedNotification.type, {});

    const rel = 'src/domain/model.ts';
    const uri = pathToFileURL(join(ws, rel)).href;
    const want = expected(ws, rel, MODEL, negotiated);
    // the oracle itself: a `layers` import and an `env-access` read, one per line
    assert.deepEqual(
      want.map((d) => `${d.range.start.line}:${d.code}`),
      ['0:layers', '1:env-access'],
    );
    // hand-computed columns, so a wrong oracle conversion cannot hide a bug
    const importCol = negotiated === 'utf-8' ? 23 : 17; // "/* ünïcødé 😀 */ " is 16 scalars, 17 UTF-16 units, 23 bytes
    assert.equal(want[0].range.start.character, importCol);

    // workspace-wide diagnostics without opening the file
    await s.until((p) => p.has(uri), 30000, `publishDiagnostics for ${rel}`);
    await s.conn.sendRequest('layergate/status');
    assert.deepEqual(sortDiags(s.published.get(uri)), want);

    // open it and edit at positions in the negotiated encoding: insert a second
    // `process.env` read right after the emoji of line 2's string
    await s.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'typescript', version: 1, text: MODEL },
    });
    const line1 = MODEL.split('\n')[1];
    const at = line1.indexOf('🎉') + '🎉'.length; // UTF-16 index just after the emoji
    const atCol = negotiated === 'utf-8' ? Buffer.byteLength(line1.slice(0, at), 'utf8') : at;
    const insert = '"; export const b = process.env.B; export const c = "';
    const edited = MODEL.split('\n');
    edited[1] = line1.slice(0, at) + insert + line1.slice(at);
    const editedText = edited.join('\n');
    await s.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 1, character: atCol }, end: { line: 1, character: atCol } }, text: insert },
      ],
    });
    const want2 = expected(ws, rel, editedText, negotiated, editedText);
    assert.deepEqual(
      want2.map((d) => `${d.range.start.line}:${d.code}`),
      ['0:layers', '1:env-access', '1:env-access'],
    );
    await s.until(
      (p) => (p.get(uri) ?? []).length === 3,
      20000,
      'the diagnostics of the edited text',
    );
    await s.conn.sendRequest('layergate/status');
    assert.deepEqual(sortDiags(s.published.get(uri)), want2);

    // a replacement spanning the emoji: delete "🎉" itself (2 UTF-16 units, 4 bytes)
    const emojiStart = line1.indexOf('🎉');
    const from = negotiated === 'utf-8' ? Buffer.byteLength(line1.slice(0, emojiStart), 'utf8') : emojiStart;
    const to = from + (negotiated === 'utf-8' ? 4 : 2);
    const edited3 = editedText.split('\n');
    edited3[1] = edited3[1].replace('🎉', '');
    const text3 = edited3.join('\n');
    await s.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 1, character: from }, end: { line: 1, character: to } }, text: '' }],
    });
    const want3 = expected(ws, rel, text3, negotiated, text3);
    await s.until(
      (p) => JSON.stringify(sortDiags(p.get(uri) ?? [])) === JSON.stringify(want3),
      20000,
      'the diagnostics after deleting the emoji',
    ).catch((e) => {
      throw new Error(`${e.message}\nwant ${JSON.stringify(want3)}\ngot ${JSON.stringify(sortDiags(s.published.get(uri)))}`);
    });
    await s.conn.sendRequest('layergate/status');
    assert.deepEqual(sortDiags(s.published.get(uri)), want3);
    // the env-access reads moved left by exactly the emoji's width
    assert.equal(want2[1].range.start.character - want3[1].range.start.character, to - from);

    const r = await shutdown(s);
    assert.deepEqual(r, { code: 0, signal: null }, `server exit after shutdown/exit; stderr:\n${s.stderr()}`);
  });
}

// LSP 3.17 `exit`: "The server should exit with success code 0 if the
// shutdown request has been received before; otherwise with error code 1."
test('exit without shutdown ends the server with status 1', async (t) => {
  const ws = makeWorkspace();
  const s = startServer(ws);
  t.after(() => {
    s.proc.kill();
    rmSync(ws, { recursive: true, force: true });
  });
  await s.conn.sendRequest(InitializeRequest.type, initParams(ws, ['utf-16']));
  await s.conn.sendNotification(InitializedNotification.type, {});
  await s.conn.sendNotification(ExitNotification.type);
  const timeout = new Promise((res) => setTimeout(() => res({ code: 'timeout' }), 5000));
  const r = await Promise.race([s.exited, timeout]);
  s.conn.dispose();
  assert.deepEqual(r, { code: 1, signal: null });
});
