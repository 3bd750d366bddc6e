// Parsing of `--vary path=v1,v2` and `--seeds a..b` for dbsim matrix.

import { CliError } from "./errors.js";

export interface Vary {
  path: string;
  /** Each value as written (YAML), e.g. "never", "interval:10ms", "{read: 1}". */
  values: string[];
}

export const MATRIX_MAX_RUNS = 10_000;

/** `path=v1,v2,...`; commas inside [] {} or quotes do not separate values. */
export function parseVary(text: string): Vary {
  const eq = text.indexOf("=");
  const path = eq < 0 ? "" : text.slice(0, eq).trim();
  if (eq < 0 || path === "")
    throw new CliError(
      `--vary ${text}: expected path=v1,v2, e.g. --vary cluster.node.fsync_policy=always,never`,
    );
  const values = splitTopLevel(text.slice(eq + 1)).map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === "")) throw new CliError(`--vary ${text}: empty value`);
  if (new Set(values).size !== values.length) throw new CliError(`--vary ${text}: a value appears twice`);
  return { path, values };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = "";
  for (const ch of text) {
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

/** `a..b` (inclusive) or a single seed. */
export function parseSeedRange(text: string): number[] {
  const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(text);
  if (match === null) throw new CliError(`--seeds ${text}: expected a..b (e.g. 1..5) or one seed`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to))
    throw new CliError(`--seeds ${text}: seeds must be safe integers`);
  if (to < from) throw new CliError(`--seeds ${text}: the range is empty (${to} < ${from})`);
  if (to - from + 1 > MATRIX_MAX_RUNS)
    throw new CliError(`--seeds ${text}: at most ${MATRIX_MAX_RUNS} seeds`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The cartesian product of the varied values: each variant is a list of `path=value` overrides. */
export function variants(varies: Vary[]): { overrides: string[]; label: string }[] {
  let product: { path: string; value: string }[][] = [[]];
  for (const vary of varies) {
    product = product.flatMap((prefix) =>
      vary.values.map((value) => [...prefix, { path: vary.path, value }]),
    );
  }
  const short = shortPaths(varies.map((v) => v.path));
  return product.map((choice) => ({
    overrides: choice.map((c) => `${c.path}=${c.value}`),
    label: choice.map((c) => `${short.get(c.path)}=${c.value}`).join(", ") || "baseline",
  }));
}

/** The last path segment, or more of the path where the last segments collide. */
function shortPaths(paths: string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const path of paths) {
    const parts = path.split(".");
    let k = 1;
    while (k < parts.length && paths.some((p) => p !== path && p.endsWith(parts.slice(-k).join(".")))) k++;
    names.set(path, parts.slice(-k).join("."));
  }
  return names;
}
