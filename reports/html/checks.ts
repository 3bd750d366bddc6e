// The page's "Checks" section: one row per check (verdict, what it looked at, why), then the
// violations as a table a person reads: kind, key, the operations involved and why, one row each.

import type { OperationSummary } from "../../workloads/checkers/history.js";
import { describeValue } from "../../workloads/checkers/history.js";
import { describeRegisterOperation } from "../../workloads/checkers/register-model.js";
import type { Report } from "../report-schema.js";
import { escapeHtml } from "./escape.js";
import { type Cell, markup, table, verdict } from "./tables.js";

/** The violations table shows at most this many rows, shared among the failing checks. */
export const VIOLATION_ROWS = 20;

type Check = Report["checks"][string];
type Fields = Record<string, unknown>;

/** An operation as the checkers report it (workloads/checkers/history.ts OperationSummary). */
export interface Violation {
  check: string;
  kind: string;
  key: string;
  /** [role, operation]: the operations involved, named by their part in the anomaly. */
  operations: [string, OperationSummary][];
  why: string;
}

function isOperation(value: unknown): value is OperationSummary {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Fields;
  return typeof o.f === "string" && typeof o.process === "number" && typeof o.index === "number";
}

/** "write(20229) by process 12 on shard0/n0, index 80311–80322" (its events in history.jsonl). */
export function operationText(op: OperationSummary): string {
  const node = op.node === undefined ? "" : ` on ${op.node}`;
  const span = op.complete_index === null ? `${op.index}–` : `${op.index}–${op.complete_index}`;
  return `${describeRegisterOperation(op)} by process ${op.process}${node}, index ${span}`;
}

/** The value a write leaves (a cas: its new value). */
function written(op: OperationSummary): unknown {
  return op.f === "cas" && Array.isArray(op.value) ? op.value[1] : op.value;
}

function writeOrInitial(value: unknown): string {
  return isOperation(value) ? describeRegisterOperation(value) : "the initial value";
}

/** The kind of an anomaly: its own `kind` or `type`, else what its check finds. */
function kindOf(check: string, anomaly: Fields): string {
  if (typeof anomaly.kind === "string")
    return anomaly.kind === "lost" ? "lost write" : `${anomaly.kind} write`;
  if (typeof anomaly.type === "string") return anomaly.type;
  const kinds: Record<string, string> = {
    lost_writes: "lost write",
    stale_reads: "stale read",
    read_your_writes: "read-your-writes",
    monotonic_reads: "non-monotonic read",
  };
  return kinds[check] ?? check;
}

/** One line on why the anomaly is one, from the fields the checkers report. */
function whyOf(anomaly: Fields): string {
  const read = isOperation(anomaly.read) ? anomaly.read : null;
  const returned = read === null ? "" : `read returned ${describeValue(read.value)}`;
  if (isOperation(anomaly.newer_write)) {
    // Known in effect by its acknowledgement, or by a read that returned it.
    const knownBy =
      isOperation(anomaly.known_from) && anomaly.known_from.f === "read" ? anomaly.known_from : null;
    const known =
      knownBy === null
        ? "was acknowledged before it began"
        : `had been read by process ${knownBy.process} before it began`;
    return `${returned} though ${describeRegisterOperation(anomaly.newer_write)} ${known}`;
  }
  if (isOperation(anomaly.own_write)) {
    return `${returned}, older than the process's own acknowledged ${describeRegisterOperation(anomaly.own_write)}`;
  }
  if (isOperation(anomaly.earlier_read)) {
    return `${returned} (from ${writeOrInitial(anomaly.read_from)}) after an earlier read by the same process saw ${describeValue(anomaly.earlier_read.value)}`;
  }
  const write = isOperation(anomaly.write) ? anomaly.write : null;
  if (write !== null && Array.isArray(anomaly.held_by)) {
    return `acknowledged, but only ${anomaly.held_by.join(", ")} hold ${describeValue(written(write))} at rest${replicasText(anomaly.replicas)}`;
  }
  if (write !== null && "final_value" in anomaly) {
    return isOperation(anomaly.final_written_by)
      ? `acknowledged, but the key's final value ${describeValue(anomaly.final_value)} was written before it`
      : "acknowledged, but the key ends with its initial value";
  }
  if (write !== null && typeof anomaly.last_observed === "object" && anomaly.last_observed !== null) {
    const seen = (anomaly.last_observed as Fields).value;
    return `acknowledged, yet later the key showed ${describeValue(seen)}, not this write or a newer one`;
  }
  if (typeof anomaly.quiet_from_s === "number") return livenessWhy(anomaly);
  const where = anomaly.final_state === true ? " in the final state" : "";
  if (typeof anomaly.expected === "number")
    return `balances sum to ${describeValue(anomaly.total)}, not ${anomaly.expected}${where}`;
  if (typeof anomaly.balance === "number")
    return `${describeValue(anomaly.account)} at ${anomaly.balance}${where}`;
  if (anomaly.type === "missing-account") return `${describeValue(anomaly.account)} is missing${where}`;
  if (anomaly.type === "unexpected-account")
    return `${describeValue(anomaly.account)} is not one of the bank's accounts${where}`;
  return otherFields(anomaly);
}

