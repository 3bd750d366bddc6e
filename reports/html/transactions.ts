// The page's "Transactions" section: what they did (commits, aborts by reason, latencies, the keys
// aborts touched), then the anomalies a transaction check found, one row per type, and its shortest
// cycle drawn as a graph (transactions as nodes, each edge named by its dependency and key): inline
// SVG, nothing loaded.

import { formatUs } from "../compare.js";
import type { LatencySummaryJson, Report } from "../report-schema.js";
import { escapeHtml } from "./escape.js";
import { type Cell, table } from "./tables.js";

/** One step of a cycle, as the transaction checker explains it (docs/transactions.md, "Explanations"). */
export interface CycleStep {
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly key?: string;
  readonly why: string;
}

/** An anomaly type a check found: how many, and its first one (a cycle's steps, if it is one). */
interface AnomalyType {
  readonly type: string;
  readonly count: number;
  readonly why: string;
  readonly steps: readonly CycleStep[] | null;
}

type Fields = Record<string, unknown>;

/** Each anomaly type of the checks that judge transactions (their verdicts have `anomaly_counts`). */
export function anomalyTypes(report: Report): AnomalyType[] {
  return Object.values(report.checks).flatMap((check) => {
    const v = check as Fields;
    const counts = v.anomaly_counts as Record<string, number> | undefined;
    const found = v.anomalies as Record<string, Fields[]> | undefined;
    if (typeof counts !== "object" || counts === null || typeof found !== "object" || found === null)
      return [];
    return Object.entries(counts).map(([type, count]) => {
      const first = found[type]?.[0] ?? {};
      return {
        type,
        count,
        why: typeof first.why === "string" ? first.why : "",
        steps: Array.isArray(first.steps) ? (first.steps as CycleStep[]) : null,
      };
    });
  });
}

/** The anomaly whose cycle has the fewest steps (the first such), or null without a cycle. */
export function shortestCycle(types: readonly AnomalyType[]): AnomalyType | null {
  let best: AnomalyType | null = null;
  for (const t of types)
    if (
      t.steps !== null &&
      t.steps.length > 0 &&
      (best === null || t.steps.length < (best.steps?.length ?? 0))
    )
      best = t;
  return best;
}

/** Edge colors by dependency: data dependencies dark, anti-dependencies red, order edges muted. */
const EDGE_COLORS: Record<string, string> = {
  ww: "#0b5cad",
  wr: "#17702f",
  rw: "#b3261e",
  process: "#5b6672",
  realtime: "#a15c00",
};
const NODE_RX = 34;
const NODE_RY = 15;
/** Cycles longer than this are listed in words only: a drawing of them would not be read. */
export const CYCLE_DRAWN_MAX = 12;

