// The Jepsen-shaped history of DESIGN.md ("History (JSONL)") and its parser. One line is one event:
// `{"index"?, "time"?, "process", "type": "invoke"|"ok"|"fail"|"info", "f", "key"?, "value"?, "node"?}`.
// The parser pairs each invoke with its process's next completion into one Operation. `ok` took
// effect, `fail` never did, `info` is unknown (it may take effect at any time after its invoke, or
// never); an invoke with no completion is `info`. Malformed input is a HistoryError naming the line.
// HistoryParser takes the events one at a time (lines, or decoded events), so no history needs to be
// one string.

export type OperationType = "ok" | "fail" | "info";

/** One client operation: an invoke and its completion. */
export interface Operation {
  readonly process: number;
  /** "read", "write", "cas" (value [expected, new]), or another workload's function. */
  readonly f: string;
  /** null when the line has no key: the history is of one register. */
  readonly key: string | null;
  readonly type: OperationType;
  /**
   * A read's value is what it returned (null = empty); for `ok` operations of other functions the
   * completion's value when it has one; otherwise the invoke's value.
   */
  readonly value: unknown;
  /** The events' `index` fields (by default their 0-based position among the events). */
  readonly invokeIndex: number;
  readonly completeIndex: number | null;
  /** The events' `time` fields (virtual µs in dbsim's histories), when present. */
  readonly invokeTime: number | null;
  readonly completeTime: number | null;
  /** The node that served it, when the completion (or the invoke) says. */
  readonly node: string | null;
}

export interface History {
  /** Names the history in messages, e.g. its file. */
  readonly source: string;
  /** In invoke order. */
  readonly operations: readonly Operation[];
}

export class HistoryError extends Error {
  override readonly name = "HistoryError";
  readonly source: string;
  /** 1-based line of the problem. */
  readonly line: number;
  constructor(source: string, line: number, problem: string) {
    super(`${source}:${line}: ${problem}`);
    this.source = source;
    this.line = line;
  }
}

const EVENT_TYPES = new Set(["invoke", "ok", "fail", "info"]);

/** Jepsen's fault injector logs its actions as `info` events of this process; they are no client operation. */
const NEMESIS_PROCESS = "nemesis";

type MutableOperation = { -readonly [field in keyof Operation]: Operation[field] };

interface Pending {
  readonly operation: MutableOperation;
  readonly line: number;
}

export function parseHistoryJsonl(text: string, source: string): History {
  const parser = new HistoryParser(source);
  let line = 0;
  // One pass over the lines without splitting the text: a 100k-operation history is 200k lines.
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    parser.line(text.slice(start, end), ++line);
    start = end + 1;
  }
  return parser.history();
}

/**
 * Builds a History one event at a time, so a history never needs to be one string: from JSONL lines
 * (`line`, e.g. read from a file in chunks) or from events already decoded (`event`, the objects a
 * JSONL line holds, e.g. a recorder's). Both check the same things.
 */
export class HistoryParser {
  private readonly operations: MutableOperation[] = [];
  private readonly source: string;
  private readonly pending = new Map<number, Pending>();
  private previousIndex = -1;
  private events = 0;
  private lineNumber = 0;

  constructor(source: string) {
    this.source = source;
  }

  /** One line of JSONL (its 1-based number names it in errors); a blank line is skipped. */
  line(lineText: string, line: number): void {
    if (lineText.trim() === "") return;
    this.lineNumber = line;
    this.event(this.parseLine(lineText), line);
  }

  /** One event, as JSON.parse gives a line of JSONL; `line` names it in errors. */
  event(event: Readonly<Record<string, unknown>>, line: number): void {
    this.lineNumber = line;
    this.checkEventFields(event);
    if (event.process === NEMESIS_PROCESS) return;
    if (typeof event.process !== "number" || !Number.isSafeInteger(event.process)) {
      this.fail(`"process" must be an integer (got ${describeValue(event.process)})`);
    }
    const process = event.process;
    const index = this.eventIndex(event.index);
    const time = this.eventTime(event.time);
    const key = this.eventKey(event.key);
    const node = typeof event.node === "string" ? event.node : null;
    const value = event.value ?? null;
    const type = event.type as string;
    const f = event.f as string;

    const open = this.pending.get(process);
    if (type === "invoke") {
      if (open !== undefined) {
        this.fail(`process ${process} invokes again while its invoke on line ${open.line} has no completion`);
      }
      if (f === "cas") this.checkCasValue(value);
      const operation: MutableOperation = {
        process,
        f,
        key,
        type: "info",
        value,
        invokeIndex: index,
        completeIndex: null,
        invokeTime: time,
        completeTime: null,
        node,
      };
      this.operations.push(operation);
      this.pending.set(process, { operation, line });
      return;
    }
    if (open === undefined) this.fail(`"${type}" for process ${process}, which has no pending invoke`);
    const { operation, line: invokeLine } = open;
    if (f !== operation.f) {
      this.fail(`"${type}" of f "${f}" completes the invoke of f "${operation.f}" on line ${invokeLine}`);
    }
    if (key !== null && key !== operation.key) {
      this.fail(
        `"${type}" of key ${describeValue(key)} completes the invoke of key ${describeValue(operation.key)} on line ${invokeLine}`,
      );
    }
    operation.type = type as OperationType;
    operation.completeIndex = index;
    operation.completeTime = time;
    if (node !== null) operation.node = node;
    if (type === "ok") {
      if (f === "read") operation.value = value;
      else if (value !== null) {
        if (f === "cas") this.checkCasValue(value);
        operation.value = value;
      }
    }
    this.pending.delete(process);
  }

