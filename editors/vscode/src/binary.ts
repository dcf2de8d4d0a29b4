// Finding the `layergate` binary: the `layergate.path` setting, then the
// binary inside the extension (platform .vsix), then PATH and the places the
// installers put it. Pure functions of their inputs (environment, platform, a file probe), so
// they are tested without VS Code.

import * as fs from "node:fs";
import * as path from "node:path";

/** Answers whether a path is a file this process may execute. */
export type ExecutableProbe = (file: string) => boolean;

export type Platform = NodeJS.Platform;

/** The real probe: a regular file (through symlinks) with execute permission. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Where the binary was found. */
export type BinarySource = "setting" | "bundled" | "PATH" | "install dir";

export type FoundBinary =
  | { ok: true; path: string; source: BinarySource }
  | {
      ok: false;
      /** What is wrong, one sentence. */
      message: string;
      /** What to do, one sentence (for a notification). */
      hint: string;
      /** What to do, in full (for the output channel). */
      detail: string;
    };

export const BINARY_NAME = "layergate";

/** How to install layergate, in one sentence. */
export const INSTALL_HINT =
  "Install it with `npm install -g layergate` or `cargo install --locked layergate` (or put a release binary on PATH), or set `layergate.path`; then run `layergate: Restart Server`.";

/** How to install layergate, shown when no binary is found. */
export function installInstructions(): string {
  return [
    "Install layergate, then run `layergate: Restart Server`:",
    "  * with cargo: `cargo install --locked layergate` (puts `layergate` in ~/.cargo/bin, which is on PATH with a standard Rust install);",
    "  * or download a release binary, put it on PATH, or point the `layergate.path` setting at it.",
  ].join("\n");
}

