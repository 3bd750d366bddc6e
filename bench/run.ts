// npm run bench [-- --json] [-- --quick]
//
// btree:  the engine's B+tree against sorted-btree (npm), same keys, same node size: inserts, point
//         gets and 100-row range scans per wall second, as ratios engine / sorted-btree (goal >= 1),
//         for integer and string keys (bench/btree.ts). Runs first, alternating which tree goes
//         first, median of 5.
// kernel: the hold model through the public simulator API (10,000 pending events; each event
//         schedules one successor at an exponential delay; 5M events), and its ratio to the same model
//         on a bare flat binary heap in typed arrays with the same random stream (goal >= 1).
// e2e:    scenarios/ycsb-a.yaml end to end, simulated client operations per wall second; and the
//         same on a 3-replica shard replicating semi-synchronously and by Raft, in turn (the ratio
//         raft / semi-sync pairs runs of the same moment).
// long_run: ycsb-a at 5000 ops/s for 100 and then 3600 virtual seconds (18M operations) in this
//         process (bench/long-run.ts): simulated ops per wall second of each, their ratio (goal
//         >= 0.85: the cost of an operation does not grow with the run), the long run's wall time
//         and the process's max RSS. With --quick: 100 and 600 virtual seconds.
// Each figure is the median of several repetitions after one warm-up (the JIT compiles hot code
// during the first), so it measures the steady state; long_run runs once.

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BtreeBenchResult, btreeVsSortedBTree, summarizeBtreeRuns } from "./btree.js";
import { e2e } from "./e2e.js";
import { failover } from "./failover.js";
import { flatHeapHoldModel, holdModel } from "./kernel.js";
import type { LongRunResult } from "./long-run.js";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const repetitions = quick ? 1 : 3;
const root = resolve(fileURLToPath(import.meta.url), "../../..");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function repeat<T>(label: string, fn: () => T, pick: (t: T) => number): { runs: T[]; median: number } {
  if (!json) process.stderr.write(`${label}: warm-up`);
  fn();
  const runs: T[] = [];
  for (let i = 0; i < repetitions; i++) {
    if (!json) process.stderr.write(` ${i + 1}/${repetitions}`);
    runs.push(fn());
  }
  if (!json) process.stderr.write("\n");
  return { runs, median: median(runs.map(pick)) };
}

const btreeKeys = quick ? 50_000 : 200_000;
const btreeScans = quick ? 20_000 : 100_000;
const btreeRepetitions = quick ? 1 : 5;

function btreeCase(kind: "int" | "string") {
  const run = (engineFirst: boolean) =>
    btreeVsSortedBTree({ keys: btreeKeys, scans: btreeScans, kind, engineFirst });
  if (!json) process.stderr.write(`btree ${kind} keys: warm-up`);
  run(true);
  const runs: BtreeBenchResult[] = [];
  for (let i = 0; i < btreeRepetitions; i++) {
    if (!json) process.stderr.write(` ${i + 1}/${btreeRepetitions}`);
    runs.push(run(i % 2 === 0));
  }
  if (!json) process.stderr.write("\n");
  const summary = summarizeBtreeRuns(runs);
  const round = (f: { inserts_per_s: number; gets_per_s: number; scans_per_s: number }, digits: number) => ({
    inserts_per_s: Number(f.inserts_per_s.toFixed(digits)),
    gets_per_s: Number(f.gets_per_s.toFixed(digits)),
    scans_per_s: Number(f.scans_per_s.toFixed(digits)),
  });
  return {
    engine: round(summary.engine, 0),
    sorted_btree: round(summary.sorted_btree, 0),
    ratio: round(summary.ratio, 3),
  };
}

const btreeInt = btreeCase("int");
const btreeString = btreeCase("string");

const holdEvents = quick ? 1_000_000 : 5_000_000;
const hold = { pending: 10_000, events: holdEvents, mean_delay_us: 1000 };
// The kernel and a bare flat binary heap in turn, so that each ratio pairs runs of the same moment.
const kernel = repeat(
  "kernel",
  () => {
    const run = holdModel(hold);
    return { ...run, flat_heap_events_per_s: flatHeapHoldModel(hold).events_per_s };
  },
  (r) => r.events_per_s,
);
const kernelVsFlatHeap = median(kernel.runs.map((r) => r.events_per_s / r.flat_heap_events_per_s));
const endToEnd = repeat(
  "e2e",
  () => e2e(resolve(root, "scenarios/ycsb-a.yaml")),
  (r) => r.ops_per_s,
);
// Semi-sync and Raft in turn on the same 3 replicas, so that each ratio pairs runs of the same moment.
const replicated = (mode: string) =>
  e2e(resolve(root, "scenarios/ycsb-a.yaml"), 1, ["cluster.replicas=3", `cluster.replication.mode=${mode}`]);
const semiSyncVsRaft = repeat(
  "e2e semi-sync vs raft",
  () => ({ semi_sync: replicated("semi-sync"), raft: replicated("raft") }),
  (r) => r.raft.ops_per_s / r.semi_sync.ops_per_s,
);
const semiSync = semiSyncVsRaft.runs.map((r) => r.semi_sync);
const raft = semiSyncVsRaft.runs.map((r) => r.raft);
const last = endToEnd.runs.at(-1);
if (!json) process.stderr.write("failover: 20 seeds\n");
const failovers = await failover(quick ? 5 : 20);
if (!json)
  process.stderr.write(`long_run: ycsb-a at 5000/s, 100 s then ${quick ? 600 : 3600} s of virtual time\n`);
