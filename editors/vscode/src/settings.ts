// The extension's settings, read through a getter so that parsing is tested
// without VS Code.

export type Trace = "off" | "messages" | "verbose";

export const TRACE_VALUES: readonly Trace[] = ["off", "messages", "verbose"];

export interface Settings {
  /** `layergate.enable`: run the server at all. */
  enable: boolean;
  /** `layergate.path`, trimmed; undefined when unset or empty. */
  path: string | undefined;
  /** `layergate.trace.server`. */
  trace: Trace;
  /** `layergate.useBundledServer`: the binary inside the extension before PATH. */
  useBundled: boolean;
}

/** Reads one key of the `layergate` section (`"path"`, `"trace.server"`, ...). */
export type SettingGetter = (key: string) => unknown;

export function parseTrace(value: unknown): Trace {
  return typeof value === "string" && (TRACE_VALUES as readonly string[]).includes(value) ? (value as Trace) : "off";
}

/** Settings from raw values; a wrong type is the default, never an exception. */
export function parseSettings(get: SettingGetter): Settings {
  const enable = get("enable");
  const rawPath = get("path");
  const path = typeof rawPath === "string" && rawPath.trim().length > 0 ? rawPath.trim() : undefined;
  return {
    enable: typeof enable === "boolean" ? enable : true,
    path,
    trace: parseTrace(get("trace.server")),
    useBundled: typeof get("useBundledServer") === "boolean" ? (get("useBundledServer") as boolean) : true,
  };
}

/** The settings whose change needs a restart of the server (trace does not: the client follows it). */
export const RESTART_SETTINGS: readonly string[] = ["layergate.enable", "layergate.path", "layergate.useBundledServer"];
