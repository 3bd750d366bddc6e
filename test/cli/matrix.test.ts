import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const TINY = "test/fixtures/tiny.yaml";

describe("dbsim matrix", () => {
  it("runs 2 x 2 variants x 2 seeds, writes every run and a comparison of medians", async () => {
    const out = join(tempDir(), "matrix");
    const { code, stdout, stderr } = await cli(
      "matrix",
      TINY,
      "--vary",
      "cluster.node.fsync_policy=always,never",
      "--vary",
      "workload.clients=2,8",
      "--seeds",
      "1..2",
      "--workers",
      "2",
      "--out",
      out,
      "--json",
    );
    expect(stderr).toBe(`dbsim: wrote ${out}/ (4 variants x 2 seeds)\n`);
    expect(code).toBe(0);
    const comparison = JSON.parse(stdout);
    expect(comparison.columns.map((c: { label: string }) => c.label)).toEqual([
      "fsync_policy=always, clients=2",
      "fsync_policy=always, clients=8",
      "fsync_policy=never, clients=2",
      "fsync_policy=never, clients=8",
    ]);
    for (const column of comparison.columns) expect(column.seeds).toEqual([1, 2]);
    const report = (variant: string, seed: number) =>
      JSON.parse(readFileSync(join(out, variant, `seed-${seed}`, "report.json"), "utf8"));
    // The same seed gives every variant the same workload: the same operations in the same counts.
    for (const seed of [1, 2]) {
      const a = report("fsync_policy=always,clients=2", seed);
      const b = report("fsync_policy=never,clients=8", seed);
      expect(b.ops.read.count).toBe(a.ops.read.count);
      expect(b.ops.update.count).toBe(a.ops.update.count);
      expect(b.trace_hash).not.toBe(a.trace_hash);
    }
    expect(existsSync(join(out, "comparison/comparison.json"))).toBe(true);
    expect(readFileSync(join(out, "comparison/comparison.md"), "utf8")).toContain(
      "fsync_policy=never, clients=8",
    );
    const row = comparison.rows.find(
      (r: { section: string; figure: string }) => r.section === "latency update" && r.figure === "p50",
    );
    expect(row.cells[0].range).toHaveLength(2);
  });

  const bad: [string, string[], RegExp][] = [
    ["no --vary", [], /matrix needs at least one --vary/],
    [
      "a --vary path that does not exist",
      ["--vary", "cluster.hosts.fsync=1,2"],
      /--vary cluster\.hosts\.fsync=1: cluster\.hosts: unknown key/,
    ],
    [
      "a --vary value the schema refuses",
      ["--vary", "cluster.node.fsync_policy=always,sometimes"],
      /--vary cluster\.node\.fsync_policy=sometimes: .*not an fsync policy/,
    ],
    ["a malformed --vary", ["--vary", "workload.clients"], /--vary workload\.clients: expected path=v1,v2/],
    [
      "an empty seed range",
      ["--vary", "workload.clients=1,2", "--seeds", "5..3"],
      /--seeds 5\.\.3: the range is empty/,
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 for ${what}, running nothing`, async () => {
      const out = join(tempDir(), "m");
      const { code, stderr } = await cli("matrix", TINY, ...args, "--out", out);
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }
});
