// The VS Code side: starts `layergate lsp` through vscode-languageclient,
// registers the commands and keeps the status bar item current. The logic
// that does not need VS Code lives in binary.ts, settings.ts, server.ts,
// status.ts and check.ts (unit-tested with node's test runner).

import * as fs from "node:fs";
import * as vscode from "vscode";
import { LanguageClient, State, type LanguageClientOptions } from "vscode-languageclient/node";
import { bundledBinaryPath, findServerBinary, isExecutableFile, type FoundBinary } from "./binary";
import { interpretRun, reportLines, runCheck, summaryLine, type CheckOutcome } from "./check";
import {
  CLIENT_ID,
  configAtOrAbove,
  CLIENT_NAME,
  EXPLAIN_REQUEST,
  STATUS_REQUEST,
  documentSelector,
  explainMarkdown,
  isIndexed,
  serverExecutable,
} from "./server";
import { RESTART_SETTINGS, parseSettings, type Settings } from "./settings";
import { countDiagnostics, statusView, type ServerState } from "./status";

const CONFIG_GLOB = "**/layergate.toml";
const CONFIG_EXCLUDE = "**/{node_modules,target,.git}/**";

function isRegularFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The read-only document `layergate: Explain Architecture` shows. */
export const EXPLAIN_URI = "layergate:/Architecture.md";

/**
 * Serves the Explain text as a read-only virtual document, so that closing it
 * never asks to save an untitled buffer.
 */
class ExplainDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text = "";

  set(uri: vscode.Uri, text: string): void {
    this.text = text;
    this.changed.fire(uri);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private state: ServerState = { kind: "starting" };
  /** Bumped on every (re)start, so late answers of an old client are ignored. */
  private generation = 0;
  private readonly output: vscode.OutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private configWatcher: vscode.FileSystemWatcher | undefined;
  /** Serialises start/stop/restart. */
  private queue: Promise<void> = Promise.resolve();

  private readonly explainDocs = new ExplainDocuments();

  constructor(private readonly extensionPath: string) {
    this.output = vscode.window.createOutputChannel("layergate");
    this.statusItem = vscode.window.createStatusBarItem("layergate.status", vscode.StatusBarAlignment.Left, 0);
    this.statusItem.name = "layergate";
    this.disposables.push(
      this.output,
      this.statusItem,
      this.explainDocs,
      vscode.workspace.registerTextDocumentContentProvider("layergate", this.explainDocs),
      vscode.languages.onDidChangeDiagnostics(() => {
        this.onDiagnostics();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) {
          void this.restart();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        if (this.client === undefined) {
          void this.restart();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
    );
  }

  settings(): Settings {
    const cfg = vscode.workspace.getConfiguration("layergate");
    return parseSettings((key) => cfg.get(key));
  }

  private setState(state: ServerState): void {
    this.state = state;
    const view = statusView(state);
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.command = view.command;
    this.statusItem.backgroundColor =
      view.background === undefined ? undefined : new vscode.ThemeColor(`statusBarItem.${view.background}Background`);
    if (view.visible) {
      this.statusItem.show();
    } else {
      this.statusItem.hide();
    }
  }

  private onDiagnostics(): void {
    if (this.client === undefined) {
      return;
    }
    const counts = countDiagnostics(vscode.languages.getDiagnostics());
    const anything = counts.errors + counts.warnings + counts.infos + counts.hints > 0;
    // The first diagnostics also mean the first index is built.
    if (this.state.kind === "ready" || (this.state.kind === "indexing" && anything)) {
      this.setState({ kind: "ready", counts });
    }
  }

  private firstFolder(): string | undefined {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath;
  }

  findBinary(): FoundBinary {
    return findServerBinary({
      settingPath: this.settings().path,
      bundledPath: bundledBinaryPath(this.extensionPath, process.platform),
      useBundled: this.settings().useBundled,
      env: process.env,
      platform: process.platform,
      workspaceFolder: this.firstFolder(),
      isExecutable: isExecutableFile,
    });
  }

  /** A layergate.toml in, below, or above a workspace folder. */
  private async hasConfig(): Promise<boolean> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file");
    if (folders.length === 0) {
      return false;
    }
    const sep = process.platform === "win32" ? "\\" : "/";
    if (folders.some((f) => configAtOrAbove(f.uri.fsPath, isRegularFile, sep) !== undefined)) {
      return true;
    }
    const found = await vscode.workspace.findFiles(CONFIG_GLOB, CONFIG_EXCLUDE, 1);
    return found.length > 0;
  }

  /** Starts the server once a layergate.toml appears in a workspace that had none. */
  private watchForConfig(): void {
    if (this.configWatcher !== undefined) {
      return;
    }
    this.configWatcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB, false, true, true);
    this.configWatcher.onDidCreate(() => {
      if (this.client === undefined) {
        void this.restart();
      }
    });
    this.disposables.push(this.configWatcher);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task, task).catch((e: unknown) => {
      this.output.appendLine(`layergate: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    });
    return this.queue;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  private async doStart(): Promise<void> {
    const generation = ++this.generation;
    const settings = this.settings();
    if (!settings.enable) {
      this.setState({ kind: "disabled" });
      return;
    }
    if (!(await this.hasConfig())) {
      this.setState({ kind: "noConfig" });
      this.watchForConfig();
      return;
    }
    const binary = this.findBinary();
    if (!binary.ok) {
      this.setState({ kind: "failed", message: binary.message });
      this.output.appendLine(binary.message);
      this.output.appendLine(binary.detail);
      void vscode.window.showErrorMessage(`${binary.message} ${binary.hint}`, "Open Settings", "Show Output").then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "layergate.path");
        } else if (choice === "Show Output") {
          this.output.show(true);
        }
      });
      return;
    }
    const where = { setting: "the layergate.path setting", bundled: "this extension", PATH: "PATH", "install dir": "an install directory" }[binary.source];
    this.output.appendLine(`layergate: starting ${binary.path} lsp (found in ${where})`);
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      outputChannel: this.output,
      traceOutputChannel: this.output,
      // pull mode (the server offers it to clients that support it): after
      // each change and save; other files come from workspace/diagnostic
      diagnosticPullOptions: { onChange: true, onSave: true },
    };
    const serverOptions = serverExecutable(binary.path, this.firstFolder(), process.env);
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (generation !== this.generation) {
        return;
      }
      if (e.newState === State.Stopped && this.state.kind !== "failed") {
        this.setState({ kind: "stopped" });
      } else if (e.newState === State.Running && this.state.kind === "stopped") {
        // restarted by the client after a crash
        this.setState({ kind: "indexing" });
        void this.waitForIndex(client, generation);
      }
    });
    this.client = client;
    this.setState({ kind: "starting" });
    try {
      await client.start();
    } catch (e) {
      const message = `layergate: the language server did not start: ${e instanceof Error ? e.message : String(e)}`;
      this.output.appendLine(message);
      this.setState({ kind: "failed", message });
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    this.setState({ kind: "indexing" });
    this.onDiagnostics();
    void this.waitForIndex(client, generation);
  }

  /** Asks `layergate/status` (which waits for the index) until the first index is built. */
  private async waitForIndex(client: LanguageClient, generation: number): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      if (generation !== this.generation || !client.isRunning()) {
        return;
      }
      let indexed = false;
      try {
        indexed = isIndexed(await client.sendRequest(STATUS_REQUEST));
      } catch {
        return; // an older server without layergate/status: the first diagnostics end "indexing"
      }
      if (generation !== this.generation) {
        return;
      }
      if (indexed) {
        if (this.state.kind === "indexing") {
          this.setState({ kind: "ready", counts: countDiagnostics(vscode.languages.getDiagnostics()) });
        }
        return;
      }
    }
  }

  private async doStop(): Promise<void> {
    this.generation++;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        if (client.needsStop()) {
          await client.stop(5000);
        }
      } catch (e) {
        this.output.appendLine(`layergate: stopping the server: ${e instanceof Error ? e.message : String(e)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.setState({ kind: "stopped" });
  }

  showOutput(): void {
    this.output.show(true);
  }

  async explain(): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      void vscode.window.showWarningMessage("layergate: the language server is not running (see `layergate: Show Output`).");
      return;
    }
    let markdown: string | undefined;
    try {
      markdown = explainMarkdown(await client.sendRequest(EXPLAIN_REQUEST));
    } catch (e) {
      void vscode.window.showErrorMessage(`layergate: ${EXPLAIN_REQUEST} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (markdown === undefined) {
      void vscode.window.showErrorMessage(`layergate: ${EXPLAIN_REQUEST} answered without Markdown.`);
      return;
    }
    const uri = vscode.Uri.parse(EXPLAIN_URI);
    this.explainDocs.set(uri, markdown);
    const doc = await vscode.workspace.openTextDocument(uri);
    try {
      await vscode.commands.executeCommand("markdown.showPreview", doc.uri);
    } catch {
      // the built-in Markdown extension is disabled: show the source
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  }

  async checkWorkspace(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file");
    if (folders.length === 0) {
      void vscode.window.showWarningMessage("layergate: open a folder to check it.");
      return;
    }
    const binary = this.findBinary();
    if (!binary.ok) {
      this.output.appendLine(binary.detail);
      void vscode.window.showErrorMessage(`${binary.message} ${binary.hint}`, "Show Output").then((choice) => {
        if (choice === "Show Output") {
          this.output.show(true);
        }
      });
      return;
    }
    const outcomes = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "layergate: checking the workspace…" },
      async () => {
        const out: { folder: string; outcome: CheckOutcome }[] = [];
        for (const folder of folders) {
          const run = await runCheck(binary.path, folder.uri.fsPath, process.env);
          out.push({ folder: folder.name, outcome: interpretRun(run) });
        }
        return out;
      },
    );
    const summaries: string[] = [];
    let failed = false;
    let broken = false;
    for (const { folder, outcome } of outcomes) {
      if (outcome.kind === "error") {
        broken = true;
        summaries.push(`layergate (${folder}): ${outcome.message}`);
        this.output.appendLine(`── layergate (${folder}): ${outcome.message}`);
        continue;
      }
      failed ||= outcome.failed;
      summaries.push(summaryLine(folder, outcome.report));
      for (const line of reportLines(folder, outcome.report)) {
        this.output.appendLine(line);
      }
    }
    const text = summaries.join("; ");
    const show = broken
      ? vscode.window.showErrorMessage(text, "Show Output")
      : failed
        ? vscode.window.showWarningMessage(text, "Show Output", "Show Problems")
        : vscode.window.showInformationMessage(text, "Show Output");
    const choice = await show;
    if (choice === "Show Output") {
      this.output.show(true);
    } else if (choice === "Show Problems") {
      await vscode.commands.executeCommand("workbench.actions.view.problems");
    }
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const c = new Controller(context.extensionPath);
  controller = c;
  context.subscriptions.push(
    c,
    vscode.commands.registerCommand("layergate.restartServer", () => c.restart()),
    vscode.commands.registerCommand("layergate.showOutput", () => {
      c.showOutput();
    }),
    vscode.commands.registerCommand("layergate.explain", () => c.explain()),
    vscode.commands.registerCommand("layergate.checkWorkspace", () => c.checkWorkspace()),
  );
  await c.start();
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  if (c !== undefined) {
    await c.stop();
  }
}
