#!/usr/bin/env node
// Writes the npm package of one platform's binary:
//   node npm/platform-package.mjs <rust target> <binary> <out dir>
// The package is @layergate/<os>-<cpu>[-<libc>] with npm's os/cpu/libc
// fields, so npm installs only the one that runs on the user's machine.
// Its version is the launcher's (npm/layergate/package.json).
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { PLATFORMS } = require("./layergate/lib/platform.js");
const launcher = JSON.parse(readFileSync(join(here, "layergate", "package.json"), "utf8"));

const [target, binary, out] = process.argv.slice(2);
if (!target || !binary || !out) {
  console.error("usage: node npm/platform-package.mjs <rust target> <binary> <out dir>");
  process.exit(2);
}
const platform = PLATFORMS.find((p) => p.target === target || p.target.replace("msvc", "gnu") === target);
if (!platform) {
  console.error(`no npm platform for the target ${target}; known: ${PLATFORMS.map((p) => p.target).join(", ")}`);
  process.exit(2);
}
if (launcher.optionalDependencies[platform.pkg] !== launcher.version) {
  console.error(`npm/layergate/package.json does not list ${platform.pkg}@${launcher.version}`);
  process.exit(2);
}

const exe = platform.os === "win32" ? "layergate.exe" : "layergate";
mkdirSync(join(out, "bin"), { recursive: true });
copyFileSync(binary, join(out, "bin", exe));
chmodSync(join(out, "bin", exe), 0o755);
const manifest = {
  name: platform.pkg,
  version: launcher.version,
  description: `The layergate binary for ${platform.os}-${platform.cpu}${platform.libc ? ` (${platform.libc})` : ""}; install the package layergate, which picks it.`,
  license: launcher.license,
  repository: launcher.repository,
  os: [platform.os],
  cpu: [platform.cpu],
  ...(platform.libc ? { libc: [platform.libc] } : {}),
  files: ["bin", "README.md"],
  preferUnplugged: true,
};
writeFileSync(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
writeFileSync(
  join(out, "README.md"),
  `# ${platform.pkg}\n\nThe \`layergate\` binary built for \`${target}\`. Do not install it directly: install [\`layergate\`](https://www.npmjs.com/package/layergate), which depends on it for this platform.\n`,
);
console.log(join(out));
