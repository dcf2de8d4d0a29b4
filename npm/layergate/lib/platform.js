// Which platform package holds the binary for this machine, and where it is.
// Shared by the launcher (bin/layergate.js) and by tools that want the path
// (editor integrations: require("layergate").binaryPath()).
"use strict";

const path = require("node:path");
const fs = require("node:fs");

/** Every platform a binary is published for: npm's os/cpu (and libc) names. */
const PLATFORMS = [
  { os: "linux", cpu: "x64", libc: "glibc", pkg: "@layergate/linux-x64-gnu", target: "x86_64-unknown-linux-gnu" },
  { os: "linux", cpu: "x64", libc: "musl", pkg: "@layergate/linux-x64-musl", target: "x86_64-unknown-linux-musl" },
  { os: "linux", cpu: "arm64", libc: "glibc", pkg: "@layergate/linux-arm64-gnu", target: "aarch64-unknown-linux-gnu" },
  { os: "linux", cpu: "arm64", libc: "musl", pkg: "@layergate/linux-arm64-musl", target: "aarch64-unknown-linux-musl" },
  { os: "darwin", cpu: "x64", pkg: "@layergate/darwin-x64", target: "x86_64-apple-darwin" },
  { os: "darwin", cpu: "arm64", pkg: "@layergate/darwin-arm64", target: "aarch64-apple-darwin" },
  { os: "win32", cpu: "x64", pkg: "@layergate/win32-x64", target: "x86_64-pc-windows-msvc" },
  { os: "win32", cpu: "arm64", pkg: "@layergate/win32-arm64", target: "aarch64-pc-windows-msvc" },
];

/** "glibc" or "musl" on Linux (as detect-libc decides it), null elsewhere. */
function libc() {
  if (process.platform !== "linux") return null;
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
    return header && header.glibcVersionRuntime ? "glibc" : "musl";
  } catch {
    return "glibc";
  }
}

/**
 * The packages that can run here, best first: on glibc Linux the gnu build,
 * then the static musl one (it runs there too); on musl only musl.
 */
function candidates(os = process.platform, cpu = process.arch, c = libc()) {
  const here = PLATFORMS.filter((p) => p.os === os && p.cpu === cpu);
  if (os !== "linux") return here;
  const order = c === "musl" ? ["musl"] : ["glibc", "musl"];
  return order.flatMap((l) => here.filter((p) => p.libc === l));
}

function describe(os, cpu, c) {
  return `${os}-${cpu}${c ? ` (${c})` : ""}`;
}

/**
 * { path } of the binary to run, or { message } saying why there is none and
 * what to do. `LAYERGATE_BINARY` names a binary to use instead.
 */
function resolveBinary(env = process.env, resolve = require.resolve) {
  const override = env.LAYERGATE_BINARY;
  if (override) {
    if (fs.existsSync(override)) return { path: override };
    return { message: `layergate: LAYERGATE_BINARY is set to ${override}, which does not exist.` };
  }
  const os = process.platform;
  const cpu = process.arch;
  const c = libc();
  const exe = os === "win32" ? "layergate.exe" : "layergate";
  const wanted = candidates(os, cpu, c);
  for (const p of wanted) {
    let dir;
    try {
      dir = path.dirname(resolve(`${p.pkg}/package.json`));
    } catch {
      continue;
    }
    const bin = path.join(dir, "bin", exe);
    if (fs.existsSync(bin)) return { path: bin };
  }
  if (wanted.length === 0) {
    const supported = PLATFORMS.map((p) => describe(p.os, p.cpu, p.libc)).join(", ");
    return {
      message:
        `layergate: no prebuilt binary for ${describe(os, cpu, c)}; there are binaries for ${supported}.\n` +
        "Build it from source with `cargo install layergate` and run that binary, " +
        "or point LAYERGATE_BINARY at it.",
    };
  }
  return {
    message:
      `layergate: the binary for ${describe(os, cpu, c)} is not installed: it comes in the package ` +
      `${wanted[0].pkg}, one of layergate's optionalDependencies, and npm skipped it.\n` +
      "That happens when npm runs with --omit=optional (or --no-optional), or when the " +
      "lockfile was written on another platform.\n" +
      `Fix: npm install --include=optional layergate (or: npm install ${wanted[0].pkg}), ` +
      "or remove node_modules and package-lock.json and run npm install again. " +
      "Or point LAYERGATE_BINARY at a layergate binary (`cargo install layergate`).",
  };
}

/** The path of the binary, or throws with the message above. */
function binaryPath() {
  const found = resolveBinary();
  if (!found.path) throw new Error(found.message);
  return found.path;
}

module.exports = { PLATFORMS, candidates, libc, resolveBinary, binaryPath };
