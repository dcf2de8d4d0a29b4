// How the language server is started and which documents it sees. Only
// types come from vscode-languageclient here, so this is tested without
// VS Code; the shapes are those of `Executable` and `DocumentSelector`.

import type { DocumentSelector, Executable } from "vscode-languageclient/node";

export const CLIENT_ID = "layergate";
export const CLIENT_NAME = "layergate";

/** The languages whose files layergate checks (VS Code language ids). */
export const LANGUAGES: readonly string[] = ["rust", "typescript", "typescriptreact", "javascript", "javascriptreact", "python"];

/**
 * `layergate lsp` on stdio, in `cwd` (the first workspace folder), with the
 * extension's environment. The server finds its configs from the workspace
 * folders of `initialize`, not from its working directory.
 */
export function serverExecutable(binary: string, cwd: string | undefined, env: NodeJS.ProcessEnv): Executable {
  const options: NonNullable<Executable["options"]> = { env: { ...env } };
  if (cwd !== undefined) {
    options.cwd = cwd;
  }
  return { command: binary, args: ["lsp"], options };
}

/**
 * Source files of the five languages on disk, plus every `layergate.toml`,
 * whose errors the server reports as diagnostics. Untitled documents have no
 * path in the workspace, so they are not sent.
 */
export function documentSelector(): DocumentSelector {
  const selector: DocumentSelector = [];
  for (const language of LANGUAGES) {
    selector.push({ scheme: "file", language });
  }
  selector.push({ scheme: "file", pattern: "**/layergate.toml" });
  return selector;
}

/** The result of the custom request `layergate/explain`. */
export interface ExplainResult {
  markdown: string;
}

export const EXPLAIN_REQUEST = "layergate/explain";
export const STATUS_REQUEST = "layergate/status";

/** The Markdown of a `layergate/explain` answer, or undefined for a malformed one. */
export function explainMarkdown(result: unknown): string | undefined {
  if (typeof result === "object" && result !== null && "markdown" in result) {
    const md = (result as { markdown: unknown }).markdown;
    if (typeof md === "string") {
      return md;
    }
  }
  return undefined;
}

/** Whether a `layergate/status` answer says the first index is built. */
export function isIndexed(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result as { indexed?: unknown }).indexed === true;
}

/**
 * The nearest `layergate.toml` in `dir` or one of its parents (the server
 * also governs a folder opened below its config), or undefined.
 */
export function configAtOrAbove(dir: string, isFile: (p: string) => boolean, sep: "/" | "\\" = "/"): string | undefined {
  let current = dir.endsWith(sep) && dir.length > 1 ? dir.slice(0, -1) : dir;
  for (;;) {
    const candidate = current.endsWith(sep) ? `${current}layergate.toml` : `${current}${sep}layergate.toml`;
    if (isFile(candidate)) {
      return candidate;
    }
    const cut = current.lastIndexOf(sep);
    if (cut < 0) {
      return undefined;
    }
    // "/a" → "/", "C:\a" → "C:\"; stop after the root
    const parent = cut === 0 || (sep === "\\" && cut === 2 && current[1] === ":") ? current.slice(0, cut + 1) : current.slice(0, cut);
    if (parent === current) {
      return undefined;
    }
    current = parent;
  }
}
