// The real database `dbsim real`, `dbsim calibrate` and `dbsim explain --against` drive: `pglite`
// (PostgreSQL in WebAssembly, in this process), a PostgreSQL server (`postgres://...`) or Redis
// (`redis://...`). A target is described without credentials wherever dbsim prints or writes it,
// and every message that may quote a driver's error goes through `redact`.

import { CliError } from "../errors.js";

export type TargetKind = "pglite" | "postgres" | "redis";

export interface Target {
  readonly kind: TargetKind;
  /** The URL to connect with (credentials included); "" for pglite. Never printed. */
  readonly url: string;
  /** What dbsim prints and writes: `pglite`, or scheme://host:port/database (no user, password, query). */
  readonly name: string;
  /** Texts that must never appear in output: the password, as given and decoded. */
  readonly secrets: readonly string[];
}

/** Longest target accepted (a URL). */
export const TARGET_MAX_CHARS = 2048;

const FORMS =
  "pglite, postgres://[user[:password]@]host[:port]/database or redis://[[user]:password@]host[:port][/db]";

/** Parses --target; a bad one is one line and exit 2 that never quotes what may hold a password. */
export function parseTarget(text: string, option = "--target"): Target {
  if (text.length > TARGET_MAX_CHARS) {
    throw new CliError(`${option}: longer than ${TARGET_MAX_CHARS} characters; expected ${FORMS}`);
  }
  if (text === "pglite") return { kind: "pglite", url: "", name: "pglite", secrets: [] };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  const kind: TargetKind | null =
    scheme === "postgres" || scheme === "postgresql"
      ? "postgres"
      : scheme === "redis" || scheme === "rediss"
        ? "redis"
        : null;
  if (kind === null) {
    const what = scheme === undefined ? "not a URL" : `unknown scheme ${scheme}://`;
    throw new CliError(`${option}: ${what}; expected ${FORMS}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${option}: not a valid ${scheme}:// URL; expected ${FORMS}`);
  }
  if (url.hostname === "")
    throw new CliError(`${option}: the ${scheme}:// URL names no host; expected ${FORMS}`);
  const secrets = passwords(url);
  if (kind === "redis" && !/^\/?(\d{0,5})$/.test(url.pathname)) {
    throw new CliError(`${option}: a redis:// URL's path is a database number (redis://host:6379/0)`);
  }
  const port = url.port === "" ? "" : `:${url.port}`;
  const path = url.pathname === "/" ? "" : url.pathname;
  return { kind, url: text, name: `${scheme}://${url.hostname}${port}${path}`, secrets };
}

/** The password of a URL, as written and percent-decoded, and a `password` query parameter's. */
function passwords(url: URL): string[] {
  const found = [url.password, safeDecode(url.password), url.searchParams.get("password") ?? ""];
  return [...new Set(found.filter((s) => s.length > 0))];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `message` with the target's URL replaced by its name and any password by `***`. */
export function redact(message: string, target: Target): string {
  let out = target.url === "" ? message : message.replaceAll(target.url, target.name);
  for (const secret of target.secrets) out = out.replaceAll(secret, "***");
  return out;
}

/** A driver's error as one line without credentials (its code when it has one: ECONNREFUSED). */
export function errorText(error: unknown, target: Target): string {
  const e = error as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === "string" && e.message !== "" ? e.message : String(error);
  const code = typeof e?.code === "string" && !message.includes(e.code) ? ` (${e.code})` : "";
  return redact(`${message.split("\n")[0]}${code}`, target);
}
