// A run with a cache, through the command line's public paths: settings and their errors, fault
// targets naming a cache host, report.json's cache section and hit ratio over time, the metrics,
// and a run without a cache untouched by all of it.

import { describe, expect, it } from "vitest";
import { executeRun } from "../../cli/execute.js";
import { contentText, type FileContent } from "../../reports/run-dir.js";
import { ScenarioError } from "../../workloads/scenario/errors.js";
import { loadScenario } from "../../workloads/scenario/load.js";

const SLOW = 120_000;

const text = (content: FileContent | undefined) => (content === undefined ? "" : contentText(content));

const CACHED = `name: cached
duration: 5s
warmup: 1s
cluster: { cache: { nodes: 2, capacity: 50, ttl: 1s } }
workload: { preset: b, records: 200, rate: 1000/s, clients: 8, timeout: 1s }
faults:
  schedule:
    - { at: 3s, kind: crash, target: cache1, restart_after: 500ms }
`;

function loadError(text: string): string {
  try {
    loadScenario(text);
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return "";
}

describe("cluster.cache settings", () => {
  it("refuses a cache before a non-YCSB workload or a router host, and unknown cache hosts as targets", () => {
    expect(loadError("name: x\ncluster: { cache: {} }\nworkload: { type: bank }\n")).toContain(
      "cluster.cache: needs workload.type ycsb (got bank)",
    );
    expect(loadError("name: x\ncluster: { shards: 2, sharding: { routing: proxy }, cache: {} }\n")).toContain(
      "cluster.cache: needs cluster.sharding.routing: client (got proxy)",
    );
    expect(
      loadError(
        "name: x\nduration: 2s\ncluster: { cache: { nodes: 2 } }\n" +
          "faults: { schedule: [{ at: 1s, kind: crash, target: cache2 }] }\n",
      ),
    ).toContain("expected a node (shard0/n0, cache0, cache1)");
    expect(loadError("name: x\ncluster: { cache: { eviction: mru } }\n")).toContain(
      "cluster.cache.eviction: expected one of lru, lfu",
    );
  });
});

describe("a run with a cache", () => {
  it(
    "reports the cache per host and its hit ratio per interval, and exports its metrics; a fault crashes a cache host by name",
    async () => {
      const { report, files } = await executeRun(loadScenario(CACHED), 1, { files: "always" });
      const cache = report.cache;
      expect(Object.keys(cache?.nodes ?? {})).toEqual(["cache0", "cache1"]);
      const total = cache?.total;
      expect(total?.hits).toBeGreaterThan(0);
      expect(total?.evictions).toBeGreaterThan(0); // 200 records, 2 x 50 entries
      expect(total?.expired).toBeGreaterThan(0);
      expect(total?.hits).toBe((cache?.nodes.cache0?.hits ?? 0) + (cache?.nodes.cache1?.hits ?? 0));
      expect(report.faults[0]).toMatchObject({ kind: "crash", targets: ["cache1"], end_s: 3.5 });
      const ratios = report.timeline.cache_hit_ratio ?? [];
      expect(ratios).toHaveLength(report.timeline.t_s.length);
      expect(ratios.every((r) => r === null || (r >= 0 && r <= 1))).toBe(true);
      const metrics = text(files.get("metrics.om"));
      expect(metrics).toContain('dbsim_cache_requests_total{node="cache0",result="hit"');
      expect(metrics).toContain('dbsim_cache_entries{node="cache1"');
      expect(text(files.get("report.html"))).toContain("Cache hit ratio");
      expect(text(files.get("summary.md"))).toContain("cache cache-aside (delete): ");
    },
    SLOW,
  );

  it(
    "without cluster.cache: no cache section, no hit ratio over time, no cache metric",
    async () => {
      const plain = CACHED.replace("cluster: { cache: { nodes: 2, capacity: 50, ttl: 1s } }\n", "").replace(
        "target: cache1",
        "target: leader",
      );
      const { report, files } = await executeRun(loadScenario(plain), 1, { files: "always" });
      expect("cache" in report).toBe(false);
      expect("cache_hit_ratio" in report.timeline).toBe(false);
      expect("cache" in report.config.cluster).toBe(false);
      expect(text(files.get("metrics.om"))).not.toContain("dbsim_cache");
    },
    SLOW,
  );

  it(
    "a hot key on 4 shards (half the reads on one key, YCSB C): the cache takes the hot shard's extra load",
    async () => {
      const hotkey = (cache: boolean) =>
        loadScenario(
          `name: hot
duration: 10s
cluster: { shards: 4, ${cache ? "cache: { nodes: 2 }," : ""} }
workload:
  preset: c
  records: 1000
  distribution: hotspot
  hotspot: { data_fraction: 0.001, ops_fraction: 0.5 }
  rate: 2000/s
  clients: 32
`,
        );
      const share = async (cache: boolean) => {
        const shards =
          (await executeRun(hotkey(cache), 1, { metrics: false, files: "failed" })).report.shards ?? [];
        return Math.max(...shards.map((s) => s.load_share));
      };
      expect(await share(false)).toBeGreaterThan(0.6);
      expect(await share(true)).toBeLessThan(0.3); // each shard's keys miss once: an even share
    },
    SLOW,
  );

  it(
    "counts a read-through cache host's own database reads in the requests per shard",
    async () => {
      const scenario = loadScenario(
        `name: through
duration: 5s
cluster: { shards: 2, cache: { nodes: 1, strategy: read-through, ttl: 100ms } }
workload: { preset: c, records: 1000, rate: 1000/s, clients: 16 }
`,
      );
      const { report } = await executeRun(scenario, 1, { metrics: false, files: "failed" });
      const requests = (report.shards ?? []).reduce((sum, shard) => sum + shard.ops, 0);
      const reads = report.cache?.total.database_reads ?? 0;
      // The clients send every read to the cache host: the shards' requests are its reads (warmup's too).
      expect(reads).toBeGreaterThan(0);
      expect(requests).toBeGreaterThanOrEqual(reads);
    },
    SLOW,
  );
});
