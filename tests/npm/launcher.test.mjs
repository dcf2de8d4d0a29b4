// Unit tests of the npm launcher's platform choice and messages
// (npm/layergate/lib/platform.js), for platforms other than this one too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const platform = require("../../npm/layergate/lib/platform.js");
const launcher = JSON.parse(readFileSync(new URL("../../npm/layergate/package.json", import.meta.url), "utf8"));

test("glibc Linux tries the gnu build, then the static musl one", () => {
  assert.deepEqual(
    platform.candidates("linux", "x64", "glibc").map((p) => p.pkg),
    ["@layergate/linux-x64-gnu", "@layergate/linux-x64-musl"],
  );
});

test("musl Linux never picks a glibc build", () => {
  assert.deepEqual(
    platform.candidates("linux", "arm64", "musl").map((p) => p.pkg),
    ["@layergate/linux-arm64-musl"],
  );
});

test("macOS and Windows have one package per cpu", () => {
  assert.deepEqual(platform.candidates("darwin", "arm64", null).map((p) => p.pkg), ["@layergate/darwin-arm64"]);
  assert.deepEqual(platform.candidates("win32", "x64", null).map((p) => p.pkg), ["@layergate/win32-x64"]);
  assert.deepEqual(platform.candidates("freebsd", "x64", null), []);
});

test("every platform is an optional dependency at the launcher's version", () => {
  for (const p of platform.PLATFORMS) {
    assert.equal(launcher.optionalDependencies[p.pkg], launcher.version, p.pkg);
  }
  assert.equal(Object.keys(launcher.optionalDependencies).length, platform.PLATFORMS.length);
});

test("the launcher's version is the crates' version", () => {
  const cargo = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
  const m = cargo.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/);
  assert.ok(m, "workspace.package.version in Cargo.toml");
  assert.equal(launcher.version, m[1]);
});

test("a missing platform package names the package and the fix", () => {
  const none = () => {
    throw new Error("Cannot find module");
  };
  const r = platform.resolveBinary({}, none);
  assert.equal(r.path, undefined);
  if (platform.candidates().length > 0) {
    assert.match(r.message, /is not installed/);
    assert.match(r.message, new RegExp(platform.candidates()[0].pkg.replace("/", "\\/")));
    assert.match(r.message, /--include=optional/);
  } else {
    assert.match(r.message, /no prebuilt binary/);
  }
});

test("LAYERGATE_BINARY wins, and a wrong one is reported", () => {
  const dir = mkdtempSync(join(tmpdir(), "lg-"));
  const bin = join(dir, "layergate");
  writeFileSync(bin, "");
  assert.equal(platform.resolveBinary({ LAYERGATE_BINARY: bin }).path, bin);
  assert.match(platform.resolveBinary({ LAYERGATE_BINARY: join(dir, "nope") }).message, /does not exist/);
});

test("an installed platform package is found", () => {
  const want = platform.candidates()[0];
  if (!want) return; // this machine has no prebuilt platform: the message test covers it
  const dir = mkdtempSync(join(tmpdir(), "lg-"));
  mkdirSync(join(dir, "bin"));
  const exe = process.platform === "win32" ? "layergate.exe" : "layergate";
  writeFileSync(join(dir, "bin", exe), "");
  writeFileSync(join(dir, "package.json"), "{}");
  const resolve = (id) => {
    if (id === `${want.pkg}/package.json`) return join(dir, "package.json");
    throw new Error("Cannot find module");
  };
  assert.equal(platform.resolveBinary({}, resolve).path, join(dir, "bin", exe));
});