/** A quiet period of liveness's without recovery: what began it, the bound, what ended it. */
function livenessWhy(anomaly: Fields): string {
  const from =
    anomaly.after === "heal"
      ? `the faults healed at ${anomaly.quiet_from_s} s`
      : `the lasting fault at ${anomaly.quiet_from_s} s`;
  const first =
    typeof anomaly.first_ok_at_s === "number"
      ? `the first ok one came at ${anomaly.first_ok_at_s} s`
      : `none before ${anomaly.until === "next fault" ? "the next fault" : "the clients stopped"} at ${anomaly.quiet_until_s} s`;
  return `nothing succeeded within ${anomaly.within_s} s after ${from}; ${first}`;
}

function replicasText(replicas: unknown): string {
  if (typeof replicas !== "object" || replicas === null) return "";
  const held = Object.entries(replicas as Fields).map(([node, value]) => `${node} ${describeValue(value)}`);
  return held.length === 0 ? "" : ` (${held.join(", ")})`;
}

/** Fields no sentence above covers, as "name value" pairs (operations aside: they have their column). */
function otherFields(fields: Fields, skip: string[] = ["key", "kind", "type"]): string {
  return Object.entries(fields)
    .filter(([name, value]) => !skip.includes(name) && !isOperation(value))
    .map(([name, value]) => `${name.replace(/_/g, " ")} ${describeValue(value)}`)
    .join("; ");
}

/** The operations an anomaly names, in its fields' order. */
function operationsOf(anomaly: Fields): [string, OperationSummary][] {
  return Object.entries(anomaly).flatMap(([role, value]): [string, OperationSummary][] =>
    isOperation(value) ? [[role.replace(/_/g, " "), value]] : [],
  );
}

/** The steps just before a linearizability violation that the table shows. */
const LINEARIZATION_STEPS = 2;

/** A check's listed violations (report.json keeps the first 20 of each), and how many it found. */
export function violationsOf(check: string, verdict: Check): { listed: Violation[]; count: number } {
  const v = verdict as Fields;
  if (Array.isArray(v.anomalies)) {
    const listed = (v.anomalies as Fields[]).map((anomaly) => ({
      check,
      kind: kindOf(check, anomaly),
      key:
        typeof anomaly.key === "string"
          ? anomaly.key
          : typeof anomaly.account === "string"
            ? anomaly.account
            : "",
      operations: operationsOf(anomaly),
      why: whyOf(anomaly),
    }));
    return { listed, count: typeof v.count === "number" ? v.count : listed.length };
  }
  const violation = v.violation as Fields | undefined;
  if (verdict.valid === false && violation !== undefined && isOperation(violation.operation)) {
    const linearization = (violation.linearization ?? {}) as {
      length?: number;
      steps?: { operation: unknown }[];
    };
    const before = (linearization.steps ?? [])
      .slice(-LINEARIZATION_STEPS)
      .flatMap((step): [string, OperationSummary][] =>
        isOperation(step.operation) ? [["linearized before it", step.operation]] : [],
      );
    const why =
      `no order of the operations lets it come next: after the longest consistent order found ` +
      `(${linearization.length ?? 0} operations) the register holds ${describeValue(violation.register)}`;
    const key = typeof violation.key === "string" ? violation.key : "";
    return {
      listed: [
        {
          check,
          kind: "not linearizable",
          key,
          operations: [["operation", violation.operation], ...before],
          why,
        },
      ],
      count: 1,
    };
  }
  return { listed: [], count: 0 };
}

