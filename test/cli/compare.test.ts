import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const ALWAYS = "test/fixtures/reports/fsync-always.json";
const NEVER = "test/fixtures/reports/fsync-never.json";

describe("dbsim compare", () => {
  it("prints one column per run, labelled by what differs, and reads run directories too", async () => {
    const dir = join(tempDir(), "run");
    mkdirSync(dir);
    writeFileSync(join(dir, "report.json"), readFileSync(NEVER));
    const { code, stdout, stderr } = await cli("compare", ALWAYS, dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/^\s+fsync_policy=always\s+fsync_policy=never$/);
    expect(stdout).toContain("latency update");
  });

  it("prints the comparison as JSON with --json", async () => {
    const { code, stdout } = await cli("compare", ALWAYS, NEVER, "--json");
    expect(code).toBe(0);
    const comparison = JSON.parse(stdout);
    expect(comparison.columns.map((c: { label: string }) => c.label)).toEqual([
      "fsync_policy=always",
      "fsync_policy=never",
    ]);
  });

  const bad: [string, string[], RegExp][] = [
    ["one run", [ALWAYS], /compare needs at least two runs \(got 1\)/],
    [
      "a missing run",
      [ALWAYS, "/nonexistent/run"],
      /cannot read \/nonexistent\/run: no such file or directory/,
    ],
    ["a directory without report.json", [ALWAYS, "test"], /no report\.json in this directory/],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 for ${what}`, async () => {
      const { code, stderr } = await cli("compare", ...args);
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
    });
  }

  it("exits 2 for a report of another schema version", async () => {
    const path = join(tempDir(), "v2.json");
    writeFileSync(
      path,
      JSON.stringify({ ...JSON.parse(readFileSync(ALWAYS, "utf8")), schema: "dbsim.report/v2" }),
    );
    const { code, stderr } = await cli("compare", ALWAYS, path);
    expect(stderr).toMatch(/not a dbsim\.report\/v1 report \(got "dbsim\.report\/v2"\)/);
    expect(code).toBe(2);
  });
});
