import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  INSTALL_HINT,
  bundledBinaryPath,
  candidateNames,
  expandSettingPath,
  findServerBinary,
  isExecutableFile,
  searchPath,
} from "../src/binary";

/** A probe that knows exactly these executable files. */
const probe = (...files: string[]) => (f: string) => files.includes(f);

test("searchPath: the first directory of PATH that holds the binary wins", () => {
  const env = { PATH: "/usr/local/bin:/home/me/.cargo/bin:/usr/bin" };
  const isExe = probe("/home/me/.cargo/bin/layergate", "/usr/bin/layergate");
  assert.equal(searchPath("layergate", env, "linux", isExe), "/home/me/.cargo/bin/layergate");
});

test("searchPath: empty and relative PATH entries are skipped", () => {
  const env = { PATH: ":.:bin:/opt/layergate/bin" };
  const isExe = probe("layergate", "./layergate", "bin/layergate", "/opt/layergate/bin/layergate");
  assert.equal(searchPath("layergate", env, "linux", isExe), "/opt/layergate/bin/layergate");
});

test("searchPath: nothing on PATH, or no PATH at all", () => {
  assert.equal(searchPath("layergate", { PATH: "/usr/bin:/bin" }, "linux", probe()), undefined);
  assert.equal(searchPath("layergate", {}, "linux", probe("/usr/bin/layergate")), undefined);
});

test("searchPath on Windows: `Path` in any case, PATHEXT, quoted entries", () => {
  const env = { Path: 'C:\\Windows;"C:\\Users\\me\\.cargo\\bin"', PATHEXT: ".COM;.EXE;.BAT" };
  const isExe = probe("C:\\Users\\me\\.cargo\\bin\\layergate.exe");
  assert.equal(searchPath("layergate", env, "win32", isExe), "C:\\Users\\me\\.cargo\\bin\\layergate.exe");
});

test("candidateNames: PATHEXT on Windows, the bare name elsewhere", () => {
  // .cmd/.bat (npm's shims) cannot be spawned without a shell: not candidates
  assert.deepEqual(candidateNames("layergate", { PATHEXT: ".EXE;.CMD" }, "win32"), ["layergate.exe"]);
  assert.deepEqual(candidateNames("layergate.exe", { PATHEXT: ".EXE;.CMD" }, "win32"), ["layergate.exe"]);
  assert.deepEqual(candidateNames("layergate", {}, "win32"), ["layergate.com", "layergate.exe"]);
  assert.deepEqual(candidateNames("layergate", { PATHEXT: ".EXE" }, "darwin"), ["layergate"]);
});

test("expandSettingPath: ~, ${userHome}, ${workspaceFolder}, ${env:X}, relative", () => {
  const ctx = { platform: "linux" as const, env: { HOME: "/home/me", BIN: "/opt/bin" }, workspaceFolder: "/work/shop" };
  assert.equal(expandSettingPath("~/.cargo/bin/layergate", ctx), "/home/me/.cargo/bin/layergate");
  assert.equal(expandSettingPath("${userHome}/bin/layergate", ctx), "/home/me/bin/layergate");
  assert.equal(expandSettingPath("${workspaceFolder}/target/debug/layergate", ctx), "/work/shop/target/debug/layergate");
  assert.equal(expandSettingPath("${env:BIN}/layergate", ctx), "/opt/bin/layergate");
  assert.equal(expandSettingPath("target/release/layergate", ctx), "/work/shop/target/release/layergate");
  assert.equal(expandSettingPath("  /usr/bin/../bin/layergate ", ctx), "/usr/bin/layergate");
});

test("expandSettingPath: undefined when it cannot be made absolute", () => {
  const ctx = { platform: "linux" as const, env: {} };
  assert.equal(expandSettingPath("~/bin/layergate", ctx), undefined);
  assert.equal(expandSettingPath("${env:NOPE}/layergate", ctx), undefined);
  assert.equal(expandSettingPath("bin/layergate", ctx), undefined);
  assert.equal(expandSettingPath("${workspaceFolder}/layergate", ctx), undefined);
});

test("expandSettingPath on Windows: USERPROFILE and drive paths", () => {
  const ctx = { platform: "win32" as const, env: { USERPROFILE: "C:\\Users\\me" }, workspaceFolder: "D:\\shop" };
  assert.equal(expandSettingPath("~\\bin\\layergate.exe", ctx), "C:\\Users\\me\\bin\\layergate.exe");
  assert.equal(expandSettingPath("tools\\layergate.exe", ctx), "D:\\shop\\tools\\layergate.exe");
  assert.equal(expandSettingPath("C:/tools/layergate.exe", ctx), "C:\\tools\\layergate.exe");
});

test("findServerBinary: the setting first, even when PATH has one", () => {
  const found = findServerBinary({
    settingPath: "/opt/layergate/layergate",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: probe("/opt/layergate/layergate", "/usr/bin/layergate"),
  });
  assert.deepEqual(found, { ok: true, path: "/opt/layergate/layergate", source: "setting" });
});