/**
 * The rows shown: up to `rows` in all, shared evenly among the checks (a check that lists fewer
 * leaves its share to the others), grouped by check.
 */
export function shownViolations(perCheck: Violation[][], rows = VIOLATION_ROWS): Violation[][] {
  const shown = perCheck.map(() => 0);
  let left = rows;
  let progress = true;
  while (left > 0 && progress) {
    progress = false;
    perCheck.forEach((listed, i) => {
      if (left > 0 && (shown[i] as number) < listed.length) {
        shown[i] = (shown[i] as number) + 1;
        left--;
        progress = true;
      }
    });
  }
  return perCheck.map((listed, i) => listed.slice(0, shown[i]));
}

function verdictRows(report: Report): Cell[][] {
  return Object.entries(report.checks).map(([name, check]) => {
    const v = check as Fields;
    const checked = typeof v.checked === "number" ? v.checked : typeof v.ops === "number" ? v.ops : v.reads;
    const { count } = violationsOf(name, check);
    const why =
      typeof v.reason === "string"
        ? v.reason
        : count > 0
          ? "the violations are below"
          : check.valid === true
            ? ""
            : otherFields(v, ["valid", "checked", "count", "anomalies"]);
    return [
      name,
      { text: verdict(String(check.valid)) },
      typeof checked === "number" ? String(checked) : "",
      String(count),
      { text: why },
    ];
  });
}

function violationRow(violation: Violation): Cell[] {
  const operations = violation.operations
    .map(
      ([role, op]) =>
        `<div class="op"><span class="unit">${escapeHtml(role)}:</span> ${escapeHtml(operationText(op))}</div>`,
    )
    .join("");
  return [
    { text: violation.kind },
    { text: markup(`<code>${escapeHtml(violation.key)}</code>`) },
    { text: markup(operations) },
    { text: violation.why },
  ];
}

export function checksSection(report: Report): string {
  const checks = Object.entries(report.checks);
  if (checks.length === 0) {
    return `<section id="checks">\n<h2>Checks</h2>\n<p>No checks configured.</p>\n</section>`;
  }
  const verdicts = table(["check", "valid", "checked", "anomalies", "why"], verdictRows(report));
  const found = checks.map(([name, check]) => violationsOf(name, check));
  const shown = shownViolations(found.map((f) => f.listed));
  const rows = shown.flat();
  let violations = "";
  if (rows.length > 0) {
    const rest = found
      .map((f, i) => ({ check: checks[i]?.[0] as string, left: f.count - (shown[i]?.length ?? 0) }))
      .filter((r) => r.left > 0)
      .map((r) => `${r.left} more of ${r.check}`);
    const more =
      rest.length === 0
        ? ""
        : `<p class="more">Not shown: ${escapeHtml(rest.join(", "))}. report.json and failure.json list ` +
          "the first 20 of each check with their count.</p>";
    const total = found.reduce((sum, f) => sum + f.count, 0);
    violations =
      `<h3>Violations: ${rows.length === total ? "all" : `the first ${rows.length} of`} ${total}</h3>\n` +
      table(["kind", "key", "operations involved", "why"], rows.map(violationRow), "violations") +
      `\n<p class="note">index: the operation's invocation and completion events in history.jsonl.</p>\n${more}`;
  }
  return `<section id="checks">
<h2>Checks</h2>
${verdicts}
${violations}
</section>`;
}
