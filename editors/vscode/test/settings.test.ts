import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSettings, parseTrace } from "../src/settings";

const getter = (values: Record<string, unknown>) => (key: string) => values[key];

test("parseSettings: defaults when nothing is set", () => {
  assert.deepEqual(parseSettings(getter({})), { enable: true, path: undefined, trace: "off", useBundled: true });
});

test("parseSettings: values as set, the path trimmed", () => {
  assert.deepEqual(parseSettings(getter({ enable: false, path: "  ~/bin/layergate ", "trace.server": "verbose", useBundledServer: false })), {
    enable: false,
    path: "~/bin/layergate",
    trace: "verbose",
    useBundled: false,
  });
});

test("parseSettings: wrong types and empty strings are the defaults", () => {
  assert.deepEqual(parseSettings(getter({ enable: "no", path: "   ", "trace.server": 3, useBundledServer: "no" })), {
    enable: true,
    path: undefined,
    trace: "off",
    useBundled: true,
  });
  assert.equal(parseSettings(getter({ path: null })).path, undefined);
});

test("parseTrace: the three values, anything else is off", () => {
  assert.equal(parseTrace("off"), "off");
  assert.equal(parseTrace("messages"), "messages");
  assert.equal(parseTrace("verbose"), "verbose");
  assert.equal(parseTrace("Verbose"), "off");
  assert.equal(parseTrace(undefined), "off");
});