  /** The operations read so far (an invoke still without completion is info). */
  history(): History {
    return { source: this.source, operations: this.operations };
  }

  private parseLine(lineText: string): Record<string, unknown> {
    let event: unknown;
    try {
      event = JSON.parse(lineText);
    } catch (error) {
      this.fail(`not JSON (${(error as Error).message})`);
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      this.fail(`expected one event as a JSON object (got ${describeValue(event)})`);
    }
    return event as Record<string, unknown>;
  }

  /** The fields every event needs, checked for presence and type. */
  private checkEventFields(record: Readonly<Record<string, unknown>>): void {
    if (typeof record.type !== "string" || !EVENT_TYPES.has(record.type)) {
      this.fail(`"type" must be one of invoke, ok, fail, info (got ${describeValue(record.type)})`);
    }
    if (typeof record.f !== "string" || record.f === "") {
      this.fail(`"f" must be a non-empty string such as "read" (got ${describeValue(record.f)})`);
    }
  }

  /** The `index` field, or by default the event's 0-based position; strictly increasing. */
  private eventIndex(index: unknown): number {
    let resolved = this.events;
    if (index !== undefined && index !== null) {
      if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
        this.fail(`"index" must be a non-negative integer (got ${describeValue(index)})`);
      }
      if (index <= this.previousIndex) {
        this.fail(
          `"index" ${index} is not greater than the previous event's ${this.previousIndex}: events must be in order`,
        );
      }
      resolved = index;
    }
    this.previousIndex = resolved;
    this.events++;
    return resolved;
  }

  private eventTime(time: unknown): number | null {
    if (time === undefined || time === null) return null;
    if (typeof time !== "number" || !Number.isFinite(time)) {
      this.fail(`"time" must be a number (got ${describeValue(time)})`);
    }
    return time;
  }

  /** Keys are strings; integer keys (Jepsen's independent keys) are taken as their decimal text. */
  private eventKey(key: unknown): string | null {
    if (key === undefined || key === null) return null;
    if (typeof key === "string") return key;
    if (typeof key === "number" && Number.isSafeInteger(key)) return String(key);
    return this.fail(`"key" must be a string or an integer (got ${describeValue(key)})`);
  }

  private checkCasValue(value: unknown): void {
    if (!Array.isArray(value) || value.length !== 2) {
      this.fail(`a cas value must be [expected, new] (got ${describeValue(value)})`);
    }
  }

  private fail(problem: string): never {
    throw new HistoryError(this.source, this.lineNumber, problem);
  }
}

/**
 * A Map key comparing JSON values by content: numbers and booleans as themselves, the rest as text.
 * Objects compare structurally: `{"a":1,"b":2}` and `{"b":2,"a":1}` are one value.
 */
export function valueKey(value: unknown): unknown {
  if (typeof value === "string") return `s${value}`;
  return typeof value === "object" && value !== null ? `j${canonicalJson(value)}` : value;
}

/** JSON text with every object's members in key order, so equal values have equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  const members = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${members.join(",")}}`;
}

/** A short rendering of a value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** An operation as checkers report it (JSON field names, as report.json's); `node` when known. */
export interface OperationSummary {
  readonly process: number;
  readonly f: string;
  readonly key: string | null;
  readonly type: OperationType;
  readonly value: unknown;
  readonly index: number;
  readonly complete_index: number | null;
  readonly node?: string;
}

export function summarizeOperation(operation: Operation): OperationSummary {
  return {
    process: operation.process,
    f: operation.f,
    key: operation.key,
    type: operation.type,
    value: operation.value,
    index: operation.invokeIndex,
    complete_index: operation.completeIndex,
    ...(operation.node === null ? {} : { node: operation.node }),
  };
}
