#!/usr/bin/env node
// The `layergate` command of the npm package: finds the binary of this
// platform, which npm installed as one of the optionalDependencies
// (@layergate/<platform>), and runs it with the same arguments, stdio and
// exit status. Nothing is downloaded at install or run time.
"use strict";

const { spawnSync } = require("node:child_process");
const { resolveBinary } = require("../lib/platform.js");

const found = resolveBinary();
if (!found.path) {
  process.stderr.write(found.message + "\n");
  process.exit(1);
}

const result = spawnSync(found.path, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(
    `layergate: could not run ${found.path}: ${result.error.message}\n`,
  );
  process.exit(1);
}
if (result.signal) {
  // die of the same signal, so a shell sees what the binary saw
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
