// dbsim merge: sweeps of disjoint seed ranges of one scenario give the sweep.json one sweep of all
// their seeds writes, byte for byte; anything else is refused in one line (exit 2).

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeCommand } from "../../cli/commands/merge.js";
import { sweepCommand } from "../../cli/commands/sweep.js";
import { captured, scenarioFile, TINY, tempDir } from "./helpers.js";

async function sweep(scenario: string, seeds: string, out: string) {
  const outcome = await captured((io) =>
    sweepCommand({ scenario, seeds, set: [], json: false, progress: false, out, workers: 2 }, io),
  );
  expect(outcome.code).toBe(0);
  return out;
}

function merge(sweeps: string[], out: string) {
  return captured((io) => mergeCommand({ sweeps, out, json: false }, io));
}

const sweepJson = (dir: string) => readFileSync(join(dir, "sweep.json"), "utf8");

describe("dbsim merge", () => {
  const scenario = scenarioFile(TINY);
  const dir = tempDir();
  const parts = Promise.all([
    sweep(scenario, "1..6", join(dir, "whole")),
    sweep(scenario, "1..2", join(dir, "a")),
    sweep(scenario, "3..5", join(dir, "b")),
    sweep(scenario, "6", join(dir, "c")),
  ]);

  it("gives the sweep.json of one sweep of all the seeds, in any order, and merges again", async () => {
    const [whole, a, b, c] = await parts;
    const merged = await merge([c, a, b], join(dir, "merged"));
    expect(merged.stderr).toBe("");
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain("merged 3 sweeps: seeds 1..6");
    expect(sweepJson(join(dir, "merged"))).toBe(sweepJson(whole));
    const twoStep = await merge([join(dir, "merged")], join(dir, "again"));
    expect(twoStep.code).toBe(0);
    expect(sweepJson(join(dir, "again"))).toBe(sweepJson(whole));
  }, 120_000);

  it("refuses overlapping seeds, a gap, another scenario, another version, an unfinished sweep", async () => {
    const [whole, a, , c] = await parts;
    const out = () => join(tempDir(), "out");
    const overlap = await merge([whole, a], out());
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/^dbsim: seed [12] is in two sweeps: .* and .*\n$/);

    const gap = await merge([a, c], out());
    expect(gap.code).toBe(2);
    expect(gap.stderr).toContain("must make one range a..b, as one sweep's --seeds; these are 1..2, 6");

    const other = await sweep(scenarioFile(TINY.replace("rate: 500/s", "rate: 400/s")), "3..6", out());
    const unlike = await merge([a, other], out());
    expect(unlike.code).toBe(2);
    expect(unlike.stderr).toContain("are sweeps of different scenario texts");

    const older = await sweep(scenario, "3..6", out());
    const journal = join(older, "journal.jsonl");
    writeFileSync(
      journal,
      readFileSync(journal, "utf8").replace('"dbsim_version":"', '"dbsim_version":"0.0.1-'),
    );
    const version = await merge([a, older], out());
    expect(version.code).toBe(2);
    expect(version.stderr).toContain("are sweeps of different dbsim versions (0.0.1-");

    const cut = await sweep(scenario, "3..6", out());
    const cutJournal = join(cut, "journal.jsonl");
    const lines = readFileSync(cutJournal, "utf8").split("\n");
    writeFileSync(cutJournal, `${lines.slice(0, 3).join("\n")}\n`);
    const unfinished = await merge([a, cut], out());
    expect(unfinished.code).toBe(2);
    expect(unfinished.stderr).toContain(
      `its sweep is unfinished (2 of 4 seeds): finish it with npx dbsim sweep --resume ${cut}`,
    );

    // A last line a kill cut short: merge reads the journal and leaves it as it was.
    const torn = `${lines.slice(0, 3).join("\n")}\n${(lines[3] as string).slice(0, 40)}`;
    writeFileSync(cutJournal, torn);
    const tornMerge = await merge([a, cut], out());
    expect(tornMerge.code).toBe(2);
    expect(tornMerge.stderr).toContain("its sweep is unfinished (2 of 4 seeds)");
    expect(readFileSync(cutJournal, "utf8")).toBe(torn);

    const none = await merge([tempDir()], out());
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no sweep there (no journal.jsonl)");
  }, 120_000);
});
