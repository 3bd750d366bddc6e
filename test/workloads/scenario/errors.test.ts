import { describe, expect, it } from "vitest";
import { LATENCY_DISTS } from "../../../sim/latency.js";
import { constantRate } from "../../../workloads/client/arrivals.js";
import { ScenarioError } from "../../../workloads/scenario/errors.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { loadError, loadErrorMessage } from "./helpers.js";

const DURATION_HELP = "use a number and a unit (us, ms, s, m, h), e.g. 500us, 2ms, 10s";
const DISTRIBUTIONS = "uniform, zipfian, latest, hotspot, sequential, exponential";

/** A scenario named x with one line of YAML added under the top level. */
const withLine = (line: string) => `name: x\n${line}\n`;

describe("validation errors name the path and what is allowed", () => {
  it.each([
    // enums
    [
      "workload: { distribution: zipf }",
      `workload.distribution: expected one of ${DISTRIBUTIONS} (got "zipf")`,
    ],
    ["workload: { preset: g }", 'workload.preset: expected one of a, b, c, d, e, f (got "g")'],
    ["workload: { preset: A }", 'workload.preset: expected one of a, b, c, d, e, f (got "A")'],
    [
      "workload: { type: tpcc }",
      'workload.type: expected one of ycsb, bank, ecommerce, social, timeseries, list-append, rw-register, smallbank (got "tpcc")',
    ],
    ["workload: { arrival: 3 }", "workload.arrival: expected one of poisson, constant (got 3)"],
    // unknown keys list the keys allowed there
    ["cluster: { shards: 0 }", "cluster.shards: must be at least 1 (got 0)"],
    [
      "cluster: { sharding: { strategy: modulo } }",
      'cluster.sharding.strategy: expected one of hash, consistent, range, directory (got "modulo")',
    ],
    ["cluster: { sharding: { vnodes: 0 } }", "cluster.sharding.vnodes: must be at least 1 (got 0)"],
    [
      "cluster: { shards: 3, sharding: { strategy: range, boundaries: [user5, user2] } }",
      'cluster.sharding.boundaries.1: boundaries must be in ascending order: "user2" is not after "user5"',
    ],
    [
      "cluster: { shards: 3, sharding: { strategy: range, boundaries: [user5] } }",
      "cluster.sharding.boundaries: needs shards - 1 = 2 keys, where shards 1 .. 2 begin (got 1)",
    ],
    [
      "cluster: { shards: 4 }\nchanges: [{ at: 10s, kind: reshard, shards: 4 }]",
      "changes.0.shards: the cluster has 4 shards then already",
    ],
    [
      "cluster: { shards: 4 }\nchanges: [{ at: 10s, kind: split, shard: 1 }]",
      "changes.0.kind: split needs strategy range (got hash); use reshard",
    ],
    [
      "changes: [{ at: 2m, kind: reshard, shards: 2 }]",
      "changes.0.at: must be before the end of the run (warmup + duration = 60s; got 2m)",
    ],
    [
      "changes: [{ at: 1s, kind: grow }]",
      'changes.0.kind: expected one of reshard, split, move, add_replica, remove_replica, transfer_leader, move_replica (got "grow")',
    ],
    ["faults: []", "faults: expected a mapping (key: value) (got a list)"],
    [
      "cluster: { node: { fsync_ms: 1 } }",
      "cluster.node.fsync_ms: unknown key; allowed keys: service_time, page_time, row_time, fsync, fsync_policy, queue_limit, buffer_pool, disk, connections, btree_fanout",
    ],
    [
      "network: { latency: { dist: lognormal, median: 1ms, p99: 5ms, mean: 2ms } }",
      "network.latency.mean: unknown key; allowed keys: dist, median, p99",
    ],
    [
      "workload: { mix: { reads: 1 } }",
      "workload.mix.reads: unknown key; allowed keys: read, update, insert, scan, rmw",
    ],
    // types
    ["workload: { records: ten }", 'workload.records: expected an integer (got "ten")'],
    ["workload: { records: 1.5 }", "workload.records: expected an integer (got 1.5)"],
    ["workload: { records: '10' }", 'workload.records: expected an integer (got "10")'],
    ["workload: { records: null }", "workload.records: expected an integer (got null)"],
    ["workload: { records: [1] }", "workload.records: expected an integer (got a list)"],
    [
      "workload: { hotspot: { ops_fraction: high } }",
      'workload.hotspot.ops_fraction: expected a number (got "high")',
    ],
    ["workload: { zipfian_constant: .nan }", "workload.zipfian_constant: expected a number (got NaN)"],
    [
      "network: { latency: { dist: pareto, scale: 1ms, shape: .inf } }",
      "network.latency.shape: expected a number (got Infinity)",
    ],
    ["description: 5", "description: expected a string (got 5)"],
    ["workload: 5", "workload: expected a mapping (key: value) (got 5)"],
    ["cluster: [node]", "cluster: expected a mapping (key: value) (got a list)"],
    ["workload: { mix: [1] }", "workload.mix: expected a mapping (key: value) (got a list)"],
    // ranges, including huge, zero and negative counts
    ["workload: { records: 1e12 }", "workload.records: must be at most 5000000 (got 1000000000000)"],
    ["workload: { records: 1e20 }", "workload.records: must be at most 5000000 (got 100000000000000000000)"],
    ["workload: { records: 0 }", "workload.records: must be at least 1 (got 0)"],
    ["workload: { records: -5 }", "workload.records: must be at least 1 (got -5)"],
    ["workload: { clients: 0 }", "workload.clients: must be at least 1 (got 0)"],
    ["workload: { clients: 10001 }", "workload.clients: must be at most 10000 (got 10001)"],
    ["workload: { max_backlog: 0 }", "workload.max_backlog: must be at least 1 (got 0)"],
    ["workload: { field_count: -1 }", "workload.field_count: must be at least 1 (got -1)"],
    ["cluster: { node: { queue_limit: 0 } }", "cluster.node.queue_limit: must be at least 1 (got 0)"],
    ["cluster: { node: { btree_fanout: 3 } }", "cluster.node.btree_fanout: must be at least 4 (got 3)"],
    [
      "workload: { scan_length: { max: 10001 } }",
      "workload.scan_length.max: must be at most 10000 (got 10001)",
    ],
    [
      "workload: { hotspot: { data_fraction: 0 } }",
      "workload.hotspot.data_fraction: must be more than 0 (got 0)",
    ],
    [
      "workload: { exponential: { percentile: 100 } }",
      "workload.exponential.percentile: must be less than 100 (got 100)",
    ],
    ["workload: { mix: { read: -0.5 } }", "workload.mix.read: must be at least 0 (got -0.5)"],
    ["workload: { zipfian_constant: 0 }", "workload.zipfian_constant: must be more than 0 (got 0)"],
    [
      "workload: { zipfian_constant: 1 }",
      "workload.zipfian_constant: must not be 1 (the zipfian formula divides by 1 - constant); YCSB uses 0.99",
    ],
    [
      "network: { latency: { dist: pareto, scale: 1ms, shape: 0 } }",
      "network.latency.shape: must be more than 0 (got 0)",
    ],
    // durations
    ["duration: 10parsecs", `duration: "10parsecs" is not a duration: ${DURATION_HELP}`],
    ["warmup: -1s", `warmup: "-1s" is not a duration: ${DURATION_HELP}`],
    [
      "duration: 0.5us",
      `duration: "0.5us" is not a whole number of microseconds (the clock's resolution): ${DURATION_HELP}`,
    ],
    ["duration: 0s", 'duration: must be more than 0 (got "0s")'],
    ["duration: 0", "duration: must be more than 0 (got 0)"],
    ["duration: -3", "duration: must be more than 0 (got -3)"],
    ["warmup: -3", "warmup: must be at least 0 (got -3)"],
    ["warmup: .nan", "warmup: expected a duration such as 500us, 2ms or 10s (got NaN)"],
    ["duration: 25h", 'duration: must be at most 24h (got "25h")'],
    ["workload: { timeout: 0ms }", 'workload.timeout: must be more than 0 (got "0ms")'],
    [
      "workload: { timeout: 2 }",
      "workload.timeout: 2 has no unit: use a number and a unit (us, ms, s, m, h), e.g. 2ms or 2s",
    ],
    [
      "workload: { timeout: true }",
      "workload.timeout: expected a duration such as 500us, 2ms or 10s (got true)",
    ],
    [
      "workload: { timeout: { s: 2 } }",
      "workload.timeout: expected a duration such as 500us, 2ms or 10s (got a mapping)",
    ],
    [
      "cluster: { node: { fsync: 1 parsec } }",
      `cluster.node.fsync: "1 parsec" is not a duration: ${DURATION_HELP}`,
    ],
    // rates
    [
      "workload: { rate: fast }",
      'workload.rate: "fast" is not a rate: use a number per second, e.g. 2000/s or 2.5k/s',
    ],
    ["workload: { rate: 0/s }", 'workload.rate: "0/s" is not a rate: it must be more than 0/s'],
    [
      "workload: { rate: -5/s }",
      'workload.rate: "-5/s" is not a rate: use a number per second, e.g. 2000/s or 2.5k/s',
    ],
    ["workload: { rate: 2000 }", "workload.rate: 2000 has no unit: write 2000/s"],
    ["workload: { rate: 0 }", "workload.rate: must be more than 0/s (got 0)"],
    ["workload: { rate: -5 }", "workload.rate: must be more than 0/s (got -5)"],
    [
      "workload: { rate: 2000k/s }",
      'workload.rate: must be at most 1000k/s, one operation per µs (got "2000k/s")',
    ],
    [
      "workload: { rate: true }",
      "workload.rate: expected a rate such as 2000/s or 2.5k/s, or a list of stages (got true)",
    ],
    // load shapes: stages
    ["workload: { rate: [1] }", "workload.rate.0: expected a mapping (key: value) (got 1)"],
    ["workload: { rate: [] }", "workload.rate: expected 1 to 1000 stages (got 0)"],
    [
      "workload: { rate: [{ for: 10s, rate: 1k/s }, { for: 30s }] }",
      "workload.rate.1: a stage needs rate: <rate> (a step) or to: <rate> (a ramp), e.g. { for: 30s, to: 8000/s }",
    ],
    ["workload: { rate: [{ rate: 1k/s }] }", "workload.rate.0.for: required"],
    ["workload: { rate: [{ for: 0s, to: 1k/s }] }", 'workload.rate.0.for: must be more than 0 (got "0s")'],
    ["workload: { rate: [{ for: 1s, to: 8000 }] }", "workload.rate.0.to: 8000 has no unit: write 8000/s"],
    [
      "workload: { rate: [{ for: 1s, to: 2000k/s }] }",
      'workload.rate.0.to: must be at most 1000k/s, one operation per µs (got "2000k/s")',
    ],
    [
      "workload: { rate: [{ for: 1s, to: -1/s }] }",
      'workload.rate.0.to: "-1/s" is not a rate: use a number per second, e.g. 2000/s or 2.5k/s',
    ],
    [
      "workload: { rate: [{ for: 1s, to: 1k/s, target: 1k/s }] }",
      "workload.rate.0.target: unknown key; allowed keys: for, rate, to",
    ],
    [
      "workload: { rate: [{ for: 10s, rate: 0/s }] }",
      "workload.rate: the stages offer no operation before the run ends (warmup 0s + duration 60s): 0/s until then",
    ],
    // bandwidths
    [
      "network: { bandwidth: 1Gbps }",
      'network.bandwidth: "1Gbps" is not a bandwidth: use a number and a unit (bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s, B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s), e.g. 1Gbit/s or 125MB/s',
    ],
    ["network: { bandwidth: 100 }", "network.bandwidth: 100 has no unit: write 100Mbit/s, 100MB/s, ..."],
    [
      "network: { bandwidth: 100bit/s }",
      'network.bandwidth: must be from 1kbit/s to 1Tbit/s (got "100bit/s")',
    ],
    ["network: { bandwidth: 2Tbit/s }", 'network.bandwidth: must be from 1kbit/s to 1Tbit/s (got "2Tbit/s")'],
    [
      "network: { bandwidth: [1] }",
      "network.bandwidth: expected a bandwidth such as 1Gbit/s or 125MB/s (got a list)",
    ],
    // fsync policies
    [
      "cluster: { node: { fsync_policy: sometimes } }",
      'cluster.node.fsync_policy: "sometimes" is not an fsync policy: use always, never or interval:<duration>, e.g. interval:10ms',
    ],
    [
      "cluster: { node: { fsync_policy: 'interval:0ms' } }",
      'cluster.node.fsync_policy: "interval:0ms": the interval must be more than 0',
    ],
    // latency forms
    [
      "network: { latency: { dist: gamma } }",
      `network.latency.dist: expected one of ${LATENCY_DISTS.join(", ")} (got "gamma")`,
    ],
    [
      "network: { latency: { median: 1ms } }",
      `network.latency.dist: required; expected one of ${LATENCY_DISTS.join(", ")}`,
    ],
    ["network: { latency: { dist: uniform, min: 1ms } }", "network.latency.max: required"],
    [
      "network: { latency: { dist: exponential, mean: 0s } }",
      'network.latency.mean: must be more than 0 (got "0s")',
    ],
    // cross-field checks
    [
      "network: { latency: { dist: uniform, min: 5ms, max: 1ms } }",
      'network.latency.max: must be at least min (5ms) (got "1ms")',
    ],
    [
      "network: { latency: { dist: lognormal, median: 2ms, p99: 1500us } }",
      'network.latency.p99: must be at least median (2ms) (got "1500us")',
    ],
    [
      "workload: { scan_length: { min: 50, max: 10 } }",
      "workload.scan_length.max: must be at least scan_length.min (50) (got 10)",
    ],
    [
      "workload: { scan_length: { min: 200 } }",
      "workload.scan_length.max: must be at least scan_length.min (200) (got 100)",
    ],
    [
      "workload: { mix: { read: 0 } }",
      "workload.mix: at least one of read, update, insert, scan, rmw must be more than 0",
    ],
    ["warmup: 2h\nduration: 23h", "duration: warmup + duration must be at most 24h (got 2h + 23h)"],
  ])("%s", (line, message) => {
    expect(loadErrorMessage(withLine(line))).toBe(message);
  });

  it("accepts the limits themselves", () => {
    expect(loadScenario(withLine("warmup: 1h\nduration: 23h")).resolved.duration_us).toBe(23 * 3_600_000_000);
    const limits =
      "workload: { records: 5000000, clients: 10000, rate: 1000k/s, scan_length: { min: 7, max: 7 } }";
    expect(loadScenario(withLine(limits)).resolved.workload).toMatchObject({
      records: 5_000_000,
      clients: 10_000,
      rate: constantRate(1_000_000),
      scan_length: { min: 7, max: 7 },
    });
  });

  it("bounds the stages of a load shape, naming the limit", () => {
    const stages = Array.from({ length: 1001 }, () => "{ for: 1s, rate: 1/s }").join(", ");
    expect(loadErrorMessage(withLine(`workload: { rate: [${stages}] }`))).toBe(
      "workload.rate: expected 1 to 1000 stages (got 1001)",
    );
  });

  it("says where in the file a stage's problem is", () => {
    const text = "name: x\nworkload:\n  rate:\n    - { for: 10s, rate: 1k/s }\n    - { for: 30s, to: 8k }\n";
    expect(loadErrorMessage(text, { sourceName: "s.yaml" })).toBe(
      's.yaml:5:23: workload.rate.1.to: "8k" is not a rate: use a number per second, e.g. 2000/s or 2.5k/s',
    );
  });

  it("requires a name unless given a fallback", () => {
    expect(loadErrorMessage("description: no name\n")).toBe("name: required");
  });

  it.each([
    [
      "'my run'",
      "name: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the run's directory) (got \"my run\")",
    ],
    [
      "-x",
      `name: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the run's directory) (got "-x")`,
    ],
    [
      "../etc",
      `name: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the run's directory) (got "../etc")`,
    ],
    [
      "a".repeat(65),
      `name: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the run's directory) (got "${"a".repeat(55)}...")`,
    ],
  ])("rejects the name %s", (name, message) => {
    expect(loadErrorMessage(`name: ${name}\n`)).toBe(message);
  });

  it("says when a bad name came from the file name", () => {
    expect(loadErrorMessage("description: x\n", { fallbackName: "my scenario" })).toBe(
      "name: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the run's directory) " +
        '(got "my scenario"); the name comes from the file name: set name: in the file',
    );
  });
});

