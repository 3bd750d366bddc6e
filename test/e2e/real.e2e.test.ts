// dbsim real, explain --against and calibrate on real servers: Debian's PostgreSQL and Redis,
// started for these tests on loopback with throwaway data directories and passwords (servers.ts),
// and stopped after them. Passwords must appear nowhere: not in output, not in any file written.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateReport } from "../../reports/report-schema.js";
import { cli, scenarioFile, tempDir } from "../cli/helpers.js";
import { hasRedis, postgresBin, type Server, startPostgres, startRedis } from "./servers.js";

const YCSB = `name: e2e-real
duration: 2s
warmup: 500ms
workload: { preset: a, records: 500, rate: 300/s, clients: 4 }
`;
const BANK = `name: e2e-bank
duration: 2s
warmup: 300ms
workload: { type: bank, bank: { accounts: 10, initial_balance: 100, max_transfer: 40 }, rate: 200/s, clients: 4 }
`;

/** Every file under `dir`, read. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, "utf8")];
  });
}

describe("real databases: PostgreSQL and Redis servers", () => {
  let postgres: Server | null = null;
  let redis: Server | null = null;

  beforeAll(async () => {
    if (postgresBin() === null)
      throw new Error("PostgreSQL is not installed (Debian: apt-get install postgresql)");
    if (!hasRedis()) throw new Error("redis-server is not installed (Debian: apt-get install redis-server)");
    postgres = await startPostgres();
    redis = await startRedis();
  });

  afterAll(async () => {
    await postgres?.stop();
    await redis?.stop();
  });

  function server(which: "postgres" | "redis"): Server {
    const s = which === "postgres" ? postgres : redis;
    if (s === null) throw new Error(`${which} did not start`);
    return s;
  }

  for (const which of ["postgres", "redis"] as const) {
    it(`runs YCSB and the bank on ${which}, naming the target without its password`, async () => {
      const { url, password } = server(which);
      for (const text of [YCSB, BANK]) {
        const out = join(tempDir(), "run");
        const { code, stdout, stderr } = await cli("real", scenarioFile(text), "--target", url, "--out", out);
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(stdout).not.toContain(password);
        const report = validateReport(
          JSON.parse(readFileSync(join(out, "report.json"), "utf8")),
          "report.json",
        );
        expect(report.source).toBe("real");
        expect(report.target?.kind).toBe(which);
        expect(report.target?.name).toMatch(new RegExp(`^${which}://127\\.0\\.0\\.1:\\d+/(postgres|0)$`));
        expect(report.target?.version).toMatch(which === "postgres" ? /^PostgreSQL \d+/ : /^Redis \d+/);
        const all = report.ops.all;
        expect(all?.ok).toBeGreaterThan(100);
        expect(all?.info).toBe(0);
        // A bank's transfers may lack the money; nothing else fails.
        expect(Object.keys(all?.errors ?? {}).filter((e) => e !== "insufficient_funds")).toEqual([]);
        for (const content of filesUnder(out)) expect(content).not.toContain(password);
      }
    });
  }

  it("compares PostgreSQL's plans with dbsim's on the server", async () => {
    const { url, password } = server("postgres");
    const { code, stdout, stderr } = await cli("explain", "scenarios/index-btree.yaml", "--against", url);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).not.toContain(password);
    expect(stdout).toMatch(/\nagainst postgres:\/\/127\.0\.0\.1:\d+\/postgres: PostgreSQL \d+/);
    expect(stdout).toMatch(/\nplans agree on [45] of 5 templates/);
    expect(stdout).toContain("  agree: index orders_pkey; rows 1 vs 1");
  });

  it("calibrates against the server: the network's round trip measured, the overlay written", async () => {
    const { url, password } = server("postgres");
    const out = join(tempDir(), "overlay.yaml");
    const { code, stdout, stderr } = await cli(
      "calibrate",
      scenarioFile(YCSB),
      "--target",
      url,
      "--out",
      out,
      "--json",
    );
    expect(code).toBe(0);
    expect(stderr).not.toContain(password);
    const calibration = JSON.parse(stdout);
    expect(calibration.round_trip_us).toBeGreaterThan(0);
    expect(calibration.parameters.network_one_way_us).toBe(Math.round(calibration.round_trip_us / 2));
    expect(calibration.templates.map((t: { template: string }) => t.template)).toEqual(["read", "update"]);
    const overlay = readFileSync(out, "utf8");
    expect(overlay).not.toContain(password);
    expect(overlay).toContain(
      `network.latency: {dist: constant, value: ${calibration.parameters.network_one_way_us}us}`,
    );
  });

  it("refuses a wrong password, a closed port and a missing database in one line, exit 2, without the password", async () => {
    const { url } = server("postgres");
    const port = /:(\d+)\//.exec(url)?.[1];
    const cases: [string, RegExp][] = [
      [`postgres://dbsim:wrong-Secret-99@127.0.0.1:${port}/postgres`, /password authentication failed/],
      [
        `postgres://dbsim:wrong-Secret-99@127.0.0.1:${port}/nodb`,
        /(password authentication failed|database "nodb" does not exist)/,
      ],
      ["postgres://dbsim:wrong-Secret-99@127.0.0.1:1/postgres", /ECONNREFUSED/],
      ["redis://:wrong-Secret-99@127.0.0.1:1/0", /ECONNREFUSED/],
      [server("redis").url.replace(/:[^:@]*@/, ":wrong-Secret-99@"), /(WRONGPASS|invalid password)/],
    ];
    for (const [target, why] of cases) {
      const { code, stdout, stderr } = await cli(
        "real",
        scenarioFile(YCSB),
        "--target",
        target,
        "--out",
        join(tempDir(), "x"),
      );
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.split("\n")).toHaveLength(2);
      expect(stderr).toMatch(/^dbsim: cannot use (postgres|redis):\/\/127\.0\.0\.1:\d+\/\S+: /);
      expect(stderr).toMatch(why);
      expect(stderr).not.toContain("wrong-Secret-99");
    }
  });
});
