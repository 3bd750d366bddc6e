// Loads a scenario from text (YAML or JSON): parse, apply --set overrides, fill the name from the file
// name if absent, validate, resolve. Every failure is one ScenarioError whose message names where the
// problem is (file:line:col or the --set that caused it), the path, and what is allowed.

import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { ScenarioError } from "./errors.js";
import { type ResolvedScenario, resolveScenario } from "./resolve.js";
import { type ScenarioDoc, scenarioSchema } from "./schema.js";

export interface LoadOptions {
  /** Names the source in messages, e.g. "scenarios/x.yaml". */
  sourceName?: string;
  /** The scenario's name when the document has none, e.g. the file's base name. */
  fallbackName?: string;
  /** "--set" values, "a.b.c=value", applied in order after parsing. */
  overrides?: readonly string[];
}

export interface LoadedScenario {
  /** The document with every default filled in: a valid scenario meaning the same thing. */
  doc: ScenarioDoc;
  resolved: ResolvedScenario;
}

type Segment = string;
type Container = Record<string, unknown> | unknown[];

interface Override {
  readonly text: string;
  readonly path: readonly Segment[];
  readonly value: unknown;
}

interface ParsedSource {
  readonly data: unknown;
  readonly document: Document;
  readonly lineCounter: LineCounter;
}

export function loadScenario(text: string, options: LoadOptions = {}): LoadedScenario {
  const source = parseSource(text, options.sourceName);
  const data = source.data;
  if (!isRecord(data)) {
    const got = data === null ? "the file is empty" : `got ${describeValue(data)}`;
    throw new ScenarioError(
      `${prefix(options.sourceName)}expected a mapping of settings, e.g. "name: my-run" (${got})`,
    );
  }
  const overrides = (options.overrides ?? []).map(parseOverride);
  for (const override of overrides) applyOverride(data, override);
  const nameFromFile = data.name === undefined && options.fallbackName !== undefined;
  if (nameFromFile) data.name = options.fallbackName;

  const result = scenarioSchema.safeParse(data);
  if (!result.success) {
    throw validationError(result.error.issues, {
      source,
      overrides,
      nameFromFile,
      sourceName: options.sourceName,
    });
  }
  try {
    return { doc: result.data, resolved: resolveScenario(result.data) };
  } catch (error) {
    // Checks that need the whole document (fault targets against the cluster's nodes) come last.
    if (error instanceof ScenarioError && options.sourceName !== undefined) {
      throw new ScenarioError(`${prefix(options.sourceName)}${error.message}`, { path: error.path });
    }
    throw error;
  }
}

function prefix(sourceName: string | undefined): string {
  return sourceName === undefined ? "" : `${sourceName}: `;
}

function locationPrefix(sourceName: string | undefined, line: number, column: number): string {
  return `${sourceName === undefined ? "" : `${sourceName}:`}${line}:${column}: `;
}

// --- YAML ---

function parseSource(text: string, sourceName: string | undefined): ParsedSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // Warnings (e.g. an unknown !tag) are errors too: a scenario should mean exactly what it says.
  const first = document.errors[0] ?? document.warnings[0];
  if (first !== undefined) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const keyPath = first.code === "DUPLICATE_KEY" ? keyPathAt(document.contents, first.pos[0]) : undefined;
    const what =
      keyPath !== undefined
        ? `${keyPath.join(".")}: duplicate key (a key may appear once per mapping)`
        : first.code === "MULTIPLE_DOCS"
          ? "a scenario is one YAML document, but a second one starts here"
          : `YAML syntax error: ${first.message}`;
    throw new ScenarioError(`${locationPrefix(sourceName, line, col)}${what}`, {
      path: keyPath?.join(".") ?? "",
      line,
      column: col,
    });
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // e.g. an alias to an undefined anchor, or too many aliases
    throw new ScenarioError(`${prefix(sourceName)}YAML error: ${errorMessage(error)}`);
  }
  return { data, document, lineCounter };
}

/** The path of the map key that starts at `offset`, if any (for naming a duplicate key). */
function keyPathAt(node: unknown, offset: number): string[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      if (isScalar(key) && key.range?.[0] === offset) return [String(key.value)];
      const inner = keyPathAt(pair.value, offset);
      if (inner !== undefined) return [isScalar(key) ? String(key.value) : "?", ...inner];
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const inner = keyPathAt(item, offset);
      if (inner !== undefined) return [String(index), ...inner];
    }
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- overrides ---

