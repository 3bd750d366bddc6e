// The worker's task (cli/run-task.ts), called in process: it writes the run directory the main
// thread checked, itself, and returns where it went instead of the files.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import runTask from "../../cli/run-task.js";
import { TINY, tempDir } from "./helpers.js";

const task = (overrides: Partial<Parameters<typeof runTask>[0]>) =>
  runTask({
    text: `${TINY}checks: [stale_reads]\n`,
    sourceName: "tiny.yaml",
    fallbackName: "tiny",
    overrides: [],
    seed: 1,
    reproduce: "dbsim run tiny.yaml --seed 1",
    ...overrides,
  });

describe("a run task", () => {
  it("writes its run directory in the worker and returns the report and where it wrote", async () => {
    const path = join(tempDir(), "seed-1");
    const result = await task({ out: { path, state: "absent" } });
    expect(Object.keys(result).sort()).toEqual(["report", "written"]);
    expect(result.written).toEqual({ path, replaced: false, notes: [] });
    expect(readdirSync(path)).toContain("history.jsonl");
    expect(JSON.parse(readFileSync(join(path, "report.json"), "utf8")).trace_hash).toBe(
      result.report.trace_hash,
    );
  });

  it("writes nothing for a run that passed when only failures are written", async () => {
    const dir = tempDir();
    const result = await task({
      out: { path: join(dir, "seed-1"), state: "absent" },
      filesOnlyOnFailure: true,
    });
    expect(result.written).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});