/** An environment variable, looked up case-insensitively on Windows. */
export function envVar(env: NodeJS.ProcessEnv, name: string, platform: Platform): string | undefined {
  if (platform !== "win32") {
    return env[name];
  }
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

function pathModule(platform: Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** The file names to try for `name` in one directory: on Windows each PATHEXT extension that names a program (.exe, .com). */
export function candidateNames(name: string, env: NodeJS.ProcessEnv, platform: Platform): string[] {
  if (platform !== "win32") {
    return [name];
  }
  const pathext = envVar(env, "PATHEXT", platform) ?? ".COM;.EXE;.BAT;.CMD";
  const exts = pathext
    .split(";")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const lower = name.toLowerCase();
  if (exts.some((e) => lower.endsWith(e.toLowerCase()))) {
    return [name];
  }
  // only what starts without a shell: the language client spawns the server
  // directly, and Node refuses to spawn a .cmd/.bat (such as npm's shim for
  // `npm install -g layergate`) that way
  return exts.map((e) => e.toLowerCase()).filter((e) => e === ".exe" || e === ".com").map((e) => name + e);
}

/**
 * The first executable `name` in the directories of PATH, in order, as
 * `which` finds it. Empty PATH entries (the current directory) are skipped.
 */
export function searchPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: Platform,
  isExecutable: ExecutableProbe,
): string | undefined {
  const p = pathModule(platform);
  const value = envVar(env, "PATH", platform) ?? "";
  const delimiter = platform === "win32" ? ";" : ":";
  for (const raw of value.split(delimiter)) {
    // Windows allows quoted PATH entries
    const dir = raw.trim().replace(/^"(.*)"$/, "$1");
    if (dir.length === 0 || !p.isAbsolute(dir)) {
      continue;
    }
    for (const file of candidateNames(name, env, platform)) {
      const full = p.join(dir, file);
      if (isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

export interface ExpandContext {
  platform: Platform;
  env: NodeJS.ProcessEnv;
  /** The first workspace folder, for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
}

/**
 * The setting's path with `~`, `${userHome}`, `${workspaceFolder}` and
 * `${env:NAME}` expanded; a relative path is taken relative to the first
 * workspace folder. Undefined when it cannot be made absolute.
 */
export function expandSettingPath(raw: string, ctx: ExpandContext): string | undefined {
  const p = pathModule(ctx.platform);
  const home = envVar(ctx.env, ctx.platform === "win32" ? "USERPROFILE" : "HOME", ctx.platform);
  let s = raw.trim();
  if (s === "~" || s.startsWith("~/") || (ctx.platform === "win32" && s.startsWith("~\\"))) {
    if (home === undefined) {
      return undefined;
    }
    s = home + s.slice(1);
  }
  const variable = /\$\{(userHome|workspaceFolder|env:([A-Za-z_][A-Za-z0-9_]*))\}/g;
  const lookup = (what: string, envName: string | undefined): string | undefined =>
    what === "userHome" ? home : what === "workspaceFolder" ? ctx.workspaceFolder : envVar(ctx.env, envName ?? "", ctx.platform);
  for (const m of s.matchAll(variable)) {
    if (lookup(m[1], m[2]) === undefined) {
      return undefined;
    }
  }
  s = s.replace(variable, (_m, what: string, envName?: string) => lookup(what, envName) ?? "");
  if (p.isAbsolute(s)) {
    return p.normalize(s);
  }
  if (ctx.workspaceFolder === undefined) {
    return undefined;
  }
  return p.join(ctx.workspaceFolder, s);
}

export interface FindOptions extends ExpandContext {
  /** The `layergate.path` setting, already trimmed; undefined when unset. */
  settingPath: string | undefined;
  /** The binary shipped inside the extension (it may not exist: a .vsix without one). */
  bundledPath?: string;
  /** `layergate.useBundledServer`: false looks on PATH before the bundled binary. */
  useBundled?: boolean;
  isExecutable: ExecutableProbe;
}

/** The bundled binary's place inside the extension's directory. */
export function bundledBinaryPath(extensionPath: string, platform: Platform): string {
  return pathModule(platform).join(extensionPath, "server", platform === "win32" ? "layergate.exe" : "layergate");
}

/**
 * Where `cargo install`, `npm install -g` and the usual package managers put
 * the binary: searched after PATH, because the extension host of a remote
 * window (code-server, SSH, containers) gets a login shell's PATH, which often
 * lacks what an interactive shell adds (~/.cargo/bin, an npm prefix).
 */
export function installDirs(env: NodeJS.ProcessEnv, platform: Platform): string[] {
  const p = pathModule(platform);
  const home = envVar(env, platform === "win32" ? "USERPROFILE" : "HOME", platform);
  const dirs: string[] = [];
  const cargoHome = envVar(env, "CARGO_HOME", platform);
  if (cargoHome !== undefined && p.isAbsolute(cargoHome)) {dirs.push(p.join(cargoHome, "bin"));}
  const npmPrefix = envVar(env, "npm_config_prefix", platform) ?? envVar(env, "NPM_CONFIG_PREFIX", platform);
  if (npmPrefix !== undefined && p.isAbsolute(npmPrefix)) {dirs.push(platform === "win32" ? npmPrefix : p.join(npmPrefix, "bin"));}
  if (home !== undefined && p.isAbsolute(home)) {
    dirs.push(p.join(home, ".cargo", "bin"));
    if (platform === "win32") {
      const appData = envVar(env, "APPDATA", platform);
      if (appData !== undefined && p.isAbsolute(appData)) {dirs.push(p.join(appData, "npm"));}
    } else {
      dirs.push(p.join(home, ".local", "bin"), p.join(home, ".npm-global", "bin"));
    }
  }
  if (platform !== "win32") {dirs.push("/usr/local/bin", "/opt/homebrew/bin");}
  return [...new Set(dirs)];
}

/**
 * The binary to run: the `layergate.path` setting when set (and then only
 * it: a wrong setting is an error, not a silent fallback); else the binary
 * inside the extension; else the first `layergate` on PATH, then in the
 * install directories. With `useBundled` false, PATH and the install
 * directories come before the bundled binary.
 */
export function findServerBinary(opts: FindOptions): FoundBinary {
  if (opts.settingPath !== undefined && opts.settingPath.length > 0) {
    const full = expandSettingPath(opts.settingPath, opts);
    if (full === undefined) {
      return {
        ok: false,
        message: `layergate: the \`layergate.path\` setting "${opts.settingPath}" cannot be resolved to an absolute path.`,
        hint: "Use an absolute path, or open a workspace folder for a relative one.",
        detail: `Use an absolute path, or open a workspace folder for a relative one.\n${installInstructions()}`,
      };
    }
    if (!opts.isExecutable(full)) {
      return {
        ok: false,
        message: `layergate: the \`layergate.path\` setting points at ${full}, which is not an executable file.`,
        hint: INSTALL_HINT,
        detail: installInstructions(),
      };
    }
    return { ok: true, path: full, source: "setting" };
  }
  const bundled =
    opts.bundledPath !== undefined && opts.isExecutable(opts.bundledPath)
      ? ({ ok: true, path: opts.bundledPath, source: "bundled" } as const)
      : undefined;
  if (bundled !== undefined && opts.useBundled !== false) {
    return bundled;
  }
  const found = searchPath(BINARY_NAME, opts.env, opts.platform, opts.isExecutable);
  if (found !== undefined) {
    return { ok: true, path: found, source: "PATH" };
  }
  const dirs = installDirs(opts.env, opts.platform).join(opts.platform === "win32" ? ";" : ":");
  const installed = searchPath(BINARY_NAME, { ...opts.env, PATH: dirs, Path: dirs }, opts.platform, opts.isExecutable);
  if (installed !== undefined) {
    return { ok: true, path: installed, source: "install dir" };
  }
  if (bundled !== undefined) {
    return bundled;
  }
  return {
    ok: false,
    message: "layergate: no `layergate` binary: this extension has none inside (install the one for your platform), none is on PATH, and the `layergate.path` setting is empty.",
    hint: INSTALL_HINT,
    detail: installInstructions(),
  };
}