test("findServerBinary: PATH when the setting is unset", () => {
  const found = findServerBinary({
    settingPath: undefined,
    env: { PATH: "/usr/local/bin:/usr/bin" },
    platform: "linux",
    isExecutable: probe("/usr/bin/layergate"),
  });
  assert.deepEqual(found, { ok: true, path: "/usr/bin/layergate", source: "PATH" });
});

test("findServerBinary: a wrong setting is an error, not a fallback to PATH", () => {
  const found = findServerBinary({
    settingPath: "/nowhere/layergate",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: probe("/usr/bin/layergate"),
  });
  assert.equal(found.ok, false);
  assert.ok(!found.ok);
  assert.equal(found.message, "layergate: the `layergate.path` setting points at /nowhere/layergate, which is not an executable file.");
  assert.equal(found.hint, INSTALL_HINT);
});

test("findServerBinary: nothing anywhere says how to install it", () => {
  const found = findServerBinary({ settingPath: undefined, env: { PATH: "/usr/bin" }, platform: "linux", isExecutable: probe() });
  assert.ok(!found.ok);
  assert.match(found.message, /this extension has none inside .*none is on PATH, and the `layergate.path` setting is empty/);
  assert.match(found.hint, /cargo install --locked layergate/);
  assert.match(found.detail, /cargo install --locked layergate/);
  assert.match(found.detail, /release binary/);
});

test("findServerBinary: the bundled binary before PATH, the setting before both", () => {
  const bundled = bundledBinaryPath("/ext/layergate-0.1.0", "linux");
  assert.equal(bundled, "/ext/layergate-0.1.0/server/layergate");
  const isExecutable = probe(bundled, "/usr/bin/layergate", "/opt/lg");
  const base = { env: { PATH: "/usr/bin" }, platform: "linux" as const, bundledPath: bundled, isExecutable };
  assert.deepEqual(findServerBinary({ ...base, settingPath: undefined }), { ok: true, path: bundled, source: "bundled" });
  assert.deepEqual(findServerBinary({ ...base, settingPath: "/opt/lg" }), { ok: true, path: "/opt/lg", source: "setting" });
  // useBundledServer off: PATH first, the bundled one only when PATH has none
  assert.deepEqual(findServerBinary({ ...base, settingPath: undefined, useBundled: false }), {
    ok: true,
    path: "/usr/bin/layergate",
    source: "PATH",
  });
  assert.deepEqual(findServerBinary({ ...base, env: { PATH: "/bin" }, settingPath: undefined, useBundled: false }), {
    ok: true,
    path: bundled,
    source: "bundled",
  });
  // a .vsix without a binary (the universal one): PATH
  assert.deepEqual(findServerBinary({ ...base, isExecutable: probe("/usr/bin/layergate"), settingPath: undefined }), {
    ok: true,
    path: "/usr/bin/layergate",
    source: "PATH",
  });
  assert.equal(bundledBinaryPath("C:\\ext", "win32"), "C:\\ext\\server\\layergate.exe");
});

test("findServerBinary: a remote window's login PATH without ~/.cargo/bin still finds cargo's binary", () => {
  const found = findServerBinary({
    settingPath: undefined,
    env: { PATH: "/usr/bin:/bin", HOME: "/home/me" },
    platform: "linux",
    isExecutable: probe("/home/me/.cargo/bin/layergate"),
  });
  assert.deepEqual(found, { ok: true, path: "/home/me/.cargo/bin/layergate", source: "install dir" });
  const npm = findServerBinary({
    settingPath: undefined,
    env: { PATH: "/usr/bin", HOME: "/home/me", npm_config_prefix: "/home/me/.npm-packages" },
    platform: "linux",
    isExecutable: probe("/home/me/.npm-packages/bin/layergate"),
  });
  assert.deepEqual(npm, { ok: true, path: "/home/me/.npm-packages/bin/layergate", source: "install dir" });
});

test("isExecutableFile: an executable file yes; a plain file, a directory, nothing: no", () => {
  const dir = mkdtempSync(join(tmpdir(), "layergate-vscode-"));
  const exe = join(dir, "layergate");
  writeFileSync(exe, "#!/bin/sh\n");
  chmodSync(exe, 0o755);
  const plain = join(dir, "plain");
  writeFileSync(plain, "");
  chmodSync(plain, 0o644);
  mkdirSync(join(dir, "sub"));
  assert.equal(isExecutableFile(exe), true);
  if (process.platform !== "win32" && process.getuid?.() !== 0) {
    assert.equal(isExecutableFile(plain), false);
  }
  assert.equal(isExecutableFile(join(dir, "sub")), false);
  assert.equal(isExecutableFile(join(dir, "missing")), false);
  // and searchPath with the real probe finds it
  assert.equal(searchPath("layergate", { PATH: `/nonexistent:${dir}` }, "linux", isExecutableFile), exe);
});
