import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { compareRuns, comparisonTable } from "../../reports/compare.js";
import type { Report } from "../../reports/report-schema.js";
import type { FileContent } from "../../reports/run-dir.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const KINDS = ["none", "btree", "hash", "covering"] as const;
type Kind = (typeof KINDS)[number];

/** scenarios/index-<kind>.yaml at seed 1, measured for 10 s instead of 30 s (the same load). */
async function run(kind: Kind) {
  const path = `scenarios/index-${kind}.yaml`;
  const scenario = loadScenario(readFileSync(path, "utf8"), {
    sourceName: path,
    overrides: ["duration=10s"],
  });
  return executeRun(scenario, 1, { metrics: false });
}

describe("the index scenarios", () => {
  const reports = new Map<Kind, Report>();
  const files = new Map<Kind, Map<string, FileContent>>();
  beforeAll(async () => {
    for (const kind of KINDS) {
      const executed = await run(kind);
      reports.set(kind, executed.report);
      files.set(kind, executed.files);
    }
  });
  const report = (kind: Kind) => reports.get(kind) as Report;
  const template = (kind: Kind, name: string) => {
    const t = report(kind).queries?.templates[name];
    if (t === undefined) throw new Error(`no template ${name} in index-${kind}`);
    return t;
  };

  it("share every setting but cluster.indexes: the same operations at the same intended times", () => {
    const configs = KINDS.map((kind) => {
      const { name: _n, description: _d, cluster, ...rest } = report(kind).config;
      const { indexes: _i, ...clusterRest } = cluster;
      return { ...rest, cluster: clusterRest };
    });
    for (const config of configs) expect(config).toEqual(configs[0]);
    const counts = KINDS.map((kind) =>
      Object.fromEntries(Object.entries(report(kind).queries?.templates ?? {}).map(([n, t]) => [n, t.count])),
    );
    for (const c of counts) expect(c).toEqual(counts[0]);
  });

  it("with its index, orders_by_customer reads far fewer pages, and its p99 drops", () => {
    const none = template("none", "orders_by_customer");
    const btree = template("btree", "orders_by_customer");
    expect(none).toMatchObject({ access: "TableScan", index: null });
    expect(btree).toMatchObject({
      access: "IndexRangeScan",
      index: "orders_by_customer_created",
      covering: false,
    });
    expect(btree.pages_read_mean).toBeLessThan(none.pages_read_mean / 4);
    expect(btree.rows_examined_mean).toBeLessThan(none.rows_examined_mean / 100);
    expect(btree.latency_us.p99).toBeLessThan(none.latency_us.p99 / 3);
    // A covering index skips the table lookups: fewer pages still.
    const covering = template("covering", "orders_by_customer");
    expect(covering).toMatchObject({ covering: true, table_lookup: false });
    expect(covering.pages_read_mean).toBeLessThan(btree.pages_read_mean / 4);
    expect(template("hash", "orders_by_customer")).toMatchObject({
      access: "HashLookup",
      index: "orders_by_customer",
    });
  });

  it("makes the writes pay: each new order and status update writes more pages with indexes", () => {
    const written = (kind: Kind, name: string) => template(kind, name).pages_written_mean;
    expect(written("btree", "new_order")).toBeGreaterThan(written("none", "new_order"));
    expect(written("btree", "update_order_status")).toBeGreaterThan(written("none", "update_order_status"));
    // status is stored in both covering indexes: an update rewrites an entry in each.
    expect(written("covering", "update_order_status")).toBeGreaterThan(
      written("btree", "update_order_status"),
    );
  });

  it("advises the indexes a frequent full scan lacks, and none when every read uses one", () => {
    expect(report("none").queries?.index_advice.map((a) => [a.template, a.suggestion.columns])).toEqual([
      ["orders_by_customer", ["customer_id", "created_at"]],
      ["recent_orders_by_customer", ["customer_id", "created_at"]],
      ["orders_by_status_in_range", ["status", "created_at"]],
    ]);
    expect(report("btree").queries?.index_advice).toEqual([]);
    // A hash index cannot serve the created_at range: that template stays a scan, with the reason.
    const hash = template("hash", "orders_by_status_in_range");
    expect(hash.access).toBe("TableScan");
    expect(hash.plan).toContain("orders_by_status_created not usable: hash index supports equality only");
    expect(report("hash").queries?.index_advice.map((a) => a.template)).toEqual([
      "orders_by_status_in_range",
    ]);
  });

  it("shows the queries in the summary, the HTML page and dbsim compare", () => {
    const none = files.get("none") as Map<string, FileContent>;
    const summary = none.get("summary.md") as string;
    expect(summary).toMatch(
      /- query orders_by_customer \(\d+\.\d%\): p99 [\d.]+ms, [\d.]+ pages read \([\d.]+% in memory\), /,
    );
    expect(summary).toMatch(
      /- buffer pool 16384 pages, data \d+ pages: shard0\/n0 [\d.]+% hits \(\d+ disk reads\)/,
    );
    expect(summary).toContain("- index advice: orders_by_customer (");
    const html = none.get("report.html") as string;
    expect(html).toContain('<section id="queries">');
    expect(html).toContain("<h3>Index advice</h3>");
    const comparison = compareRuns(KINDS.map((kind) => ({ source: kind, report: report(kind) })));
    expect(comparison.columns.map((c) => c.label)).toEqual([
      "index-none",
      "index-btree",
      "index-hash",
      "index-covering",
    ]);
    const row = (section: string, figure: string) =>
      comparison.rows.find((r) => r.section === section && r.figure === figure);
    expect(row("query orders_by_customer", "plan")?.cells.map((c) => c.value)).toEqual([
      "TableScan",
      "IndexRangeScan orders_by_customer_created",
      "HashLookup orders_by_customer",
      "IndexRangeScan orders_by_customer_created",
    ]);
    expect(row("query orders_by_customer", "pages read mean")?.best).toEqual([3]);
    expect(row("query new_order", "pages written mean")?.best).toEqual([0]);
    expect(comparisonTable(comparison)).toContain("query orders_by_customer");
  });
});
