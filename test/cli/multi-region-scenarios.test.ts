// The multi-region strategies at seed 1, through the same outage of us-west (the primary's region)
// at 15 s for 20 s: what their comments promise is what they report, and `dbsim compare` puts
// their RPO and RTO side by side.
// - active-passive (async, DR replicas in us-east and eu-west): loses acknowledged writes, those
//   the primary took in the last ~40 ms before it died, writes again after about detect_after (1 s)
//   and an election.
// - active-active (multi-leader): no failover, the surviving regions keep writing (RTO far below a
//   second); us-west's replicas catch up once restarted and push what they had not, so no
//   acknowledged write is lost and the replicas agree at rest; last-writer-wins discards writes
//   (conflicts).
// - raft over three regions: loses none, writes again after an election.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

const STRATEGIES = ["active-passive", "active-active", "raft"] as const;

async function run(strategy: (typeof STRATEGIES)[number], out: string) {
  return cli("run", `scenarios/multi-region-${strategy}.yaml`, "--no-metrics", "--out", out);
}

/** A compare row's cells (stars dropped): the text after its figure's name and note, split on runs of spaces. */
function row(stdout: string, figure: string): string[] {
  const line = stdout.split("\n").find((l) => l.trimStart().startsWith(figure));
  if (line === undefined) throw new Error(`no row "${figure}" in:\n${stdout}`);
  const cells = line
    .trim()
    .slice(figure.length)
    .replace(/^ \([^)]*\)/, "");
  return cells
    .trim()
    .split(/\s{2,}/)
    .map((cell) => cell.replace(/ \*$/, ""));
}

describe("multi-region strategies at seed 1", () => {
  it("RPO and RTO after us-west's outage, side by side", async () => {
    const dir = tempDir();
    const outs = STRATEGIES.map((strategy) => join(dir, strategy));

    const passive = await run("active-passive", outs[0] as string);
    expect(passive.code).toBe(1); // lost_writes fails
    expect(passive.stdout).toMatch(/^failover at 16\.\d\ds: shard0\/n1 leads/m);
    expect(passive.stdout).toContain(
      "region_outage us-west at 15.00s: RPO 3 acknowledged writes lost, the last 40.5ms of data before it " +
        "(acknowledged 15.019s to 15.030s); RTO longest write outage 1.12s; ",
    );

    const active = await run("active-active", outs[1] as string);
    expect(active.code).toBe(0);
    expect(active.stdout).not.toMatch(/^failover at /m);
    expect(active.stdout).toContain(
      "region_outage us-west at 15.00s: RPO 0 acknowledged writes lost; RTO longest write outage 0.04s; ",
    );
    expect(active.stdout).toMatch(/^conflicts: [1-9]\d* writes discarded by last-writer-wins/m);

    const raft = await run("raft", outs[2] as string);
    expect(raft.code).toBe(0);
    expect(raft.stdout).toMatch(/^failover at 16\.\d\ds: shard0\/n1 leads/m);
    expect(raft.stdout).toContain(
      "region_outage us-west at 15.00s: RPO 0 acknowledged writes lost; RTO longest write outage 1.36s; ",
    );

    const compared = await cli("compare", ...outs);
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/^region_outage us-west$/m);
    expect(row(compared.stdout, "RPO: lost writes")).toEqual(["3", "0", "0"]);
    expect(row(compared.stdout, "writes on only some replicas")).toEqual(["0", "0", "0"]);
    // The async primary's unshipped writes go back 40 ms.
    expect(row(compared.stdout, "RPO: data lost before the fault")).toEqual(["40.5ms", "0us", "0us"]);
    expect(row(compared.stdout, "RPO: lost writes acknowledged over")).toEqual(["10.7ms", "-", "-"]);
    const rto = row(compared.stdout, "RTO: write outage");
    expect(rto).toEqual(["1.12s", "35.1ms", "1.36s"]);
  }, 600_000);
});
