import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  INSTALL_HINT,
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
  const isExe = probe("/home/me/.cargo/bin/archgate", "/usr/bin/archgate");
  assert.equal(searchPath("archgate", env, "linux", isExe), "/home/me/.cargo/bin/archgate");
});

test("searchPath: empty and relative PATH entries are skipped", () => {
  const env = { PATH: ":.:bin:/opt/archgate/bin" };
  const isExe = probe("archgate", "./archgate", "bin/archgate", "/opt/archgate/bin/archgate");
  assert.equal(searchPath("archgate", env, "linux", isExe), "/opt/archgate/bin/archgate");
});

test("searchPath: nothing on PATH, or no PATH at all", () => {
  assert.equal(searchPath("archgate", { PATH: "/usr/bin:/bin" }, "linux", probe()), undefined);
  assert.equal(searchPath("archgate", {}, "linux", probe("/usr/bin/archgate")), undefined);
});

test("searchPath on Windows: `Path` in any case, PATHEXT, quoted entries", () => {
  const env = { Path: 'C:\\Windows;"C:\\Users\\me\\.cargo\\bin"', PATHEXT: ".COM;.EXE;.BAT" };
  const isExe = probe("C:\\Users\\me\\.cargo\\bin\\archgate.exe");
  assert.equal(searchPath("archgate", env, "win32", isExe), "C:\\Users\\me\\.cargo\\bin\\archgate.exe");
});

test("candidateNames: PATHEXT on Windows, the bare name elsewhere", () => {
  assert.deepEqual(candidateNames("archgate", { PATHEXT: ".EXE;.CMD" }, "win32"), ["archgate.exe", "archgate.cmd"]);
  assert.deepEqual(candidateNames("archgate.exe", { PATHEXT: ".EXE;.CMD" }, "win32"), ["archgate.exe"]);
  assert.deepEqual(candidateNames("archgate", {}, "win32"), ["archgate.com", "archgate.exe", "archgate.bat", "archgate.cmd"]);
  assert.deepEqual(candidateNames("archgate", { PATHEXT: ".EXE" }, "darwin"), ["archgate"]);
});

test("expandSettingPath: ~, ${userHome}, ${workspaceFolder}, ${env:X}, relative", () => {
  const ctx = { platform: "linux" as const, env: { HOME: "/home/me", BIN: "/opt/bin" }, workspaceFolder: "/work/shop" };
  assert.equal(expandSettingPath("~/.cargo/bin/archgate", ctx), "/home/me/.cargo/bin/archgate");
  assert.equal(expandSettingPath("${userHome}/bin/archgate", ctx), "/home/me/bin/archgate");
  assert.equal(expandSettingPath("${workspaceFolder}/target/debug/archgate", ctx), "/work/shop/target/debug/archgate");
  assert.equal(expandSettingPath("${env:BIN}/archgate", ctx), "/opt/bin/archgate");
  assert.equal(expandSettingPath("target/release/archgate", ctx), "/work/shop/target/release/archgate");
  assert.equal(expandSettingPath("  /usr/bin/../bin/archgate ", ctx), "/usr/bin/archgate");
});

test("expandSettingPath: undefined when it cannot be made absolute", () => {
  const ctx = { platform: "linux" as const, env: {} };
  assert.equal(expandSettingPath("~/bin/archgate", ctx), undefined);
  assert.equal(expandSettingPath("${env:NOPE}/archgate", ctx), undefined);
  assert.equal(expandSettingPath("bin/archgate", ctx), undefined);
  assert.equal(expandSettingPath("${workspaceFolder}/archgate", ctx), undefined);
});

test("expandSettingPath on Windows: USERPROFILE and drive paths", () => {
  const ctx = { platform: "win32" as const, env: { USERPROFILE: "C:\\Users\\me" }, workspaceFolder: "D:\\shop" };
  assert.equal(expandSettingPath("~\\bin\\archgate.exe", ctx), "C:\\Users\\me\\bin\\archgate.exe");
  assert.equal(expandSettingPath("tools\\archgate.exe", ctx), "D:\\shop\\tools\\archgate.exe");
  assert.equal(expandSettingPath("C:/tools/archgate.exe", ctx), "C:\\tools\\archgate.exe");
});

test("findServerBinary: the setting first, even when PATH has one", () => {
  const found = findServerBinary({
    settingPath: "/opt/archgate/archgate",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: probe("/opt/archgate/archgate", "/usr/bin/archgate"),
  });
  assert.deepEqual(found, { ok: true, path: "/opt/archgate/archgate", source: "setting" });
});

test("findServerBinary: PATH when the setting is unset", () => {
  const found = findServerBinary({
    settingPath: undefined,
    env: { PATH: "/usr/local/bin:/usr/bin" },
    platform: "linux",
    isExecutable: probe("/usr/bin/archgate"),
  });
  assert.deepEqual(found, { ok: true, path: "/usr/bin/archgate", source: "PATH" });
});

test("findServerBinary: a wrong setting is an error, not a fallback to PATH", () => {
  const found = findServerBinary({
    settingPath: "/nowhere/archgate",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: probe("/usr/bin/archgate"),
  });
  assert.equal(found.ok, false);
  assert.ok(!found.ok);
  assert.equal(found.message, "archgate: the `archgate.path` setting points at /nowhere/archgate, which is not an executable file.");
  assert.equal(found.hint, INSTALL_HINT);
});

test("findServerBinary: nothing anywhere says how to install it", () => {
  const found = findServerBinary({ settingPath: undefined, env: { PATH: "/usr/bin" }, platform: "linux", isExecutable: probe() });
  assert.ok(!found.ok);
  assert.equal(found.message, "archgate: the `archgate` binary was not found on PATH and the `archgate.path` setting is empty.");
  assert.match(found.hint, /cargo install --path server/);
  assert.match(found.detail, /cargo install --path server/);
  assert.match(found.detail, /release binary/);
});

test("isExecutableFile: an executable file yes; a plain file, a directory, nothing: no", () => {
  const dir = mkdtempSync(join(tmpdir(), "archgate-vscode-"));
  const exe = join(dir, "archgate");
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
  assert.equal(searchPath("archgate", { PATH: `/nonexistent:${dir}` }, "linux", isExecutableFile), exe);
});
