import { describe, expect, it } from "vitest";
import { finalReadsSection } from "../../reports/html/final-reads.js";
import type { FinalReadsReport, Report } from "../../reports/report-schema.js";

/** A report as far as the final reads' lines read it. */
function reportWith(finalReads: Partial<FinalReadsReport> | null, lostInLogs: number | null = 12): Report {
  const final_reads: FinalReadsReport | null =
    finalReads === null
      ? null
      : {
          healed_at_s: 65,
          settle_s: 5,
          reads_from_s: 70,
          end_s: 80,
          process: 96,
          keys: 3,
          reads: 9,
          unanswered: 0,
          leaders: ["shard0/n1"],
          leader_changes: 1,
          truncated_entries: 4,
          diverged_keys: 0,
          divergence: [],
          lost_writes: { acknowledged: 50, lost: 2, divergent: 0, unjudged: 0 },
          ...finalReads,
        };
  return {
    replication: {
      mode: "async",
      replicas: 3,
      lag_us: {},
      failovers: [],
      lost_writes: lostInLogs,
      conflicts: 0,
      leaders_at_end: ["shard0/n1"],
      truncated_entries: 0,
    },
    final_reads,
    faults: [],
    shards: null,
    config: { workload: { type: "ycsb" } },
  } as unknown as Report;
}

describe("the page's final reads", () => {
  it("make the judged count the headline, with the log count explained in the same line", () => {
    const html = finalReadsSection(reportWith({}));
    expect(html).toContain(
      "lost acknowledged writes: 2 of 50 (judged on the final reads of every replica: their key&#39;s final " +
        "value was written before them); the final leaders&#39; logs miss 12 (also counting writes a later " +
        "write overwrote: their keys end right)",
    );
    expect(html).toContain("The replicas agree on every key.");
    // The same count twice is said once.
    expect(finalReadsSection(reportWith({}, 2))).not.toContain("logs miss");
  });

  it("list the keys on which the replicas disagree, one column per replica, at most 20 rows", () => {
    const divergence = Array.from({ length: 30 }, (_, i) => ({
      key: `k${i}`,
      values: { "shard0/n0": i, "shard0/n1": null, ...(i === 0 ? {} : { "shard0/n2": 7 }) },
    }));
    const html = finalReadsSection(
      reportWith({
        diverged_keys: 40,
        divergence,
        lost_writes: { acknowledged: 50, lost: 0, divergent: 9, unjudged: 1 },
      }),
    );
    expect(html).toContain("Keys on which the replicas disagree (the first 20 of 40)");
    expect(html).toContain('<tr><th scope="row">k0</th><td>0</td><td>null</td><td>no answer</td></tr>');
    expect(html).not.toContain(">k20<");
    expect(html).toContain(
      "9 more held by only some replicas (they disagree at rest on 40 keys); 1 not judged (no majority of the replicas agrees)",
    );
  });

  it("are absent when the final phase did not run", () => {
    expect(finalReadsSection(reportWith(null))).toBe("");
  });
});
