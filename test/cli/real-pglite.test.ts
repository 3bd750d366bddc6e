// The real-database path on PGlite (in this process, nothing to install): `dbsim real`, every
// domain template's SQL on PostgreSQL, `dbsim explain --against pglite`, Ctrl-C, `dbsim calibrate`.
// Each PGlite takes a few seconds to start: the scenarios are tiny.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DomainReal, loadDomainTables } from "../../cli/real/domain-real.js";
import { executeReal } from "../../cli/real/real-run.js";
import { openSqlPool } from "../../cli/real/sql-pool.js";
import { parseTarget } from "../../cli/real/target.js";
import { Database } from "../../engine/query/database.js";
import { validateReport } from "../../reports/report-schema.js";
import { Rng } from "../../sim/rng.js";
import { DOMAIN_TYPES } from "../../workloads/generators/domain/domain.js";
import { createDomainWorkload } from "../../workloads/generators/domain/registry.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { cli, scenarioFile, tempDir } from "./helpers.js";

const TINY_YCSB = `name: tiny-real
duration: 1500ms
warmup: 300ms
network: { latency: { dist: constant, value: 100us } }
workload: { preset: a, records: 200, rate: 200/s, clients: 4 }
`;

describe("dbsim real on PGlite", () => {
  it("runs YCSB on PGlite and writes a run directory that dbsim compare puts beside a simulated run (and --compare prints)", async () => {
    const scenario = scenarioFile(TINY_YCSB);
    const dir = tempDir();
    const real = await cli("real", scenario, "--out", join(dir, "real"), "--compare");
    expect(real.stderr).toBe("");
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(
      /^dbsim real: tiny-real on pglite \(PostgreSQL [^)]+\(PGlite [^)]+\)\), seed 1\n/,
    );
    expect(real.stdout).toContain("real database: not deterministic");
    expect(real.stdout).toContain(`run again: npx dbsim real ${scenario} --target pglite --seed 1`);
    // --compare: the simulated run at the seed beside the real one, as dbsim compare prints them.
    const beside = real.stdout.split("\nsimulated (seed 1, trace ")[1]?.split("\n") ?? [];
    expect(beside[0]).toMatch(/^[0-9a-f]{16}\) and real, side by side:$/);
    expect(beside[1]).toMatch(/^\s+sim\s+real pglite$/);
    expect(beside).toContain("latency update");
    const report = validateReport(
      JSON.parse(readFileSync(join(dir, "real", "report.json"), "utf8")),
      "report.json",
    );
    expect(report.source).toBe("real");
    expect(report.target).toMatchObject({ kind: "pglite", name: "pglite" });
    expect(report.trace_hash).toBe("0000000000000000");
    const all = report.ops.all;
    expect(all?.ok).toBeGreaterThan(200);
    expect(all?.fail).toBe(0);
    expect(all?.info).toBe(0);
    expect(readdirSync(join(dir, "real")).sort()).toEqual([
      ".dbsim",
      "latency",
      "report.html",
      "report.json",
      "summary.md",
    ]);
    expect(readFileSync(join(dir, "real", "report.html"), "utf8")).toContain(
      "<h1>dbsim real: tiny-real, seed 1</h1>",
    );

    const sim = await cli("run", scenario, "--out", join(dir, "sim"), "--no-metrics");
    expect(sim.code).toBe(0);
    const compared = await cli("compare", join(dir, "sim"), join(dir, "real"));
    expect(compared.code).toBe(0);
    expect(compared.stdout.split("\n")[0]).toMatch(/^\s+sim\s+real pglite$/);
    expect(compared.stdout).toContain("latency update");
  });

  it("runs every template of every domain workload as SQL on PostgreSQL", async () => {
    const pool = await openSqlPool(parseTarget("pglite"), 1, 10_000);
    try {
      for (const type of DOMAIN_TYPES) {
        const small = {
          ecommerce: { customers: 50, products: 20 },
          social: { users: 50 },
          timeseries: { devices: 5 },
        }[type];
        const workload = createDomainWorkload(type, small);
        const db = new Database({ tables: workload.tables, indexes: workload.suggested_indexes });
        for (const { table, row } of workload.initialData(Rng.fromSeed(1).split("data"))) db.load(table, row);
        await loadDomainTables(pool.session(0), db, db.indexes());
        const real = new DomainReal(workload, Rng.fromSeed(1).split("query"), pool);
        const seen = new Set<string>();
        for (let i = 0; i < 400; i++) {
          const op = real.next(i * 1000);
          const outcome = await real.run(op, 0);
          // A get of a missing row, or an insert of an existing key, is a definite failure, not an error.
          if (outcome.result !== "ok") expect(["not_found", "duplicate_key"]).toContain(outcome.error);
          seen.add(op.query.template);
        }
        expect([...seen].sort()).toEqual(
          workload.templates
            .filter((t) => t.weight > 0)
            .map((t) => t.name)
            .sort(),
        );
      }
    } finally {
      await pool.close();
    }
  });

  it("prints PostgreSQL's plans beside dbsim's with dbsim explain --against pglite, and whether they agree", async () => {
    const { code, stdout, stderr } = await cli(
      "explain",
      "scenarios/index-hash.yaml",
      "--against",
      "pglite",
      "--set",
      "workload.ecommerce.customers=200",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[2]).toMatch(/^against pglite: PostgreSQL /);
    expect(lines[3]).toBe(
      "note: orders_by_status_created not created: PostgreSQL's hash indexes take one column, not (status, created_at)",
    );
    expect(lines[4]).toBe("orders_by_customer:");
    expect(lines[5]).toMatch(/^ {2}dbsim {7}HashLookup orders_by_customer \(customer_id = \?\)/);
    expect(lines[6]).toMatch(/^ {2}PostgreSQL {2}.*orders_by_customer on orders → \d+ rows? examined/);
    expect(lines[7]).toMatch(/^ {2}agree: index orders_by_customer; rows \d+ vs \d+$/);
    expect(stdout).toMatch(/\nplans agree on \d of 5 templates \(both scan the table or both use an index/);
    const json = await cli(
      "explain",
      "scenarios/index-btree.yaml",
      "--against",
      "pglite",
      "--json",
      "--set",
      "workload.ecommerce.customers=200",
    );
    const explained = JSON.parse(json.stdout);
    expect(explained.against).toMatchObject({ target: "pglite", total: 5 });
    expect(explained.against.templates[0]).toMatchObject({
      template: "orders_by_customer",
      postgres: { table: "orders", index: "orders_by_customer_created" },
      agreement: {
        dbsim_path: "index orders_by_customer_created",
        postgres_path: "index orders_by_customer_created",
      },
    });
  });

  it("refuses --against Redis, a domain workload on Redis, and --compare with --json, before connecting", async () => {
    const explain = await cli(
      "explain",
      "scenarios/index-btree.yaml",
      "--against",
      "redis://:hunter2@127.0.0.1:1",
    );
    expect(explain.code).toBe(2);
    expect(explain.stderr).toBe(
      "dbsim: --against: redis://127.0.0.1:1 is Redis, which has no query planner; use pglite or a postgres:// URL\n",
    );
    const real = await cli("real", "scenarios/index-btree.yaml", "--target", "redis://127.0.0.1:1");
    expect(real.code).toBe(2);
    expect(real.stderr).toContain("workload.type ecommerce runs SQL queries; redis://127.0.0.1:1 is Redis");
    const both = await cli("real", "scenarios/ycsb-a.yaml", "--compare", "--json");
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("dbsim: --compare prints a table: not with --json\n");
  });

  it("reports what was measured when stopped during the run (Ctrl-C), and nothing when stopped before", async () => {
    const text = `name: bank-stop
duration: 60s
warmup: 200ms
workload: { type: bank, bank: { accounts: 10, initial_balance: 100, max_transfer: 30 }, rate: 200/s, clients: 2 }
`;
    const controller = new AbortController();
    const executed = await executeReal(loadScenario(text), {
      target: parseTarget("pglite"),
      seed: 1,
      reproduce: "npx dbsim real s.yaml",
      signal: controller.signal,
      onProgress: (p) => {
        if (p.elapsed_us > 1_200_000) controller.abort();
      },
    });
    expect(executed?.end.stopped).toBe(true);
    const report = executed?.report;
    expect(report?.sim.measured_duration_s).toBeGreaterThan(0.5);
    expect(report?.sim.measured_duration_s).toBeLessThan(30);
    expect(report?.ops.transfer?.ok).toBeGreaterThan(20);
    expect(Object.keys(report?.ops.all?.errors ?? {}).filter((e) => e !== "insufficient_funds")).toEqual([]);

    const dir = join(tempDir(), "run");
    const before = process.listenerCount("SIGINT");
    const running = cli("real", scenarioFile(text), "--out", dir);
    while (process.listenerCount("SIGINT") === before) await new Promise((r) => setTimeout(r, 5));
    process.emit("SIGINT");
    const { code, stderr } = await running;
    expect(code).toBe(130);
    expect(stderr).toBe("dbsim: SIGINT before the measured phase began: nothing to report\n");
    expect(existsSync(dir)).toBe(false);
  });

  it("judges the scenario's thresholds on the real run: a breach exits 5 and says which", async () => {
    const scenario = scenarioFile(`${TINY_YCSB}thresholds: { throughput: "> 1000k/s", all.fail: "== 0" }\n`);
    const dir = join(tempDir(), "run");
    const { code, stderr } = await cli("real", scenario, "--out", dir);
    expect(code).toBe(5);
    expect(stderr).toMatch(/^dbsim: threshold breached: throughput > 1000k\/s \(/m);
    expect(stderr).not.toContain("all.fail");
    const report = validateReport(JSON.parse(readFileSync(join(dir, "report.json"), "utf8")), "report");
    expect(report.thresholds?.map((t) => [t.figure, t.ok])).toEqual([
      ["throughput", false],
      ["all.fail", true],
    ]);
  });

  it("calibrates the cost model and writes a --set overlay that replaces its own earlier one", async () => {
    const scenario = scenarioFile(
      TINY_YCSB.replace("preset: a", "preset: e").replace("rate: 200/s", "rate: 100/s"),
    );
    const out = join(tempDir(), "overlay.yaml");
    const { code, stdout, stderr } = await cli("calibrate", scenario, "--out", out);
    expect(code).toBe(0);
    expect(stderr).toContain("calibrate: tiny-real: real run on pglite\n");
    expect(stdout).toMatch(/^dbsim calibrate: tiny-real on pglite \(PostgreSQL /);
    // One request per scan; its pages and rows as dbsim's model counts them.
    expect(stdout).toMatch(/\ntiny-real +scan +\d+ +1\.0 +\d+\.\d +\d+\.\d +\d/);
    expect(stdout).toMatch(
      /\nmedian absolute percentage error over \d templates: p50 [\d.]+% before, [\d.]+% after/,
    );
    const overlay = readFileSync(out, "utf8").split("\n");
    expect(overlay[0]).toMatch(
      /^# dbsim calibrate: the cost model fitted to pglite \(PostgreSQL .*\) on tiny-real, seed 1$/,
    );
    const sets = overlay.filter((line) => line !== "" && !line.startsWith("#"));
    // fsync is fitted only with a template that writes and ran often enough (here a few inserts: not).
    expect(sets.map((line) => line.split(":")[0])).toEqual([
      "cluster.node.service_time",
      "cluster.node.page_time",
      "cluster.node.row_time",
      "network.latency",
    ]);
    expect(stdout).toMatch(/fsync not fitted \(no template varies it\)/);
    expect(stdout).toMatch(/\ntiny-real +insert \(too few ops, not fitted\)/);
    expect(sets.at(-1)).toBe("network.latency: {dist: constant, value: 0us}");
    // The overlay's lines are --set overrides a scenario takes.
    const applied = loadScenario(readFileSync(scenario, "utf8"), {
      overrides: sets.map((line) => line.replace(": ", "=")),
    });
    expect(applied.resolved.network.latency).toEqual({ dist: "constant", value_us: 0 });
    const again = await cli("calibrate", scenario, "--out", out, "--json");
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`dbsim: replacing ${out}, which dbsim wrote earlier\n`);
    expect(JSON.parse(again.stdout)).toMatchObject({
      target: "pglite",
      scenarios: ["tiny-real"],
      round_trip_us: 0,
    });
  });
});
