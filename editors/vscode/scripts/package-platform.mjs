#!/usr/bin/env node
// Packages the extension for one VS Code platform with the layergate binary
// inside (server/layergate, or server/layergate.exe on Windows):
//   node scripts/package-platform.mjs <vscode target> <binary> <out dir>
// e.g. linux-x64, alpine-x64, darwin-arm64, win32-x64. Writes
// <out dir>/layergate-<target>-<version>.vsix and prints its path. Run
// `npm run compile` first.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TARGETS = ["linux-x64", "linux-arm64", "linux-armhf", "alpine-x64", "alpine-arm64", "darwin-x64", "darwin-arm64", "win32-x64", "win32-arm64"];
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [target, binary, out] = process.argv.slice(2);
if (!TARGETS.includes(target) || !binary || !out) {
  console.error(`usage: node scripts/package-platform.mjs <${TARGETS.join("|")}> <binary> <out dir>`);
  process.exit(2);
}
if (!existsSync(join(root, "dist", "extension.js"))) {
  console.error("dist/extension.js is missing: run `npm run compile` first");
  process.exit(2);
}
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const exe = target.startsWith("win32") ? "layergate.exe" : "layergate";
const server = join(root, "server");
rmSync(server, { recursive: true, force: true });
mkdirSync(server);
copyFileSync(binary, join(server, exe));
chmodSync(join(server, exe), 0o755);
mkdirSync(out, { recursive: true });
const vsix = join(resolve(out), `layergate-${target}-${version}.vsix`);
try {
  const vsce = join(root, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
  // on Windows the .cmd shim needs a shell, which joins the arguments: quote them
  const q = (a) => (process.platform === "win32" ? `"${a}"` : a);
  execFileSync(q(vsce), ["package", "--no-dependencies", "--target", target, "--out", q(vsix)], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    shell: process.platform === "win32",
  });
} finally {
  rmSync(server, { recursive: true, force: true });
}
console.log(vsix);
