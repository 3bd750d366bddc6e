import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DASHBOARDS, dashboardQueries, generatedFiles } from "../../dashboards/index.js";
import { DATASOURCE } from "../../dashboards/layout.js";
import { ALL_METRICS, labelNamesOf, seriesNamesOf } from "../../reports/metrics/catalogue.js";
import { parsePromql, substitute } from "./promql.js";

const GENERATED = join("dashboards", "generated");

/** The generated files (not the `.dbsim` marker that lets `dbsim dashboards` write there again). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === ".dbsim") return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(GENERATED, path)];
  });
}

/** Series name -> the labels its catalogue entry allows. */
const SERIES = new Map(
  ALL_METRICS.flatMap((m) => seriesNamesOf(m).map((name) => [name, labelNamesOf(m)] as const)),
);

interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
  gridPos: { x: number; y: number; w: number; h: number };
}

describe("the Grafana dashboards", () => {
  it("are committed up to date under dashboards/generated (run `npm run docs` if this fails)", () => {
    const files = generatedFiles();
    expect(filesUnder(GENERATED).sort()).toEqual([...files.keys()].sort());
    for (const [path, content] of files)
      expect(readFileSync(join(GENERATED, path), "utf8"), path).toBe(content);
  });

  it("are overview, replication, faults, sharding, transactions, simulator and live, each with its own uid", () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual([
      "dbsim-overview",
      "dbsim-replication",
      "dbsim-faults",
      "dbsim-sharding",
      "dbsim-transactions",
      "dbsim-simulator",
      "dbsim-live",
    ]);
  });

  it("have a Prometheus datasource variable and a run variable, used by every panel and query", () => {
    for (const spec of DASHBOARDS) {
      const json = JSON.parse(readFileSync(join(GENERATED, `${spec.uid}.json`), "utf8"));
      const [datasource, run] = json.templating.list;
      expect(datasource).toMatchObject({ type: "datasource", name: "datasource", query: "prometheus" });
      expect(run).toMatchObject({ type: "query", name: "run", datasource: { uid: DATASOURCE.uid } });
      expect(run.query.query).toBe("label_values(dbsim_sim_events_total, run)");
      const panels = (json.panels as PanelJson[]).filter((p) => p.type !== "row");
      expect(panels.length, spec.uid).toBeGreaterThan(0);
      const ids = (json.panels as PanelJson[]).map((p) => p.id);
      expect(new Set(ids).size, `${spec.uid}: panel ids`).toBe(ids.length);
      for (const panel of panels) {
        expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE.uid);
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect(target.datasource?.uid).toBe(DATASOURCE.uid);
          expect(target.expr).toContain('run="$run"');
        }
      }
      // Panels do not overlap on the 24-column grid.
      const cells = new Set<string>();
      for (const p of json.panels as PanelJson[]) {
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`), `${spec.uid} / ${p.title} overlaps`).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  it("query only catalogue metrics and their labels, in valid PromQL (Prometheus's Lezer grammar)", () => {
    const queries = DASHBOARDS.flatMap(dashboardQueries);
    expect(queries.length).toBeGreaterThan(20);
    for (const { where, expr } of queries) {
      const parsed = parsePromql(substitute(expr, { run: "ycsb-a/seed-1" }));
      expect(parsed.errors, `${where}: ${expr}`).toEqual([]);
      expect(parsed.metrics.length, where).toBeGreaterThan(0);
      for (const metric of parsed.metrics) expect(SERIES.has(metric), `${where}: ${metric}`).toBe(true);
      for (const [metric, label] of parsed.matchedLabels)
        expect(SERIES.get(metric), `${where}: ${metric}{${label}}`).toContain(label);
    }
  });

  it("the syntax check catches a broken query", () => {
    expect(parsePromql("sum(rate(x[5m])").errors).not.toEqual([]);
    expect(parsePromql(substitute("rate(x[$__rate_interval])", { run: "r" })).errors).toEqual([]);
    expect(parsePromql("rate(x[$__rate_interval])").errors).not.toEqual([]);
    expect(parsePromql('sum by (op) (dbsim_ops_total{foo="x"}) / y').matchedLabels).toEqual([
      ["dbsim_ops_total", "foo"],
    ]);
    expect(parsePromql('sum by (op) (dbsim_ops_total{foo="x"}) / y').metrics).toEqual([
      "dbsim_ops_total",
      "y",
    ]);
  });

  it("generates provisioning that points at the compose file's Prometheus and the dashboards' folder", () => {
    const files = generatedFiles();
    expect(files.get("provisioning/datasources/dbsim.yaml")).toContain("url: http://prometheus:9090");
    expect(files.get("provisioning/dashboards/dbsim.yaml")).toContain(
      "path: /var/lib/grafana/dashboards/dbsim",
    );
    const compose = files.get("docker-compose.yml") as string;
    expect(compose).toContain("./provisioning:/etc/grafana/provisioning");
    expect(compose).toContain(":-./tsdb}:/prometheus");
    expect(compose).toContain("--storage.tsdb.retention.time=");
    expect(compose).toContain("dbsim-overview.json");
  });
});