const INDEX_PATTERN = /^(0|[1-9]\d*)$/;

function parseOverride(text: string): Override {
  const equals = text.indexOf("=");
  if (equals < 0) {
    throw new ScenarioError(`--set ${text}: expected path=value, e.g. --set workload.rate=500/s`);
  }
  const pathText = text.slice(0, equals);
  const path = pathText.split(".");
  if (path.some((segment) => segment === "")) {
    throw new ScenarioError(
      `--set ${text}: expected keys separated by "." before "=", e.g. --set cluster.node.fsync=2ms`,
    );
  }
  return { text, path, value: parseOverrideValue(text, pathText, text.slice(equals + 1)) };
}

/** The value as YAML ("10s", "{read: 1}", "[]", "null"); an empty value is the empty string. */
function parseOverrideValue(text: string, pathText: string, valueText: string): unknown {
  if (valueText === "") return "";
  const document = parseDocument(valueText, { prettyErrors: false, uniqueKeys: true });
  const first = document.errors[0] ?? document.warnings[0];
  if (first !== undefined) {
    throw new ScenarioError(`--set ${text}: the value is not valid YAML: ${first.message}`, {
      path: pathText,
    });
  }
  try {
    return document.toJS();
  } catch (error) {
    throw new ScenarioError(`--set ${text}: the value is not valid YAML: ${errorMessage(error)}`, {
      path: pathText,
    });
  }
}

/** Sets the value at the override's path, creating missing (or null) mappings and lists on the way. */
function applyOverride(root: Record<string, unknown>, override: Override): void {
  const { path } = override;
  let container: Container = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as Segment;
    const child = getChild(container, segment, override, i);
    if (child === undefined || child === null) {
      const created: Container = INDEX_PATTERN.test(path[i + 1] as Segment) ? [] : {};
      setChild(container, segment, created, override, i);
      container = created;
    } else if (isContainer(child)) {
      container = child;
    } else {
      const at = path.slice(0, i + 1).join(".");
      throw new ScenarioError(
        `--set ${override.text}: ${at} is ${describeValue(child)}, not a mapping or list to set a key in`,
        { path: at },
      );
    }
  }
  setChild(container, path[path.length - 1] as Segment, override.value, override, path.length - 1);
}

function getChild(container: Container, segment: Segment, override: Override, depth: number): unknown {
  if (Array.isArray(container)) return container[listIndex(container, segment, override, depth)];
  return Object.hasOwn(container, segment) ? container[segment] : undefined;
}

