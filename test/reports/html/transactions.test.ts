import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../../cli/execute.js";
import { type CycleStep, cycleSvg } from "../../../reports/html/transactions.js";
import { renderReportHtml } from "../../../reports/html.js";
import type { Report } from "../../../reports/report-schema.js";
import { terminalSummary } from "../../../reports/summary.js";
import { loadScenario } from "../../../workloads/scenario/load.js";

const SLOW = 120_000;

async function writeSkew(overrides: string[]): Promise<Report> {
  const text = readFileSync("scenarios/txn-write-skew.yaml", "utf8");
  const scenario = loadScenario(text, { overrides: ["duration=3s", ...overrides] });
  return (await executeRun(scenario, 1, { metrics: false, files: "failed" })).report;
}

/** The page's transactions section. */
function section(html: string): string {
  return html.split('<section id="transactions">')[1]?.split("</section>")[0] ?? "";
}

describe("the Transactions section", () => {
  let snapshot: Report;
  let serializable: Report;
  beforeAll(async () => {
    snapshot = await writeSkew([]);
    serializable = await writeSkew(["cluster.transactions.isolation=serializable"]);
  }, SLOW);

  it("tables the anomalies elle found and draws the shortest cycle, inline", () => {
    const html = section(renderReportHtml(snapshot));
    expect(html).toContain("<h2>Transactions</h2>");
    expect(html).toMatch(/committed\/s: \d+ committed, \d+ aborted \([\d.]+%; conflict \d+\)/);
    const anomalies = html.split('class="anomalies"')[1]?.split("</table>")[0] ?? "";
    expect(anomalies).toMatch(
      /<th scope="row">G2-item<\/th><td>\d+<\/td><td class="text">G2-item: T\d+ &lt; T\d+, because/,
    );
    const svg = /<svg class="cycle"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    const edges = [
      ...svg.matchAll(/<g class="edge"><title>([^<]*)<\/title>[\s\S]*?<text[^>]*>([^<]*)<\/text><\/g>/g),
    ];
    const nodes = [...svg.matchAll(/<g class="node">[\s\S]*?<text[^>]*>(T\d+)<\/text><\/g>/g)];
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(edges).toHaveLength(nodes.length);
    // G2-item: at least two anti-dependencies (rw), each labelled with its key.
    expect(edges.filter(([, , label]) => /^rw "?\d+"?$/.test(label as string)).length).toBeGreaterThanOrEqual(
      2,
    );
    expect(html).toMatch(/The shortest cycle found \(G2-item, \d transactions\): T\d+ -rw \d+-&gt; T\d+/);
    expect(html).not.toMatch(/\b(src|href)\s*=/);
  });

  it("shows the figures and no anomalies when the check passes; a run without transactions has no section", () => {
    const html = section(renderReportHtml(serializable));
    expect(html).toMatch(/conflict \d+, validation \d+/);
    expect(html).toContain('<th scope="row">lock wait</th>');
    expect(html).not.toContain("Anomalies");
    const { transactions: _, ...withoutTxns } = serializable;
    expect(renderReportHtml({ ...withoutTxns, checks: {} })).not.toContain('id="transactions"');
  });

  it("prints the transactions in the terminal summary", () => {
    const text = terminalSummary(serializable, "npx dbsim run s.yaml");
    expect(text).toMatch(
      /^transactions: [\d.]+ committed\/s, [\d.]+% aborted \(conflict \d+, validation \d+\), 0 unknown, 0 retries$/m,
    );
    expect(text).toMatch(
      /^commit latency p50\/p99\/max \S+\/\S+\/\S+, validation \S+\/\S+\/\S+, no lock waits; aborts by key: \d+ \(\d+\)/m,
    );
  });
});

describe("cycleSvg", () => {
  const step = (from: string, to: string, type: string, key?: string): CycleStep => ({
    from,
    to,
    type,
    ...(key === undefined ? {} : { key }),
    why: `${from} before ${to} <because>`,
  });

  it("draws each transaction once and each step as a labelled arrow, escaped", () => {
    const svg = cycleSvg([
      step("T1", "T2", "ww", "x"),
      step("T2", "T3", "wr", "y"),
      step("T3", "T1", "realtime"),
    ]);
    expect([...svg.matchAll(/<ellipse /g)]).toHaveLength(3);
    expect([...svg.matchAll(/<path d="M[\d.]+,[\d.]+ Q/g)]).toHaveLength(3);
    expect(svg).toContain(">ww x</text>");
    expect(svg).toContain(">realtime</text>");
    expect(svg).toContain('marker-end="url(#txn-arrow-wr)"');
    expect(svg).toContain("<title>T3 before T1 &lt;because&gt;</title>");
    expect(svg).not.toContain("NaN");
  });

  it("bends the two arrows of a 2-cycle apart", () => {
    const svg = cycleSvg([step("T1", "T2", "rw", "x"), step("T2", "T1", "ww", "y")]);
    const controls = [...svg.matchAll(/ Q([\d.]+),([\d.]+) /g)].map((m) => Number(m[1]));
    expect(controls).toHaveLength(2);
    expect(controls[0]).not.toBe(controls[1]);
  });
});