// A process of its own, so that its max RSS is the runs' alone.
const long = JSON.parse(
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("./long-run.js", import.meta.url)), ...(quick ? ["--quick"] : [])],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  ),
) as LongRunResult;

const result = {
  node: process.version,
  btree: {
    versus: "sorted-btree@2.1.0",
    keys: btreeKeys,
    scans: btreeScans,
    node_size: 64,
    scan_length: 100,
    repetitions: btreeRepetitions,
    int: btreeInt,
    string: btreeString,
  },
  kernel: {
    model: "hold",
    pending: 10_000,
    events: holdEvents,
    events_per_s: Math.round(kernel.median),
    runs_events_per_s: kernel.runs.map((r) => Math.round(r.events_per_s)),
    vs_flat_binary_heap: Number(kernelVsFlatHeap.toFixed(2)),
  },
  e2e: {
    scenario: "ycsb-a",
    operations: last?.operations,
    events: last?.events,
    ops_per_s: Math.round(endToEnd.median),
    events_per_s: Math.round(median(endToEnd.runs.map((r) => r.events_per_s))),
    wall_s: Number(median(endToEnd.runs.map((r) => r.wall_s)).toFixed(3)),
    runs_ops_per_s: endToEnd.runs.map((r) => Math.round(r.ops_per_s)),
  },
  failover: failovers,
  long_run: long,
  e2e_semi_sync: {
    scenario: "ycsb-a, cluster.replicas=3, replication.mode=semi-sync",
    ops_per_s: Math.round(median(semiSync.map((r) => r.ops_per_s))),
    events_per_s: Math.round(median(semiSync.map((r) => r.events_per_s))),
    runs_ops_per_s: semiSync.map((r) => Math.round(r.ops_per_s)),
  },
  e2e_raft: {
    scenario: "ycsb-a, cluster.replicas=3, replication.mode=raft",
    ops_per_s: Math.round(median(raft.map((r) => r.ops_per_s))),
    events_per_s: Math.round(median(raft.map((r) => r.events_per_s))),
    runs_ops_per_s: raft.map((r) => Math.round(r.ops_per_s)),
    vs_semi_sync: Number(semiSyncVsRaft.median.toFixed(3)),
  },
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const ratios = (r: typeof btreeInt) =>
    `${r.ratio.inserts_per_s.toFixed(2)}x / ${r.ratio.gets_per_s.toFixed(2)}x / ${r.ratio.scans_per_s.toFixed(2)}x ` +
    `(engine ${(r.engine.inserts_per_s / 1e6).toFixed(2)}M / ${(r.engine.gets_per_s / 1e6).toFixed(2)}M / ` +
    `${(r.engine.scans_per_s / 1e3).toFixed(0)}k per s)`;
  const btreeLabel = `${btreeKeys / 1000}k`;
  const rows: [string, string][] = [
    [`B+tree vs sorted-btree, ${btreeLabel} int keys: inserts / gets / 100-row scans`, ratios(btreeInt)],
    [
      `B+tree vs sorted-btree, ${btreeLabel} string keys: inserts / gets / 100-row scans`,
      ratios(btreeString),
    ],
    [
      "kernel (hold model, 10k pending); vs a bare flat binary heap",
      `${(result.kernel.events_per_s / 1e6).toFixed(2)}M events/s; ${result.kernel.vs_flat_binary_heap}x`,
    ],
    ["e2e ycsb-a: simulated ops per wall second", `${Math.round(result.e2e.ops_per_s / 1000)}k ops/s`],
    ["e2e ycsb-a: events per wall second", `${(result.e2e.events_per_s / 1e6).toFixed(2)}M events/s`],
    ["e2e ycsb-a: wall time of the 65 s virtual run", `${result.e2e.wall_s} s`],
    [
      "e2e ycsb-a, 3 replicas, semi-sync: ops per wall second",
      `${Math.round(result.e2e_semi_sync.ops_per_s / 1000)}k ops/s`,
    ],
    [
      "e2e ycsb-a, 3 replicas, raft: ops per wall second; vs semi-sync",
      `${Math.round(result.e2e_raft.ops_per_s / 1000)}k ops/s; ${result.e2e_raft.vs_semi_sync}x`,
    ],
    [
      `failover after a leader crash (detect_after 1s, ${failovers.seeds} seeds): election`,
      `p50 ${failovers.election_s.p50}s, p90 ${failovers.election_s.p90}s, min ${failovers.election_s.min}s, max ${failovers.election_s.max}s`,
    ],
    [
      "failover: the clients' write outage",
      `p50 ${failovers.write_outage_s.p50.toFixed(2)}s, p90 ${failovers.write_outage_s.p90.toFixed(2)}s, max ${failovers.write_outage_s.max.toFixed(2)}s`,
    ],
    [
      `long_run ycsb-a 5000/s: ops per wall second, ${long.short.virtual_s} s vs ${long.long.virtual_s} s virtual`,
      `${Math.round(long.short.ops_per_s / 1000)}k vs ${Math.round(long.long.ops_per_s / 1000)}k ops/s (ratio ${long.ratio})`,
    ],
    [
      `long_run: wall time of the ${long.long.virtual_s} s run (${(long.long.operations / 1e6).toFixed(1)}M ops), max RSS`,
      `${long.long.wall_s} s, ${long.max_rss_mib} MiB`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`dbsim bench (node ${process.version}, median of ${repetitions})\n`);
  for (const [name, value] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${value}\n`);
}