function setChild(container: Container, segment: Segment, value: unknown, override: Override, depth: number) {
  if (Array.isArray(container)) {
    container[listIndex(container, segment, override, depth)] = value;
  } else {
    // defineProperty, not assignment: a key such as "__proto__" becomes an (unknown) key, not a prototype.
    Object.defineProperty(container, segment, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** The list index a segment names: 0 to the list's length (which appends). */
function listIndex(list: unknown[], segment: Segment, override: Override, depth: number): number {
  const at = override.path.slice(0, depth).join(".");
  if (!INDEX_PATTERN.test(segment)) {
    const message = `--set ${override.text}: ${at} is a list: expected an index, not ${JSON.stringify(segment)}`;
    throw new ScenarioError(message, { path: at });
  }
  const index = Number(segment);
  if (index > list.length) {
    throw new ScenarioError(
      `--set ${override.text}: ${at} has ${list.length} items: the index must be at most ${list.length}`,
      { path: at },
    );
  }
  return index;
}

// --- validation problems ---

interface Problem {
  readonly path: readonly PropertyKey[];
  readonly detail: string;
  /** The problem is the key itself (unknown key), not its value. */
  readonly atKey: boolean;
}

interface ErrorContext {
  readonly source: ParsedSource;
  readonly overrides: readonly Override[];
  readonly nameFromFile: boolean;
  readonly sourceName: string | undefined;
}

function validationError(issues: readonly z.core.$ZodIssue[], context: ErrorContext): ScenarioError {
  const data = context.source.data;
  const problems = withoutShadowedIssues(issues).flatMap((issue) => problemsOf(issue, data));
  const formatted = problems.map((problem) => formatProblem(problem, context)).sort(compareOrder);
  const first = formatted[0];
  if (first === undefined) return new ScenarioError(`${prefix(context.sourceName)}invalid scenario`); // unreachable
  const more = formatted.length - 1;
  const suffix = more === 0 ? "" : ` (and ${more} more problem${more === 1 ? "" : "s"})`;
  return new ScenarioError(first.message + suffix, {
    path: first.path,
    line: first.line,
    column: first.column,
    problems: formatted.map((problem) => problem.message),
  });
}

/** Drops zod's safe-integer range issue where the field's own range issue says more ("at most 5000000"). */
function withoutShadowedIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.filter(
    (issue) =>
      !(
        (issue.code === "too_big" || issue.code === "too_small") &&
        issue.origin === "int" &&
        issues.some(
          (other) => other !== issue && other.code === issue.code && samePath(other.path, issue.path),
        )
      ),
  );
}

function problemsOf(issue: z.core.$ZodIssue, data: unknown): Problem[] {
  const path = issue.path;
  const value = valueAt(data, path);
  const got = ` (got ${describeValue(value)})`;
  const problem = (detail: string): Problem[] => [{ path, detail, atKey: false }];
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = objectKeysAt(path, data).join(", ");
      return issue.keys.map((key) => ({
        path: [...path, key],
        detail: `unknown key; allowed keys: ${allowed}`,
        atKey: true,
      }));
    }
    case "invalid_type":
      return problem(
        value === undefined ? "required" : `expected ${expectedTypeAt(path, data, issue.expected)}${got}`,
      );
    case "invalid_value":
      return problem(`${expectedValues(issue.values)}${got}`);
    case "too_small":
      return problem(
        `must be ${issue.inclusive ? "at least" : "more than"} ${bound(issue.minimum, issue.origin)}${got}`,
      );
    case "too_big":
      return problem(
        `must be ${issue.inclusive ? "at most" : "less than"} ${bound(issue.maximum, issue.origin)}${got}`,
      );
    case "invalid_union":
      if (issue.discriminator !== undefined && "options" in issue && issue.options !== undefined) {
        const options = expectedValues(issue.options);
        return problem(value === undefined ? `required; ${options}` : `${options}${got}`);
      }
      {
        // A value of the one form that takes lists or mappings (a rate's stages): what is wrong inside it.
        const inner = issue.errors.filter(
          (errors) => errors.length > 0 && errors.every((e) => e.path.length > 0),
        );
        if (inner.length === 1 && value !== undefined) {
          return (inner[0] as z.core.$ZodIssue[]).flatMap((e) =>
            problemsOf({ ...e, path: [...path, ...e.path] }, data),
          );
        }
      }
      // the union's own message, e.g. "expected a duration such as 500us, 2ms or 10s"
      return problem(value === undefined ? "required" : `${issue.message}${got}`);
    case "invalid_format":
      return problem(`${issue.message}${got}`);
    case "custom":
      return problem(issue.message); // written in full by the schema
    default:
      return problem(`${issue.message}${got}`);
  }
}

function expectedValues(values: readonly unknown[]): string {
  const names = values.map((value) => String(value));
  return names.length === 1 ? `expected ${names[0]}` : `expected one of ${names.join(", ")}`;
}

function bound(limit: number | bigint, origin: string): string {
  if (origin === "string") return `${limit} characters long`;
  if (origin === "array") return `${limit} items long`;
  return String(limit);
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping (key: value)",
  array: "a list",
  null: "null",
};

interface FormattedProblem {
  readonly message: string;
  readonly path: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Sort key: problems from --set first (in order), then the file's from top to bottom, then the rest. */
  readonly order: readonly [group: number, first: number, second: number];
}

function formatProblem(problem: Problem, context: ErrorContext): FormattedProblem {
  const path = problem.path.map(String).join(".");
  let detail = problem.detail;
  if (context.nameFromFile && path === "name") {
    detail += "; the name comes from the file name: set name: in the file";
  }
  const body = `${path}: ${detail}`;
  const overrideIndex = overrideBehind(problem.path, context.overrides);
  const override = context.overrides[overrideIndex];
  if (override !== undefined) {
    const message = `--set ${override.text}: ${body}`;
    return { message, path, line: undefined, column: undefined, order: [0, overrideIndex, 0] };
  }
  const position = positionOf(problem, context.source);
  if (position === undefined) {
    const message = `${prefix(context.sourceName)}${body}`;
    return { message, path, line: undefined, column: undefined, order: [2, 0, 0] };
  }
  const { line, col } = position;
  const message =
    context.sourceName === undefined ? body : `${locationPrefix(context.sourceName, line, col)}${body}`;
  return { message, path, line, column: col, order: [1, line, col] };
}