/** The cycle as an SVG graph: its transactions on a circle, each step a curved, labelled arrow. */
export function cycleSvg(steps: readonly CycleStep[]): string {
  const n = steps.length;
  const radius = n <= 2 ? 70 : 50 + 22 * n;
  const size = 2 * (radius + NODE_RX + 50);
  const center = size / 2;
  const at = (i: number) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: center + radius * Math.cos(angle), y: center + radius * Math.sin(angle) };
  };
  const edges = steps.map((step, i) => {
    const a = at(i);
    const b = at((i + 1) % n);
    // Bend each edge outwards (away from the center), so the two edges of a 2-cycle do not overlap.
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy);
    const nx = dy / length;
    const ny = -dx / length;
    const outward = (mx - center) * nx + (my - center) * ny >= 0 ? 1 : -1;
    const bend = 0.25 * length * (n <= 2 ? 1 : outward);
    const cx = mx + nx * bend;
    const cy = my + ny * bend;
    const label = step.key === undefined ? step.type : `${step.type} ${step.key}`;
    const start = towards(a, { x: cx, y: cy });
    const end = towards(b, { x: cx, y: cy });
    const color = EDGE_COLORS[step.type] ?? "#1d232a";
    // The label sits beside the curve's middle point, outside it by half its width (about 7 px a
    // character at 12 px) or half its height, whichever way the curve faces.
    const clear = 6 + Math.abs(nx) * 3.5 * label.length + Math.abs(ny) * 7;
    const lx = 0.25 * start.x + 0.5 * cx + 0.25 * end.x + nx * Math.sign(bend) * clear;
    const ly = 0.25 * start.y + 0.5 * cy + 0.25 * end.y + ny * Math.sign(bend) * clear;
    return (
      `<g class="edge"><title>${escapeHtml(step.why)}</title>` +
      `<path d="M${f(start.x)},${f(start.y)} Q${f(cx)},${f(cy)} ${f(end.x)},${f(end.y)}" fill="none" ` +
      `stroke="${color}" stroke-width="1.6" marker-end="url(#txn-arrow-${step.type})"/>` +
      `<text x="${f(lx)}" y="${f(ly)}" fill="${color}" text-anchor="middle" dominant-baseline="middle">` +
      `${escapeHtml(label)}</text></g>`
    );
  });
  const nodes = steps.map((step, i) => {
    const { x, y } = at(i);
    return (
      `<g class="node"><ellipse cx="${f(x)}" cy="${f(y)}" rx="${NODE_RX}" ry="${NODE_RY}" fill="#f4f6f8" ` +
      `stroke="#1d232a"/><text x="${f(x)}" y="${f(y)}" text-anchor="middle" dominant-baseline="middle">` +
      `${escapeHtml(step.from)}</text></g>`
    );
  });
  const markers = Object.entries(EDGE_COLORS).map(
    ([type, color]) =>
      `<marker id="txn-arrow-${type}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ` +
      `orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
  );
  return (
    `<svg class="cycle" xmlns="http://www.w3.org/2000/svg" width="${f(size)}" height="${f(size)}" ` +
    `viewBox="0 0 ${f(size)} ${f(size)}" role="img" aria-label="${escapeHtml(cycleText(steps))}" ` +
    `font-size="12" font-family="system-ui, sans-serif">` +
    `<defs>${markers.join("")}</defs>${edges.join("")}${nodes.join("")}</svg>`
  );
}

/** Where the line from a node's center towards `to` leaves its ellipse. */
function towards(from: { x: number; y: number }, to: { x: number; y: number }): { x: number; y: number } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const t = 1 / Math.sqrt((dx / NODE_RX) ** 2 + (dy / NODE_RY) ** 2);
  return { x: from.x + dx * t, y: from.y + dy * t };
}

function f(value: number): string {
  return value.toFixed(1);
}

/** "T1 -rw 187-> T2 -wr 191-> T1": the cycle in one line. */
function cycleText(steps: readonly CycleStep[]): string {
  const hops = steps.map((s) => ` -${s.type}${s.key === undefined ? "" : ` ${s.key}`}-> ${s.to}`);
  return `${steps[0]?.from ?? ""}${hops.join("")}`;
}

function latencyRow(name: string, l: LatencySummaryJson | null, note: string): Cell[] {
  const cells = l === null ? ["-", "-", "-", "-"] : [l.p50, l.p99, l.max, l.mean].map(formatUs);
  return [name, ...cells, { text: note }];
}

function figures(t: NonNullable<Report["transactions"]>): string {
  const rate = t.abort_rate === null ? "-" : `${(t.abort_rate * 100).toFixed(1)}%`;
  const reasons = Object.entries(t.aborts)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  const keys = t.conflict_keys.map(({ key, aborts }) => `${key} (${aborts})`).join(", ");
  return `<p>${escapeHtml(
    `${t.committed_per_s} committed/s: ${t.committed} committed, ${t.aborted} aborted (${rate}; ` +
      `${reasons || "none"}), ${t.unknown} unknown, ${t.retries} retries.`,
  )}</p>
${table(
  ["", "p50", "p99", "max", "mean", "what"],
  [
    latencyRow("commit latency", t.commit_latency_us, "first statement sent to the commit's ok"),
    latencyRow(
      "validation",
      t.validation_us,
      "the commit at the leader: queue and CPU, where validation runs",
    ),
    latencyRow("lock wait", t.lock_wait_us, "none: nothing waits for a lock, a conflict aborts at once"),
  ],
)}
<p>${escapeHtml(`Keys the aborts touched, most first: ${keys || "none"}.`)}</p>`;
}

function anomalies(types: readonly AnomalyType[]): string {
  if (types.length === 0) return "";
  const rows = types.map((t): Cell[] => [t.type, String(t.count), { text: t.why }]);
  const cycle = shortestCycle(types);
  const steps = cycle?.steps ?? [];
  const drawing =
    cycle === null
      ? ""
      : `<figure>
${steps.length <= CYCLE_DRAWN_MAX ? cycleSvg(steps) : ""}
<figcaption>${escapeHtml(`The shortest cycle found (${cycle.type}, ${steps.length} transactions): ${cycleText(steps)}. Edges: ww, wr (a data dependency), rw (an anti-dependency), process, realtime; hover one for its explanation.`)}</figcaption>
</figure>`;
  return `<h3>Anomalies</h3>
${table(["type", "count", "the first one, explained"], rows, "anomalies")}
${drawing}`;
}

/** The section, or "" for a run without transactions. */
export function transactionsSection(report: Report): string {
  const t = report.transactions;
  const types = anomalyTypes(report);
  if (t === undefined && types.length === 0) return "";
  return `<section id="transactions">
<h2>Transactions</h2>
${t === undefined ? "" : figures(t)}
${anomalies(types)}
</section>`;
}