describe("the error", () => {
  it("is prefixed with the source name and the line:col of the value", () => {
    const text = "name: x\nworkload:\n  preset: b\n  records: 1e12\n";
    expect(loadErrorMessage(text, { sourceName: "scenarios/x.yaml" })).toBe(
      "scenarios/x.yaml:4:12: workload.records: must be at most 5000000 (got 1000000000000)",
    );
  });

  it("points at the key for an unknown key", () => {
    const text = "name: x\ncluster:\n  shard: 3\n";
    const error = loadError(text, { sourceName: "scenarios/x.yaml" });
    expect(error.message).toBe(
      "scenarios/x.yaml:3:3: cluster.shard: unknown key; allowed keys: shards, sharding, replicas, nodes, range_placement, rebalance, replication, node, indexes, cache, transactions",
    );
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.path).toBe("cluster.shard");
    expect([error.line, error.column]).toEqual([3, 3]);
  });

  it("is prefixed with the source name alone when the problem has no place in the file", () => {
    expect(loadErrorMessage("description: x\n", { sourceName: "scenarios/x.yaml" })).toBe(
      "scenarios/x.yaml: name: required",
    );
    expect(
      loadErrorMessage("name: x\nnetwork: { latency: { dist: uniform, min: 1ms } }\n", {
        sourceName: "s.yaml",
      }),
    ).toBe("s.yaml: network.latency.max: required");
  });

  it("names the first problem in file order and counts the others; `problems` lists them all", () => {
    const text = "name: x\nduration: 10parsecs\nworkload: { records: 0, clients: ten, bogus: 1 }\n";
    const error = loadError(text, { sourceName: "s.yaml" });
    expect(error.message).toBe(
      `s.yaml:2:11: duration: "10parsecs" is not a duration: ${DURATION_HELP} (and 3 more problems)`,
    );
    expect(error.path).toBe("duration");
    expect(error.problems).toEqual([
      `s.yaml:2:11: duration: "10parsecs" is not a duration: ${DURATION_HELP}`,
      "s.yaml:3:22: workload.records: must be at least 1 (got 0)",
      's.yaml:3:34: workload.clients: expected an integer (got "ten")',
      "s.yaml:3:39: workload.bogus: unknown key; allowed keys: type, preset, mix, records, distribution, field_count, field_length, scan_length, scan_length_distribution, insert_order, zero_padding, hotspot, zipfian_constant, exponential, rate, arrival, clients, timeout, max_backlog, pool, bank, ecommerce, social, timeseries, list_append, rw_register, smallbank",
    ]);
  });

  it("says 1 more problem, not 1 more problems", () => {
    expect(loadErrorMessage(withLine("workload: { records: 0, clients: 0 }"))).toBe(
      "workload.records: must be at least 1 (got 0) (and 1 more problem)",
    );
  });

  it("cuts long string values short", () => {
    const message = loadErrorMessage(withLine(`workload: { preset: ${"z".repeat(100)} }`));
    expect(message).toBe(`workload.preset: expected one of a, b, c, d, e, f (got "${"z".repeat(55)}...")`);
  });
});
