// Scenarios are bounded before anything runs: text fields by length, the run by its estimated memory
// (--max-memory raises the limit). Nothing here runs a scenario.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../../cli/errors.js";
import { readScenarioFile } from "../../cli/scenario-file.js";
import { cli, scenarioFile, tempDir } from "./helpers.js";

// 5,000,000 records of 100 fields on 3 replicas: about 24 GiB (it went past 11 GB before it was refused).
const BIG =
  "name: big\nworkload: { records: 5000000, field_count: 100, rate: 1000/s }\ncluster: { replicas: 3 }\n";
// About 1.5 GiB: under the limit for one run, over it for four at once.
const MEDIUM = "name: medium\nworkload: { records: 1000000, field_count: 100, rate: 1000/s }\n";
const OVER =
  /^dbsim: .*: estimated memory 23\.\d GiB \(records 23\.\d GiB: 5000000 records x 100 fields x 3 replicas; .*\) is more than the limit of 4 GiB; make the scenario smaller, or raise the limit with --max-memory\n$/;

/** A failure.json recording `doc` (as dbsim run writes it), with one failed check. */
function failureFile(doc: object): string {
  const path = join(tempDir(), "failure.json");
  const failure = {
    schema: "dbsim.failure/v1",
    scenario: doc,
    seed: 1,
    dbsim_version: "0.1.0",
    trace_hash: "0123456789abcdef",
    checkpoints: [],
    violations: { linearizable: { valid: false } },
  };
  writeFileSync(path, JSON.stringify(failure));
  return path;
}

describe("scenario limits", () => {
  it("refuses a description longer than 4096 characters, in one line", async () => {
    const path = scenarioFile(`name: long\ndescription: "${"x".repeat(5000)}"\n`);
    const { code, stderr } = await cli("run", path);
    expect(stderr).toMatch(
      /^dbsim: .*s\.yaml:2:14: description: must be at most 4096 characters long \(got "x+\.\.\."\)\n$/,
    );
    expect(stderr.length).toBeLessThan(200);
    expect(code).toBe(2);
  });

  it("refuses other long text fields: a key, a fault target, a duration", async () => {
    const long = "y".repeat(300);
    for (const [text, message] of [
      [
        `changes: [{at: 1s, kind: move, keys: [${long}], to: 1}]`,
        /changes\.0\.keys\.0: must be at most 256 characters long/,
      ],
      [
        `faults: {schedule: [{at: 1s, kind: crash, target: ${long}}]}`,
        /faults\.schedule\.0\.target: must be at most 64 characters long/,
      ],
      [`duration: ${long}s`, /duration: must be at most 64 characters long/],
    ] as const) {
      const { code, stderr } = await cli("run", scenarioFile(`name: t\n${text}\n`));
      expect(stderr).toMatch(message);
      expect(stderr.length).toBeLessThan(200);
      expect(code).toBe(2);
    }
  });

  it("run refuses a scenario whose estimated memory is over the limit, naming both", async () => {
    const { code, stderr, stdout } = await cli("run", scenarioFile(BIG));
    expect(stderr).toMatch(OVER);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });

  it("--max-memory raises the limit (checked without running)", () => {
    const path = scenarioFile(BIG);
    expect(() => readScenarioFile(path, [], {})).toThrow(CliError);
    expect(readScenarioFile(path, [], { maxMemory: "32GiB" }).resolved.workload.records).toBe(5_000_000);
    expect(() => readScenarioFile(path, [], { maxMemory: "1GiB" })).toThrow(/limit of 1 GiB/);
    expect(() => readScenarioFile(path, [], { maxMemory: "lots" })).toThrow(
      /^--max-memory: "lots" is not a size/,
    );
  });

  it("a sweep or matrix counts one run per worker", async () => {
    const path = scenarioFile(MEDIUM);
    expect(() => readScenarioFile(path, [], { runs: 1 })).not.toThrow();
    expect(() => readScenarioFile(path, [], { runs: 4 })).toThrow(
      /per run x 4 runs at once = \d+(\.\d)? GiB/,
    );
    const sweep = await cli("sweep", path, "--seeds", "1..4", "--workers", "4");
    expect(sweep.stderr).toMatch(/per run x 4 runs at once/);
    expect(sweep.code).toBe(2);
    const matrix = await cli("matrix", path, "--vary", "workload.rate=1000/s,2000/s", "--workers", "4");
    expect(matrix.stderr).toMatch(/per run x 4 runs at once/);
    expect(matrix.code).toBe(2);
  });

  it("replay and shrink refuse a recorded scenario over the limit", async () => {
    const path = failureFile({
      name: "big",
      workload: { records: 5_000_000, field_count: 100 },
      cluster: { replicas: 3 },
    });
    for (const command of ["replay", "shrink"]) {
      const { code, stderr } = await cli(command, path);
      expect(stderr).toMatch(
        /failure\.json: estimated memory 2\d\.\d GiB .* raise the limit with --max-memory\n$/,
      );
      expect(code).toBe(2);
    }
  });
});