function compareOrder(a: FormattedProblem, b: FormattedProblem): number {
  for (let i = 0; i < a.order.length; i++) {
    const difference = (a.order[i] as number) - (b.order[i] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The index of the last override that set this path, a part of it, or something inside it; else -1. */
function overrideBehind(path: readonly PropertyKey[], overrides: readonly Override[]): number {
  const problemPath = path.map(String);
  return overrides.findLastIndex((override) => {
    const shorter = Math.min(override.path.length, problemPath.length);
    return samePath(override.path.slice(0, shorter), problemPath.slice(0, shorter));
  });
}

/** Where the problem is in the file: the key for an unknown key, else the value. */
function positionOf(problem: Problem, source: ParsedSource): { line: number; col: number } | undefined {
  const path = problem.path.map(String);
  const last = path[path.length - 1];
  if (last === undefined) return undefined;
  const parent =
    path.length === 1 ? source.document.contents : source.document.getIn(path.slice(0, -1), true);
  let node: Node | null | undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === last);
    node = (problem.atKey ? pair?.key : (pair?.value ?? pair?.key)) as Node | null | undefined;
  } else if (isSeq(parent)) {
    node = parent.items[Number(last)] as Node | undefined;
  }
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : source.lineCounter.linePos(offset);
}

// --- values and the schema's shape ---

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

function samePath(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  return a.length === b.length && a.every((segment, i) => String(segment) === String(b[i]));
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (!isContainer(current)) return undefined;
    const key = String(segment);
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/** How a value reads in a message: strings quoted (and cut short), containers by kind. */
function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const quoted = JSON.stringify(value);
    return quoted.length <= 60 ? quoted : `${quoted.slice(0, 56)}..."`;
  }
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "a mapping";
  return String(value);
}

function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodOptional
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** A union's form that `value` selects (the union itself when none does). */
function selectForm(schema: z.ZodType, value: unknown): z.ZodType {
  if (schema instanceof z.ZodUnion && !(schema instanceof z.ZodDiscriminatedUnion) && Array.isArray(value)) {
    // A plain union with a list form (a rate's stages).
    return (schema.options as readonly z.ZodType[]).find((option) => option instanceof z.ZodArray) ?? schema;
  }
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return schema;
  const discriminator = schema.def.discriminator;
  const tag = isRecord(value) ? value[discriminator] : undefined;
  const form = (schema.options as readonly z.ZodType[]).find((option) => {
    const literal = option instanceof z.ZodObject ? option.shape[discriminator] : undefined;
    return literal instanceof z.ZodLiteral && literal.values.has(tag as never);
  });
  return form ?? schema;
}

/** The schema of the value at `path` of `data`, wrappers (default, nullable, ...) removed. */
function schemaAt(path: readonly PropertyKey[], data: unknown): z.ZodType | undefined {
  let schema = unwrapSchema(scenarioSchema);
  let value = data;
  for (const segment of path) {
    schema = selectForm(schema, value);
    const child =
      schema instanceof z.ZodObject
        ? schema.shape[String(segment)]
        : schema instanceof z.ZodArray
          ? (schema.element as z.ZodType)
          : undefined;
    if (child === undefined) return undefined;
    schema = unwrapSchema(child);
    value = valueAt(value, [segment]);
  }
  return selectForm(schema, value);
}

/** The keys the schema allows in the mapping at `path` of `data`. */
function objectKeysAt(path: readonly PropertyKey[], data: unknown): string[] {
  const schema = schemaAt(path, data);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** What a value at `path` should have been, for "expected ..." (zod says "number" for an int field). */
function expectedTypeAt(path: readonly PropertyKey[], data: unknown, expected: string): string {
  const schema = schemaAt(path, data);
  if (expected === "number" && schema instanceof z.ZodNumber && schema.format === "safeint")
    return "an integer";
  return TYPE_NAMES[expected] ?? expected;
}
